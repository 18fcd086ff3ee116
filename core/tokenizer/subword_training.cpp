// BPE (and WordPiece, whose trainer is BPE's) training with tokenizers' exact rules, so a
// corpus gives the same merges and ids as MidiTok + Hugging Face tokenizers:
// - ids: special tokens, then the alphabet in code point order, then merged tokens in the
//   order they are made;
// - each step merges the most frequent pair, ties going to the smallest (left id, right id);
// - counts live in a priority queue whose entries go stale: an entry whose count no longer
//   matches is refreshed and pushed back, and an entry only merges the words it lists —
//   tokenizers' own bookkeeping, reproduced because it decides which pair wins.
#include "core/tokenizer/subword_training.hpp"

#include <algorithm>
#include <deque>
#include <queue>

#include "core/tokenizer/config.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

namespace {

using Pair = uint64_t;  // (left id << 32) | right id: ordering by Pair is ordering by (left, right)
Pair make_pair_key(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }
uint32_t left_of(Pair p) { return uint32_t(p >> 32); }
uint32_t right_of(Pair p) { return uint32_t(p); }

struct QueueEntry {
  Pair pair;
  int64_t count;
  std::vector<uint32_t> words;  // indices of the words to merge in
};
struct QueueOrder {  // the top is the largest count, then the smallest pair
  bool operator()(const QueueEntry& a, const QueueEntry& b) const {
    if (a.count != b.count) return a.count < b.count;
    return a.pair > b.pair;
  }
};

// Pair -> its bookkeeping, in one open-addressing table: the training loop does millions of
// lookups, and node-based maps spent most of the time in malloc.
struct PairInfo {
  int64_t count = 0;
  std::vector<uint32_t> new_words;  // words where the pair appeared since the last flush
  std::vector<uint32_t> places;     // nodes where the pair may start (checked when used)
  bool dirty = false;
};
class PairTable {
 public:
  PairTable() : keys_(1024, kEmpty), slots_(1024, 0) {}
  PairInfo& operator[](Pair key) {
    size_t i = probe(key);
    if (keys_[i] == kEmpty) {
      if ((info_.size() + 1) * 2 > keys_.size()) {
        grow();
        i = probe(key);
      }
      keys_[i] = key;
      slots_[i] = uint32_t(info_.size());
      info_.emplace_back();
      pair_of_.push_back(key);
    }
    return info_[slots_[i]];
  }
  PairInfo& at_index(size_t k) { return info_[k]; }
  Pair pair_at(size_t k) const { return pair_of_[k]; }
  size_t index_of(Pair key) {
    (*this)[key];
    return slots_[probe(key)];
  }

 private:
  static constexpr Pair kEmpty = ~Pair(0);
  size_t probe(Pair key) const {
    const size_t mask = keys_.size() - 1;
    size_t i = size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Pair> old = std::move(keys_);
    std::vector<uint32_t> old_slots = std::move(slots_);
    keys_.assign(old.size() * 2, kEmpty);
    slots_.assign(old.size() * 2, 0);
    for (size_t i = 0; i < old.size(); ++i)
      if (old[i] != kEmpty) {
        const size_t j = probe(old[i]);
        keys_[j] = old[i];
        slots_[j] = old_slots[i];
      }
  }
  std::vector<Pair> keys_;
  std::vector<uint32_t> slots_;
  std::deque<PairInfo> info_;  // stable references while the table grows
  std::vector<Pair> pair_of_;
};

}  // namespace

void add_words(WordCounts& counts, const std::vector<std::u32string>& words, bool metaspace) {
  for (const auto& w : words) {
    if (w.empty()) continue;
    if (!metaspace) {
      ++counts[w];
      continue;
    }
    // Metaspace (prepend "always", split): "▁" first, a new word at every "▁".
    std::u32string s;
    s.reserve(w.size() + 1);
    if (w[0] != kMetaspace) s.push_back(kMetaspace);
    s += w;
    size_t start = 0;
    for (size_t i = 1; i <= s.size(); ++i)
      if (i == s.size() || s[i] == kMetaspace) {
        ++counts[s.substr(start, i - start)];
        start = i;
      }
  }
}

SubwordTrainOptions miditok_train_options(const Tokenizer& base, SubwordKind kind, size_t vocab_size) {
  if (base.is_compound()) throw TokenizerError(base.name() + " uses one vocabulary per field and cannot be trained");
  const Vocabulary& v = base.vocab();
  SubwordTrainOptions o;
  o.kind = kind;
  o.vocab_size = vocab_size;
  const std::string& split = base.config().encode_ids_split;
  o.metaspace = split != "no";
  for (const auto& s : base.config().special_tokens) {
    if (is_unigram_special(s)) continue;
    const int id = v.id(s);
    if (id < 0) continue;
    if (kind == SubwordKind::Unigram) o.special_tokens.push_back({base_char(0), base_char(id), base_char(0)});
    else o.special_tokens.push_back(std::u32string(1, base_char(id)));
  }
  for (size_t i = 0; i < v.size(); ++i)
    if (!is_unigram_special(v.text(int(i)))) o.initial_alphabet.push_back(base_char(int32_t(i)));
  if (o.metaspace && kind != SubwordKind::Unigram) {
    o.continuing_prefix = "";
    if (kind == SubwordKind::BPE) o.end_suffix = "";
  }
  const int pad = v.id("PAD_None");
  o.wordpiece_unk = std::u32string(1, base_char(pad >= 0 ? pad : 0));
  o.wordpiece_max_chars = split == "beat" ? 100 : 400;
  return o;
}

SubwordModel train_bpe(const WordCounts& word_counts, const SubwordTrainOptions& o) {
  std::vector<std::u32string> id_to_word;
  std::unordered_map<std::u32string, uint32_t> word_to_id;
  auto add_token = [&](const std::u32string& s) {
    if (word_to_id.emplace(s, uint32_t(id_to_word.size())).second) id_to_word.push_back(s);
  };
  for (const auto& s : o.special_tokens) add_token(s);
  {  // alphabet: what the words use plus the initial alphabet, in code point order
    std::vector<bool> used(0x110000, false);
    for (char32_t c : o.initial_alphabet) used[std::min<char32_t>(c, 0x10FFFF)] = true;
    for (const auto& [w, n] : word_counts)
      for (char32_t c : w) used[std::min<char32_t>(c, 0x10FFFF)] = true;
    for (char32_t c = 0; c < used.size(); ++c)
      if (used[c]) add_token(std::u32string(1, c));
  }
  const std::u32string prefix = utf8_to_u32(o.continuing_prefix.value_or(""));
  const std::u32string suffix = utf8_to_u32(o.end_suffix.value_or(""));

  // Words as id sequences (sorted so that runs are reproducible; tokenizers' order is a
  // hash map's and does not change the result).
  std::vector<std::pair<std::u32string, uint64_t>> sorted(word_counts.begin(), word_counts.end());
  std::sort(sorted.begin(), sorted.end());
  // All words in one linked list of symbols (node = position in the concatenation), so a
  // merge visits only the places its pair occurs: whole-track words stay cheap.
  constexpr uint32_t kDead = 0xFFFFFFFFu;
  const bool plain = prefix.empty() && suffix.empty();
  std::unordered_map<char32_t, uint32_t> char_id;
  for (const auto& [text, id] : word_to_id)
    if (text.size() == 1) char_id[text[0]] = id;
  std::vector<uint32_t> sym, word_of;
  std::vector<int32_t> next, prev;
  std::vector<int64_t> counts;
  for (const auto& [w, n] : sorted) {
    const auto word = uint32_t(counts.size());
    counts.push_back(int64_t(n));
    const size_t first = sym.size();
    for (size_t i = 0; i < w.size(); ++i) {
      uint32_t id;
      if (plain) {  // no prefix/suffix (MidiTok's choice): a character is its alphabet entry
        const auto it = char_id.find(w[i]);
        if (it == char_id.end()) continue;
        id = it->second;
      } else {
        std::u32string s(1, w[i]);
        if (!word_to_id.count(s)) continue;
        if (i > 0) s = prefix + s;
        if (i + 1 == w.size()) s += suffix;
        add_token(s);
        id = word_to_id.at(s);
      }
      const auto node = int32_t(sym.size());
      sym.push_back(id);
      word_of.push_back(word);
      prev.push_back(node > int32_t(first) ? node - 1 : -1);
      next.push_back(-1);
      if (node > int32_t(first)) next[size_t(node) - 1] = node;
    }
  }

  PairTable pairs;
  std::vector<size_t> dirty;  // pairs with new words since the last flush
  auto note_word = [&](Pair p, uint32_t word, uint32_t node) {
    const size_t k = pairs.index_of(p);
    PairInfo& info = pairs.at_index(k);
    if (info.new_words.empty() || info.new_words.back() != word) info.new_words.push_back(word);
    info.places.push_back(node);
    if (!info.dirty) {
      info.dirty = true;
      dirty.push_back(k);
    }
    return &info;
  };
  for (size_t n = 0; n < sym.size(); ++n) {
    if (next[n] < 0) continue;
    const uint32_t word = word_of[n];
    note_word(make_pair_key(sym[n], sym[size_t(next[n])]), word, uint32_t(n))->count += counts[word];
  }
  std::priority_queue<QueueEntry, std::vector<QueueEntry>, QueueOrder> queue;
  auto flush_where = [&] {
    for (size_t k : dirty) {
      PairInfo& info = pairs.at_index(k);
      info.dirty = false;
      auto list = std::move(info.new_words);
      info.new_words.clear();
      if (info.count <= 0) continue;
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
      queue.push({pairs.pair_at(k), info.count, std::move(list)});
    }
    dirty.clear();
  };
  flush_where();
  auto change = [&](uint32_t left, uint32_t right, int delta, uint32_t node) {
    const Pair p = make_pair_key(left, right);
    const uint32_t word = word_of[node];
    if (delta > 0) note_word(p, word, node)->count += counts[word];
    else pairs[p].count -= counts[word];
  };

  std::vector<std::pair<Pair, uint32_t>> merges;  // in the order made, duplicates included
  std::vector<uint32_t> stamp(counts.size(), 0), selected, kept;
  uint32_t round = 0;
  const size_t target = std::max(o.vocab_size, id_to_word.size());
  while (word_to_id.size() < target && !queue.empty()) {
    QueueEntry top = std::move(const_cast<QueueEntry&>(queue.top()));  // popped at once
    queue.pop();
    const int64_t current = pairs[top.pair].count;
    if (top.count != current) {  // stale: refresh and retry
      top.count = current;
      queue.push(std::move(top));
      continue;
    }
    if (top.count < 1) break;
    const uint32_t a = left_of(top.pair), b = right_of(top.pair);
    std::u32string right = id_to_word[b];
    if (!prefix.empty() && right.compare(0, prefix.size(), prefix) == 0) right.erase(0, prefix.size());
    const std::u32string joined = id_to_word[a] + right;
    add_token(joined);
    const uint32_t merged = word_to_id.at(joined);
    merges.push_back({top.pair, merged});

    // The entry merges only the words it lists, each left to right (tokenizers' Word::merge):
    // take this pair's places in those words, in order, and merge those still valid.
    ++round;
    for (uint32_t w : top.words) stamp[w] = round;
    std::vector<uint32_t> places = std::move(pairs[top.pair].places);
    pairs[top.pair].places.clear();
    selected.clear();
    kept.clear();
    for (uint32_t n : places) (stamp[word_of[n]] == round ? selected : kept).push_back(n);
    std::sort(selected.begin(), selected.end());
    selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
    for (uint32_t n : selected) {
      if (sym[n] != a || next[n] < 0 || sym[size_t(next[n])] != b) continue;  // merged away since
      const auto m = uint32_t(next[n]);
      const int32_t before = prev[n], after = next[m];
      if (before >= 0) {
        change(sym[size_t(before)], a, -1, uint32_t(before));
        change(sym[size_t(before)], merged, 1, uint32_t(before));
      }
      if (after >= 0) {
        change(b, sym[size_t(after)], -1, n);
        change(merged, sym[size_t(after)], 1, n);
      }
      sym[n] = merged;
      next[n] = after;
      if (after >= 0) prev[size_t(after)] = int32_t(n);
      sym[m] = kDead;
    }
    if (!kept.empty()) {
      auto& back = pairs[top.pair].places;
      back.insert(back.end(), kept.begin(), kept.end());
    }
    flush_where();
    if (merges.size() % 64 == 0) {
      if (o.cancel && o.cancel->load()) throw TokenizerError("training cancelled");
      if (o.progress) o.progress("merges", word_to_id.size(), target);
    }
  }
  if (o.progress) o.progress("merges", word_to_id.size(), target);

  // tokenizers keeps one rank per pair, the last one given (its merges live in a hash map).
  std::unordered_map<Pair, size_t> last;
  for (size_t i = 0; i < merges.size(); ++i) last[merges[i].first] = i;
  std::vector<std::pair<int32_t, int32_t>> ranked;
  for (size_t i = 0; i < merges.size(); ++i)
    if (last[merges[i].first] == i) ranked.push_back({int32_t(left_of(merges[i].first)), int32_t(right_of(merges[i].first))});

  std::vector<SubwordModel::AddedToken> added;
  for (const auto& s : o.special_tokens) added.push_back({s, int32_t(word_to_id.at(s))});
  return SubwordModel::make_bpe(std::move(id_to_word), ranked, std::move(added), o.metaspace, o.continuing_prefix,
                                o.end_suffix);
}

SubwordModel train_wordpiece(const WordCounts& words, const SubwordTrainOptions& options) {
  // tokenizers trains WordPiece with its BPE trainer and keeps the vocabulary; the prefix
  // defaults to "##" when MidiTok passes none (no splitting).
  SubwordTrainOptions o = options;
  if (!o.continuing_prefix) o.continuing_prefix = "##";
  o.end_suffix.reset();
  const SubwordModel bpe = train_bpe(words, o);
  std::vector<SubwordModel::Piece> vocab;
  for (size_t i = 0; i < bpe.size(); ++i) vocab.push_back(bpe.piece(int32_t(i)));
  return SubwordModel::make_wordpiece(std::move(vocab), bpe.added_tokens(), o.metaspace, o.wordpiece_unk,
                                      *o.continuing_prefix, o.wordpiece_max_chars);
}

}  // namespace harmonia::tokenizer

