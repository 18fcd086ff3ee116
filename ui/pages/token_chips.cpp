#include "ui/pages/token_chips.hpp"

#include <QObject>
#include <algorithm>

#include "core/tokenizer/tokenizer.hpp"
#include "ui/bridge/token_note_links.hpp"
#include "ui/pages/token_meaning.hpp"

namespace harmonia::ui {

namespace {

QString baseText(const tokenizer::Tokenizer& tok, int32_t id) {
  return tok.vocab().valid(id) ? QString::fromStdString(tok.vocab().text(id)) : QStringLiteral("?");
}

QString baseToolTip(const QString& token) { return token + QStringLiteral("\n") + tokenMeaning(token); }

}  // namespace

void appendTokenChips(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& seq, std::pair<int, bool> program,
                      const midi::Score& score, size_t maxChips, std::vector<TokenChip>& chips) {
  const tokenizer::TokSequence base = tok.is_trained() ? tok.decode_ids(seq) : seq;
  std::vector<size_t> chipOfStep;  // base step -> chip
  if (tok.is_trained()) {
    for (int32_t id : seq.ids) {
      if (chips.size() >= maxChips) break;
      const auto ids = tok.subword()->base_ids(id);
      QStringList parts;
      for (int32_t b : ids) parts << baseText(tok, b);
      TokenChip chip;
      if (parts.isEmpty()) {  // no id a tokenizer gives, but still one position of the sequence
        chip.text = QStringLiteral("?");
        chip.toolTip = QObject::tr("Learned id %1: not in the tokenizer's vocabulary").arg(id);
        chips.push_back(std::move(chip));
        continue;
      }
      chip.type = parts.front().section('_', 0, 0);
      chip.text = parts.join(QStringLiteral(" · "));
      if (parts.size() == 1) {
        chip.toolTip = QObject::tr("Learned token %1: the base token %2 alone\n%3").arg(id).arg(parts.front(), tokenMeaning(parts.front()));
      } else {
        chip.parts = parts;
        QStringList lines;
        for (const auto& part : parts) lines << QStringLiteral("%1 — %2").arg(part, tokenMeaning(part));
        chip.toolTip = QObject::tr("Learned token %1: %2 base tokens in one\n%3").arg(id).arg(parts.size()).arg(lines.join('\n'));
      }
      for (size_t k = 0; k < size_t(ids.size()); ++k) chipOfStep.push_back(chips.size());
      chips.push_back(std::move(chip));
    }
  } else {
    const auto strings = tok.strings(seq);
    const size_t fields = std::max<size_t>(1, seq.fields);
    for (size_t step = 0; step < seq.steps() && chips.size() < maxChips; ++step) {
      TokenChip chip;
      if (fields == 1) {
        chip.text = QString::fromStdString(strings[step]);
        chip.type = chip.text.section('_', 0, 0);
        chip.toolTip = baseToolTip(chip.text);
      } else {
        // Compound: the fields that say something ("Ignore" fills the rest) in one chip.
        QStringList parts, lines;
        for (size_t f = 0; f < fields; ++f) {
          const QString part = QString::fromStdString(strings[step * fields + f]);
          if (part.startsWith(QLatin1String("Ignore"))) continue;
          parts << part;
          lines << QStringLiteral("%1 — %2").arg(part, tokenMeaning(part));
        }
        if (parts.isEmpty()) parts << QStringLiteral("Ignore_None");
        chip.type = parts.front().section('_', 0, 0);
        chip.text = parts.join(QStringLiteral(" · "));
        if (parts.size() > 1) chip.parts = parts;
        const bool note = std::any_of(parts.begin(), parts.end(), [](const QString& p) {
          return p.startsWith(QLatin1String("Pitch_")) || p.startsWith(QLatin1String("PitchDrum_"));
        });
        chip.toolTip = (note ? QObject::tr("One compound token = one note: %1 fields read together\n%2")
                             : QObject::tr("One compound token (no note: time or bar): %1 fields read together\n%2"))
                           .arg(parts.size())
                           .arg(lines.join('\n'));
      }
      chipOfStep.push_back(chips.size());
      chips.push_back(std::move(chip));
    }
  }
  // A few steps past the last chip: the notes whose Duration / NoteOff is not shown still link.
  const auto links = link_steps_to_notes(tok, base, program.first, program.second, score, chipOfStep.size() + 64);
  for (size_t k = 0; k < links.size() && k < chipOfStep.size(); ++k)
    for (const auto& ref : links[k]) {
      auto& notes = chips[chipOfStep[k]].notes;
      if (std::find(notes.begin(), notes.end(), ref) == notes.end()) notes.push_back(ref);
    }
}

std::vector<TokenChip> tokenChipsFor(const tokenizer::Tokenizer& tok, const tokenizer::Encoding& enc,
                                     const midi::Score& score, size_t maxChips, size_t* total) {
  std::vector<TokenChip> chips;
  *total = 0;
  for (size_t s = 0; s < enc.sequences.size(); ++s) {
    const auto& seq = enc.sequences[s];
    *total += seq.steps();
    if (chips.size() >= maxChips) continue;
    appendTokenChips(tok, seq, s < enc.programs.size() ? enc.programs[s] : std::pair<int, bool>{0, false}, score, maxChips,
                     chips);
  }
  return chips;
}

}  // namespace harmonia::ui
