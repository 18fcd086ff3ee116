// Torch side of the training page. No Qt header may be included here.
#include "ui/training_backend.hpp"

#include <stdexcept>

#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"

namespace harmonia::ui {

const std::vector<std::string>& model_presets() { return model::preset_names(); }
const std::vector<std::string>& model_architectures() { return model::supported_model_types(); }

int64_t parameter_count(const std::string& preset, const std::string& architecture, int64_t vocab_size) {
  const auto config = model::preset_config(preset, architecture, vocab_size);
  return model::create_model(config)->num_parameters();
}

bool training_available() { return false; }

std::string training_unavailable_reason() {
  return "Training is not available in this build: core/train has no trainer yet.";
}

struct TrainingSession::Impl {
  TrainingSpec spec;
  std::function<void(const TrainingUpdate&)> on_update;
};

TrainingSession::TrainingSession(TrainingSpec spec, std::function<void(const TrainingUpdate&)> on_update)
    : impl_(std::make_unique<Impl>(Impl{std::move(spec), std::move(on_update)})) {}
TrainingSession::~TrainingSession() = default;

void TrainingSession::start() { throw std::runtime_error(training_unavailable_reason()); }
void TrainingSession::pause() {}
void TrainingSession::resume() {}
void TrainingSession::cancel() {}
bool TrainingSession::finished() const { return true; }

}  // namespace harmonia::ui
