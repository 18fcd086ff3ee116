#include "ui/pages/inside_model_page.hpp"

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
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <map>

#include "core/midi/midi_file.hpp"
#include "ui/bridge/generation_backend.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/presentation.hpp"
#include "ui/pages/token_chips.hpp"
#include "ui/widgets/attention_grid.hpp"
#include "ui/widgets/embedding_map.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/note_brightness.hpp"
#include "ui/widgets/piano_roll_widget.hpp"

namespace harmonia::ui {

namespace {

// What the roll of the Generate page holds, cheaply: a new generation or prompt changes it.
qint64 fingerprint(const midi::Score& s) {
  qint64 f = qint64(s.note_count()) * 1000003;
  for (const auto& t : s.tracks)
    if (!t.notes.empty()) f ^= qint64(t.notes.back().time + t.notes.back().duration) * 31 + t.notes.front().pitch;
  return f;
}

QString architectureName(const std::string& type) {
  if (type == "gpt2") return QStringLiteral("GPT-2");
  if (type == "gpt_neo") return QStringLiteral("GPT-Neo");
  if (type == "gpt_neox") return QStringLiteral("GPT-NeoX");
  if (type == "llama") return QStringLiteral("Llama");
  if (type == "qwen3") return QStringLiteral("Qwen3");
  if (type == "mamba") return QStringLiteral("Mamba");
  return QString::fromStdString(type);
}

AttentionView computeAttentionView(const AttentionRequest& request, QColor future) {
  AttentionView v;
  v.result = inspect_attention(request);
  const auto& r = v.result;
  if (!r.error.empty() || !r.unavailable.empty() || !r.tokenizer) return v;
  const std::pair<int, bool> program =
      r.score.tracks.empty() ? std::pair<int, bool>{0, false} : std::pair<int, bool>{r.score.tracks[0].program, r.score.tracks[0].is_drum};
  appendTokenChips(*r.tokenizer, r.tokens, program, r.score, size_t(r.length), v.chips);
  const size_t square = size_t(r.length) * size_t(r.length);
  std::vector<float> mean(square);
  for (int l = 0; l < r.layers; ++l) {
    std::fill(mean.begin(), mean.end(), 0.0f);
    for (int h = 0; h < r.heads; ++h) {
      const float* m = r.probs.data() + (size_t(l) * size_t(r.heads) + size_t(h)) * square;
      v.thumbnails.push_back(AttentionGrid::thumbnail(m, r.length, future));
      for (size_t i = 0; i < square; ++i) mean[i] += m[i] / float(r.heads);
    }
    v.thumbnails.push_back(AttentionGrid::thumbnail(mean.data(), r.length, future));
  }
  return v;
}

}  // namespace

InsideModelPage::InsideModelPage(GeneratePage* generate, QWidget* parent) : PipelinePage(parent), generate_(generate) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<h2>Inside the model</h2>")));
  tabs_ = new QTabWidget;
  tabs_->addTab(buildAttentionTab(), tr("&Attention"));
  tabs_->addTab(buildMapTab(), tr("&Embedding map"));
  layout->addWidget(tabs_, 1);
  // Three model pickers on one page: long run names must not set its minimum width (1280x720),
  // but they ask for their text's width, so the settings column widens to show it where it can
  // (the starter's name was cut in presentation mode at the column's narrowest).
  for (auto* combo : findChildren<QComboBox*>()) {
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    combo->setMinimumContentsLength(8);  // the minimum; the size hint is the longest item
  }
  connect(&attentionWatcher_, &QFutureWatcher<AttentionView>::finished, this, &InsideModelPage::onAttentionReady);
  for (int side = 0; side < 2; ++side)
    connect(&mapWatchers_[side], &QFutureWatcher<EmbeddingMapResult>::finished, this, [this, side] { onMapReady(side); });
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (index == 1 && mapResults_[0].points.empty() && mapResults_[1].points.empty()) refreshMaps();
  });
  if (generate_)
    connect(generate_, &GeneratePage::generationFinished, this, [this] {
      if (!ownMusic_ && isVisible()) refreshAttention();
    });
  showMessage(tr("Generate some music on page 4 (or open a MIDI file here), then look at what the model attends to."));
}

InsideModelPage::~InsideModelPage() {
  attentionWatcher_.waitForFinished();
  for (auto& w : mapWatchers_) w.waitForFinished();
}

QWidget* InsideModelPage::buildAttentionTab() {
  auto* tab = new QWidget;
  auto* row = new QHBoxLayout(tab);
  auto* side = new QWidget;
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(0, 0, 0, 0);
  attentionModel_ = new ModelChoiceBox;
  attentionModel_->setTitle(tr("Model"));
  sl->addWidget(attentionModel_);

  auto* music = new QGroupBox(tr("Music the model reads"));
  auto* ml = new QVBoxLayout(music);
  musicLabel_ = new QLabel(tr("Page 4's piano roll"));
  musicLabel_->setWordWrap(true);
  musicLabel_->setMinimumHeight(2 * musicLabel_->fontMetrics().height());  // a long file name wraps
  auto* buttons = new QHBoxLayout;
  auto* fromRoll = new QPushButton(tr("Page 4's roll"));
  fromRoll->setToolTip(tr("Read what the Generate page's piano roll shows"));
  auto* open = new QPushButton(tr("Open MIDI…"));
  buttons->addWidget(fromRoll);
  buttons->addWidget(open);
  auto* form = new QFormLayout;
  maxTokens_ = new QSpinBox;
  maxTokens_->setRange(8, 512);
  maxTokens_->setValue(128);
  maxTokens_->setToolTip(tr("How many tokens from the start of the piece the model reads (at most its context)"));
  form->addRow(tr("Tokens:"), maxTokens_);
  ml->addWidget(musicLabel_);
  ml->addLayout(buttons);
  ml->addLayout(form);
  sl->addWidget(music);

  auto* show = new QGroupBox(tr("Show"));
  auto* sf = new QFormLayout(show);
  layerBox_ = new QComboBox;
  headBox_ = new QComboBox;
  layerBox_->setToolTip(tr("Each layer reads the tokens again, with what the layers below made of them"));
  headBox_->setToolTip(tr("Each head of a layer looks for something else; the mean is the layer as a whole"));
  sf->addRow(tr("Layer:"), layerBox_);
  sf->addRow(tr("Head:"), headBox_);
  sl->addWidget(show);
  queryLabel_ = new QLabel;
  queryLabel_->setWordWrap(true);
  sl->addWidget(queryLabel_);
  sl->addStretch(1);
  QWidget* column = sideColumn(side);
  column->setMinimumWidth(250);  // narrower than the other pages': the chips, roll and grid need the width
  column->setMaximumWidth(330);
  // In presentation mode the model pickers' names at 14.4 pt ("Starter model (POP909 pop
  // songs)": a 370 px combo) beside a scroll bar: at 380 px the name was cut.
  column->setProperty(kPresentationMinimumWidth, 420);
  row->addWidget(column);

  attentionStack_ = new QStackedWidget;
  auto* content = new QSplitter(Qt::Vertical);
  chips_ = new TokenChipView;
  chipScroll_ = new QScrollArea;
  chipScroll_->setWidgetResizable(true);
  chipScroll_->setWidget(chips_);
  chipScroll_->setMinimumHeight(90);
  auto* bottom = new QSplitter(Qt::Horizontal);
  roll_ = new PianoRollView;
  brightness_ = new NoteBrightnessOverlay(roll_);
  grid_ = new AttentionGrid;
  bottom->addWidget(roll_);
  bottom->addWidget(grid_);
  bottom->setSizes({500, 400});  // the grid's thumbnails get room (the roll scrolls)
  content->addWidget(chipScroll_);
  content->addWidget(bottom);
  content->setSizes({230, 370});
  attentionMessage_ = new QLabel;
  attentionMessage_->setWordWrap(true);
  attentionMessage_->setAlignment(Qt::AlignCenter);
  attentionMessage_->setMargin(30);
  QFont big = attentionMessage_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  attentionMessage_->setFont(big);
  attentionStack_->addWidget(content);
  attentionStack_->addWidget(attentionMessage_);
  row->addWidget(attentionStack_, 1);

  connect(attentionModel_, &ModelChoiceBox::choiceChanged, this, &InsideModelPage::refreshAttention);
  connect(attentionModel_, &ModelChoiceBox::message, this, &PipelinePage::showError);
  auto* debounce = new QTimer(this);
  debounce->setSingleShot(true);
  debounce->setInterval(400);
  connect(debounce, &QTimer::timeout, this, &InsideModelPage::refreshAttention);
  connect(maxTokens_, qOverload<int>(&QSpinBox::valueChanged), debounce, qOverload<>(&QTimer::start));
  connect(fromRoll, &QPushButton::clicked, this, [this] {
    ownMusic_ = false;
    musicLabel_->setText(tr("Page 4's piano roll"));
    refreshAttention();
  });
  connect(open, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a MIDI file"), {}, tr("MIDI files (*.mid *.midi)"));
    if (path.isEmpty()) return;
    try {
      setMusic(midi::read_midi_file(path.toStdString()), QFileInfo(path).fileName());
    } catch (const std::exception& e) {
      showError(tr("Cannot read %1: %2. Choose another MIDI file.").arg(path, QString::fromUtf8(e.what())));
    }
  });
  connect(layerBox_, qOverload<int>(&QComboBox::activated), this, [this](int l) { setLayerHead(l, head_); });
  connect(headBox_, qOverload<int>(&QComboBox::activated), this, [this](int h) {
    // Row 0 is the mean, then the heads.
    setLayerHead(layer_, h == 0 ? view_.result.heads : h - 1);
  });
  connect(chips_, &TokenChipView::chipHovered, this, [this](int chip) {
    if (chip >= 0) showQuery(chip);  // leaving the chips keeps the last token shown
  });
  connect(grid_, &AttentionGrid::cellClicked, this, &InsideModelPage::setLayerHead);
  return tab;
}

QWidget* InsideModelPage::buildMapTab() {
  auto* tab = new QWidget;
  auto* grid = new QGridLayout(tab);
  auto* intro = new QLabel(tr("Each dot is a token, placed by its embedding (the vector the model turns it into) "
                              "along the two directions where embeddings differ most (PCA). Training pulls tokens "
                              "that play the same part together."));
  intro->setWordWrap(true);
  grid->addWidget(intro, 0, 0, 1, 2);
  for (int side = 0; side < 2; ++side) {
    auto* box = new ModelChoiceBox;
    box->setTitle(side == 0 ? tr("Left map") : tr("Right map"));
    auto* untrained = new QCheckBox(tr("Before training"));
    untrained->setToolTip(tr("The same model's embedding table as training starts it (its initial weights): "
                             "random numbers"));
    untrained->setChecked(side == 0);
    auto* map = new EmbeddingMapView;
    (side == 0 ? leftModel_ : rightModel_) = box;
    (side == 0 ? leftUntrained_ : rightUntrained_) = untrained;
    (side == 0 ? leftMap_ : rightMap_) = map;
    // The maps need the height more than the picker's line about the chosen model.
    for (auto* label : box->findChildren<QLabel*>()) label->hide();
    grid->addWidget(box, 1, side);
    grid->addWidget(untrained, 2, side);
    grid->addWidget(map, 3, side);
    connect(box, &ModelChoiceBox::choiceChanged, this, [this, side] { startMap(side); });
    connect(box, &ModelChoiceBox::message, this, &PipelinePage::showError);
    connect(untrained, &QCheckBox::toggled, this, [this, side] { startMap(side); });
  }
  auto* legend = new QLabel(EmbeddingMapView::legendHtml());
  legend->setWordWrap(true);
  grid->addWidget(legend, 4, 0, 1, 2);
  grid->setRowStretch(3, 1);
  return tab;
}

void InsideModelPage::syncModelLists() {
  if (!generate_) {
    if (!synced_) {
      const StarterModel starter = find_starter_model();
      for (auto* box : {attentionModel_, leftModel_, rightModel_})
        box->setStarter(QString::fromStdString(starter.dir), QString::fromStdString(starter.why_not));
      synced_ = true;
    }
    return;
  }
  const ModelChoiceBox* source = generate_->modelChoice();
  for (auto* box : {attentionModel_, leftModel_, rightModel_}) {
    const QSignalBlocker quiet(box);  // one refresh after the lists, not one per change
    if (!synced_) box->setStarter(source->starterDir(), QString());
    box->setRuns(source->runs());
    box->setLiveRun(source->liveRun(), source->liveActivity());
    // At first the choice the Generate page made; from then on the user's.
    if (!synced_) box->setChoiceValue(source->choiceValue());
  }
  synced_ = true;
}

void InsideModelPage::showEvent(QShowEvent* event) {
  PipelinePage::showEvent(event);
  const bool first = !synced_;
  syncModelLists();
  const qint64 roll = generate_ && !ownMusic_ ? fingerprint(generate_->currentScore()) : 0;
  if (first || (roll != lastRoll_ && !ownMusic_)) refreshAttention();
  lastRoll_ = roll;
  if (tabs_->currentIndex() == 1 && (first || (mapResults_[0].points.empty() && mapResults_[1].points.empty())))
    refreshMaps();
}

void InsideModelPage::setMusic(const midi::Score& score, const QString& name) {
  music_ = score;
  musicName_ = name;
  ownMusic_ = true;
  musicLabel_->setText(tr("%1 (%2 notes)").arg(name).arg(score.note_count()));
  refreshAttention();
}

void InsideModelPage::setMaxTokens(int tokens) { maxTokens_->setValue(tokens); }

bool InsideModelPage::isBusy() const {
  return attentionWatcher_.isRunning() || mapWatchers_[0].isRunning() || mapWatchers_[1].isRunning();
}

QString InsideModelPage::attentionMessage() const {
  return attentionStack_->currentIndex() == 1 ? attentionMessage_->text() : QString();
}

void InsideModelPage::showMessage(const QString& text) {
  attentionMessage_->setText(text);
  attentionStack_->setCurrentIndex(1);
}

void InsideModelPage::refreshAttention() {
  if (attentionWatcher_.isRunning()) {
    attentionAgain_ = true;
    return;
  }
  const QString dir = attentionModel_->activeModelDir();
  const midi::Score score = ownMusic_ || !generate_ ? music_ : generate_->currentScore();
  if (dir.isEmpty()) {
    showMessage(tr("Choose a model above: the starter, a run of this project or a model folder."));
    return;
  }
  if (score.note_count() == 0) {
    showMessage(tr("No music to read yet: generate on page 4, or open a MIDI file (left)."));
    return;
  }
  if (!ownMusic_) musicLabel_->setText(tr("Page 4's roll: %1 notes").arg(score.note_count()));
  AttentionRequest request;
  request.model_dir = dir.toStdString();
  request.score = score;
  request.max_tokens = maxTokens_->value();
  const QColor future = palette().color(QPalette::Mid);
  setState(StepState::Running, tr("reading the music with %1").arg(attentionModel_->choiceText()));
  attentionWatcher_.setFuture(QtConcurrent::run([request, future] { return computeAttentionView(request, future); }));
}

void InsideModelPage::onAttentionReady() {
  if (attentionAgain_) {
    attentionAgain_ = false;
    refreshAttention();
    return;
  }
  view_ = attentionWatcher_.result();
  const auto& r = view_.result;
  if (!r.error.empty()) {
    const QString why = QString::fromStdString(r.error);
    showMessage(tr("The model could not read the music: %1").arg(why));
    showError(tr("Inside the model: %1. Choose another model or piece.").arg(why));
    setState(StepState::Error, why);
    return;
  }
  clearBanner();
  if (!r.unavailable.empty()) {
    // Mamba: say so, in the words of the core ("no attention (state-space model): ...").
    showMessage(tr("This %1 model has nothing to show here: %2.")
                    .arg(architectureName(r.model_type), QString::fromStdString(r.unavailable)));
    grid_->clear();
    chips_->setChips({});
    setState(StepState::Done, tr("%1: no attention to show").arg(architectureName(r.model_type)));
    return;
  }
  attentionStack_->setCurrentIndex(0);
  chips_->setChips(view_.chips);
  roll_->roll()->setScore(r.score);
  QStringList labels;
  const QSignalBlocker quietLayers(layerBox_), quietHeads(headBox_);
  layerBox_->clear();
  for (int l = 0; l < r.layers; ++l) {
    const int64_t window = size_t(l) < r.window.size() ? r.window[size_t(l)] : 0;
    labels << (window > 0 ? tr("Layer %1\nlocal: %2").arg(l + 1).arg(window) : tr("Layer %1").arg(l + 1));
    layerBox_->addItem(window > 0 ? tr("Layer %1 (local: sees the last %2 tokens)").arg(l + 1).arg(window)
                                  : tr("Layer %1").arg(l + 1));
  }
  headBox_->clear();
  headBox_->addItem(tr("Mean of the %1 heads").arg(r.heads));
  for (int h = 0; h < r.heads; ++h)
    headBox_->addItem(r.kv_heads > 0 && r.kv_heads < r.heads
                          ? tr("Head %1 (shares keys with %2 others)").arg(h + 1).arg(r.heads / r.kv_heads - 1)
                          : tr("Head %1").arg(h + 1));
  grid_->setMaps(view_.thumbnails, r.layers, r.heads, labels);
  layer_ = std::clamp(layer_, 0, r.layers - 1);
  head_ = std::clamp(head_, 0, r.heads);
  if (query_ < 0 || query_ >= r.length) query_ = r.length - 1;
  updateQueryView();
  // After the chips' layout: the token shown may be far down.
  QTimer::singleShot(0, this, &InsideModelPage::revealQuery);
  QString detail = tr("%1, %2 layers × %3 heads, %4 of %5 tokens")
                       .arg(architectureName(r.model_type))
                       .arg(r.layers)
                       .arg(r.heads)
                       .arg(r.length)
                       .arg(r.total_tokens);
  setState(StepState::Done, detail);
  // The music the tokens cover, from its start.
  roll_->ensureTickVisible(0);
  roll_->centreOnNotes();
}

void InsideModelPage::setLayerHead(int layer, int head) {
  const auto& r = view_.result;
  if (r.layers == 0) return;
  layer_ = std::clamp(layer, 0, r.layers - 1);
  head_ = std::clamp(head, 0, r.heads);
  updateQueryView();
}

void InsideModelPage::showQuery(int token) {
  if (token < 0 || token >= view_.result.length) return;
  query_ = token;
  updateQueryView();
}

void InsideModelPage::revealQuery() {
  const QRect r = chips_->chipRect(query_);
  if (!r.isEmpty()) chipScroll_->ensureVisible(r.center().x(), r.center().y(), 20, 30);
}

void InsideModelPage::updateQueryView() {
  const auto& r = view_.result;
  shown_.clear();
  if (r.layers == 0 || query_ < 0 || query_ >= r.length) return;
  {
    const QSignalBlocker quietLayers(layerBox_), quietHeads(headBox_);
    layerBox_->setCurrentIndex(layer_);
    headBox_->setCurrentIndex(head_ == r.heads ? 0 : head_ + 1);
  }
  for (int k = 0; k <= query_; ++k) {
    float w = 0;
    if (head_ == r.heads) {
      for (int h = 0; h < r.heads; ++h) w += r.at(layer_, h, query_, k);
      w /= float(r.heads);
    } else {
      w = r.at(layer_, head_, query_, k);
    }
    shown_.push_back(w);
  }
  const int top = int(std::max_element(shown_.begin(), shown_.end()) - shown_.begin());
  const float most = std::max(shown_[size_t(top)], 1e-12f);
  const int64_t window = size_t(layer_) < r.window.size() ? r.window[size_t(layer_)] : 0;
  std::vector<float> heat(view_.chips.size(), -1.0f);
  for (int k = 0; k <= query_ && size_t(k) < heat.size(); ++k)
    if (window == 0 || query_ - k < window) heat[size_t(k)] = shown_[size_t(k)] / most;
  chips_->setHeat(std::move(heat));
  chips_->setHighlightedChips({query_});

  // Notes: the attention their tokens get, summed (a note is several tokens: pitch, velocity...).
  std::map<std::pair<int, int>, float> perNote;
  for (int k = 0; k <= query_ && size_t(k) < view_.chips.size(); ++k)
    for (const auto& ref : view_.chips[size_t(k)].notes) perNote[{ref.track, ref.index}] += shown_[size_t(k)];
  auto rollNote = [&](int track, int index) {
    const auto& n = r.score.tracks[size_t(track)].notes[size_t(index)];
    return RollNote{n.time, n.duration, n.pitch, n.velocity, track};
  };
  float noteMost = 1e-12f;
  for (const auto& [ref, w] : perNote) noteMost = std::max(noteMost, w);
  std::vector<std::pair<RollNote, float>> weights;
  for (const auto& [ref, w] : perNote)
    if (size_t(ref.first) < r.score.tracks.size() && size_t(ref.second) < r.score.tracks[size_t(ref.first)].notes.size())
      weights.push_back({rollNote(ref.first, ref.second), w / noteMost});
  std::vector<RollNote> queryNotes;
  if (size_t(query_) < view_.chips.size())
    for (const auto& ref : view_.chips[size_t(query_)].notes)
      if (size_t(ref.track) < r.score.tracks.size() && size_t(ref.index) < r.score.tracks[size_t(ref.track)].notes.size())
        queryNotes.push_back(rollNote(ref.track, ref.index));
  brightness_->setWeights(std::move(weights), std::move(queryNotes));

  grid_->setSelection(layer_, head_);
  grid_->setQueryRow(query_, r.length);
  auto chipText = [&](int i) { return size_t(i) < view_.chips.size() ? view_.chips[size_t(i)].text : QString(); };
  const QString which = head_ == r.heads ? tr("the mean of layer %1's heads").arg(layer_ + 1)
                                         : tr("layer %1, head %2").arg(layer_ + 1).arg(head_ + 1);
  queryLabel_->setText(tr("<b>Token %1</b> “%2” looks most at token %3 “%4” (%5 %) in %6. Hover another chip to "
                          "see its attention; click a square of the grid for another layer or head.")
                           .arg(query_ + 1)
                           .arg(chipText(query_).toHtmlEscaped())
                           .arg(top + 1)
                           .arg(chipText(top).toHtmlEscaped())
                           .arg(double(shown_[size_t(top)]) * 100, 0, 'f', 0)
                           .arg(which));
}

void InsideModelPage::refreshMaps() {
  syncModelLists();
  startMap(0);
  startMap(1);
}

void InsideModelPage::startMap(int side) {
  if (mapWatchers_[side].isRunning()) {
    mapAgain_[side] = true;
    return;
  }
  const QString dir = mapModel(side)->activeModelDir();
  if (dir.isEmpty()) {
    map(side)->setMessage(tr("Choose a model."));
    return;
  }
  EmbeddingMapRequest request;
  request.model_dir = dir.toStdString();
  request.untrained = mapUntrained(side)->isChecked();
  map(side)->setMessage(tr("Reading %1…").arg(mapModel(side)->choiceText()));
  mapWatchers_[side].setFuture(QtConcurrent::run([request] { return embedding_map(request); }));
}

void InsideModelPage::onMapReady(int side) {
  if (mapAgain_[side]) {
    mapAgain_[side] = false;
    startMap(side);
    return;
  }
  mapResults_[side] = mapWatchers_[side].result();
  const auto& r = mapResults_[side];
  if (!r.error.empty()) {
    map(side)->setMessage(tr("Cannot show this model's embeddings: %1").arg(QString::fromStdString(r.error)));
    return;
  }
  std::vector<EmbeddingMapPoint> points;
  points.reserve(r.points.size());
  for (const auto& p : r.points) points.push_back({p.x, p.y, QString::fromStdString(p.token)});
  const QString name = mapModel(side)->choiceText() + (mapUntrained(side)->isChecked() ? tr(", before training") : QString());
  map(side)->setPoints(std::move(points), tr("<b>%1</b><br>%2: %3 tokens × %4 numbers; the axes hold %5 % and %6 % "
                                             "of the spread")
                                              .arg(name.toHtmlEscaped(), architectureName(r.model_type))
                                              .arg(r.vocab)
                                              .arg(r.hidden)
                                              .arg(r.explained[0] * 100, 0, 'f', 1)
                                              .arg(r.explained[1] * 100, 0, 'f', 1));
}

}  // namespace harmonia::ui
