// Each activation as transformers defines it. Several names share one function: the tanh
// approximations (gelu_new, gelu_fast, gelu_accurate, gelu_pytorch_tanh) agree to about 1e-6,
// far below the 7.6e-4 that separates them from the erf GELU, so they use torch's tanh GELU.
#include "core/model/activations.hpp"

#include <cmath>
#include <stdexcept>

namespace harmonia::model {

const std::vector<std::string>& supported_activations() {
  static const std::vector<std::string> names = {
      "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate", "gelu", "gelu_python", "gelu_10", "quick_gelu",
      "relu",     "relu2",             "relu6",     "leaky_relu",    "silu", "swish",       "mish",    "tanh",
      "sigmoid",  "linear",            "laplace"};
  return names;
}

torch::Tensor activate(const torch::Tensor& x, const std::string& name) {
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast" || name == "gelu_accurate")
    return torch::gelu(x, "tanh");
  if (name == "gelu" || name == "gelu_python") return torch::gelu(x);
  if (name == "gelu_10") return torch::gelu(x).clamp(-10.0, 10.0);  // clipped for int8 quantisation
  if (name == "quick_gelu") return x * torch::sigmoid(1.702 * x);
  if (name == "relu") return torch::relu(x);
  if (name == "relu2") return torch::relu(x).square();  // Primer's squared ReLU
  if (name == "relu6") return x.clamp(0.0, 6.0);
  if (name == "leaky_relu") return torch::leaky_relu(x, 0.01);  // nn.LeakyReLU's default slope
  if (name == "silu" || name == "swish") return torch::silu(x);
  if (name == "mish") return x * torch::tanh(torch::softplus(x));
  if (name == "tanh") return torch::tanh(x);
  if (name == "sigmoid") return torch::sigmoid(x);
  if (name == "linear") return x;
  if (name == "laplace") {
    // MEGA's Laplace attention function: a Gaussian CDF with mu = sqrt(1/2), sigma = sqrt(1/(4 pi)).
    const double mu = 0.707107, sigma = 0.282095;
    return 0.5 * (1.0 + torch::erf((x - mu) / (sigma * std::sqrt(2.0))));
  }
  throw std::invalid_argument("unsupported activation \"" + name + "\"");
}

}  // namespace harmonia::model
