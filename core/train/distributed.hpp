// Data-parallel training over PyTorch's own c10d: a ProcessGroupGloo (CPU) found through a
// TCPStore at MASTER_ADDR:MASTER_PORT, with rank and size from torchrun's variables (RANK,
// WORLD_SIZE, LOCAL_RANK). NCCL is used instead when LibTorch has CUDA and the model is on
// a GPU (see distributed.cpp). Rank 0 hosts the store.
#pragma once

#include <chrono>
#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace harmonia::train {

struct DistributedEnv {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool cuda = false;  // the model is on a GPU: NCCL (needs a LibTorch built with USE_C10D_NCCL)
};

// How long a rank waits for the others (joining the store, each collective) before it stops
// with an error: 120 s, or HARMONIA_DIST_TIMEOUT_S seconds.
std::chrono::milliseconds distributed_timeout();

// Reads RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT; nullopt when WORLD_SIZE is unset.
std::optional<DistributedEnv> distributed_env_from_environment();

class Distributed {
 public:
  explicit Distributed(const DistributedEnv& env);  // blocks until every rank has joined
  ~Distributed();
  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }

  // Rank 0's values overwrite everyone's (start from identical weights).
  void broadcast(const std::vector<torch::Tensor>& tensors);
  // Averages the gradients over ranks, packed into buckets of ~bucket_bytes (fewer,
  // larger messages than one per parameter; like DDP's 25 MiB buckets).
  void average_gradients(const std::vector<torch::Tensor>& params, size_t bucket_bytes = 25u << 20);
  // Mean over ranks of a scalar (losses for logs).
  double mean(double value);
  void barrier();

 private:
  struct Impl;
  DistributedEnv env_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace harmonia::train
