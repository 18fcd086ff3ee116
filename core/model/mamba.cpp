// Mamba (Gu and Dao, 2023): a stack of RMSNorm pre-norm blocks whose mixer is a selective
// state-space model instead of attention. Each mixer projects to an x branch and a gate z,
// runs x through a causal depthwise convolution and SiLU, derives per-token dt, B and C from it,
// scans the recurrence (selective_scan.hpp) and gates the result by SiLU(z).
// Checkpoint names (transformers' MambaForCausalLM): backbone.{embeddings,norm_f},
// backbone.layers.N.norm, backbone.layers.N.mixer.{in_proj,conv1d,x_proj,dt_proj,A_log,D,out_proj},
// lm_head (unless tied).
//
// Left padding: a padded position feeds zeros into the convolution and the scan (transformers'
// slow path multiplies the conv input and output by the mask), so the state at a row's first
// real token is exactly zero and real positions equal the unpadded row's.
//
// Generation keeps, per layer, the last conv_kernel-1 conv inputs ([B, K-1, D]) and the SSM
// state ([B, D, N]) in the KVCache's recurrent slots: a new token costs the same whatever the
// sequence length.
#include <cmath>

#include "core/model/architectures.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/layers.hpp"
#include "core/model/selective_scan.hpp"

namespace harmonia::model {
namespace {

torch::nn::Linear linear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

class MambaMixerImpl : public torch::nn::Module {
 public:
  explicit MambaMixerImpl(const ModelConfig& c)
      : inner_(c.intermediate_size),
        states_(c.state_size),
        rank_(c.time_step_rank),
        kernel_(c.conv_kernel),
        activation_(c.activation) {
    in_proj = register_module("in_proj", linear(c.hidden_size, 2 * inner_, c.use_bias));
    conv1d = register_module("conv1d", torch::nn::Conv1d(torch::nn::Conv1dOptions(inner_, inner_, kernel_)
                                                             .groups(inner_)
                                                             .bias(c.use_conv_bias)));
    x_proj = register_module("x_proj", linear(inner_, rank_ + 2 * states_, false));
    dt_proj = register_module("dt_proj", linear(rank_, inner_, true));
    A_log = register_parameter("A_log", torch::zeros({inner_, states_}));
    D = register_parameter("D", torch::ones({inner_}));
    out_proj = register_module("out_proj", linear(inner_, c.hidden_size, c.use_bias));
  }

  // x [B, T, hidden]; keep [B, T, 1] (1 = real token) or undefined; state: the cache's or null.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keep, KVCache::RecurrentState* state) {
    if (state && can_step(x, keep, *state)) return decode_step(x, *state);
    const int64_t batch = x.size(0), length = x.size(1);
    const auto projected = linear_out_in(x, in_proj->weight, in_proj->bias);  // [B, T, 2D]
    auto u = projected.narrow(-1, 0, inner_);
    const auto z = projected.narrow(-1, inner_, inner_);
    if (keep.defined()) u = u * keep;
    // The causal conv reads the K-1 inputs before this call: the cache's, zeros at the start.
    const auto past = state && state->conv.defined() ? state->conv
                                                     : torch::zeros({batch, kernel_ - 1, inner_}, u.options());
    const auto window = torch::cat({past, u}, 1);  // [B, K-1+T, D]
    if (state) state->conv = window.narrow(1, length, kernel_ - 1).contiguous();
    auto xs = activate(causal_conv(window, length), activation_);  // [B, T, D]
    if (keep.defined()) xs = xs * keep;
    const auto params = linear_out_in(xs, x_proj->weight);
    const auto delta =
        torch::softplus(linear_out_in(params.narrow(-1, 0, rank_), dt_proj->weight, dt_proj->bias));
    const auto A = state_matrix();
    auto scan = selective_scan(xs, delta, A, params.narrow(-1, rank_, states_),
                               params.narrow(-1, rank_ + states_, states_), D,
                               state ? state->ssm : torch::Tensor());
    if (state) state->ssm = scan.state;
    const auto gated = scan.y.to(x.scalar_type()) * activate(z, activation_);
    return linear_out_in(gated, out_proj->weight, out_proj->bias);
  }

  torch::nn::Linear in_proj{nullptr}, x_proj{nullptr}, dt_proj{nullptr}, out_proj{nullptr};
  torch::nn::Conv1d conv1d{nullptr};
  torch::Tensor A_log, D;

 private:
  // A decoding step (one new token per row, fp32 on the CPU, no autograd, SiLU as transformers'
  // Mamba) with a state from earlier calls: the conv and the scan run as two fused loops
  // between the four projections, instead of the ~50 small tensor operations of forward(),
  // whose per-call overhead is most of a step at this size.
  bool can_step(const torch::Tensor& x, const torch::Tensor& keep, const KVCache::RecurrentState& state) const {
    return x.size(1) == 1 && !keep.defined() && !torch::GradMode::is_enabled() && x.device().is_cpu() &&
           x.scalar_type() == torch::kFloat && activation_ == "silu" && state.conv.defined() && state.ssm.defined() &&
           state.conv.is_contiguous() && state.ssm.is_contiguous() && conv1d->weight.is_contiguous() &&
           conv1d->weight.scalar_type() == torch::kFloat && D.scalar_type() == torch::kFloat && D.is_contiguous();
  }

  torch::Tensor decode_step(const torch::Tensor& x, KVCache::RecurrentState& state) {
    const int64_t batch = x.size(0);
    const auto rows = linear_out_in(x, in_proj->weight, in_proj->bias).view({batch, 2 * inner_});  // [u | z]
    auto xs = torch::empty({batch, inner_}, x.options());
    {
      // Causal conv over (K-1 remembered inputs, the new one), then SiLU; the window shifts by one.
      const float* w = conv1d->weight.data_ptr<float>();  // [D, 1, K]
      const float* bias = conv1d->bias.defined() ? conv1d->bias.data_ptr<float>() : nullptr;
      const float* u = rows.data_ptr<float>();
      float* window = state.conv.data_ptr<float>();  // [B, K-1, D]
      float* out = xs.data_ptr<float>();
      const int64_t K = kernel_, D_ = inner_;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t d = 0; d < D_; ++d) {
          float* past = window + b * (K - 1) * D_ + d;
          const float now = u[b * 2 * D_ + d];
          float acc = 0.0f;
          for (int64_t j = 0; j < K - 1; ++j) acc += past[j * D_] * w[d * K + j];
          acc += now * w[d * K + K - 1];
          if (bias) acc += bias[d];
          for (int64_t j = 0; j + 1 < K - 1; ++j) past[j * D_] = past[(j + 1) * D_];
          if (K > 1) past[(K - 2) * D_] = now;
          out[b * D_ + d] = acc / (1.0f + std::exp(-acc));
        }
    }
    const auto params = linear_out_in(xs, x_proj->weight);  // [B, R + 2N]
    const auto dt_raw = linear_out_in(params.narrow(1, 0, rank_), dt_proj->weight, dt_proj->bias);
    const auto gated = selective_scan_step(xs, dt_raw, state_matrix(), params.narrow(1, rank_, states_),
                                           params.narrow(1, rank_ + states_, states_), D,
                                           rows.narrow(1, inner_, inner_), state.ssm);
    return linear_out_in(gated, out_proj->weight, out_proj->bias).view({batch, 1, -1});
  }

  // A = -exp(A_log) in fp32. Outside autograd it is kept until A_log changes (its version
  // counter moves on every in-place update, its storage on .to()): a decoding step would
  // otherwise spend most of its time here, as LibTorch runs exp over [D, N] as a parallel VML
  // call, and waking the thread team costs milliseconds on a busy machine.
  torch::Tensor state_matrix() {
    if (torch::GradMode::is_enabled() && A_log.requires_grad()) return -torch::exp(A_log.to(torch::kFloat));
    if (!A_cached_.defined() || A_version_ != A_log._version() || A_storage_ != A_log.data_ptr()) {
      A_cached_ = -torch::exp(A_log.detach().to(torch::kFloat));
      A_version_ = A_log._version();
      A_storage_ = A_log.data_ptr();
    }
    return A_cached_;
  }

  // Output t = bias + sum_j W[:, 0, j] * window[t + j]: the depthwise conv as K shifted
  // multiply-adds over [B, T, D] (channels contiguous). LibTorch's CPU conv1d with groups = D
  // runs D separate tiny convolutions, ~100x slower here, in training and in each decoding step.
  torch::Tensor causal_conv(const torch::Tensor& window, int64_t length) const {
    const auto w = conv1d->weight.select(1, 0);  // [D, K]
    auto out = window.narrow(1, 0, length) * w.select(1, 0);
    for (int64_t j = 1; j < kernel_; ++j) out = torch::addcmul(out, window.narrow(1, j, length), w.select(1, j));
    return conv1d->bias.defined() ? out + conv1d->bias : out;
  }

  int64_t inner_, states_, rank_, kernel_;
  std::string activation_;
  torch::Tensor A_cached_;
  int64_t A_version_ = -1;
  const void* A_storage_ = nullptr;
};
TORCH_MODULE(MambaMixer);

class MambaBlockImpl : public torch::nn::Module {
 public:
  explicit MambaBlockImpl(const ModelConfig& c) : residual_in_fp32_(c.residual_in_fp32) {
    norm = register_module("norm", RMSNorm(c.hidden_size, c.layer_norm_epsilon));
    mixer = register_module("mixer", MambaMixer(c));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& keep, KVCache::RecurrentState* state) {
    const auto mixed = mixer->forward(norm(h.to(norm->weight.scalar_type())), keep, state);
    // transformers adds the block's output to an fp32 copy of the residual stream.
    return (residual_in_fp32_ ? h.to(torch::kFloat) : h) + mixed;
  }
  RMSNorm norm{nullptr};
  MambaMixer mixer{nullptr};

 private:
  bool residual_in_fp32_;
};
TORCH_MODULE(MambaBlock);

// transformers' MambaModel, registered as "backbone".
class MambaBackboneImpl : public torch::nn::Module {
 public:
  explicit MambaBackboneImpl(const ModelConfig& c) {
    embeddings = register_module("embeddings", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(MambaBlock(c));
      layers->push_back(blocks.back());
    }
    norm_f = register_module("norm_f", RMSNorm(c.hidden_size, c.layer_norm_epsilon));
  }
  torch::nn::Embedding embeddings{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<MambaBlock> blocks;
  RMSNorm norm_f{nullptr};
};
TORCH_MODULE(MambaBackbone);

class MambaLM : public CausalLM {
 public:
  explicit MambaLM(const ModelConfig& c) : CausalLM(c) {
    backbone = register_module("backbone", MambaBackbone(c));
    if (!c.tie_word_embeddings) lm_head_ = register_module("lm_head", linear(c.hidden_size, c.vocab_size, false));
  }

  torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                               KVCache* cache) override {
    const int64_t batch = embeddings.size(0), length = embeddings.size(1);
    // The mask covers past + new positions like the transformers' ones; only the new ones matter
    // here (the past lives in the state). All ones is the unpadded computation, so it is skipped.
    torch::Tensor keep;
    if (attention_mask.defined()) {
      TORCH_CHECK(attention_mask.dim() == 2 && attention_mask.size(0) == batch && attention_mask.size(1) >= length,
                  "attention_mask must be [batch, past + new], got ", attention_mask.sizes());
      const auto recent = attention_mask.narrow(1, attention_mask.size(1) - length, length);
      if (!recent.to(torch::kBool).all().item<bool>())
        keep = recent.to(embeddings.device(), embeddings.scalar_type()).unsqueeze(-1);
    }
    auto h = embeddings;
    for (size_t i = 0; i < backbone->blocks.size(); ++i)
      h = backbone->blocks[i]->forward(h, keep, cache ? &cache->recurrent(static_cast<int64_t>(i)) : nullptr);
    if (cache) cache->advance(length);
    return backbone->norm_f(h);
  }

 protected:
  torch::Tensor embed_tokens(const torch::Tensor& ids) override { return backbone->embeddings(ids); }
  torch::Tensor lm_head(const torch::Tensor& hidden) override {
    const auto& weight = lm_head_ ? lm_head_->weight : backbone->embeddings->weight;
    return linear_out_in(hidden.to(weight.scalar_type()), weight);
  }
  // transformers still loads checkpoints saved with the older "backbone.embedding." prefix.
  std::vector<std::string> alternative_names(const std::string& name) const override {
    const std::string current = "backbone.embeddings.";
    if (name.rfind(current, 0) == 0) return {"backbone.embedding." + name.substr(current.size())};
    return {};
  }

 private:
  MambaBackbone backbone{nullptr};
  torch::nn::Linear lm_head_{nullptr};
};

}  // namespace

std::shared_ptr<CausalLM> make_mamba(const ModelConfig& config) { return std::make_shared<MambaLM>(config); }

// transformers' MambaPreTrainedModel._init_weights for the SSM parameters, after create_model's
// N(0, initializer_range) matrices and zero biases: A = -(1..N) per channel (A_log = log n),
// D = 1, dt_proj's bias the inverse softplus of a dt drawn log-uniformly in [1e-3, 1e-1]
// (floored at 1e-4) and its weight U(+-rank^-1/2), the conv weight U(+-1/sqrt(K)) (bias 0),
// out_proj scaled by 1/sqrt(layers) (rescale_prenorm_residual).
void init_mamba_weights(CausalLM& model, const ModelConfig& c) {
  torch::NoGradGuard no_grad;
  const double rank_std = 1.0 / std::sqrt(static_cast<double>(c.time_step_rank));
  const double conv_bound = 1.0 / std::sqrt(static_cast<double>(c.conv_kernel));
  for (auto& item : model.named_parameters(true)) {
    const std::string& name = item.key();
    auto& p = item.value();
    auto ends = [&](const std::string& suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends("mixer.A_log")) {
      p.copy_(torch::log(torch::arange(1, c.state_size + 1, torch::kFloat)).expand({c.intermediate_size, c.state_size}));
    } else if (ends("mixer.D")) {
      p.fill_(1.0);
    } else if (ends("dt_proj.weight")) {
      p.uniform_(-rank_std, rank_std);
    } else if (ends("dt_proj.bias")) {
      const auto dt = torch::exp(torch::rand({c.intermediate_size}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3))
                          .clamp_min(1e-4);
      p.copy_(dt + torch::log(-torch::expm1(-dt)));
    } else if (ends("conv1d.weight")) {
      p.uniform_(-conv_bound, conv_bound);
    } else if (ends("out_proj.weight")) {
      p.div_(std::sqrt(static_cast<double>(c.num_hidden_layers)));
    }
  }
}

}  // namespace harmonia::model
