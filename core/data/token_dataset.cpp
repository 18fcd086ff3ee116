#include "core/data/token_dataset.hpp"
#include "core/data/seed_mix.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/data/token_file_format.hpp"

namespace harmonia::data {

namespace fs = std::filesystem;

std::shared_ptr<TokenDataset> TokenDataset::open(const std::string& dataset_dir) {
  std::shared_ptr<TokenDataset> ds(new TokenDataset());
  ds->dir_ = dataset_dir;
  ds->manifest_ = read_manifest(dataset_dir);
  const auto& m = ds->manifest_;
  const std::string tokens_path = (fs::path(dataset_dir) / m.tokens_file).string();
  ds->map_ = MappedFile(tokens_path);
  TokenFileHeader h;
  if (ds->map_.size() < sizeof h) throw DatasetError(tokens_path + ": truncated tokens file (no header)");
  std::memcpy(&h, ds->map_.data(), sizeof h);
  if (!header_magic_ok(h)) throw DatasetError(tokens_path + ": not a Harmonia tokens file");
  if (h.generation != m.generation)
    throw DatasetError(tokens_path + ": belongs to another import than manifest.json; re-import the folder");
  if (h.ids != m.total_ids || ds->map_.size() != sizeof h + h.ids * 4 || h.fields != m.fields)
    throw DatasetError(tokens_path + ": size does not match manifest.json (truncated or damaged); re-import the folder");
  ds->ids_ = reinterpret_cast<const int32_t*>(ds->map_.data() + sizeof h);
  try {
    ds->tokenizer_ = tokenizer::Tokenizer::from_json(nlohmann::ordered_json::parse(m.tokenizer_json),
                                                     manifest_path(dataset_dir));
  } catch (const std::exception& e) {
    throw DatasetError(manifest_path(dataset_dir) + ": cannot rebuild its tokenizer (" + e.what() + ")");
  }
  if (ds->tokenizer_->num_fields() != m.fields)
    throw DatasetError(manifest_path(dataset_dir) + ": fields disagree with its tokenizer");
  return ds;
}

std::vector<SequenceRef> TokenDataset::sequences_of(const std::vector<size_t>& files) const {
  std::vector<SequenceRef> out;
  for (size_t f : files) {
    const auto& seqs = manifest_.files.at(f).sequences;
    for (size_t s = 0; s < seqs.size(); ++s)
      if (seqs[s].steps > 0) out.push_back({f, s});
  }
  return out;
}

namespace {

size_t part_size(double ratio, size_t n) {
  if (ratio <= 0) return 0;
  const size_t k = size_t(std::llround(ratio * double(n)));
  return std::max<size_t>(1, k);
}

}  // namespace

DatasetSplit split_files(const TokenDataset& dataset, const SplitOptions& options) {
  if (options.validation < 0 || options.test < 0 || options.validation + options.test >= 1.0)
    throw DatasetError("split: validation and test ratios must be >= 0 and sum to less than 1");
  const size_t n = dataset.num_files();
  // Order files by a key that depends only on (seed, content hash): a seeded shuffle that does
  // not change when the folder is listed in another order.
  std::vector<std::pair<uint64_t, size_t>> keyed;
  for (size_t i = 0; i < n; ++i) keyed.emplace_back(seed_mix(dataset.files()[i].content_hash ^ seed_mix(options.seed)), i);
  std::sort(keyed.begin(), keyed.end());
  size_t n_val = part_size(options.validation, n), n_test = part_size(options.test, n);
  // Keep at least one training file.
  while (n > 0 && n_val + n_test >= n) {
    if (n_test > 0) --n_test;
    else if (n_val > 0) --n_val;
    else break;
  }
  DatasetSplit split;
  for (size_t k = 0; k < keyed.size(); ++k) {
    const size_t f = keyed[k].second;
    if (k < n_val) split.validation.push_back(f);
    else if (k < n_val + n_test) split.test.push_back(f);
    else split.train.push_back(f);
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

}  // namespace harmonia::data
