#include "ui/bridge/take_backend.hpp"

#include <cmath>
#include <memory>

#include "core/generate/model_bundle.hpp"
#include "core/generate/prompt.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {
namespace {

std::unique_ptr<tokenizer::Tokenizer> load_tokenizer(const std::string& model_dir, std::string& where) {
  if (model_dir.empty()) {
    where = "plain REMI";
    return tokenizer::Tokenizer::create("REMI");
  }
  const auto paths = generate::locate_model(model_dir);
  where = "the model's " + paths.tokenizer_json.string();
  return tokenizer::Tokenizer::load(paths.tokenizer_json.string());
}

}  // namespace

std::vector<int32_t> prompt_ids_for(const midi::Score& score, const std::string& model_dir, std::string* error) {
  try {
    std::string where;
    const auto tok = load_tokenizer(model_dir, where);
    return generate::prompt_tokens(*tok, score);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return {};
  }
}

QuantizedTake quantize_take(const midi::Score& take, const std::string& model_dir) {
  QuantizedTake q;
  try {
    std::string where;
    const auto tok = load_tokenizer(model_dir, where);
    q.ids = generate::prompt_tokens(*tok, take);
    midi::Score grid = tok->decode({tokenizer::TokSequence{tok->num_fields(), q.ids}});
    generate::carry_prompt_context(take, *tok, grid);  // the recording's tempo when the tokens carry none
    // Back at the take's resolution: the grid's ticks are whole multiples of the take's.
    const double scale = double(take.ticks_per_quarter) / double(std::max(1, grid.ticks_per_quarter));
    auto at = [scale](midi::Tick t) { return midi::Tick(std::llround(double(t) * scale)); };
    for (auto& t : grid.tracks) {
      for (auto& n : t.notes) n = {at(n.time), std::max<midi::Tick>(1, at(n.duration)), n.pitch, n.velocity};
      for (auto& c : t.controls) c.time = at(c.time);
      for (auto& p : t.pedals) p = {at(p.time), at(p.duration)};
      for (auto& b : t.pitch_bends) b.time = at(b.time);
      if (t.name.empty()) t.name = "Recorded";
    }
    for (auto& e : grid.tempos) e.time = at(e.time);
    for (auto& e : grid.time_signatures) e.time = at(e.time);
    for (auto& e : grid.key_signatures) e.time = at(e.time);
    grid.ticks_per_quarter = take.ticks_per_quarter;
    grid.sort_events();
    q.score = std::move(grid);
    const int per_beat = tok->tables().max_pos_per_beat;
    q.tokenizer = tok->name() + ", " + std::to_string(per_beat) + " positions a beat (" + where + ")";
  } catch (const std::exception& e) {
    q.error = e.what();
  }
  return q;
}

}  // namespace harmonia::ui
