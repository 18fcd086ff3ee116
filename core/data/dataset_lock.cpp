#include "core/data/dataset_lock.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/data/token_cache.hpp"

namespace harmonia::data {

DatasetLock::DatasetLock(const std::string& dataset_dir, const std::atomic<bool>* cancel) {
  const std::string path = (std::filesystem::path(dataset_dir) / "import.lock").string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DatasetError(path + ": cannot create the import lock (" + std::strerror(errno) + ")");
  // flock locks belong to the open file description: a second DatasetLock in this process
  // opens its own and waits like another process would.
  while (!(cancel && cancel->load())) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
      locked_ = true;
      return;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int err = errno;
      ::close(fd_);
      fd_ = -1;
      throw DatasetError(path + ": cannot lock (" + std::strerror(err) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DatasetLock::~DatasetLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace harmonia::data
