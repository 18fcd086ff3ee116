#include "core/generate/add_part.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <tuple>

#include "core/compute/decode_pool.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "core/midi/gm_programs.hpp"

namespace harmonia::generate {

using tokenizer::TokenType;

namespace {

bool is_note_type(TokenType t) {
  return t == TokenType::Program || t == TokenType::Pitch || t == TokenType::PitchDrum || t == TokenType::Velocity ||
         t == TokenType::Duration;
}

bool is_pitch_type(TokenType t) { return t == TokenType::Pitch || t == TokenType::PitchDrum; }

// The model over a growing sequence: ids are queued and run in one forward when logits are
// next needed (the piece's forced tokens between two choices go through as one chunk). Past
// the context the cache is rebuilt from the head (BOS) and the most recent tokens, leaving a
// quarter of the context free, as Generator does.
class ModelStream {
 public:
  ModelStream(model::CausalLM& model, int32_t bos) : model_(model), cache_(model.make_cache()) {
    const int64_t c = model.config().max_position_embeddings;
    context_ = c > 0 ? c : std::numeric_limits<int64_t>::max() / 4;
    if (bos >= 0) {
      head_ = 1;
      queue(bos);
    }
  }
  void queue(int32_t id) {
    seen_.push_back(id);
    ++pending_;
  }
  const std::vector<float>& logits() {
    if (pending_ == 0 && !last_.empty()) return last_;
    const int64_t chunk_max = std::max<int64_t>(1, context_ / 4);
    while (pending_ > 0) {
      if (cache_.length() + 1 > context_) rebuild();
      if (pending_ == 0) break;
      const int64_t room = context_ - cache_.length();
      const int64_t n = std::min<int64_t>({int64_t(pending_), chunk_max, room});
      run(seen_.end() - int64_t(pending_), seen_.end() - int64_t(pending_) + n);
      pending_ -= size_t(n);
    }
    return last_;
  }

 private:
  void run(std::vector<int32_t>::const_iterator from, std::vector<int32_t>::const_iterator to) {
    std::vector<int64_t> ids(from, to);
    const auto input = torch::from_blob(ids.data(), {1, int64_t(ids.size())}, torch::kLong).clone();
    const auto out = model_.forward(input, {}, &cache_);
    const auto row = out[0][int64_t(ids.size()) - 1].to(torch::kFloat).contiguous();
    last_.assign(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
  }
  // Window: the head plus the most recent tokens already run, the pending ones still queued.
  void rebuild() {
    cache_.clear();
    const size_t done = seen_.size() - pending_;
    const int64_t tail = std::max<int64_t>(1, context_ - int64_t(head_) - context_ / 4);
    std::vector<int32_t> window(seen_.begin(), seen_.begin() + int64_t(head_));
    const size_t from = std::max(head_, done > size_t(tail) ? done - size_t(tail) : size_t(0));
    window.insert(window.end(), seen_.begin() + int64_t(from), seen_.begin() + int64_t(done));
    if (window.empty()) return;
    run(window.begin(), window.end());
  }

  model::CausalLM& model_;
  model::KVCache cache_;
  int64_t context_;
  size_t head_ = 0;
  std::vector<int32_t> seen_;
  size_t pending_ = 0;
  std::vector<float> last_;
};

// One id among `choices` from the model's scores: softmax at `temperature` over the choices
// only (what the grammar and the scheme leave), nucleus `top_p` when < 1.
int32_t choose(const std::vector<float>& logits, const std::vector<int32_t>& choices, float temperature, float top_p,
               std::mt19937_64& rng) {
  if (choices.size() == 1) return choices.front();
  if (temperature <= 0) {
    return *std::max_element(choices.begin(), choices.end(),
                             [&](int32_t a, int32_t b) { return logits[size_t(a)] < logits[size_t(b)]; });
  }
  std::vector<double> p(choices.size());
  double top = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < choices.size(); ++i) top = std::max(top, double(logits[size_t(choices[i])]) / temperature);
  double sum = 0;
  for (size_t i = 0; i < choices.size(); ++i) sum += p[i] = std::exp(double(logits[size_t(choices[i])]) / temperature - top);
  std::vector<size_t> order(choices.size());
  std::iota(order.begin(), order.end(), size_t(0));
  if (top_p < 1.0f) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    double kept = 0;
    size_t n = 0;
    while (n < order.size() && kept < top_p * sum) kept += p[order[n++]];
    order.resize(std::max<size_t>(n, 1));
    sum = kept > 0 ? kept : p[order.front()];
  }
  double r = std::uniform_real_distribution<double>(0.0, sum)(rng);
  for (size_t i : order) {
    if (r < p[i]) return choices[i];
    r -= p[i];
  }
  return choices[order.back()];
}

int free_channel(const midi::Score& piece) {
  std::set<int> used;
  for (const auto& t : piece.tracks) used.insert(t.channel);
  for (int c = 0; c < 16; ++c)
    if (c != 9 && !used.count(c)) return c;
  return -1;  // the writer picks one
}

}  // namespace

void check_add_part_tokenizer(const tokenizer::Tokenizer& tok, int program) {
  if (program < -1 || program > 127)
    throw AddPartError("add a part: program " + std::to_string(program) + " is not a General MIDI program (0..127, -1 for drums)");
  if (tok.name() != "REMI")
    throw AddPartError("add a part needs a REMI tokenizer with Programs; this model's tokenizer is " + tok.name() +
                       ". Train a model with REMI + Programs (one stream) to add parts");
  const auto& v = tok.vocab(0);
  if (!tok.config().use_programs || !v.has_type(TokenType::Program))
    throw AddPartError("add a part: this model's tokenizer has no Program tokens, so it cannot tell instruments apart. "
                       "Train a model whose tokenizer has Programs in one stream (the Tokenizer page's REMI with Programs)");
  if (!tok.one_token_stream())
    throw AddPartError("add a part: this model's tokenizer keeps each program in its own stream; the part must be "
                       "generated inside the others' stream. Train with Programs in one stream");
  if (tok.is_trained())
    throw AddPartError("add a part: tokenizers with a learned vocabulary (BPE, Unigram, WordPiece) are not supported "
                       "yet; use a model trained on plain REMI tokens");
  if (v.id(TokenType::Program, program) < 0)
    throw AddPartError("add a part: the tokenizer has no token for program " + std::to_string(program) + " (" +
                       midi::gm_program_name(program) + ")");
}

AddPartResult add_part(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                       const AddPartSettings& s) {
  const auto start = std::chrono::steady_clock::now();
  check_add_part_tokenizer(tok, s.program);
  if (piece.note_count() == 0) throw AddPartError("add a part: the piece has no notes to add a part to");
  c10::InferenceMode inference;
  compute::DecodeThreadsScope decode_threads(model.num_parameters() * int64_t(sizeof(float)));
  model.eval();

  const auto& v = tok.vocab(0);
  const auto encoding = tok.encode(piece);
  const std::vector<int32_t> forced = encoding.sequences.empty() ? std::vector<int32_t>{} : encoding.sequences[0].ids;
  const int32_t program_id = v.id(TokenType::Program, s.program);
  const int32_t eos = v.id("EOS_None"), bar = v.id(TokenType::Bar, -1);
  std::vector<int32_t> position_ids;  // by value
  for (size_t id = 0; id < v.size(); ++id)
    if (v.kind(int(id)).type == TokenType::Position) position_ids.push_back(int32_t(id));

  GrammarConstraint grammar(tok);
  ModelStream stream(model, v.id("BOS_None"));
  std::mt19937_64 rng(s.seed * 0x9E3779B97F4A7C15ull + uint64_t(s.program + 1));
  AddPartResult r;
  std::vector<int32_t> skeleton;  // the piece's time tokens and the new notes: decodes to the new part alone
  std::vector<uint8_t> allowed;
  auto push = [&](int32_t id, bool sampled) {
    grammar.accept(id);
    stream.queue(id);
    r.ids.push_back(id);
    r.inserted.push_back(sampled);
    if (sampled || !is_note_type(v.kind(id).type)) skeleton.push_back(id);
    ++(sampled ? r.sampled_tokens : r.forced_tokens);
  };
  // The part's pitch type: the grammar lets PitchDrum follow any Program, but the decoder
  // files a PitchDrum note under drums, whatever the program said.
  const TokenType part_pitch =
      s.program < 0 && v.has_type(TokenType::PitchDrum) ? TokenType::PitchDrum : TokenType::Pitch;
  // Pitch, Velocity, Duration of a new note after its Program token, as the grammar asks.
  auto sample_note_body = [&] {
    while (grammar.complete_length() < grammar.length()) {
      grammar.allowed(allowed);
      std::vector<int32_t> choices;
      bool pitch = false;
      for (size_t id = 0; id < allowed.size(); ++id) {
        const auto t = v.kind(int(id)).type;
        if (allowed[id] && is_note_type(t) && t != TokenType::Program && (!is_pitch_type(t) || t == part_pitch)) {
          choices.push_back(int32_t(id));
          pitch = pitch || is_pitch_type(t);
        }
      }
      if (choices.empty()) throw std::logic_error("add a part: the grammar allows no note token after a Program");
      push(choose(stream.logits(), choices, s.temperature, pitch ? s.top_p : 1.0f, rng), true);
    }
  };

  const bool ranged = s.bars > 0;
  int64_t bar_index = -1;  // the bar being walked (0-based)
  auto in_range = [&] { return !ranged || (bar_index >= s.first_bar && bar_index < s.first_bar + s.bars); };
  if (ranged) {
    const int64_t piece_bars = std::count(forced.begin(), forced.end(), bar);
    if (s.first_bar < 0 || s.first_bar + s.bars > piece_bars)
      throw AddPartError("bars " + std::to_string(s.first_bar + 1) + "-" + std::to_string(s.first_bar + s.bars) +
                         " are outside the piece, which has " + std::to_string(piece_bars) + " bar" +
                         (piece_bars == 1 ? "" : "s"));
  }
  bool in_bar = false;
  int position = -1, new_onset_notes = 0;
  // Before the piece's next token `next` (-1: the end): the new part's notes at the current
  // position, or at positions of its own before the next one, until the model picks `next`.
  auto insert_before = [&](int32_t next) {
    const auto next_kind = next >= 0 ? v.kind(next) : tokenizer::TokenKind{TokenType::Special, 0};
    const int limit = next_kind.type == TokenType::Position ? next_kind.value : std::numeric_limits<int>::max();
    const int32_t move_on = next >= 0 ? next : (eos >= 0 ? eos : bar);  // at the end: the model's wish to stop
    while (!(s.cancel && s.cancel->load())) {
      grammar.allowed(allowed);
      std::vector<int32_t> choices{move_on};
      if (position >= 0 && new_onset_notes < s.max_notes_per_onset && allowed[size_t(program_id)])
        choices.push_back(program_id);
      for (int32_t p : position_ids) {
        const int value = v.kind(p).value;
        if (allowed[size_t(p)] && value > position && value < limit) choices.push_back(p);
      }
      if (choices.size() == 1) return;
      const int32_t pick = choose(stream.logits(), choices, s.temperature, 1.0f, rng);
      if (pick == move_on) return;
      if (pick != program_id) {  // a new onset of the part's own: a note must follow
        push(pick, true);
        position = v.kind(pick).value;
        new_onset_notes = 0;
      }
      push(program_id, true);
      sample_note_body();
      ++new_onset_notes;
    }
  };

  for (size_t i = 0; i <= forced.size(); ++i) {
    if (s.cancel && s.cancel->load()) break;
    const int32_t next = i < forced.size() ? forced[i] : -1;
    const TokenType type = next >= 0 ? v.kind(next).type : TokenType::Special;
    if (in_bar && in_range() && (type == TokenType::Bar || type == TokenType::Position || type == TokenType::Special))
      insert_before(next);
    if (next < 0) break;
    // Past the bars: nothing more to write, and what follows changes nothing already written.
    if (ranged && type == TokenType::Bar && bar_index + 1 >= s.first_bar + s.bars) break;
    push(next, false);
    if (type == TokenType::Bar) {
      ++bar_index;
      in_bar = true;
      position = -1;
      new_onset_notes = 0;
    } else if (type == TokenType::Position) {
      position = v.kind(next).value;
      new_onset_notes = 0;
    }
    if (s.on_progress && (i & 63) == 0) s.on_progress(double(i) / double(std::max<size_t>(forced.size(), 1)));
  }

  r.score = piece;
  r.cancelled = s.cancel && s.cancel->load();
  if (!r.cancelled) {
    const midi::Score part = tok.decode({tokenizer::TokSequence{1, skeleton}});
    const double scale = double(piece.ticks_per_quarter) / double(std::max(1, part.ticks_per_quarter));
    for (const auto& t : part.tracks)
      for (const auto& n : t.notes)
        r.added.push_back({midi::Tick(std::llround(double(n.time) * scale)),
                           std::max<midi::Tick>(1, midi::Tick(std::llround(double(n.duration) * scale))), n.pitch,
                           n.velocity});
    std::sort(r.added.begin(), r.added.end(), [](const midi::Note& a, const midi::Note& b) {
      return std::tie(a.time, a.pitch, a.duration, a.velocity) < std::tie(b.time, b.pitch, b.duration, b.velocity);
    });
    midi::Track track;
    track.name = "Added part: " + midi::gm_program_name(s.program);
    track.is_drum = s.program < 0;
    track.program = std::max(0, s.program);
    track.channel = track.is_drum ? 9 : free_channel(piece);
    track.notes = r.added;
    r.score.tracks.push_back(std::move(track));
  }
  if (s.on_progress) s.on_progress(1.0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

midi::Tick bar_start_tick(const midi::Score& score, int64_t bar) {
  const midi::Tick tpq = score.ticks_per_quarter > 0 ? score.ticks_per_quarter : 480;
  midi::Tick t = 0;
  int numerator = 4, denominator = 4;
  size_t next = 0;
  for (int64_t b = 0; b < bar; ++b) {
    while (next < score.time_signatures.size() && score.time_signatures[next].time <= t) {
      numerator = score.time_signatures[next].numerator;
      denominator = std::max(1, score.time_signatures[next].denominator);
      ++next;
    }
    t += std::max<midi::Tick>(1, tpq * 4 * numerator / denominator);
  }
  return t;
}

AddPartResult regenerate_part(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                              int64_t first_bar, int64_t bars, const AddPartSettings& settings) {
  if (bars < 1) throw AddPartError("ask for at least one bar to regenerate");
  check_add_part_tokenizer(tok, settings.program);
  const midi::Tick begin = bar_start_tick(piece, first_bar), end = bar_start_tick(piece, first_bar + bars);
  const bool drums = settings.program < 0;
  auto is_part = [&](const midi::Track& t) { return t.is_drum == drums && (drums || t.program == settings.program); };
  midi::Score rest = piece;  // the piece without the part's notes in the bars
  int part_track = -1;
  for (size_t i = 0; i < rest.tracks.size(); ++i) {
    if (!is_part(rest.tracks[i])) continue;
    if (part_track < 0) part_track = int(i);
    auto& notes = rest.tracks[i].notes;
    notes.erase(std::remove_if(notes.begin(), notes.end(), [&](const midi::Note& n) { return n.time >= begin && n.time < end; }),
                notes.end());
  }
  if (rest.note_count() == 0)
    throw AddPartError("regenerate: nothing is left to hear once the bars' notes of " + midi::gm_program_name(settings.program) +
                       " are taken out");
  AddPartSettings s = settings;
  s.first_bar = first_bar;
  s.bars = bars;
  AddPartResult r = add_part(model, tok, rest, s);
  if (r.cancelled) {
    r.score = piece;
    return r;
  }
  // add_part appended the new notes as a track of their own: into the part's track instead,
  // after its notes before the bars, so a sorted track stays sorted.
  midi::Track added = std::move(r.score.tracks.back());
  r.score.tracks.pop_back();
  std::vector<midi::Note> fresh;
  for (const auto& n : added.notes)
    if (n.time >= begin && n.time < end) fresh.push_back(n);  // the walk writes nothing else
  r.added = fresh;
  if (part_track < 0) {
    added.notes = fresh;
    r.score.tracks.push_back(std::move(added));
  } else {
    auto& notes = r.score.tracks[size_t(part_track)].notes;
    const auto at = std::find_if(notes.begin(), notes.end(), [&](const midi::Note& n) { return n.time >= end; });
    notes.insert(at, fresh.begin(), fresh.end());
  }
  return r;
}

}  // namespace harmonia::generate
