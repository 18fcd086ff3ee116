#include "core/train/dataset_batch_source.hpp"
#include "core/data/seed_mix.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/data/batch_iterator.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::train {

namespace {

// The permutation of an epoch, the same formula as InMemoryBatchSource: own Fisher-Yates over
// mt19937_64 (std::shuffle differs between standard libraries; every rank must agree).
void seeded_order(std::vector<size_t>& order, size_t n, bool shuffle, uint64_t seed, int64_t epoch) {
  order.resize(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  if (!shuffle) return;
  std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(epoch));
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<size_t>(rng() % i)]);
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

DatasetBatchSource::DatasetBatchSource(std::shared_ptr<const data::TokenDataset> dataset,
                                       std::vector<data::Window> windows, data::ChunkOptions chunk,
                                       DatasetSourceOptions options)
    : dataset_(std::move(dataset)), windows_(std::move(windows)), chunk_(chunk), options_(options) {
  if (!dataset_) throw std::invalid_argument("DatasetBatchSource: no dataset");
  if (options_.batch_size <= 0 || options_.world_size <= 0 || options_.rank < 0 ||
      options_.rank >= options_.world_size)
    throw std::invalid_argument("DatasetBatchSource: bad batch size or rank");
  for (const auto& w : windows_)
    if (w.length() == 0 || w.length() > chunk_.max_seq_len)
      throw std::invalid_argument("DatasetBatchSource: window length must be 1..max_seq_len");
  if (batches_per_epoch() == 0)
    throw std::invalid_argument("the dataset has " + std::to_string(windows_.size()) +
                                " windows, fewer than one global batch of " +
                                std::to_string(options_.batch_size * options_.world_size) +
                                " (lower the batch size or the context)");
  if (options_.augment.enabled())
    augmenter_ = std::make_unique<data::TokenAugmenter>(dataset_->tokenizer(), options_.augment);
  shuffle_for_epoch();
}

int64_t DatasetBatchSource::batches_per_epoch() const {
  // The incomplete last global batch is dropped so every rank takes the same number of steps.
  return static_cast<int64_t>(windows_.size()) / (options_.batch_size * options_.world_size);
}

void DatasetBatchSource::shuffle_for_epoch() {
  seeded_order(order_, windows_.size(), options_.shuffle, options_.seed, epoch_);
}

Batch DatasetBatchSource::next() {
  if (batch_index_ >= batches_per_epoch()) {
    ++epoch_;
    batch_index_ = 0;
    shuffle_for_epoch();
  }
  const int64_t B = options_.batch_size;
  const int64_t first = (batch_index_ * options_.world_size + options_.rank) * B;
  std::vector<size_t> picked(order_.begin() + first, order_.begin() + first + B);

  // The same assembly as core/data's BatchIterator ([B, T] or [B, T, fields] for CPWord/Octuple,
  // mask, -100 labels at padding, per-window seeded augmentation); only the sharding differs.
  data::Batch b = data::make_window_batch(*dataset_, windows_, picked, chunk_, options_.pad_to_context,
                                          augmenter_.get(), options_.seed, static_cast<uint64_t>(epoch_));
  Batch batch{b.input_ids, b.attention_mask, b.labels, epoch_};
  ++batch_index_;
  return batch;
}

nlohmann::json DatasetBatchSource::state() const {
  return {{"kind", "dataset"},
          {"epoch", epoch_},
          {"batch_index", batch_index_},
          {"seed", options_.seed},
          {"windows", windows_.size()}};
}

void DatasetBatchSource::restore(const nlohmann::json& state) {
  // A position saved by another kind of source (e.g. a GUI run from before the GUI trained
  // from the dataset cache: "in_memory") indexes other batches: refuse it too.
  const std::string kind = state.is_object() && state.contains("kind") ? state.at("kind").get<std::string>() : "";
  if (kind != "dataset")
    throw std::runtime_error("resume: the checkpoint's data position comes from another kind of data source (\"" +
                             kind + "\"), not a dataset cache; start a new run on this dataset");
  // A different window count means another dataset or chunking: the position would not
  // point at the same data, so refuse rather than silently train on something else.
  if (state.contains("windows") && state.at("windows").get<size_t>() != windows_.size())
    throw std::runtime_error("resume: the checkpoint was taken over " +
                             std::to_string(state.at("windows").get<size_t>()) + " windows, this dataset has " +
                             std::to_string(windows_.size()) + " (different data, split or context?)");
  const int64_t batch_index = state.at("batch_index").get<int64_t>();
  if (batch_index < 0 || batch_index > batches_per_epoch())
    throw std::runtime_error("resume: saved batch position is out of range for this dataset");
  epoch_ = state.at("epoch").get<int64_t>();
  batch_index_ = batch_index;
  shuffle_for_epoch();
}

void DatasetBatchSource::rewind() {
  epoch_ = 0;
  batch_index_ = 0;
  shuffle_for_epoch();
}

DatasetSources open_dataset_sources(const std::string& dataset_dir, const data::SplitOptions& split,
                                    const data::ChunkOptions& chunk, const DatasetSourceOptions& options) {
  DatasetSources out;
  out.dataset = data::TokenDataset::open(dataset_dir);
  out.split = data::split_files(*out.dataset, split);
  out.train = std::make_unique<DatasetBatchSource>(
      out.dataset, data::chunk_files(*out.dataset, out.split.train, chunk, &out.train_chunks), chunk, options);
  auto val_windows = data::chunk_files(*out.dataset, out.split.validation, chunk, &out.validation_chunks);
  const int64_t per_rank = static_cast<int64_t>(val_windows.size()) / options.world_size;
  if (per_rank > 0) {
    DatasetSourceOptions eval = options;
    eval.shuffle = false;
    eval.augment = {};
    eval.batch_size = std::min(options.batch_size, per_rank);
    out.validation = std::make_unique<DatasetBatchSource>(out.dataset, std::move(val_windows), chunk, eval);
  }
  return out;
}

FileWindows tokenize_files(const std::vector<std::string>& midi_files, const tokenizer::Tokenizer& tokenizer,
                           const data::ChunkOptions& chunk, double validation, uint64_t seed) {
  if (validation < 0 || validation >= 1) throw std::invalid_argument("tokenize_files: validation must be in [0, 1)");
  FileWindows out;
  out.vocab_size = static_cast<int64_t>(tokenizer.model_vocab_size());
  const size_t F = tokenizer.num_fields();
  out.fields = static_cast<int64_t>(F);
  // Per field, as a dataset import's windows (data::window_ids): BOS/EOS/PAD fill every field.
  std::vector<int64_t> bos(F, -1), eos(F, -1);
  for (size_t f = 0; f < F; ++f) {
    const auto& v = tokenizer.vocab(f);
    const int pad = v.id("PAD_None");
    out.pad_ids.push_back(pad >= 0 ? pad : 0);
    if (chunk.add_bos_eos) {
      bos[f] = v.id("BOS_None");
      eos[f] = v.id("EOS_None");
      if (bos[f] < 0 || eos[f] < 0) throw std::invalid_argument("tokenize_files: the tokenizer has no BOS/EOS token");
    }
  }
  out.pad_id = out.pad_ids[0];

  // File-level split ordered by a key of (seed, path): stable whatever order files come in.
  std::vector<std::pair<uint64_t, std::string>> keyed;
  for (const auto& f : midi_files) keyed.emplace_back(data::seed_mix(fnv1a(f) ^ data::seed_mix(seed)), f);
  std::sort(keyed.begin(), keyed.end());
  size_t n_val = static_cast<size_t>(std::lround(validation * static_cast<double>(keyed.size())));
  if (validation > 0 && n_val == 0 && keyed.size() >= 2) n_val = 1;
  if (n_val >= keyed.size()) n_val = keyed.empty() ? 0 : keyed.size() - 1;

  for (size_t k = 0; k < keyed.size(); ++k) {
    const std::string& path = keyed[k].second;
    const bool is_val = k < n_val;
    tokenizer::Encoding enc;
    try {
      enc = tokenizer.encode(midi::read_midi_file(path));
    } catch (const std::exception& e) {
      out.skipped.push_back(path + ": " + e.what());
      continue;
    }
    auto& dest = is_val ? out.validation : out.train;
    (is_val ? out.validation_files : out.train_files).push_back(path);
    for (size_t s = 0; s < enc.sequences.size(); ++s) {
      const auto& ids = enc.sequences[s].ids;
      const size_t steps = ids.size() / F;  // compound ids are steps * fields, step-major
      if (steps == 0) continue;
      const auto bars = data::bar_starts(tokenizer, ids.data(), steps);
      const size_t lead = chunk.add_bos_eos ? 1 : 0, total = steps + 2 * lead;
      for (const auto& w : data::chunk_sequence({k, s}, steps, bars, chunk)) {
        std::vector<int64_t> window;
        window.reserve(w.length() * F);
        for (size_t p = w.begin; p < w.end; ++p) {
          if (chunk.add_bos_eos && p == 0) window.insert(window.end(), bos.begin(), bos.end());
          else if (chunk.add_bos_eos && p + 1 == total) window.insert(window.end(), eos.begin(), eos.end());
          else window.insert(window.end(), ids.begin() + long((p - lead) * F), ids.begin() + long((p - lead + 1) * F));
        }
        dest.push_back(std::move(window));
      }
    }
  }
  return out;
}

FileSources make_file_sources(const std::vector<std::string>& midi_files, const std::string& tokenizer_json,
                              const data::ChunkOptions& chunk, const InMemoryOptions& batches, double validation) {
  auto tok = tokenizer::Tokenizer::load(tokenizer_json);
  FileSources out;
  out.windows = tokenize_files(midi_files, *tok, chunk, validation, batches.seed);
  InMemoryOptions train_opts = batches;
  train_opts.context = static_cast<int64_t>(chunk.max_seq_len);
  train_opts.pad_id = out.windows.pad_id;
  train_opts.fields = out.windows.fields;
  train_opts.pad_ids = out.windows.pad_ids;
  out.train = std::make_unique<InMemoryBatchSource>(out.windows.train, train_opts);
  const int64_t per_rank = static_cast<int64_t>(out.windows.validation.size()) / batches.world_size;
  if (per_rank > 0) {
    InMemoryOptions eval = train_opts;
    eval.shuffle = false;
    eval.batch_size = std::min(batches.batch_size, per_rank);
    out.validation = std::make_unique<InMemoryBatchSource>(out.windows.validation, eval);
  }
  return out;
}

}  // namespace harmonia::train
