#include "core/generate/decoding_session.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "core/generate/compound_grammar.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "core/generate/subword_grammar.hpp"

namespace harmonia::generate {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// transformers' MinNewTokensLengthLogitsProcessor: EOS gets -inf until `min_new` new tokens exist.
class MinNewTokens final : public LogitsProcessor {
 public:
  MinNewTokens(int32_t eos, int64_t min_new, const int64_t* step) : eos_(eos), min_new_(min_new), step_(step) {}
  void apply(const torch::Tensor&, torch::Tensor& scores) const override {
    if (*step_ < min_new_) scores.select(1, eos_).fill_(kNegInf);
  }
  std::string name() const override { return "min_new_tokens(" + std::to_string(min_new_) + ")"; }

 private:
  int32_t eos_;
  int64_t min_new_;
  const int64_t* step_;
};

// EOS gets -inf in the rows that have not yet started `min_bars` new bars (length asked in bars).
class MinBars final : public LogitsProcessor {
 public:
  MinBars(int32_t eos, int64_t min_bars, const std::vector<int64_t>* bars) : eos_(eos), min_(min_bars), bars_(bars) {}
  void apply(const torch::Tensor&, torch::Tensor& scores) const override {
    for (size_t b = 0; b < bars_->size(); ++b)
      if ((*bars_)[b] < min_) scores[int64_t(b)][eos_] = kNegInf;
  }
  std::string name() const override { return "min_bars(" + std::to_string(min_) + ")"; }

 private:
  int32_t eos_;
  int64_t min_;
  const std::vector<int64_t>* bars_;
};

// The most likely token of a row of scores; -1 when every token is filtered (-inf).
int64_t best_of(const float* scores, int64_t v) {
  float best = kNegInf;
  int64_t best_id = -1;
  for (int64_t i = 0; i < v; ++i)
    if (scores[i] > best) best = scores[i], best_id = i;
  return best_id;
}

// Unnormalised softmax weights exp(score - best) into w; returns their sum. sample_row draws
// with these and sampling_distribution shows them, so the chart is what the draw uses.
double softmax_weights(const float* scores, int64_t v, float best, std::vector<double>& w) {
  double total = 0;
  w.resize(size_t(v));
  for (int64_t i = 0; i < v; ++i) total += (w[size_t(i)] = std::exp(double(scores[i]) - best));
  return total;
}


// The per-row grammar of either kind behind one interface: field by field, then the step.
class RowGrammar {
 public:
  RowGrammar(const tokenizer::Tokenizer& tok, GrammarOptions options, std::shared_ptr<const LearnedTrie> trie) {
    if (tok.is_compound()) compound_ = std::make_unique<CompoundGrammar>(tok, options.max_empty_bars);
    else if (tok.is_trained()) learned_ = std::make_unique<SubwordGrammar>(tok, options, std::move(trie));
    else single_ = std::make_unique<GrammarConstraint>(tok, options);
  }
  void allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const {
    if (compound_) compound_->allowed(field, step, out);
    else if (learned_) learned_->allowed(out);
    else single_->allowed(out);
  }
  void accept(const int32_t* step) {
    if (compound_) compound_->accept(step);
    else if (learned_) learned_->accept(step[0]);
    else single_->accept(step[0]);
  }
  // Ids (flat) after which the sequence may stop without leaving an unfinished note.
  size_t complete_ids(size_t fields) const {
    return compound_ ? compound_->steps() * fields : learned_ ? learned_->complete_length() : single_->complete_length();
  }

 private:
  std::unique_ptr<GrammarConstraint> single_;
  std::unique_ptr<SubwordGrammar> learned_;
  std::unique_ptr<CompoundGrammar> compound_;
};

// Trained tokenizers: how many Bar tokens each learned id stands for (bars are counted in
// base tokens whatever the model's ids are).
std::vector<int> bars_per_learned_id(const tokenizer::Tokenizer& tok) {
  std::vector<int> out(tok.model_vocab_size(), 0);
  for (size_t id = 0; id < out.size(); ++id)
    for (int32_t b : tok.subword()->base_ids(int32_t(id)))
      out[id] += tok.vocab().valid(b) && tok.vocab().kind(b).type == tokenizer::TokenType::Bar;
  return out;
}

// Sampling order of a step's fields: the compound grammar's (fields a choice depends on
// first), else field order.
std::vector<size_t> field_order(const tokenizer::Tokenizer& tok) {
  if (tok.is_compound()) return CompoundGrammar(tok).field_order();
  return {0};
}

}  // namespace

std::vector<double> sampling_distribution(const float* scores, int64_t vocab, bool greedy) {
  std::vector<double> p(size_t(std::max<int64_t>(vocab, 0)), 0.0);
  const int64_t best_id = best_of(scores, vocab);
  if (best_id < 0) return p;
  if (greedy) {
    p[size_t(best_id)] = 1.0;
    return p;
  }
  const double total = softmax_weights(scores, vocab, scores[best_id], p);
  for (double& x : p) x /= total;
  return p;
}

int32_t sample_row(const float* scores, int64_t v, std::mt19937_64& rng, bool greedy) {
  const int64_t best_id = best_of(scores, v);
  if (best_id < 0) return -1;  // everything filtered
  if (greedy) return int32_t(best_id);
  thread_local std::vector<double> w;
  const double total = softmax_weights(scores, v, scores[best_id], w);
  const double u = std::uniform_real_distribution<double>(0.0, total)(rng);
  double acc = 0;
  for (int64_t i = 0; i < v; ++i) {
    acc += w[size_t(i)];
    if (u < acc && w[size_t(i)] > 0) return int32_t(i);
  }
  return int32_t(best_id);
}

struct DecodingSession::State {
  using clock = std::chrono::steady_clock;
  clock::time_point start;
  model::CausalLM* model = nullptr;
  const tokenizer::Tokenizer* tok = nullptr;
  GenerationSettings settings;
  std::vector<int32_t> prompt;
  bool compound = false, octuple = false, learned = false, greedy = false;
  size_t F = 1;
  int64_t B = 1;
  // Field f's logits are columns [offset[f], offset[f] + width[f]) of the model's output.
  std::vector<int64_t> width, offset;
  int64_t context = 0;
  std::vector<int32_t> eos, filler;
  int bar_field = 0, bar_id = -1;
  int64_t prompt_steps = 0, head_keep = 0, capacity = 0;
  GenerationResult result;
  std::vector<int> learned_bars;
  std::vector<RowGrammar> grammar;
  // Per field: its history [B, capacity] (written in place, no per-token concatenation), its
  // grammar mask and its processor chain — the same processors for every field.
  std::vector<torch::Tensor> history, forbidden;
  std::vector<std::vector<float>> control_bias;  // per field; empty without music controls
  std::vector<std::vector<int>> token_types;     // per field, for typed top-p
  int64_t current_step = 0;  // read by MinNewTokens
  std::vector<int64_t> bars, last_bar;  // new bars per row
  // The bar counts as the step being chosen began (read by MinBars): accept() moves `bars` on,
  // and a re-evaluation of the step must see what its draw saw.
  std::vector<int64_t> step_bars;
  std::vector<ProcessorChain> chains;
  int64_t length = 0;  // steps in history
  std::vector<std::mt19937_64> rngs;
  model::KVCache cache;
  torch::Tensor logits;
  int64_t forwards = 0;
  std::vector<uint8_t> active, live, new_bar, row_mask;
  int64_t n_active = 0;
  std::vector<size_t> order;
  std::vector<std::vector<int32_t>> step_ids;
  torch::Tensor next;
  int64_t step = 0;

  void finish(int64_t b, const char* why) {
    if (!active[size_t(b)]) return;
    active[size_t(b)] = 0;
    result.stop_reasons[size_t(b)] = why;
    --n_active;
  }

  // The model's input for `steps` positions starting at `from`: [B, T] or [B, T, F].
  torch::Tensor input_ids(int64_t from, int64_t steps) const {
    if (!compound) return history[0].narrow(1, from, steps);
    std::vector<torch::Tensor> parts;
    for (size_t f = 0; f < F; ++f) parts.push_back(history[f].narrow(1, from, steps));
    return torch::stack(parts, 2);
  }

  // Feeds the window (head of the prompt + most recent steps) from an empty cache.
  torch::Tensor prefill() {
    cache.clear();
    torch::Tensor window = input_ids(0, length);
    if (length > context) {
      const int64_t tail = std::max<int64_t>(1, context - head_keep - context / 4);
      window = torch::cat({input_ids(0, head_keep), input_ids(length - tail, tail)}, 1);
    }
    ++forwards;
    return model->forward(window.to(model->device()), {}, &cache).select(1, -1);
  }

  // Field f's processor chain for these sampling settings: the step's stops (min new tokens,
  // min bars), the grammar mask and music-control biases, then the warpers. The stepper's
  // re-evaluation builds its chain here too, so it processes exactly as the draw did.
  ProcessorChain make_chain(size_t f, SamplingSettings sampling) const {
    if (sampling.temperature <= 0) sampling.temperature = 1.0f;  // greedy: argmax of the processed scores
    std::vector<std::unique_ptr<LogitsProcessor>> extra;
    if (f == 0 && settings.min_new_tokens > 0 && eos[0] >= 0)
      extra.push_back(std::make_unique<MinNewTokens>(eos[0], settings.min_new_tokens, &current_step));
    if (f == 0 && settings.min_bars > 0 && eos[0] >= 0)
      extra.push_back(std::make_unique<MinBars>(eos[0], settings.min_bars, &step_bars));
    if (settings.grammar) extra.push_back(std::make_unique<ForbiddenMask>(forbidden[f], "grammar"));
    if (!control_bias[f].empty()) extra.push_back(std::make_unique<TokenBias>(control_bias[f], "music_controls"));
    return build_chain(sampling, std::move(extra), token_types[f]);
  }

  // Field f's music-control bias over its ids (empty without controls).
  std::vector<float> field_control_bias(size_t f) const {
    if (!settings.controls.active()) return {};
    std::vector<float> bias = learned ? generate::learned_control_bias(*tok, settings.controls)
                                     : generate::control_bias(*tok, settings.controls, f);
    bias.resize(size_t(width[f]), 0.0f);
    return bias;
  }

  // Logits to the scores that are drawn from: the one place both generate() and the stepper
  // turn a field's logits into its processed distribution.
  torch::Tensor process(const ProcessorChain& chain, size_t f, torch::Tensor scores) const {
    chain.apply(history[f].narrow(1, 0, length), scores);
    return scores.contiguous();
  }
};

DecodingSession::DecodingSession(model::CausalLM& model, const tokenizer::Tokenizer& tok,
                                 const std::vector<int32_t>& prompt, const GenerationSettings& settings)
    : s_(std::make_unique<State>()) {
  State& s = *s_;
  s.start = State::clock::now();
  s.model = &model;
  s.tok = &tok;
  s.settings = settings;
  s.prompt = prompt;
  s.compound = tok.is_compound();
  s.F = s.compound ? tok.num_fields() : 1;
  const size_t F = s.F;
  if (prompt.size() % F != 0)
    throw std::invalid_argument("generator: a compound prompt holds " + std::to_string(F) + " ids per step, got " +
                                std::to_string(prompt.size()) + " ids");
  s.B = std::max(1, settings.num_candidates);
  const int64_t B = s.B;
  s.width.assign(F, 0);
  s.offset.assign(F, 0);
  for (size_t f = 0; f < F; ++f) {
    s.width[f] = s.compound ? model.config().compound.field_vocab_sizes[f] : model.config().vocab_size;
    if (f > 0) s.offset[f] = s.offset[f - 1] + s.width[f - 1];
  }
  s.context = model.config().max_position_embeddings > 0 ? model.config().max_position_embeddings
                                                         : std::numeric_limits<int64_t>::max();
  s.eos.assign(F, -1);
  s.filler.assign(F, 0);
  for (size_t f = 0; f < F; ++f) {
    const auto& v = tok.vocab(f);
    s.eos[f] = v.id("EOS_None");
    s.filler[f] = s.eos[f] >= 0 ? s.eos[f] : std::max(0, v.id("PAD_None"));
  }
  // Bars: a Bar token (REMI...), a CPWord step whose field 1 is a Bar, or a higher Octuple bar
  // number. Octuple's numbers are absolute (the decoder puts bar k at k bar lengths, from bar 0
  // at the piece's start), so a note k bars past the last one starts k bars: the ones skipped
  // are empty bars of the piece. The grammar keeps those runs to max_empty_bars.
  s.octuple = tok.name() == "Octuple";
  s.bar_field = s.octuple ? 2 : (s.compound ? 1 : 0);
  s.bar_id = tok.vocab(size_t(s.bar_field)).id(tokenizer::TokenType::Bar, -1);
  s.greedy = settings.sampling.temperature <= 0;

  // What the model sees: BOS (in every field) when starting from nothing, then the prompt.
  std::vector<int32_t> model_prompt;
  if (prompt.empty()) {
    for (size_t f = 0; f < F; ++f) model_prompt.push_back(tok.vocab(f).id("BOS_None"));
    if (std::find(model_prompt.begin(), model_prompt.end(), -1) != model_prompt.end()) model_prompt.assign(F, 0);
  } else {
    model_prompt = prompt;
  }
  s.prompt_steps = int64_t(model_prompt.size() / F);
  s.head_keep = std::min<int64_t>(s.prompt_steps, std::max<int64_t>(s.context / 4, 0));

  s.result.prompt_length = prompt.size();
  s.result.fields = F;
  s.result.sequences.assign(size_t(B), prompt);
  s.result.stop_reasons.assign(size_t(B), "");

  // Trained tokenizers: learned ids are counted and constrained by their base tokens.
  s.learned = tok.is_trained();
  const std::shared_ptr<const LearnedTrie> trie =
      s.learned && settings.grammar ? std::make_shared<LearnedTrie>(tok) : nullptr;
  if (s.learned) s.learned_bars = bars_per_learned_id(tok);
  if (settings.grammar)
    for (int64_t b = 0; b < B; ++b) {
      s.grammar.emplace_back(tok,
                             GrammarOptions{settings.max_empty_bars, settings.max_programs, settings.max_empty_beats,
                                            settings.max_onset_notes, settings.keep_time_signature},
                             trie);
      for (size_t i = 0; i < prompt.size(); i += F) s.grammar.back().accept(prompt.data() + i);
    }

  s.capacity = s.prompt_steps + std::max<int64_t>(settings.max_new_tokens, 0) + 1;
  s.history.resize(F);
  s.forbidden.resize(F);
  s.control_bias.resize(F);
  s.token_types.resize(F);
  s.bars.assign(size_t(B), 0);
  s.step_bars = s.bars;
  s.last_bar.assign(size_t(B), -1);
  for (size_t f = 0; f < F; ++f) {
    s.history[f] = torch::empty({B, s.capacity}, torch::kLong);
    auto* h = s.history[f].data_ptr<int64_t>();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < s.prompt_steps; ++t) h[b * s.capacity + t] = model_prompt[size_t(t) * F + f];
    s.forbidden[f] = torch::zeros({B, s.width[f]}, torch::kBool);
    s.control_bias[f] = s.field_control_bias(f);
    // Token types per id: the recipe's top-p narrows the pitch tokens only (typed_top_p.hpp).
    // A learned id counts as the type of its first base token.
    auto& types = s.token_types[f];
    types.resize(s.learned ? tok.model_vocab_size() : tok.vocab(f).size());
    for (size_t id = 0; id < types.size(); ++id) {
      int base_id = int(id);
      if (s.learned) {
        const auto& parts = tok.subword()->base_ids(int32_t(id));
        base_id = parts.empty() ? -1 : parts.front();
      }
      types[id] = tok.vocab(f).valid(base_id) ? int(tok.vocab(f).kind(base_id).type) : int(tokenizer::TokenType::Special);
    }
    s.chains.push_back(s.make_chain(f, settings.sampling));
  }
  s.length = s.prompt_steps;

  for (int64_t b = 0; b < B; ++b) s.rngs.emplace_back(settings.seed * 0x9E3779B97F4A7C15ull + uint64_t(b));

  s.cache = model.make_cache();
  s.logits = s.prefill();

  s.active.assign(size_t(B), 1);
  s.new_bar.assign(size_t(B), 0);
  if (s.octuple && !prompt.empty())
    for (size_t i = 0; i < prompt.size(); i += F) {
      const auto k = tok.vocab(2).valid(prompt[i + 2]) ? tok.vocab(2).kind(prompt[i + 2]) : tokenizer::TokenKind{};
      if (k.type == tokenizer::TokenType::Bar)
        std::fill(s.last_bar.begin(), s.last_bar.end(), std::max<int64_t>(k.value, s.last_bar[0]));
    }
  s.n_active = B;
  s.order = field_order(tok);
  s.step_ids.assign(size_t(B), std::vector<int32_t>(F, -1));
  s.next = torch::empty(s.compound ? std::vector<int64_t>{B, 1, int64_t(F)} : std::vector<int64_t>{B, 1}, torch::kLong);
}

DecodingSession::~DecodingSession() = default;

bool DecodingSession::begin_step(const GenerationCallbacks& callbacks) {
  State& s = *s_;
  if (s.n_active == 0) return false;
  if (s.step >= s.settings.max_new_tokens) {
    for (int64_t b = 0; b < s.B; ++b) s.finish(b, "max_new_tokens");
    return false;
  }
  s.current_step = s.step;
  if (callbacks.cancel && callbacks.cancel->load()) {
    s.result.cancelled = true;
    for (int64_t b = 0; b < s.B; ++b) s.finish(b, "cancelled");
    return false;
  }
  if (s.settings.max_seconds > 0 &&
      std::chrono::duration<double>(State::clock::now() - s.start).count() >= s.settings.max_seconds) {
    for (int64_t b = 0; b < s.B; ++b) s.finish(b, "max_seconds");
    return false;
  }
  return true;
}

void DecodingSession::choose(const FieldScoresObserver& observer) {
  State& s = *s_;
  const int64_t B = s.B;
  for (auto& ids : s.step_ids) std::fill(ids.begin(), ids.end(), -1);
  s.step_bars = s.bars;
  torch::Tensor all_scores = s.logits.to(torch::kCPU, torch::kFloat);
  if (all_scores.data_ptr() == s.logits.data_ptr()) all_scores = all_scores.clone();  // the chain edits in place
  s.live = s.active;  // rows still choosing this step
  for (size_t f : s.order) {
    if (s.settings.grammar) {
      auto* mask = s.forbidden[f].data_ptr<bool>();
      for (int64_t b = 0; b < B; ++b) {
        bool* row = mask + b * s.width[f];
        if (!s.live[size_t(b)]) {
          std::memset(row, 0, size_t(s.width[f]));
          continue;
        }
        s.grammar[size_t(b)].allowed(f, s.step_ids[size_t(b)], s.row_mask);
        for (int64_t i = 0; i < s.width[f]; ++i) row[i] = !(i < int64_t(s.row_mask.size()) && s.row_mask[size_t(i)]);
      }
    }
    torch::Tensor scores = s.compound ? all_scores.narrow(1, s.offset[f], s.width[f]) : all_scores;
    torch::Tensor raw = observer ? scores.clone() : torch::Tensor();
    scores = s.process(s.chains[f], f, scores);
    if (observer) observer(f, raw, scores);
    const float* data = scores.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
      if (!s.live[size_t(b)]) continue;
      const int32_t id = sample_row(data + b * s.width[f], s.width[f], s.rngs[size_t(b)], s.greedy);
      if (id < 0 || (f == 0 && id == s.eos[0])) {  // EOS, or every token filtered (e.g. an empty pitch range)
        s.live[size_t(b)] = 0;
        s.finish(b, "eos");
        continue;
      }
      s.step_ids[size_t(b)][f] = id;
    }
  }
}

void DecodingSession::accept(const GenerationCallbacks& callbacks) {
  State& s = *s_;
  const tokenizer::Tokenizer& tok = *s.tok;
  for (int64_t b = 0; b < s.B; ++b) {
    s.new_bar[size_t(b)] = 0;
    if (!s.live[size_t(b)]) continue;
    const auto& ids = s.step_ids[size_t(b)];
    bool new_bar = false;
    if (s.octuple) {
      const auto k = tok.vocab(2).valid(ids[2]) ? tok.vocab(2).kind(ids[2]) : tokenizer::TokenKind{};
      if (k.type == tokenizer::TokenType::Bar && k.value > s.last_bar[size_t(b)]) {
        s.bars[size_t(b)] += k.value - std::max<int64_t>(s.last_bar[size_t(b)], -1);
        s.last_bar[size_t(b)] = k.value;
        new_bar = true;
      }
    } else if (s.learned) {
      const int n = ids[0] >= 0 && size_t(ids[0]) < s.learned_bars.size() ? s.learned_bars[size_t(ids[0])] : 0;
      s.bars[size_t(b)] += n;
      new_bar = n > 0;
    } else if (ids[size_t(s.bar_field)] == s.bar_id) {
      ++s.bars[size_t(b)];
      new_bar = true;
    }
    s.new_bar[size_t(b)] = new_bar;
    if (s.settings.max_bars > 0 && s.bars[size_t(b)] > s.settings.max_bars) {
      s.live[size_t(b)] = 0;
      s.finish(b, "max_bars");
      continue;
    }
    // Music time is measured where a bar starts: the notes so far, decoded with their tempos.
    if (new_bar && s.settings.max_music_seconds > 0) {
      tokenizer::TokSequence so_far;
      so_far.fields = s.F;
      so_far.ids = s.result.sequences[size_t(b)];
      if (tok.decode({so_far}).duration_seconds() >= s.settings.max_music_seconds) {
        s.live[size_t(b)] = 0;
        s.finish(b, "max_music_seconds");
        continue;
      }
    }
    auto& seq = s.result.sequences[size_t(b)];
    seq.insert(seq.end(), ids.begin(), ids.end());
    if (s.settings.grammar) s.grammar[size_t(b)].accept(ids.data());
    if (callbacks.on_token) {
      TokenEvent ev;
      ev.candidate = int(b);
      ev.id = ids[0];
      ev.step = s.step;
      if (s.compound) ev.fields = ids;
      callbacks.on_token(ev);
    }
  }
  ++s.result.steps;
  if (callbacks.on_progress) callbacks.on_progress(double(s.step + 1) / double(s.settings.max_new_tokens));
}

void DecodingSession::advance() {
  State& s = *s_;
  if (s.n_active == 0) return;
  auto* nx = s.next.data_ptr<int64_t>();
  for (int64_t b = 0; b < s.B; ++b)
    for (size_t f = 0; f < s.F; ++f) {
      const int32_t id = s.live[size_t(b)] ? s.step_ids[size_t(b)][f] : s.filler[f];
      nx[b * int64_t(s.F) + int64_t(f)] = id;
      s.history[f].data_ptr<int64_t>()[b * s.capacity + s.length] = id;
    }
  ++s.length;
  ++s.step;
  if (s.cache.length() + 1 > s.context) {
    s.logits = s.prefill();
  } else {
    ++s.forwards;
    const auto device = s.model->device();
    s.logits = s.model->forward(device.is_cpu() ? s.next : s.next.to(device), {}, &s.cache).select(1, -1);
  }
}

bool DecodingSession::all_stopped() const { return s_->n_active == 0; }
const std::vector<int32_t>& DecodingSession::chosen(int64_t b) const { return s_->step_ids.at(size_t(b)); }
bool DecodingSession::started_bar(int64_t b) const { return s_->new_bar.at(size_t(b)) != 0; }
bool DecodingSession::stopped(int64_t b) const { return s_->active.at(size_t(b)) == 0; }
const std::string& DecodingSession::stop_reason(int64_t b) const { return s_->result.stop_reasons.at(size_t(b)); }
int64_t DecodingSession::forward_passes() const { return s_->forwards; }
bool DecodingSession::greedy() const { return s_->greedy; }

torch::Tensor DecodingSession::reprocess(size_t field, torch::Tensor scores, const SamplingSettings& sampling) const {
  if (field >= s_->F) throw std::out_of_range("decoding session: no field " + std::to_string(field));
  return s_->process(s_->make_chain(field, sampling), field, std::move(scores));
}

void DecodingSession::set_sampling(const SamplingSettings& sampling) {
  State& s = *s_;
  s.settings.sampling = sampling;
  s.greedy = sampling.temperature <= 0;
  for (size_t f = 0; f < s.F; ++f) s.chains[f] = s.make_chain(f, sampling);
}

void DecodingSession::retune(const GenerationSettings& settings) {
  State& s = *s_;
  s.settings.max_bars = settings.max_bars;
  s.settings.min_bars = settings.min_bars;
  s.settings.min_new_tokens = settings.min_new_tokens;
  s.settings.max_new_tokens = settings.max_new_tokens;
  const int64_t capacity = s.prompt_steps + std::max<int64_t>(settings.max_new_tokens, 0) + 1;
  if (capacity > s.capacity) {  // written in place: a longer piece needs a longer history
    for (auto& h : s.history) {
      torch::Tensor longer = torch::empty({s.B, capacity}, torch::kLong);
      longer.narrow(1, 0, s.length).copy_(h.narrow(1, 0, s.length));
      h = longer;
    }
    s.capacity = capacity;
  }
  s.settings.controls = settings.controls;
  for (size_t f = 0; f < s.F; ++f) s.control_bias[f] = s.field_control_bias(f);
  set_sampling(settings.sampling);  // rebuilds the chains with the new length and bias
}

GenerationResult DecodingSession::result() {
  State& s = *s_;
  for (int64_t b = 0; b < s.B; ++b) s.finish(b, "max_new_tokens");
  // Stopping mid-note would leave tokens the decoder drops: end at the last note boundary.
  GenerationResult out = s.result;
  out.new_tokens = 0;
  for (int64_t b = 0; b < s.B; ++b) {
    auto& seq = out.sequences[size_t(b)];
    if (s.settings.grammar) seq.resize(std::max(s.prompt.size(), s.grammar[size_t(b)].complete_ids(s.F)));
    out.new_tokens += int64_t((seq.size() - s.prompt.size()) / s.F);
  }
  out.seconds = std::chrono::duration<double>(State::clock::now() - s.start).count();
  return out;
}

}  // namespace harmonia::generate
