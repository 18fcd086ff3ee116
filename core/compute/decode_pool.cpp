#include "core/compute/decode_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/compute/threads.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HARMONIA_CPU_RELAX() _mm_pause()
#else
#define HARMONIA_CPU_RELAX() std::this_thread::yield()
#endif

namespace harmonia::compute {
namespace {

// How long a worker keeps spinning after its last part before it sleeps: longer than the
// gap between two kernels of one step (layer norms, activations, sampling), far shorter than
// anything a person notices as CPU use.
constexpr auto kSpin = std::chrono::microseconds(2000);
constexpr int kMaxWorkers = 7;
constexpr int kMaxParts = 0xffff;  // a job's part count fits the claim word's 16 bits

// A job's parts are claimed, not assigned: the caller takes parts too, so a worker that the
// OS has not scheduled (another program busy on the other core) delays nothing — the caller
// simply runs its part. The claim word holds the job's number next to the next free part, so
// a worker that wakes late cannot claim a part of a newer job it has not read.
class Pool {
  using Clock = std::chrono::steady_clock;

 public:
  static Pool& instance() {
    // Leaked on purpose: workers must outlive every static destructor that might decode.
    static Pool* pool = new Pool(std::min(kMaxWorkers, default_thread_count() - 1));
    return *pool;
  }

  void run(int parts, void (*part)(void*, int, int), void* context) {
    std::unique_lock<std::mutex> busy(dispatch_, std::try_to_lock);
    // A forked child has this object but not the threads: it runs alone.
    const bool alone = workers_ == 0 || !busy.owns_lock() || getpid() != owner_ || parts > kMaxParts ||
                       (alone_for_ > 0 && alone_for_-- > 0);
    if (alone) {
      for (int i = 0; i < parts; ++i) part(context, i, parts);
      return;
    }
    part_.store(part, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    const uint64_t job = ++job_;
    claim_.store(claim_word(job, parts, 0), std::memory_order_seq_cst);  // publishes the fields above
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      wake_.notify_all();
    }
    const auto start = Clock::now();
    while (take_part(job)) {
    }
    if (done_.load(std::memory_order_acquire) == parts) return note_wait(start, Clock::now());  // no wait
    // Only parts a worker has already started remain: wait for them, politely.
    const auto own_done = Clock::now();
    for (int spins = 0; done_.load(std::memory_order_acquire) < parts; ++spins) {
      if (spins < 4096) HARMONIA_CPU_RELAX();
      else std::this_thread::yield();
    }
    note_wait(start, own_done);
  }

 private:
  explicit Pool(int workers) : workers_(std::max(0, workers)) {
    for (int w = 0; w < workers_; ++w) std::thread([this] { work(); }).detach();
  }

  // When the other cores are busy (a compiler, a training run), a worker can be descheduled in
  // the middle of its part and the caller waits a whole time slice (~ms) for it: decoding then
  // ran 2.5x slower than on one thread. A wait over a millisecond and much longer than the
  // caller's own share is taken as that sign: the next jobs (64 at first, about two tokens of
  // the small preset; doubling up to 4096 while it recurs) run on the caller alone, and the
  // pool is tried again after that.
  void note_wait(Clock::time_point start, Clock::time_point own_done) {
    const auto own = own_done - start, waited = Clock::now() - own_done;
    if (waited > std::chrono::milliseconds(1) && waited > 2 * own) {
      alone_for_ = backoff_;
      backoff_ = std::min(backoff_ * 2, kMaxBackoff);
      clean_ = 0;
    } else if (++clean_ >= kCleanReset) {
      backoff_ = kMinBackoff;
      clean_ = 0;
    }
  }

  // The claim word: job number (32 bits) | part count (16) | next free part (16). The count
  // lives in the word itself: read from anywhere else, a late worker could compare a finished
  // job's word against the next job's count while that job is being set up, and claim a part
  // that does not exist yet.
  static uint64_t claim_word(uint64_t job, int parts, int next) {
    return (job << 32) | (uint64_t(parts) << 16) | uint64_t(next);
  }

  // Claims and runs one part of `job`; false when none is left (or `job` is over).
  bool take_part(uint64_t job) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (;;) {
      const int parts = int((c >> 16) & 0xffffu), next = int(c & 0xffffu);
      if ((c >> 32) != (job & 0xffffffffu) || next >= parts) return false;
      if (claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) break;
    }
    // The claim succeeded on an unfinished job's word, so that job cannot end before this part
    // does: its fields are still the ones published with it.
    part_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), int(c & 0xffffu),
                                          int((c >> 16) & 0xffffu));
    done_.fetch_add(1, std::memory_order_release);
    return true;
  }

  void work() {
    uint64_t seen = 0;
    auto current = [&] { return claim_.load(std::memory_order_seq_cst) >> 32; };
    for (;;) {
      uint64_t now = current();
      if (now == seen) {
        const auto until = std::chrono::steady_clock::now() + kSpin;
        int spins = 0;
        while ((now = current()) == seen) {
          HARMONIA_CPU_RELAX();
          if (++spins % 64 == 0 && std::chrono::steady_clock::now() > until) break;
        }
        if (now == seen) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          wake_.wait(lock, [&] { return (now = current()) != seen; });
          sleepers_.fetch_sub(1, std::memory_order_relaxed);
        }
      }
      seen = now;
      while (take_part(now)) {
      }
    }
  }

  const int workers_;
  const pid_t owner_ = getpid();
  std::mutex dispatch_;  // one caller at a time; others run alone rather than wait
  uint64_t job_ = 0;     // caller only
  // Stall back-off (caller only, under dispatch_): jobs left to run alone, the next such run's
  // length, and the stall-free jobs since the last stall.
  // (A short wait is no sign: this VM's own hiccups cost 0.1-0.5 ms now and then; a busy core
  // costs a time slice, milliseconds.)
  static constexpr int kMinBackoff = 64, kMaxBackoff = 4096, kCleanReset = 2048;
  int alone_for_ = 0, backoff_ = kMinBackoff, clean_ = 0;
  alignas(64) std::atomic<uint64_t> claim_{0};
  alignas(64) std::atomic<int> done_{0};
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  // Stored by the caller before claim_ announces the job; read only after a successful claim
  // (atomics so that the compiler keeps them as loads the claim orders).
  std::atomic<void (*)(void*, int, int)> part_{nullptr};
  std::atomic<void*> context_{nullptr};
};

}  // namespace

void run_parts(int parts, void (*part)(void*, int, int), void* context) {
  if (parts <= 1) {
    if (parts == 1) part(context, 0, 1);
    return;
  }
  Pool::instance().run(parts, part, context);
}

namespace {
thread_local int t_decode_parts = 1;
}

int decode_parts() { return t_decode_parts; }

DecodeThreadsScope::DecodeThreadsScope(int64_t weight_bytes)
    : aten_threads_(compute_threads()), outer_parts_(t_decode_parts) {
  const int threads = weight_bytes >= kMinStreamedBytes ? std::max(aten_threads_, outer_parts_) : 1;
  t_decode_parts = std::clamp(threads, 1, kMaxWorkers + 1);
  if (aten_threads_ != 1) set_compute_threads(1);
}

DecodeThreadsScope::~DecodeThreadsScope() {
  if (aten_threads_ != 1) set_compute_threads(aten_threads_);
  t_decode_parts = outer_parts_;
}

}  // namespace harmonia::compute
