#include "core/train/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/model/safetensors_header.hpp"
#include "core/train/trainer_state.hpp"

namespace harmonia::train {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxJsonBytes = 64u << 20;  // our JSON files are kilobytes; a trained tokenizer a few MB

std::string read_text(const fs::path& file, uintmax_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) throw RunFolderError(file.string() + ": cannot read (" + ec.message() + ")");
  if (size > limit) throw RunFolderError(file.string() + ": " + std::to_string(size) + " bytes, more than expected");
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) throw RunFolderError(file.string() + ": cannot read");
  return s.str();
}

nlohmann::json read_json(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_text(file, kMaxJsonBytes));
  } catch (const nlohmann::json::exception& e) {
    throw RunFolderError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

int64_t int_field(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (j.contains(k) && j.at(k).is_number_integer()) return j.at(k).get<int64_t>();
  return 0;
}

// Weights' element count from the safetensors header alone (the data is not read).
int64_t count_parameters(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char len_bytes[8] = {};
  if (!in.read(reinterpret_cast<char*>(len_bytes), 8)) throw RunFolderError(file.string() + ": shorter than a header");
  uint64_t len = 0;
  for (int i = 7; i >= 0; --i) len = (len << 8) | len_bytes[i];
  const auto size = fs::file_size(file);
  if (len > kMaxJsonBytes || len > size - 8) throw RunFolderError(file.string() + ": header length out of range");
  std::string header(len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(len))) throw RunFolderError(file.string() + ": cut short");
  try {
    const auto parsed = model::parse_safetensors_header(header, size - 8 - len, file.string());
    int64_t n = 0;
    for (const auto& [name, entry] : parsed.entries) {
      // Buffers transformers saves beside the weights (GPT-NeoX's rotary table, GPT-2's masks).
      if (name.size() >= 9 && (name.rfind(".inv_freq") == name.size() - 9)) continue;
      if (name.find(".attn.bias") != std::string::npos || name.find(".attn.masked_bias") != std::string::npos) continue;
      int64_t elements = 1;
      for (const auto d : entry.shape) elements *= d;
      n += elements;
    }
    return n;
  } catch (const std::exception& e) {
    throw RunFolderError(e.what());
  }
}

std::string tokenizer_label(const nlohmann::json& j) {
  std::string label = j.value("tokenization", std::string());
  if (j.contains("_model") && j.at("_model").is_string()) {
    try {
      const auto model = nlohmann::json::parse(j.at("_model").get<std::string>());
      if (model.contains("model") && model.at("model").contains("type") && model.at("model").at("type").is_string())
        label += " + " + model.at("model").at("type").get<std::string>();
    } catch (const nlohmann::json::exception&) {
      label += " + trained";
    }
  }
  return label;
}

// train_log.csv: step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s; validation
// rows leave train_loss empty. A resumed run appends: a step logged again replaces the older row.
void read_log(const fs::path& file, RunSummary& run) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return;
  if (line.rfind("step,", 0) != 0) throw RunFolderError(file.string() + ": not a training log (first line: " + line + ")");
  std::vector<std::string> header;
  {
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, ',');) header.push_back(f);
  }
  auto column = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
  };
  const int c_step = column("step"), c_train = column("train_loss"), c_val = column("val_loss"),
            c_tps = column("tokens_per_s"), c_time = column("elapsed_s");
  double tps_sum = 0;
  int64_t tps_rows = 0;
  size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');) f.push_back(x);
    if (f.size() + 1 < header.size()) continue;  // a row cut by a crash mid-write
    auto number = [&](int c) {
      if (c < 0 || c >= int(f.size()) || f[c].empty()) return std::numeric_limits<double>::quiet_NaN();
      char* end = nullptr;
      const double v = std::strtod(f[c].c_str(), &end);
      if (end == f[c].c_str()) throw RunFolderError(file.string() + ":" + std::to_string(line_no) + ": not a number");
      return v;
    };
    const double step = number(c_step);
    if (!std::isfinite(step) || step < 0) continue;
    const LossPoint base{static_cast<int64_t>(step), std::isfinite(number(c_time)) ? number(c_time) : 0, 0};
    auto add = [](std::vector<LossPoint>& curve, LossPoint p) {
      while (!curve.empty() && curve.back().step >= p.step) curve.pop_back();  // a resume redid these steps
      curve.push_back(p);
    };
    if (const double v = number(c_train); std::isfinite(v)) {
      const double t = number(c_tps);
      add(run.train_curve, {base.step, base.seconds, v, 0});
      // After add(): a resumed run's redone rows are gone, so the previous point is the one
      // this row's window started from.
      const size_t n = run.train_curve.size();
      const LossPoint prev = n > 1 ? run.train_curve[n - 2] : LossPoint{};
      const double window_s = std::max(0.0, base.seconds - prev.seconds);
      run.train_curve.back().tokens = prev.tokens + (std::isfinite(t) && t > 0 ? t * window_s : 0);
      if (std::isfinite(t) && t > 0) {
        tps_sum += t;
        ++tps_rows;
      }
    } else if (const double v2 = number(c_val); std::isfinite(v2)) {
      double tokens = 0;  // the train point at or before this step, plus its mean tokens per step
      if (!run.train_curve.empty()) {
        const LossPoint& t = run.train_curve.back();
        tokens = t.tokens + (t.step > 0 ? double(base.step - t.step) * t.tokens / double(t.step) : 0);
      }
      add(run.validation_curve, {base.step, base.seconds, v2, std::max(0.0, tokens)});
    }
  }
  if (!run.train_curve.empty()) {
    run.steps = run.train_curve.back().step;
    run.last_train_loss = run.train_curve.back().loss;
    run.training_seconds = run.train_curve.back().seconds;
  }
  for (const auto& p : run.validation_curve)
    if (!(p.loss >= run.best_val_loss)) {  // NaN best: the first one
      run.best_val_loss = p.loss;
      run.best_val_step = p.step;
    }
  if (!run.validation_curve.empty()) run.training_seconds = std::max(run.training_seconds, run.validation_curve.back().seconds);
  if (tps_rows) run.tokens_per_second = tps_sum / double(tps_rows);
}

}  // namespace

bool is_run_folder(const fs::path& folder) {
  for (const char* f : {"train_log.csv", "train_args.json", "run.json", "checkpoints"})
    if (fs::exists(folder / f)) return true;
  return false;
}

std::vector<fs::path> find_runs(const fs::path& folder) {
  if (is_run_folder(folder)) return {folder};
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.is_directory() && is_run_folder(e.path())) runs.push_back(e.path());
  std::sort(runs.begin(), runs.end());
  return runs;
}

RunSummary read_run_summary(const fs::path& folder) {
  RunSummary run;
  double time_budget = 0;  // a run bounded by time ends before its (nominal) step limit
  run.folder = folder;
  if (fs::exists(folder / "train_log.csv")) read_log(folder / "train_log.csv", run);

  // What was asked: the CLI's options, else the studio's description.
  if (fs::exists(folder / "train_args.json")) {
    const auto j = read_json(folder / "train_args.json");
    if (j.contains("options") && j.at("options").is_object()) {
      const auto& o = j.at("options");
      run.preset = o.value("--preset", std::string());
      run.max_steps = std::atoll(o.value("--max-steps", std::string("0")).c_str());
      time_budget = std::atof(o.value("--time-budget", std::string("0")).c_str());
    }
  } else if (fs::exists(folder / "run.json")) {
    const auto j = read_json(folder / "run.json");
    run.preset = j.is_object() ? j.value("preset", std::string()) : std::string();
    run.max_steps = j.is_object() ? int_field(j, {"max_steps"}) : 0;
  }

  // Checkpoints: how many, and the newest one's token count.
  fs::path newest;
  if (fs::is_directory(folder / "checkpoints")) {
    for (const auto& e : fs::directory_iterator(folder / "checkpoints")) {
      const auto name = e.path().filename().string();
      if (!e.is_directory() || name.rfind("step-", 0) != 0) continue;
      ++run.checkpoints;
      if (newest.empty() || name > newest.filename().string()) newest = e.path();
    }
  }
  int64_t checkpoint_step = 0;
  if (!newest.empty() && fs::exists(newest / "trainer_state.json")) {
    try {
      const auto state = read_trainer_state((newest / "trainer_state.json").string());
      run.tokens_seen = state.tokens;
      checkpoint_step = state.step;
    } catch (const std::exception& e) {
      throw RunFolderError(e.what());
    }
  }

  // The model: the run's final one, else the newest checkpoint's.
  run.model_saved = fs::exists(folder / "model" / "model.safetensors");
  const fs::path model_dir = run.model_saved ? folder / "model" : newest.empty() ? fs::path() : newest / "model";
  if (!model_dir.empty() && fs::exists(model_dir / "config.json")) {
    const auto c = read_json(model_dir / "config.json");
    if (c.is_object()) {
      run.architecture = c.value("model_type", std::string());
      run.layers = int_field(c, {"num_hidden_layers", "n_layer", "num_layers"});
      run.hidden_size = int_field(c, {"hidden_size", "n_embd", "d_model"});
      run.vocab_size = int_field(c, {"vocab_size"});
    }
    if (fs::exists(model_dir / "model.safetensors")) run.parameters = count_parameters(model_dir / "model.safetensors");
  }
  for (const fs::path& dir : {folder / "model", model_dir})
    if (!dir.empty() && fs::exists(dir / "tokenizer.json")) {
      run.tokenizer = tokenizer_label(read_json(dir / "tokenizer.json"));
      break;
    }

  if (run.model_saved)
    run.status = (run.max_steps > 0 && run.steps >= run.max_steps) || time_budget > 0
                     ? "finished"
                     : "stopped at step " + std::to_string(run.steps);
  else if (checkpoint_step > 0 || !newest.empty())
    run.status = "checkpoint at step " + std::to_string(checkpoint_step);
  else
    run.status = "no model yet";
  return run;
}

nlohmann::ordered_json run_summary_to_json(const RunSummary& r, bool with_curves) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr); };
  nlohmann::ordered_json j = {{"folder", r.folder.string()},
                              {"architecture", r.architecture},
                              {"preset", r.preset},
                              {"parameters", r.parameters},
                              {"layers", r.layers},
                              {"hidden_size", r.hidden_size},
                              {"tokenizer", r.tokenizer},
                              {"vocab_size", r.vocab_size},
                              {"steps", r.steps},
                              {"max_steps", r.max_steps},
                              {"training_seconds", r.training_seconds},
                              {"last_train_loss", number(r.last_train_loss)},
                              {"best_val_loss", number(r.best_val_loss)},
                              {"best_val_step", r.best_val_step},
                              {"tokens_per_second", r.tokens_per_second},
                              {"tokens_seen", r.tokens_seen},
                              {"checkpoints", r.checkpoints},
                              {"model_saved", r.model_saved},
                              {"status", r.status}};
  if (with_curves) {
    auto curve = [](const std::vector<LossPoint>& points) {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const auto& p : points) a.push_back({p.step, p.seconds, p.loss, std::llround(p.tokens)});
      return a;
    };
    j["train_curve"] = curve(r.train_curve);  // [step, seconds, loss, tokens]
    j["validation_curve"] = curve(r.validation_curve);
  }
  return j;
}

}  // namespace harmonia::train
