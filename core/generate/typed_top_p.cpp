#include "core/generate/typed_top_p.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::generate {

TopPWithinGroups::TopPWithinGroups(float top_p, const std::vector<int>& groups) : top_p_(top_p) {
  if (!(top_p > 0 && top_p <= 1)) throw std::invalid_argument("top-p must be in (0, 1]");
  std::map<int, size_t> index;
  for (size_t id = 0; id < groups.size(); ++id) {
    if (groups[id] < 0) continue;
    const auto it = index.emplace(groups[id], members_.size()).first;
    if (it->second == members_.size()) members_.emplace_back();
    members_[it->second].push_back(int64_t(id));
  }
}

void TopPWithinGroups::apply(const torch::Tensor&, torch::Tensor& scores) const {
  if (scores.scalar_type() != torch::kFloat || !scores.device().is_cpu() || scores.dim() != 2)
    throw std::invalid_argument("top-p within groups: scores must be [B, V] float on the CPU");
  auto a = scores.accessor<float, 2>();
  const int64_t V = scores.size(1);
  std::vector<std::pair<float, int64_t>> live;  // (score, id) of the group's ids still allowed
  std::vector<double> weight;
  for (int64_t b = 0; b < scores.size(0); ++b) {
    for (const auto& ids : members_) {
      live.clear();
      for (int64_t id : ids)
        if (id < V && std::isfinite(a[b][id])) live.emplace_back(a[b][id], id);
      if (live.size() < 2) continue;
      std::sort(live.begin(), live.end());  // ascending, as transformers' TopPLogitsWarper
      const double top = live.back().first;
      double total = 0;
      weight.resize(live.size());
      for (size_t i = 0; i < live.size(); ++i) total += (weight[i] = std::exp(double(live[i].first) - top));
      double cumulative = 0, removed = 0;
      size_t cut = 0;  // live[0 .. cut) go
      for (; cut + 1 < live.size(); ++cut) {
        cumulative += weight[cut] / total;
        if (cumulative > 1.0 - double(top_p_)) break;
        removed += weight[cut];
      }
      if (cut == 0) continue;
      // The kept ids share the group's whole probability: + log(total / kept) each.
      const float lift = float(std::log(total / (total - removed)));
      for (size_t i = 0; i < live.size(); ++i) {
        float& s = a[b][live[i].second];
        s = i < cut ? -std::numeric_limits<float>::infinity() : s + lift;
      }
    }
  }
}

std::string TopPWithinGroups::name() const { return "top_p_within_groups(" + std::to_string(top_p_) + ")"; }

std::vector<int> pitch_groups(const std::vector<int>& token_types) {
  using tokenizer::TokenType;
  std::vector<int> out(token_types.size(), -1);
  for (size_t id = 0; id < out.size(); ++id)
    for (TokenType t : {TokenType::Pitch, TokenType::PitchDrum, TokenType::NoteOn, TokenType::DrumOn})
      if (token_types[id] == int(t)) out[id] = token_types[id];
  return out;
}

}  // namespace harmonia::generate
