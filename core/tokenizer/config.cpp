// TokenizerConfig defaults, validation and MidiTok-compatible JSON.
#include "core/tokenizer/config.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace harmonia::tokenizer {

using json = nlohmann::ordered_json;

TokenizerConfig::TokenizerConfig() {
  // MidiTok 3.x: every program, drums (-1) last.
  for (int p = 0; p < 128; ++p) programs.push_back(p);
  programs.push_back(-1);
  use_note_duration_programs = programs;
  chord_maps = {{"min", {0, 3, 7}},         {"maj", {0, 4, 7}},         {"dim", {0, 3, 6}},
                {"aug", {0, 4, 8}},         {"sus2", {0, 2, 7}},        {"sus4", {0, 5, 7}},
                {"7dom", {0, 4, 7, 10}},    {"7min", {0, 3, 7, 10}},    {"7maj", {0, 4, 7, 11}},
                {"7halfdim", {0, 3, 6, 10}}, {"7dim", {0, 3, 6, 9}},    {"7aug", {0, 4, 8, 11}},
                {"9maj", {0, 4, 7, 10, 14}}, {"9min", {0, 4, 7, 10, 13}}};
}

int TokenizerConfig::max_num_pos_per_beat() const {
  int m = 0;
  for (const auto& b : beat_res) m = std::max(m, b.resolution);
  return m;
}

bool TokenizerConfig::uses_note_durations_for(int program) const {
  return std::find(use_note_duration_programs.begin(), use_note_duration_programs.end(), program) !=
         use_note_duration_programs.end();
}

bool TokenizerConfig::program_allowed(int program) const {
  return std::find(programs.begin(), programs.end(), program) != programs.end();
}

namespace {

[[noreturn]] void fail(const std::string& what) { throw TokenizerError("tokenizer config: " + what); }

void check_beat_res(const std::vector<BeatRes>& v, const char* name) {
  if (v.empty()) fail(std::string(name) + " is empty");
  for (const auto& b : v) {
    if (b.first < 0 || b.last <= b.first || b.last > 256)
      fail(std::string(name) + ": bad beat range " + std::to_string(b.first) + "_" + std::to_string(b.last));
    if (b.resolution <= 0 || b.resolution > 64)
      fail(std::string(name) + ": resolution " + std::to_string(b.resolution) + " outside 1..64");
  }
}

}  // namespace

void TokenizerConfig::validate(const std::string& scheme) const {
  if (pitch_range.first < 0 || pitch_range.second > 127 || pitch_range.first > pitch_range.second)
    fail("pitch_range must be within 0..127 with low <= high");
  if (drums_pitch_range.first < 0 || drums_pitch_range.second > 127 ||
      drums_pitch_range.first > drums_pitch_range.second)
    fail("drums_pitch_range must be within 0..127 with low <= high");
  check_beat_res(beat_res, "beat_res");
  // Ticks per beat must be divisible by every resolution (MidiTok relies on it).
  const int maxres = max_num_pos_per_beat();
  for (const auto& b : beat_res)
    if (maxres % b.resolution != 0) fail("beat_res resolutions must all divide the largest one");
  if (use_velocities && (num_velocities < 1 || num_velocities > 127)) fail("num_velocities must be in 1..127");
  if (num_tempos < 1 || num_tempos > 1024) fail("num_tempos must be in 1..1024");
  if (!(tempo_range.first > 0) || !(tempo_range.second >= tempo_range.first) || tempo_range.second > 10000)
    fail("tempo_range must be positive and ordered");
  if (time_signature_range.empty()) fail("time_signature_range is empty");
  for (const auto& [den, nums] : time_signature_range) {
    if (den <= 0 || den > 64 || (den & (den - 1)) != 0)
      fail("time signature denominator " + std::to_string(den) + " is not a power of two in 1..64");
    if (nums.empty()) fail("time signature denominator " + std::to_string(den) + " has no numerators");
    for (int n : nums)
      if (n <= 0 || n > 64) fail("time signature numerator " + std::to_string(n) + " outside 1..64");
  }
  if (use_time_signatures) {
    bool four_four = false;
    for (const auto& [den, nums] : time_signature_range)
      for (int n : nums) four_four = four_four || (den == 4 && n == 4);
    if (!four_four) fail("time_signature_range must include 4/4 (the default before any time signature)");
  }
  for (int p : programs)
    if (p < -1 || p > 127) fail("program " + std::to_string(p) + " outside -1..127");
  for (int p : use_note_duration_programs)
    if (p < -1 || p > 127) fail("use_note_duration_programs: " + std::to_string(p) + " outside -1..127");
  for (const auto& s : special_tokens)
    if (s.empty()) fail("empty special token");
  for (const auto& [name, map] : chord_maps)
    if (name.empty() || map.empty()) fail("chord_maps entries need a name and intervals");
  if (max_bar_embedding && (*max_bar_embedding < 1 || *max_bar_embedding > 100000))
    fail("max_bar_embedding must be in 1..100000");

  // Options parsed but not implemented: refuse rather than ignore.
  auto unsupported = [&](bool on, const char* what) {
    if (on) fail(std::string(what) + " is not supported by this implementation (" + scheme + ")");
  };
  unsupported(use_rests && scheme != "TSD" && scheme != "MIDILike", "use_rests (TSD and MIDILike only)");
  if (use_rests) check_beat_res(beat_res_rest, "beat_res_rest");
  unsupported(use_sustain_pedals, "use_sustain_pedals");
  unsupported(use_pitch_bends, "use_pitch_bends");
  unsupported(use_pitch_intervals, "use_pitch_intervals");
  unsupported(program_changes, "program_changes");
  unsupported(sustain_pedal_duration, "sustain_pedal_duration");
  unsupported(log_tempos, "log_tempos");
  unsupported(delete_equal_successive_time_sig_changes, "delete_equal_successive_time_sig_changes");
  unsupported(chord_tokens_with_root_note, "chord_tokens_with_root_note");
  unsupported(chord_unknown.has_value(), "chord_unknown");
  unsupported(use_bar_end_tokens, "use_bar_end_tokens");
  unsupported(add_trailing_bars, "add_trailing_bars");
  if (delete_equal_successive_tempo_changes && scheme != "Octuple")
    fail("delete_equal_successive_tempo_changes is only supported with Octuple (which forces it)");
  if (use_programs && !one_token_stream_for_programs && scheme != "CPWord" && scheme != "Octuple")
    fail("use_programs without one_token_stream_for_programs is not supported for " + scheme);
  if (scheme == "CPWord" || scheme == "Octuple") {
    if (use_programs && one_token_stream_for_programs)
      fail("use_programs with one_token_stream_for_programs is not supported for " + scheme);
  }
  if (max_bar_embedding && scheme == "REMI") fail("REMI max_bar_embedding (Bar_k tokens) is not supported");
}

// ---- JSON --------------------------------------------------------------------------------

namespace {

json beat_res_json(const std::vector<BeatRes>& v) {
  json o = json::object();
  for (const auto& b : v) o[std::to_string(b.first) + "_" + std::to_string(b.last)] = b.resolution;
  return o;
}

// Key order matters (it is the vocabulary order), hence ordered_json everywhere here.
std::vector<BeatRes> beat_res_from_json(const json& j, const char* key) {
  if (!j.is_object()) fail(std::string(key) + " must be an object like {\"0_4\": 8}");
  std::vector<BeatRes> out;
  for (const auto& [k, v] : j.items()) {
    const auto us = k.find('_');
    BeatRes b;
    try {
      if (us == std::string::npos) throw std::invalid_argument(k);
      size_t used = 0;
      b.first = std::stoi(k.substr(0, us), &used);
      if (used != us) throw std::invalid_argument(k);
      b.last = std::stoi(k.substr(us + 1), &used);
      if (used != k.size() - us - 1) throw std::invalid_argument(k);
    } catch (const std::exception&) {
      fail(std::string(key) + ": key \"" + k + "\" is not of the form \"start_end\"");
    }
    if (!v.is_number_integer()) fail(std::string(key) + "[\"" + k + "\"] must be an integer");
    b.resolution = v.get<int>();
    out.push_back(b);
  }
  return out;
}

template <class T>
T get_as(const json& v, const std::string& key) {
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    fail("\"" + key + "\" has the wrong type (" + std::string(v.type_name()) + ")");
  }
}

std::pair<int, int> int_pair(const json& v, const std::string& key) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
    fail("\"" + key + "\" must be a list of two integers");
  return {v[0].get<int>(), v[1].get<int>()};
}

std::string special_token_name(std::string s) {
  // MidiTok 2.x wrote "PAD"; 3.x writes "PAD_None".
  if (s.find('_') == std::string::npos) s += "_None";
  return s;
}

}  // namespace

json config_to_json(const TokenizerConfig& c) {
  json j;
  j["pitch_range"] = {c.pitch_range.first, c.pitch_range.second};
  j["beat_res"] = beat_res_json(c.beat_res);
  j["num_velocities"] = c.num_velocities;
  j["remove_duplicated_notes"] = c.remove_duplicated_notes;
  j["encode_ids_split"] = c.encode_ids_split;
  j["special_tokens"] = c.special_tokens;
  j["use_velocities"] = c.use_velocities;
  j["use_note_duration_programs"] = c.use_note_duration_programs;
  j["use_chords"] = c.use_chords;
  j["use_rests"] = c.use_rests;
  j["use_tempos"] = c.use_tempos;
  j["use_time_signatures"] = c.use_time_signatures;
  j["use_sustain_pedals"] = c.use_sustain_pedals;
  j["use_pitch_bends"] = c.use_pitch_bends;
  j["use_programs"] = c.use_programs;
  j["use_pitch_intervals"] = c.use_pitch_intervals;
  j["use_pitchdrum_tokens"] = c.use_pitchdrum_tokens;
  j["default_note_duration"] = c.default_note_duration;
  j["programs"] = c.programs;
  j["one_token_stream_for_programs"] = c.one_token_stream_for_programs;
  j["program_changes"] = c.program_changes;
  j["beat_res_rest"] = beat_res_json(c.beat_res_rest);
  json chords = json::object();
  for (const auto& [name, map] : c.chord_maps) chords[name] = map;
  j["chord_maps"] = chords;
  j["chord_tokens_with_root_note"] = c.chord_tokens_with_root_note;
  j["chord_unknown"] = c.chord_unknown ? json{c.chord_unknown->first, c.chord_unknown->second} : json(nullptr);
  j["num_tempos"] = c.num_tempos;
  j["tempo_range"] = {c.tempo_range.first, c.tempo_range.second};
  j["log_tempos"] = c.log_tempos;
  j["delete_equal_successive_tempo_changes"] = c.delete_equal_successive_tempo_changes;
  json ts = json::object();
  for (const auto& [den, nums] : c.time_signature_range) ts[std::to_string(den)] = nums;
  j["time_signature_range"] = ts;
  j["delete_equal_successive_time_sig_changes"] = c.delete_equal_successive_time_sig_changes;
  j["sustain_pedal_duration"] = c.sustain_pedal_duration;
  j["pitch_bend_range"] = c.pitch_bend_range;
  j["max_pitch_interval"] = c.max_pitch_interval;
  j["pitch_intervals_max_time_dist"] = c.pitch_intervals_max_time_dist;
  j["drums_pitch_range"] = {c.drums_pitch_range.first, c.drums_pitch_range.second};
  j["additional_params"] = {
      {"max_bar_embedding", c.max_bar_embedding ? json(*c.max_bar_embedding) : json(nullptr)},
      {"use_bar_end_tokens", c.use_bar_end_tokens},
      {"add_trailing_bars", c.add_trailing_bars}};
  return j;
}

TokenizerConfig config_from_json(const json& j) {
  if (!j.is_object()) fail("\"config\" must be a JSON object");
  TokenizerConfig c;
  // Attribute-control options: accepted only at their "off" values (we have no AC tokens).
  static const std::set<std::string> attribute_control_flags = {
      "ac_polyphony_track", "ac_polyphony_bar", "ac_pitch_class_bar", "ac_note_density_track",
      "ac_note_density_bar", "ac_note_duration_bar", "ac_note_duration_track", "ac_repetition_track"};
  static const std::set<std::string> attribute_control_values = {
      "ac_polyphony_min", "ac_polyphony_max", "ac_note_density_track_min", "ac_note_density_track_max",
      "ac_note_density_bar_max", "ac_repetition_track_num_bins", "ac_repetition_track_num_consec_bars"};
  for (const auto& [key, v] : j.items()) {
    if (key == "pitch_range") c.pitch_range = int_pair(v, key);
    else if (key == "beat_res") c.beat_res = beat_res_from_json(v, "beat_res");
    else if (key == "num_velocities") c.num_velocities = get_as<int>(v, key);
    else if (key == "remove_duplicated_notes") c.remove_duplicated_notes = get_as<bool>(v, key);
    else if (key == "encode_ids_split") c.encode_ids_split = get_as<std::string>(v, key);
    else if (key == "special_tokens") {
      c.special_tokens.clear();
      for (const auto& s : get_as<std::vector<std::string>>(v, key)) c.special_tokens.push_back(special_token_name(s));
    } else if (key == "use_velocities") c.use_velocities = get_as<bool>(v, key);
    else if (key == "use_note_duration_programs") c.use_note_duration_programs = get_as<std::vector<int>>(v, key);
    else if (key == "use_chords") c.use_chords = get_as<bool>(v, key);
    else if (key == "use_rests") c.use_rests = get_as<bool>(v, key);
    else if (key == "use_tempos") c.use_tempos = get_as<bool>(v, key);
    else if (key == "use_time_signatures") c.use_time_signatures = get_as<bool>(v, key);
    else if (key == "use_sustain_pedals") c.use_sustain_pedals = get_as<bool>(v, key);
    else if (key == "use_pitch_bends") c.use_pitch_bends = get_as<bool>(v, key);
    else if (key == "use_programs") c.use_programs = get_as<bool>(v, key);
    else if (key == "use_pitch_intervals") c.use_pitch_intervals = get_as<bool>(v, key);
    else if (key == "use_pitchdrum_tokens") c.use_pitchdrum_tokens = get_as<bool>(v, key);
    else if (key == "default_note_duration") c.default_note_duration = get_as<double>(v, key);
    else if (key == "programs") c.programs = get_as<std::vector<int>>(v, key);
    else if (key == "one_token_stream_for_programs") c.one_token_stream_for_programs = get_as<bool>(v, key);
    else if (key == "program_changes") c.program_changes = get_as<bool>(v, key);
    else if (key == "beat_res_rest") c.beat_res_rest = beat_res_from_json(v, "beat_res_rest");
    else if (key == "chord_maps") {
      if (!v.is_object()) fail("\"chord_maps\" must be an object");
      c.chord_maps.clear();
      for (const auto& [name, map] : v.items())
        c.chord_maps.push_back({name, get_as<std::vector<int>>(map, "chord_maps." + name)});
    } else if (key == "chord_tokens_with_root_note") c.chord_tokens_with_root_note = get_as<bool>(v, key);
    else if (key == "chord_unknown") {
      if (v.is_null()) c.chord_unknown.reset();
      else c.chord_unknown = int_pair(v, key);
    } else if (key == "num_tempos") c.num_tempos = get_as<int>(v, key);
    else if (key == "tempo_range") {
      if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
        fail("\"tempo_range\" must be a list of two numbers");
      c.tempo_range = {v[0].get<double>(), v[1].get<double>()};
    } else if (key == "log_tempos") c.log_tempos = get_as<bool>(v, key);
    else if (key == "delete_equal_successive_tempo_changes") c.delete_equal_successive_tempo_changes = get_as<bool>(v, key);
    else if (key == "time_signature_range") {
      if (!v.is_object()) fail("\"time_signature_range\" must be an object");
      c.time_signature_range.clear();
      for (const auto& [den, nums] : v.items()) {
        int d = 0;
        try {
          size_t used = 0;
          d = std::stoi(den, &used);
          if (used != den.size()) throw std::invalid_argument(den);
        } catch (const std::exception&) {
          fail("time_signature_range key \"" + den + "\" is not an integer");
        }
        c.time_signature_range.push_back({d, get_as<std::vector<int>>(nums, "time_signature_range." + den)});
      }
    } else if (key == "delete_equal_successive_time_sig_changes") c.delete_equal_successive_time_sig_changes = get_as<bool>(v, key);
    else if (key == "sustain_pedal_duration") c.sustain_pedal_duration = get_as<bool>(v, key);
    else if (key == "pitch_bend_range") c.pitch_bend_range = get_as<std::vector<int>>(v, key);
    else if (key == "max_pitch_interval") c.max_pitch_interval = get_as<int>(v, key);
    else if (key == "pitch_intervals_max_time_dist") c.pitch_intervals_max_time_dist = get_as<int>(v, key);
    else if (key == "drums_pitch_range") c.drums_pitch_range = int_pair(v, key);
    else if (attribute_control_flags.count(key)) {
      if (get_as<bool>(v, key)) fail("attribute control \"" + key + "\" is not supported");
    } else if (attribute_control_values.count(key)) {
      get_as<int>(v, key);
    } else if (key == "additional_params") {
      if (!v.is_object()) fail("\"additional_params\" must be an object");
      for (const auto& [k, a] : v.items()) {
        if (k == "max_bar_embedding") {
          if (a.is_null()) c.max_bar_embedding.reset();
          else c.max_bar_embedding = get_as<int>(a, k);
        } else if (k == "use_bar_end_tokens") c.use_bar_end_tokens = get_as<bool>(a, k);
        else if (k == "add_trailing_bars") c.add_trailing_bars = get_as<bool>(a, k);
        else fail("unknown additional_params field \"" + k + "\"");
      }
    } else {
      fail("unknown field \"" + key + "\"");
    }
  }
  return c;
}

}  // namespace harmonia::tokenizer
