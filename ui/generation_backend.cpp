// Until core/generate offers a sampling loop this build says so instead of faking music.
#include "ui/generation_backend.hpp"

#include <stdexcept>

namespace harmonia::ui {

bool generation_available() { return false; }

std::string generation_unavailable_reason() {
  return "Generation is not available in this build: core/generate has no sampling loop yet.";
}

std::vector<midi::Score> run_generation(const GenerationSpec&, const std::function<void(const StreamedNote&)>&,
                                        const std::atomic<bool>&) {
  throw std::runtime_error(generation_unavailable_reason());
}

}  // namespace harmonia::ui
