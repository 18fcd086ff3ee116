#include "ui/bridge/corpus_shape.hpp"

namespace harmonia::ui {

bool is_multi_track_file(const data::ImportedFile& file) {
  return file.outcome == data::FileOutcome::Kept && (file.tracks >= 2 || file.program_notes.size() >= 2);
}

bool is_multi_track_corpus(const std::vector<data::ImportedFile>& files) {
  size_t kept = 0, multi = 0;
  for (const auto& f : files) {
    if (f.outcome != data::FileOutcome::Kept) continue;
    ++kept;
    if (is_multi_track_file(f)) ++multi;
  }
  return kept > 0 && 2 * multi >= kept;
}

}  // namespace harmonia::ui
