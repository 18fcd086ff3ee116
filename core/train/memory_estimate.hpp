// How much memory a training run will take, before it starts. A batch size and context a user
// (or the GUI monkey) can type -- batch 512 x context 8192 on the tiny preset -- asked LibTorch
// for hundreds of GB: the studio grew to 23 GB in a minute and the kernel's OOM killer ended it,
// with everything unsaved. Refusing with the figures is the only good answer.
#pragma once

#include <cstdint>
#include <string>

#include "core/model/model_config.hpp"

namespace harmonia::train {

struct MemoryEstimate {
  double weights_and_optimizer = 0;  // bytes: fp32 weights, gradients and AdamW's two moments
  double activations = 0;            // bytes kept for the backward pass of one micro-batch
  double total() const { return weights_and_optimizer + activations; }
};

// What our implementation keeps (attention materializes batch x heads x context^2 scores;
// fp32 activations; the logits over the whole vocabulary). Calibrated on the tiny preset,
// batch 8 x context 1024, fp32: 1.41 GB peak resident measured, 1.50 GB estimated.
MemoryEstimate estimate_training_memory(const model::ModelConfig& config, int64_t parameters, int64_t batch,
                                        int64_t context);

// MemAvailable from /proc/meminfo, in bytes; 0 when unknown (then nothing is refused).
uint64_t available_memory_bytes();

// "" when the run fits in `available` bytes (0: unknown), else a sentence with both figures and
// what to lower.
std::string memory_refusal(const MemoryEstimate& estimate, uint64_t available, int64_t batch, int64_t context);

}  // namespace harmonia::train
