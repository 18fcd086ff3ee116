#include "ui/bridge/dataset_cache.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <nlohmann/json.hpp>

#include "core/generate/music_recipe.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

data::ImportOptions DatasetInput::import_options(const std::string& dataset_dir) const {
  data::ImportOptions options;
  if (files.empty()) options.input_dir = folder;
  else options.input_files = files;
  options.dataset_dir = dataset_dir;
  // Training data is always tidied in the studio (silence cut, long empty runs shortened: a
  // model fed minutes of rests learns to write rests). Since every studio import tidies the
  // same way, the cache folder name needs no preparation key; a cache written before this
  // (untidied) keeps its name and the import re-tokenizes it, as the core refuses to reuse
  // tokens prepared differently.
  options.tidy = generate::training_tidy_options();
  return options;
}

std::string default_dataset_cache_root() {
  return (QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/datasets")).toStdString();
}

std::string dataset_cache_dir(const std::string& root, const DatasetInput& input, const tokenizer::Tokenizer& tokenizer) {
  QString key, label;
  if (!input.files.empty()) {
    label = input.name.empty() ? QStringLiteral("files") : QString::fromStdString(input.name);
    if (input.name.empty())
      for (const auto& f : input.files) key += QString::fromStdString(f) + QLatin1Char('\n');
    else
      key = label;
  } else {
    const QFileInfo info(QString::fromStdString(input.folder));
    key = info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath();
    label = info.fileName().isEmpty() ? QStringLiteral("folder") : info.fileName();
  }
  QCryptographicHash hash(QCryptographicHash::Sha1);
  hash.addData(key.toUtf8());
  hash.addData(QByteArrayLiteral("\n"));
  hash.addData(QByteArray::fromStdString(tokenizer.to_json().dump()));
  const QString base = root.empty() ? QString::fromStdString(default_dataset_cache_root()) : QString::fromStdString(root);
  return QDir(base).filePath(label + QLatin1Char('-') + QString::fromLatin1(hash.result().toHex().left(16))).toStdString();
}

}  // namespace harmonia::ui
