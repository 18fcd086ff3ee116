#include "core/data/dataset_stats.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace harmonia::data {

DatasetStats compute_stats(const TokenDataset& dataset, size_t top_tokens) {
  DatasetStats st;
  st.files = dataset.num_files();
  st.rejected_files = dataset.manifest().rejected.size();
  st.pitch_histogram.assign(128, 0);
  std::map<int, uint64_t> programs;
  uint64_t max_tokens = 0;
  for (const auto& f : dataset.files()) {
    st.notes += f.notes;
    st.duration_s += f.duration_s;
    st.tokens += f.steps();
    max_tokens = std::max(max_tokens, f.steps());
    for (const auto& [p, n] : f.pitch_counts)
      if (p >= 0 && p < 128) st.pitch_histogram[size_t(p)] += n;
    for (const auto& [p, n] : f.program_notes) programs[p] += n;
  }
  st.programs.assign(programs.begin(), programs.end());

  // Tokens per file: 16 equal-width bins from 0 to the largest file.
  const uint64_t bins = 16, width = std::max<uint64_t>(1, (max_tokens + bins) / bins);
  for (uint64_t b = 0; b < bins; ++b) st.tokens_per_file.push_back({b * width, (b + 1) * width, 0});
  for (const auto& f : dataset.files()) ++st.tokens_per_file[std::min<uint64_t>(bins - 1, f.steps() / width)].count;

  // Token frequencies over the mapped ids; compound steps count each field's token.
  const auto& tok = dataset.tokenizer();
  const size_t F = dataset.fields();
  std::vector<std::vector<uint64_t>> counts(F);
  for (size_t f = 0; f < F; ++f) counts[f].assign(tok.vocab(f).size(), 0);
  for (const auto& file : dataset.files())
    for (const auto& seq : file.sequences) {
      const int32_t* ids = dataset.ids(seq);
      for (uint64_t i = 0; i < seq.steps * F; ++i) {
        const size_t f = i % F;
        if (ids[i] >= 0 && size_t(ids[i]) < counts[f].size()) ++counts[f][size_t(ids[i])];
      }
    }
  std::vector<std::pair<uint64_t, std::string>> all;
  for (size_t f = 0; f < F; ++f)
    for (size_t id = 0; id < counts[f].size(); ++id)
      if (counts[f][id]) all.emplace_back(counts[f][id], tok.vocab(f).text(int(id)));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (size_t i = 0; i < all.size() && i < top_tokens; ++i) st.top_tokens.emplace_back(all[i].second, all[i].first);
  return st;
}

nlohmann::ordered_json stats_to_json(const DatasetStats& s) {
  nlohmann::ordered_json j;
  j["files"] = s.files;
  j["rejected_files"] = s.rejected_files;
  j["notes"] = s.notes;
  j["duration_s"] = s.duration_s;
  j["tokens"] = s.tokens;
  auto& h = j["tokens_per_file"] = nlohmann::ordered_json::array();
  for (const auto& b : s.tokens_per_file) h.push_back({{"from", b.lo}, {"to", b.hi}, {"files", b.count}});
  j["pitch_histogram"] = s.pitch_histogram;
  auto& p = j["programs"] = nlohmann::ordered_json::array();
  for (const auto& [prog, n] : s.programs) p.push_back({{"program", prog}, {"drums", prog == -1}, {"notes", n}});
  auto& t = j["top_tokens"] = nlohmann::ordered_json::array();
  for (const auto& [text, n] : s.top_tokens) t.push_back({{"token", text}, {"count", n}});
  return j;
}

}  // namespace harmonia::data
