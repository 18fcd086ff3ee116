#include "core/generate/music_controls.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <stdexcept>

namespace harmonia::generate {

namespace {
const std::map<std::string, std::vector<int>>& modes() {
  static const std::map<std::string, std::vector<int>> m = {
      {"major", {0, 2, 4, 5, 7, 9, 11}},      {"minor", {0, 2, 3, 5, 7, 8, 10}},
      {"harmonic_minor", {0, 2, 3, 5, 7, 8, 11}}, {"dorian", {0, 2, 3, 5, 7, 9, 10}},
      {"mixolydian", {0, 2, 4, 5, 7, 9, 10}}, {"lydian", {0, 2, 4, 6, 7, 9, 11}},
      {"phrygian", {0, 1, 3, 5, 7, 8, 10}},   {"pentatonic", {0, 2, 4, 7, 9}},
      {"minor_pentatonic", {0, 3, 5, 7, 10}}, {"blues", {0, 3, 5, 6, 7, 10}},
      {"chromatic", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}};
  return m;
}
}  // namespace

bool Scale::contains(int pitch) const {
  const int pc = ((pitch - root) % 12 + 12) % 12;
  return std::find(intervals.begin(), intervals.end(), pc) != intervals.end();
}

const std::vector<std::string>& scale_mode_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [k, v] : modes()) n.push_back(k);
    return n;
  }();
  return names;
}

Scale parse_scale(const std::string& text) {
  const auto colon = text.find(':');
  const std::string root = text.substr(0, colon);
  std::string mode = colon == std::string::npos ? "major" : text.substr(colon + 1);
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  static const int letter_pc[] = {9, 11, 0, 2, 4, 5, 7};  // A..G
  if (root.empty() || std::toupper(root[0]) < 'A' || std::toupper(root[0]) > 'G')
    throw std::invalid_argument("key \"" + text + "\": expected ROOT:MODE such as C:major or F#:minor");
  int pc = letter_pc[std::toupper(root[0]) - 'A'];
  for (size_t i = 1; i < root.size(); ++i) {
    if (root[i] == '#') ++pc;
    else if (root[i] == 'b') --pc;
    else throw std::invalid_argument("key \"" + text + "\": bad accidental");
  }
  const auto it = modes().find(mode);
  if (it == modes().end()) {
    std::string list;
    for (const auto& n : scale_mode_names()) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("key \"" + text + "\": unknown mode (known: " + list + ")");
  }
  Scale s;
  s.root = (pc % 12 + 12) % 12;
  s.intervals = it->second;
  s.name = root + ":" + mode;
  return s;
}

std::vector<float> control_bias(const tokenizer::Tokenizer& tok, const MusicControls& c, size_t field) {
  using tokenizer::TokenType;
  const auto& v = tok.vocab(field);
  const float forbid = -std::numeric_limits<float>::infinity();
  std::vector<float> bias(v.size(), 0.0f);
  for (size_t id = 0; id < v.size(); ++id) {
    const auto k = v.kind(int(id));
    if (k.type == TokenType::Pitch || k.type == TokenType::NoteOn) {
      bool ok = true;
      if (c.key && !c.key->contains(k.value)) ok = false;
      if (c.pitch_range && (k.value < c.pitch_range->first || k.value > c.pitch_range->second)) ok = false;
      bias[id] = ok ? c.density_bias : forbid;
    } else if (k.type == TokenType::NoteOff) {
      // NoteOff of a pitch that can never start would only be dropped.
      if ((c.key && !c.key->contains(k.value)) ||
          (c.pitch_range && (k.value < c.pitch_range->first || k.value > c.pitch_range->second)))
        bias[id] = forbid;
    } else if (k.type == TokenType::PitchDrum || k.type == TokenType::DrumOn || k.type == TokenType::DrumOff) {
      // Drum "pitches" are instruments, not notes of a scale: a key or range leaves them out.
      bias[id] = (c.key || c.pitch_range) ? forbid : (k.type == TokenType::DrumOff ? 0.0f : c.density_bias);
    } else if (k.type == TokenType::Family && k.value == 1) {
      bias[id] = c.density_bias;  // CPWord: a Note step rather than a Bar/Position step
    } else if (k.type == TokenType::Program) {
      // With programs in one stream a note starts with its Program token (Program -> Pitch):
      // that is where a denser or sparser choice is made, so the density nudge goes there too.
      const bool leads_notes = tok.config().use_programs && tok.one_token_stream();
      if (!c.programs.empty() && std::find(c.programs.begin(), c.programs.end(), k.value) == c.programs.end())
        bias[id] = forbid;
      else if (leads_notes)
        bias[id] = c.density_bias;
    }
  }
  return bias;
}

std::vector<float> learned_control_bias(const tokenizer::Tokenizer& tok, const MusicControls& c) {
  // A learned id plays all its base tokens: their nudges add up, and one forbidden base token
  // forbids the learned one.
  const std::vector<float> base = control_bias(tok, c, 0);
  std::vector<float> bias(tok.model_vocab_size(), 0.0f);
  for (size_t id = 0; id < bias.size(); ++id)
    for (int32_t b : tok.subword()->base_ids(int32_t(id)))
      if (b >= 0 && size_t(b) < base.size()) bias[id] += base[size_t(b)];
  return bias;
}

}  // namespace harmonia::generate
