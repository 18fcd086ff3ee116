#include "core/tokenizer/substring_index.hpp"

#include <algorithm>
#include <cstdint>

namespace harmonia::tokenizer {

// Prefix doubling: after a round with step k the suffixes are ordered by their first 2k
// characters, and each one's rank names its class of equal 2k-prefixes. Each round is two
// counting sorts, so the whole sort costs O(n log depth) — a few rounds for the 17
// characters the Unigram seeds need, however repetitive the text (a comparison sort of
// suffixes slows down on long repeats, which music has plenty of).
std::vector<uint32_t> sort_suffixes(std::u32string_view text, size_t depth) {
  const size_t n = text.size();
  std::vector<uint32_t> order(n), rank(n), next_rank(n), by_second(n);
  if (n == 0) return order;

  // Rank 0 is kept for "past the end", so a suffix that stops sorts first.
  std::vector<char32_t> alphabet(text.begin(), text.end());
  std::sort(alphabet.begin(), alphabet.end());
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  for (size_t i = 0; i < n; ++i)
    rank[i] = uint32_t(std::lower_bound(alphabet.begin(), alphabet.end(), text[i]) - alphabet.begin()) + 1;
  size_t classes = alphabet.size();

  std::vector<uint32_t> bucket;
  auto counting_sort = [&](const std::vector<uint32_t>& in) {  // stable, by rank
    bucket.assign(classes + 2, 0);
    for (size_t i = 0; i < n; ++i) ++bucket[rank[i] + 1];
    for (size_t r = 1; r < bucket.size(); ++r) bucket[r] += bucket[r - 1];
    for (uint32_t s : in) order[bucket[rank[s]]++] = s;
  };
  for (size_t i = 0; i < n; ++i) by_second[i] = uint32_t(i);
  counting_sort(by_second);

  for (size_t k = 1; k < depth && classes < n; k *= 2) {
    // Order by the second half (the characters k on), then stably by the first half.
    size_t p = 0;
    for (size_t i = n - std::min(k, n); i < n; ++i) by_second[p++] = uint32_t(i);
    for (uint32_t s : order)
      if (s >= k) by_second[p++] = s - uint32_t(k);
    counting_sort(by_second);
    auto second = [&](uint32_t s) { return s + k < n ? rank[s + k] : 0u; };
    classes = 1;
    next_rank[order[0]] = 1;
    for (size_t i = 1; i < n; ++i) {
      const uint32_t a = order[i - 1], b = order[i];
      if (rank[a] != rank[b] || second(a) != second(b)) ++classes;
      next_rank[b] = uint32_t(classes);
    }
    rank.swap(next_rank);
  }
  return order;
}

// The suffix tree's internal nodes are the lcp-intervals of the sorted suffixes: runs of
// neighbours sharing at least d characters, where some neighbouring pair shares exactly d.
// One pass with a stack of open intervals finds them all (Abouelhoda, Kurtz & Ohlebusch's
// bottom-up traversal). Common prefixes are only measured up to max_length + 1 characters:
// that is enough to tell every interval of depth <= max_length, and it is all that
// sort_suffixes ordered by.
std::vector<RepeatedSubstring> repeated_substrings(std::u32string_view text, const std::vector<uint32_t>& suffixes,
                                                   size_t min_length, size_t max_length, char32_t separator) {
  const size_t n = suffixes.size();
  const size_t cap = max_length + 1;
  auto common = [&](uint32_t a, uint32_t b) {
    size_t h = 0;
    while (h < cap && a + h < n && b + h < n && text[a + h] == text[b + h]) ++h;
    return int64_t(h);
  };
  std::vector<RepeatedSubstring> out;
  auto report = [&](int64_t depth, size_t first, size_t end) {
    if (depth < int64_t(min_length) || depth > int64_t(max_length)) return;
    const uint32_t start = suffixes[first];
    for (int64_t j = 0; j < depth; ++j)
      if (text[start + size_t(j)] == separator) return;
    out.push_back({uint32_t(first), uint32_t(end - first), uint32_t(depth)});
  };

  struct Open {
    int64_t depth;
    size_t first;
  };
  std::vector<Open> open{{0, 0}};
  for (size_t i = 1; i <= n; ++i) {
    // Past the last suffix, depth -1 closes every interval still open, the root included.
    const int64_t h = i < n ? common(suffixes[i - 1], suffixes[i]) : -1;
    size_t first = i - 1;
    while (!open.empty() && h < open.back().depth) {
      const Open o = open.back();
      open.pop_back();
      report(o.depth, o.first, i);
      first = o.first;
    }
    if (open.empty() || h > open.back().depth) open.push_back({h, first});
  }
  return out;
}

}  // namespace harmonia::tokenizer
