#include "core/model/kv_cache.hpp"

#include <stdexcept>
#include <string>

namespace harmonia::model {
namespace {

torch::Tensor grow(const torch::Tensor& buffer, const torch::Tensor& like, int64_t used, int64_t needed) {
  if (buffer.defined() && buffer.size(2) >= needed) return buffer;
  int64_t capacity = buffer.defined() ? buffer.size(2) : 0;
  capacity = std::max<int64_t>({needed, 2 * capacity, 32});
  auto bigger = torch::empty({like.size(0), like.size(1), capacity, like.size(3)}, like.options());
  if (used > 0) bigger.narrow(2, 0, used).copy_(buffer.narrow(2, 0, used));
  return bigger;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> KVCache::append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v) {
  if (layer < 0 || layer >= num_layers())
    throw std::out_of_range("KVCache: layer " + std::to_string(layer) + " of " + std::to_string(num_layers()));
  auto& keys = keys_[layer];
  auto& values = values_[layer];
  if (keys.defined() && length_ > 0 && (keys.size(0) != k.size(0) || keys.size(1) != k.size(1) || keys.size(3) != k.size(3)))
    throw std::invalid_argument("KVCache: new keys do not match the cached batch/heads/head size");
  const int64_t t = k.size(2);
  keys = grow(keys, k, length_, length_ + t);
  values = grow(values, v, length_, length_ + t);
  keys.narrow(2, length_, t).copy_(k);
  values.narrow(2, length_, t).copy_(v);
  return {keys.narrow(2, 0, length_ + t), values.narrow(2, 0, length_ + t)};
}

void KVCache::advance(int64_t new_positions) { length_ += new_positions; }

int64_t KVCache::batch_size() const {
  if (!keys_.empty() && keys_[0].defined()) return keys_[0].size(0);
  if (!recurrent_.empty() && recurrent_[0].ssm.defined()) return recurrent_[0].ssm.size(0);
  return 0;
}

KVCache::RecurrentState& KVCache::recurrent(int64_t layer) {
  if (layer < 0 || layer >= num_layers())
    throw std::out_of_range("KVCache: layer " + std::to_string(layer) + " of " + std::to_string(num_layers()));
  if (recurrent_.empty()) recurrent_.resize(static_cast<size_t>(num_layers()));
  return recurrent_[static_cast<size_t>(layer)];
}

void KVCache::select_batch(const torch::Tensor& rows) {
  auto select = [&](torch::Tensor& buffer) {
    if (buffer.defined()) buffer = buffer.index_select(0, rows.to(buffer.device()));
  };
  for (auto* list : {&keys_, &values_})
    for (auto& buffer : *list) select(buffer);
  for (auto& state : recurrent_) {
    select(state.conv);
    select(state.ssm);
  }
}

void KVCache::truncate(int64_t length) {
  if (length < 0 || length > length_)
    throw std::out_of_range("KVCache: cannot truncate " + std::to_string(length_) + " positions to " +
                            std::to_string(length));
  const bool recurrent = !recurrent_.empty() && recurrent_[0].ssm.defined();
  if (recurrent && length < length_)
    throw std::logic_error("KVCache: a recurrent (Mamba) state holds no per-position history to truncate to " +
                           std::to_string(length) + "; clear() it and run the prefix again");
  length_ = length;
}

void KVCache::clear() {
  for (auto& k : keys_) k = torch::Tensor();
  for (auto& v : values_) v = torch::Tensor();
  recurrent_.clear();
  length_ = 0;
}

}  // namespace harmonia::model
