// Dataset page: choose a folder (the default corpus on first run, or one dropped onto the
// window) and import it with the core's parallel ImportJob (the same import as `harmonia
// dataset import`) into a token cache, with progress, ETA and Cancel; list each file
// (duration, notes, tracks, tokens, status and why it was skipped or whose duplicate it is)
// and chart tokens per file and the pitch histogram from the job's per-file reports.
// The cache lives under QStandardPaths::CacheLocation/datasets/, one folder per input folder
// and tokenizer (see cacheDir()); an unchanged folder is answered by its quick index.
#pragma once

#include <QElapsedTimer>
#include <QStringList>
#include <memory>
#include <thread>
#include <vector>

#include "core/data/import_job.hpp"
#include "ui/bridge/dataset_cache.hpp"
#include "ui/pages/pipeline_page.hpp"

class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace harmonia::ui {

class DatasetPage : public PipelinePage {
  Q_OBJECT
 public:
  explicit DatasetPage(QWidget* parent = nullptr);
  ~DatasetPage() override;  // cancels and joins a running import

  QString folder() const;  // the folder, or a description of the default corpus
  bool isDefaultCorpus() const;
  void setFolder(const QString& folder);  // does not start the import
  // The tokenizer the next import counts tokens with (the project's; REMI until set).
  void setTokenizer(std::shared_ptr<const tokenizer::Tokenizer> tokenizer);
  // The current folder, or the default corpus's file list (what Import would import).
  DatasetInput input() const;
  // What the last import read (kept until the next import starts): training imports the same.
  const DatasetInput& importedInput() const { return importedInput_; }
  // Where the token cache of the current folder and tokenizer lives (created by the import;
  // computed by ui/dataset_cache.hpp, as the training backend does).
  QString cacheDir() const;
  // Root of all the page's caches; tests point it at a temporary folder.
  void setCacheRoot(const QString& root) { cacheRoot_ = root; }
  QString cacheRoot() const;  // the root set, else QStandardPaths::CacheLocation/datasets
  QStringList usableFiles() const;  // kept files (not broken, not a duplicate), in path order
  // Per-file reports of the last import, in path order.
  const std::vector<data::ImportedFile>& results() const { return results_; }
  bool isRunning() const { return job_ != nullptr; }
  // True when the last finished import was answered by the quick index (nothing changed).
  bool lastImportWasQuick() const { return lastQuick_; }
  double lastImportSeconds() const { return lastSeconds_; }
  int tableRows() const;
  // Points in the two charts (for tests).
  int tokenChartPoints() const;
  double pitchChartTotal() const;

 public slots:
  void startImport();
  void cancelImport();
  // Selects the installed default corpus; false (with a status message) when none is.
  bool useDefaultCorpus();
  // Forgets the imported files (table, charts, state) and tells the other pages (New Project).
  // Does nothing while an import runs.
  void clearImport();

 signals:
  void importFinished(bool cancelled);
  void filesChanged(const QStringList& usableFiles);

 private slots:
  void drainInbox();  // queued from the job's threads: rows, progress, the end

 private:
  struct Inbox;
  void browse();
  void addRow(const data::ImportedFile& f);
  void showProgress();
  void finishImport();
  void updateCharts();

  QLineEdit* folder_ = nullptr;
  QPushButton* import_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* eta_ = nullptr;
  QTableWidget* table_ = nullptr;
  QCustomPlot* tokensPlot_ = nullptr;
  QCustomPlot* pitchPlot_ = nullptr;
  QLabel* summary_ = nullptr;

  bool defaultCorpus_ = false;
  QString cacheRoot_;
  DatasetInput importedInput_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  std::vector<data::ImportedFile> results_;
  std::unique_ptr<data::ImportJob> job_;
  std::shared_ptr<Inbox> inbox_;
  std::thread starter_;  // starts the job at low priority: the job's threads inherit it
  QElapsedTimer clock_;
  QElapsedTimer chartClock_;
  bool lastQuick_ = false;
  double lastSeconds_ = 0;
};

}  // namespace harmonia::ui
