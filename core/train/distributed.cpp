// c10d's Gloo backend is compiled into Debian's libtorch_cpu but its header is guarded by
// USE_C10D_GLOO, which LibTorch's CMake config does not define for us.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "core/train/distributed.hpp"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/cuda.h>
// NCCL for CUDA ranks, where LibTorch was built with it (Debian's CPU LibTorch is not: there
// this path is compiled out and CUDA ranks are refused with a message).
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <stdexcept>

namespace harmonia::train {

namespace {
std::optional<int> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::atoi(v);
}
}  // namespace

std::optional<DistributedEnv> distributed_env_from_environment() {
  auto world = env_int("WORLD_SIZE");
  if (!world) return std::nullopt;
  DistributedEnv env;
  env.world_size = *world;
  env.rank = env_int("RANK").value_or(0);
  env.local_rank = env_int("LOCAL_RANK").value_or(env.rank);
  if (const char* addr = std::getenv("MASTER_ADDR")) env.master_addr = addr;
  env.master_port = env_int("MASTER_PORT").value_or(29500);
  if (env.world_size < 1 || env.rank < 0 || env.rank >= env.world_size)
    throw std::runtime_error("RANK/WORLD_SIZE out of range");
  return env;
}

std::chrono::milliseconds distributed_timeout() {
  if (const char* text = std::getenv("HARMONIA_DIST_TIMEOUT_S")) {
    char* end = nullptr;
    const double s = std::strtod(text, &end);
    if (end != text && *end == '\0' && s > 0 && s <= 86400) return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
    throw std::runtime_error(std::string("HARMONIA_DIST_TIMEOUT_S=") + text + ": expected seconds in (0, 86400]");
  }
  return std::chrono::milliseconds(120000);
}

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  // The concrete type: from LibTorch 2.0 ProcessGroupGloo is a c10d::Backend, not a ProcessGroup.
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  torch::Device device = torch::kCPU;  // where scalars for mean()/barrier() live

  // A rank that died closes its connections (Gloo: "Connection closed by peer"); one that hangs
  // is given up on after the timeout. Either way this rank stops with a message a user can act on.
  template <typename Op>
  static void collective(const char* what, Op&& op) {
    try {
      op();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("distributed ") + what +
                               ": another rank stopped or did not answer in time; the run can continue from its "
                               "last checkpoint with --resume (" + e.what() + ")");
    }
  }

  void allreduce_sum(torch::Tensor& t) {
    std::vector<torch::Tensor> tensors{t};
#ifdef USE_C10D_NCCL
    if (nccl) {
      collective("all-reduce", [&] { nccl->allreduce(tensors)->wait(); });
      return;
    }
#endif
    collective("all-reduce", [&] { group->allreduce(tensors)->wait(); });
  }
  void broadcast(std::vector<torch::Tensor>& tensors) {
#ifdef USE_C10D_NCCL
    if (nccl) {
      collective("broadcast", [&] { nccl->broadcast(tensors)->wait(); });
      return;
    }
#endif
    collective("broadcast", [&] { group->broadcast(tensors)->wait(); });
  }
};

Distributed::Distributed(const DistributedEnv& env) : env_(env), impl_(std::make_unique<Impl>()) {
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(env.master_port);
  store_options.isServer = env.rank == 0;
  store_options.numWorkers = static_cast<size_t>(env.world_size);
  store_options.timeout = distributed_timeout();
  impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
  if (env.cuda) {
#ifdef USE_C10D_NCCL
    if (!torch::cuda::is_available()) throw std::runtime_error("distributed: CUDA ranks requested but no GPU is visible");
    impl_->device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank % torch::cuda::device_count()));
    impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env.rank, env.world_size,
                                                              c10d::ProcessGroupNCCL::Options::create());
    return;
#else
    throw std::runtime_error(
        "distributed: the model is on a GPU but this LibTorch has no NCCL (USE_C10D_NCCL); train on the CPU with Gloo");
#endif
  }
  // Gloo's own default is 30 minutes: a hung rank would hold the others that long.
  auto options = c10d::ProcessGroupGloo::Options::create(distributed_timeout());
  options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world_size, options);
}

Distributed::~Distributed() = default;

void Distributed::broadcast(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    std::vector<torch::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
    impl_->broadcast(one);
    if (!t.is_contiguous()) t.copy_(one[0]);
  }
}

void Distributed::average_gradients(const std::vector<torch::Tensor>& params, size_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  size_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<torch::Tensor> flat_parts;
    for (const auto& g : bucket) flat_parts.push_back(g.reshape({-1}));
    auto flat = torch::cat(flat_parts);
    impl_->allreduce_sum(flat);
    flat.div_(static_cast<double>(env_.world_size));
    int64_t offset = 0;
    for (auto& g : bucket) {
      const int64_t n = g.numel();
      g.copy_(flat.narrow(0, offset, n).view_as(g));
      offset += n;
    }
    bucket.clear();
    bytes = 0;
  };
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;  // every rank has the same graph, so the same gaps
    bucket.push_back(p.grad());
    bytes += static_cast<size_t>(p.grad().numel()) * p.grad().element_size();
    if (bytes >= bucket_bytes) flush();
  }
  flush();
}

double Distributed::mean(double value) {
  auto t = torch::tensor({value}, torch::kDouble).to(impl_->device);
  impl_->allreduce_sum(t);
  return t.item<double>() / env_.world_size;  // item() copies back from the GPU
}

void Distributed::barrier() {
  // An all-reduce of one element: Gloo's barrier API changed between releases.
  auto t = torch::zeros({1}, torch::TensorOptions().device(impl_->device));
  impl_->allreduce_sum(t);
}

}  // namespace harmonia::train
