// Running the real `harmonia` binary from a test, as a user would, with its output in files.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_paths.hpp"

namespace harmonia::test {

// `harmonia ARGS > out 2> err` (err empty: both into out); the exit code, -1 if it did not exit.
inline int run_harmonia(const std::string& args, const std::filesystem::path& out,
                        const std::filesystem::path& err = {}) {
  const std::string redirect = err.empty() ? " > '" + out.string() + "' 2>&1"
                                           : " > '" + out.string() + "' 2> '" + err.string() + "'";
  const std::string cmd = "'" + (bin_dir() / "harmonia").string() + "' " + args + redirect;
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace harmonia::test
