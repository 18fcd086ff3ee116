// Torch side of the Generate page: loads the model bundle, runs core/generate's Generator on
// the calling (worker) thread and turns tokens into notes while they arrive. No Qt header may
// be included here (Qt's keyword macros break LibTorch's headers).
#include "ui/bridge/generation_backend.hpp"

#include <algorithm>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_controls.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/prompt.hpp"

namespace harmonia::ui {

namespace gen = harmonia::generate;
namespace fs = std::filesystem;

namespace {

// Loading a model costs far more than generating a short clip or drawing an attention map:
// every page keeps the models it used recently (the Inside the model page shows up to three
// side by side), each while its weights file is unchanged (a run folder gets a new model/ when
// training ends, and a checkpoint that training rewrites is read again). Least recently used
// goes first.
gen::ModelBundle load_cached(const std::string& dir) {
  constexpr size_t kModelsKept = 3;
  struct Entry {
    std::string key;
    fs::file_time_type time;
    gen::ModelBundle bundle;
  };
  static std::mutex mutex;
  static std::list<Entry> recent;  // most recently used first
  const auto paths = gen::locate_model(dir);
  // The folder asked for and the model folder it led to: a checkpoint and its run share the
  // weights but not always the tokenizer.
  const std::string key = dir + '\n' + paths.model_dir.string();
  const auto time = fs::last_write_time(paths.model_dir / "model.safetensors");
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = recent.begin(); it != recent.end(); ++it)
    if (it->key == key) {
      if (it->time == time) {
        recent.splice(recent.begin(), recent, it);
        return it->bundle;
      }
      recent.erase(it);
      break;
    }
  auto bundle = gen::load_bundle(dir);
  bundle.model->eval();
  recent.push_front({key, time, bundle});
  if (recent.size() > kModelsKept) recent.pop_back();
  return bundle;
}

using NoteKey = std::tuple<int, bool, midi::Tick, midi::Tick, int, int>;  // program, drum, time, dur, pitch, vel
using NoteCounts = std::map<NoteKey, int>;
using TrackKey = std::pair<int, bool>;

NoteKey key_of(const midi::Track& t, const midi::Note& n) {
  return {t.program, t.is_drum, n.time, n.duration, n.pitch, n.velocity};
}

NoteCounts count_notes(const midi::Score& s) {
  NoteCounts c;
  for (const auto& t : s.tracks)
    for (const auto& n : t.notes) ++c[key_of(t, n)];
  return c;
}

// Calls fn(track, note) for each note of `decoded` beyond those counted in `known` (a
// multiset of note keys, taken by value and used up).
template <class Fn>
void for_each_note_not_in(const midi::Score& decoded, NoteCounts known, Fn fn) {
  for (const auto& track : decoded.tracks)
    for (const auto& n : track.notes) {
      auto it = known.find(key_of(track, n));
      if (it != known.end() && it->second > 0) {
        --it->second;
        continue;
      }
      fn(track, n);
    }
}

// One candidate's tokens decoded again every few steps (and at each bar): the notes the
// decode has that were neither in the prompt nor already shown are the new ones. Decoding
// the whole sequence keeps times right (REMI positions are relative to bars). Compound
// models (CPWord, Octuple) append one step of `fields` ids at a time, flat, as to_score
// reads them.
class CandidateStream {
 public:
  CandidateStream(int candidate, const std::vector<int32_t>& prompt_ids, NoteCounts prompt_notes,
                  size_t first_new_track, double tick_scale)
      : candidate_(candidate),
        ids_(prompt_ids),
        accounted_(std::move(prompt_notes)),
        first_new_track_(first_new_track),
        tick_scale_(tick_scale) {}

  // Each decode reads the whole sequence, so decoding every few steps would cost the square
  // of the length. The interval grows with the length instead: at a bar line once 1/64 of
  // the steps are new, and in any case once 1/32 are (at least every 8 steps). Each decode
  // then adds at least 1/64 to the length, and the decoding work stays linear in it:
  // short clips still update every bar, long continuations every few bars.
  void add(const std::vector<int32_t>& step, bool at_bar, const gen::Generator& g,
           const std::function<void(const StreamedNote&)>& on_note) {
    ids_.insert(ids_.end(), step.begin(), step.end());
    ++since_decode_;
    const size_t steps = ids_.size() / std::max<size_t>(1, step.size());
    const bool bar_due = at_bar && since_decode_ >= std::max<size_t>(1, steps / 64);
    if (bar_due || since_decode_ >= std::max<size_t>(kDecodeEvery, steps / 32)) flush(g, on_note);
  }

  void flush(const gen::Generator& g, const std::function<void(const StreamedNote&)>& on_note) {
    since_decode_ = 0;
    const midi::Score decoded = gen::to_score(g.tokenizer(), ids_);
    for_each_note_not_in(decoded, accounted_, [&](const midi::Track& track, const midi::Note& n) {
      ++accounted_[key_of(track, n)];
      emit(track, n, on_note);
    });
  }

  // The prompt followed by the new notes of the final token sequence (the generator's own,
  // trimmed at EOS), in the tracks the stream already showed them in.
  midi::Score result(const gen::Generator& g, const std::vector<int32_t>& final_ids, const midi::Score& base,
                     const NoteCounts& prompt_notes) {
    std::vector<midi::Track> tracks = new_tracks_;
    for (auto& t : tracks) t.notes.clear();
    const midi::Score decoded = gen::to_score(g.tokenizer(), final_ids);
    for_each_note_not_in(decoded, prompt_notes, [&](const midi::Track& track, const midi::Note& n) {
      const size_t i = track_for(track, tracks) - first_new_track_;
      tracks[i].notes.push_back(scaled(n));
    });
    midi::Score out = base;
    if (out.note_count() == 0) {  // no prompt: tempo and metre come from the tokens
      out.tempos.clear();
      out.time_signatures.clear();
      for (auto t : decoded.tempos) {
        t.time = scaled_tick(t.time);
        out.tempos.push_back(t);
      }
      for (auto t : decoded.time_signatures) {
        t.time = scaled_tick(t.time);
        out.time_signatures.push_back(t);
      }
    }
    for (auto& t : tracks) {
      if (t.notes.empty()) continue;
      std::sort(t.notes.begin(), t.notes.end(), [](const midi::Note& a, const midi::Note& b) {
        return std::tie(a.time, a.pitch, a.duration, a.velocity) < std::tie(b.time, b.pitch, b.duration, b.velocity);
      });
      out.tracks.push_back(std::move(t));
    }
    return out;
  }

 private:
  static constexpr size_t kDecodeEvery = 8;

  // Index (in the result score) of the track for notes of `from`'s program; made on first use.
  size_t track_for(const midi::Track& from, std::vector<midi::Track>& tracks) {
    const TrackKey key{from.program, from.is_drum};
    auto it = track_index_.find(key);
    if (it == track_index_.end()) {
      midi::Track t;
      t.name = from.is_drum ? "Generated drums" : "Generated";
      t.program = from.program;
      t.is_drum = from.is_drum;
      t.channel = from.channel;
      new_tracks_.push_back(t);
      if (&tracks != &new_tracks_) tracks.push_back(std::move(t));
      it = track_index_.emplace(key, first_new_track_ + new_tracks_.size() - 1).first;
    }
    return it->second;
  }

  midi::Tick scaled_tick(midi::Tick t) const { return midi::Tick(double(t) * tick_scale_ + 0.5); }
  midi::Note scaled(midi::Note n) const {
    const midi::Tick end = scaled_tick(n.end());
    n.time = scaled_tick(n.time);
    n.duration = std::max<midi::Tick>(0, end - n.time);
    return n;
  }

  void emit(const midi::Track& from, const midi::Note& decoded, const std::function<void(const StreamedNote&)>& on_note) {
    const size_t index = track_for(from, new_tracks_);
    const midi::Note n = scaled(decoded);
    new_tracks_[index - first_new_track_].notes.push_back(n);
    if (on_note) on_note({candidate_, int(index), n});
  }

  int candidate_;
  std::vector<int32_t> ids_;
  NoteCounts accounted_;
  size_t first_new_track_;
  double tick_scale_;
  size_t since_decode_ = 0;
  std::map<TrackKey, size_t> track_index_;
  std::vector<midi::Track> new_tracks_;
};

void check_length(const SamplingSettings& ui) {
  if (ui.bars < 1)
    throw std::invalid_argument("a piece needs a length of at least one bar: set Length (bars) to 1 or more");
}

}  // namespace

gen::ModelBundle load_model_cached(const std::string& dir) { return load_cached(dir); }

gen::GenerationSettings generation_settings(const SamplingSettings& ui, const gen::MusicDefaults& learned) {
  check_length(ui);
  // The piece first (length, stops, empty-bar limit, instruments), then what the user set.
  gen::GenerationSettings s = gen::piece_settings(ui.bars, ui.seed, learned);
  s.sampling.temperature = float(ui.temperature);
  s.sampling.top_k = ui.top_k;
  s.sampling.top_p = float(ui.top_p);
  s.sampling.repetition_penalty = float(ui.repetition_penalty);
  if (ui.max_new_tokens > 0) s.max_new_tokens = std::min<int64_t>(s.max_new_tokens, ui.max_new_tokens);
  s.num_candidates = std::max(1, ui.candidates);
  if (!ui.key.empty()) s.controls.key = gen::parse_scale(ui.key);
  return s;
}

StarterModel find_starter_model() {
  try {
    return {fs::absolute(gen::starter_model_dir()).lexically_normal().string(), {}};
  } catch (const gen::ModelBundleError& e) {
    return {{}, e.what()};
  }
}

std::string model_folder_problem(const std::string& dir) {
  try {
    gen::locate_model(dir);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool generation_available() { return true; }

std::string generation_unavailable_reason() { return {}; }

std::vector<midi::Score> run_generation(const GenerationSpec& spec,
                                        const std::function<void(const StreamedNote&)>& on_note,
                                        const std::atomic<bool>& cancel) {
  if (spec.model_dir.empty()) throw std::runtime_error("no model: train one on the Model & Training page first");
  check_length(spec.sampling);  // says what is wrong before loading anything
  const gen::ModelBundle bundle = load_cached(spec.model_dir);
  const auto& tok = *bundle.tokenizer;
  const gen::GenerationSettings s = generation_settings(spec.sampling, bundle.music);

  const bool has_prompt = spec.prompt.note_count() > 0;
  const std::vector<int32_t> prompt_ids = has_prompt ? gen::prompt_tokens(tok, spec.prompt) : std::vector<int32_t>{};
  // The prompt as the tokenizer sees it: its notes are not new, whatever their quantisation.
  const midi::Score prompt_decoded = gen::to_score(tok, prompt_ids);
  // Everything is returned at the prompt's resolution (480 ticks per quarter for an empty
  // prompt), which is what the piano roll already shows while notes stream in.
  midi::Score base = spec.prompt;
  if (base.ticks_per_quarter <= 0) base.ticks_per_quarter = 480;
  const double tick_scale = double(base.ticks_per_quarter) / double(std::max(1, prompt_decoded.ticks_per_quarter));

  const NoteCounts prompt_notes = count_notes(prompt_decoded);
  gen::Generator generator(bundle.model, bundle.tokenizer);
  std::vector<CandidateStream> streams;
  for (int c = 0; c < s.num_candidates; ++c)
    streams.emplace_back(c, prompt_ids, prompt_notes, base.tracks.size(), tick_scale);
  // A new bar means the previous bar's notes are complete: show them now. REMI and CPWord
  // mark it with a Bar_None token (value -1); Octuple gives every step its bar number.
  std::vector<int> last_bar(streams.size(), -1);
  const auto starts_bar = [&](int candidate, const std::vector<int32_t>& step) {
    bool bar = false;
    for (size_t f = 0; f < step.size() && f < tok.num_fields(); ++f) {
      const auto& v = tok.vocab(f);
      if (!v.valid(step[f]) || v.kind(step[f]).type != tokenizer::TokenType::Bar) continue;
      const int value = v.kind(step[f]).value;
      if (value < 0 || value != last_bar[size_t(candidate)]) bar = true;
      last_bar[size_t(candidate)] = value;
    }
    return bar;
  };

  gen::GenerationCallbacks callbacks;
  callbacks.cancel = &cancel;
  callbacks.on_token = [&](const gen::TokenEvent& e) {
    if (e.candidate < 0 || size_t(e.candidate) >= streams.size()) return;
    const std::vector<int32_t> step = e.fields.empty() ? std::vector<int32_t>{e.id} : e.fields;
    streams[size_t(e.candidate)].add(step, starts_bar(e.candidate, step), generator, on_note);
  };
  const gen::GenerationResult result = generator.generate(prompt_ids, s, callbacks);
  if (result.cancelled || cancel.load()) return {};

  std::vector<midi::Score> out;
  for (size_t c = 0; c < streams.size(); ++c) {
    streams[c].flush(generator, on_note);  // the last few tokens' notes
    out.push_back(streams[c].result(generator, result.sequences.at(c), base, prompt_notes));
    gen::apply_music_defaults(bundle.music, out.back());  // the corpus' tempo when none came through
  }
  return out;
}

}  // namespace harmonia::ui
