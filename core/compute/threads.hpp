// How many CPU threads torch's kernels use. Debian's LibTorch starts with 1, which wastes
// every other core, so the CLI and GUI always set it (default: all cores).
#pragma once

namespace harmonia::compute {

int default_thread_count();             // hardware cores, at least 1
void set_compute_threads(int threads);  // <= 0 means default_thread_count()
int compute_threads();

}  // namespace harmonia::compute
