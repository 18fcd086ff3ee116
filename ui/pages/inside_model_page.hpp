// "Inside the model" (issue 17): what a class can see of a trained model beyond its music.
//  - Attention: the model reads a piece (the Generate page's roll, or a MIDI file) and, for the
//    token under the cursor, the chips show its attention over the earlier tokens as a heat
//    strip and the piano roll shows it as note brightness, for a chosen layer and head or the
//    mean of a layer's heads; a layer x head grid shows every head's whole pattern.
//  - Embedding map: two models' token embeddings on their two principal axes, side by side
//    (by default the chosen model before and after training).
// The model is read from its folder on disk (a run's saved model or checkpoint), so it works
// while a run trains; every model call runs on a worker (ui/bridge/inspect_backend.hpp).
#pragma once

#include <QFutureWatcher>
#include <QImage>
#include <memory>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/bridge/inspect_backend.hpp"
#include "ui/pages/pipeline_page.hpp"
#include "ui/widgets/token_chip_view.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QScrollArea;
class QSpinBox;
class QStackedWidget;
class QTabWidget;

namespace harmonia::ui {

class AttentionGrid;
class EmbeddingMapView;
class GeneratePage;
class ModelChoiceBox;
class NoteBrightnessOverlay;
class PianoRollView;

// What the worker hands back for the attention view: the model's numbers and what is drawn
// from them (chips with their notes, the grid's thumbnails).
struct AttentionView {
  AttentionResult result;
  std::vector<TokenChip> chips;
  std::vector<QImage> thumbnails;  // layers * (heads + 1)
};

class InsideModelPage : public PipelinePage {
  Q_OBJECT
 public:
  // `generate` (may be null) provides the music in its roll and the models it lists.
  explicit InsideModelPage(GeneratePage* generate, QWidget* parent = nullptr);
  ~InsideModelPage() override;

  // ---- attention ----
  ModelChoiceBox* attentionModel() const { return attentionModel_; }
  // The music to read (instead of the Generate page's roll); name for the label.
  void setMusic(const midi::Score& score, const QString& name);
  void setMaxTokens(int tokens);
  // Reads the model and the music again (on a worker).
  void refreshAttention();
  bool isBusy() const;
  const AttentionResult& attention() const { return view_.result; }
  const std::vector<TokenChip>& chips() const { return view_.chips; }
  // What the chips and the roll show: `head` == heads() is the mean of the layer's heads.
  void setLayerHead(int layer, int head);
  int layer() const { return layer_; }
  int head() const { return head_; }
  // The token whose attention is shown (as hovering its chip does).
  void showQuery(int token);
  int query() const { return query_; }
  void revealQuery();  // scrolls the chips to the token shown
  // The weights shown for the query: one per token up to the query (the query included),
  // as probabilities (they sum to 1).
  const std::vector<float>& shownWeights() const { return shown_; }
  // "" while the view shows attention; else what it says instead (no attention, no music...).
  QString attentionMessage() const;
  TokenChipView* chipView() const { return chips_; }
  AttentionGrid* grid() const { return grid_; }
  NoteBrightnessOverlay* brightness() const { return brightness_; }
  PianoRollView* rollView() const { return roll_; }

  // ---- embedding map ----
  ModelChoiceBox* mapModel(int side) const { return side == 0 ? leftModel_ : rightModel_; }
  QCheckBox* mapUntrained(int side) const { return side == 0 ? leftUntrained_ : rightUntrained_; }
  EmbeddingMapView* map(int side) const { return side == 0 ? leftMap_ : rightMap_; }
  void refreshMaps();
  const EmbeddingMapResult& mapResult(int side) const { return mapResults_[side]; }

  QTabWidget* tabs() const { return tabs_; }

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildAttentionTab();
  QWidget* buildMapTab();
  // The model boxes list what the Generate page lists (its runs, the live one among them).
  void syncModelLists();
  void onAttentionReady();
  void showMessage(const QString& text);
  void updateQueryView();
  void startMap(int side);
  void onMapReady(int side);

  GeneratePage* generate_;
  QTabWidget* tabs_ = nullptr;
  // Attention tab.
  ModelChoiceBox* attentionModel_ = nullptr;
  QLabel* musicLabel_ = nullptr;
  QSpinBox* maxTokens_ = nullptr;
  QComboBox* layerBox_ = nullptr;
  QComboBox* headBox_ = nullptr;
  QLabel* queryLabel_ = nullptr;
  QStackedWidget* attentionStack_ = nullptr;
  QLabel* attentionMessage_ = nullptr;
  TokenChipView* chips_ = nullptr;
  QScrollArea* chipScroll_ = nullptr;
  PianoRollView* roll_ = nullptr;
  NoteBrightnessOverlay* brightness_ = nullptr;
  AttentionGrid* grid_ = nullptr;
  midi::Score music_;
  QString musicName_;
  bool ownMusic_ = false;  // false: the Generate page's roll
  AttentionView view_;
  int layer_ = 0, head_ = 0, query_ = -1;
  std::vector<float> shown_;
  QFutureWatcher<AttentionView> attentionWatcher_;
  bool attentionAgain_ = false;
  bool synced_ = false;
  qint64 lastRoll_ = 0;  // the Generate page's roll when last read (a fingerprint)
  // Embedding map tab.
  ModelChoiceBox* leftModel_ = nullptr;
  ModelChoiceBox* rightModel_ = nullptr;
  QCheckBox* leftUntrained_ = nullptr;
  QCheckBox* rightUntrained_ = nullptr;
  EmbeddingMapView* leftMap_ = nullptr;
  EmbeddingMapView* rightMap_ = nullptr;
  EmbeddingMapResult mapResults_[2];
  QFutureWatcher<EmbeddingMapResult> mapWatchers_[2];
  bool mapAgain_[2] = {false, false};
};

}  // namespace harmonia::ui
