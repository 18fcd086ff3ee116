#include "core/train/trainer_state.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace harmonia::train {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw TrainerStateError(path + ": " + problem);
}

int64_t count_field(const json& j, const char* key, const std::string& path, const std::string& in = "") {
  const auto it = j.find(key);
  if (it == j.end()) fail(path, "missing \"" + in + key + "\"");
  // Unsigned values above int64's range and negatives are equally impossible counts.
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) ||
      it->get<int64_t>() < 0)
    fail(path, "\"" + in + key + "\" is not a non-negative integer");
  return it->get<int64_t>();
}

double seconds_field(const json& j, const char* key, const std::string& path) {
  const auto it = j.find(key);
  if (it == j.end()) fail(path, std::string("missing \"") + key + "\"");
  if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0)
    fail(path, std::string("\"") + key + "\" is not a non-negative number");
  return it->get<double>();
}

// The data position both batch sources write: {"kind", "epoch", "batch_index", "seed"[, "windows"]}.
void check_data_position(const json& data, const std::string& path) {
  if (!data.is_object()) fail(path, "\"data\" is not an object");
  if (data.contains("kind") && !data["kind"].is_string()) fail(path, "\"data.kind\" is not a string");
  count_field(data, "epoch", path, "data.");
  count_field(data, "batch_index", path, "data.");
  if (data.contains("windows")) count_field(data, "windows", path, "data.");
  if (data.contains("seed") && !data["seed"].is_number_integer()) fail(path, "\"data.seed\" is not an integer");
}

}  // namespace

json trainer_state_to_json(const TrainerState& state) {
  return {{"step", state.step},
          {"epoch", state.epoch},
          {"data", state.data},
          {"best_val_loss", std::isfinite(state.best_val_loss) ? json(state.best_val_loss) : json(nullptr)},
          {"evals_without_improvement", state.evals_without_improvement},
          {"elapsed_s", state.elapsed_s},
          {"tokens", state.tokens},
          {"config", state.config}};
}

TrainerState parse_trainer_state(std::string_view text, const std::string& path) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    fail(path, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fail(path, "not a JSON object");
  TrainerState state;
  state.step = count_field(j, "step", path);
  state.epoch = count_field(j, "epoch", path);
  state.evals_without_improvement = count_field(j, "evals_without_improvement", path);
  state.tokens = count_field(j, "tokens", path);
  state.elapsed_s = seconds_field(j, "elapsed_s", path);
  if (!j.contains("best_val_loss")) fail(path, "missing \"best_val_loss\"");
  const json& best = j["best_val_loss"];
  if (!best.is_null()) {
    if (!best.is_number() || !std::isfinite(best.get<double>()))
      fail(path, "\"best_val_loss\" is neither null nor a finite number");
    state.best_val_loss = best.get<double>();
  }
  if (!j.contains("data")) fail(path, "missing \"data\"");
  check_data_position(j["data"], path);
  state.data = j["data"];
  if (j.contains("config")) {
    if (!j["config"].is_object()) fail(path, "\"config\" is not an object");
    state.config = j["config"];
  }
  return state;
}

TrainerState read_trainer_state(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read (" + ec.message() + ")");
  if (size > kMaxTrainerStateBytes)
    fail(path, std::to_string(size) + " bytes, larger than any trainer state (limit " +
                   std::to_string(kMaxTrainerStateBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_trainer_state(text.str(), path);
}

}  // namespace harmonia::train
