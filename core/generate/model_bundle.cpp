#include "core/generate/model_bundle.hpp"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace harmonia::generate {

namespace fs = std::filesystem;

namespace {
bool is_model_dir(const fs::path& d) {
  return fs::is_regular_file(d / "config.json") && fs::is_regular_file(d / "model.safetensors");
}

// RUN/checkpoints/<step-N or best>/model -> RUN; "" for any other model folder. A checkpoint
// holds the weights only: the tokenizer and the corpus' music defaults are the run's.
fs::path run_of_checkpoint_model(const fs::path& model_dir) {
  const fs::path checkpoint = model_dir.lexically_normal().parent_path();
  if (checkpoint.parent_path().filename() != "checkpoints") return {};
  return checkpoint.parent_path().parent_path();
}
}  // namespace

fs::path starter_model_dir() {
  std::vector<fs::path> places;
  if (const char* env = std::getenv("HARMONIA_STARTER_MODEL")) places.emplace_back(env);
  places.emplace_back(fs::path("resources") / "models" / "pop909-starter");  // run from the project root
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto bin = exe.parent_path();
    places.push_back((bin / ".." / "share" / "harmonia" / "models" / "pop909-starter").lexically_normal());  // installed
    places.push_back((bin / ".." / ".." / "resources" / "models" / "pop909-starter").lexically_normal());  // build/bin
  }
  for (const auto& p : places)
    if (is_model_dir(p)) return p;
  std::string tried;
  for (const auto& p : places) tried += "\n  " + p.string();
  throw ModelBundleError("the starter model was not found; looked in:" + tried);
}

ModelPaths locate_model(const fs::path& given) {
  // "starter" names the shipped POP909 model unless a folder of that name is here.
  const fs::path dir = given == "starter" && !fs::exists(given) ? starter_model_dir() : given;
  if (!fs::is_directory(dir)) throw ModelBundleError("model directory not found: " + dir.string());
  ModelPaths p;
  if (is_model_dir(dir)) {
    p.model_dir = dir;
  } else {
    // A run directory: prefer RUN/model, RUN/final, then the newest checkpoint.
    std::vector<fs::path> candidates = {dir / "model", dir / "final"};
    fs::path newest;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("checkpoint", 0) == 0 && is_model_dir(e.path()))
        if (newest.empty() || fs::last_write_time(e.path()) > fs::last_write_time(newest)) newest = e.path();
    if (!newest.empty()) candidates.push_back(newest);
    for (const auto& c : candidates)
      if (is_model_dir(c)) {
        p.model_dir = c;
        break;
      }
    if (p.model_dir.empty())
      throw ModelBundleError(dir.string() + " holds no model: expected config.json + model.safetensors there or in "
                                            "its model/ subdirectory");
  }
  std::vector<fs::path> tokenizers = {p.model_dir / "tokenizer.json", p.model_dir.parent_path() / "tokenizer.json"};
  if (const fs::path run = run_of_checkpoint_model(p.model_dir); !run.empty()) tokenizers.push_back(run / "tokenizer.json");
  for (const auto& t : tokenizers)
    if (fs::is_regular_file(t)) {
      p.tokenizer_json = t;
      return p;
    }
  throw ModelBundleError("no tokenizer.json next to the model in " + p.model_dir.string() + " or in its parent" +
                         (run_of_checkpoint_model(p.model_dir).empty() ? "" : " or in its training run folder"));
}

ModelBundle load_bundle(const fs::path& dir, const model::LoadOptions& options) {
  ModelBundle b;
  b.paths = locate_model(dir);
  b.model = model::load_model(b.paths.model_dir, options);
  b.tokenizer = tokenizer::Tokenizer::load(b.paths.tokenizer_json.string());
  if (auto music = load_music_defaults(b.paths.model_dir)) {
    b.music = *music;
  } else if (const fs::path run = run_of_checkpoint_model(b.paths.model_dir); !run.empty()) {
    if (auto from_run = load_music_defaults(run / "model")) b.music = *from_run;
  }
  return b;
}

void save_bundle(const model::CausalLM& model, const tokenizer::Tokenizer& tok, const fs::path& model_dir) {
  model.save(model_dir);
  tok.save((model_dir / "tokenizer.json").string());
}

}  // namespace harmonia::generate
