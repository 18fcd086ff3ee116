// What a failed write says about itself. A stream only reports "failed"; the system's reason
// (a full disk is "No space left on device", a read-only one "Read-only file system") is in
// errno, which the caller clears before writing so that a stale value is never reported.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

namespace harmonia::data {

inline std::string write_failure(const char* what = "write failed") {
  return std::string(what) + " (" + (errno ? std::strerror(errno) : "disk full?") + ")";
}

}  // namespace harmonia::data
