#include "core/train/fim.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/data/seed_mix.hpp"

namespace harmonia::train {

std::optional<std::vector<int64_t>> fim_rearrange(const std::vector<int64_t>& window, const tokenizer::FimIds& ids,
                                                  size_t max_len, std::mt19937_64& rng, FimCut* cut) {
  constexpr size_t kAdded = 4;  // FIM_PRE, FIM_SUF, FIM_MID, EOS
  size_t end = window.size();   // the music: a final EOS is kept apart, in the suffix
  bool keep_eos = end > 0 && window[end - 1] == ids.end;
  if (keep_eos) --end;
  std::vector<size_t> bars;
  for (size_t p = 0; p < end; ++p)
    if (window[p] == ids.bar) bars.push_back(p);
  if (end + (keep_eos ? 1 : 0) + kAdded > max_len) {
    // Too long with the added tokens: end the window at the last bar start that fits.
    keep_eos = false;
    if (max_len < kAdded) return std::nullopt;
    while (!bars.empty() && bars.back() + kAdded > max_len) bars.pop_back();
    if (bars.empty()) return std::nullopt;
    end = bars.back();
    bars.pop_back();
  }
  if (bars.empty()) return std::nullopt;
  // Two distinct cut points among the bar starts and the end, drawn uniformly (the paper draws
  // two uniform positions; here they snap to bars and never coincide: an empty middle teaches
  // nothing the infilling grammar can use).
  std::vector<size_t> points = bars;
  points.push_back(end);
  const size_t m = points.size();
  size_t i = size_t(rng() % m), j = size_t(rng() % (m - 1));
  if (j >= i) ++j;
  if (i > j) std::swap(i, j);
  const size_t a = points[i], b = points[j];
  const size_t kept = end + (keep_eos ? 1 : 0);
  if (cut) *cut = {a, b, kept};

  std::vector<int64_t> out;
  out.reserve(kept + kAdded);
  out.push_back(ids.prefix);
  out.insert(out.end(), window.begin(), window.begin() + long(a));
  out.push_back(ids.suffix);
  out.insert(out.end(), window.begin() + long(b), window.begin() + long(kept));
  out.push_back(ids.middle);
  out.insert(out.end(), window.begin() + long(a), window.begin() + long(b));
  out.push_back(ids.end);
  return out;
}

FimBatchSource::FimBatchSource(BatchSource& inner, FimOptions options) : inner_(inner), options_(std::move(options)) {
  if (options_.rate < 0 || options_.rate > 1) throw std::invalid_argument("--fim-rate must be between 0 and 1");
  if (options_.max_len < 8) throw std::invalid_argument("fill-in-the-middle needs a context of at least 8 tokens");
}

Batch FimBatchSource::next() {
  Batch in = inner_.next();
  if (in.input_ids.dim() != 2)
    throw std::invalid_argument("fill-in-the-middle works on single-stream tokens, not compound (CPWord/Octuple) ones");
  const auto ids = in.input_ids.contiguous();
  const auto mask = in.attention_mask.contiguous();
  const int64_t B = ids.size(0), T = ids.size(1);
  const int64_t* src = ids.data_ptr<int64_t>();
  const int64_t* msk = mask.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(B));
  int64_t width = T;
  for (int64_t r = 0; r < B; ++r) {
    auto& row = rows[size_t(r)];
    uint64_t hash = 1469598103934665603ULL;  // FNV-1a of the window: the same window, the same draw
    for (int64_t t = 0; t < T && msk[r * T + t]; ++t) {
      int64_t id = src[r * T + t];
      if (!options_.translate.empty()) {
        if (id < 0 || size_t(id) >= options_.translate.size() || options_.translate[size_t(id)] < 0)
          throw std::runtime_error("fill-in-the-middle: data id " + std::to_string(id) +
                                   " has no counterpart in the FIM tokenizer");
        id = options_.translate[size_t(id)];
      }
      row.push_back(id);
      hash = (hash ^ uint64_t(id)) * 1099511628211ULL;
    }
    if (options_.rate <= 0) continue;
    std::mt19937_64 rng(data::seed_mix(options_.seed ^ data::seed_mix(uint64_t(in.epoch) + 1) ^ hash));
    if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) >= options_.rate) continue;
    if (auto psm = fim_rearrange(row, options_.ids, size_t(options_.max_len), rng)) row = std::move(*psm);
    width = std::max<int64_t>(width, int64_t(row.size()));
  }
  auto out_ids = torch::full({B, width}, options_.pad_id, torch::kLong);
  auto out_mask = torch::zeros({B, width}, torch::kLong);
  auto out_labels = torch::full({B, width}, kIgnoreLabel, torch::kLong);
  int64_t* oi = out_ids.data_ptr<int64_t>();
  int64_t* om = out_mask.data_ptr<int64_t>();
  int64_t* ol = out_labels.data_ptr<int64_t>();
  for (int64_t r = 0; r < B; ++r)
    for (size_t t = 0; t < rows[size_t(r)].size(); ++t) {
      const int64_t o = r * width + int64_t(t);
      oi[o] = ol[o] = rows[size_t(r)][t];
      om[o] = 1;
    }
  return Batch{out_ids, out_mask, out_labels, in.epoch};
}

FimRun make_fim_run(const tokenizer::Tokenizer& data_tokenizer, BatchSource& train, BatchSource* validation,
                    double rate, uint64_t seed, int64_t context) {
  if (rate < 0 || rate > 1) throw std::invalid_argument("the fill-in-the-middle rate must be between 0 and 1");
  const std::string why = tokenizer::fim_unsupported_reason(data_tokenizer);
  if (!why.empty()) throw std::invalid_argument("fill-in-the-middle: " + why);
  FimRun run;
  run.tokenizer = tokenizer::with_fim_tokens(data_tokenizer);
  FimOptions options;
  options.rate = rate;
  options.seed = seed;
  options.max_len = context;
  options.ids = *tokenizer::fim_ids(*run.tokenizer);
  options.translate = tokenizer::id_translation(data_tokenizer, *run.tokenizer);
  options.pad_id = std::max(0, run.tokenizer->vocab().id("PAD_None"));
  run.train = std::make_unique<FimBatchSource>(train, options);
  if (validation) {
    options.rate = 0;
    run.validation = std::make_unique<FimBatchSource>(*validation, options);
  }
  return run;
}

}  // namespace harmonia::train
