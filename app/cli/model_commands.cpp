// `harmonia model info|init|forward`: inspect, create and run Hugging Face-format model
// directories, so any model directory can be compared with another implementation by script.
#include <torch/torch.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/safetensors.hpp"

namespace harmonia::cli {
namespace {

namespace hm = harmonia::model;

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) throw std::runtime_error("--device cuda: this LibTorch has no usable CUDA device");
    return torch::kCUDA;
  }
  throw std::runtime_error("--device must be cpu or cuda, got \"" + name + "\"");
}

torch::ScalarType parse_dtype(const std::string& name) {
  if (name == "fp32") return torch::kFloat;
  if (name == "bf16") return torch::kBFloat16;
  throw std::runtime_error("--dtype must be fp32 or bf16, got \"" + name + "\"");
}

// A rectangular JSON array of integers, 2-D ([batch][seq]) or 3-D ([batch][seq][field]).
torch::Tensor int_array(const nlohmann::json& value, const std::string& what) {
  std::vector<int64_t> shape, flat;
  std::function<void(const nlohmann::json&, size_t)> walk = [&](const nlohmann::json& node, size_t depth) {
    if (node.is_array()) {
      if (depth == shape.size()) shape.push_back(static_cast<int64_t>(node.size()));
      else if (shape[depth] != static_cast<int64_t>(node.size()))
        throw std::runtime_error(what + ": rows have different lengths (pad them and use attention_mask)");
      for (const auto& child : node) walk(child, depth + 1);
    } else if (node.is_number_integer()) {
      if (depth != shape.size()) throw std::runtime_error(what + ": nesting depth differs between entries");
      flat.push_back(node.get<int64_t>());
    } else {
      throw std::runtime_error(what + ": entries must be integers");
    }
  };
  walk(value, 0);
  if (shape.size() < 2 || shape.size() > 3) throw std::runtime_error(what + ": expected [[...], ...] (batch x seq)");
  for (auto d : shape)
    if (d == 0) throw std::runtime_error(what + ": empty dimension");
  return torch::tensor(flat, torch::kLong).view(shape);
}

int model_info(const std::string& dir) {
  const auto model = hm::load_model(dir);
  const auto& c = model->config();
  nlohmann::json out = {{"path", dir},
                        {"model_type", c.model_type},
                        {"architecture", hm::config_to_json(c)["architectures"][0]},
                        {"parameters", model->num_parameters()},
                        {"context", c.max_position_embeddings},
                        {"vocab_size", c.vocab_size},
                        {"hidden_size", c.hidden_size},
                        {"layers", c.num_hidden_layers},
                        {"heads", c.num_attention_heads},
                        {"kv_heads", c.num_key_value_heads},
                        {"head_dim", c.head_dim},
                        {"intermediate_size", c.intermediate_size},
                        {"tie_word_embeddings", c.tie_word_embeddings},
                        {"torch_dtype", c.torch_dtype}};
  if (c.model_type == "gpt_neo") out["attention_layers"] = c.attention_layers;
  if (c.model_type == "qwen3" && !c.attention_layers.empty()) {
    out["attention_layers"] = c.attention_layers;  // "local" = sliding window
    out["sliding_window"] = c.window_size;
  }
  if (c.model_type == "gpt_neox") {
    out["rotary_pct"] = c.rotary_pct;
    out["use_parallel_residual"] = c.use_parallel_residual;
  }
  if (c.model_type == "mamba") {
    // No attention and no position limit: the state per layer is conv_kernel-1 inputs and
    // intermediate_size x state_size numbers, whatever the length.
    out["context"] = nullptr;
    out["state_size"] = c.state_size;
    out["conv_kernel"] = c.conv_kernel;
    out["time_step_rank"] = c.time_step_rank;
    out["expand"] = c.intermediate_size / c.hidden_size;
    out["use_conv_bias"] = c.use_conv_bias;
    out["use_bias"] = c.use_bias;
  }
  if (c.rope_scaling.enabled()) out["rope_scaling"] = hm::rope_scaling_to_json(c.rope_scaling);
  if (c.compound.enabled())
    out["compound"] = {{"field_vocab_sizes", c.compound.field_vocab_sizes}, {"embedding_mode", c.compound.embedding_mode}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

struct InitOptions {
  std::string arch, preset = "tiny", out;
  int64_t vocab = 0, context = 0, seed = 0;
  std::vector<int64_t> compound_fields;
  std::string compound_mode = "sum";
};

int model_init(const InitOptions& o) {
  auto config = hm::preset_config(o.preset, o.arch, o.vocab);
  if (o.context > 0) config.max_position_embeddings = o.context;
  if (!o.compound_fields.empty()) {
    config.compound.field_vocab_sizes = o.compound_fields;
    config.compound.embedding_mode = o.compound_mode;
  }
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  const auto model = hm::create_model(config);
  model->save(o.out);
  std::cout << nlohmann::json({{"out", o.out}, {"model_type", config.model_type}, {"preset", o.preset},
                               {"parameters", model->num_parameters()}})
                   .dump()
            << "\n";
  return 0;
}

int model_forward(const std::string& dir, const std::string& ids_path, const std::string& out_path,
                  const std::string& dtype, const std::string& device) {
  std::ifstream in(ids_path);
  if (!in) throw std::runtime_error(ids_path + ": cannot open");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(ids_path + ": not valid JSON (" + e.what() + ")");
  }
  if (!json.is_object() || !json.contains("input_ids"))
    throw std::runtime_error(ids_path + ": expected {\"input_ids\": [[...]], \"attention_mask\": [[...]]}");
  const auto ids = int_array(json["input_ids"], ids_path + " input_ids");
  torch::Tensor mask;
  if (json.contains("attention_mask") && !json["attention_mask"].is_null()) {
    mask = int_array(json["attention_mask"], ids_path + " attention_mask");
    if (mask.dim() != 2 || mask.size(0) != ids.size(0) || mask.size(1) != ids.size(1))
      throw std::runtime_error(ids_path + ": attention_mask must be [batch, seq] like input_ids");
  }
  const auto dev = parse_device(device);
  const auto model = hm::load_model(dir, {dev, parse_dtype(dtype)});
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(ids.to(dev), mask.defined() ? mask.to(dev) : mask);
  hm::write_safetensors(out_path, {{"logits", logits.to(torch::kCPU, torch::kFloat)}});
  std::cout << nlohmann::json({{"out", out_path}, {"shape", logits.sizes().vec()}}).dump() << "\n";
  return 0;
}

// A model directory with its weights stored in another dtype (bf16 halves a shipped model),
// with the files beside the weights that generation reads (tokenizer, recorded music defaults).
int model_convert(const std::string& dir, const std::string& out, const std::string& dtype) {
  namespace fs = std::filesystem;
  if (fs::equivalent(fs::absolute(dir), fs::absolute(out.empty() ? "." : out)))
    throw std::runtime_error("model convert: --out must differ from the input directory");
  auto model = hm::load_model(dir);
  model->to(parse_dtype(dtype));
  model->save(out);
  for (const char* name : {"tokenizer.json", "harmonia_music.json"})
    if (fs::is_regular_file(fs::path(dir) / name))
      fs::copy_file(fs::path(dir) / name, fs::path(out) / name, fs::copy_options::overwrite_existing);
  std::cout << nlohmann::json({{"out", out}, {"dtype", dtype}, {"bytes", fs::file_size(fs::path(out) / "model.safetensors")}})
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

void register_model_commands(CLI::App& app, CommandTable& table) {
  auto* model = app.add_subcommand("model", "Hugging Face-format causal LM directories (config.json + model.safetensors)");
  model->require_subcommand(1);

  auto* info = model->add_subcommand("info", "Print architecture, parameters, context and vocabulary as JSON");
  auto info_dir = std::make_shared<std::string>();
  info->add_option("dir", *info_dir, "Model directory")->required();
  table.add(info, [info_dir] { return model_info(*info_dir); });

  auto* init = model->add_subcommand("init", "Create a freshly initialised model directory");
  auto init_opts = std::make_shared<InitOptions>();
  std::string arch_help = "Architecture:";
  for (const auto& t : hm::supported_model_types()) arch_help += " " + t;
  arch_help += " (default: the preset's)";
  std::string preset_help = "Size preset:";
  for (const auto& p : hm::preset_names()) preset_help += " " + p;
  init->add_option("--arch", init_opts->arch, arch_help);
  init->add_option("--preset", init_opts->preset, preset_help)->capture_default_str();
  init->add_option("--vocab", init_opts->vocab, "Vocabulary size")->required()->check(CLI::PositiveNumber);
  init->add_option("--out", init_opts->out, "Output directory")->required();
  init->add_option("--context", init_opts->context, "Override the preset's context length")->check(CLI::PositiveNumber);
  init->add_option("--seed", init_opts->seed, "Random seed for the initial weights")->capture_default_str();
  init->add_option("--compound-fields", init_opts->compound_fields,
                   "Compound tokens (CPWord/Octuple): one vocabulary size per field");
  init->add_option("--compound-mode", init_opts->compound_mode, "How field embeddings combine: sum or concat")
      ->check(CLI::IsMember({"sum", "concat"}))
      ->capture_default_str();
  table.add(init, [init_opts] { return model_init(*init_opts); });

  auto* forward = model->add_subcommand("forward", "Run one forward pass and write the logits as safetensors");
  auto fwd = std::make_shared<std::array<std::string, 5>>();
  (*fwd)[3] = "fp32";
  (*fwd)[4] = "cpu";
  forward->add_option("dir", (*fwd)[0], "Model directory")->required();
  forward->add_option("--ids", (*fwd)[1], "JSON {\"input_ids\": [[...]], \"attention_mask\": [[...]]}")->required();
  forward->add_option("--out", (*fwd)[2], "Output .safetensors with one F32 tensor \"logits\"")->required();
  forward->add_option("--dtype", (*fwd)[3], "fp32 or bf16")->check(CLI::IsMember({"fp32", "bf16"}))->capture_default_str();
  forward->add_option("--device", (*fwd)[4], "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  table.add(forward, [fwd] { return model_forward((*fwd)[0], (*fwd)[1], (*fwd)[2], (*fwd)[3], (*fwd)[4]); });

  auto conv = std::make_shared<std::array<std::string, 3>>();
  (*conv)[2] = "bf16";
  auto* convert = model->add_subcommand("convert", "Copy a model directory with its weights in another dtype");
  convert->add_option("dir", (*conv)[0], "Model directory")->required()->check(CLI::ExistingDirectory);
  convert->add_option("--out", (*conv)[1], "Output directory")->required();
  convert->add_option("--dtype", (*conv)[2], "fp32 or bf16")->check(CLI::IsMember({"fp32", "bf16"}))->capture_default_str();
  table.add(convert, [conv] { return model_convert((*conv)[0], (*conv)[1], (*conv)[2]); });
}

}  // namespace harmonia::cli
