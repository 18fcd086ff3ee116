#include "ui/bridge/run_history.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace harmonia::ui {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

// A later row for a step already plotted replaces that step and everything after it.
void add_point(std::vector<RunHistoryPoint>& series, int64_t step, double value) {
  while (!series.empty() && series.back().step >= step) series.pop_back();
  series.push_back({step, value});
}

}  // namespace

RunHistory read_run_history(const std::string& run_dir) {
  RunHistory h;
  const fs::path path = fs::path(run_dir) / "train_log.csv";
  std::ifstream in(path);
  if (!in) return h;
  std::string line;
  if (!std::getline(in, line)) return h;
  const auto header = split_csv(line);
  const auto column = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
  };
  const int cStep = column("step"), cTrain = column("train_loss"), cVal = column("val_loss"), cLr = column("lr"),
            cSpeed = column("tokens_per_s");
  if (cStep < 0 || cTrain < 0 || cVal < 0)
    throw std::runtime_error(path.string() + ": line 1 is not a training log header (step,...,train_loss,val_loss,...)");
  int lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv(line);
    const auto cell = [&](int c) -> const std::string& {
      static const std::string empty;
      return c >= 0 && size_t(c) < cells.size() ? cells[size_t(c)] : empty;
    };
    try {
      const int64_t step = std::stoll(cell(cStep));
      const auto number = [&](int c, std::vector<RunHistoryPoint>& series) {
        if (cell(c).empty()) return;
        const double v = std::stod(cell(c));
        if (std::isfinite(v)) add_point(series, step, v);
      };
      // A row with a train loss is a step row (lr and speed belong to it); a validation row
      // carries only val_loss.
      if (!cell(cTrain).empty()) {
        number(cTrain, h.trainLoss);
        number(cLr, h.lr);
        number(cSpeed, h.tokensPerS);
        // The resumed run's first step drops the validations logged after it too.
        while (!h.valLoss.empty() && h.valLoss.back().step >= step) h.valLoss.pop_back();
      }
      number(cVal, h.valLoss);
      h.lastStep = h.trainLoss.empty() ? 0 : h.trainLoss.back().step;
    } catch (const std::logic_error&) {  // stoll / stod: not a number
      throw std::runtime_error(path.string() + ": line " + std::to_string(lineNo) + " is not a log row: " + line);
    }
  }
  return h;
}

std::vector<RunCheckpoint> list_run_checkpoints(const std::string& run_dir) {
  std::vector<RunCheckpoint> out;
  const fs::path dir = fs::path(run_dir) / "checkpoints";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  RunCheckpoint best;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    // Hidden folders are checkpoints still being written (renamed into place when complete).
    if (!entry.is_directory() || (name.rfind("step-", 0) != 0 && name != "best")) continue;
    RunCheckpoint c;
    c.path = entry.path().string();
    c.name = name;
    std::ifstream state(entry.path() / "trainer_state.json");
    if (state) {
      try {
        const auto j = nlohmann::json::parse(state);
        c.step = j.value("step", int64_t(-1));
        const auto v = j.find("best_val_loss");
        if (v != j.end() && v->is_number() && std::isfinite(v->get<double>())) c.bestValLoss = v->get<double>();
      } catch (const std::exception&) {
        // An unreadable state still names a checkpoint folder: shown without its step.
      }
    }
    if (name == "best")
      best = c;
    else
      out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const RunCheckpoint& a, const RunCheckpoint& b) { return a.name < b.name; });
  if (!best.path.empty()) out.push_back(best);
  return out;
}

}  // namespace harmonia::ui
