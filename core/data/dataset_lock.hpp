// One import at a time per dataset folder, across threads and processes (the GUI's Dataset
// page and a training run may both import the same folder into the same cache; so may two
// `harmonia dataset import` runs). Without it both would read the same manifest, pick the same
// next generation and write the same tokens-<generation>.bin, so one manifest could end up
// describing the other's tokens. An advisory flock on <dataset>/import.lock; readers of a
// committed cache need none (the manifest and the tokens file are replaced atomically).
#pragma once

#include <atomic>
#include <string>

namespace harmonia::data {

class DatasetLock {
 public:
  // Waits until the folder is free, polling so that `cancel` (when given) is honoured within
  // ~20 ms; owns_lock() tells which. Throws DatasetError when the lock file cannot be made.
  explicit DatasetLock(const std::string& dataset_dir, const std::atomic<bool>* cancel = nullptr);
  ~DatasetLock();
  DatasetLock(const DatasetLock&) = delete;
  DatasetLock& operator=(const DatasetLock&) = delete;

  bool owns_lock() const { return locked_; }

 private:
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace harmonia::data
