// How a GUI (or the CLI) follows and steers a run that trains on another thread.
//
//   harmonia::train::TrainControl control;          // shared with the GUI
//   harmonia::train::EventQueue events;             // the trainer pushes, the GUI pops
//   std::thread worker([&] { train(config, model, source, nullptr, {&events, &control}); });
//   while (auto e = events.pop_for(std::chrono::milliseconds(100))) { ... update widgets ... }
//   control.pause(); control.resume(); control.cancel();   // honoured at the next step
//
// push() only takes a mutex for a few instructions and never waits for a consumer: a slow
// or absent GUI cannot stall training (the queue drops the oldest step events past a cap).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace harmonia::train {

struct TrainEvent {
  enum class Kind { Started, Step, Validation, CheckpointSaved, Paused, Resumed, Finished, Cancelled, Error };
  Kind kind = Kind::Step;
  int64_t step = 0;        // optimizer steps done
  int64_t total_steps = 0;
  int64_t epoch = 0;
  double train_loss = 0, val_loss = 0, perplexity = 0;
  double lr = 0, grad_norm = 0, tokens_per_s = 0;
  double elapsed_s = 0, eta_s = 0;
  std::string message;     // checkpoint path, error text, stop reason
};

const char* to_string(TrainEvent::Kind kind);

class EventQueue {
 public:
  explicit EventQueue(size_t max_step_events = 10000) : cap_(max_step_events) {}
  void push(TrainEvent event);
  std::optional<TrainEvent> try_pop();
  std::optional<TrainEvent> pop_for(std::chrono::milliseconds timeout);
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<TrainEvent> events_;
  size_t cap_;
};

// Runs `callback` on its own thread for every event of `queue` (so callbacks may block,
// e.g. on a GUI's queued connection, without slowing the trainer). Stops when destroyed.
class EventDispatcher {
 public:
  EventDispatcher(EventQueue& queue, std::function<void(const TrainEvent&)> callback);
  ~EventDispatcher();

 private:
  EventQueue& queue_;
  std::function<void(const TrainEvent&)> callback_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Pause/resume/cancel requests; the trainer checks them between optimizer steps.
class TrainControl {
 public:
  void pause();
  void resume();
  void cancel();  // also releases a paused trainer
  bool cancelled() const { return cancelled_.load(); }
  bool paused() const { return paused_.load(); }
  // Training thread: blocks while paused (returns at once otherwise); true = cancelled.
  bool wait_while_paused();

 private:
  std::atomic<bool> paused_{false}, cancelled_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
};

// What train() reports to and listens to; both optional.
struct TrainHooks {
  EventQueue* events = nullptr;
  TrainControl* control = nullptr;
};

}  // namespace harmonia::train
