// Whether an imported corpus is made of arrangements (several instruments per file) or of
// single parts, from the Dataset page's per-file reports. The Tokenizer page uses it to pick
// its default: arrangements are tokenized as one stream with Program, Tempo and TimeSig
// tokens (generate::arrangement_tokenizer_config()), so a model learns the whole band rather
// than isolated parts; single-part corpora keep the plain REMI default. Qt-free.
#pragma once

#include <vector>

#include "core/data/import_job.hpp"

namespace harmonia::ui {

// A kept file is multi-track when two or more of its tracks (or programs) have notes.
bool is_multi_track_file(const data::ImportedFile& file);

// True when at least half of the kept files are multi-track: a corpus of mostly solo pieces
// with a few duets is better served by one stream per part. Skipped and duplicate files do
// not count; no kept file means false.
bool is_multi_track_corpus(const std::vector<data::ImportedFile>& files);

}  // namespace harmonia::ui
