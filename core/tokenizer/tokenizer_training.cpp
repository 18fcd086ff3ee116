#include "core/tokenizer/tokenizer_training.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include "core/tokenizer/score_loader.hpp"

namespace harmonia::tokenizer {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

std::unique_ptr<Tokenizer> train_tokenizer(const Tokenizer& base_in, const std::vector<std::string>& files,
                                           const TokenizerTrainingOptions& opt, TokenizerTrainingStats* stats_out) {
  // Untrained copy: the words are base tokens whatever `base_in` was.
  TokenizerConfig config = base_in.config();
  std::vector<std::string> plain;
  for (const auto& s : config.special_tokens)
    if (!is_unigram_special(s)) plain.push_back(s);
  config.special_tokens = plain;
  auto base = Tokenizer::create(base_in.name(), config);
  if (base->is_compound()) throw TokenizerError(base->name() + " uses one vocabulary per field and cannot be trained (as in MidiTok)");
  if (opt.vocab_size <= base->vocab_size())
    throw TokenizerError("vocabulary size " + std::to_string(opt.vocab_size) + " must be larger than the " +
                         std::to_string(base->vocab_size()) + " base tokens");
  const SubwordTrainOptions train_opt = [&] {
    SubwordTrainOptions o = miditok_train_options(*base, opt.kind, opt.vocab_size);
    o.progress = opt.progress;
    o.cancel = opt.cancel;
    return o;
  }();

  TokenizerTrainingStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  WordCounts counts;
  const unsigned threads = std::max(1u, std::min<unsigned>(opt.threads ? opt.threads : std::thread::hardware_concurrency(),
                                                           unsigned(std::max<size_t>(1, files.size()))));
  auto worker = [&] {
    WordCounts local;
    size_t tokens = 0, failed = 0;
    std::vector<std::string> errors;
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      if (opt.cancel && opt.cancel->load()) break;
      try {
        const auto words = base->training_words(load_score_file_for_tokenizer(files[i]));
        for (const auto& w : words) tokens += w.size();
        add_words(local, words, train_opt.metaspace);
      } catch (const std::exception& e) {
        ++failed;
        if (errors.size() < 20) errors.push_back(e.what());
      }
      const size_t d = done.fetch_add(1) + 1;
      if (opt.progress) opt.progress("reading", d, files.size());
    }
    std::lock_guard<std::mutex> lock(mu);
    for (auto& [w, n] : local) counts[w] += n;
    stats.base_tokens += tokens;
    stats.failed += failed;
    for (auto& e : errors)
      if (stats.errors.size() < 20) stats.errors.push_back(std::move(e));
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (opt.cancel && opt.cancel->load()) throw TokenizerError("training cancelled");
  stats.files = files.size();
  stats.distinct_words = counts.size();
  stats.read_seconds = seconds_since(t0);
  if (stats.failed == files.size()) throw TokenizerError("no MIDI file could be read to train the tokenizer");

  const auto t1 = std::chrono::steady_clock::now();
  SubwordModel model = opt.kind == SubwordKind::BPE         ? train_bpe(counts, train_opt)
                       : opt.kind == SubwordKind::WordPiece ? train_wordpiece(counts, train_opt)
                                                            : train_unigram(counts, train_opt);
  stats.train_seconds = seconds_since(t1);
  base->set_subword(std::move(model));
  if (stats_out) *stats_out = std::move(stats);
  return base;
}

}  // namespace harmonia::tokenizer
