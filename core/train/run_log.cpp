#include "core/train/run_log.hpp"

#include <stdexcept>

namespace harmonia::train {

RunLog::RunLog(const std::filesystem::path& run_dir, bool tensorboard, bool append) {
  std::filesystem::create_directories(run_dir);
  const auto csv_path = run_dir / "train_log.csv";
  const bool header = !append || !std::filesystem::exists(csv_path);
  csv_.open(csv_path, append ? std::ios::app : std::ios::trunc);
  if (!csv_) throw std::runtime_error("cannot write " + csv_path.string());
  csv_.precision(8);
  if (header) csv_ << "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n";
  if (tensorboard) tensorboard_ = std::make_unique<TfEventsWriter>(run_dir / "tensorboard");
}

void RunLog::write(const LogRow& r) {
  csv_ << r.step << ',' << r.epoch << ',';
  if (r.train_loss >= 0) csv_ << r.train_loss;
  csv_ << ',';
  if (r.val_loss >= 0) csv_ << r.val_loss;
  csv_ << ',' << r.lr << ',' << r.grad_norm << ',' << r.tokens_per_s << ',' << r.elapsed_s << '\n';
  if (!tensorboard_) return;
  if (r.train_loss >= 0) {
    tensorboard_->add_scalar("train/loss", static_cast<float>(r.train_loss), r.step);
    tensorboard_->add_scalar("train/lr", static_cast<float>(r.lr), r.step);
    tensorboard_->add_scalar("train/grad_norm", static_cast<float>(r.grad_norm), r.step);
    tensorboard_->add_scalar("train/tokens_per_s", static_cast<float>(r.tokens_per_s), r.step);
  }
  if (r.val_loss >= 0) tensorboard_->add_scalar("val/loss", static_cast<float>(r.val_loss), r.step);
}

void RunLog::flush() {
  csv_.flush();
  if (tensorboard_) tensorboard_->flush();
}

}  // namespace harmonia::train
