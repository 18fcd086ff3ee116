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
#include <QSignalBlocker>
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
#include "ui/bridge/token_note_links.hpp"
#include "ui/pages/token_chips.hpp"
#include "ui/pages/token_meaning.hpp"
#include "ui/pages/tokenizer_option_rules.hpp"
#include "ui/widgets/note_highlighter.hpp"
#include "ui/pages/tokenizer_training_panel.hpp"

namespace harmonia::ui {

namespace {

constexpr size_t kMaxChips = 400;  // enough to read; painting thousands would not help anyone
constexpr size_t kMostUseful = 40;  // learned tokens the training panel lists

const char* const kSchemes[] = {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"};

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
  // What each option adds, shown while it can be ticked (otherwise the tooltip says why not).
  chords_->setProperty("optionHelp", tr("Chord tokens: a detected chord (e.g. Chord_maj) before the notes that form it"));
  tempos_->setProperty("optionHelp", tr("Tempo tokens: the speed (beats per minute) where it changes"));
  timeSigs_->setProperty("optionHelp", tr("Time-signature tokens: the metre (4/4, 3/4...) where it changes"));
  programs_->setProperty("optionHelp", tr("Program tokens: which instrument plays each note, all instruments in one stream"));
  rests_->setProperty("optionHelp", tr("Rest tokens: silences said explicitly instead of by a jump in time"));
  sustain_->setProperty("optionHelp", tr("Sustain-pedal tokens: where the pedal goes down and up"));
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
  chipScroll_ = chipScroll;
  chipScroll->setWidget(chips_);
  chipScroll->setWidgetResizable(true);
  chipScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  chipScroll->setToolTip(tr("Hover a token to see its note in the piano roll; click a note to see its tokens."));
  roll_ = new PianoRollView;
  highlighter_ = new NoteHighlighter(roll_);
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
  connect(chips_, &TokenChipView::chipHovered, this, &TokenizerPage::onChipHovered);
  connect(highlighter_, &NoteHighlighter::noteClicked, this, &TokenizerPage::onNoteClicked);
  connect(save_, &QPushButton::clicked, this, &TokenizerPage::onSave);
  connect(load_, &QPushButton::clicked, this, &TokenizerPage::onLoad);
  connect(trainPanel_, &TokenizerTrainingPanel::trained, this, &TokenizerPage::applyTrained);
  connect(trainPanel_, &TokenizerTrainingPanel::plainChosen, this, &TokenizerPage::rebuildTokenizer);
  connect(trainPanel_, &TokenizerTrainingPanel::statusMessage, this, &TokenizerPage::statusMessage);
  connect(trainPanel_, &TokenizerTrainingPanel::failed, this, &PipelinePage::showError);
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
      pinnedNotes_.clear();
      highlighter_->setNotes({});
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

std::vector<RollNote> TokenizerPage::rollNotesOf(const std::vector<NoteRef>& refs) const {
  std::vector<RollNote> out;
  for (const auto& r : refs) {
    if (r.track < 0 || size_t(r.track) >= preview_.score.tracks.size()) continue;
    const auto& notes = preview_.score.tracks[size_t(r.track)].notes;
    if (r.index < 0 || size_t(r.index) >= notes.size()) continue;
    const auto& n = notes[size_t(r.index)];
    out.push_back({n.time, n.duration, n.pitch, n.velocity, r.track});
  }
  return out;
}

std::vector<RollNote> TokenizerPage::highlightedNotes() const { return highlighter_->notes(); }

void TokenizerPage::onChipHovered(int chip) {
  const auto& chips = chips_->chips();
  if (chip < 0 || size_t(chip) >= chips.size()) {
    highlighter_->setNotes(pinnedNotes_);
    return;
  }
  highlighter_->setNotes(rollNotesOf(chips[size_t(chip)].notes));
}

void TokenizerPage::onNoteClicked(int rollIndex) {
  const auto& rollNotes = roll_->roll()->notes();
  if (rollIndex < 0 || size_t(rollIndex) >= rollNotes.size()) return;
  const RollNote n = rollNotes[size_t(rollIndex)];
  // The roll's note back to the score's (track, index): the roll shows preview_.score. Notes
  // of the same pitch starting together (a part doubled in two tracks) are drawn on top of
  // each other: the click is on all of them.
  std::vector<NoteRef> refs;
  for (size_t t = 0; t < preview_.score.tracks.size(); ++t) {
    const auto& notes = preview_.score.tracks[t].notes;
    for (size_t i = 0; i < notes.size(); ++i)
      if (notes[i].time == n.time && notes[i].pitch == n.pitch) refs.push_back({int(t), int(i)});
  }
  std::vector<int> hits;
  const auto& chips = chips_->chips();
  for (size_t c = 0; c < chips.size(); ++c)
    if (std::any_of(chips[c].notes.begin(), chips[c].notes.end(),
                    [&](const NoteRef& r) { return std::find(refs.begin(), refs.end(), r) != refs.end(); }))
      hits.push_back(int(c));
  chips_->setHighlightedChips(hits);
  pinnedNotes_ = {n};
  highlighter_->setNotes(pinnedNotes_);
  if (!hits.empty()) {
    const QRect r = chips_->chipRect(hits.front());
    chipScroll_->ensureVisible(r.center().x(), r.center().y(), 20, 40);
  }
  previewInfo_->setText(hits.empty() ? tr("The note %1 is not among the tokens shown (only the first %2 are).")
                                           .arg(pitchName(n.pitch))
                                           .arg(kMaxChips)
                                     : tr("The note %1: %n token(s), ringed.", nullptr, int(hits.size())).arg(pitchName(n.pitch)));
}

std::vector<std::pair<QCheckBox*, TokenizerOption>> TokenizerPage::optionBoxes() const {
  using C = tokenizer::TokenizerConfig;
  return {{chords_, {chords_->text(), &C::use_chords}},          {tempos_, {tempos_->text(), &C::use_tempos}},
          {timeSigs_, {timeSigs_->text(), &C::use_time_signatures}}, {programs_, {programs_->text(), &C::use_programs}},
          {rests_, {rests_->text(), &C::use_rests}},             {sustain_, {sustain_->text(), &C::use_sustain_pedals}}};
}

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
  // A scheme that refuses a ticked option unticks it and says why (it was an error the user
  // had to work out); the options it cannot take are greyed, each with its reason.
  const auto options = optionBoxes();
  std::vector<TokenizerOption> rules;
  for (const auto& [box, rule] : options) rules.push_back(rule);
  std::vector<size_t> refused;
  const QStringList unticked = options_refused_by_scheme(schemeName(), config, rules, &refused);
  for (size_t i : refused) {
    const QSignalBlocker block(options[i].first);
    options[i].first->setChecked(false);
    config.*(rules[i].field) = false;
  }
  const QStringList greyed = greyRefusedOptions(config, refused);
  QString explanation = schemeExplanation(schemeName());
  if (!unticked.isEmpty()) explanation += QStringLiteral("\n") + tr("Unticked — %1").arg(unticked.join(QStringLiteral(" ")));
  if (!greyed.isEmpty()) explanation += QStringLiteral("\n") + tr("Greyed out — %1").arg(greyed.join(QStringLiteral(" ")));
  explanation_->setText(explanation);
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

QStringList TokenizerPage::greyRefusedOptions(const tokenizer::TokenizerConfig& config,
                                              const std::vector<size_t>& justUnticked) {
  const auto options = optionBoxes();
  std::vector<TokenizerOption> rules;
  for (const auto& [box, rule] : options) rules.push_back(rule);
  const auto verdicts = judge_tokenizer_options(schemeName(), config, rules);
  QStringList greyed;  // besides the ones just unticked, which are said as such
  for (size_t i = 0; i < options.size(); ++i) {
    QCheckBox* box = options[i].first;
    box->setEnabled(verdicts[i].allowed);
    box->setToolTip(verdicts[i].allowed ? box->property("optionHelp").toString() : verdicts[i].reason);
    if (!verdicts[i].allowed && std::find(justUnticked.begin(), justUnticked.end(), i) == justUnticked.end())
      greyed << verdicts[i].reason;
  }
  return greyed;
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
      out.chips = tokenChipsFor(*tok, enc, out.score, kMaxChips, &out.totalTokens);
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
    installLoaded(tokenizer::Tokenizer::load(path.toStdString()), QFileInfo(path).fileName());
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

bool TokenizerPage::loadTokenizerJson(const QString& json, const QString& origin, QString* error) {
  try {
    const auto j = nlohmann::ordered_json::parse(json.toStdString());
    installLoaded(tokenizer::Tokenizer::from_json(j, origin.isEmpty() ? "the project's tokenizer" : origin.toStdString()),
                  origin);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void TokenizerPage::installLoaded(std::unique_ptr<tokenizer::Tokenizer> tok, const QString& origin) {
  applyConfigToControls(tok->config(), QString::fromStdString(tok->name()));
  // A loaded tokenizer's scheme refuses the same options as a chosen one: greyed at once,
  // not only after the next change of an option.
  const QStringList greyed = greyRefusedOptions(tok->config(), {});
  QString explanation = schemeExplanation(schemeName());
  if (!greyed.isEmpty()) explanation += QStringLiteral("\n") + tr("Greyed out — %1").arg(greyed.join(QStringLiteral(" ")));
  explanation_->setText(explanation);
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
    trainPanel_->showTrained(tokenizer_, origin.isEmpty() ? tr("kept in the project") : tr("loaded from %1").arg(origin));
  else
    trainPanel_->showUntrained({});
  // showVocabulary() said "REMI + BPE, 1000 tokens"; a loaded file is named instead.
  if (!origin.isEmpty()) setState(StepState::Done, tr("%1 from %2").arg(stateDetail().section(',', 0, 0), origin));
  emit tokenizerChanged();
  startPreview();
  startStats();
}

void TokenizerPage::resetToDefaults() {
  applyConfigToControls(tokenizer::TokenizerConfig{}, QStringLiteral("REMI"));
  userChose_ = false;
  suggestionLabel_->clear();
  // Rebuilt even when the controls did not change: a trained or loaded tokenizer is dropped.
  tokenizer_.reset();
  rebuildTokenizer();
}

void TokenizerPage::onSave() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save tokenizer"), QStringLiteral("tokenizer.json"),
                                                    tr("Tokenizer (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!saveTokenizerFile(path, &error))
    showError(tr("Could not save %1: %2. Choose a folder you can write to.").arg(path, error));
  else
    emit statusMessage(tr("Saved %1").arg(path));
}

void TokenizerPage::onLoad() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load tokenizer"), {}, tr("Tokenizer (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!loadTokenizerFile(path, &error))
    showError(tr("Could not load %1: %2. Pick a tokenizer.json written by Harmonia or MidiTok.").arg(path, error));
}

}  // namespace harmonia::ui
