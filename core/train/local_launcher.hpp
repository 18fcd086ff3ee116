// `--nproc N`: start N copies of this program on this machine as ranks 0..N-1, with the
// variables torchrun would set (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR=127.0.0.1, a free
// MASTER_PORT), wait for all, and stop the others if one fails.
#pragma once

#include <string>
#include <vector>

namespace harmonia::train {

// argv: the command line each rank runs (argv[0] is replaced by /proc/self/exe). Returns 0
// when every rank exits with 0, else the first failing rank's status (128 + signal if killed).
int launch_local_ranks(const std::vector<std::string>& argv, int nproc);

}  // namespace harmonia::train
