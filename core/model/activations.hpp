// The activation functions Hugging Face configs name (transformers' ACT2FN keys), so a checkpoint
// whose config says "quick_gelu" or "relu2" runs with the function it was trained with.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace harmonia::model {

// Every name activate() accepts, in the order error messages list them.
const std::vector<std::string>& supported_activations();

// Applies the named activation. Throws std::invalid_argument for a name not in
// supported_activations() (configs are checked on load, so models never reach that).
torch::Tensor activate(const torch::Tensor& x, const std::string& name);

}  // namespace harmonia::model
