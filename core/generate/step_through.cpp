#include "core/generate/step_through.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "core/compute/decode_pool.hpp"
#include "core/generate/decoding_session.hpp"

namespace harmonia::generate {

StepThrough::StepThrough(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer,
                         const std::vector<int32_t>& prompt, GenerationSettings settings)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
  if (!model_ || !tokenizer_) throw std::invalid_argument("step-through: model and tokenizer are required");
  if (tokenizer_->is_compound())
    throw std::invalid_argument("step-through shows one token's distribution at a time; a " + tokenizer_->name() +
                                " step draws " + std::to_string(tokenizer_->num_fields()) +
                                " fields, each from its own: use Generate for this model");
  Generator check(model_, tokenizer_);  // the same model/tokenizer checks as generate()
  settings.num_candidates = 1;
  // Inference tensors are made here and in every later call: each call enters the mode on its
  // own thread (the studio steps on whichever worker thread is free).
  c10::InferenceMode inference;
  compute::DecodeThreadsScope decode_threads(model_->num_parameters() * int64_t(sizeof(float)));
  model_->eval();
  session_ = std::make_unique<DecodingSession>(*model_, *tokenizer_, prompt, settings);
  sequence_ = prompt;
  prompt_length_ = prompt.size();
}

StepThrough::~StepThrough() = default;

bool StepThrough::step() {
  if (finished_) return false;
  c10::InferenceMode inference;
  compute::DecodeThreadsScope decode_threads(model_->num_parameters() * int64_t(sizeof(float)));
  if (pending_) session_->advance();
  pending_ = false;
  last_bar_ = false;
  const GenerationCallbacks none;
  if (!session_->begin_step(none)) {
    finished_ = true;
    return false;
  }
  StepDistribution d;
  session_->choose([&](size_t, const torch::Tensor& raw, const torch::Tensor& processed) {
    const int64_t v = raw.size(1);
    const torch::Tensor row = raw.select(0, 0).contiguous();
    raw_logits_.assign(row.data_ptr<float>(), row.data_ptr<float>() + v);
    d.raw = sampling_distribution(raw_logits_.data(), v, false);
    d.processed = sampling_distribution(processed.data_ptr<float>(), v, session_->greedy());
  });
  session_->accept(none);
  d.step = draws_++;
  const int32_t chosen = session_->chosen(0)[0];
  if (chosen >= 0) {
    d.drawn = chosen;
  } else {  // EOS, or nothing was allowed
    bool any = false;
    for (double p : d.processed) any = any || p > 0;
    d.drawn = any ? tokenizer_->vocab().id("EOS_None") : -1;
  }
  finished_ = session_->stopped(0);
  pending_ = !finished_;
  if (!finished_) {
    sequence_.push_back(chosen);
    last_bar_ = session_->started_bar(0);
  }
  current_ = std::move(d);
  return true;
}

int64_t StepThrough::step_bar(int64_t max_tokens) {
  int64_t n = 0;
  while (n < max_tokens && step()) {
    ++n;
    if (last_bar_ || finished_) break;
  }
  return n;
}

std::vector<double> StepThrough::reprocess(const SamplingSettings& sampling) const {
  if (current_.step < 0) return {};
  c10::InferenceMode inference;
  torch::Tensor scores = torch::from_blob(const_cast<float*>(raw_logits_.data()), {1, int64_t(raw_logits_.size())},
                                          torch::kFloat)
                             .clone();
  const torch::Tensor processed = session_->reprocess(0, scores, sampling);
  return sampling_distribution(processed.data_ptr<float>(), processed.size(1), sampling.temperature <= 0);
}

void StepThrough::set_sampling(const SamplingSettings& sampling) { session_->set_sampling(sampling); }

void StepThrough::retune(const GenerationSettings& settings) { session_->retune(settings); }

std::string StepThrough::stop_reason() const { return finished_ ? session_->stop_reason(0) : std::string(); }

int64_t StepThrough::forward_passes() const { return session_->forward_passes(); }

}  // namespace harmonia::generate
