#include "ui/pages/tokenizer_page.hpp"
#include "ui/bridge/worker_priority.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/generate/music_recipe.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/scroll_wheel_guard.hpp"
#include "ui/pages/tokenizer_training_panel.hpp"

namespace harmonia::ui {

namespace {

constexpr size_t kMaxChips = 400;  // enough to read; painting thousands would not help anyone
constexpr size_t kMostUseful = 40;  // learned tokens the training panel lists

const char* const kSchemes[] = {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"};

QString baseText(const tokenizer::Tokenizer& tok, int32_t id) {
  return tok.vocab().valid(id) ? QString::fromStdString(tok.vocab().text(id)) : QStringLiteral("?");
}

// A trained tokenizer's ids: one chip per learned token, made of its base tokens.
void appendLearnedChips(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& seq, std::vector<TokenChip>& chips) {
  for (int32_t id : seq.ids) {
    if (chips.size() >= kMaxChips) break;
    QStringList parts;
    for (int32_t b : tok.subword()->base_ids(id)) parts << baseText(tok, b);
    if (parts.isEmpty()) continue;  // no id the model gives; nothing to show
    TokenChip chip;
    chip.type = parts.front().section('_', 0, 0);
    chip.text = parts.join(QStringLiteral(" · "));
    if (parts.size() == 1) {
      chip.toolTip = QObject::tr("Learned token %1: the base token %2 alone").arg(id).arg(parts.front());
    } else {
      chip.parts = parts;
      chip.toolTip = QObject::tr("Learned token %1: %2 base tokens in one\n%3").arg(id).arg(parts.size()).arg(chip.text);
    }
    chips.push_back(std::move(chip));
  }
}

std::vector<TokenChip> chipsFor(const tokenizer::Tokenizer& tok, const tokenizer::Encoding& enc, size_t* total) {
  std::vector<TokenChip> chips;
  *total = 0;
  for (const auto& seq : enc.sequences) {
    *total += seq.steps();
    if (chips.size() >= kMaxChips) continue;
    if (tok.is_trained()) {
      appendLearnedChips(tok, seq, chips);
      continue;
    }
    for (const auto& s : tok.strings(seq)) {
      if (chips.size() >= kMaxChips) break;
      const QString text = QString::fromStdString(s);
      const QString type = text.section('_', 0, 0);
      if (type == QLatin1String("Ignore")) continue;  // compound fields that carry nothing
      chips.push_back({text, type, {}, {}});
    }
  }
  return chips;
}

}  // namespace

QString TokenizerPage::schemeExplanation(const QString& scheme) {
  if (scheme == "REMI") return tr("REMI: Bar and Position tokens place each note in the bar, then Pitch, Velocity, Duration.");
  if (scheme == "TSD") return tr("TSD: time moves by TimeShift tokens; each note is Pitch, Velocity, Duration.");
  if (scheme == "MIDILike") return tr("MIDILike: like a MIDI file, NoteOn and NoteOff events separated by TimeShift tokens.");
  if (scheme == "CPWord") return tr("CPWord: one compound token per note or bar: shorter sequences, one vocabulary per field.");
  if (scheme == "Octuple") return tr("Octuple: every note is a single 8-field token (pitch, velocity, duration, position, bar...).");
  return {};
}

TokenizerPage::TokenizerPage(QWidget* parent) : PipelinePage(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* heading = new QLabel(tr("<h2>2. Tokenizer</h2>"));
  layout->addWidget(heading);

  auto* top = new QHBoxLayout;
  auto* optionsBox = new QGroupBox(tr("Scheme and options"));
  auto* form = new QFormLayout(optionsBox);
  scheme_ = new QComboBox;
  for (const char* s : kSchemes) scheme_->addItem(QString::fromLatin1(s));
  scheme_->setToolTip(tr("How notes become tokens. REMI is a good first choice."));
  form->addRow(tr("&Scheme:"), scheme_);
  explanation_ = new QLabel;
  explanation_->setWordWrap(true);
  form->addRow(explanation_);
  beatRes_ = new QComboBox;
  for (int r : {4, 8, 12, 16}) beatRes_->addItem(tr("%1 positions per beat").arg(r), r);
  beatRes_->setCurrentIndex(1);
  beatRes_->setToolTip(tr("Time resolution of the first 4 beats of a note's duration and position; "
                          "finer means more exact timing and a larger vocabulary."));
  form->addRow(tr("&Beat resolution:"), beatRes_);
  velocities_ = new QSpinBox;
  velocities_->setRange(0, 127);
  velocities_->setValue(32);
  velocities_->setSpecialValueText(tr("none (all notes equally loud)"));
  velocities_->setToolTip(tr("How many loudness levels are kept; 0 drops velocity tokens."));
  form->addRow(tr("&Velocities:"), velocities_);
  chords_ = new QCheckBox(tr("Chords"));
  tempos_ = new QCheckBox(tr("Tempos"));
  timeSigs_ = new QCheckBox(tr("Time signatures"));
  programs_ = new QCheckBox(tr("Programs (instruments)"));
  rests_ = new QCheckBox(tr("Rests"));
  sustain_ = new QCheckBox(tr("Sustain pedal"));
  auto* checks = new QGridLayout;
  checks->addWidget(chords_, 0, 0);
  checks->addWidget(tempos_, 0, 1);
  checks->addWidget(timeSigs_, 1, 0);
  checks->addWidget(programs_, 1, 1);
  checks->addWidget(rests_, 2, 0);
  checks->addWidget(sustain_, 2, 1);
  form->addRow(tr("Extra tokens:"), checks);
  vocabLabel_ = new QLabel;
  vocabLabel_->setWordWrap(true);
  form->addRow(tr("Vocabulary:"), vocabLabel_);
  errorLabel_ = new QLabel;
  errorLabel_->setWordWrap(true);
  errorLabel_->setStyleSheet(QStringLiteral("color: #d04040;"));
  form->addRow(errorLabel_);
  suggestionLabel_ = new QLabel;
  suggestionLabel_->setWordWrap(true);
  form->addRow(suggestionLabel_);
  auto* fileButtons = new QHBoxLayout;
  save_ = new QPushButton(tr("Save tokenizer.json…"));
  load_ = new QPushButton(tr("Load tokenizer.json…"));
  fileButtons->addWidget(save_);
  fileButtons->addWidget(load_);
  form->addRow(fileButtons);
  // The left column: the scheme, then training over it; it scrolls on a short screen.
  auto* side = new QWidget;
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 0, 0);
  sideLayout->addWidget(optionsBox);
  trainPanel_ = new TokenizerTrainingPanel;
  sideLayout->addWidget(trainPanel_, 1);
  // Wider than other pages' columns: the option check boxes need ~430 px beside their labels
  // plus a vertical scroll bar once the training panel makes the column taller than a 720 px
  // screen; long rows wrap under their labels when even that does not fit.
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  sideScroll_ = qobject_cast<QScrollArea*>(sideColumn(side));
  sideScroll_->setMinimumWidth(450);
  sideScroll_->setMaximumWidth(480);
  top->addWidget(sideScroll_);
  guardWheelInColumn(sideScroll_);

  auto* previewBox = new QGroupBox(tr("Live preview"));
  auto* pv = new QVBoxLayout(previewBox);
  auto* fileRow = new QHBoxLayout;
  file_ = new QComboBox;
  file_->setToolTip(tr("The dataset file shown as tokens"));
  auto* fileLabel = new QLabel(tr("&File:"));
  fileLabel->setBuddy(file_);
  fileRow->addWidget(fileLabel);
  fileRow->addWidget(file_, 1);
  pv->addLayout(fileRow);
  previewInfo_ = new QLabel;
  previewInfo_->setWordWrap(true);  // never widens the page past a 1280-pixel screen
  pv->addWidget(previewInfo_);
  chips_ = new TokenChipView;
  auto* chipScroll = new QScrollArea;
  chipScroll->setWidget(chips_);
  chipScroll->setWidgetResizable(true);
  chipScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  roll_ = new PianoRollView;
  roll_->roll()->setRowHeight(5);
  roll_->roll()->setPixelsPerQuarter(24);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(chipScroll);
  split->addWidget(roll_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  pv->addWidget(split, 1);
  statsLabel_ = new QLabel(tr("Sequence lengths: choose a dataset first."));
  statsLabel_->setWordWrap(true);
  pv->addWidget(statsLabel_);
  top->addWidget(previewBox, 1);
  layout->addLayout(top, 1);

  for (auto* c : {chords_, tempos_, timeSigs_, programs_, rests_, sustain_})
    connect(c, &QCheckBox::toggled, this, &TokenizerPage::onOptionEdited);
  connect(scheme_, &QComboBox::currentIndexChanged, this, &TokenizerPage::onOptionEdited);
  connect(beatRes_, &QComboBox::currentIndexChanged, this, &TokenizerPage::onOptionEdited);
  connect(velocities_, &QSpinBox::valueChanged, this, &TokenizerPage::onOptionEdited);
  connect(file_, &QComboBox::currentIndexChanged, this, &TokenizerPage::startPreview);
  connect(save_, &QPushButton::clicked, this, &TokenizerPage::onSave);
  connect(load_, &QPushButton::clicked, this, &TokenizerPage::onLoad);
  connect(trainPanel_, &TokenizerTrainingPanel::trained, this, &TokenizerPage::applyTrained);
  connect(trainPanel_, &TokenizerTrainingPanel::plainChosen, this, &TokenizerPage::rebuildTokenizer);
  connect(trainPanel_, &TokenizerTrainingPanel::statusMessage, this, &TokenizerPage::statusMessage);
  connect(&previewWatcher_, &QFutureWatcher<TokenPreview>::finished, this, [this] {
    previewPending_ = false;
    preview_ = previewWatcher_.result();
    if (!preview_.error.isEmpty()) {
      previewInfo_->setText(preview_.error);
      chips_->setChips({});
      roll_->roll()->clear();
    } else {
      previewInfo_->setText((tokenizer_ && tokenizer_->is_trained()
                                 ? tr("%1 learned tokens (first %2 shown; an outlined chip is one learned token), "
                                      "%3 notes")
                                 : tr("%1 tokens (first %2 shown as chips), %3 notes"))
                                .arg(preview_.totalTokens)
                                .arg(std::min(preview_.chips.size(), kMaxChips))
                                .arg(preview_.score.note_count()));
      chips_->setChips(preview_.chips);
      roll_->roll()->setScore(preview_.score);
      roll_->centreOnNotes();
    }
    if (previewAgain_) {
      previewAgain_ = false;
      startPreview();
      return;
    }
    emit previewReady();
  });
  connect(&statsWatcher_, &QFutureWatcher<SequenceStats>::finished, this, [this] {
    statsPending_ = false;
    stats_ = statsWatcher_.result();
    if (statsAgain_) {
      statsAgain_ = false;
      startStats();
      return;
    }
    const bool trained = tokenizer_ && tokenizer_->is_trained();
    if (stats_.files == 0)
      statsLabel_->setText(tr("Sequence lengths: no readable file in the dataset."));
    else if (trained && stats_.learnedTokens > 0)
      statsLabel_->setText(tr("Sequence lengths over %1 files: min %2, mean %3, max %4 learned tokens "
                              "(%5× shorter than in base tokens).")
                               .arg(stats_.files)
                               .arg(stats_.minTokens)
                               .arg(qRound(stats_.meanTokens))
                               .arg(stats_.maxTokens)
                               .arg(QString::number(double(stats_.baseTokens) / double(stats_.learnedTokens), 'f', 2)));
    else
      statsLabel_->setText(tr("Sequence lengths over %1 files: min %2, mean %3, max %4 tokens.")
                               .arg(stats_.files)
                               .arg(stats_.minTokens)
                               .arg(qRound(stats_.meanTokens))
                               .arg(stats_.maxTokens));
    if (trained) trainPanel_->showCorpusEffect(stats_.files, stats_.baseTokens, stats_.learnedTokens, stats_.mostUseful);
    emit statsReady();
  });
  rebuildTokenizer();
}

TokenizerPage::~TokenizerPage() {
  // The workers only hold copies, but waiting keeps a closing window from racing its watchers.
  previewWatcher_.waitForFinished();
  statsWatcher_.waitForFinished();
}

void TokenizerPage::setFiles(const QStringList& files) {
  files_ = files;
  trainPanel_->setFiles(files);
  const QString current = file_->currentData().toString();
  {
    QSignalBlocker block(file_);
    file_->clear();
    for (const auto& f : files) file_->addItem(QFileInfo(f).fileName(), f);
    const int keep = file_->findData(current);
    file_->setCurrentIndex(keep >= 0 ? keep : 0);
  }
  startPreview();
  startStats();
}

QString TokenizerPage::schemeName() const { return scheme_->currentText(); }

bool TokenizerPage::selectScheme(const QString& scheme) {
  const int i = scheme_->findText(scheme, Qt::MatchFixedString);
  if (i < 0) return false;
  scheme_->setCurrentIndex(i);
  return true;
}

void TokenizerPage::onOptionEdited() {
  if (loading_) return;  // the page itself sets the controls (a loaded file, a suggestion)
  userChose_ = true;
  suggestionLabel_->clear();
  rebuildTokenizer();
}

void TokenizerPage::suggestForCorpus(bool multiTrack) {
  if (userChose_) return;
  const tokenizer::TokenizerConfig wanted =
      multiTrack ? generate::arrangement_tokenizer_config() : tokenizer::TokenizerConfig{};
  suggestionLabel_->setText(multiTrack ? tr("This corpus has several instruments per file: Programs, Tempos and Time "
                                            "signatures are ticked so the model learns whole arrangements "
                                            "(instruments, tempo and metre with the notes).")
                                       : QString());
  // Only a real change rebuilds: an unchanged tokenizer keeps the Dataset page's cache key.
  if (tokenizer_ && schemeName() == QLatin1String("REMI") &&
      tokenizer_->to_json() == tokenizer::Tokenizer::create("REMI", wanted)->to_json())
    return;
  applyConfigToControls(wanted, QStringLiteral("REMI"));
  rebuildTokenizer();
  if (multiTrack)
    emit statusMessage(tr("Multi-track corpus: the tokenizer now keeps instruments, tempo and time signature "
                          "(untick them on the Tokenizer page for one stream per track)."));
}

void TokenizerPage::rebuildTokenizer() {
  if (loading_) return;
  // A trained tokenizer belongs to the options it was trained with: new options (or the
  // model "None") give plain tokens again, and the user is told so.
  const bool wasTrained = tokenizer_ && tokenizer_->is_trained();
  explanation_->setText(schemeExplanation(schemeName()));
  tokenizer::TokenizerConfig config;
  const int r = beatRes_->currentData().toInt();
  config.beat_res = {{0, 4, r}, {4, 12, std::max(1, r / 2)}};
  config.num_velocities = std::max(1, velocities_->value());
  config.use_velocities = velocities_->value() > 0;
  config.use_chords = chords_->isChecked();
  config.use_tempos = tempos_->isChecked();
  config.use_time_signatures = timeSigs_->isChecked();
  config.use_programs = programs_->isChecked();
  config.use_rests = rests_->isChecked();
  config.use_sustain_pedals = sustain_->isChecked();
  try {
    tokenizer_ = tokenizer::Tokenizer::create(schemeName().toStdString(), config);
    errorLabel_->clear();
    showVocabulary();
  } catch (const std::exception& e) {
    tokenizer_.reset();
    vocabLabel_->setText(tr("—"));
    errorLabel_->setText(tr("These options do not work together: %1. Untick the last option you changed.")
                             .arg(QString::fromStdString(e.what())));
    setState(StepState::Error, tr("invalid options"));
    emit statusMessage(errorLabel_->text());
  }
  save_->setEnabled(tokenizer_ != nullptr);
  trainPanel_->setBase(tokenizer_);
  // Said once, right after the drop; the next change has nothing left to drop.
  const QString dropped = wasTrained ? tr("Options or model changed: the learned vocabulary was dropped, these are "
                                          "plain %1 tokens again.")
                                           .arg(schemeName())
                                     : QString();
  trainPanel_->showUntrained(dropped);
  if (wasTrained) emit statusMessage(dropped);
  emit tokenizerChanged();
  startPreview();
  startStats();
}

void TokenizerPage::showVocabulary() {
  if (tokenizer_->is_trained()) {
    const QString kind = QString::fromStdString(std::string(tokenizer::subword_kind_name(tokenizer_->subword()->kind())));
    vocabLabel_->setText(tr("%1 learned tokens (%2) over %3 base tokens")
                             .arg(tokenizer_->model_vocab_size())
                             .arg(kind)
                             .arg(tokenizer_->vocab_size()));
    setState(StepState::Done, tr("%1 + %2, %3 tokens").arg(schemeName(), kind).arg(tokenizer_->model_vocab_size()));
  } else {
    vocabLabel_->setText(tr("%1 tokens").arg(tokenizer_->vocab_size()));
    setState(StepState::Done, tr("%1, %2 tokens").arg(schemeName()).arg(tokenizer_->vocab_size()));
  }
}

void TokenizerPage::applyTrained(std::shared_ptr<const tokenizer::Tokenizer> trained) {
  if (!trained) return;
  tokenizer_ = std::move(trained);
  userChose_ = true;  // a trained tokenizer is the user's choice: corpus suggestions leave it
  suggestionLabel_->clear();
  errorLabel_->clear();
  showVocabulary();
  save_->setEnabled(true);
  trainPanel_->setBase(tokenizer_);
  const auto& outcome = trainPanel_->lastOutcome();
  trainPanel_->showTrained(tokenizer_, outcome.failed ? tr("trained on %1 files (%2 unreadable) in %3 s")
                                                          .arg(outcome.files - outcome.failed)
                                                          .arg(outcome.failed)
                                                          .arg(outcome.seconds, 0, 'f', 1)
                                                    : tr("trained on %1 files in %2 s")
                                                          .arg(outcome.files)
                                                          .arg(outcome.seconds, 0, 'f', 1));
  emit statusMessage(tr("Trained tokenizer ready: importing, training and Save tokenizer.json now use its %1 tokens.")
                         .arg(tokenizer_->model_vocab_size()));
  // The results sit below the Train button, under the fold of a 720-pixel screen.
  QTimer::singleShot(0, this, [this] { sideScroll_->verticalScrollBar()->setValue(sideScroll_->verticalScrollBar()->maximum()); });
  emit tokenizerChanged();
  startPreview();
  startStats();
}

void TokenizerPage::startPreview() {
  if (previewWatcher_.isRunning()) {
    previewAgain_ = true;
    return;
  }
  const QString path = file_->currentData().toString();
  auto tok = tokenizer_;
  if (path.isEmpty() || !tok) return;
  previewPending_ = true;
  previewWatcher_.setFuture(QtConcurrent::run([tok, path] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    TokenPreview out;
    try {
      out.score = midi::read_midi_file(path.toStdString());
      const auto enc = tok->encode(out.score);
      out.chips = chipsFor(*tok, enc, &out.totalTokens);
    } catch (const std::exception& e) {
      out.error = QObject::tr("Cannot preview %1: %2. Pick another file.").arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what()));
    }
    return out;
  }));
}

void TokenizerPage::startStats() {
  if (statsWatcher_.isRunning()) {
    statsAgain_ = true;
    return;
  }
  auto tok = tokenizer_;
  const QStringList files = files_;
  if (files.isEmpty() || !tok) return;
  statsLabel_->setText(tr("Measuring sequence lengths…"));
  statsPending_ = true;
  statsWatcher_.setFuture(QtConcurrent::run([tok, files] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    SequenceStats s;
    size_t sum = 0;
    const tokenizer::SubwordModel* learned = tok->subword();  // null when plain
    std::vector<size_t> uses(learned ? learned->size() : 0);
    for (const auto& f : files) {
      try {
        const auto enc = tok->encode(midi::read_midi_file(f.toStdString()));
        size_t n = 0;
        for (const auto& seq : enc.sequences) {
          n += seq.steps();
          if (!learned) continue;
          // Base tokens are what each learned id stands for: no second, base-only encoding.
          for (int32_t id : seq.ids) {
            s.baseTokens += learned->base_ids(id).size();
            if (id >= 0 && size_t(id) < uses.size()) ++uses[size_t(id)];
          }
        }
        s.minTokens = s.files == 0 ? n : std::min(s.minTokens, n);
        s.maxTokens = std::max(s.maxTokens, n);
        sum += n;
        ++s.files;
      } catch (const std::exception&) {
        // Unreadable files are reported on the dataset page; here they just do not count.
      }
    }
    s.meanTokens = s.files ? double(sum) / s.files : 0.0;
    if (learned) {
      s.learnedTokens = sum;
      // Most useful = most base tokens saved: uses x (length - 1).
      for (size_t id = 0; id < uses.size(); ++id)
        if (uses[id] > 0 && learned->base_ids(int32_t(id)).size() > 1) s.mostUseful.emplace_back(int32_t(id), uses[id]);
      const auto saved = [learned](const std::pair<int32_t, size_t>& u) {
        return u.second * (learned->base_ids(u.first).size() - 1);
      };
      std::stable_sort(s.mostUseful.begin(), s.mostUseful.end(),
                       [&](const auto& a, const auto& b) { return saved(a) > saved(b); });
      if (s.mostUseful.size() > kMostUseful) s.mostUseful.resize(kMostUseful);
    }
    return s;
  }));
}

bool TokenizerPage::isIdle() const {
  return !previewPending_ && !statsPending_ && !previewAgain_ && !statsAgain_ && !trainPanel_->isTraining();
}

QString TokenizerPage::configJson() const {
  if (!tokenizer_) return {};
  return QString::fromStdString(tokenizer_->to_json().dump(2));
}

bool TokenizerPage::saveTokenizerFile(const QString& path, QString* error) const {
  try {
    if (!tokenizer_) throw std::runtime_error("the options are invalid");
    tokenizer_->save(path.toStdString());
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void TokenizerPage::applyConfigToControls(const tokenizer::TokenizerConfig& c, const QString& scheme) {
  loading_ = true;
  selectScheme(scheme);
  if (!c.beat_res.empty()) {
    const int i = beatRes_->findData(c.beat_res.front().resolution);
    if (i >= 0) beatRes_->setCurrentIndex(i);
  }
  velocities_->setValue(c.use_velocities ? c.num_velocities : 0);
  chords_->setChecked(c.use_chords);
  tempos_->setChecked(c.use_tempos);
  timeSigs_->setChecked(c.use_time_signatures);
  programs_->setChecked(c.use_programs);
  rests_->setChecked(c.use_rests);
  sustain_->setChecked(c.use_sustain_pedals);
  loading_ = false;
}

bool TokenizerPage::loadTokenizerFile(const QString& path, QString* error) {
  try {
    auto tok = tokenizer::Tokenizer::load(path.toStdString());
    applyConfigToControls(tok->config(), QString::fromStdString(tok->name()));
    explanation_->setText(schemeExplanation(schemeName()));
    // Keep the loaded tokenizer itself: its config may hold options the controls do not show,
    // and a trained one its learned model.
    tokenizer_ = std::move(tok);
    userChose_ = true;  // a loaded tokenizer is the user's (or the project's) choice
    suggestionLabel_->clear();
    errorLabel_->clear();
    showVocabulary();
    save_->setEnabled(true);
    trainPanel_->setBase(tokenizer_);
    if (tokenizer_->is_trained())
      trainPanel_->showTrained(tokenizer_, tr("loaded from %1").arg(QFileInfo(path).fileName()));
    else
      trainPanel_->showUntrained({});
    // showVocabulary() said "REMI + BPE, 1000 tokens"; the sidebar names the file instead.
    setState(StepState::Done, tr("%1 from %2").arg(stateDetail().section(',', 0, 0), QFileInfo(path).fileName()));
    emit tokenizerChanged();
    startPreview();
    startStats();
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void TokenizerPage::onSave() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save tokenizer"), QStringLiteral("tokenizer.json"),
                                                    tr("Tokenizer (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!saveTokenizerFile(path, &error))
    emit statusMessage(tr("Could not save %1: %2. Choose a folder you can write to.").arg(path, error));
  else
    emit statusMessage(tr("Saved %1").arg(path));
}

void TokenizerPage::onLoad() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load tokenizer"), {}, tr("Tokenizer (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!loadTokenizerFile(path, &error))
    emit statusMessage(tr("Could not load %1: %2. Pick a tokenizer.json written by Harmonia or MidiTok.").arg(path, error));
}

}  // namespace harmonia::ui
