// Unigram training with the rules of Hugging Face tokenizers 0.23's UnigramTrainer (itself
// sentencepiece's unigram trainer), as MidiTok 3.0.6 configures it:
//  1. seeds: every character, then the repeated substrings of the distinct words (the
//     suffix tree's internal nodes, 2..max_piece_length characters), scored by
//     occurrences x length, best first; scores become log probabilities;
//  2. EM: two rounds of (E-step: expected piece counts over every segmentation of every
//     word; M-step: drop pieces expected less than 0.5 times, score digamma(count) -
//     digamma(total)), then prune to max(75 %, vocab_size x 1.1) by how much the likelihood
//     would drop without each piece; repeat until at most vocab_size x 1.1 pieces are left;
//  3. finalize: every required character (of the words and the initial alphabet), then the
//     model's pieces in order up to vocab_size - specials, sorted by score; the special
//     tokens first with score 0.
// The quirks of that code are kept on purpose, because they shape the result: substring
// counts come from the distinct words (each once, whatever its count) while character
// counts are weighted; pruning's "alternative" normaliser uses the number of pieces where
// sentencepiece uses the number of alternatives; a pruning that keeps more pieces than
// asked for keeps all candidates too.
//
// Speed: tokenizers builds a lattice of reference-counted nodes through a trie per word and
// per iteration. Here every occurrence of every seed is found once from the suffix array
// (pieces are only ever removed afterwards), and each pass lays out the living pieces per
// text position in one flat array; words are processed in fixed chunks on several threads
// and the chunks' sums added in chunk order, so the result does not depend on the number of
// threads.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "core/tokenizer/config.hpp"
#include "core/tokenizer/subword_training.hpp"
#include "core/tokenizer/substring_index.hpp"

namespace harmonia::tokenizer {
namespace {

constexpr size_t kSeedSize = 1'000'000;  // UnigramTrainer's seed_size
constexpr double kShrinkingFactor = 0.75;
constexpr int kSubIterations = 2;
constexpr double kUnkPenalty = 10.0;  // the unknown piece scores min_score - 10
constexpr double kMinExpectedCount = 0.5;
constexpr size_t kChunks = 16;  // fixed work split (threads take chunks), see above
constexpr char32_t kSeparator = 0;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr uint32_t kNoSeed = UINT32_MAX;

// The same series as tokenizers (and sentencepiece): shift x up to 7, then asymptotic.
double digamma(double x) {
  double result = 0.0;
  while (x < 7.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  x -= 0.5;
  const double xx = 1.0 / x, xx2 = xx * xx, xx4 = xx2 * xx2;
  result += std::log(x) + (1.0 / 24.0) * xx2 - 7.0 / 960.0 * xx4 + (31.0 / 8064.0) * xx4 * xx2 -
            (127.0 / 30720.0) * xx4 * xx4;
  return result;
}

// log(exp(x) + exp(y)) as tokenizers computes it: a term 50 below the other is dropped.
// Starting a sum from -inf gives exactly the first term, like its "init mode".
inline double log_sum_exp(double x, double y) {
  const double vmin = std::min(x, y), vmax = std::max(x, y);
  if (vmax > vmin + 50.0) return vmax;
  return vmax + std::log(std::exp(vmin - vmax) + 1.0);
}

// The distinct words laid end to end, each followed by a separator (as tokenizers builds
// its suffix array text); a word is a range of that text.
struct Corpus {
  std::u32string text;
  std::vector<uint32_t> begin, length;
  std::vector<double> count;
  double total_count = 0;  // including empty words, as tokenizers' pruning counts them
  size_t longest = 0;
};

Corpus make_corpus(const WordCounts& words) {
  // Sorted, so that the result does not depend on the map's iteration order.
  std::vector<std::pair<const std::u32string*, uint64_t>> sorted;
  sorted.reserve(words.size());
  for (const auto& [w, n] : words) sorted.push_back({&w, n});
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  Corpus c;
  for (const auto& [w, n] : sorted) {
    c.total_count += double(n);
    if (w->empty()) continue;
    c.begin.push_back(uint32_t(c.text.size()));
    c.length.push_back(uint32_t(w->size()));
    c.count.push_back(double(n));
    c.longest = std::max(c.longest, w->size());
    c.text += *w;
    c.text.push_back(kSeparator);
  }
  return c;
}

// Candidate pieces: seed k is text[pos[k], pos[k] + length[k]). Characters come first.
// `starting` lists, per text position, the seeds of two or more characters found there,
// shortest first (the order tokenizers' trie walk meets them).
struct Seeds {
  std::vector<uint32_t> pos, length;
  std::vector<double> log_prob;
  size_t characters = 0;
  std::vector<int32_t> char_seed;  // by code point; -1 when not a seed
  std::vector<uint32_t> starting_begin, starting;
};

Seeds make_seeds(const Corpus& c, size_t max_piece_length) {
  Seeds s;
  // Characters, weighted by word counts, most frequent first (ties: larger code point).
  char32_t max_char = 0;
  for (char32_t ch : c.text) max_char = std::max(max_char, ch);
  std::vector<double> char_count(size_t(max_char) + 1, 0.0);
  std::vector<uint32_t> char_pos(size_t(max_char) + 1, 0);
  for (size_t w = 0; w < c.begin.size(); ++w)
    for (uint32_t i = c.begin[w]; i < c.begin[w] + c.length[w]; ++i) {
      char_count[c.text[i]] += c.count[w];
      char_pos[c.text[i]] = i;
    }
  std::vector<char32_t> chars;
  for (size_t ch = 1; ch <= max_char; ++ch)
    if (char_count[ch] > 0) chars.push_back(char32_t(ch));
  std::sort(chars.begin(), chars.end(), [&](char32_t a, char32_t b) {
    return char_count[a] != char_count[b] ? char_count[a] > char_count[b] : a > b;
  });
  s.char_seed.assign(size_t(max_char) + 1, -1);
  std::vector<double> raw;
  for (char32_t ch : chars) {
    s.char_seed[ch] = int32_t(s.pos.size());
    s.pos.push_back(char_pos[ch]);
    s.length.push_back(1);
    raw.push_back(char_count[ch]);
  }
  s.characters = chars.size();

  // Substrings: occurrences (among the distinct words) x length, best first; ties go to
  // the larger string, as tokenizers sorts (score, chars) in reverse.
  const std::u32string_view text = c.text;
  const auto suffixes = sort_suffixes(text, max_piece_length + 1);
  auto subs = repeated_substrings(text, suffixes, 2, max_piece_length, kSeparator);
  auto str = [&](const RepeatedSubstring& r) { return text.substr(suffixes[r.first], r.length); };
  std::sort(subs.begin(), subs.end(), [&](const RepeatedSubstring& a, const RepeatedSubstring& b) {
    const uint64_t sa = uint64_t(a.count) * a.length, sb = uint64_t(b.count) * b.length;
    return sa != sb ? sa > sb : str(a) > str(b);
  });
  if (s.pos.size() + subs.size() > kSeedSize) subs.resize(kSeedSize > s.pos.size() ? kSeedSize - s.pos.size() : 0);

  // Every occurrence of every substring seed, by start position, shortest first.
  s.starting_begin.assign(text.size() + 1, 0);
  for (const auto& r : subs)
    for (uint32_t j = r.first; j < r.first + r.count; ++j) ++s.starting_begin[suffixes[j] + 1];
  for (size_t i = 1; i < s.starting_begin.size(); ++i) s.starting_begin[i] += s.starting_begin[i - 1];
  s.starting.resize(s.starting_begin.back());
  std::vector<uint32_t> fill(s.starting_begin.begin(), s.starting_begin.end() - 1);
  for (const auto& r : subs) {
    const uint32_t k = uint32_t(s.pos.size());
    s.pos.push_back(suffixes[r.first]);
    s.length.push_back(r.length);
    raw.push_back(double(uint64_t(r.count) * r.length));
    for (uint32_t j = r.first; j < r.first + r.count; ++j) s.starting[fill[suffixes[j]]++] = k;
  }
  for (size_t p = 0; p < text.size(); ++p)
    std::sort(s.starting.begin() + s.starting_begin[p], s.starting.begin() + s.starting_begin[p + 1],
              [&](uint32_t a, uint32_t b) { return s.length[a] < s.length[b]; });

  double sum = 0;
  for (double v : raw) sum += v;
  const double log_sum = std::log(sum);
  s.log_prob.resize(raw.size());
  for (size_t k = 0; k < raw.size(); ++k) s.log_prob[k] = std::log(raw[k]) - log_sum;
  return s;
}

// The current model: id 0 is the training-only unknown piece (score NaN), every other id
// a seed. (tokenizers also puts that piece's text "<UNK>" in its trie; five base
// characters could spell it, and would make its training fail on a NaN score; here the
// unknown piece only stands in for removed characters.)
struct Model {
  std::vector<uint32_t> seed;
  std::vector<double> score;

  double min_score() const {
    double m = std::numeric_limits<double>::infinity();
    for (double v : score)
      if (v < m) m = v;  // NaN never compares less
    return m;
  }
};

// One lattice node: a piece (model id) that starts at some text position.
struct Node {
  int32_t id;
  uint32_t length;
};

// Per text position, the living pieces that start there in tokenizers' lattice order: the
// character (or the unknown piece after the others when the character is gone), then
// longer pieces. `score` is indexed by id, with the unknown piece's lattice score at 0.
struct Lattices {
  std::vector<uint32_t> begin;
  std::vector<Node> nodes;
  std::vector<double> score;
};

// Also forgets removed seeds in seeds.starting for good: nothing removed comes back.
Lattices make_lattices(const Corpus& c, Seeds& seeds, const Model& m) {
  std::vector<int32_t> id_of(seeds.pos.size(), -1);
  for (size_t id = 1; id < m.seed.size(); ++id) id_of[m.seed[id]] = int32_t(id);
  Lattices l;
  l.score = m.score;
  l.score[0] = m.min_score() - kUnkPenalty;
  l.begin.resize(c.text.size() + 1);
  // At most one node per character plus one per remaining seed occurrence; written by
  // index (push_back in this loop was a tenth of the training time).
  l.nodes.resize(c.text.size() + seeds.starting.size());
  size_t used = 0, kept = 0;
  for (size_t p = 0; p < c.text.size(); ++p) {
    l.begin[p] = uint32_t(used);
    const uint32_t from = seeds.starting_begin[p], to = seeds.starting_begin[p + 1];
    seeds.starting_begin[p] = uint32_t(kept);
    if (c.text[p] == kSeparator) continue;
    const int32_t char_id = id_of[size_t(seeds.char_seed[c.text[p]])];
    if (char_id > 0) l.nodes[used++] = {char_id, 1};
    for (uint32_t e = from; e < to; ++e) {
      const uint32_t k = seeds.starting[e];
      if (id_of[k] < 0) continue;
      seeds.starting[kept++] = k;
      l.nodes[used++] = {id_of[k], seeds.length[k]};
    }
    if (char_id <= 0) l.nodes[used++] = {0, 1};
  }
  seeds.starting_begin[c.text.size()] = uint32_t(kept);
  seeds.starting.resize(kept);
  l.begin[c.text.size()] = uint32_t(used);
  l.nodes.resize(used);
  return l;
}

// Runs work(chunk, first word, end word) over kChunks ranges of words of similar total
// length, on up to hardware_concurrency threads.
template <class Work>
void for_word_chunks(const Corpus& c, Work&& work) {
  std::vector<size_t> bounds{0};
  const double per_chunk = double(c.text.size()) / kChunks;
  for (size_t w = 0; w < c.begin.size(); ++w)
    if (double(c.begin[w]) >= per_chunk * double(bounds.size()) && bounds.size() < kChunks) bounds.push_back(w);
  bounds.push_back(c.begin.size());
  const size_t chunks = bounds.size() - 1;
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t k; (k = next++) < chunks;) work(k, bounds[k], bounds[k + 1]);
  };
  const size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), chunks);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

// E-step: each piece's expected count over all segmentations of all words (forward-
// backward in log space, tokenizers' Lattice::populate_marginal). A node's forward value
// only depends on where it starts and its backward value on where it ends, so both are
// kept per position.
std::vector<double> expected_counts(const Corpus& c, const Lattices& l, size_t n_ids) {
  std::vector<std::vector<double>> partial(kChunks);
  for_word_chunks(c, [&](size_t chunk, size_t first, size_t end) {
    std::vector<double>& expected = partial[chunk];
    expected.assign(n_ids, 0.0);
    std::vector<double> alpha(c.longest + 1), beta(c.longest + 1);
    for (size_t w = first; w < end; ++w) {
      const uint32_t b = c.begin[w], len = c.length[w];
      std::fill(alpha.begin(), alpha.begin() + len + 1, kNegInf);
      alpha[0] = 0.0;
      for (uint32_t s = 0; s < len; ++s)
        for (uint32_t i = l.begin[b + s]; i < l.begin[b + s + 1]; ++i) {
          const Node& n = l.nodes[i];
          alpha[s + n.length] = log_sum_exp(alpha[s + n.length], l.score[size_t(n.id)] + alpha[s]);
        }
      beta[len] = 0.0;
      for (uint32_t s = len; s-- > 0;) {
        double v = kNegInf;
        for (uint32_t i = l.begin[b + s]; i < l.begin[b + s + 1]; ++i) {
          const Node& n = l.nodes[i];
          v = log_sum_exp(v, l.score[size_t(n.id)] + beta[s + n.length]);
        }
        beta[s] = v;
      }
      const double z = alpha[len];
      for (uint32_t s = 0; s < len; ++s)
        for (uint32_t i = l.begin[b + s]; i < l.begin[b + s + 1]; ++i) {
          const Node& n = l.nodes[i];
          expected[size_t(n.id)] += c.count[w] * std::exp(alpha[s] + l.score[size_t(n.id)] + beta[s + n.length] - z);
        }
    }
  });
  std::vector<double> total(n_ids, 0.0);
  for (const auto& p : partial)
    for (size_t i = 0; i < p.size(); ++i) total[i] += p[i];
  return total;
}

// M-step: drop rarely expected pieces, score the rest with the digamma ("Bayesianified"
// EM, a sparse prior). The unknown piece always stays.
Model maximize(const Model& m, const std::vector<double>& expected) {
  Model out;
  out.seed.push_back(kNoSeed);
  out.score.push_back(std::numeric_limits<double>::quiet_NaN());
  double sum = 0;
  for (size_t id = 1; id < m.seed.size(); ++id) {
    if (expected[id] < kMinExpectedCount) continue;
    out.seed.push_back(m.seed[id]);
    out.score.push_back(expected[id]);
    sum += expected[id];
  }
  const double log_sum = digamma(sum);
  for (size_t id = 1; id < out.score.size(); ++id) out.score[id] = digamma(out.score[id]) - log_sum;
  return out;
}

// Best segmentation of text[first, first + len) (tokenizers' Lattice::viterbi: on a tie
// the node that starts first, i.e. the longest, wins), as ids appended to `out`.
// Scratch vectors are the caller's to avoid reallocating per word.
struct Best {
  std::vector<double> score;
  std::vector<uint32_t> from;
  std::vector<int32_t> id;
};

void viterbi(const Lattices& l, uint32_t first, uint32_t len, Best& best, std::vector<int32_t>& out) {
  best.score.assign(len + 1, kNegInf);
  best.from.resize(len + 1);
  best.id.resize(len + 1);
  best.score[0] = 0.0;
  for (uint32_t s = 0; s < len; ++s)
    for (uint32_t i = l.begin[first + s]; i < l.begin[first + s + 1]; ++i) {
      const Node& n = l.nodes[i];
      const double v = best.score[s] + l.score[size_t(n.id)];
      if (v > best.score[s + n.length]) {
        best.score[s + n.length] = v;
        best.from[s + n.length] = s;
        best.id[s + n.length] = n.id;
      }
    }
  const size_t start = out.size();
  for (uint32_t e = len; e > 0; e = best.from[e]) out.push_back(best.id[e]);
  std::reverse(out.begin() + std::ptrdiff_t(start), out.end());
}

// The two best segmentations of a piece's own text (tokenizers' nbest(2)), keeping per
// position the two best partial paths. Returns how many exist (1 or 2).
struct TwoBest {
  size_t paths = 0;
  size_t best_length = 0;            // pieces in the best segmentation
  std::vector<int32_t> second;       // ids of the second best
};

TwoBest two_best(const Lattices& l, uint32_t first, uint32_t len) {
  struct Path {
    double score = kNegInf;
    uint32_t from = 0, from_rank = 0;
    int32_t id = -1;
  };
  std::vector<std::array<Path, 2>> at(len + 1);
  at[0][0].score = 0.0;
  at[0][0].id = -2;  // the start
  for (uint32_t s = 0; s < len; ++s)
    for (uint32_t r = 0; r < 2; ++r) {
      if (at[s][r].id == -1) continue;
      for (uint32_t i = l.begin[first + s]; i < l.begin[first + s + 1]; ++i) {
        const Node& n = l.nodes[i];
        if (s + n.length > len) continue;
        const Path p{at[s][r].score + l.score[size_t(n.id)], s, r, n.id};
        auto& slot = at[s + n.length];
        if (slot[0].id == -1 || p.score > slot[0].score) {
          slot[1] = slot[0];
          slot[0] = p;
        } else if (slot[1].id == -1 || p.score > slot[1].score) {
          slot[1] = p;
        }
      }
    }
  TwoBest out;
  auto trace = [&](uint32_t rank, std::vector<int32_t>* ids) {
    size_t count = 0;
    for (uint32_t e = len; e > 0;) {
      const Path& p = at[e][rank];
      if (ids) ids->push_back(p.id);
      ++count;
      e = p.from;
      rank = p.from_rank;
    }
    return count;
  };
  if (at[len][0].id == -1) return out;
  out.paths = 1;
  out.best_length = trace(0, nullptr);
  if (at[len][1].id != -1) {
    out.paths = 2;
    trace(1, &out.second);
    std::reverse(out.second.begin(), out.second.end());
  }
  return out;
}

// Pruning (tokenizers' prune_sentence_pieces): estimate for each piece how much the
// corpus likelihood drops if its occurrences were replaced by its second best
// segmentation, keep the pieces that cost most.
Model prune(const Corpus& c, const Seeds& seeds, const Lattices& l, const Model& m, size_t desired_size) {
  const size_t n = m.seed.size();
  std::vector<char> always_keep(n, 1);
  std::vector<std::vector<int32_t>> alternatives(n);
  always_keep[0] = 0;
  for (size_t id = 1; id < n; ++id) {
    const uint32_t k = m.seed[id];
    const TwoBest t = two_best(l, seeds.pos[k], seeds.length[k]);
    if (t.paths == 1) {
      always_keep[id] = 1;
    } else if (t.best_length >= 2) {
      always_keep[id] = 0;  // the piece is not its own best segmentation
    } else if (t.best_length == 1) {
      always_keep[id] = 1;
      alternatives[id] = t.second;
    }
  }

  // How often each piece is in the words' best segmentations.
  std::vector<std::vector<double>> partial(kChunks);
  for_word_chunks(c, [&](size_t chunk, size_t first, size_t end) {
    std::vector<double>& freq = partial[chunk];
    freq.assign(n, 0.0);
    Best best;
    std::vector<int32_t> ids;
    for (size_t w = first; w < end; ++w) {
      ids.clear();
      viterbi(l, c.begin[w], c.length[w], best, ids);
      for (int32_t id : ids) freq[size_t(id)] += c.count[w];
    }
  });
  std::vector<double> freq(n, 0.0);
  for (const auto& p : partial)
    for (size_t i = 0; i < p.size(); ++i) freq[i] += p[i];
  double sum = 0;
  for (double f : freq) sum += f;
  const double log_sum = std::log(sum);

  Model out;
  out.seed.push_back(m.seed[0]);
  out.score.push_back(m.score[0]);
  std::vector<std::pair<size_t, double>> candidates;
  for (size_t id = 1; id < n; ++id) {
    if (freq[id] == 0.0 && !always_keep[id]) continue;  // never used: safe to drop
    if (alternatives[id].empty()) {                      // nothing could replace it
      out.seed.push_back(m.seed[id]);
      out.score.push_back(m.score[id]);
      continue;
    }
    // tokenizers sums the counts of the words at each occurrence: that is freq[id].
    double f = freq[id];
    if (f == 0.0 || std::isnan(f)) continue;
    f /= c.total_count;
    const double logprob_sp = std::log(freq[id]) - log_sum;
    // tokenizers multiplies by (number of pieces - 1) here (sentencepiece: number of
    // alternatives - 1). Kept: it decides which pieces go — with sentencepiece's factor
    // only 890 of MidiTok's 1000 REMI-Unigram1000 pieces come out, with this one all.
    const double log_sum_alt = std::log(sum + freq[id] * double(n - 1));
    double logprob_alt = 0;
    for (int32_t a : alternatives[id]) logprob_alt += std::log(freq[size_t(a)] + freq[id]) - log_sum_alt;
    candidates.push_back({id, f * (logprob_sp - logprob_alt)});
  }
  const size_t pruned_size = std::max(desired_size, size_t(double(n) * kShrinkingFactor));
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [id, loss] : candidates) {
    if (out.seed.size() == pruned_size) break;  // "==": when already past it, all stay (as in tokenizers)
    out.seed.push_back(m.seed[id]);
    out.score.push_back(m.score[id]);
  }
  return out;
}

}  // namespace

SubwordModel train_unigram(const WordCounts& words, const SubwordTrainOptions& o) {
  auto progress = [&](const std::string& stage, size_t done, size_t total) {
    if (o.cancel && o.cancel->load()) throw TokenizerError("training cancelled");
    if (o.progress) o.progress(stage, done, total);
  };
  const Corpus corpus = make_corpus(words);

  // Every character of the words and of the initial alphabet must end up in the vocabulary.
  std::vector<char32_t> required(corpus.text.begin(), corpus.text.end());
  required.insert(required.end(), o.initial_alphabet.begin(), o.initial_alphabet.end());
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  if (!required.empty() && required.front() == kSeparator) required.erase(required.begin());
  if (required.size() > o.vocab_size)
    throw TokenizerError("Unigram training: vocab_size " + std::to_string(o.vocab_size) + " cannot hold the " +
                         std::to_string(required.size()) + " characters");
  if (o.special_tokens.size() > o.vocab_size)
    throw TokenizerError("Unigram training: more special tokens than vocab_size");

  progress("Unigram seeds", 0, 1);
  Seeds seeds = make_seeds(corpus, std::max<size_t>(o.unigram_max_piece_length, 1));
  progress("Unigram seeds", 1, 1);

  Model model;
  model.seed.push_back(kNoSeed);
  model.score.push_back(std::numeric_limits<double>::quiet_NaN());
  for (size_t k = 0; k < seeds.pos.size(); ++k) {
    model.seed.push_back(uint32_t(k));
    model.score.push_back(seeds.log_prob[k]);
  }

  const size_t desired = o.vocab_size * 11 / 10;
  const size_t expected_loops =
      size_t((std::log(double(desired)) - std::log(double(model.seed.size()))) / std::log(kShrinkingFactor)) + 1;
  const size_t expected_updates = expected_loops * kSubIterations;
  size_t updates = 0;
  Lattices lattices = make_lattices(corpus, seeds, model);
  for (;;) {
    for (int sub = 0; sub < kSubIterations; ++sub) {
      const auto expected = expected_counts(corpus, lattices, model.seed.size());
      model = maximize(model, expected);
      lattices = make_lattices(corpus, seeds, model);
      progress("Unigram EM", std::min(++updates, expected_updates), expected_updates);
    }
    if (model.seed.size() <= desired) break;
    model = prune(corpus, seeds, lattices, model, desired);
    lattices = make_lattices(corpus, seeds, model);
  }

  // Finalize: required characters first (missing ones just above the lowest score), then
  // the model's pieces in model order until the vocabulary is full, sorted by score.
  auto piece_text = [&](uint32_t k) { return std::u32string(corpus.text.substr(seeds.pos[k], seeds.length[k])); };
  const double min_score = model.min_score();
  std::vector<double> char_score(seeds.char_seed.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t id = 1; id < model.seed.size(); ++id)
    if (seeds.length[model.seed[id]] == 1) char_score[corpus.text[seeds.pos[model.seed[id]]]] = model.score[id];
  std::vector<std::pair<std::u32string, double>> pieces;
  double penalty = 0;
  for (char32_t ch : required) {
    if (ch < char_score.size() && !std::isnan(char_score[ch])) {
      pieces.push_back({std::u32string(1, ch), char_score[ch]});
    } else {
      pieces.push_back({std::u32string(1, ch), min_score + penalty});
      penalty += 0.0001;
    }
  }
  const size_t room = o.vocab_size - o.special_tokens.size();
  for (size_t id = 1; id < model.seed.size(); ++id) {
    const uint32_t k = model.seed[id];
    if (seeds.length[k] == 1) continue;  // a character of the words: already in
    pieces.push_back({piece_text(k), std::isnan(model.score[id]) ? 0.0 : model.score[id]});
    if (pieces.size() == room) break;
  }
  std::stable_sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.second > b.second; });

  std::vector<std::pair<SubwordModel::Piece, double>> vocab;
  std::vector<SubwordModel::AddedToken> added;
  for (const auto& t : o.special_tokens) {
    added.push_back({t, int32_t(vocab.size())});
    vocab.push_back({t, 0.0});
  }
  for (auto& p : pieces) vocab.push_back(std::move(p));
  return SubwordModel::make_unigram(std::move(vocab), std::move(added), o.metaspace, std::nullopt);
}

}  // namespace harmonia::tokenizer
