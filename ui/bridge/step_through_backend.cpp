// Torch side of the step-through panel: a StepThrough over the Generate page's cached model,
// its distributions cut to a chart's top candidates, its tokens decoded for the piano roll and
// linked to their notes for the chips. No Qt header may be included here.
#include "ui/bridge/step_through_backend.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/generate/prompt.hpp"
#include "core/generate/step_through.hpp"

namespace harmonia::ui {

namespace gen = harmonia::generate;

struct StepThroughSession::Loaded {
  gen::ModelBundle bundle;
  gen::GenerationSettings settings;
  midi::Tick prompt_end = 0;
};

namespace {

midi::Tick last_note_end(const midi::Score& s) {
  midi::Tick end = 0;
  for (const auto& t : s.tracks)
    for (const auto& n : t.notes) end = std::max(end, n.end());
  return end;
}

}  // namespace

StepThroughSession::StepThroughSession(const GenerationSpec& spec, int top_n)
    : loaded_(std::make_unique<Loaded>()), top_n_(std::max(1, top_n)) {
  if (spec.model_dir.empty()) throw std::runtime_error("no model: train one on the Model & Training page first");
  try {
    loaded_->bundle = load_model_cached(spec.model_dir);
    loaded_->settings = generation_settings(spec.sampling, loaded_->bundle.music);
    const auto& tok = *loaded_->bundle.tokenizer;
    const bool has_prompt = spec.prompt.note_count() > 0;
    const std::vector<int32_t> prompt = has_prompt ? gen::prompt_tokens(tok, spec.prompt) : std::vector<int32_t>{};
    loaded_->prompt_end = last_note_end(gen::to_score(tok, prompt));
    stepper_ = std::make_unique<gen::StepThrough>(loaded_->bundle.model, loaded_->bundle.tokenizer, prompt,
                                                  loaded_->settings);
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
}

StepThroughSession::~StepThroughSession() = default;

std::string StepThroughSession::token_text(int32_t id) const {
  const auto& tok = *loaded_->bundle.tokenizer;
  if (id < 0) return "(nothing allowed)";
  if (tok.is_trained()) {
    std::string text;
    for (int32_t b : tok.subword()->base_ids(id)) {
      if (!text.empty()) text += " · ";
      text += tok.vocab().valid(b) ? tok.vocab().text(b) : "?";
    }
    return text.empty() ? "#" + std::to_string(id) : text;
  }
  return tok.vocab().valid(id) ? tok.vocab().text(id) : "#" + std::to_string(id);
}

// The chart's candidates: the most likely tokens after processing (what can be drawn), then,
// while there is room, the ones the model liked most that processing removed; the drawn token
// always in. Ordered by processed then raw probability.
std::vector<StepCandidate> StepThroughSession::chart(const std::vector<double>& raw,
                                                     const std::vector<double>& processed) const {
  std::vector<int32_t> ids(raw.size());
  std::iota(ids.begin(), ids.end(), 0);
  auto before = [&](int32_t a, int32_t b) {
    if (processed[size_t(a)] != processed[size_t(b)]) return processed[size_t(a)] > processed[size_t(b)];
    return raw[size_t(a)] > raw[size_t(b)];
  };
  const size_t n = std::min(ids.size(), size_t(top_n_));
  std::partial_sort(ids.begin(), ids.begin() + long(n), ids.end(), before);
  ids.resize(n);
  const int32_t drawn = stepper_->current().drawn;
  if (drawn >= 0 && std::find(ids.begin(), ids.end(), drawn) == ids.end() && !ids.empty()) ids.back() = drawn;
  std::sort(ids.begin(), ids.end(), before);
  std::vector<StepCandidate> out;
  for (int32_t id : ids)
    out.push_back({id, token_text(id), raw[size_t(id)], processed[size_t(id)], id == drawn});
  return out;
}

StepThroughState StepThroughSession::state(bool link_notes) const {
  const auto& tok = *loaded_->bundle.tokenizer;
  const auto& d = stepper_->current();
  StepThroughState s;
  s.step = d.step;
  s.finished = stepper_->finished();
  s.stop_reason = stepper_->stop_reason();
  s.forward_passes = stepper_->forward_passes();
  s.draws = stepper_->draws();
  if (d.step >= 0) {
    s.drawn = token_text(d.drawn);
    if (d.drawn >= 0) {
      s.drawn_raw = d.raw[size_t(d.drawn)];
      s.drawn_processed = d.processed[size_t(d.drawn)];
    }
    s.candidates = chart(d.raw, d.processed);
    s.processed = d.processed;
  }
  const std::vector<int32_t>& ids = stepper_->sequence();
  s.score = gen::to_score(tok, ids);
  s.prompt_end = loaded_->prompt_end;
  const size_t first = stepper_->prompt_length();
  for (size_t i = first; i < ids.size(); ++i) {
    SteppedToken t;
    t.text = token_text(ids[i]);
    if (tok.is_trained() && tok.subword()->base_ids(ids[i]).size() > 1)
      for (int32_t b : tok.subword()->base_ids(ids[i])) t.parts.push_back(tok.vocab().valid(b) ? tok.vocab().text(b) : "?");
    s.tokens.push_back(std::move(t));
  }
  if (link_notes && !s.tokens.empty()) {
    // Notes per base step of the whole sequence, then gathered per model id (a learned id
    // spans several base steps).
    tokenizer::TokSequence seq;
    seq.ids = ids;
    const tokenizer::TokSequence base = tok.is_trained() ? tok.decode_ids(seq) : seq;
    const auto links = link_steps_to_notes(tok, base, 0, false, s.score, base.ids.size());
    size_t base_step = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      const size_t span = tok.is_trained() ? std::max<size_t>(1, tok.subword()->base_ids(ids[i]).size()) : 1;
      for (size_t k = base_step; k < base_step + span && k < links.size(); ++k)
        if (i >= first)
          for (const auto& ref : links[k]) {
            auto& notes = s.tokens[i - first].notes;
            if (std::find(notes.begin(), notes.end(), ref) == notes.end()) notes.push_back(ref);
          }
      base_step += span;
    }
  }
  return s;
}

StepThroughState StepThroughSession::step(bool link_notes) {
  stepper_->step();
  return state(link_notes);
}

StepThroughState StepThroughSession::step_bar(bool link_notes) {
  stepper_->step_bar();
  return state(link_notes);
}

StepThroughState StepThroughSession::resample(const SamplingSettings& sampling) {
  const gen::GenerationSettings settings = generation_settings(sampling, loaded_->bundle.music);
  // The key and the length too: a key picked on a step re-draws it like a slider does.
  stepper_->retune(settings);
  const auto& d = stepper_->current();
  StepThroughState s;
  s.step = d.step;
  s.finished = stepper_->finished();
  s.stop_reason = stepper_->stop_reason();
  if (d.step >= 0) {
    s.processed = stepper_->reprocess(settings.sampling);
    s.candidates = chart(d.raw, s.processed);
    s.drawn = token_text(d.drawn);
    if (d.drawn >= 0) {
      s.drawn_raw = d.raw[size_t(d.drawn)];
      s.drawn_processed = s.processed[size_t(d.drawn)];
    }
  }
  s.forward_passes = stepper_->forward_passes();
  s.draws = stepper_->draws();
  return s;
}

}  // namespace harmonia::ui
