// Spectrum measurement for the render tests: a plain radix-2 FFT over a Hann-windowed
// mono mix, so the tests measure pitch themselves instead of trusting the renderer.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <utility>
#include <vector>

#include "core/audio/wav_file.hpp"

namespace harmonia::test {

// Magnitude spectrum of `frames` frames from `start`, mixed to mono, zero-padded to a
// power of two >= `min_size`. Bin k is k * sample_rate / size Hz.
struct Spectrum {
  double bin_hz = 0.0;
  std::vector<double> magnitude;

  double at(double hz) const {
    const size_t k = size_t(std::lround(hz / bin_hz));
    return k < magnitude.size() ? magnitude[k] : 0.0;
  }
  // Largest magnitude within +-`tolerance` (relative) of `hz`.
  double peak_near(double hz, double tolerance) const {
    double best = 0.0;
    const size_t lo = size_t(std::floor(hz * (1 - tolerance) / bin_hz));
    const size_t hi = size_t(std::ceil(hz * (1 + tolerance) / bin_hz));
    for (size_t k = lo; k <= hi && k < magnitude.size(); ++k) best = std::max(best, magnitude[k]);
    return best;
  }
  // Frequency of the strongest bin between lo_hz and hi_hz, refined by parabolic interpolation.
  double dominant_hz(double lo_hz, double hi_hz) const {
    size_t best = 0;
    for (size_t k = size_t(lo_hz / bin_hz); k <= size_t(hi_hz / bin_hz) && k + 1 < magnitude.size(); ++k) {
      if (magnitude[k] > magnitude[best]) best = k;
    }
    if (best == 0) return 0.0;
    const double a = magnitude[best - 1], b = magnitude[best], c = magnitude[best + 1];
    const double denom = a - 2 * b + c;
    const double offset = denom != 0.0 ? 0.5 * (a - c) / denom : 0.0;
    return (double(best) + offset) * bin_hz;
  }
};

inline void fft_in_place(std::vector<std::complex<double>>& x) {
  const size_t n = x.size();
  for (size_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = -2.0 * M_PI / double(len);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < n; i += len) {
      std::complex<double> w(1.0);
      for (size_t k = 0; k < len / 2; ++k) {
        const auto u = x[i + k], v = x[i + k + len / 2] * w;
        x[i + k] = u + v;
        x[i + k + len / 2] = u - v;
        w *= step;
      }
    }
  }
}

inline Spectrum spectrum_of(const audio::AudioBuffer& audio, size_t start, size_t frames, size_t min_size = 1 << 16) {
  size_t size = 1;
  while (size < std::max(frames, min_size)) size <<= 1;
  std::vector<std::complex<double>> x(size);
  for (size_t i = 0; i < frames && start + i < audio.frames(); ++i) {
    double mono = 0.0;
    for (int c = 0; c < audio.channels; ++c) mono += audio.samples[(start + i) * audio.channels + c];
    const double hann = 0.5 - 0.5 * std::cos(2.0 * M_PI * double(i) / double(frames - 1));
    x[i] = mono * hann;
  }
  fft_in_place(x);
  Spectrum s;
  s.bin_hz = double(audio.sample_rate) / double(size);
  s.magnitude.resize(size / 2);
  for (size_t k = 0; k < size / 2; ++k) s.magnitude[k] = std::abs(x[k]);
  return s;
}

// Root mean square of frames [start, start + frames), all channels.
inline double rms(const audio::AudioBuffer& audio, size_t start, size_t frames) {
  double sum = 0.0;
  size_t n = 0;
  for (size_t i = start * audio.channels; i < (start + frames) * audio.channels && i < audio.samples.size(); ++i, ++n) {
    sum += double(audio.samples[i]) * audio.samples[i];
  }
  return n ? std::sqrt(sum / double(n)) : 0.0;
}

}  // namespace harmonia::test
