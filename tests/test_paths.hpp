// Where tests find the shared corpora and the project's own binaries.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>

namespace harmonia::test {

// ../shared from the project root, or $HARMONIA_SHARED when set.
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("HARMONIA_SHARED")) return env;
  return HARMONIA_SHARED_DIR;
}
inline bool have_shared() { return std::filesystem::is_directory(shared_dir() / "data"); }

inline std::filesystem::path bin_dir() { return HARMONIA_BIN_DIR; }
inline std::filesystem::path source_dir() { return HARMONIA_SOURCE_DIR; }

// A fresh scratch directory under the build tree, removed first if it exists.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::path(HARMONIA_BIN_DIR) / ".." / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return std::filesystem::canonical(dir);
}

}  // namespace harmonia::test

// Skips the current GoogleTest with a clear message when ../shared is not there.
#define HARMONIA_REQUIRE_SHARED()                                                          \
  do {                                                                                      \
    if (!harmonia::test::have_shared())                                                     \
      GTEST_SKIP() << "shared test material not found at " << harmonia::test::shared_dir() \
                   << " (set HARMONIA_SHARED to its path)";                                 \
  } while (0)
