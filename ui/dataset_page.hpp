// Dataset page: choose a folder (the default corpus on first run, or one dropped onto the
// window), read every MIDI file on a worker thread with progress, ETA and Cancel, list each
// file (duration, notes, tracks, status and why it was skipped) and chart tokens per file
// and the pitch histogram.
#pragma once

#include <QElapsedTimer>
#include <QFuture>
#include <QStringList>
#include <array>
#include <atomic>
#include <memory>

#include "ui/pipeline_page.hpp"

class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace harmonia::ui {

// What the scan learned about one file.
struct ScannedFile {
  QString path;
  bool ok = false;
  QString reason;  // why it was skipped
  double seconds = 0;
  qint64 notes = 0;
  int tracks = 0;
  qint64 tokens = 0;  // with the default REMI tokenizer
  std::array<qint64, 128> pitches{};
};

class DatasetPage : public PipelinePage {
  Q_OBJECT
 public:
  explicit DatasetPage(QWidget* parent = nullptr);
  ~DatasetPage() override;

  QString folder() const;  // the folder, or a description of the default corpus
  bool isDefaultCorpus() const;
  void setFolder(const QString& folder);  // does not start the import
  QStringList files() const { return files_; }        // the MIDI files found
  QStringList usableFiles() const;                    // those that read without error
  const std::vector<ScannedFile>& results() const { return results_; }
  bool isRunning() const;
  int tableRows() const;
  // Points in the two charts (for tests).
  int tokenChartPoints() const;
  double pitchChartTotal() const;

 public slots:
  void startImport();
  void cancelImport();
  // Selects the installed default corpus; false (with a status message) when none is.
  bool useDefaultCorpus();

 signals:
  void importFinished(bool cancelled);
  void filesChanged(const QStringList& usableFiles);

 private slots:
  void onFileScanned(const harmonia::ui::ScannedFile& file, int done, int total);
  void onScanEnded(bool cancelled);

 private:
  void browse();
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
  QStringList files_;
  std::vector<ScannedFile> results_;
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  QFuture<void> scan_;
  QElapsedTimer clock_;
};

}  // namespace harmonia::ui

Q_DECLARE_METATYPE(harmonia::ui::ScannedFile)
