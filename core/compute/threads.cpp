#include "core/compute/threads.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace harmonia::compute {

int default_thread_count() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_compute_threads(int threads) {
  at::set_num_threads(threads > 0 ? threads : default_thread_count());
}

int compute_threads() { return at::get_num_threads(); }

}  // namespace harmonia::compute
