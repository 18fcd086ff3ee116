// Runs: every training run of the project side by side, as `harmonia runs` reads them
// (core/train/run_summary.hpp: model, tokenizer, parameters, steps, training time, best
// validation loss, tokens/s, status), and the loss curves of the ticked runs overlaid on one
// chart against step, training time or tokens seen, with a legend naming the runs; the chart
// exports as PNG or SVG. Folders are read off the GUI thread; while the page is shown their
// train_log.csv files are checked once a second, so a run training now grows on the chart.
#pragma once

#include <QFutureWatcher>
#include <QHash>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <vector>

#include "core/train/run_summary.hpp"
#include "ui/pages/pipeline_page.hpp"

class QComboBox;
class QCustomPlot;
class QLabel;
class QAction;
class QTableWidget;

namespace harmonia::ui {

class RunsPage : public PipelinePage {
  Q_OBJECT
 public:
  enum class XAxis { Step, Seconds, Tokens };
  enum Column { RunColumn, ModelColumn, TokenizerColumn, ParametersColumn, StepsColumn, TimeColumn, BestValColumn,
                SpeedColumn, StatusColumn, ColumnCount };

  explicit RunsPage(QWidget* parent = nullptr);
  ~RunsPage() override;

  // The project's runs (run folders; a folder of runs adds each run in it). Replaces the list;
  // runs already read keep their row and their tick.
  void setRuns(const QStringList& dirs);
  // Adds the runs in `dir` (a run, or a folder of runs) to the list.
  void addRuns(const QString& dir);
  QStringList runs() const;
  // Reads every listed folder again now (off the GUI thread).
  void refresh();
  // True from a read's start until the table and chart show its result.
  bool isReading() const { return reading_; }

  QTableWidget* table() const { return table_; }
  QCustomPlot* chart() const { return chart_; }
  // Ticked runs are drawn; new runs start ticked.
  void setRunChecked(int row, bool on);
  bool isRunChecked(int row) const;
  void setXAxis(XAxis axis);
  XAxis xAxis() const;
  // Writes the chart as PNG or SVG (by the file's extension); false with the reason otherwise.
  bool exportChart(const QString& path, QString* error = nullptr);

 signals:
  // The table and chart show what the folders held when they were last read.
  void runsRead();

 protected:
  void showEvent(QShowEvent* event) override;
  void hideEvent(QHideEvent* event) override;

 private:
  struct Entry {
    QString dir;
    bool read = false;  // a summary (or an error) is there
    train::RunSummary summary;
    QString error;  // the folder could not be read: the file and the problem
    bool checked = true;
    qint64 logSize = -1;  // train_log.csv as last read: a change means new points
    QString stamp;        // its time, and whether the model was saved
  };

  static Entry newEntry(const QString& dir);
  void startReading(const QStringList& dirs);
  void onRead();
  void pollLogs();
  void fillTable();
  void redrawChart();
  void exportWithDialog(const QString& suffix);
  void updateState();

  QTableWidget* table_ = nullptr;
  QCustomPlot* chart_ = nullptr;
  QComboBox* xAxis_ = nullptr;
  QLabel* hint_ = nullptr;
  QAction* exportPng_ = nullptr;
  QAction* exportSvg_ = nullptr;
  std::vector<Entry> entries_;
  QFutureWatcher<std::vector<Entry>> watcher_;
  QStringList queued_;  // asked while a read was running: read next
  QTimer poll_;
  bool reading_ = false;
  bool filling_ = false;  // the table is being filled: its changes are not the user's
};

}  // namespace harmonia::ui
