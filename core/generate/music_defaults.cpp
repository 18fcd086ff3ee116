#include "core/generate/music_defaults.hpp"
#include "core/data/write_failure.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace harmonia::generate {

namespace {

const char* kFileName = "harmonia_music.json";

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

MusicDefaults music_defaults_from_dataset(const data::TokenDataset& dataset) {
  MusicDefaults d;
  const auto& tok = dataset.tokenizer();
  const auto& tempos = tok.tables().tempos;
  std::vector<double> first_tempos;
  for (const auto& file : dataset.files()) {
    int pitched = 0;
    for (const auto& [program, notes] : file.program_notes) pitched += program >= 0 && notes > 0;
    d.programs_per_piece = std::max(d.programs_per_piece, pitched);
    if (tempos.empty() || file.sequences.empty()) continue;
    const auto& seq = file.sequences.front();
    const int32_t* ids = dataset.ids(seq);
    const size_t fields = dataset.fields();
    bool found = false;
    for (size_t s = 0; s < seq.steps && !found; ++s)
      for (size_t f = 0; f < fields && !found; ++f) {
        const auto& v = tok.vocab(f);
        const int32_t id = ids[s * fields + f];
        if (!v.valid(id) || v.kind(id).type != tokenizer::TokenType::Tempo) continue;
        const int index = v.kind(id).value;
        if (index >= 0 && size_t(index) < tempos.size()) first_tempos.push_back(tempos[size_t(index)]), found = true;
      }
  }
  d.tempo_qpm = median(first_tempos);
  return d;
}

void save_music_defaults(const MusicDefaults& d, const std::filesystem::path& model_dir) {
  nlohmann::ordered_json j;
  j["tempo_qpm"] = d.tempo_qpm;
  j["programs_per_piece"] = d.programs_per_piece;
  errno = 0;
  std::ofstream out(model_dir / kFileName);
  out << j.dump(2) << "\n";
  out.close();  // a full disk shows only when the buffer is flushed
  if (!out) throw std::runtime_error((model_dir / kFileName).string() + ": " + data::write_failure());
}

std::optional<MusicDefaults> load_music_defaults(const std::filesystem::path& model_dir) {
  const auto path = model_dir / kFileName;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  MusicDefaults d;
  try {
    const auto j = nlohmann::json::parse(in);
    d.tempo_qpm = j.at("tempo_qpm").get<double>();
    d.programs_per_piece = j.at("programs_per_piece").get<int>();
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": not a valid music defaults file (" + e.what() + ")");
  }
  if (!std::isfinite(d.tempo_qpm) || d.tempo_qpm < 0 || d.tempo_qpm > 1000)
    throw std::runtime_error(path.string() + ": tempo_qpm must be within 0..1000");
  if (d.programs_per_piece < 0 || d.programs_per_piece > 129)
    throw std::runtime_error(path.string() + ": programs_per_piece must be within 0..129");
  return d;
}

void apply_music_defaults(const MusicDefaults& d, midi::Score& score) {
  if (score.tempos.empty() && d.tempo_qpm > 0)
    score.tempos.push_back({0, int32_t(std::lround(60'000'000.0 / d.tempo_qpm))});
}

}  // namespace harmonia::generate
