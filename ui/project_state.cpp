#include "ui/project_state.hpp"

#include <QByteArray>
#include <stdexcept>
#include <type_traits>

#include "core/midi/midi_file.hpp"

namespace harmonia::ui {

QJsonObject trainingSettingsToJson(const TrainingSpec& s) {
  return QJsonObject{{"preset", QString::fromStdString(s.preset)},
                     {"architecture", QString::fromStdString(s.architecture)},
                     {"steps", double(s.max_steps)},
                     {"batch", s.batch_size},
                     {"seq_len", s.seq_len},
                     {"lr", s.lr},
                     {"warmup", double(s.warmup_steps)},
                     {"precision", QString::fromStdString(s.precision)},
                     {"threads", s.threads},
                     {"eval_every", double(s.eval_every)}};
}

TrainingSpec trainingSettingsFromJson(const QJsonObject& j, TrainingSpec s) {
  const auto text = [&](const char* key, std::string& out) {
    if (j.value(key).isString()) out = j.value(key).toString().toStdString();
  };
  const auto number = [&](const char* key, auto& out) {
    if (j.value(key).isDouble()) out = static_cast<std::decay_t<decltype(out)>>(j.value(key).toDouble());
  };
  text("preset", s.preset);
  text("architecture", s.architecture);
  number("steps", s.max_steps);
  number("batch", s.batch_size);
  number("seq_len", s.seq_len);
  number("lr", s.lr);
  number("warmup", s.warmup_steps);
  text("precision", s.precision);
  number("threads", s.threads);
  number("eval_every", s.eval_every);
  return s;
}

QJsonObject samplingToJson(const SamplingSettings& s) {
  return QJsonObject{{"temperature", s.temperature},
                     {"top_k", s.top_k},
                     {"top_p", s.top_p},
                     {"repetition_penalty", s.repetition_penalty},
                     {"bars", s.bars},
                     {"max_new_tokens", s.max_new_tokens},
                     {"seed", double(s.seed)},
                     {"key", QString::fromStdString(s.key)},
                     {"candidates", s.candidates}};
}

SamplingSettings samplingFromJson(const QJsonObject& j, SamplingSettings s) {
  const auto number = [&](const char* key, auto& out) {
    if (j.value(key).isDouble()) out = static_cast<std::decay_t<decltype(out)>>(j.value(key).toDouble());
  };
  number("temperature", s.temperature);
  number("top_k", s.top_k);
  number("top_p", s.top_p);
  number("repetition_penalty", s.repetition_penalty);
  number("bars", s.bars);
  number("max_new_tokens", s.max_new_tokens);
  number("seed", s.seed);
  if (j.value("key").isString()) s.key = j.value("key").toString().toStdString();
  number("candidates", s.candidates);
  return s;
}

QString scoreToBase64Midi(const midi::Score& score) {
  const std::vector<uint8_t> bytes = midi::write_midi(score);
  return QString::fromLatin1(
      QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toBase64());
}

midi::Score scoreFromBase64Midi(const QString& base64, const QString& what) {
  const auto decoded = QByteArray::fromBase64Encoding(base64.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
  if (!decoded) throw std::runtime_error(what.toStdString() + " is not base64 text");
  const QByteArray& bytes = *decoded;
  try {
    return midi::read_midi(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()), what.toStdString());
  } catch (const std::exception& e) {
    throw std::runtime_error(what.toStdString() + " is not a MIDI file: " + e.what());
  }
}

}  // namespace harmonia::ui
