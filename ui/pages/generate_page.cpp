#include "ui/pages/generate_page.hpp"
#include "ui/bridge/worker_priority.hpp"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QRandomGenerator>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>

#include "core/audio/offline_renderer.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "core/audio/wav_file.hpp"
#include "core/midi/midi_file.hpp"
#include "ui/widgets/bounded_spin_box.hpp"
#include "ui/widgets/clip_drag_source.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/bridge/playback_controller.hpp"
#include "ui/bridge/score_tools.hpp"
#include "ui/bridge/soundfont_choice.hpp"
#include "ui/widgets/slider_spin_box.hpp"
#include "ui/pages/add_part_panel.hpp"
#include "ui/pages/record_panel.hpp"
#include "ui/pages/regenerate_panel.hpp"
#include "ui/pages/step_through_panel.hpp"
#include "ui/widgets/bar_selection.hpp"
#include "ui/widgets/note_highlighter.hpp"
#include "ui/widgets/track_mixer.hpp"

namespace harmonia::ui {

namespace {

// "Could not export …" with the reason, naming the file once (the engine's reasons start with
// it) and saying what to do.
QString exportFailure(const QString& path, const QString& reason) {
  const QString what = reason.contains(path) ? QObject::tr("Could not export: %1").arg(reason)
                                             : QObject::tr("Could not export %1: %2").arg(path, reason);
  return what + QObject::tr(". Free some disk space or choose another folder.");
}

// "1 candidate", "3 candidates".
QString candidatesText(size_t n) {
  return n == 1 ? QObject::tr("1 candidate") : QObject::tr("%1 candidates").arg(n);
}

bool isMidiPath(const QString& path) {
  const QString s = QFileInfo(path).suffix().toLower();
  return s == "mid" || s == "midi" || s == "kar";
}

QPushButton* button(const QString& text, const QString& tip) {
  auto* b = new QPushButton(text);
  b->setToolTip(tip);
  return b;
}

}  // namespace

GeneratePage::GeneratePage(QWidget* parent) : PipelinePage(parent) {
  setAcceptDrops(true);
  playback_ = new PlaybackController(this);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<h2>4. Generate &amp; Play</h2>")));
  auto* body = new QHBoxLayout;
  layout->addLayout(body, 1);

  // Left: settings, in a scroll area so nothing is clipped on small screens.
  auto* side = new QWidget;
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 6, 0);

  modelChoice_ = new ModelChoiceBox;
  const StarterModel starter = find_starter_model();
  modelChoice_->setStarter(QString::fromStdString(starter.dir), QString::fromStdString(starter.why_not));
  sideLayout->addWidget(modelChoice_);

  auto* promptBox = new QGroupBox(tr("Prompt"));
  auto* promptForm = new QFormLayout(promptBox);
  auto* openPromptButton = button(tr("&Open MIDI…"), tr("Start from a MIDI file (or drop one on this page)"));
  bars_ = new QSpinBox;
  bars_->setRange(0, 64);
  bars_->setValue(4);
  bars_->setSpecialValueText(tr("whole file"));
  bars_->setToolTip(tr("Only the first N bars of the file are used as the prompt"));
  promptLabel_ = new QLabel(tr("No prompt: the model starts from nothing."));
  promptLabel_->setWordWrap(true);
  promptForm->addRow(openPromptButton);
  promptForm->addRow(tr("First &bars:"), bars_);
  promptForm->addRow(promptLabel_);
  sideLayout->addWidget(promptBox);
  record_ = new RecordPanel(playback_);
  sideLayout->addWidget(record_);

  auto* samplingBox = new QGroupBox(tr("Sampling"));
  auto* form = new QFormLayout(samplingBox);
  // Defaults from SamplingSettings, i.e. generate::piece_settings()'s sampling.
  const SamplingSettings defaults;
  temperature_ = new SliderSpinBox(0.1, 2.0, defaults.temperature, 2);
  temperature_->setToolTip(tr("Higher = more surprising, lower = safer and more repetitive"));
  topK_ = new SliderSpinBox(0, 200, defaults.top_k, 0);
  topK_->setToolTip(tr("Sample only among the K likeliest tokens (0 = no limit)"));
  topP_ = new SliderSpinBox(0.05, 1.0, defaults.top_p, 2);
  topP_->setToolTip(tr("Sample among the likeliest tokens whose probabilities add up to P"));
  repetition_ = new SliderSpinBox(1.0, 2.0, defaults.repetition_penalty, 2);
  repetition_->setToolTip(tr("Penalises tokens already used. Music repeats on purpose: above 1 a small "
                             "model drifts towards rests, above 1.2 melodies wander"));
  auto* lengthBars = new BoundedSpinBox;
  lengthBars_ = lengthBars;
  lengthBars_->setRange(1, 256);
  lengthBars_->setValue(defaults.bars);
  lengthBars_->setSuffix(tr(" bars"));
  lengthBars_->setToolTip(tr("How long the new music is, in bars after the prompt. The model may end it "
                             "after two thirds of them; never more than about 3 minutes of music, "
                             "never two empty bars in a row."));
  // Said under the field, not only in the status bar: typing 4096 and getting 256 must not
  // pass unnoticed.
  lengthHint_ = new QLabel;
  lengthHint_->setWordWrap(true);
  lengthHint_->setStyleSheet(QStringLiteral("color: #d04040;"));
  lengthHint_->hide();
  connect(lengthBars, &BoundedSpinBox::outOfRange, this, [this](qlonglong typed) {
    lengthHint_->setText(tr("%1 bars is more than the %2 a piece can have (about 3 minutes of music are "
                            "generated at most): Length is %2.")
                             .arg(typed)
                             .arg(lengthBars_->maximum()));
    lengthHint_->show();
  });
  connect(lengthBars_, &QSpinBox::valueChanged, this, [this] {
    if (lengthBars_->value() != lengthBars_->maximum()) lengthHint_->hide();
  });
  tokenCap_ = new QSpinBox;
  tokenCap_->setRange(0, 200000);
  tokenCap_->setValue(defaults.max_new_tokens);
  tokenCap_->setSpecialValueText(tr("automatic"));
  tokenCap_->setToolTip(tr("Advanced: stop after this many new tokens even if the bars are not done "
                           "(automatic: 400 per bar, enough for dense arrangements)"));
  seed_ = new QSpinBox;
  seed_->setRange(0, 999999);
  seed_->setToolTip(tr("Same seed and settings give the same music"));
  auto* dice = button(tr("Random"), tr("Pick a random seed"));
  dice->setAccessibleName(tr("Random seed"));
  auto* seedRow = new QHBoxLayout;
  seedRow->addWidget(seed_, 1);
  seedRow->addWidget(dice);
  key_ = new QComboBox;
  key_->addItem(tr("any key"), QString());
  for (const char* k : {"C", "G", "D", "A", "E", "F", "Bb", "Eb"}) {
    key_->addItem(tr("%1 major").arg(QLatin1String(k)), QStringLiteral("%1:major").arg(QLatin1String(k)));
    key_->addItem(tr("%1 minor").arg(QLatin1String(k)), QStringLiteral("%1:minor").arg(QLatin1String(k)));
  }
  key_->setToolTip(tr("Keep generated pitches in this key"));
  form->addRow(tr("&Temperature:"), temperature_);
  form->addRow(tr("Top-&k:"), topK_);
  form->addRow(tr("Top-&p:"), topP_);
  form->addRow(tr("&Repetition penalty:"), repetition_);
  form->addRow(tr("&Length:"), lengthBars_);
  form->addRow(lengthHint_);
  form->addRow(tr("Max toke&ns:"), tokenCap_);
  form->addRow(tr("Seed:"), seedRow);
  form->addRow(tr("&Key:"), key_);
  sideLayout->addWidget(samplingBox);

  auto* genBox = new QGroupBox(tr("Generate"));
  auto* genLayout = new QVBoxLayout(genBox);
  auto* countRow = new QHBoxLayout;
  candidates_ = new QSpinBox;
  candidates_->setRange(1, 8);
  candidates_->setValue(3);
  candidates_->setToolTip(tr("How many different versions Generate (or Continue) makes at once"));
  auto* countLabel = new QLabel(tr("&Candidates:"));
  countLabel->setBuddy(candidates_);
  countRow->addWidget(countLabel);
  countRow->addWidget(candidates_);
  genLayout->addLayout(countRow);
  auto* genButtons = new QGridLayout;
  generate_ = button(tr("&Generate"), tr("Generate new candidates from the prompt (Ctrl+G)"));
  continue_ = button(tr("C&ontinue"), tr("Continue what the piano roll shows: as many continuations as "
                                         "Candidates says, to pick from in the list"));
  undo_button_ = button(tr("&Undo continuation"), tr("Go back to before the last Continue"));
  cancel_ = button(tr("Cancel"), tr("Stop generating"));
  genButtons->addWidget(generate_, 0, 0);
  genButtons->addWidget(continue_, 0, 1);
  genButtons->addWidget(undo_button_, 1, 0);
  genButtons->addWidget(cancel_, 1, 1);
  genLayout->addLayout(genButtons);
  availability_ = new QLabel;
  availability_->setWordWrap(true);
  genLayout->addWidget(availability_);
  candidateList_ = new QListWidget;
  candidateList_->setMaximumHeight(110);
  candidateList_->setToolTip(tr("Click a candidate to hear and see it"));
  genLayout->addWidget(candidateList_);
  sideLayout->addWidget(genBox);
  regenerate_ = new RegeneratePanel;
  sideLayout->addWidget(regenerate_);
  addPart_ = new AddPartPanel;
  sideLayout->addWidget(addPart_);
  auto* tracksBox = new QGroupBox(tr("Tracks"));
  mixer_ = new TrackMixer;
  (new QVBoxLayout(tracksBox))->addWidget(mixer_);
  sideLayout->addWidget(tracksBox);
  sideLayout->addStretch();

  body->addWidget(sideColumn(side));

  // Right: transport and the roll.
  auto* right = new QVBoxLayout;
  auto* transport = toolRow();  // what does not fit moves into its » menu
  play_ = button(tr("▶ Play"), tr("Play / Stop (Space)"));
  output_ = new QComboBox;
  output_->addItem(PlaybackController::fluidSynthName());
  output_->setToolTip(tr("Where the music is played: the built-in synthesizer or an external MIDI port"));
  auto* refreshPorts = button(tr("⟳"), tr("Look for MIDI ports again"));
  refreshPorts->setAccessibleName(tr("Refresh MIDI ports"));
  auto* zoomOut = button(tr("−"), tr("Zoom out (Ctrl+wheel)"));
  zoomOut->setAccessibleName(tr("Zoom out"));
  auto* zoomIn = button(tr("+"), tr("Zoom in (Ctrl+wheel)"));
  zoomIn->setAccessibleName(tr("Zoom in"));
  auto* fit = button(tr("Fit"), tr("Fit piece: show the whole piece (Ctrl+0)"));
  fit->setAccessibleName(tr("Fit piece"));
  fit->setMaximumWidth(fit->fontMetrics().horizontalAdvance(fit->text()) + 24);
  // The page's own shortcut: it works wherever the focus is on this page.
  auto* fitShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_0), this);
  fitShortcut->setContext(Qt::WidgetWithChildrenShortcut);
  fitShortcut->setWhatsThis(tr("Fit the whole piece in the piano roll"));  // listed in Help › Studio Guide
  // One-symbol buttons need no more than a symbol's width: the output and colour combos
  // next to them keep their full text at 1280x720.
  for (auto* b : {refreshPorts, zoomOut, zoomIn}) b->setMaximumWidth(b->fontMetrics().height() * 2 + 8);
  colorMode_ = new QComboBox;
  colorMode_->addItems({tr("Colour by track"), tr("Colour by velocity")});
  auto* exportMid = button(tr("Export .&mid…"), tr("Save what the roll shows as a MIDI file"));
  auto* exportWav = button(tr("Export .&wav…"), tr("Render with the SoundFont to a WAV file"));
  dragSource_ = new ClipDragSource([this] { return current_; });
  transport->addWidget(play_);
  loop_ = button(tr("⟲ Loop"), tr("Loop the selected bars (drag along the bar numbers), or the whole piece"));
  loop_->setCheckable(true);
  transport->addWidget(loop_);
  transport->addWidget(output_);
  transport->addWidget(refreshPorts);
  transport->addSeparator();
  transport->addWidget(zoomOut);
  transport->addWidget(zoomIn);
  transport->addWidget(fit);
  transport->addWidget(colorMode_);
  right->addWidget(transport);
  notice_ = new QLabel;
  notice_->setWordWrap(true);
  notice_->setStyleSheet(QStringLiteral("color: #d04040; font-weight: bold;"));
  notice_->hide();
  right->addWidget(notice_);
  roll_ = new PianoRollView;
  selection_ = new BarSelection(roll_);
  regenHighlight_ = new NoteHighlighter(roll_);
  // Regenerate selection from the roll itself too: its context menu and the page's shortcuts.
  roll_->roll()->setContextMenuPolicy(Qt::ActionsContextMenu);
  for (QAction* a : {regenerate_->regenerateAction(), regenerate_->undoAction(), regenerate_->redoAction()}) {
    roll_->roll()->addAction(a);
    addAction(a);
  }
  right->addWidget(roll_, 1);
  // Export under the roll, in a tool row of its own: in one row with the transport they were
  // cut off at 1280x720 (the settings column and the sidebar leave the roll about 590 px), and
  // what does not fit (presentation mode's larger text) moves into its » menu instead of
  // widening the page past 1200 px. The legend above them: beside them the word-wrapped label
  // took the row and squeezed the tool row to nothing.
  auto* legend = new QLabel(tr("Shaded area: the prompt. Bright notes: generated. Red line: play-head."));
  legend->setWordWrap(true);
  right->addWidget(legend);
  auto* exportRow = toolRow();
  exportRow->addAction(regenerate_->regenerateAction());
  exportRow->addSeparator();
  exportRow->addWidget(exportMid);
  exportRow->addWidget(exportWav);
  exportRow->addWidget(dragSource_);
  right->addWidget(exportRow);
  // Step-through (issue 17): one token at a time with the next-token chart, under the roll.
  auto* stepThrough = new StepThroughPanel(
      [this] {
        GenerationSpec spec;
        spec.model_dir = modelChoice_->activeModelDir().toStdString();
        spec.sampling = samplingSettings();
        spec.prompt = prompt_;
        return spec;
      },
      roll_);
  right->addWidget(stepThrough);
  // While it is open the roll's legend gives the panel its two lines: at 1280x720 in
  // presentation mode the page did not fit otherwise (the window grew to 766 px).
  connect(stepThrough, &StepThroughPanel::expandedChanged, legend, &QWidget::setHidden);
  connect(stepThrough, &StepThroughPanel::scoreChanged, this,
          [this](const midi::Score& score, midi::Tick promptEnd) { showScore(score, promptEnd); });
  for (auto* slider : {temperature_, topK_, topP_, repetition_})
    connect(slider, &SliderSpinBox::valueChanged, stepThrough,
            [this, stepThrough] { stepThrough->samplingChanged(samplingSettings()); });
  // The key and the length re-draw the current step too (out-of-key pitches to 0; EOS allowed
  // or not by the bars left); only the seed waits for Restart.
  auto resample = [this, stepThrough] { stepThrough->samplingChanged(samplingSettings()); };
  connect(key_, &QComboBox::currentIndexChanged, stepThrough, resample);
  connect(lengthBars_, &QSpinBox::valueChanged, stepThrough, resample);
  connect(tokenCap_, &QSpinBox::valueChanged, stepThrough, resample);
  body->addLayout(right, 1);

  connect(modelChoice_, &ModelChoiceBox::choiceChanged, this, &GeneratePage::updateButtons);
  connect(openPromptButton, &QPushButton::clicked, this, &GeneratePage::onOpenPrompt);
  connect(dice, &QPushButton::clicked, this, &GeneratePage::rollDice);
  connect(generate_, &QPushButton::clicked, this, &GeneratePage::generate);
  connect(continue_, &QPushButton::clicked, this, &GeneratePage::continueClip);
  connect(undo_button_, &QPushButton::clicked, this, &GeneratePage::undoContinuation);
  connect(cancel_, &QPushButton::clicked, this, &GeneratePage::cancelGeneration);
  connect(play_, &QPushButton::clicked, this, &GeneratePage::togglePlay);
  connect(zoomIn, &QPushButton::clicked, roll_->roll(), &PianoRollWidget::zoomIn);
  connect(zoomOut, &QPushButton::clicked, roll_->roll(), &PianoRollWidget::zoomOut);
  connect(fit, &QPushButton::clicked, roll_, &PianoRollView::fitPiece);
  connect(fitShortcut, &QShortcut::activated, roll_, &PianoRollView::fitPiece);
  connect(modelChoice_, &ModelChoiceBox::message, this, &PipelinePage::showError);  // a folder with no model
  connect(colorMode_, &QComboBox::currentIndexChanged, this, [this](int i) {
    roll_->roll()->setColorMode(i == 0 ? PianoRollWidget::ColorMode::ByTrack : PianoRollWidget::ColorMode::ByVelocity);
  });
  connect(exportMid, &QPushButton::clicked, this, &GeneratePage::onExportMidi);
  connect(exportWav, &QPushButton::clicked, this, &GeneratePage::onExportWav);
  connect(refreshPorts, &QPushButton::clicked, this, [this] {
    // Listing ports asks ALSA/JACK; it is quick, but only done when the user asks.
    const QString keep = output_->currentText();
    output_->clear();
    output_->addItems(PlaybackController::outputNames());
    output_->setCurrentText(keep);
  });
  connect(output_, &QComboBox::currentTextChanged, playback_, &PlaybackController::setOutput);
  connect(candidateList_, &QListWidget::currentRowChanged, this, &GeneratePage::selectCandidate);
  // "Cannot play: no sound card…" must stay readable until dealt with.
  connect(playback_, &PlaybackController::error, this, &PipelinePage::showError);
  connect(playback_, &PlaybackController::playingChanged, this, [this](bool playing) {
    play_->setText(playing ? tr("■ Stop") : tr("▶ Play"));
    if (!playing) roll_->roll()->setPlayHead(-1);
  });
  connect(playback_, &PlaybackController::positionChanged, this, [this](double s) {
    const midi::Tick tick = current_.seconds_to_ticks(s);
    roll_->roll()->setPlayHead(tick);
    roll_->ensureTickVisible(tick);
  });
  connect(&genWatcher_, &QFutureWatcher<std::vector<midi::Score>>::finished, this, &GeneratePage::onGenerationFinished);
  record_->setModelDirSource([this] { return modelChoice_->activeModelDir(); });
  connect(record_, &RecordPanel::takeReady, this, &GeneratePage::usePrompt);
  connect(record_, &RecordPanel::message, this, &PipelinePage::showError);
  connect(mixer_, &TrackMixer::muteToggled, playback_, &PlaybackController::setTrackMuted);
  connect(mixer_, &TrackMixer::soloToggled, playback_, &PlaybackController::setTrackSolo);
  connect(loop_, &QPushButton::toggled, this, &GeneratePage::updateLoop);
  connect(selection_, &BarSelection::changed, this, &GeneratePage::updateLoop);
  addPart_->setSources([this] { return current_; }, [this] { return modelChoice_->activeModelDir(); });
  RegeneratePanel::Sources regenerateSources;
  regenerateSources.piece = [this] { return current_; };
  regenerateSources.modelDir = [this] { return modelChoice_->activeModelDir(); };
  regenerateSources.bars = [this] {
    return selection_->active() ? std::pair<int, int>{selection_->firstBar(), selection_->lastBar()} : std::pair<int, int>{-1, -1};
  };
  regenerateSources.sampling = [this] {
    RegenerateRequest r;
    r.candidates = candidates_->value();
    r.seed = uint64_t(seed_->value());
    r.temperature = temperature_->value();
    r.top_p = topP_->value();
    return r;
  };
  regenerate_->setSources(std::move(regenerateSources));
  connect(modelChoice_, &ModelChoiceBox::choiceChanged, regenerate_, &RegeneratePanel::refresh);
  connect(selection_, &BarSelection::changed, regenerate_, &RegeneratePanel::refresh);
  connect(regenerate_, &RegeneratePanel::message, this, &PipelinePage::showError);
  connect(regenerate_, &RegeneratePanel::audition, this,
          [this](const midi::Score& candidate, midi::Tick start, midi::Tick end) {
            showScore(candidate, promptEnd_);
            // Its new notes ringed, and the bars looping while the candidates are compared.
            std::vector<RollNote> fresh;
            for (size_t t = 0; t < candidate.tracks.size(); ++t)
              for (const auto& n : candidate.tracks[t].notes)
                if (n.time >= start && n.time < end) fresh.push_back({n.time, n.duration, n.pitch, n.velocity, int(t)});
            regenHighlight_->setNotes(std::move(fresh));
            if (!loop_->isChecked()) loop_->setChecked(true);
          });
  connect(regenerate_, &RegeneratePanel::pieceChanged, this, [this](const midi::Score& score, const QString& what) {
    showScore(score, promptEnd_);
    emit statusMessage(what);
  });
  connect(modelChoice_, &ModelChoiceBox::choiceChanged, addPart_, &AddPartPanel::refresh);
  connect(addPart_, &AddPartPanel::message, this, &PipelinePage::showError);
  connect(addPart_, &AddPartPanel::pieceChanged, this, [this](const midi::Score& score, const QString& what) {
    showScore(score, promptEnd_);
    emit statusMessage(what);
  });
  connect(&wavWatcher_, &QFutureWatcher<QString>::finished, this, [this] {
    const QString err = wavWatcher_.result();
    if (err.isEmpty())
      emit statusMessage(tr("WAV exported."));
    else
      showError(err);
    emit wavExported(err.isEmpty(), err);
  });

  if (!generation_available()) {
    availability_->setText(QString::fromStdString(generation_unavailable_reason()) +
                           tr(" You can still open a MIDI file, play it and export it."));
    setState(StepState::Unavailable, tr("generation not in this build"));
  }
  updateButtons();
  showScore({}, 0);
}

void GeneratePage::onGenerationFinished() {
  std::vector<midi::Score> results;
  QString error;
  try {
    results = genWatcher_.result();
  } catch (const std::exception& e) {
    error = QString::fromUtf8(e.what());
  }
  if (genError_ && !genError_->empty()) error = QString::fromStdString(*genError_);
  const bool cancelled = cancelFlag_ && cancelFlag_->load();
  // A model that writes no note (untrained, or sampling that only picks rests) must say so,
  // not leave an empty roll to be taken for a bug.
  const bool silent = error.isEmpty() && !results.empty() &&
                      std::all_of(results.begin(), results.end(),
                                  [this](const midi::Score& r) { return r.note_count() <= promptNotes_; });
  const bool ok = error.isEmpty() && !results.empty() && !silent;  // `results` is moved from below
  const QString what = continuing_ ? tr("Continue") : tr("Generate");
  if (silent) {
    notice_->setText((results.size() == 1 ? tr("The model wrote no note.")
                                          : tr("The model wrote no note in any of the %1 candidates.").arg(results.size())) +
                     tr(" It may need more training (Model & Training page); or try another seed, a higher "
                        "temperature or a prompt."));
    if (continuing_ && !undo_.empty()) {  // the clip as it was, with its candidates
      restore(undo_.back());
      undo_.pop_back();
    } else {
      // The list would otherwise still offer the previous result's candidates next to a roll
      // that no longer shows them.
      candidates_scores_.clear();
      candidateList_->clear();
    }
    setState(StepState::Error, tr("no notes"));
    emit statusMessage(notice_->text());
  } else if (!ok) {
    // Cancelled or failed: nothing new is kept, and what was shown before comes back, said so
    // above the roll so that the old candidates are not taken for new ones.
    restore(beforeRun_);
    if (continuing_ && !undo_.empty()) undo_.pop_back();
    roll_->ensureTickVisible(0);  // the live roll had followed the stream: back to the start
    roll_->centreOnNotes();
    const size_t kept = candidates_scores_.size();
    const QString back = kept ? tr(" The list shows the previous %1 again.").arg(candidatesText(kept))
                              : (current_.note_count() ? tr(" The roll shows what it showed before.") : QString());
    notice_->setText(cancelled ? tr("%1 was cancelled: nothing new was kept.%2").arg(what, back)
                               : tr("%1 failed: nothing new was kept.%2").arg(what, back));
    if (cancelled)
      setState(kept ? StepState::Done : StepState::NotStarted,
               kept ? tr("cancelled; %1 from before").arg(candidatesText(kept)) : tr("cancelled"));
    else
      setState(StepState::Error, error);
    if (cancelled)
      emit statusMessage(tr("%1 cancelled.").arg(what));
    else
      showError(tr("%1 failed: %2").arg(what, error));  // the banner keeps the whole text
  } else {
    candidates_scores_ = std::move(results);
    candidateList_->clear();
    for (size_t i = 0; i < candidates_scores_.size(); ++i)
      candidateList_->addItem((continuing_ ? tr("Continuation %1 — %2 notes") : tr("Candidate %1 — %2 notes"))
                                  .arg(i + 1)
                                  .arg(candidates_scores_[i].note_count()));
    candidateList_->setCurrentRow(0);
    const QString made = candidatesText(candidates_scores_.size());
    setState(StepState::Done, made);
    const size_t n = candidates_scores_.size();
    if (continuing_)
      emit statusMessage(n == 1 ? tr("Made 1 continuation. Space plays it.")
                                : tr("Made %1 continuations. Click one to hear it; Space plays.").arg(n));
    else
      emit statusMessage(n == 1 ? tr("Generated 1 candidate. Space plays it.")
                                : tr("Generated %1 candidates. Click one to hear it; Space plays.").arg(n));
    // The new music in view (the live roll followed the newest note to the end, at the
    // pitch it happened to be at): from the prompt's end to the last note, its pitches centred.
    roll_->frameTicks(promptEnd_, std::max(current_.end_tick(), promptEnd_ + 1));
  }
  notice_->setVisible(!ok);
  candidateList_->setEnabled(true);
  updateButtons();
  emit generationFinished(ok);
}

GeneratePage::~GeneratePage() {
  if (cancelFlag_) cancelFlag_->store(true);
  genWatcher_.waitForFinished();
  wavWatcher_.waitForFinished();
}

int GeneratePage::promptBars() const { return bars_->value(); }
void GeneratePage::setPromptBars(int bars) { bars_->setValue(bars); }
int GeneratePage::candidateCount() const { return int(candidates_scores_.size()); }
QString GeneratePage::notice() const { return notice_->isHidden() ? QString() : notice_->text(); }
QString GeneratePage::lengthHint() const { return lengthHint_->isHidden() ? QString() : lengthHint_->text(); }

GeneratePage::Snapshot GeneratePage::snapshot() const {
  return {current_, promptEnd_, candidates_scores_, candidateList_->currentRow()};
}

void GeneratePage::restore(const Snapshot& s) {
  showScore(s.score, s.promptEnd);
  candidates_scores_ = s.candidates;
  const QSignalBlocker block(candidateList_);  // the roll already shows the chosen one
  candidateList_->clear();
  for (size_t i = 0; i < candidates_scores_.size(); ++i)
    candidateList_->addItem(tr("Candidate %1 — %2 notes").arg(i + 1).arg(candidates_scores_[i].note_count()));
  candidateList_->setCurrentRow(s.row);
}

void GeneratePage::setModelDir(const QString& dir) {
  modelChoice_->setTrainedModelDir(dir);
  updateButtons();
}

QString GeneratePage::modelDir() const { return modelChoice_->trainedModelDir(); }

SamplingSettings GeneratePage::samplingSettings() const {
  SamplingSettings s;
  s.temperature = temperature_->value();
  s.top_k = int(topK_->value());
  s.top_p = topP_->value();
  s.repetition_penalty = repetition_->value();
  s.bars = lengthBars_->value();
  s.max_new_tokens = tokenCap_->value();
  s.seed = uint64_t(seed_->value());
  s.key = key_->currentData().toString().toStdString();
  s.candidates = candidates_->value();
  return s;
}

void GeneratePage::setSamplingSettings(const SamplingSettings& s) {
  temperature_->setValue(s.temperature);
  topK_->setValue(s.top_k);
  topP_->setValue(s.top_p);
  repetition_->setValue(s.repetition_penalty);
  lengthBars_->setValue(s.bars);
  tokenCap_->setValue(s.max_new_tokens);
  seed_->setValue(int(s.seed));
  const int key = key_->findData(QString::fromStdString(s.key));
  key_->setCurrentIndex(key >= 0 ? key : 0);
  candidates_->setValue(s.candidates);
}

void GeneratePage::rollDice() { seed_->setValue(int(QRandomGenerator::global()->bounded(1000000))); }

bool GeneratePage::openPrompt(const QString& path, QString* error) {
  try {
    const midi::Score full = midi::read_midi_file(path.toStdString());
    prompt_ = firstBars(full, promptBars());
    promptName_ = QFileInfo(path).fileName();
    const midi::Tick end = prompt_.note_count() ? promptEndTick(prompt_, promptBars()) : 0;
    loadedPromptEnd_ = end;
    undo_.clear();
    regenerate_->reset();
    notice_->hide();
    candidates_scores_.clear();
    candidateList_->clear();
    showScore(prompt_, end);
    promptLabel_->setText(tr("%1: %2 notes in %3")
                              .arg(QFileInfo(path).fileName())
                              .arg(prompt_.note_count())
                              .arg(promptBars() ? tr("the first %1 bars").arg(promptBars()) : tr("the whole file")));
    roll_->centreOnNotes();
    updateButtons();
    return true;
  } catch (const std::exception& e) {
    // The MIDI reader's message already starts with the file's path: say it once.
    const QString what = QString::fromUtf8(e.what());
    const QString msg = what.contains(path) ? tr("Cannot open %1. Choose a Standard MIDI File (.mid).").arg(what)
                                            : tr("Cannot open %1: %2. Choose a Standard MIDI File (.mid).").arg(path, what);
    if (error) *error = msg;
    showError(msg);
    return false;
  }
}

void GeneratePage::showScore(const midi::Score& score, midi::Tick promptEnd) {
  current_ = score;
  promptEnd_ = promptEnd;
  roll_->roll()->setScore(current_, promptEnd);
  playback_->setScore(current_);
  mixer_->setTracks(current_);
  updateLoop();
  regenHighlight_->setNotes({});
  addPart_->refresh();
  regenerate_->refresh();
  updateButtons();
}

void GeneratePage::updateLoop() {
  if (!loop_->isChecked() || current_.note_count() == 0) return playback_->clearLoop();
  const double end = current_.duration_seconds();
  const double from = selection_->active() ? current_.ticks_to_seconds(selection_->startTick()) : 0.0;
  const double to = selection_->active() ? std::min(end, current_.ticks_to_seconds(selection_->endTick())) : end;
  playback_->setLoop(from, to);  // a selection past the piece's end clears the loop
}

void GeneratePage::usePrompt(const midi::Score& prompt, const QString& name) {
  prompt_ = prompt;
  promptName_ = name;
  loadedPromptEnd_ = prompt_.note_count() ? prompt_.end_tick() : 0;
  undo_.clear();
  regenerate_->reset();
  notice_->hide();
  candidates_scores_.clear();
  candidateList_->clear();
  showScore(prompt_, loadedPromptEnd_);
  promptLabel_->setText(tr("%1: %2 notes").arg(name).arg(prompt_.note_count()));
  roll_->centreOnNotes();
}

bool GeneratePage::exportMidi(const QString& path, QString* error) const {
  try {
    midi::write_midi_file(current_, path.toStdString());
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

void GeneratePage::exportWav(const QString& path) {
  if (wavWatcher_.isRunning()) return;
  const midi::Score score = current_;
  const QString soundFont = playback_->soundFont();  // Playback › SoundFont's choice, as for Play
  wavWatcher_.setFuture(QtConcurrent::run([score, path, soundFont]() -> QString {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    try {
      audio::RenderOptions options;
      options.synth.soundfont = resolveSoundFont(soundFont);
      const auto buffer = audio::render_score(score, options);
      audio::write_wav_file(path.toStdString(), buffer, audio::SampleFormat::Int16);
      return {};
    } catch (const std::exception& e) {
      return exportFailure(path, QString::fromUtf8(e.what()));
    }
  }));
}

void GeneratePage::onOpenPrompt() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a MIDI prompt"), {}, tr("MIDI files (*.mid *.midi *.kar)"));
  if (!path.isEmpty()) openPrompt(path);
}

void GeneratePage::onExportMidi() {
  if (current_.note_count() == 0) {
    showError(tr("Nothing to export: generate or open a MIDI file first."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Export MIDI"), QStringLiteral("harmonia.mid"), tr("MIDI (*.mid)"));
  if (!path.isEmpty()) exportMidiTo(path);
}

void GeneratePage::exportMidiTo(const QString& path) {
  QString error;
  if (exportMidi(path, &error))
    emit statusMessage(tr("Exported %1").arg(path));
  else
    showError(exportFailure(path, error));
}

void GeneratePage::onExportWav() {
  if (current_.note_count() == 0) {
    showError(tr("Nothing to export: generate or open a MIDI file first."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Export WAV"), QStringLiteral("harmonia.wav"), tr("WAV (*.wav)"));
  if (path.isEmpty()) return;
  emit statusMessage(tr("Rendering %1…").arg(path));
  exportWav(path);
}

void GeneratePage::togglePlay() { playback_->togglePlay(); }

void GeneratePage::generate() { startGeneration(prompt_, false); }

void GeneratePage::continueClip() { startGeneration(current_, true); }

void GeneratePage::undoContinuation() {
  if (undo_.empty()) return;
  const Snapshot before = undo_.back();
  undo_.pop_back();
  restore(before);
  notice_->hide();
}

void GeneratePage::cancelGeneration() {
  if (cancelFlag_) cancelFlag_->store(true);
}

void GeneratePage::startGeneration(const midi::Score& prompt, bool continuation) {
  if (genWatcher_.isRunning() || !generation_available()) return;
  const QString modelDir = modelChoice_->activeModelDir();
  if (modelDir.isEmpty()) {
    showError(tr("No model: train one on the Model & Training page first, or choose the starter model."));
    return;
  }
  playback_->stop();
  if (regenerate_->auditioning()) regenerate_->discard();  // Continue continues the piece, not a candidate
  continuing_ = continuation;
  beforeRun_ = snapshot();
  if (continuation) undo_.push_back(beforeRun_);
  // Generate starts after the loaded prompt (none: from the start), not after whatever a
  // Continue last shaded: the shading must match the "Prompt" box's words.
  const midi::Tick end = continuation ? current_.end_tick() : loadedPromptEnd_;
  // The roll restarts from the prompt and fills live with candidate 1's notes; the list's
  // earlier candidates cannot be picked meanwhile (they are not this run's).
  current_ = prompt;
  roll_->roll()->setScore(prompt, end);
  promptEnd_ = end;
  roll_->centreOnNotes();
  candidateList_->setEnabled(false);
  promptNotes_ = prompt.note_count();
  notice_->hide();
  GenerationSpec spec;
  spec.model_dir = modelDir.toStdString();  // the starter or the run: same piece_settings path
  spec.sampling = samplingSettings();  // Continue makes as many continuations as Candidates says
  spec.prompt = prompt;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancelFlag_ = cancel;
  setState(StepState::Running, tr("generating"));
  QPointer<GeneratePage> self(this);
  auto error = std::make_shared<std::string>();
  genError_ = error;
  genWatcher_.setFuture(QtConcurrent::run([spec, cancel, self, error] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    auto onNote = [self](const StreamedNote& n) {
      if (n.candidate != 0) return;
      QMetaObject::invokeMethod(
          self.data(),
          [self, n] {
            if (!self) return;
            self->roll_->roll()->appendNote({n.note.time, n.note.duration, n.note.pitch, n.note.velocity, n.track});
            self->roll_->ensureTickVisible(n.note.time);
          },
          Qt::QueuedConnection);
    };
    // QtConcurrent would turn a std::exception into an anonymous QUnhandledException: keep
    // the message for the user instead.
    try {
      return run_generation(spec, onNote, *cancel);
    } catch (const std::exception& e) {
      *error = e.what();
      return std::vector<midi::Score>{};
    }
  }));
  updateButtons();
}

void GeneratePage::selectCandidate(int row) {
  if (row < 0 || size_t(row) >= candidates_scores_.size()) return;
  if (regenerate_->auditioning()) regenerate_->discard();
  showScore(candidates_scores_[size_t(row)], promptEnd_);
}

void GeneratePage::updateButtons() {
  const bool running = genWatcher_.isRunning();
  const bool canGenerate = generation_available() && !modelChoice_->activeModelDir().isEmpty() && !running;
  generate_->setEnabled(canGenerate);
  continue_->setEnabled(canGenerate && current_.note_count() > 0);
  undo_button_->setEnabled(!running && !undo_.empty());
  cancel_->setEnabled(running);
  play_->setEnabled(current_.note_count() > 0);
}

void GeneratePage::dragEnterEvent(QDragEnterEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.size() == 1 && urls.front().isLocalFile() && isMidiPath(urls.front().toLocalFile()))
    event->acceptProposedAction();
}

void GeneratePage::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty()) return;
  openPrompt(urls.front().toLocalFile());
  event->acceptProposedAction();
}

GeneratePage::Session GeneratePage::session() const {
  Session s;
  s.prompt = prompt_;
  s.promptName = promptName_;
  s.promptEnd = loadedPromptEnd_;
  // Bars on audition are not the piece until kept: the project keeps the piece.
  s.shown = regenerate_->auditioning() ? regenerate_->pieceBefore() : current_;
  s.shownPromptEnd = promptEnd_;
  s.candidates = candidates_scores_;
  s.selected = candidateList_->currentRow();
  return s;
}

void GeneratePage::restoreSession(const Session& s) {
  if (isGenerating()) return;
  prompt_ = s.prompt;
  promptName_ = s.promptName;
  loadedPromptEnd_ = s.promptEnd;
  undo_.clear();
  regenerate_->reset();
  notice_->hide();
  promptLabel_->setText(s.promptName.isEmpty() || s.prompt.note_count() == 0
                            ? tr("No prompt: the model starts from nothing.")
                            : tr("%1: %2 notes (kept in the project)").arg(s.promptName).arg(s.prompt.note_count()));
  candidates_scores_ = s.candidates;
  {
    const QSignalBlocker block(candidateList_);  // the roll shows `shown`, which may be a continuation
    candidateList_->clear();
    for (size_t i = 0; i < candidates_scores_.size(); ++i)
      candidateList_->addItem(tr("Candidate %1 — %2 notes").arg(i + 1).arg(candidates_scores_[i].note_count()));
    candidateList_->setCurrentRow(s.selected < int(candidates_scores_.size()) ? s.selected : -1);
  }
  showScore(s.shown, s.shownPromptEnd);
  // The music after the prompt in view, as after generating (the whole piece when there is
  // none); a reopened project's page is hidden, so the roll frames it when first shown.
  if (s.shown.note_count()) {
    const midi::Tick end = s.shown.end_tick();
    const midi::Tick from = s.shownPromptEnd < end ? s.shownPromptEnd : 0;
    roll_->frameWhenShown(from, std::max(end, from + 1));
  }
  // The sidebar tells what the page holds: kept candidates are as done as freshly made ones.
  if (state() != StepState::Unavailable)
    setState(candidates_scores_.empty() ? StepState::NotStarted : StepState::Done,
             candidates_scores_.empty() ? QString() : candidatesText(candidates_scores_.size()));
  updateButtons();
}

}  // namespace harmonia::ui
