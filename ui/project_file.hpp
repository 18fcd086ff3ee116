// The `.harmonia` project file: a JSON document holding the dataset folder, the tokenizer,
// training runs, kept generations and page settings, so a class can reopen a session.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace harmonia::ui {

struct Project {
  static constexpr int kFormatVersion = 1;
  QString datasetFolder;
  // tokenizer.json's exact text (MidiTok format); empty = defaults. Kept as text because
  // key order is vocabulary order (beat_res, chord_maps...) and QJsonObject sorts keys.
  QString tokenizerJson;
  QStringList runs;         // run folders
  QStringList generations;  // exported / kept .mid files
  QJsonObject settings;     // free-form page settings (scheme, preset, sampling...)

  QJsonObject toJson() const;
  // Throws std::runtime_error naming the problem for a file that is not a project.
  static Project fromJson(const QJsonObject& json);
  // Writes atomically (QSaveFile). Returns false and fills `error`.
  bool save(const QString& path, QString* error = nullptr) const;
  static bool load(const QString& path, Project* out, QString* error = nullptr);
};

}  // namespace harmonia::ui
