// Crash-safe file writing: data goes to a temporary file in the same folder, is fsynced, then
// renamed over the target (rename is atomic on POSIX), and the folder is fsynced so the
// rename itself survives a power cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace harmonia::data {

// Writes `content` to `path` atomically. Throws DatasetError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// fsync of a folder (makes renames/creations in it durable). Throws DatasetError.
void sync_directory(const std::string& dir);

// An append-only binary file written under a temporary name and published by commit().
// Destroying it uncommitted removes the temporary file.
class StagedFile {
 public:
  explicit StagedFile(std::string final_path);  // throws DatasetError
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  void write(const void* data, size_t bytes);              // appends
  void write_at(uint64_t offset, const void* data, size_t bytes);  // rewrites earlier bytes
  uint64_t size() const { return size_; }
  void commit();  // flush + fsync + rename + fsync folder

 private:
  std::string final_path_, temp_path_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
  bool committed_ = false;
};

}  // namespace harmonia::data
