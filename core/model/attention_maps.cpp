#include "core/model/attention_maps.hpp"

#include <stdexcept>

#include "core/model/attention.hpp"

namespace harmonia::model {

std::string attention_unavailable_reason(const ModelConfig& config) {
  if (config.model_type == "mamba")
    return "no attention (state-space model): Mamba carries what it has read in a running state instead of "
           "looking back at earlier tokens";
  return {};
}

AttentionMaps attention_maps(CausalLM& model, const torch::Tensor& ids) {
  AttentionMaps maps;
  const auto& config = model.config();
  maps.unavailable = attention_unavailable_reason(config);
  if (!maps.unavailable.empty()) return maps;
  const int64_t want_dims = config.compound.enabled() ? 2 : 1;
  if (ids.dim() != want_dims || ids.size(0) == 0)
    throw std::invalid_argument("attention_maps: expected a non-empty sequence of " +
                                std::string(want_dims == 2 ? "[T, fields]" : "[T]") + " ids");

  torch::NoGradGuard no_grad;
  // Dropout off while looking, as in generation; a model caught mid-training gets its mode back.
  struct EvalMode {
    CausalLM& model;
    bool was_training;
    ~EvalMode() { model.train(was_training); }
  } eval_mode{model, model.is_training()};
  model.eval();
  AttentionRecorder recorder;
  try {
    model.forward(ids.to(model.device(), torch::kLong).unsqueeze(0));
  } catch (const c10::Error& e) {  // too many positions, an id out of range: the model's own words
    throw std::invalid_argument(std::string("attention_maps: ") + e.what_without_backtrace());
  }

  const auto& calls = recorder.calls();
  if (static_cast<int64_t>(calls.size()) != config.num_hidden_layers)
    throw std::logic_error("attention_maps: " + std::to_string(calls.size()) + " attention calls recorded for " +
                           std::to_string(config.num_hidden_layers) + " layers");
  std::vector<torch::Tensor> layers;
  for (const auto& call : calls) layers.push_back(call.select(0, 0));  // [H, T, T] of the one sequence
  maps.probs = torch::stack(layers).to(torch::kCPU).contiguous();
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    const bool local = static_cast<size_t>(l) < config.attention_layers.size() && config.attention_layers[l] == "local";
    maps.window.push_back(local ? config.window_size : 0);
  }
  return maps;
}

}  // namespace harmonia::model
