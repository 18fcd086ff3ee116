// A small fork-join pool for the decode kernels. One decoding step runs ~30 matrix-vector
// products of a few hundred microseconds each; they are bound by memory bandwidth, which a
// second core nearly doubles here, but a hand-off through ATen's OpenMP region or a fresh
// std::thread costs about as much as it saves. These workers spin briefly between parts
// (a step's parts arrive microseconds apart), then sleep, so an idle program costs nothing.
#pragma once

#include <cstdint>
#include <type_traits>

namespace harmonia::compute {

// Calls part(i, parts) once for every i in [0, parts), on the calling thread and the pool's
// workers (whoever claims a part first; there may be more parts than threads), and returns
// when all are done. When another thread is using the pool, everything runs on the caller.
// `part` must not throw and must not call run_parts itself.
void run_parts(int parts, void (*part)(void* context, int index, int parts), void* context);

// How many parts a decode kernel splits into on this thread: 1, or inside a
// DecodeThreadsScope the compute thread count that scope found (at most the cores).
int decode_parts();

// For its lifetime, on the calling thread: ATen's own ops run on one thread and the decode
// kernels split over the compute threads through this pool instead. Both at once would put
// ATen's spinning OpenMP workers and the pool's workers on the same cores, taking turns
// (measured: 2 threads ran 4-20x slower than 1 that way); the ops ATen keeps are tiny at
// decode sizes anyway. Not nestable across threads; restores the previous count on exit.
// `weight_bytes` is the model's: the split pays when each step streams the weights from memory
// (≈ 27 GB/s from one core here, ≈ 55 from two); a model that small stays in cache, where the
// hand-offs cost more than the second core gives (measured: the 3 MB `tiny` preset decoded 25-30 %
// slower on two threads, the 19 MB baseline shape 23 % faster, the 42 MB `small` 47 % faster).
class DecodeThreadsScope {
 public:
  static constexpr int64_t kMinStreamedBytes = int64_t(8) << 20;
  explicit DecodeThreadsScope(int64_t weight_bytes);
  ~DecodeThreadsScope();
  DecodeThreadsScope(const DecodeThreadsScope&) = delete;
  DecodeThreadsScope& operator=(const DecodeThreadsScope&) = delete;

 private:
  int aten_threads_, outer_parts_;
};

template <class F>
void run_parts(int parts, F&& f) {
  using Fn = std::remove_reference_t<F>;
  run_parts(
      parts, [](void* c, int i, int n) { (*static_cast<Fn*>(c))(i, n); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace harmonia::compute
