#include "core/data/augmentation.hpp"

#include <stdexcept>

#include <algorithm>
#include <cmath>

namespace harmonia::data {

using tokenizer::TokenType;

namespace {

// Pitched tokens that transposition moves; PitchDrum/DrumOn/DrumOff are drums and stay.
bool is_pitched(TokenType t) { return t == TokenType::Pitch || t == TokenType::NoteOn || t == TokenType::NoteOff; }

}  // namespace

TokenAugmenter::TokenAugmenter(const tokenizer::Tokenizer& tok, AugmentOptions options)
    : tok_(tok), options_(options) {
  // Ids are edited in place by their base meaning; a learned id of a trained tokenizer holds
  // several base tokens, and changing one would need the whole window re-encoded.
  if (tok.is_trained() && options.enabled())
    throw std::invalid_argument("augmentation edits base token ids; it is not available with a trained (" +
                                std::string(tokenizer::subword_kind_name(tok.subword()->kind())) + ") tokenizer");
  // The playable range is whatever the vocabulary can spell (MidiTok's pitch_range).
  min_pitch_ = 128, max_pitch_ = -1;
  for (const auto& v : tok.vocabs())
    for (int p = 0; p < 128; ++p)
      if (v.id(TokenType::Pitch, p) >= 0 || v.id(TokenType::NoteOn, p) >= 0) {
        min_pitch_ = std::min(min_pitch_, p);
        max_pitch_ = std::max(max_pitch_, p);
      }
}

AugmentChoice TokenAugmenter::apply(std::vector<int32_t>& ids, bool is_drum, std::mt19937_64& rng) const {
  AugmentChoice c;
  // Always draw the same count of numbers, so one option does not shift the others' streams.
  std::uniform_int_distribution<int> pitch(-options_.pitch_shift, options_.pitch_shift);
  std::uniform_int_distribution<int> velocity(-options_.velocity_offset, options_.velocity_offset);
  std::uniform_real_distribution<double> tempo(1.0 - options_.tempo_scale, 1.0 + options_.tempo_scale);
  c.semitones = pitch(rng);
  c.velocity = velocity(rng);
  c.tempo_factor = tempo(rng);
  c.semitones = apply_choice(ids, is_drum, c);
  return c;
}

int TokenAugmenter::apply_choice(std::vector<int32_t>& ids, bool is_drum, const AugmentChoice& choice) const {
  const size_t F = tok_.num_fields();
  const size_t steps = F ? ids.size() / F : 0;
  // Which ids are pitched notes of a non-drum instrument. In a single stream whose drums use
  // plain Pitch tokens, the preceding Program token (-1 = drums) tells them apart.
  const bool drums_share_pitch_tokens = !tok_.config().use_pitchdrum_tokens;
  std::vector<uint8_t> movable(ids.size(), 0);
  int lo = 128, hi = -1;
  if (choice.semitones != 0 && !is_drum) {
    int program = 0;
    for (size_t s = 0; s < steps; ++s) {
      for (size_t f = 0; f < F; ++f) {  // Program first: in compound steps it is a sibling field
        const auto& v = tok_.vocab(f);
        const int32_t id = ids[s * F + f];
        if (v.valid(id) && v.kind(id).type == TokenType::Program) program = v.kind(id).value;
      }
      for (size_t f = 0; f < F; ++f) {
        const auto& v = tok_.vocab(f);
        const int32_t id = ids[s * F + f];
        if (!v.valid(id)) continue;
        const auto k = v.kind(id);
        if (!is_pitched(k.type) || (drums_share_pitch_tokens && program == -1)) continue;
        movable[s * F + f] = 1;
        lo = std::min(lo, k.value);
        hi = std::max(hi, k.value);
      }
    }
  }
  int shift = 0;
  if (hi >= 0) {
    shift = choice.semitones;
    if (shift > 0) shift = std::max(0, std::min(shift, max_pitch_ - hi));
    if (shift < 0) shift = std::min(0, std::max(shift, min_pitch_ - lo));
  }
  const auto& tables = tok_.tables();
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& v = tok_.vocab(i % F);
    const int32_t id = ids[i];
    if (!v.valid(id)) continue;
    const auto k = v.kind(id);
    int32_t replaced = -1;
    if (movable[i] && shift != 0) {
      replaced = v.id(k.type, k.value + shift);
    } else if (k.type == TokenType::Velocity && choice.velocity != 0) {
      const int target = std::clamp(k.value + choice.velocity, 1, 127);
      replaced = v.id(TokenType::Velocity, tables.closest_velocity(target));
    } else if (k.type == TokenType::Tempo && choice.tempo_factor != 1.0 && !tables.tempos.empty()) {
      const double qpm = tables.tempos.at(size_t(k.value)) * choice.tempo_factor;
      size_t best = 0;
      for (size_t t = 1; t < tables.tempos.size(); ++t)
        if (std::abs(tables.tempos[t] - qpm) < std::abs(tables.tempos[best] - qpm)) best = t;
      replaced = v.id(TokenType::Tempo, int(best));
    }
    if (replaced >= 0) ids[i] = replaced;
  }
  return shift;
}

}  // namespace harmonia::data
