#include "core/train/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>
#include <torch/serialize.h>

#include "core/data/atomic_file.hpp"

namespace harmonia::train {

namespace fs = std::filesystem;

namespace {

void fsync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("fsync failed on " + path.string());
}

void fsync_tree(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) fsync_path(entry.path());
  fsync_path(dir);
}

// `.tmp-*` folders are checkpoints a killed process did not finish (only rank 0 writes here,
// one save at a time): never trusted, removed. `.old-NAME-*` is a replaced checkpoint: removed
// when NAME is in place, moved back when the process died between the two renames.
void remove_stale_temporaries(const fs::path& checkpoints_dir) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(checkpoints_dir, ec)) entries.push_back(e.path());
  for (const auto& path : entries) {
    const auto name = path.filename().string();
    if (name.rfind(".tmp-", 0) == 0) {
      fs::remove_all(path, ec);
    } else if (name.rfind(".old-", 0) == 0 && name.rfind('-') > 4) {
      const fs::path original = checkpoints_dir / name.substr(5, name.rfind('-') - 5);
      if (fs::exists(original)) fs::remove_all(path, ec);
      else fs::rename(path, original, ec);
    }
  }
}

bool is_step_dir(const fs::directory_entry& e) {
  const auto name = e.path().filename().string();
  return e.is_directory() && name.rfind("step-", 0) == 0;
}

}  // namespace

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "step-%08lld", static_cast<long long>(step));
  return buf;
}

fs::path save_checkpoint(const fs::path& checkpoints_dir, const std::string& name, const model::CausalLM& model,
                         const torch::optim::Optimizer& optimizer, const TrainerState& state) {
  fs::create_directories(checkpoints_dir);
  remove_stale_temporaries(checkpoints_dir);
  std::random_device rd;
  const fs::path tmp = checkpoints_dir / (".tmp-" + name + "-" + std::to_string(rd()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    model.save(tmp / "model");
    // LibTorch's archive writer throws from its destructor when the disk fills (a crash:
    // std::terminate), so archives are serialized to memory and written here, checked.
    {
      torch::serialize::OutputArchive archive;
      optimizer.save(archive);
      std::ostringstream bytes;
      archive.save_to(bytes);
      data::write_file_atomically((tmp / "optimizer.pt").string(), bytes.str());
    }
    {
      auto generator = at::detail::getDefaultCPUGenerator();
      torch::Tensor rng;
      {
        std::lock_guard<std::mutex> lock(generator.mutex());
        rng = generator.get_state();
      }
      std::ostringstream bytes;
      torch::save(rng, bytes);
      data::write_file_atomically((tmp / "rng.pt").string(), bytes.str());
    }
    // A plain ofstream reports a full disk only when it is closed, after the check.
    data::write_file_atomically((tmp / "trainer_state.json").string(), trainer_state_to_json(state).dump(2) + "\n");
    fsync_tree(tmp);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(tmp, ec);  // nothing half-written stays behind; the previous checkpoints are untouched
    throw std::runtime_error("checkpoint " + name + " not saved, the earlier ones are intact: " + e.what());
  }
  const fs::path final_dir = checkpoints_dir / name;
  // rename() cannot replace a non-empty directory: move the old one aside first.
  const fs::path old = checkpoints_dir / (".old-" + name + "-" + std::to_string(rd()));
  const bool had_old = fs::exists(final_dir);
  if (had_old) fs::rename(final_dir, old);
  fs::rename(tmp, final_dir);
  fsync_path(checkpoints_dir);
  if (had_old) fs::remove_all(old);
  return final_dir;
}

TrainerState load_checkpoint(const fs::path& dir, model::CausalLM& model, torch::optim::Optimizer& optimizer) {
  if (!fs::exists(dir / "trainer_state.json")) throw std::runtime_error(dir.string() + " is not a checkpoint");
  TrainerState state = read_trainer_state((dir / "trainer_state.json").string());
  {
    model::LoadOptions options;
    options.device = model.device();
    options.dtype = model.dtype();
    auto loaded = model::load_model(dir / "model", options);
    model.load_hf_state_dict(loaded->hf_state_dict(), (dir / "model").string());
  }
  {
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "optimizer.pt").string());
    optimizer.load(archive);
  }
  {
    torch::Tensor rng;
    torch::load(rng, (dir / "rng.pt").string());
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng);
  }
  return state;
}

std::optional<fs::path> latest_checkpoint(const fs::path& path) {
  if (fs::exists(path / "trainer_state.json")) return path;
  const fs::path dir = fs::is_directory(path / "checkpoints") ? path / "checkpoints" : path;
  if (!fs::is_directory(dir)) return std::nullopt;
  std::optional<fs::path> best;
  for (const auto& e : fs::directory_iterator(dir))
    if (is_step_dir(e) && (!best || e.path().filename() > best->filename())) best = e.path();
  return best;
}

void prune_checkpoints(const fs::path& checkpoints_dir, int keep) {
  std::vector<fs::path> steps;
  for (const auto& e : fs::directory_iterator(checkpoints_dir))
    if (is_step_dir(e)) steps.push_back(e.path());
  std::sort(steps.begin(), steps.end());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i) fs::remove_all(steps[i]);
}

}  // namespace harmonia::train
