#include "ui/bridge/add_part_backend.hpp"

#include "core/generate/add_part.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

std::string add_part_problem(const std::string& model_dir) {
  if (model_dir.empty()) return "no model: choose one above";
  try {
    const auto paths = generate::locate_model(model_dir);
    const auto tok = tokenizer::Tokenizer::load(paths.tokenizer_json.string());
    generate::check_add_part_tokenizer(*tok, 0);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

AddPartOutcome run_add_part(const std::string& model_dir, const midi::Score& piece, int program, uint64_t seed,
                            const std::atomic<bool>& cancel, const std::function<void(double)>& progress) {
  AddPartOutcome out;
  try {
    const auto bundle = generate::load_bundle(model_dir);
    generate::AddPartSettings s;
    s.program = program;
    s.seed = seed;
    s.cancel = &cancel;
    s.on_progress = progress;
    auto r = generate::add_part(*bundle.model, *bundle.tokenizer, piece, s);
    out.cancelled = r.cancelled;
    out.added = r.added.size();
    out.score = std::move(r.score);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace harmonia::ui
