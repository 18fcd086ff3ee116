// Dataset folders' fuzz target: the token cache's manifest.json, its tokens file and the
// quick index are read back from disk by every training run, so each must refuse damage with a
// DatasetError, never read out of bounds. The input replaces one file of a real dataset
// (HARMONIA_FUZZ_DATASET, made by `harmonia dataset import`): "HMTOKENS..." the tokens file,
// "{..." manifest.json, anything else quick-index.bin; then the folder is opened and every id
// touched, the quick index read, and the file put back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

#include "core/data/quick_index.hpp"
#include "core/data/token_dataset.hpp"
#include "core/tokenizer/config.hpp"

namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir;
  std::map<std::string, std::string> original;  // file name -> bytes
  fs::path tokens_file;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Scratch& scratch() {
  static Scratch s = [] {
    Scratch out;
    const char* from = std::getenv("HARMONIA_FUZZ_DATASET");
    if (!from || !fs::is_directory(from)) {
      std::fprintf(stderr, "dataset fuzz: set HARMONIA_FUZZ_DATASET to a dataset folder\n");
      std::abort();
    }
    out.dir = fs::temp_directory_path() / ("harmonia-dataset-fuzz-" + std::to_string(::getpid()));
    fs::remove_all(out.dir);
    fs::create_directories(out.dir);
    for (const auto& e : fs::directory_iterator(from)) {
      if (!e.is_regular_file()) continue;
      const std::string name = e.path().filename().string();
      if (name == "import.lock") continue;
      out.original[name] = slurp(e.path());
      std::ofstream(out.dir / name, std::ios::binary) << out.original[name];
      if (name.rfind("tokens-", 0) == 0) out.tokens_file = out.dir / name;
    }
    return out;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia;
  Scratch& s = scratch();
  fs::path target = s.dir / "quick-index.bin";
  if (size >= 8 && std::memcmp(data, "HMTOKENS", 8) == 0) target = s.tokens_file;
  else if (size >= 1 && data[0] == '{') target = s.dir / "manifest.json";
  std::ofstream(target, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  try {
    const auto ds = data::TokenDataset::open(s.dir.string());
    uint64_t sum = 0;
    for (const auto& f : ds->files())
      for (const auto& seq : f.sequences) {
        const int32_t* ids = ds->ids(seq);
        for (uint64_t i = 0; i < seq.steps * ds->fields(); ++i) sum += uint32_t(ids[i]);
      }
    if (sum == 1) std::puts("");  // keep the reads
  } catch (const data::DatasetError&) {
  } catch (const tokenizer::TokenizerError&) {
  }
  try {
    (void)data::read_quick_index(s.dir.string(), true);
  } catch (const data::DatasetError&) {
  }
  std::ofstream(target, std::ios::binary | std::ios::trunc) << s.original.at(target.filename().string());
  return 0;
}
