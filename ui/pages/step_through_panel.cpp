#include "ui/pages/step_through_panel.hpp"

#include <QHBoxLayout>
#include <algorithm>
#include <QLabel>
#include <QToolButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QTimer>
#include <qcustomplot.h>

#include "ui/bridge/worker_priority.hpp"
#include "ui/pages/token_meaning.hpp"
#include "ui/widgets/note_highlighter.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "ui/widgets/token_chip_view.hpp"

namespace harmonia::ui {

namespace {

constexpr qint64 kRunRefreshMs = 120;  // Run: the roll and chips follow at most this often
constexpr int kTopCandidates = 10;

// Tool buttons: narrower than push buttons, so the page still fits 1280x720 beside the sidebar.
QToolButton* makeButton(const QString& text) {
  auto* b = new QToolButton;
  b->setText(text);
  b->setToolButtonStyle(Qt::ToolButtonTextOnly);
  return b;
}

QString percent(double p) { return QStringLiteral("%1 %").arg(100.0 * p, 0, 'f', p < 0.001 ? 3 : 1); }

}  // namespace

StepThroughPanel::StepThroughPanel(std::function<GenerationSpec()> spec, PianoRollView* roll, QWidget* parent)
    : QWidget(parent),
      spec_(std::move(spec)),
      roll_(roll),
      session_(std::make_shared<std::unique_ptr<StepThroughSession>>()),
      pending_(std::make_shared<PendingSampling>()) {
  setObjectName(QStringLiteral("stepThroughPanel"));
  worker_.setMaxThreadCount(1);
  if (roll_) highlighter_ = new NoteHighlighter(roll_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  auto* header = new QHBoxLayout;
  auto* toggle = toggle_ = makeButton(tr("Step through ▸"));
  toggle->setCheckable(true);
  toggle->setToolTip(tr("Generate one token at a time and see the model's choice: its candidates before and "
                        "after the sampling settings, and the token drawn"));
  step_ = makeButton(tr("Step"));
  step_->setToolTip(tr("Draw one token"));
  stepBar_ = makeButton(tr("Step bar"));
  stepBar_->setToolTip(tr("Draw tokens until the next bar starts"));
  run_ = makeButton(tr("Run"));
  run_->setToolTip(tr("Keep drawing until the piece ends or Stop"));
  stop_ = makeButton(tr("Stop"));
  restart_ = makeButton(tr("Restart"));
  restart_->setToolTip(tr("Start a new piece on the next Step (takes the model, prompt and seed as they are then)"));
  status_ = new QLabel;
  status_->setWordWrap(true);
  // The panel's title on one row and its controls on the next: on one row they asked for
  // 565 px in presentation mode (text x1.6) and the Generate page no longer fit 1200 px.
  header->addWidget(toggle);
  header->addStretch(1);
  layout->addLayout(header);
  auto* controls = new QHBoxLayout;
  for (auto* b : {step_, stepBar_, run_, stop_, restart_}) controls->addWidget(b);
  controls->addStretch(1);
  layout->addLayout(controls);
  // On its own row, the panel's width: beside the buttons it wrapped into a tall narrow column.
  layout->addWidget(status_);

  auto* body = new QWidget;
  auto* bodyLayout = new QHBoxLayout(body);
  bodyLayout->setContentsMargins(0, 0, 0, 0);
  chips_ = new TokenChipView;
  auto* chipScroll = new QScrollArea;
  chipScroll->setWidget(chips_);
  chipScroll->setWidgetResizable(true);
  chipScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  chipScroll->setMinimumWidth(120);
  bodyLayout->addWidget(chipScroll, 1);

  plot_ = new QueuedPlot;
  plot_->setObjectName(QStringLiteral("nextTokenChart"));
  // The page must still fit 1280x720 beside the sidebar, expanded too: at 220 px high an
  // expanded panel raised the window's minimum height past 720 and the window grew off screen.
  plot_->setMinimumSize(260, 160);
  // No title row: the panel's header says what this is, and at 720 px in presentation mode
  // each row of text the chart spends is a candidate fewer.
  plot_->xAxis->setLabel(tr("probability"));  // longer, it was cut on a narrow chart at x1.6
  plot_->xAxis->setRange(0, 1);
  plot_->yAxis->setRangeReversed(true);  // the most likely on top
  plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
  plot_->yAxis->setSubTicks(false);
  plot_->yAxis->grid()->setVisible(false);
  auto bars = [this](const QColor& pen, const QColor& brush, const QString& name) {
    auto* b = new QCPBars(plot_->yAxis, plot_->xAxis);
    b->setWidth(0.4);
    b->setPen(QPen(pen));
    b->setBrush(brush);
    b->setName(name);
    return b;
  };
  // Short names: side by side they fit the chart's width in presentation mode (text x1.6).
  rawBars_ = bars(QColor(120, 120, 120), QColor(170, 170, 170, 200), tr("model"));
  processedBars_ = bars(QColor(40, 110, 200), QColor(76, 145, 230, 220), tr("after settings"));
  drawnBar_ = bars(QColor(200, 100, 0), QColor(245, 140, 30), tr("drawn"));
  // The legend in a row of its own above the plot area, its entries side by side: inside the
  // axis rect it covered the bars of a flat distribution, whatever corner it sat in.
  plot_->legend->setVisible(true);
  plot_->legend->setFont(QFont(font().family(), 8));
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->legend->setWrap(0);  // one row
  plot_->legend->setBorderPen(Qt::NoPen);
  plot_->legend->setBrush(Qt::NoBrush);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, plot_->legend);  // takes it out of the axis rect's insets
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  bodyLayout->addWidget(plot_, 2);  // the chart twice the chips' width: its labels are long
  body->setVisible(false);
  layout->addWidget(body, 1);
  // Laid out at another height: show as many candidates as now fit (a replot follows).
  connect(plot_, &QCustomPlot::afterLayout, this, [this] {
    // The legend's entries side by side where they fit, else two to a row (presentation
    // mode's larger text on a narrow chart): cut, the last entry lost its name.
    QCPLegend* legend = plot_->legend;
    if (legend->wrap() == 0) legendRowWidth_ = legend->minimumOuterSizeHint().width();
    const int wrap = legendRowWidth_ > legend->outerRect().width() ? 2 : 0;
    const bool relayout = wrap != legend->wrap();
    if (relayout) {
      legend->setWrap(wrap);
      legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // rearranges the entries
    }
    if (relayout || rowsThatFit() != rows_) QTimer::singleShot(0, this, [this] { showChart(candidates_); });
  });

  connect(toggle, &QToolButton::toggled, this, [this, body](bool on) {
    body->setVisible(on);
    emit expandedChanged(on);
    // Open, the panel shares the height with the roll (the chart needs it more while a class
    // steps) and the roll may be shorter: with the roll's 200 px the window asked for 766 px
    // in presentation mode, past a 720-pixel projector.
    QSizePolicy policy = sizePolicy();
    policy.setVerticalStretch(on ? 3 : 0);
    setSizePolicy(policy);
    if (!roll_) return;
    if (on && previousRollMinimum_ < 0) {
      previousRollMinimum_ = roll_->minimumHeight();
      roll_->setMinimumHeight(std::min(previousRollMinimum_, 96));
    } else if (!on && previousRollMinimum_ >= 0) {
      roll_->setMinimumHeight(previousRollMinimum_);
      previousRollMinimum_ = -1;
    }
  });
  connect(toggle, &QToolButton::toggled, this, [toggle](bool on) {
    toggle->setText(on ? tr("Step through ▾") : tr("Step through ▸"));
  });
  // Any button shows the body: what it does is seen there.
  for (auto* b : {step_, stepBar_, run_}) connect(b, &QToolButton::clicked, toggle, [toggle] { toggle->setChecked(true); });
  connect(step_, &QToolButton::clicked, this, &StepThroughPanel::step);
  connect(stepBar_, &QToolButton::clicked, this, &StepThroughPanel::stepBar);
  connect(run_, &QToolButton::clicked, this, &StepThroughPanel::run);
  connect(stop_, &QToolButton::clicked, this, &StepThroughPanel::stop);
  connect(restart_, &QToolButton::clicked, this, &StepThroughPanel::restart);
  connect(chips_, &TokenChipView::chipHovered, this, &StepThroughPanel::onChipHovered);
  status_->setText(tr("Step draws one token; the chart shows the model's candidates and what the "
                      "settings leave."));
  updateButtons();
}

StepThroughPanel::~StepThroughPanel() {
  running_ = false;
  worker_.waitForDone();  // at most one step: a forward pass of the model
}

QString StepThroughPanel::statusText() const { return status_->text(); }

void StepThroughPanel::setExpanded(bool expanded) { toggle_->setChecked(expanded); }

void StepThroughPanel::step() { submit(Action::Step); }
void StepThroughPanel::stepBar() { submit(Action::StepBar); }

void StepThroughPanel::run() {
  if (busy_ || state_.finished) return;
  running_ = true;
  sinceShown_.start();
  submit(Action::RunStep);
}

void StepThroughPanel::stop() { running_ = false; }

void StepThroughPanel::restart() {
  running_ = false;
  // The old session goes with the tasks that hold it; the next step makes a new one.
  session_ = std::make_shared<std::unique_ptr<StepThroughSession>>();
  state_ = {};
  showChart({});
  chips_->setChips({});
  if (highlighter_) highlighter_->setNotes({});
  status_->setText(tr("New piece: Step starts it with the current model, prompt and settings."));
  updateButtons();
}

void StepThroughPanel::submit(Action action) {
  if ((busy_ && action != Action::RunStep) || state_.finished) return;
  setBusy(true);
  auto session = session_;
  // A new piece takes the page's settings now (on the GUI thread); a running one ignores them.
  const GenerationSpec spec = *session ? GenerationSpec{} : spec_();
  worker_.start([this, session, spec, action] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    try {
      if (!*session) *session = std::make_unique<StepThroughSession>(spec, kTopCandidates);
      StepThroughState s = action == Action::StepBar ? (*session)->step_bar(true)
                                                     : (*session)->step(action != Action::RunStep);
      QMetaObject::invokeMethod(
          this, [this, session, s = std::move(s), action] {
            if (session == session_) onState(s, action == Action::RunStep);
            else setBusy(false);  // a step of a piece Restart dropped
          },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(this, [this, message] { onError(message); }, Qt::QueuedConnection);
    }
  });
}

void StepThroughPanel::onState(const StepThroughState& s, bool fromRun) {
  state_ = s;
  showChart(s.candidates);
  const bool more = fromRun && running_ && !s.finished;
  if (!more || sinceShown_.elapsed() >= kRunRefreshMs) {
    sinceShown_.start();
    emit scoreChanged(s.score, s.prompt_end);
    showChips();
  }
  if (more) {
    submit(Action::RunStep);
    return;
  }
  if (fromRun) {
    // Run's tokens came without their notes: link them now, once.
    running_ = false;
    auto session = session_;
    worker_.start([this, session] {
      if (!*session) return;
      StepThroughState linked = (*session)->state(true);
      QMetaObject::invokeMethod(
          this, [this, session, linked = std::move(linked)] {
            if (session != session_) return;
            state_.tokens = linked.tokens;
            showChips();
          },
          Qt::QueuedConnection);
    });
  }
  setBusy(false);
}

void StepThroughPanel::onError(const QString& message) {
  running_ = false;
  status_->setText(tr("Step through: %1").arg(message));
  setBusy(false);
}

void StepThroughPanel::samplingChanged(const SamplingSettings& sampling) {
  {
    std::lock_guard<std::mutex> lock(pending_->mutex);
    pending_->sampling = sampling;
    if (pending_->queued) return;  // the queued re-draw will read these
    pending_->queued = true;
  }
  auto session = session_;
  auto pending = pending_;
  worker_.start([this, session, pending] {
    SamplingSettings sampling;
    {
      std::lock_guard<std::mutex> lock(pending->mutex);
      sampling = pending->sampling;
      pending->queued = false;
    }
    if (!*session) return;  // nothing drawn yet: the first Step reads the page's settings
    try {
      StepThroughState s = (*session)->resample(sampling);
      QMetaObject::invokeMethod(
          this, [this, session, s = std::move(s)] {
            if (session != session_ || s.step < 0) return;
            ++resamples_;
            state_.processed = s.processed;
            state_.candidates = s.candidates;
            state_.drawn_processed = s.drawn_processed;
            state_.forward_passes = s.forward_passes;
            state_.draws = s.draws;
            showChart(s.candidates);
          },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(this, [this, message] { onError(message); }, Qt::QueuedConnection);
    }
  });
}

int StepThroughPanel::rowsThatFit() const {
  // A row per tick label's height: fewer rows than candidates rather than labels on top of
  // each other (at 160 px, or in presentation mode's larger text, ten overlapped).
  const int row = QFontMetrics(plot_->yAxis->tickLabelFont()).height() + 2;
  return std::clamp(plot_->axisRect()->height() / std::max(1, row), 3, kTopCandidates);
}

void StepThroughPanel::showChart(const std::vector<StepCandidate>& all) {
  if (&all != &candidates_) candidates_ = all;
  rows_ = rowsThatFit();
  // The best rows_ candidates, the drawn one always among them (it takes the last row).
  std::vector<StepCandidate> candidates(all.begin(), all.begin() + long(std::min(all.size(), size_t(rows_))));
  const auto drawn = std::find_if(all.begin(), all.end(), [](const StepCandidate& c) { return c.drawn; });
  if (drawn != all.end() && !candidates.empty() &&
      std::none_of(candidates.begin(), candidates.end(), [](const StepCandidate& c) { return c.drawn; }))
    candidates.back() = *drawn;
  chart_ = candidates;
  auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
  QVector<double> rawKeys, rawValues, keys, values, drawnKey, drawnValue;
  double top = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    const QString label = QString::fromStdString(c.token);
    ticker->addTick(double(i), c.drawn ? QStringLiteral("▶ ") + label : label);
    rawKeys << double(i) - 0.2;
    rawValues << c.raw;
    (c.drawn ? drawnKey : keys) << double(i) + 0.2;
    (c.drawn ? drawnValue : values) << c.processed;
    top = std::max({top, c.raw, c.processed});
  }
  plot_->yAxis->setTicker(ticker);
  rawBars_->setData(rawKeys, rawValues, true);
  processedBars_->setData(keys, values, true);
  drawnBar_->setData(drawnKey, drawnValue, true);
  plot_->yAxis->setRange(-0.7, std::max<double>(1, double(candidates.size())) - 0.3);
  plot_->xAxis->setRange(0, std::min(1.0, std::max(0.05, top * 1.12)));
  ReplotQueue::request(plot_);

  if (state_.step < 0) return;
  QString text = tr("Token %1: drew %2 — the model gave it %3, the sampling settings %4.")
                     .arg(state_.step + 1)
                     .arg(QString::fromStdString(state_.drawn), percent(state_.drawn_raw),
                          percent(state_.drawn_processed));
  if (state_.finished)
    text += QLatin1Char(' ') + tr("The piece ended (%1).").arg(QString::fromStdString(state_.stop_reason));
  status_->setText(text);
}

void StepThroughPanel::showChips() {
  std::vector<TokenChip> chips;
  chips.reserve(state_.tokens.size());
  for (const auto& t : state_.tokens) {
    TokenChip c;
    c.text = QString::fromStdString(t.text);
    c.type = c.text.section(QLatin1Char('_'), 0, 0);
    for (const auto& p : t.parts) c.parts << QString::fromStdString(p);
    c.toolTip = c.parts.isEmpty() ? c.text + QLatin1Char('\n') + tokenMeaning(c.text) : c.text;
    c.notes = t.notes;
    chips.push_back(std::move(c));
  }
  chips_->setChips(std::move(chips));
  if (!state_.tokens.empty()) chips_->setHighlightedChips({int(state_.tokens.size()) - 1});  // the newest
  if (auto* area = qobject_cast<QScrollArea*>(chips_->parentWidget() ? chips_->parentWidget()->parentWidget() : nullptr))
    QTimer::singleShot(0, area, [area] { area->verticalScrollBar()->setValue(area->verticalScrollBar()->maximum()); });
}

void StepThroughPanel::onChipHovered(int chip) {
  if (!highlighter_) return;
  std::vector<RollNote> notes;
  if (chip >= 0 && size_t(chip) < state_.tokens.size())
    for (const auto& r : state_.tokens[size_t(chip)].notes) {
      if (r.track < 0 || size_t(r.track) >= state_.score.tracks.size()) continue;
      const auto& track = state_.score.tracks[size_t(r.track)].notes;
      if (r.index < 0 || size_t(r.index) >= track.size()) continue;
      const auto& n = track[size_t(r.index)];
      notes.push_back({n.time, n.duration, n.pitch, n.velocity, r.track});
    }
  highlighter_->setNotes(std::move(notes));
}

void StepThroughPanel::setBusy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  updateButtons();
  emit busyChanged(busy);
}

void StepThroughPanel::updateButtons() {
  const bool canDraw = !busy_ && !state_.finished;
  step_->setEnabled(canDraw);
  stepBar_->setEnabled(canDraw);
  run_->setEnabled(canDraw);
  stop_->setEnabled(running_);
  restart_->setEnabled(!running_);
}

}  // namespace harmonia::ui
