#include "app/cli/midi_summary.hpp"

namespace harmonia::cli {

nlohmann::json midi_summary(const std::string& path, const midi::Score& score, const midi::MidiFileInfo& info) {
  nlohmann::json tracks = nlohmann::json::array();
  for (const auto& t : score.tracks) {
    tracks.push_back({{"name", t.name}, {"program", t.program}, {"channel", t.channel},
                      {"is_drum", t.is_drum}, {"notes", t.notes.size()}});
  }
  nlohmann::json tempos = nlohmann::json::array();
  for (const auto& t : score.tempos) tempos.push_back({{"tick", t.time}, {"qpm", t.qpm()}});
  nlohmann::json time_signatures = nlohmann::json::array();
  for (const auto& ts : score.time_signatures) {
    time_signatures.push_back({{"tick", ts.time}, {"numerator", ts.numerator}, {"denominator", ts.denominator}});
  }
  return {{"file", path},
          {"format", info.format},
          {"ticks_per_quarter", score.ticks_per_quarter},
          {"smpte", info.smpte},
          {"track_chunks", info.track_chunks},
          {"tracks", tracks},
          {"notes", score.note_count()},
          {"duration_seconds", score.duration_seconds()},
          {"tempos", tempos},
          {"time_signatures", time_signatures}};
}

}  // namespace harmonia::cli
