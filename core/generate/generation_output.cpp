#include "core/generate/generation_output.hpp"

#include <fstream>

#include "core/midi/midi_file.hpp"

namespace harmonia::generate {

midi::Score to_score(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids, double tempo_qpm,
                     tokenizer::DecodeReport* report) {
  tokenizer::TokSequence seq;
  seq.fields = tok.is_compound() ? tok.num_fields() : 1;  // compound ids are flat, step-major
  seq.ids = ids;
  midi::Score score = tok.decode({seq}, {}, report);
  if (tempo_qpm > 0) score.tempos = {{0, int32_t(60'000'000.0 / tempo_qpm + 0.5)}};
  return score;
}

nlohmann::ordered_json settings_to_json(const GenerationSettings& s) {
  nlohmann::ordered_json j;
  j["temperature"] = s.sampling.temperature;
  j["top_k"] = s.sampling.top_k;
  j["top_p"] = s.sampling.top_p;
  j["top_p_on"] = s.sampling.top_p_on == TopPScope::Pitch ? "pitch" : "all";
  j["min_p"] = s.sampling.min_p;
  j["repetition_penalty"] = s.sampling.repetition_penalty;
  j["no_repeat_ngram"] = s.sampling.no_repeat_ngram;
  j["max_new_tokens"] = s.max_new_tokens;
  j["min_new_tokens"] = s.min_new_tokens;
  j["max_bars"] = s.max_bars;
  j["min_bars"] = s.min_bars;
  j["max_music_seconds"] = s.max_music_seconds;
  j["max_empty_bars"] = s.max_empty_bars;
  j["max_programs"] = s.max_programs;
  j["max_empty_beats"] = s.max_empty_beats;
  j["max_onset_notes"] = s.max_onset_notes;
  j["keep_time_signature"] = s.keep_time_signature;
  j["max_seconds"] = s.max_seconds;
  j["seed"] = s.seed;
  j["num_candidates"] = s.num_candidates;
  j["grammar"] = s.grammar;
  j["key"] = s.controls.key ? nlohmann::ordered_json(s.controls.key->name) : nlohmann::ordered_json();
  j["pitch_range"] = s.controls.pitch_range
                         ? nlohmann::ordered_json::array({s.controls.pitch_range->first, s.controls.pitch_range->second})
                         : nlohmann::ordered_json();
  j["density_bias"] = s.controls.density_bias;
  j["programs"] = s.controls.programs;
  return j;
}

GenerationSettings settings_from_json(const nlohmann::json& j) {
  GenerationSettings s;
  s.sampling.temperature = j.value("temperature", s.sampling.temperature);
  s.sampling.top_k = j.value("top_k", s.sampling.top_k);
  s.sampling.top_p = j.value("top_p", s.sampling.top_p);
  if (j.contains("top_p_on")) s.sampling.top_p_on = j["top_p_on"] == "pitch" ? TopPScope::Pitch : TopPScope::All;
  s.sampling.min_p = j.value("min_p", s.sampling.min_p);
  s.sampling.repetition_penalty = j.value("repetition_penalty", s.sampling.repetition_penalty);
  s.sampling.no_repeat_ngram = j.value("no_repeat_ngram", s.sampling.no_repeat_ngram);
  s.max_new_tokens = j.value("max_new_tokens", s.max_new_tokens);
  s.min_new_tokens = j.value("min_new_tokens", s.min_new_tokens);
  s.max_bars = j.value("max_bars", s.max_bars);
  s.min_bars = j.value("min_bars", s.min_bars);
  s.max_music_seconds = j.value("max_music_seconds", s.max_music_seconds);
  s.max_empty_bars = j.value("max_empty_bars", s.max_empty_bars);
  s.max_programs = j.value("max_programs", s.max_programs);
  s.max_empty_beats = j.value("max_empty_beats", s.max_empty_beats);
  s.max_onset_notes = j.value("max_onset_notes", s.max_onset_notes);
  s.keep_time_signature = j.value("keep_time_signature", s.keep_time_signature);
  s.max_seconds = j.value("max_seconds", s.max_seconds);
  s.seed = j.value("seed", s.seed);
  s.num_candidates = j.value("num_candidates", s.num_candidates);
  s.grammar = j.value("grammar", s.grammar);
  if (j.contains("key") && j["key"].is_string()) s.controls.key = parse_scale(j["key"].get<std::string>());
  if (j.contains("pitch_range") && j["pitch_range"].is_array())
    s.controls.pitch_range = std::make_pair(j["pitch_range"][0].get<int>(), j["pitch_range"][1].get<int>());
  s.controls.density_bias = j.value("density_bias", s.controls.density_bias);
  if (j.contains("programs")) s.controls.programs = j["programs"].get<std::vector<int>>();
  return s;
}

void write_generation(const midi::Score& score, const std::filesystem::path& mid_path,
                      const GenerationSettings& settings, const nlohmann::ordered_json& extra) {
  if (mid_path.has_parent_path()) std::filesystem::create_directories(mid_path.parent_path());
  midi::write_midi_file(score, mid_path.string());
  nlohmann::ordered_json j;
  j["settings"] = settings_to_json(settings);
  for (const auto& [k, v] : extra.items()) j[k] = v;
  j["notes"] = score.note_count();
  auto side = mid_path;
  side.replace_extension(".json");
  std::ofstream(side) << j.dump(2) << "\n";
}

}  // namespace harmonia::generate
