#include "core/train/batch_source.hpp"

#include <random>
#include <stdexcept>

namespace harmonia::train {

InMemoryBatchSource::InMemoryBatchSource(std::vector<std::vector<int64_t>> windows, InMemoryOptions options)
    : windows_(std::move(windows)), options_(options) {
  if (options_.batch_size <= 0 || options_.context <= 0 || options_.world_size <= 0 || options_.rank < 0 ||
      options_.rank >= options_.world_size || options_.fields <= 0)
    throw std::invalid_argument("InMemoryBatchSource: bad batch size, context, fields or rank");
  if (options_.pad_ids.empty()) options_.pad_ids.assign(static_cast<size_t>(options_.fields), options_.pad_id);
  if (static_cast<int64_t>(options_.pad_ids.size()) != options_.fields)
    throw std::invalid_argument("InMemoryBatchSource: pad_ids must hold one id per field");
  for (const auto& w : windows_) {
    const int64_t n = static_cast<int64_t>(w.size());
    if (n == 0 || n % options_.fields != 0 || n / options_.fields > options_.context)
      throw std::invalid_argument("InMemoryBatchSource: window length must be 1..context steps of whole fields");
  }
  if (batches_per_epoch() == 0)
    throw std::invalid_argument("InMemoryBatchSource: fewer windows than one global batch");
  shuffle_for_epoch();
}

int64_t InMemoryBatchSource::batches_per_epoch() const {
  // The incomplete last global batch is dropped so every rank takes the same number of steps.
  return static_cast<int64_t>(windows_.size()) / (options_.batch_size * options_.world_size);
}

void InMemoryBatchSource::shuffle_for_epoch() {
  order_.resize(windows_.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  if (!options_.shuffle) return;
  // Our own Fisher-Yates over mt19937_64: std::shuffle's algorithm differs between standard
  // libraries, and every rank must draw the same permutation.
  std::mt19937_64 rng(options_.seed * 1000003ULL + static_cast<uint64_t>(epoch_));
  for (size_t i = order_.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(rng() % i);
    std::swap(order_[i - 1], order_[j]);
  }
}

Batch InMemoryBatchSource::next() {
  if (batch_index_ >= batches_per_epoch()) {
    ++epoch_;
    batch_index_ = 0;
    shuffle_for_epoch();
  }
  const int64_t B = options_.batch_size, T = options_.context, F = options_.fields;
  const auto shape = F > 1 ? std::vector<int64_t>{B, T, F} : std::vector<int64_t>{B, T};
  auto ids = torch::empty(shape, torch::kLong);
  auto mask = torch::zeros({B, T}, torch::kLong);
  auto labels = torch::full(shape, kIgnoreLabel, torch::kLong);
  int64_t* in = ids.data_ptr<int64_t>();
  int64_t* lab = labels.data_ptr<int64_t>();
  int64_t* msk = mask.data_ptr<int64_t>();
  const int64_t first = (batch_index_ * options_.world_size + options_.rank) * B;
  for (int64_t b = 0; b < B; ++b) {
    const auto& w = windows_[order_[static_cast<size_t>(first + b)]];
    const int64_t len = static_cast<int64_t>(w.size()) / F;
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t f = 0; f < F; ++f) {
        const int64_t o = (b * T + t) * F + f;
        if (t < len) {
          in[o] = w[static_cast<size_t>(t * F + f)];
          lab[o] = in[o];
        } else {
          in[o] = options_.pad_ids[static_cast<size_t>(f)];
        }
      }
      msk[b * T + t] = t < len ? 1 : 0;
    }
  }
  Batch batch{ids, mask, labels, epoch_};
  ++batch_index_;
  return batch;
}

nlohmann::json InMemoryBatchSource::state() const {
  return {{"kind", "in_memory"}, {"epoch", epoch_}, {"batch_index", batch_index_}, {"seed", options_.seed}};
}

void InMemoryBatchSource::restore(const nlohmann::json& state) {
  epoch_ = state.at("epoch").get<int64_t>();
  batch_index_ = state.at("batch_index").get<int64_t>();
  shuffle_for_epoch();
}

void InMemoryBatchSource::rewind() {
  epoch_ = 0;
  batch_index_ = 0;
  shuffle_for_epoch();
}

}  // namespace harmonia::train
