// Where the GUI's token caches live, one place for both users: the Dataset page imports into
// them, and the Model & Training page's backend imports with the run's tokenizer (answered by
// the quick index when the Dataset page already did) and trains from them. The header is
// Qt-free because the torch-side training backend includes it; the .cpp uses Qt (standard
// paths, SHA-1) and keeps the cache names the Dataset page has always used.
#pragma once

#include <string>
#include <vector>

#include "core/data/import_job.hpp"

namespace harmonia::ui {

// What the Dataset page imports: a folder (scanned recursively), or an explicit file list
// (the default corpus spans several package folders).
struct DatasetInput {
  std::string folder;              // used when `files` is empty
  std::vector<std::string> files;  // imported exactly, in this order
  // Keys a file list's cache ("default-corpus": the same cache however the installed list
  // changes); a list without a name is keyed by its paths.
  std::string name;

  bool empty() const { return folder.empty() && files.empty(); }
  // The ImportJob options that import this input into `dataset_dir`, tidied as training data
  // (generate::training_tidy_options()).
  data::ImportOptions import_options(const std::string& dataset_dir) const;
};

// QStandardPaths::CacheLocation + "/datasets".
std::string default_dataset_cache_root();

// root/<label>-<16 hex digits of SHA-1(input, tokenizer JSON)>: one cache per input and
// tokenizer, so another folder or tokenizer never overwrites one. An empty root means
// default_dataset_cache_root(). Safe to call from any thread.
std::string dataset_cache_dir(const std::string& root, const DatasetInput& input, const tokenizer::Tokenizer& tokenizer);

}  // namespace harmonia::ui
