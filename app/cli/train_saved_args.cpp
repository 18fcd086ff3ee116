#include "app/cli/train_saved_args.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/data/atomic_file.hpp"

namespace harmonia::cli {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

// A JSON scalar as the text a command-line option takes.
std::string option_text(const nlohmann::json& v, const fs::path& file, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    std::ostringstream s;
    s.precision(17);
    s << v.get<double>();
    return s.str();
  }
  throw std::runtime_error(file.string() + ": \"" + key + "\" should be a string or a number");
}

OptionList from_train_args(const fs::path& file) {
  const auto j = read_json(file);
  if (!j.is_object() || !j.contains("options") || !j.at("options").is_object())
    throw std::runtime_error(file.string() + ": expected an object with \"options\"");
  OptionList out;
  for (const auto& [key, value] : j.at("options").items()) {
    if (key.rfind("--", 0) != 0) throw std::runtime_error(file.string() + ": option \"" + key + "\" does not start with --");
    out.emplace_back(key, option_text(value, file, key));
  }
  return out;
}

// The studio's run.json (ui/bridge/training_backend.cpp) in the CLI's terms, including what the
// studio fixes rather than asks (validation batches, checkpoint spacing).
OptionList from_studio_run(const fs::path& file) {
  const auto j = read_json(file);
  if (!j.is_object()) throw std::runtime_error(file.string() + ": expected a JSON object");
  static const std::vector<std::pair<const char*, const char*>> fields = {
      {"dataset_dir", "--dataset"}, {"architecture", "--arch"}, {"preset", "--preset"},
      {"max_steps", "--max-steps"}, {"batch_size", "--batch-size"}, {"seq_len", "--context"},
      {"lr", "--lr"},               {"warmup_steps", "--warmup"}, {"precision", "--precision"},
      {"eval_every", "--eval-every"}, {"seed", "--seed"},          {"validation", "--val-fraction"},
      {"fim_rate", "--fim-rate"}};
  OptionList out;
  for (const auto& [field, option] : fields)
    if (j.contains(field) && !j.at(field).is_null()) out.emplace_back(option, option_text(j.at(field), file, field));
  if (j.contains("chunks") && j.at("chunks").is_object() && j.at("chunks").contains("min_notes"))
    out.emplace_back("--min-window-notes", option_text(j.at("chunks").at("min_notes"), file, "chunks.min_notes"));
  out.emplace_back("--eval-batches", "20");
  if (j.contains("max_steps") && j.at("max_steps").is_number_integer())
    out.emplace_back("--checkpoint-every", std::to_string(std::max<int64_t>(10, j.at("max_steps").get<int64_t>() / 4)));
  return out;
}

}  // namespace

fs::path run_folder_of_resume(const fs::path& resume) {
  const fs::path p = resume.has_filename() ? resume : resume.parent_path();
  if (fs::exists(p / "trainer_state.json") && p.parent_path().filename() == "checkpoints")
    return p.parent_path().parent_path();
  return p;
}

OptionList saved_train_options(const fs::path& run_dir) {
  if (fs::exists(run_dir / kTrainArgsFile)) return from_train_args(run_dir / kTrainArgsFile);
  if (fs::exists(run_dir / "run.json")) return from_studio_run(run_dir / "run.json");
  return {};
}

void save_train_options(const fs::path& run_dir, const OptionList& options) {
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  for (const auto& [key, value] : options) o[key] = value;
  const nlohmann::ordered_json j = {{"format", "harmonia train options"}, {"version", 1}, {"options", o}};
  fs::create_directories(run_dir);
  data::write_file_atomically((run_dir / kTrainArgsFile).string(), j.dump(2) + "\n");
}

}  // namespace harmonia::cli
