// "Train a tokenizer" on the Tokenizer page: choose BPE, Unigram or WordPiece and a
// vocabulary size, learn it from the dataset's MIDI files on a worker thread (progress bar,
// Cancel), then show what was learned: the vocabulary, how much shorter the corpus gets and
// the learned tokens as the base tokens they stand for. The page owns the tokenizer: the
// panel trains from the base the page gives it and hands the trained one back (trained()).
#pragma once

#include <QFutureWatcher>
#include <QGroupBox>
#include <QStringList>
#include <QTimer>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/tokenizer/subword_model.hpp"

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace harmonia::tokenizer {
class Tokenizer;
}

namespace harmonia::ui {

class SliderSpinBox;

// What one training run gave: the new tokenizer, or an error in plain words.
struct TokenizerTrainingOutcome {
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
  QString error;
  bool cancelled = false;
  size_t files = 0, failed = 0;
  double seconds = 0;
};

class TokenizerTrainingPanel : public QGroupBox {
  Q_OBJECT
 public:
  explicit TokenizerTrainingPanel(QWidget* parent = nullptr);
  ~TokenizerTrainingPanel() override;  // cancels a running training and waits for it

  // The page's current tokenizer, what Train starts from (a trained one is retrained from
  // its base tokens). Null (invalid options) or a compound scheme disables training. A new
  // base while training runs cancels the training: its result would no longer fit.
  void setBase(std::shared_ptr<const tokenizer::Tokenizer> base);
  void setFiles(const QStringList& files);

  // The page's tokenizer is `tok`, trained here or loaded from a file (`origin` says which):
  // show its learned vocabulary; the corpus figures follow in showCorpusEffect().
  void showTrained(std::shared_ptr<const tokenizer::Tokenizer> tok, const QString& origin);
  // The page's tokenizer is a plain scheme again; `why` tells the user (empty: it never
  // was trained, nothing to say).
  void showUntrained(const QString& why);
  // What the trained tokenizer does to the loaded corpus, measured on the page's statistics
  // worker: base tokens / learned ids, and the learned ids that save the most tokens
  // (id, times used), best first.
  void showCorpusEffect(size_t files, size_t baseTokens, size_t learnedTokens,
                        const std::vector<std::pair<int32_t, size_t>>& mostUseful);

  bool isTraining() const { return training_; }
  // The model the combo box names; false for "None (plain scheme)".
  bool modelChosen(tokenizer::SubwordKind* kind = nullptr) const;
  bool selectModel(const QString& name);  // "None", "BPE", "Unigram", "WordPiece"
  int vocabSize() const;
  void setVocabSize(int size);
  QString reductionText() const;
  double reduction() const { return reduction_; }  // base tokens / learned ids; 0 until measured
  const TokenizerTrainingOutcome& lastOutcome() const { return outcome_; }
  static QString modelExplanation(const QString& model);

 signals:
  void trained(std::shared_ptr<const tokenizer::Tokenizer> tokenizer);
  void plainChosen();  // "None" picked while the page's tokenizer is a trained one
  void statusMessage(const QString& message);
  // A failed training run: the page shows it in its banner (kept until dismissed).
  void failed(const QString& message);

 public slots:
  void train();
  void cancel();

 private:
  void onModelChanged();
  void onTrainingFinished();
  void pollProgress();
  void updateControls();
  void listLongestTokens(const tokenizer::Tokenizer& tok);
  QString baseSequence(int32_t id) const;

  QComboBox* model_ = nullptr;
  QLabel* explanation_ = nullptr;
  SliderSpinBox* vocab_ = nullptr;
  QPushButton* train_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* reductionLabel_ = nullptr;
  QLabel* listTitle_ = nullptr;
  QListWidget* learned_ = nullptr;

  std::shared_ptr<const tokenizer::Tokenizer> base_;
  std::shared_ptr<const tokenizer::Tokenizer> shown_;  // the page's trained tokenizer; null when plain
  QStringList files_;
  bool training_ = false;
  QString trainedStatus_;  // what showTrained() said, shown again after a failed retraining
  QString untrainedNote_;  // why the page's tokenizer is plain again, until the next training
  double reduction_ = 0;
  TokenizerTrainingOutcome outcome_;
  QFutureWatcher<TokenizerTrainingOutcome> watcher_;
  // Shared with the worker: it may outlive a cancel by a moment (the trainer checks the flag
  // between files only), so it holds its own references.
  struct Progress;
  std::shared_ptr<Progress> progressState_;
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  QTimer poll_;  // reads the worker's progress on the GUI thread, 10 times a second
};

}  // namespace harmonia::ui
