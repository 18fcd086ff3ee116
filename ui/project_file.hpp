// The `.harmonia` project file: a JSON document holding the dataset folder, the tokenizer,
// training runs and settings, the prompt and the candidates, so a class can reopen a session
// as it left it. The format is described in docs/project-format.md.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace harmonia::ui {

struct Project {
  // 1: dataset folder, tokenizer, runs, settings. 2 adds whether the dataset was imported, the
  // Training page's hyperparameters and the Generate page's sampling, prompt and candidates.
  // Every version up to this one loads; fields a file lacks keep their defaults.
  static constexpr int kFormatVersion = 2;
  QString datasetFolder;    // "" = the default corpus
  bool datasetImported = false;  // reopening imports it again (the token cache answers at once)
  // tokenizer.json's exact text (MidiTok format); empty = defaults. Kept as text because
  // key order is vocabulary order (beat_res, chord_maps...) and QJsonObject sorts keys.
  QString tokenizerJson;
  QStringList runs;         // run folders, oldest first; the last is the Training page's
  QJsonObject training;     // hyperparameters (ui/project_state.hpp)
  QJsonObject generate;     // sampling, prompt and candidates as base64 MIDI (ui/project_state.hpp)
  QJsonObject settings;     // free-form page settings (scheme, promptBars, model, page...)

  QJsonObject toJson() const;
  // Throws std::runtime_error naming the problem for a file that is not a project.
  static Project fromJson(const QJsonObject& json);
  // Writes atomically (QSaveFile). Returns false and fills `error`.
  bool save(const QString& path, QString* error = nullptr) const;
  static bool load(const QString& path, Project* out, QString* error = nullptr);
};

}  // namespace harmonia::ui
