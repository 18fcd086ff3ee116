#include "core/train/progress.hpp"

namespace harmonia::train {

const char* to_string(TrainEvent::Kind kind) {
  switch (kind) {
    case TrainEvent::Kind::Started: return "started";
    case TrainEvent::Kind::Step: return "step";
    case TrainEvent::Kind::Validation: return "validation";
    case TrainEvent::Kind::CheckpointSaved: return "checkpoint";
    case TrainEvent::Kind::Paused: return "paused";
    case TrainEvent::Kind::Resumed: return "resumed";
    case TrainEvent::Kind::Finished: return "finished";
    case TrainEvent::Kind::Cancelled: return "cancelled";
    case TrainEvent::Kind::Error: return "error";
  }
  return "?";
}

void EventQueue::push(TrainEvent event) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (events_.size() >= cap_ && event.kind == TrainEvent::Kind::Step) {
      // Drop the oldest step event; keep the rare ones (checkpoint, finished, error).
      for (auto it = events_.begin(); it != events_.end(); ++it)
        if (it->kind == TrainEvent::Kind::Step) {
          events_.erase(it);
          break;
        }
    }
    events_.push_back(std::move(event));
  }
  ready_.notify_one();
}

std::optional<TrainEvent> EventQueue::try_pop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (events_.empty()) return std::nullopt;
  TrainEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<TrainEvent> EventQueue::pop_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
  TrainEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

size_t EventQueue::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

EventDispatcher::EventDispatcher(EventQueue& queue, std::function<void(const TrainEvent&)> callback)
    : queue_(queue), callback_(std::move(callback)) {
  thread_ = std::thread([this] {
    while (true) {
      auto e = queue_.pop_for(std::chrono::milliseconds(20));
      if (e) callback_(*e);
      else if (stop_.load()) break;  // drained and asked to stop
    }
  });
}

EventDispatcher::~EventDispatcher() {
  stop_.store(true);
  thread_.join();
}

void TrainControl::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_.store(true);
  changed_.notify_all();
}

void TrainControl::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_.store(false);
  changed_.notify_all();
}

void TrainControl::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_.store(true);
  changed_.notify_all();
}

bool TrainControl::wait_while_paused() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !paused_.load() || cancelled_.load(); });
  return cancelled_.load();
}

}  // namespace harmonia::train
