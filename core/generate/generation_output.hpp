// Generated ids -> Score -> .mid, with a sidecar JSON (OUT.json next to OUT.mid) holding
// everything needed to reproduce the result: settings, seed, model and prompt paths.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/generate/generator.hpp"
#include "core/midi/score.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

// Decodes one candidate (program: piano unless the tokens carry programs; compound ids flat,
// num_fields() per step). tempo_qpm > 0
// replaces the tempo map with that single tempo.
midi::Score to_score(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids, double tempo_qpm = 0,
                     tokenizer::DecodeReport* report = nullptr);

nlohmann::ordered_json settings_to_json(const GenerationSettings& s);
GenerationSettings settings_from_json(const nlohmann::json& j);  // missing keys keep defaults

// OUT.mid and OUT.json (`extra` merged into the sidecar: model path, prompt, candidate, ...).
void write_generation(const midi::Score& score, const std::filesystem::path& mid_path,
                      const GenerationSettings& settings, const nlohmann::ordered_json& extra = {});

}  // namespace harmonia::generate
