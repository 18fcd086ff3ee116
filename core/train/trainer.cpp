#include "core/train/trainer.hpp"

#include <torch/nn/utils/clip_grad.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/train/checkpoint.hpp"
#include "core/train/loss.hpp"
#include "core/train/loss_scaler.hpp"
#include "core/train/lr_schedule.hpp"
#include "core/train/optimizer.hpp"
#include "core/train/precision.hpp"
#include "core/train/run_log.hpp"

namespace harmonia::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

nlohmann::json config_json(const TrainConfig& c) {
  return {{"max_steps", c.max_steps}, {"epochs", c.epochs}, {"grad_accum", c.grad_accum}, {"lr", c.lr},
          {"min_lr", c.min_lr}, {"weight_decay", c.weight_decay}, {"schedule", c.schedule},
          {"warmup_steps", c.warmup_steps}, {"clip_norm", c.clip_norm}, {"seed", c.seed},
          {"precision", c.precision}};
}

void emit(const TrainHooks& hooks, TrainEvent event) {
  if (hooks.events) hooks.events->push(std::move(event));
}

}  // namespace

double evaluate(model::CausalLM& model, BatchSource& validation, int64_t max_batches, bool bf16,
                Distributed* distributed) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  validation.rewind();
  int64_t n = validation.batches_per_epoch();
  if (max_batches > 0) n = std::min(n, max_batches);
  double loss_sum = 0, tokens = 0;
  for (int64_t i = 0; i < n; ++i) {
    Batch batch = validation.next();
    AutocastScope autocast(bf16, model.device().is_cuda());
    auto logits = model.forward(batch.input_ids.to(model.device()), batch.attention_mask.to(model.device()));
    const auto labels = batch.labels.to(model.device());
    const double count = static_cast<double>(counted_labels(labels));
    loss_sum += causal_lm_loss(model, logits, labels).item<double>() * count;
    tokens += count;
  }
  model.train(was_training);
  double mean = tokens > 0 ? loss_sum / tokens : 0.0;
  if (distributed) mean = distributed->mean(mean);
  return mean;
}

TrainResult train(const TrainConfig& config, model::CausalLM& model, BatchSource& train_data,
                  BatchSource* validation, TrainHooks hooks, Distributed* distributed,
                  const std::filesystem::path& resume_from) {
  const bool rank0 = !distributed || distributed->rank() == 0;
  const int world = distributed ? distributed->world_size() : 1;
  const bool bf16 = config.precision == "bf16";
  const bool fp16 = config.precision == "fp16";
  const bool cuda = model.device().is_cuda();
  if (!bf16 && !fp16 && config.precision != "fp32")
    throw std::invalid_argument("precision must be fp32, bf16 or fp16, not " + config.precision);
  // fp16 autocast and its loss scaling are a CUDA path (LibTorch's CPU autocast is bf16).
  if (fp16 && !cuda) throw std::invalid_argument("fp16 training needs a CUDA device; use bf16 on the CPU");
  LossScaler scaler(fp16);
  const int64_t grad_accum = std::max<int64_t>(1, config.grad_accum);
  const int64_t total_steps = config.max_steps > 0
                                  ? config.max_steps
                                  : std::max<int64_t>(1, config.epochs * train_data.batches_per_epoch() / grad_accum);
  const auto checkpoints_dir = config.out_dir / "checkpoints";
  TrainResult result;

  // 1. Setup: seed, optimizer, state (fresh or resumed), identical weights on every rank.
  torch::manual_seed(config.seed);
  auto params = unique_parameters(model);
  auto optimizer = make_adamw(model, config);
  TrainerState state;
  state.config = config_json(config);
  if (!resume_from.empty()) {
    auto dir = latest_checkpoint(resume_from);
    if (!dir) throw std::runtime_error("no checkpoint to resume from in " + resume_from.string());
    state = load_checkpoint(*dir, model, *optimizer);
    train_data.restore(state.data);
  }
  if (distributed) distributed->broadcast(params);
  std::unique_ptr<RunLog> log;
  if (rank0 && !config.out_dir.empty()) log = std::make_unique<RunLog>(config.out_dir, config.tensorboard, !resume_from.empty());

  auto make_event = [&](TrainEvent::Kind kind) {
    TrainEvent e;
    e.kind = kind;
    e.step = state.step;
    e.total_steps = total_steps;
    e.epoch = state.epoch;
    e.elapsed_s = state.elapsed_s;
    return e;
  };
  auto checkpoint = [&](const std::string& name) {
    if (!rank0 || config.out_dir.empty()) return std::filesystem::path();
    state.data = train_data.state();
    auto path = save_checkpoint(checkpoints_dir, name, model, *optimizer, state);
    if (name != "best") prune_checkpoints(checkpoints_dir, config.keep_checkpoints);
    auto e = make_event(TrainEvent::Kind::CheckpointSaved);
    e.message = path.string();
    emit(hooks, e);
    return path;
  };

  emit(hooks, make_event(TrainEvent::Kind::Started));
  model.train();
  const int64_t first_step = state.step;
  // Decisions taken from each rank's own clock must be the same on every rank, or one rank
  // would wait in an all-reduce the others never enter.
  auto any_rank = [&](bool local) { return distributed ? distributed->mean(local ? 1.0 : 0.0) > 0 : local; };
  double next_eval_s = config.eval_every_s > 0 ? (std::floor(state.elapsed_s / config.eval_every_s) + 1) * config.eval_every_s : 0;
  const bool by_time = config.schedule_over_time_budget && config.time_budget_s > 0;
  const double elapsed_at_start = state.elapsed_s;
  double window_tokens = 0, window_seconds = 0;

  try {
    while (state.step < total_steps) {
      // 2. Control: pause/cancel take effect between optimizer steps.
      if (hooks.control && hooks.control->paused()) {
        emit(hooks, make_event(TrainEvent::Kind::Paused));
        hooks.control->wait_while_paused();
        if (!hooks.control->cancelled()) emit(hooks, make_event(TrainEvent::Kind::Resumed));
      }
      if (hooks.control && hooks.control->cancelled()) {
        result.stop_reason = "cancelled";
        break;
      }
      if (config.time_budget_s > 0 && any_rank(state.elapsed_s >= config.time_budget_s)) {
        result.stop_reason = "time_budget";
        break;
      }

      // 3. Data -> forward -> loss -> backward, over grad_accum micro-batches.
      const auto step_start = Clock::now();
      optimizer->zero_grad();
      double loss_sum = 0;
      int64_t step_tokens = 0;
      for (int64_t micro = 0; micro < grad_accum; ++micro) {
        Batch batch = train_data.next();
        state.epoch = batch.epoch;
        const auto ids = batch.input_ids.to(model.device());
        const auto labels = batch.labels.to(model.device());
        torch::Tensor loss;
        {
          AutocastScope autocast(bf16 || fp16, cuda, fp16 ? at::kHalf : at::kBFloat16);
          auto logits = model.forward(ids, batch.attention_mask.to(model.device()));
          loss = causal_lm_loss(model, logits, labels) / static_cast<double>(grad_accum);
        }
        // DDP: each rank's loss is a mean over its own tokens, and the all-reduce averages
        // ranks equally. Weighting by the rank's share of the tokens makes the averaged
        // gradient the one of the mean over all ranks' tokens, as one process with the whole
        // batch computes it (windows differ in length, so the shares differ).
        torch::Tensor weighted = loss;
        if (distributed) {
          const double local = static_cast<double>(counted_labels(labels));
          const double mean_tokens = distributed->mean(local);
          if (mean_tokens > 0 && local != mean_tokens) weighted = loss * (local / mean_tokens);
        }
        scaler.scale_loss(weighted).backward();
        loss_sum += loss.item<double>();
        step_tokens += batch.attention_mask.sum().item<int64_t>();
      }

      // 4. All-reduce (DDP) -> clip -> step with the scheduled learning rate.
      if (distributed) distributed->average_gradients(params);
      // fp16: unscale; an overflow skips this update (the same on every rank: the gradients
      // were all-reduced) and halves the scale.
      const bool finite = scaler.unscale_and_check(params);
      const double max_norm = config.clip_norm > 0 ? config.clip_norm : std::numeric_limits<double>::infinity();
      const double grad_norm = torch::nn::utils::clip_grad_norm_(params, max_norm);
      const double lr =
          by_time && state.step >= config.warmup_steps
              ? learning_rate_over_time(state.elapsed_s, config.time_budget_s, config.lr, config.min_lr, config.schedule)
              : learning_rate_at(state.step, total_steps, config.warmup_steps, config.lr, config.min_lr, config.schedule);
      set_learning_rate(*optimizer, lr);
      if (finite) optimizer->step();
      scaler.update(finite);
      ++state.step;
      const double dt = seconds_since(step_start);
      state.elapsed_s += dt;
      state.tokens += step_tokens * world;
      window_tokens += static_cast<double>(step_tokens * world);
      window_seconds += dt;

      // 5. Log (all ranks take part in the loss average, rank 0 writes).
      const bool last = state.step == total_steps;
      if (config.log_every > 0 && (state.step % config.log_every == 0 || last)) {
        const double train_loss = distributed ? distributed->mean(loss_sum) : loss_sum;
        const double tps = window_seconds > 0 ? window_tokens / window_seconds : 0;
        window_tokens = window_seconds = 0;
        result.last_train_loss = train_loss;
        result.tokens_per_s = tps;
        const double sec_per_step = (state.elapsed_s - elapsed_at_start) / static_cast<double>(state.step - first_step);
        auto e = make_event(TrainEvent::Kind::Step);
        e.train_loss = train_loss;
        e.lr = lr;
        e.grad_norm = grad_norm;
        e.tokens_per_s = tps;
        e.eta_s = sec_per_step * static_cast<double>(total_steps - state.step);
        if (config.time_budget_s > 0) e.eta_s = std::min(e.eta_s, std::max(0.0, config.time_budget_s - state.elapsed_s));
        emit(hooks, e);
        if (log) log->write({state.step, state.epoch, train_loss, -1, lr, grad_norm, tps, state.elapsed_s});
      }

      // 6. Validate: keep the best checkpoint, stop after `patience` evaluations without gain.
      bool eval_now = config.eval_every > 0 && state.step % config.eval_every == 0;
      if (config.eval_every_s > 0 &&
          any_rank(state.elapsed_s >= next_eval_s &&
                   (config.time_budget_s <= 0 || state.elapsed_s < config.time_budget_s))) {  // the end validates anyway
        eval_now = true;
        do next_eval_s += config.eval_every_s; while (next_eval_s <= state.elapsed_s);
      }
      if (validation && eval_now && !last) {
        const double val = evaluate(model, *validation, config.eval_batches, bf16, distributed);
        result.last_val_loss = val;
        auto e = make_event(TrainEvent::Kind::Validation);
        e.val_loss = val;
        e.perplexity = std::exp(val);
        emit(hooks, e);
        if (log) {
          log->write({state.step, state.epoch, -1, val, lr, 0, 0, state.elapsed_s});
          log->flush();
        }
        if (val < state.best_val_loss) {
          state.best_val_loss = val;
          state.evals_without_improvement = 0;
          checkpoint("best");
        } else if (config.patience > 0 && ++state.evals_without_improvement >= config.patience) {
          result.stop_reason = "early_stopping";
          break;
        }
      }

      // 7. Checkpoint every N steps.
      if (config.checkpoint_every > 0 && state.step % config.checkpoint_every == 0 && !last) {
        if (log) log->flush();
        result.last_checkpoint = checkpoint(checkpoint_name(state.step));
      }
    }
    if (result.stop_reason.empty()) result.stop_reason = "max_steps";

    // 8. End (also on cancel): final validation, last checkpoint.
    if (validation && result.stop_reason != "cancelled") {
      const double val = evaluate(model, *validation, config.eval_batches, bf16, distributed);
      result.last_val_loss = val;
      auto e = make_event(TrainEvent::Kind::Validation);
      e.val_loss = val;
      e.perplexity = std::exp(val);
      emit(hooks, e);
      if (log) log->write({state.step, state.epoch, -1, val, 0, 0, 0, state.elapsed_s});
      if (val < state.best_val_loss) {
        state.best_val_loss = val;
        checkpoint("best");
      }
    }
    if (log) log->flush();
    if (!config.out_dir.empty()) result.last_checkpoint = checkpoint(checkpoint_name(state.step));
  } catch (const std::exception& error) {
    auto e = make_event(TrainEvent::Kind::Error);
    e.message = error.what();
    emit(hooks, e);
    throw;
  }

  result.steps = state.step;
  result.elapsed_s = state.elapsed_s;
  if (std::isfinite(state.best_val_loss)) result.best_val_loss = state.best_val_loss;
  auto done = make_event(result.stop_reason == "cancelled" ? TrainEvent::Kind::Cancelled : TrainEvent::Kind::Finished);
  done.train_loss = result.last_train_loss;
  done.val_loss = result.last_val_loss;
  done.message = result.stop_reason;
  emit(hooks, done);
  return result;
}

}  // namespace harmonia::train
