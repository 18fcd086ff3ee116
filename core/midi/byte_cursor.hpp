// Bounds-checked big-endian reading of one chunk of a MIDI file. Both MIDI readers (our own
// and the symusic-compatible loader the tokenizers use) read through it, so a lying length
// can never take either past its buffer; every problem becomes a MidiError with the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/midi/midi_file.hpp"

namespace harmonia::midi {

class ByteCursor {
 public:
  ByteCursor(const uint8_t* data, size_t begin, size_t end, const std::string& source)
      : data_(data), pos_(begin), end_(end), source_(source) {}

  bool at_end() const { return pos_ >= end_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }

  [[noreturn]] void fail(const std::string& problem) const { throw MidiError(source_, pos_, problem); }

  uint8_t u8(const char* what) {
    if (pos_ >= end_) fail(std::string("unexpected end of data reading ") + what);
    return data_[pos_++];
  }
  uint8_t peek(const char* what) const {
    if (pos_ >= end_) fail(std::string("unexpected end of data reading ") + what);
    return data_[pos_];
  }
  uint32_t be(int bytes, const char* what) {
    if (remaining() < size_t(bytes)) fail(std::string("unexpected end of data reading ") + what);
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | data_[pos_++];
    return v;
  }
  // Variable-length quantity: at most 4 bytes (28 bits) per the SMF spec.
  uint32_t vlq(const char* what) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const uint8_t b = u8(what);
      v = (v << 7) | (b & 0x7F);
      if (!(b & 0x80)) return v;
    }
    fail(std::string("variable-length quantity longer than 4 bytes in ") + what);
  }
  const uint8_t* take(size_t n, const char* what) {
    if (remaining() < n) {
      fail(std::string(what) + " of " + std::to_string(n) + " bytes runs past the end of its chunk (" +
           std::to_string(remaining()) + " bytes left)");
    }
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint8_t data_byte(const char* what) {
    const uint8_t b = u8(what);
    if (b & 0x80) {
      --pos_;
      fail(std::string("expected a data byte (< 0x80) in ") + what + ", found a status byte");
    }
    return b;
  }

 private:
  const uint8_t* data_;
  size_t pos_;
  size_t end_;
  const std::string& source_;
};

}  // namespace harmonia::midi
