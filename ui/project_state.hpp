// What a `.harmonia` project keeps of the Training and Generate pages, as JSON: the
// hyperparameters, the sampling settings, and scores (prompt, candidates) as Standard MIDI
// Files in base64, so a project is one file a teacher can hand out with its music inside.
#pragma once

#include <QJsonObject>
#include <QString>

#include "core/midi/score.hpp"
#include "ui/bridge/generation_backend.hpp"
#include "ui/bridge/training_backend.hpp"

namespace harmonia::ui {

QJsonObject trainingSettingsToJson(const TrainingSpec& spec);
// The hyperparameters `json` holds over `defaults` (missing or mistyped keys keep theirs).
TrainingSpec trainingSettingsFromJson(const QJsonObject& json, TrainingSpec defaults = {});

QJsonObject samplingToJson(const SamplingSettings& s);
SamplingSettings samplingFromJson(const QJsonObject& json, SamplingSettings defaults = {});

QString scoreToBase64Midi(const midi::Score& score);
// Throws std::runtime_error naming `what` ("candidate 2") when the text is not a MIDI file.
midi::Score scoreFromBase64Midi(const QString& base64, const QString& what);

}  // namespace harmonia::ui
