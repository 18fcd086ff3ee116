// Tokenizer page: pick a scheme and its main options, train a BPE/Unigram/WordPiece
// tokenizer over it (ui/tokenizer_training_panel.hpp), see one file as coloured token chips
// next to its piano roll, sequence-length statistics over the dataset, save/load
// tokenizer.json. Encoding and training run on worker threads; the page only shows results.
#pragma once

#include <QFutureWatcher>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/pages/pipeline_page.hpp"
#include "ui/pages/tokenizer_option_rules.hpp"
#include "ui/widgets/token_chip_view.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace harmonia::tokenizer {
class Tokenizer;
struct TokenizerConfig;
}  // namespace harmonia::tokenizer

namespace harmonia::ui {

class NoteHighlighter;
class PianoRollView;
struct RollNote;
class TokenizerTrainingPanel;

struct TokenPreview {
  QString error;  // non-empty: what went wrong and what to do
  midi::Score score;
  std::vector<TokenChip> chips;
  size_t totalTokens = 0;
};

struct SequenceStats {
  size_t files = 0;
  size_t minTokens = 0, maxTokens = 0;  // learned ids when the tokenizer is trained
  double meanTokens = 0;
  // Trained tokenizers: totals over the files, and the learned ids that save the most base
  // tokens (id, times used), best first.
  size_t baseTokens = 0, learnedTokens = 0;
  std::vector<std::pair<int32_t, size_t>> mostUseful;
};

class TokenizerPage : public PipelinePage {
  Q_OBJECT
 public:
  explicit TokenizerPage(QWidget* parent = nullptr);
  ~TokenizerPage() override;

  // The files the preview and statistics use (the dataset page's list).
  void setFiles(const QStringList& files);
  // The current tokenizer; null while the options are invalid.
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer() const { return tokenizer_; }
  QString schemeName() const;
  bool selectScheme(const QString& scheme);
  // tokenizer.json text of the current tokenizer (empty when invalid); a trained one's
  // includes its learned model (`_model`).
  QString configJson() const;
  bool loadTokenizerFile(const QString& path, QString* error = nullptr);
  // tokenizer.json's text (a project's). `origin` names it in the sidebar ("REMI from
  // lesson.json"); "" shows the scheme and vocabulary only.
  bool loadTokenizerJson(const QString& json, const QString& origin, QString* error = nullptr);
  // Plain REMI with the default options, and corpus suggestions apply again (New Project).
  void resetToDefaults();
  // The imported corpus's shape (ui/corpus_shape.hpp). Until the user has chosen options
  // (any control changed, a scheme selected or a tokenizer.json loaded), a multi-track corpus
  // switches the page to generate::arrangement_tokenizer_config() (REMI with Programs in one
  // stream, Tempos, Time signatures) and a single-track one back to plain REMI; after that
  // the user's choice stays.
  void suggestForCorpus(bool multiTrack);
  bool userChoseOptions() const { return userChose_; }
  bool saveTokenizerFile(const QString& path, QString* error = nullptr) const;

  // For tests and the screenshot tool: true once no preview/stats work is pending.
  bool isIdle() const;
  const TokenPreview& preview() const { return preview_; }
  const SequenceStats& stats() const { return stats_; }
  static QString schemeExplanation(const QString& scheme);
  TokenizerTrainingPanel* trainingPanel() const { return trainPanel_; }
  // Chip <-> note links (issue 21): hovering a chip rings its notes in the roll; clicking a
  // note rings its chips. For tests: the widgets, and what is ringed now.
  TokenChipView* chipView() const { return chips_; }
  PianoRollView* rollView() const { return roll_; }
  std::vector<RollNote> highlightedNotes() const;
  std::vector<int> highlightedChips() const { return chips_->highlightedChips(); }

 signals:
  void tokenizerChanged();
  void previewReady();
  void statsReady();

 private slots:
  void rebuildTokenizer();
  void onOptionEdited();  // a control changed: the user's choice from now on
  void startPreview();
  void startStats();
  void onSave();
  void onLoad();

 private:
  void applyConfigToControls(const tokenizer::TokenizerConfig& config, const QString& scheme);
  // The panel trained a tokenizer: it becomes the page's (and so the pipeline's).
  void applyTrained(std::shared_ptr<const tokenizer::Tokenizer> trained);
  void showVocabulary();  // vocabLabel_ and the sidebar state for the current tokenizer
  void onChipHovered(int chip);
  void onNoteClicked(int rollIndex);
  std::vector<RollNote> rollNotesOf(const std::vector<NoteRef>& refs) const;
  // The extra-token check boxes with the config field each sets.
  std::vector<std::pair<QCheckBox*, TokenizerOption>> optionBoxes() const;
  // Greys the options the current scheme cannot take with `config` (tooltip = the reason);
  // returns the reasons of those greyed, less the ones in `justUnticked` (said as unticked).
  QStringList greyRefusedOptions(const tokenizer::TokenizerConfig& config, const std::vector<size_t>& justUnticked);
  // A tokenizer read from a file or a project becomes the page's; `origin` names it ("" = none).
  void installLoaded(std::unique_ptr<tokenizer::Tokenizer> tok, const QString& origin);

  QComboBox* scheme_ = nullptr;
  QLabel* explanation_ = nullptr;
  QComboBox* beatRes_ = nullptr;
  QSpinBox* velocities_ = nullptr;
  QCheckBox* chords_ = nullptr;
  QCheckBox* tempos_ = nullptr;
  QCheckBox* timeSigs_ = nullptr;
  QCheckBox* programs_ = nullptr;
  QCheckBox* rests_ = nullptr;
  QCheckBox* sustain_ = nullptr;
  QLabel* vocabLabel_ = nullptr;
  QLabel* errorLabel_ = nullptr;
  QLabel* suggestionLabel_ = nullptr;  // says why the arrangement options were ticked
  QComboBox* file_ = nullptr;
  TokenChipView* chips_ = nullptr;
  QLabel* previewInfo_ = nullptr;
  PianoRollView* roll_ = nullptr;
  NoteHighlighter* highlighter_ = nullptr;
  QScrollArea* chipScroll_ = nullptr;
  std::vector<RollNote> pinnedNotes_;  // the clicked note: ringed again when no chip is hovered
  QLabel* statsLabel_ = nullptr;
  QPushButton* save_ = nullptr;
  QPushButton* load_ = nullptr;
  TokenizerTrainingPanel* trainPanel_ = nullptr;
  QScrollArea* sideScroll_ = nullptr;  // the options and training column

  QStringList files_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  TokenPreview preview_;
  SequenceStats stats_;
  QFutureWatcher<TokenPreview> previewWatcher_;
  QFutureWatcher<SequenceStats> statsWatcher_;
  // Set when work starts, cleared by its finished handler: the watcher itself reports
  // not-running before that handler has stored the result.
  bool previewPending_ = false;
  bool statsPending_ = false;
  bool previewAgain_ = false;  // options changed while a preview was running
  bool statsAgain_ = false;
  bool loading_ = false;       // suppresses rebuilds while controls are set from a file
  bool userChose_ = false;     // suggestForCorpus() no longer changes the options
};

}  // namespace harmonia::ui
