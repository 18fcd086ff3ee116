// Tokenizer configuration mirroring MidiTok 3.x's TokenizerConfig: same field names, same
// defaults, same JSON spelling, so a `tokenizer.json` written by MidiTok loads here and ours
// loads there. Options we do not implement are still parsed, but enabling one is an error
// (TokenizerError) instead of being silently ignored.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace harmonia::tokenizer {

class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A beat range [first, last) with its resolution in positions per beat, e.g. (0,4):8.
struct BeatRes {
  int first = 0;
  int last = 0;
  int resolution = 0;
};

struct TokenizerConfig {
  std::pair<int, int> pitch_range{21, 109};  // inclusive at both ends, as MidiTok uses it
  std::vector<BeatRes> beat_res{{0, 4, 8}, {4, 12, 4}};
  int num_velocities = 32;
  bool remove_duplicated_notes = false;
  std::string encode_ids_split = "bar";
  std::vector<std::string> special_tokens{"PAD_None", "BOS_None", "EOS_None", "MASK_None"};
  bool use_velocities = true;
  std::vector<int> use_note_duration_programs;  // default: all programs (-1 = drums)
  bool use_chords = false;
  bool use_rests = false;
  bool use_tempos = false;
  bool use_time_signatures = false;
  bool use_sustain_pedals = false;
  bool use_pitch_bends = false;
  bool use_programs = false;
  bool use_pitch_intervals = false;
  bool use_pitchdrum_tokens = true;
  double default_note_duration = 0.5;
  std::vector<int> programs;  // default: -1..127 (-1 = drums)
  bool one_token_stream_for_programs = true;
  bool program_changes = false;
  std::vector<BeatRes> beat_res_rest{{0, 1, 8}, {1, 2, 4}, {2, 12, 2}};
  std::vector<std::pair<std::string, std::vector<int>>> chord_maps;  // ordered, MidiTok's
  bool chord_tokens_with_root_note = false;
  std::optional<std::pair<int, int>> chord_unknown;
  int num_tempos = 32;
  std::pair<double, double> tempo_range{40, 250};
  bool log_tempos = false;
  bool delete_equal_successive_tempo_changes = false;
  // denominator -> numerators, in MidiTok's (insertion) order
  std::vector<std::pair<int, std::vector<int>>> time_signature_range{{8, {3, 12, 6}},
                                                                     {4, {5, 6, 3, 2, 1, 4}}};
  bool delete_equal_successive_time_sig_changes = false;
  bool sustain_pedal_duration = false;
  std::vector<int> pitch_bend_range{-8192, 8191, 32};
  int max_pitch_interval = 16;
  int pitch_intervals_max_time_dist = 1;
  std::pair<int, int> drums_pitch_range{27, 88};
  // "additional_params": scheme-specific (REMI / Octuple)
  std::optional<int> max_bar_embedding;  // REMI: none; Octuple: 60 when absent
  bool use_bar_end_tokens = false;
  bool add_trailing_bars = false;

  TokenizerConfig();

  int max_num_pos_per_beat() const;
  bool using_note_duration_tokens() const { return !use_note_duration_programs.empty(); }
  bool uses_note_durations_for(int program) const;
  bool program_allowed(int program) const;

  // Checks values and refuses options this implementation does not support.
  // `scheme` is the tokenization name ("REMI", ...), for scheme-specific rules.
  void validate(const std::string& scheme) const;
};

// MidiTok's JSON object for the config (the "config" key of tokenizer.json).
// Ordered JSON: key order is meaningful (beat_res, chord_maps, time_signature_range give the
// vocabulary order), exactly as in Python dicts.
nlohmann::ordered_json config_to_json(const TokenizerConfig& config);
// Unknown keys and wrong types raise TokenizerError naming the key.
TokenizerConfig config_from_json(const nlohmann::ordered_json& j);

}  // namespace harmonia::tokenizer
