#include "core/data/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/data/token_cache.hpp"

namespace harmonia::data {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

// Unique within the process and across processes (pid), so concurrent writers never share one.
std::string temp_name_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

void flush_and_sync(std::FILE* f, const std::string& path) {
  if (std::fflush(f) != 0) throw DatasetError(path + ": cannot write (" + errno_text() + ")");
  if (::fsync(::fileno(f)) != 0) throw DatasetError(path + ": cannot sync to disk (" + errno_text() + ")");
}

}  // namespace

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw DatasetError(dir + ": cannot open folder to sync it (" + errno_text() + ")");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw DatasetError(dir + ": cannot sync folder (" + errno_text() + ")");
}

void write_file_atomically(const std::string& path, const std::string& content) {
  StagedFile file(path);
  file.write(content.data(), content.size());
  file.commit();
}

StagedFile::StagedFile(std::string final_path) : final_path_(std::move(final_path)) {
  temp_path_ = temp_name_for(final_path_);
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) throw DatasetError(temp_path_ + ": cannot create (" + errno_text() + ")");
}

StagedFile::~StagedFile() {
  if (file_) std::fclose(file_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_path_, ec);
  }
}

void StagedFile::write(const void* data, size_t bytes) {
  if (bytes && std::fwrite(data, 1, bytes, file_) != bytes)
    throw DatasetError(temp_path_ + ": write failed (" + errno_text() + ")");
  size_ += bytes;
}

void StagedFile::write_at(uint64_t offset, const void* data, size_t bytes) {
  if (std::fseek(file_, long(offset), SEEK_SET) != 0 || std::fwrite(data, 1, bytes, file_) != bytes ||
      std::fseek(file_, 0, SEEK_END) != 0)
    throw DatasetError(temp_path_ + ": write failed (" + errno_text() + ")");
}

void StagedFile::commit() {
  flush_and_sync(file_, temp_path_);
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    throw DatasetError(final_path_ + ": cannot rename the finished file into place (" + errno_text() + ")");
  committed_ = true;
  sync_directory(fs::path(final_path_).parent_path().string());
}

}  // namespace harmonia::data
