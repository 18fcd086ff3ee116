#include "core/generate/generator.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "core/compute/decode_pool.hpp"
#include "core/generate/compound_grammar.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "core/generate/subword_grammar.hpp"

namespace harmonia::generate {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Grammar mask [B, V] (true = forbidden) refreshed by the loop before each field is sampled;
// it sits with the other logits processors, before the warpers, as transformers'
// prefix_allowed_tokens_fn does.
class RowMask final : public LogitsProcessor {
 public:
  explicit RowMask(torch::Tensor forbidden) : forbidden_(std::move(forbidden)) {}
  void apply(const torch::Tensor&, torch::Tensor& scores) const override { scores.masked_fill_(forbidden_, kNegInf); }
  std::string name() const override { return "grammar"; }

 private:
  torch::Tensor forbidden_;  // shares storage with the loop's buffer
};

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

// One draw from softmax(scores) with the row's own generator, so candidate i's stream does
// not depend on how many candidates run beside it.
int32_t sample_row(const float* scores, int64_t v, std::mt19937_64& rng, bool greedy) {
  float best = kNegInf;
  int64_t best_id = -1;
  for (int64_t i = 0; i < v; ++i)
    if (scores[i] > best) best = scores[i], best_id = i;
  if (best_id < 0) return -1;  // everything filtered
  if (greedy) return int32_t(best_id);
  double total = 0;
  thread_local std::vector<double> w;
  w.resize(size_t(v));
  for (int64_t i = 0; i < v; ++i) total += (w[size_t(i)] = std::exp(double(scores[i]) - best));
  const double u = std::uniform_real_distribution<double>(0.0, total)(rng);
  double acc = 0;
  for (int64_t i = 0; i < v; ++i) {
    acc += w[size_t(i)];
    if (u < acc && w[size_t(i)] > 0) return int32_t(i);
  }
  return int32_t(best_id);
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

Generator::Generator(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
  if (!model_ || !tokenizer_) throw std::invalid_argument("generator: model and tokenizer are required");
  const auto& compound = model_->config().compound;
  if (compound.enabled() != tokenizer_->is_compound())
    throw std::invalid_argument(std::string("generator: a ") + (compound.enabled() ? "compound-token" : "single-stream") +
                                " model needs a " + (compound.enabled() ? "CPWord/Octuple" : "single-stream") +
                                " tokenizer, got " + tokenizer_->name());
  if (compound.enabled()) {
    if (compound.field_vocab_sizes.size() != tokenizer_->num_fields())
      throw std::invalid_argument("generator: the model has " + std::to_string(compound.field_vocab_sizes.size()) +
                                  " fields, the " + tokenizer_->name() + " tokenizer " +
                                  std::to_string(tokenizer_->num_fields()));
    for (size_t f = 0; f < tokenizer_->num_fields(); ++f)
      if (size_t(compound.field_vocab_sizes[f]) < tokenizer_->vocab(f).size())
        throw std::invalid_argument("generator: field " + std::to_string(f) + " of the model has " +
                                    std::to_string(compound.field_vocab_sizes[f]) + " ids, the tokenizer's " +
                                    std::to_string(tokenizer_->vocab(f).size()));
  } else if (size_t(model_->config().vocab_size) < tokenizer_->model_vocab_size()) {
    throw std::invalid_argument("generator: the model's vocabulary (" + std::to_string(model_->config().vocab_size) +
                                ") is smaller than the tokenizer's (" + std::to_string(tokenizer_->model_vocab_size()) +
                                ")");
  }
}

GenerationResult Generator::generate(const std::vector<int32_t>& prompt, const GenerationSettings& settings,
                                     const GenerationCallbacks& callbacks) const {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  // Inference mode rather than no-grad: tensors made here skip autograd's version counting and
  // dispatch, a measurable share of a decoding step (~150 small ops) for small models.
  c10::InferenceMode inference;
  // Only the float32 decode kernels split; their weights are 4 bytes each.
  compute::DecodeThreadsScope decode_threads(model_->num_parameters() * int64_t(sizeof(float)));
  model_->eval();
  const tokenizer::Tokenizer& tok = *tokenizer_;
  const bool compound = tok.is_compound();
  const size_t F = compound ? tok.num_fields() : 1;
  if (prompt.size() % F != 0)
    throw std::invalid_argument("generator: a compound prompt holds " + std::to_string(F) + " ids per step, got " +
                                std::to_string(prompt.size()) + " ids");
  const int64_t B = std::max(1, settings.num_candidates);
  // Field f's logits are columns [offset[f], offset[f] + width[f]) of the model's output.
  std::vector<int64_t> width(F), offset(F, 0);
  for (size_t f = 0; f < F; ++f) {
    width[f] = compound ? model_->config().compound.field_vocab_sizes[f] : model_->config().vocab_size;
    if (f > 0) offset[f] = offset[f - 1] + width[f - 1];
  }
  const int64_t context = model_->config().max_position_embeddings > 0 ? model_->config().max_position_embeddings
                                                                        : std::numeric_limits<int64_t>::max();
  std::vector<int32_t> eos(F), filler(F);
  for (size_t f = 0; f < F; ++f) {
    const auto& v = tok.vocab(f);
    eos[f] = v.id("EOS_None");
    filler[f] = eos[f] >= 0 ? eos[f] : std::max(0, v.id("PAD_None"));
  }
  // Bars: a Bar token (REMI...), a CPWord step whose field 1 is a Bar, or a higher Octuple bar
  // number. Octuple's numbers are absolute (the decoder puts bar k at k bar lengths, from bar 0
  // at the piece's start), so a note k bars past the last one starts k bars: the ones skipped
  // are empty bars of the piece. The grammar keeps those runs to max_empty_bars.
  const bool octuple = tok.name() == "Octuple";
  const int bar_field = octuple ? 2 : (compound ? 1 : 0);
  const int bar_id = tok.vocab(size_t(bar_field)).id(tokenizer::TokenType::Bar, -1);
  const bool greedy = settings.sampling.temperature <= 0;

  // What the model sees: BOS (in every field) when starting from nothing, then the prompt.
  std::vector<int32_t> model_prompt;
  if (prompt.empty()) {
    for (size_t f = 0; f < F; ++f) model_prompt.push_back(tok.vocab(f).id("BOS_None"));
    if (std::find(model_prompt.begin(), model_prompt.end(), -1) != model_prompt.end()) model_prompt.assign(F, 0);
  } else {
    model_prompt = prompt;
  }
  const int64_t prompt_steps = int64_t(model_prompt.size() / F);
  const int64_t head_keep = std::min<int64_t>(prompt_steps, std::max<int64_t>(context / 4, 0));

  GenerationResult result;
  result.prompt_length = prompt.size();
  result.fields = F;
  result.sequences.assign(size_t(B), prompt);
  result.stop_reasons.assign(size_t(B), "");

  // Trained tokenizers: learned ids are counted and constrained by their base tokens.
  const bool learned = tok.is_trained();
  const std::shared_ptr<const LearnedTrie> trie = learned && settings.grammar ? std::make_shared<LearnedTrie>(tok) : nullptr;
  const std::vector<int> learned_bars = learned ? bars_per_learned_id(tok) : std::vector<int>{};
  std::vector<RowGrammar> grammar;
  if (settings.grammar)
    for (int64_t b = 0; b < B; ++b) {
      grammar.emplace_back(tok,
                           GrammarOptions{settings.max_empty_bars, settings.max_programs, settings.max_empty_beats,
                                          settings.max_onset_notes, settings.keep_time_signature},
                           trie);
      for (size_t i = 0; i < prompt.size(); i += F) grammar.back().accept(prompt.data() + i);
    }

  // Per field: its history [B, capacity] (written in place, no per-token concatenation), its
  // grammar mask and its processor chain — the same processors for every field.
  const int64_t capacity = prompt_steps + std::max<int64_t>(settings.max_new_tokens, 0) + 1;
  SamplingSettings sampling = settings.sampling;
  if (greedy) sampling.temperature = 1.0f;
  std::vector<torch::Tensor> history(F), forbidden(F);
  int64_t current_step = 0;  // read by MinNewTokens
  std::vector<int64_t> bars(size_t(B), 0), last_bar(size_t(B), -1);  // new bars per row (read by MinBars)
  std::vector<ProcessorChain> chains;
  for (size_t f = 0; f < F; ++f) {
    history[f] = torch::empty({B, capacity}, torch::kLong);
    auto* h = history[f].data_ptr<int64_t>();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < prompt_steps; ++t) h[b * capacity + t] = model_prompt[size_t(t) * F + f];
    forbidden[f] = torch::zeros({B, width[f]}, torch::kBool);
    std::vector<std::unique_ptr<LogitsProcessor>> extra;
    if (f == 0 && settings.min_new_tokens > 0 && eos[0] >= 0)
      extra.push_back(std::make_unique<MinNewTokens>(eos[0], settings.min_new_tokens, &current_step));
    if (f == 0 && settings.min_bars > 0 && eos[0] >= 0)
      extra.push_back(std::make_unique<MinBars>(eos[0], settings.min_bars, &bars));
    if (settings.grammar) extra.push_back(std::make_unique<RowMask>(forbidden[f]));
    if (settings.controls.active()) {
      auto bias = learned ? learned_control_bias(tok, settings.controls) : control_bias(tok, settings.controls, f);
      bias.resize(size_t(width[f]), 0.0f);
      extra.push_back(std::make_unique<TokenBias>(std::move(bias), "music_controls"));
    }
    // Token types per id: the recipe's top-p narrows the pitch tokens only (typed_top_p.hpp).
    // A learned id counts as the type of its first base token.
    std::vector<int> types(learned ? tok.model_vocab_size() : tok.vocab(f).size());
    for (size_t id = 0; id < types.size(); ++id) {
      int base_id = int(id);
      if (learned) {
        const auto& parts = tok.subword()->base_ids(int32_t(id));
        base_id = parts.empty() ? -1 : parts.front();
      }
      types[id] = tok.vocab(f).valid(base_id) ? int(tok.vocab(f).kind(base_id).type) : int(tokenizer::TokenType::Special);
    }
    chains.push_back(build_chain(sampling, std::move(extra), types));
  }
  int64_t length = prompt_steps;  // steps in history

  std::vector<std::mt19937_64> rngs;
  for (int64_t b = 0; b < B; ++b) rngs.emplace_back(settings.seed * 0x9E3779B97F4A7C15ull + uint64_t(b));

  const auto device = model_->device();
  // The model's input for `steps` positions starting at `from`: [B, T] or [B, T, F].
  auto input_ids = [&](int64_t from, int64_t steps) {
    if (!compound) return history[0].narrow(1, from, steps);
    std::vector<torch::Tensor> parts;
    for (size_t f = 0; f < F; ++f) parts.push_back(history[f].narrow(1, from, steps));
    return torch::stack(parts, 2);
  };
  model::KVCache cache = model_->make_cache();
  // Feeds the window (head of the prompt + most recent steps) from an empty cache.
  auto prefill = [&]() {
    cache.clear();
    torch::Tensor window = input_ids(0, length);
    if (length > context) {
      const int64_t tail = std::max<int64_t>(1, context - head_keep - context / 4);
      window = torch::cat({input_ids(0, head_keep), input_ids(length - tail, tail)}, 1);
    }
    return model_->forward(window.to(device), {}, &cache).select(1, -1);
  };
  torch::Tensor logits = prefill();

  std::vector<uint8_t> active(size_t(B), 1), row_mask;
  if (octuple && !prompt.empty())
    for (size_t i = 0; i < prompt.size(); i += F) {
      const auto k = tok.vocab(2).valid(prompt[i + 2]) ? tok.vocab(2).kind(prompt[i + 2]) : tokenizer::TokenKind{};
      if (k.type == tokenizer::TokenType::Bar) std::fill(last_bar.begin(), last_bar.end(), std::max<int64_t>(k.value, last_bar[0]));
    }
  int64_t n_active = B;
  auto finish = [&](int64_t b, const char* why) {
    if (!active[size_t(b)]) return;
    active[size_t(b)] = 0;
    result.stop_reasons[size_t(b)] = why;
    --n_active;
  };
  const std::vector<size_t> order = field_order(tok);
  std::vector<std::vector<int32_t>> step_ids(size_t(B), std::vector<int32_t>(F, -1));
  torch::Tensor next = torch::empty(compound ? std::vector<int64_t>{B, 1, int64_t(F)} : std::vector<int64_t>{B, 1},
                                    torch::kLong);

  for (int64_t step = 0; step < settings.max_new_tokens && n_active > 0; ++step) {
    current_step = step;
    if (callbacks.cancel && callbacks.cancel->load()) {
      result.cancelled = true;
      for (int64_t b = 0; b < B; ++b) finish(b, "cancelled");
      break;
    }
    if (settings.max_seconds > 0 &&
        std::chrono::duration<double>(clock::now() - start).count() >= settings.max_seconds) {
      for (int64_t b = 0; b < B; ++b) finish(b, "max_seconds");
      break;
    }
    for (auto& s : step_ids) std::fill(s.begin(), s.end(), -1);
    torch::Tensor all_scores = logits.to(torch::kCPU, torch::kFloat);
    if (all_scores.data_ptr() == logits.data_ptr()) all_scores = all_scores.clone();  // the chain edits in place
    std::vector<uint8_t> live = active;  // rows still choosing this step
    for (size_t f : order) {
      if (settings.grammar) {
        auto* mask = forbidden[f].data_ptr<bool>();
        for (int64_t b = 0; b < B; ++b) {
          bool* row = mask + b * width[f];
          if (!live[size_t(b)]) {
            std::memset(row, 0, size_t(width[f]));
            continue;
          }
          grammar[size_t(b)].allowed(f, step_ids[size_t(b)], row_mask);
          for (int64_t i = 0; i < width[f]; ++i) row[i] = !(i < int64_t(row_mask.size()) && row_mask[size_t(i)]);
        }
      }
      torch::Tensor scores = compound ? all_scores.narrow(1, offset[f], width[f]) : all_scores;
      chains[f].apply(history[f].narrow(1, 0, length), scores);
      scores = scores.contiguous();
      const float* data = scores.data_ptr<float>();
      for (int64_t b = 0; b < B; ++b) {
        if (!live[size_t(b)]) continue;
        const int32_t id = sample_row(data + b * width[f], width[f], rngs[size_t(b)], greedy);
        if (id < 0 || (f == 0 && id == eos[0])) {  // EOS, or every token filtered (e.g. an empty pitch range)
          live[size_t(b)] = 0;
          finish(b, "eos");
          continue;
        }
        step_ids[size_t(b)][f] = id;
      }
    }
    for (int64_t b = 0; b < B; ++b) {
      if (!live[size_t(b)]) continue;
      const auto& ids = step_ids[size_t(b)];
      bool new_bar = false;
      if (octuple) {
        const auto k = tok.vocab(2).valid(ids[2]) ? tok.vocab(2).kind(ids[2]) : tokenizer::TokenKind{};
        if (k.type == tokenizer::TokenType::Bar && k.value > last_bar[size_t(b)]) {
          bars[size_t(b)] += k.value - std::max<int64_t>(last_bar[size_t(b)], -1);
          last_bar[size_t(b)] = k.value;
          new_bar = true;
        }
      } else if (learned) {
        const int n = ids[0] >= 0 && size_t(ids[0]) < learned_bars.size() ? learned_bars[size_t(ids[0])] : 0;
        bars[size_t(b)] += n;
        new_bar = n > 0;
      } else if (ids[size_t(bar_field)] == bar_id) {
        ++bars[size_t(b)];
        new_bar = true;
      }
      if (settings.max_bars > 0 && bars[size_t(b)] > settings.max_bars) {
        live[size_t(b)] = 0;
        finish(b, "max_bars");
        continue;
      }
      // Music time is measured where a bar starts: the notes so far, decoded with their tempos.
      if (new_bar && settings.max_music_seconds > 0) {
        tokenizer::TokSequence so_far;
        so_far.fields = F;
        so_far.ids = result.sequences[size_t(b)];
        if (tok.decode({so_far}).duration_seconds() >= settings.max_music_seconds) {
          live[size_t(b)] = 0;
          finish(b, "max_music_seconds");
          continue;
        }
      }
      auto& seq = result.sequences[size_t(b)];
      seq.insert(seq.end(), ids.begin(), ids.end());
      if (settings.grammar) grammar[size_t(b)].accept(ids.data());
      if (callbacks.on_token) {
        TokenEvent ev;
        ev.candidate = int(b);
        ev.id = ids[0];
        ev.step = step;
        if (compound) ev.fields = ids;
        callbacks.on_token(ev);
      }
    }
    ++result.steps;
    if (callbacks.on_progress) callbacks.on_progress(double(step + 1) / double(settings.max_new_tokens));
    if (n_active == 0) break;
    auto* nx = next.data_ptr<int64_t>();
    for (int64_t b = 0; b < B; ++b)
      for (size_t f = 0; f < F; ++f) {
        const int32_t id = live[size_t(b)] ? step_ids[size_t(b)][f] : filler[f];
        nx[b * int64_t(F) + int64_t(f)] = id;
        history[f].data_ptr<int64_t>()[b * capacity + length] = id;
      }
    ++length;
    if (cache.length() + 1 > context) logits = prefill();
    else logits = model_->forward(device.is_cpu() ? next : next.to(device), {}, &cache).select(1, -1);
  }
  for (int64_t b = 0; b < B; ++b) finish(b, "max_new_tokens");

  // Stopping mid-note would leave tokens the decoder drops: end at the last note boundary.
  for (int64_t b = 0; b < B; ++b) {
    auto& seq = result.sequences[size_t(b)];
    if (settings.grammar) seq.resize(std::max(prompt.size(), grammar[size_t(b)].complete_ids(F)));
    result.new_tokens += int64_t((seq.size() - prompt.size()) / F);
  }
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return result;
}

}  // namespace harmonia::generate
