#include "ui/project_file.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>
#include <QSaveFile>
#include <stdexcept>

namespace harmonia::ui {

namespace {
QJsonArray toArray(const QStringList& list) {
  QJsonArray a;
  for (const auto& s : list) a.append(s);
  return a;
}
QStringList toList(const QJsonValue& v) {
  QStringList out;
  for (const auto& e : v.toArray()) out << e.toString();
  return out;
}
}  // namespace

QJsonObject Project::toJson() const {
  QJsonObject o;
  o["format"] = QStringLiteral("harmonia-project");
  o["version"] = kFormatVersion;
  o["dataset"] = QJsonObject{{"folder", datasetFolder}, {"imported", datasetImported}};
  if (!tokenizerJson.isEmpty()) o["tokenizer"] = tokenizerJson;
  o["runs"] = toArray(runs);
  if (!training.isEmpty()) o["training"] = training;
  if (!generate.isEmpty()) o["generate"] = generate;
  o["settings"] = settings;
  return o;
}

Project Project::fromJson(const QJsonObject& o) {
  if (o.value("format").toString() != QLatin1String("harmonia-project"))
    throw std::runtime_error("not a Harmonia project (no \"format\": \"harmonia-project\")");
  if (o.value("version").toInt() > kFormatVersion)
    throw std::runtime_error("written by a newer Harmonia Studio (format version " +
                             std::to_string(o.value("version").toInt()) + ")");
  Project p;
  const QJsonObject dataset = o.value("dataset").toObject();
  p.datasetFolder = dataset.value("folder").toString();
  // Version 1 did not record it: its folder was shown, not imported.
  p.datasetImported = dataset.value("imported").toBool(false);
  const QJsonValue tok = o.value("tokenizer");
  if (tok.isString()) p.tokenizerJson = tok.toString();
  else if (tok.isObject() && !tok.toObject().isEmpty())  // older projects: keys came back sorted
    p.tokenizerJson = QString::fromUtf8(QJsonDocument(tok.toObject()).toJson(QJsonDocument::Compact));
  p.runs = toList(o.value("runs"));
  // Version 1's "generations" was never filled: nothing to read from it.
  p.training = o.value("training").toObject();
  p.generate = o.value("generate").toObject();
  p.settings = o.value("settings").toObject();
  return p;
}

bool Project::save(const QString& path, QString* error) const {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = f.errorString();
    return false;
  }
  // QSaveFile (Qt 6.4) commits a file whose buffered write failed when commit() flushed it: on
  // a full disk the saved project became an empty file. So flush first; a failure cancels, and
  // the saved project stays.
  const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
  if (f.write(bytes) != bytes.size() || !f.flush()) {
    if (error) *error = f.errorString();
    f.cancelWriting();
    return false;
  }
  if (!f.commit()) {
    if (error) *error = f.errorString();
    return false;
  }
  return true;
}

bool Project::load(const QString& path, Project* out, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    if (error) *error = f.errorString();
    return false;
  }
  QJsonParseError pe;
  const auto doc = QJsonDocument::fromJson(f.readAll(), &pe);
  if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
    if (error) *error = QObject::tr("not JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset);
    return false;
  }
  try {
    *out = fromJson(doc.object());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

}  // namespace harmonia::ui
