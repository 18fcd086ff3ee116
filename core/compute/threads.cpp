#include "core/compute/threads.hpp"

#include "core/compute/blas_kernels.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace harmonia::compute {

int default_thread_count() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_compute_threads(int threads) {
  select_blas_kernels();  // every entry point sets threads first: the kernels are fixed here too
  at::set_num_threads(threads > 0 ? threads : default_thread_count());
}

int compute_threads() { return at::get_num_threads(); }

}  // namespace harmonia::compute
