#include "core/data/batch_iterator.hpp"
#include "core/data/seed_mix.hpp"

#include <algorithm>

namespace harmonia::data {

BatchIterator::BatchIterator(std::shared_ptr<const TokenDataset> dataset, std::vector<Window> windows,
                             ChunkOptions chunk, BatchOptions options)
    : dataset_(std::move(dataset)), windows_(std::move(windows)), chunk_(chunk), options_(options) {
  if (!dataset_) throw DatasetError("batches: no dataset");
  if (options_.batch_size == 0) throw DatasetError("batches: batch_size must be at least 1");
  if (options_.world_size == 0 || options_.rank >= options_.world_size)
    throw DatasetError("batches: rank " + std::to_string(options_.rank) + " is not below world_size " +
                       std::to_string(options_.world_size));
  for (const auto& w : windows_)
    if (w.length() > chunk_.max_seq_len) throw DatasetError("batches: a window is longer than max_seq_len");
  if (options_.augment.enabled()) augmenter_.emplace(dataset_->tokenizer(), options_.augment);
}

void BatchIterator::set_epoch(uint64_t epoch) { state_ = {epoch, 0}; }

size_t BatchIterator::batches_per_epoch() const {
  const size_t n = windows_.size(), b = options_.batch_size;
  const size_t global = options_.drop_last ? n / b : (n + b - 1) / b;
  return global / options_.world_size;  // every rank the same count
}

void BatchIterator::build_order(uint64_t epoch) {
  if (order_epoch_ == epoch) return;
  order_.resize(windows_.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  if (options_.shuffle) {
    // Own Fisher-Yates with a fixed generator: std::shuffle's result differs between
    // standard libraries, and batches must be the same on every build.
    std::mt19937_64 rng(seed_mix(options_.seed ^ seed_mix(epoch + 1)));
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng() % i]);
  }
  order_epoch_ = epoch;
}

std::vector<size_t> BatchIterator::batch_windows(uint64_t epoch, size_t index) const {
  if (index >= batches_per_epoch()) throw DatasetError("batches: batch index out of range");
  const_cast<BatchIterator*>(this)->build_order(epoch);
  const size_t global = index * options_.world_size + options_.rank;
  const size_t first = global * options_.batch_size;
  const size_t last = std::min(first + options_.batch_size, order_.size());
  return {order_.begin() + long(first), order_.begin() + long(last)};
}

std::optional<Batch> BatchIterator::next() {
  if (state_.next_batch >= batches_per_epoch()) return std::nullopt;
  const auto picked = batch_windows(state_.epoch, state_.next_batch);
  Batch b = make_window_batch(*dataset_, windows_, picked, chunk_, options_.pad_to_max_len,
                              augmenter_ ? &*augmenter_ : nullptr, options_.seed, state_.epoch);
  ++state_.next_batch;
  return b;
}

void BatchIterator::restore(const LoaderState& state) {
  if (state.next_batch > batches_per_epoch())
    throw DatasetError("batches: saved position " + std::to_string(state.next_batch) + " is past the epoch's " +
                       std::to_string(batches_per_epoch()) + " batches (different data or options?)");
  state_ = state;
}

Batch make_window_batch(const TokenDataset& dataset, const std::vector<Window>& windows,
                        const std::vector<size_t>& picked, const ChunkOptions& chunk, bool pad_to_max_len,
                        const TokenAugmenter* augmenter, uint64_t seed, uint64_t epoch) {
  const size_t B = picked.size(), F = dataset.fields();
  std::vector<int64_t> pad_ids(F);
  for (size_t f = 0; f < F; ++f) {
    const int pad = dataset.tokenizer().vocab(f).id("PAD_None");
    pad_ids[f] = pad >= 0 ? pad : 0;
  }
  size_t T = 0;
  for (size_t w : picked) T = std::max(T, windows.at(w).length());
  if (pad_to_max_len) T = chunk.max_seq_len;
  const bool compound = dataset.tokenizer().is_compound();
  auto ids_shape = compound ? std::vector<int64_t>{int64_t(B), int64_t(T), int64_t(F)}
                            : std::vector<int64_t>{int64_t(B), int64_t(T)};
  auto opts = torch::TensorOptions().dtype(torch::kLong);
  torch::Tensor input = torch::empty(ids_shape, opts);
  torch::Tensor labels = torch::full(ids_shape, -100, opts);
  torch::Tensor mask = torch::zeros({int64_t(B), int64_t(T)}, opts);
  int64_t* in = input.data_ptr<int64_t>();
  int64_t* lab = labels.data_ptr<int64_t>();
  int64_t* msk = mask.data_ptr<int64_t>();
  Batch batch;
  for (size_t r = 0; r < B; ++r) {
    const Window& w = windows[picked[r]];
    std::vector<int32_t> ids = window_ids(dataset, w, chunk);
    if (augmenter) {
      std::mt19937_64 rng(seed_mix(seed ^ seed_mix(epoch + 1) ^ seed_mix(picked[r] + 0x51ed)));
      augmenter->apply(ids, dataset.sequence(w.ref).is_drum, rng);
    }
    const size_t len = w.length();
    for (size_t t = 0; t < T; ++t) {
      for (size_t f = 0; f < F; ++f) {
        const size_t o = (r * T + t) * F + f;
        if (t < len) {
          in[o] = ids[t * F + f];
          lab[o] = ids[t * F + f];
        } else {
          in[o] = pad_ids[f];
        }
      }
      msk[r * T + t] = t < len ? 1 : 0;
    }
    batch.real_tokens += len;
  }
  batch.input_ids = input;
  batch.attention_mask = mask;
  batch.labels = labels;
  return batch;
}

DataLoaders make_data_loaders(const std::string& dataset_dir, const SplitOptions& split, const ChunkOptions& chunk,
                              const BatchOptions& batch) {
  DataLoaders out;
  out.dataset = TokenDataset::open(dataset_dir);
  out.split = split_files(*out.dataset, split);
  out.train = std::make_unique<BatchIterator>(out.dataset, chunk_files(*out.dataset, out.split.train, chunk), chunk, batch);
  BatchOptions eval = batch;
  eval.shuffle = false;
  eval.drop_last = false;
  eval.augment = {};
  if (!out.split.validation.empty())
    out.validation = std::make_unique<BatchIterator>(out.dataset, chunk_files(*out.dataset, out.split.validation, chunk),
                                                     chunk, eval);
  if (!out.split.test.empty())
    out.test = std::make_unique<BatchIterator>(out.dataset, chunk_files(*out.dataset, out.split.test, chunk), chunk, eval);
  return out;
}

}  // namespace harmonia::data
