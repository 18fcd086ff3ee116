#include "ui/pages/tokenizer_training_panel.hpp"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <mutex>
#include <string>

#include "core/tokenizer/tokenizer.hpp"
#include "core/tokenizer/tokenizer_training.hpp"
#include "ui/widgets/slider_spin_box.hpp"
#include "ui/bridge/worker_priority.hpp"

namespace harmonia::ui {

namespace {

constexpr int kMaxVocab = 30000;     // beyond this a small corpus has nothing left to merge
constexpr int kDefaultVocab = 1000;  // MidiTok's examples; a few times the base vocabulary
constexpr int kListed = 40;          // learned tokens listed: enough to see the patterns

QString groupedNumber(size_t n) { return QLocale::system().toString(qulonglong(n)); }

// The trainer's stage names as a student reads them.
QString stageText(const QString& stage) {
  if (stage == QLatin1String("reading")) return QObject::tr("Reading MIDI files");
  if (stage == QLatin1String("merges")) return QObject::tr("Learning tokens");
  return stage;
}

}  // namespace

// Written by the trainer's threads, read by the GUI thread's poll timer.
struct TokenizerTrainingPanel::Progress {
  std::mutex mu;
  std::string stage;
  size_t done = 0, total = 0;
};

QString TokenizerTrainingPanel::modelExplanation(const QString& model) {
  if (model == QLatin1String("BPE"))
    return tr("BPE merges the most frequent neighbouring tokens into one, again and again, so the same "
              "context window holds more music.");
  if (model == QLatin1String("Unigram"))
    return tr("Unigram starts from many frequent token groups and keeps those that best explain the corpus; "
              "each piece is cut into its most likely groups.");
  if (model == QLatin1String("WordPiece"))
    return tr("WordPiece (BERT's method) merges the pairs that occur together far more often than apart; "
              "encoding takes the longest known group first.");
  return tr("None: the scheme's own tokens, one per event (Bar, Position, Pitch…). Pick a model to train one.");
}

TokenizerTrainingPanel::TokenizerTrainingPanel(QWidget* parent) : QGroupBox(tr("Train a tokenizer"), parent) {
  auto* form = new QFormLayout(this);
  model_ = new QComboBox;
  model_->addItem(tr("None (plain scheme)"), QStringLiteral("None"));
  for (const char* m : {"BPE", "Unigram", "WordPiece"}) model_->addItem(QString::fromLatin1(m), QString::fromLatin1(m));
  model_->setCurrentIndex(1);
  form->addRow(tr("&Model:"), model_);
  explanation_ = new QLabel;
  explanation_->setWordWrap(true);
  form->addRow(explanation_);
  vocab_ = new SliderSpinBox(1, kMaxVocab, kDefaultVocab, 0);
  vocab_->setToolTip(tr("How many tokens the trained tokenizer has, its base tokens included. More tokens: "
                        "shorter sequences, but each one is seen less often in training."));
  form->addRow(tr("&Vocabulary:"), vocab_);
  auto* buttons = new QHBoxLayout;
  train_ = new QPushButton(tr("&Train"));
  cancel_ = new QPushButton(tr("Cancel"));
  progress_ = new QProgressBar;
  progress_->setTextVisible(true);
  progress_->setVisible(false);
  buttons->addWidget(train_);
  buttons->addWidget(cancel_);
  buttons->addWidget(progress_, 1);
  form->addRow(buttons);
  status_ = new QLabel;
  status_->setWordWrap(true);
  form->addRow(status_);
  reductionLabel_ = new QLabel;
  reductionLabel_->setWordWrap(true);
  form->addRow(reductionLabel_);
  listTitle_ = new QLabel;
  listTitle_->setWordWrap(true);
  form->addRow(listTitle_);
  learned_ = new QListWidget;
  learned_->setAccessibleName(tr("Learned tokens"));
  learned_->setMinimumHeight(90);
  learned_->setWordWrap(true);  // long base sequences wrap instead of scrolling sideways
  learned_->setAlternatingRowColors(true);  // where a wrapped entry ends
  learned_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  learned_->setResizeMode(QListView::Adjust);
  form->addRow(learned_);
  listTitle_->setVisible(false);
  learned_->setVisible(false);

  connect(model_, &QComboBox::currentIndexChanged, this, &TokenizerTrainingPanel::onModelChanged);
  connect(vocab_, &SliderSpinBox::valueChanged, this, &TokenizerTrainingPanel::updateControls);  // the hint's size
  connect(train_, &QPushButton::clicked, this, &TokenizerTrainingPanel::train);
  connect(cancel_, &QPushButton::clicked, this, &TokenizerTrainingPanel::cancel);
  connect(&watcher_, &QFutureWatcher<TokenizerTrainingOutcome>::finished, this,
          &TokenizerTrainingPanel::onTrainingFinished);
  poll_.setInterval(100);
  connect(&poll_, &QTimer::timeout, this, &TokenizerTrainingPanel::pollProgress);
  explanation_->setText(modelExplanation(model_->currentData().toString()));
  updateControls();
}

TokenizerTrainingPanel::~TokenizerTrainingPanel() {
  if (cancelFlag_) cancelFlag_->store(true);
  watcher_.waitForFinished();
}

bool TokenizerTrainingPanel::modelChosen(tokenizer::SubwordKind* kind) const {
  tokenizer::SubwordKind k;
  if (!tokenizer::subword_kind_from_name(model_->currentData().toString().toStdString(), k)) return false;
  if (kind) *kind = k;
  return true;
}

bool TokenizerTrainingPanel::selectModel(const QString& name) {
  const int i = model_->findData(name, Qt::UserRole, Qt::MatchFixedString);
  if (i < 0) return false;
  model_->setCurrentIndex(i);
  return true;
}

int TokenizerTrainingPanel::vocabSize() const { return int(vocab_->value()); }
void TokenizerTrainingPanel::setVocabSize(int size) { vocab_->setValue(size); }
QString TokenizerTrainingPanel::reductionText() const { return reductionLabel_->text(); }

void TokenizerTrainingPanel::setBase(std::shared_ptr<const tokenizer::Tokenizer> base) {
  if (training_ && base != base_) cancel();  // trained from the old options, it would not fit
  base_ = std::move(base);
  if (base_ && !base_->is_compound()) {
    // A trained base is retrained from its base tokens, so the floor is the base vocabulary.
    const int floor = int(base_->vocab_size()) + 1;
    vocab_->setRange(floor, std::max(kMaxVocab, floor + 1));
  }
  updateControls();
}

void TokenizerTrainingPanel::setFiles(const QStringList& files) {
  files_ = files;
  updateControls();
}

void TokenizerTrainingPanel::onModelChanged() {
  explanation_->setText(modelExplanation(model_->currentData().toString()));
  // "None" while the page's tokenizer is trained: the user wants the plain scheme back.
  if (!modelChosen() && shown_) emit plainChosen();
  updateControls();
}

void TokenizerTrainingPanel::updateControls() {
  const bool compound = base_ && base_->is_compound();
  const bool trainable = base_ && !compound;
  QString why;  // why Train is disabled, in plain words
  if (compound)
    why = tr("%1 already packs each note into one compound token, with one vocabulary per field, so it cannot "
             "be trained (as in MidiTok). Choose REMI, TSD or MIDILike to train a tokenizer.")
              .arg(QString::fromStdString(base_->name()));
  else if (!base_)
    why = tr("The scheme's options do not work together: fix them first.");
  else if (!modelChosen())
    why = tr("Choose BPE, Unigram or WordPiece to train a tokenizer.");
  else if (files_.isEmpty())
    why = tr("Import a dataset first: the tokenizer learns from its MIDI files.");
  model_->setEnabled(trainable && !training_);
  vocab_->setEnabled(trainable && !training_ && modelChosen());
  train_->setEnabled(why.isEmpty() && !training_);
  cancel_->setEnabled(training_ && cancelFlag_ && !cancelFlag_->load());
  // Disabled controls still show tooltips: the reason is one hover away, and below as text.
  const QString trainTip = tr("Learn a %1-token vocabulary from the dataset's %2 MIDI files")
                               .arg(vocabSize())
                               .arg(files_.size());
  train_->setToolTip(why.isEmpty() ? trainTip : why);
  model_->setToolTip(compound ? why : tr("How the tokenizer groups the scheme's tokens into learned tokens"));
  setToolTip(compound ? why : QString());
  if (training_) return;
  if (shown_) return;  // the trained state is on display (showTrained)
  QStringList lines;
  if (!untrainedNote_.isEmpty())
    lines << untrainedNote_;
  else if (why.isEmpty())
    lines << tr("Untrained: plain %1 tokens.").arg(QString::fromStdString(base_->name()));
  lines << (why.isEmpty() ? tr("Train learns %1 tokens from the %2 dataset files.").arg(vocabSize()).arg(files_.size())
                          : why);
  status_->setText(lines.join(QLatin1Char(' ')));
}

void TokenizerTrainingPanel::train() {
  tokenizer::SubwordKind kind;
  if (training_ || !base_ || base_->is_compound() || files_.isEmpty() || !modelChosen(&kind)) return;
  outcome_ = {};
  training_ = true;
  cancelFlag_ = std::make_shared<std::atomic<bool>>(false);
  progressState_ = std::make_shared<Progress>();
  std::vector<std::string> files;
  for (const auto& f : files_) files.push_back(f.toStdString());
  const auto base = base_;
  const size_t vocab = size_t(vocabSize());
  const auto flag = cancelFlag_;
  const auto prog = progressState_;
  progress_->setRange(0, 0);  // busy until the first report
  progress_->setFormat(tr("Starting…"));
  progress_->setVisible(true);
  status_->setText(tr("Training a %1 tokenizer with %2 tokens on %3 files…")
                       .arg(model_->currentText())
                       .arg(vocab)
                       .arg(files.size()));
  poll_.start();
  updateControls();
  watcher_.setFuture(QtConcurrent::run([base, files, vocab, kind, flag, prog] {
    lowerThisThreadPriority();  // the GUI thread keeps its core; the reading threads inherit this
    TokenizerTrainingOutcome out;
    QElapsedTimer clock;
    clock.start();
    try {
      tokenizer::TokenizerTrainingOptions opt;
      opt.kind = kind;
      opt.vocab_size = vocab;
      opt.cancel = flag.get();
      opt.progress = [prog](const std::string& stage, size_t done, size_t total) {
        std::lock_guard<std::mutex> lock(prog->mu);
        prog->stage = stage;
        prog->done = done;
        prog->total = total;
      };
      tokenizer::TokenizerTrainingStats stats;
      out.tokenizer = tokenizer::train_tokenizer(*base, files, opt, &stats);
      out.files = stats.files;
      out.failed = stats.failed;
    } catch (const std::exception& e) {
      out.error = QString::fromUtf8(e.what());
    }
    out.cancelled = flag->load();
    out.seconds = double(clock.elapsed()) / 1000.0;
    return out;
  }));
}

void TokenizerTrainingPanel::cancel() {
  if (!training_ || !cancelFlag_) return;
  // The trainer stops between files; while it learns merges it finishes (a second or two)
  // and its result is dropped.
  cancelFlag_->store(true);
  status_->setText(tr("Cancelling…"));
  updateControls();
}

void TokenizerTrainingPanel::pollProgress() {
  if (!progressState_) return;
  std::string stage;
  size_t done, total;
  {
    std::lock_guard<std::mutex> lock(progressState_->mu);
    stage = progressState_->stage;
    done = progressState_->done;
    total = progressState_->total;
  }
  if (stage.empty() || total == 0) return;
  // QProgressBar counts in int; scale large totals.
  const double scale = total > 1000000 ? 1000000.0 / double(total) : 1.0;
  progress_->setRange(0, int(double(total) * scale));
  progress_->setValue(int(double(std::min(done, total)) * scale));
  progress_->setFormat(tr("%1: %2/%3").arg(stageText(QString::fromStdString(stage))).arg(done).arg(total));
}

void TokenizerTrainingPanel::onTrainingFinished() {
  training_ = false;
  poll_.stop();
  progress_->setVisible(false);
  outcome_ = watcher_.result();
  // Cancel pressed after the worker's last check but before its result arrived: still dropped.
  outcome_.cancelled = outcome_.cancelled || (cancelFlag_ && cancelFlag_->load());
  if (outcome_.cancelled || !outcome_.error.isEmpty()) {
    outcome_.tokenizer.reset();
    const QString message = outcome_.cancelled ? tr("Training cancelled: the tokenizer is unchanged.")
                                               : tr("Training the tokenizer failed: %1. Check the dataset's files "
                                                    "or choose another vocabulary size.")
                                                     .arg(outcome_.error);
    updateControls();  // the untrained hint, when the page's tokenizer is plain
    status_->setText(message + QLatin1Char(' ') + (shown_ ? trainedStatus_ : status_->text()));
    if (!outcome_.cancelled) emit failed(message);
    return;
  }
  updateControls();
  emit trained(outcome_.tokenizer);  // the page takes it and calls showTrained()
}

void TokenizerTrainingPanel::showTrained(std::shared_ptr<const tokenizer::Tokenizer> tok, const QString& origin) {
  shown_ = std::move(tok);
  untrainedNote_.clear();
  if (!shown_ || !shown_->is_trained()) {
    showUntrained({});
    return;
  }
  const QString kind = QString::fromLatin1(tokenizer::subword_kind_name(shown_->subword()->kind()).data(),
                                           int(tokenizer::subword_kind_name(shown_->subword()->kind()).size()));
  {
    // Show the settings this tokenizer was made with, without asking to retrain it.
    QSignalBlocker block(model_);
    selectModel(kind);
    explanation_->setText(modelExplanation(model_->currentData().toString()));
  }
  vocab_->setValue(double(shown_->model_vocab_size()));
  trainedStatus_ = tr("Trained %1: %2 tokens over %3 base %4 tokens, %5.")
                      .arg(model_->currentText())
                      .arg(shown_->model_vocab_size())
                      .arg(shown_->vocab_size())
                      .arg(QString::fromStdString(shown_->name()), origin);
  status_->setText(trainedStatus_);
  reduction_ = 0;
  reductionLabel_->setText(files_.isEmpty() ? tr("Import a dataset to see how much shorter its sequences get.")
                                            : tr("Measuring the sequence-length reduction on the corpus…"));
  listLongestTokens(*shown_);
  updateControls();
}

void TokenizerTrainingPanel::showUntrained(const QString& why) {
  shown_.reset();
  untrainedNote_ = why;
  reduction_ = 0;
  reductionLabel_->clear();
  learned_->clear();
  listTitle_->setVisible(false);
  learned_->setVisible(false);
  updateControls();
}

QString TokenizerTrainingPanel::baseSequence(int32_t id) const {
  QStringList parts;
  for (int32_t b : shown_->subword()->base_ids(id))
    parts << (shown_->vocab().valid(b) ? QString::fromStdString(shown_->vocab().text(b)) : QStringLiteral("?"));
  return parts.join(QStringLiteral(" · "));
}

void TokenizerTrainingPanel::listLongestTokens(const tokenizer::Tokenizer& tok) {
  // Until the corpus is measured: the longest learned tokens, the patterns the model merged most.
  const auto& model = *tok.subword();
  std::vector<int32_t> ids;
  for (size_t id = 0; id < model.size(); ++id)
    if (model.base_ids(int32_t(id)).size() > 1) ids.push_back(int32_t(id));
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return model.base_ids(a).size() > model.base_ids(b).size();
  });
  learned_->clear();
  for (size_t i = 0; i < ids.size() && i < size_t(kListed); ++i) {
    auto* item = new QListWidgetItem(baseSequence(ids[i]), learned_);
    item->setToolTip(tr("Learned token %1: %2 base tokens in one").arg(ids[i]).arg(model.base_ids(ids[i]).size()));
  }
  listTitle_->setText(tr("Longest learned tokens (each is one token for the model):"));
  listTitle_->setVisible(true);
  learned_->setVisible(true);
}

void TokenizerTrainingPanel::showCorpusEffect(size_t files, size_t baseTokens, size_t learnedTokens,
                                              const std::vector<std::pair<int32_t, size_t>>& mostUseful) {
  if (!shown_) return;
  if (files == 0 || learnedTokens == 0) {
    reductionLabel_->setText(tr("No readable file in the dataset to measure the reduction on."));
    return;
  }
  reduction_ = double(baseTokens) / double(learnedTokens);
  reductionLabel_->setText(tr("%1 files: %2 base tokens → %3 learned tokens, <b>%4× shorter</b>: "
                              "the same context window holds %4× more music.")
                               .arg(files)
                               .arg(groupedNumber(baseTokens), groupedNumber(learnedTokens))
                               .arg(QString::number(reduction_, 'f', 2)));
  if (mostUseful.empty()) return;
  learned_->clear();
  for (const auto& [id, uses] : mostUseful) {
    const size_t len = shown_->subword()->base_ids(id).size();
    auto* item = new QListWidgetItem(tr("%1   ×%2").arg(baseSequence(id), groupedNumber(uses)), learned_);
    item->setToolTip(tr("Learned token %1 stands for %2 base tokens; used %3 times on this corpus, it saves %4 tokens.")
                         .arg(id)
                         .arg(len)
                         .arg(groupedNumber(uses), groupedNumber(uses * (len - 1))));
  }
  listTitle_->setText(tr("Most useful learned tokens (most tokens saved; ×uses):"));
}

}  // namespace harmonia::ui
