#include "core/train/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <torch/serialize.h>

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
  std::random_device rd;
  const fs::path tmp = checkpoints_dir / (".tmp-" + name + "-" + std::to_string(rd()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  model.save(tmp / "model");
  {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to((tmp / "optimizer.pt").string());
  }
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    torch::Tensor rng;
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      rng = generator.get_state();
    }
    torch::save(rng, (tmp / "rng.pt").string());
  }
  {
    nlohmann::json j = {{"step", state.step},
                        {"epoch", state.epoch},
                        {"data", state.data},
                        {"best_val_loss", std::isfinite(state.best_val_loss) ? nlohmann::json(state.best_val_loss)
                                                                              : nlohmann::json(nullptr)},
                        {"evals_without_improvement", state.evals_without_improvement},
                        {"elapsed_s", state.elapsed_s},
                        {"tokens", state.tokens},
                        {"config", state.config}};
    std::ofstream out(tmp / "trainer_state.json");
    out << j.dump(2) << '\n';
    if (!out) throw std::runtime_error("cannot write " + (tmp / "trainer_state.json").string());
  }
  fsync_tree(tmp);
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
  std::ifstream in(dir / "trainer_state.json");
  const auto j = nlohmann::json::parse(in);
  TrainerState state;
  state.step = j.at("step").get<int64_t>();
  state.epoch = j.at("epoch").get<int64_t>();
  state.data = j.at("data");
  if (!j.at("best_val_loss").is_null()) state.best_val_loss = j.at("best_val_loss").get<double>();
  state.evals_without_improvement = j.at("evals_without_improvement").get<int64_t>();
  state.elapsed_s = j.at("elapsed_s").get<double>();
  state.tokens = j.at("tokens").get<int64_t>();
  state.config = j.value("config", nlohmann::json::object());
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
