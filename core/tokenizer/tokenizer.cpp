// Shared tokenizer machinery: vocabulary pieces, MidiTok's event building (global and track
// events), encode/decode drivers, token strings and tokenizer.json.
#include "core/tokenizer/tokenizer.hpp"
#include "core/data/write_failure.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/tokenizer/events.hpp"
#include "core/tokenizer/schemes.hpp"

namespace harmonia::tokenizer {

using ordered_json = nlohmann::ordered_json;

namespace {
constexpr const char* kMidiTokVersion = "3.0.6.post1";
}

Tokenizer::~Tokenizer() = default;

Tokenizer::Tokenizer(std::string name, TokenizerConfig config, bool note_on_off)
    : name_(std::move(name)), config_(std::move(config)), tables_(config_), note_on_off_(note_on_off) {}

std::unique_ptr<Tokenizer> Tokenizer::create(const std::string& scheme, TokenizerConfig config) {
  std::string key;
  for (char ch : scheme) key += char(std::tolower(static_cast<unsigned char>(ch)));
  // Validate before any scheme is built: its time tables divide by the config's resolutions
  // (found by fuzzing tokenizer.json: a zero resolution reached a division first).
  const char* name = key == "remi" ? "REMI" : key == "tsd" ? "TSD" : key == "midilike" ? "MIDILike"
                     : key == "cpword" ? "CPWord" : key == "octuple" ? "Octuple" : nullptr;
  if (name) config.validate(name);
  std::unique_ptr<Tokenizer> t;
  if (key == "remi") t = make_remi(std::move(config));
  else if (key == "tsd") t = make_tsd(std::move(config));
  else if (key == "midilike") t = make_midilike(std::move(config));
  else if (key == "cpword") t = make_cpword(std::move(config));
  else if (key == "octuple") t = make_octuple(std::move(config));
  else throw TokenizerError("unknown tokenizer \"" + scheme + "\" (expected remi, tsd, midilike, cpword or octuple)");
  t->config_.validate(t->name_);
  try {
    t->build_vocabularies();
    t->build_grammar();
  } catch (const std::logic_error& e) {
    // A config listing one value twice (programs, special tokens...) would give one token
    // twice: a bad file, not a bug (found by fuzzing tokenizer.json).
    throw TokenizerError(std::string("invalid config: ") + e.what());
  }
  return t;
}

size_t Tokenizer::vocab_size() const {
  size_t n = 0;
  for (const auto& v : vocabs_) n += v.size();
  return n;
}

bool Tokenizer::one_token_stream() const { return config_.use_programs && config_.one_token_stream_for_programs; }

int Tokenizer::num_positions() const {
  int max_beats = 0;
  for (const auto& ts : tables_.time_signatures) max_beats = std::max(max_beats, ts.first);
  return tables_.max_pos_per_beat * max_beats;
}

void Tokenizer::add_special_tokens(Vocabulary& v) const {
  // MidiTok's "<special>-unigram" tokens come after the base vocabulary (set_subword).
  for (size_t i = 0; i < config_.special_tokens.size(); ++i)
    if (!is_unigram_special(config_.special_tokens[i])) v.add(TokenType::Special, int(i), config_.special_tokens[i]);
}

void Tokenizer::add_note_tokens(Vocabulary& v) const {
  const auto [lo, hi] = config_.pitch_range;
  if (note_on_off_) {
    for (int p = lo; p <= hi; ++p) v.add(TokenType::NoteOn, p, "NoteOn_" + std::to_string(p));
    if (config_.using_note_duration_tokens())
      for (int p = lo; p <= hi; ++p) v.add(TokenType::NoteOff, p, "NoteOff_" + std::to_string(p));
  } else {
    for (int p = lo; p <= hi; ++p) v.add(TokenType::Pitch, p, "Pitch_" + std::to_string(p));
  }
  if (config_.use_velocities)
    for (int vel : tables_.velocities) v.add(TokenType::Velocity, vel, "Velocity_" + std::to_string(vel));
  if (!note_on_off_ && config_.using_note_duration_tokens())
    for (size_t i = 0; i < tables_.durations.size(); ++i)
      v.add(TokenType::Duration, int(i), "Duration_" + tables_.duration_text(i));
}

void Tokenizer::build_time_shift_vocabulary() {
  vocabs_.assign(1, Vocabulary());
  Vocabulary& v = vocabs_[0];
  add_special_tokens(v);
  add_note_tokens(v);
  for (size_t i = 0; i < tables_.durations.size(); ++i)
    v.add(TokenType::TimeShift, int(i), "TimeShift_" + tables_.duration_text(i));
  add_additional_tokens(v);
}

void Tokenizer::add_additional_tokens(Vocabulary& v) const {
  if (config_.use_pitchdrum_tokens) {
    const auto [lo, hi] = config_.drums_pitch_range;
    const TokenType on = note_on_off_ ? TokenType::DrumOn : TokenType::PitchDrum;
    const std::string on_name = note_on_off_ ? "DrumOn_" : "PitchDrum_";
    for (int p = lo; p <= hi; ++p) v.add(on, p, on_name + std::to_string(p));
    if (note_on_off_)
      for (int p = lo; p <= hi; ++p) v.add(TokenType::DrumOff, p, "DrumOff_" + std::to_string(p));
  }
  if (config_.use_chords)
    for (size_t i = 0; i < config_.chord_maps.size(); ++i)
      v.add(TokenType::Chord, int(i), "Chord_" + config_.chord_maps[i].first);
  if (config_.use_rests)
    for (size_t i = 0; i < tables_.rests.size(); ++i) v.add(TokenType::Rest, int(i), "Rest_" + tables_.rest_text(i));
  if (config_.use_tempos)
    for (size_t i = 0; i < tables_.tempos.size(); ++i)
      v.add(TokenType::Tempo, int(i), "Tempo_" + TimeTables::format_tempo(tables_.tempos[i]));
  if (config_.use_programs)
    for (int p : config_.programs) v.add(TokenType::Program, p, "Program_" + std::to_string(p));
  if (config_.use_time_signatures)
    for (size_t i = 0; i < tables_.time_signatures.size(); ++i)
      v.add(TokenType::TimeSig, int(i),
            "TimeSig_" + std::to_string(tables_.time_signatures[i].first) + "/" +
                std::to_string(tables_.time_signatures[i].second));
}

void Tokenizer::prepare_extra(PreparedScore&) const {}

void Tokenizer::sort_events(std::vector<Event>& events) const {
  const auto by_time = [](const Event& a, const Event& b) { return a.time < b.time; };
  if (std::is_sorted(events.begin(), events.end(), by_time)) return;  // single tracks often are
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
}

// ---- encoding ------------------------------------------------------------------------------

namespace {

void add_track_events(const PTrack& track, const TokenizerConfig& c, const TimeTables& tables, bool note_on_off,
                      const std::vector<TpbSection>& sections, std::vector<Event>& out) {
  const int program = track.token_program();
  const bool durations = c.uses_note_durations_for(program);
  if (c.use_chords && !track.is_drum) {
    int first_res = c.beat_res.front().resolution;
    for (const auto& b : c.beat_res)
      if (b.first <= 0 && 0 < b.last) {
        first_res = b.resolution;
        break;
      }
    for (const auto& [t, q] : detect_chords(track.notes, sections, c, first_res)) {
      if (c.use_programs) out.push_back({TokenType::Program, program, t, 0, 10});
      out.push_back({TokenType::Chord, q, t, 0, 10});
    }
  }
  out.reserve(out.size() + track.notes.size() * (2 + (c.use_programs ? 2 : 0) + (durations ? 1 : 0)));
  const bool drum_tokens = c.use_pitchdrum_tokens && track.is_drum;
  const TokenType on = note_on_off ? (drum_tokens ? TokenType::DrumOn : TokenType::NoteOn)
                                   : (drum_tokens ? TokenType::PitchDrum : TokenType::Pitch);
  const TokenType off = drum_tokens ? TokenType::DrumOff : TokenType::NoteOff;
  size_t s = 0;
  for (const auto& n : track.notes) {
    if (c.use_programs) out.push_back({TokenType::Program, program, n.time, n.end(), 10});
    out.push_back({on, n.pitch, n.time, n.end(), 10});
    if (c.use_velocities) out.push_back({TokenType::Velocity, n.velocity, n.time, 0, 10});
    if (!durations) continue;
    if (note_on_off) {
      if (c.use_programs) out.push_back({TokenType::Program, program, n.end(), n.end(), 1});
      out.push_back({off, n.pitch, n.end(), n.end(), 1});
    } else {
      s = 0;  // MidiTok restarts the section search for every note
      while (s + 1 < sections.size() && n.time >= sections[s].end_tick) ++s;
      const int idx = tables.duration_index_exact(sections[s].ticks_per_beat, n.duration);
      out.push_back({TokenType::Duration, idx, n.time, 0, 10});
    }
  }
}

}  // namespace

Tokenizer::BaseEncoding Tokenizer::encode_with_ticks(const midi::Score& score, bool want_ticks) const {
  PreparedScore p = preprocess_score(score, config_, tables_, note_on_off_);
  // Bar/TimeShift tokens grow with the length: refuse absurd lengths instead of filling memory.
  constexpr int64_t kMaxQuarters = 4'000'000;  // about 9 days at 120 qpm
  if (p.end_tick() / std::max(1, p.tpq) > kMaxQuarters)
    throw TokenizerError("score too long to tokenize (" + std::to_string(p.end_tick() / std::max(1, p.tpq)) +
                         " quarter notes, limit " + std::to_string(kMaxQuarters) + ")");
  prepare_extra(p);
  std::vector<Event> global;
  if (config_.use_time_signatures)
    for (const auto& ts : p.time_sigs)
      global.push_back({TokenType::TimeSig, tables_.time_signature_index(ts.numerator, ts.denominator), ts.time, 0, 0});
  if (config_.use_tempos)
    for (const auto& t : p.tempos) global.push_back({TokenType::Tempo, t.index, t.time, 0, 0});
  const auto sections = p.ticks_per_beat_sections();

  BaseEncoding out;
  Encoding& enc = out.encoding;
  auto emit = [&](const std::vector<Event>& events) {
    std::vector<int64_t>* ticks = nullptr;
    if (want_ticks) ticks = &out.token_ticks.emplace_back();
    enc.sequences.push_back(events_to_tokens(events, p.tpq, ticks));
    if (ticks && ticks->size() != enc.sequences.back().ids.size())
      throw TokenizerError("internal: token ticks do not match the tokens");
  };
  for (const auto& t : p.tracks) enc.programs.push_back({t.program, t.is_drum});
  if (one_token_stream()) {
    std::vector<Event> events = global;
    for (const auto& t : p.tracks) add_track_events(t, config_, tables_, note_on_off_, sections, events);
    sort_events(events);
    emit(events);
  } else if (p.tracks.empty()) {
    std::vector<Event> events = global;
    sort_events(events);
    emit(events);
  } else {
    std::vector<Event> events;
    for (const auto& t : p.tracks) {
      events = global;
      add_track_events(t, config_, tables_, note_on_off_, sections, events);
      sort_events(events);
      emit(events);
    }
  }
  if (want_ticks) {
    if (config_.encode_ids_split == "bar") out.split_ticks = p.split_bar_ticks();
    else if (config_.encode_ids_split == "beat") out.split_ticks = p.split_beat_ticks();
  }
  return out;
}

Encoding Tokenizer::encode_base(const midi::Score& score) const { return encode_with_ticks(score, false).encoding; }

Encoding Tokenizer::encode(const midi::Score& score) const {
  if (!subword_) return encode_base(score);
  BaseEncoding b = encode_with_ticks(score, true);
  for (size_t i = 0; i < b.encoding.sequences.size(); ++i) {
    TokSequence learned;
    for (const auto& w : split_words(b.encoding.sequences[i], b.token_ticks[i], b.split_ticks))
      subword_->encode_word(w, learned.ids);
    b.encoding.sequences[i] = std::move(learned);
  }
  return std::move(b.encoding);
}

// ---- decoding ------------------------------------------------------------------------------

midi::Track& track_for(midi::Score& score, int program, bool is_drum) {
  for (auto& t : score.tracks)
    if (t.program == program && t.is_drum == is_drum) return t;
  midi::Track t;
  t.program = program;
  t.is_drum = is_drum;
  t.channel = is_drum ? 9 : -1;
  t.name = is_drum ? "Drums" : "Program " + std::to_string(program);
  score.tracks.push_back(std::move(t));
  return score.tracks.back();
}

midi::Score Tokenizer::decode(const std::vector<TokSequence>& sequences, const ProgramList& programs,
                              DecodeReport* report) const {
  if (!subword_) return decode_base(sequences, programs, report);
  std::vector<TokSequence> base;
  size_t dropped = 0;
  for (const auto& s : sequences) base.push_back(decode_ids(s, &dropped));
  midi::Score score = decode_base(base, programs, report);
  if (report) report->tokens_dropped += dropped;
  return score;
}

midi::Score Tokenizer::decode_base(const std::vector<TokSequence>& sequences, const ProgramList& programs,
                                   DecodeReport* report) const {
  midi::Score score;
  score.ticks_per_quarter = tables_.time_division;
  DecodeReport local;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const auto& seq = sequences[i];
    local.tokens_read += seq.steps();
    const auto prog = i < programs.size() ? programs[i] : std::make_pair(0, false);
    decode_sequence(seq, prog.first, prog.second, score, local);
  }
  // Keep only the last tempo / time signature per tick; sort everything canonically.
  score.sort_events();
  auto dedupe = [](auto& v) {
    for (size_t k = 0; k + 1 < v.size();) {
      if (v[k].time == v[k + 1].time) v.erase(v.begin() + long(k));
      else ++k;
    }
  };
  dedupe(score.tempos);
  dedupe(score.time_signatures);
  score.tracks.erase(std::remove_if(score.tracks.begin(), score.tracks.end(), [](const midi::Track& t) { return t.notes.empty(); }),
                     score.tracks.end());
  for (const auto& t : score.tracks) local.notes += t.notes.size();
  if (report) *report = local;
  return score;
}

// ---- strings -------------------------------------------------------------------------------

std::vector<std::string> Tokenizer::strings(const TokSequence& seq) const {
  std::vector<std::string> out;
  out.reserve(seq.ids.size());
  const size_t f = std::max<size_t>(1, seq.fields);
  for (size_t i = 0; i < seq.ids.size(); ++i) {
    const auto& v = vocabs_.at(std::min(i % f, vocabs_.size() - 1));
    out.push_back(v.valid(seq.ids[i]) ? v.text(seq.ids[i]) : std::string("<invalid>"));
  }
  return out;
}

TokSequence Tokenizer::from_strings(const std::vector<std::string>& tokens) const {
  TokSequence seq;
  seq.fields = vocabs_.size();
  seq.ids.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) seq.ids.push_back(vocabs_[i % seq.fields].id(tokens[i]));
  return seq;
}

// ---- tokenizer.json ------------------------------------------------------------------------

ordered_json Tokenizer::to_json() const {
  ordered_json j;
  j["config"] = config_to_json(config_);
  j["tokenization"] = name_;
  j["miditok_version"] = kMidiTokVersion;
  j["symusic_version"] = "0.5.9";
  j["hf_tokenizers_version"] = subword_ ? "0.23.2" : "0.0.0";  // the tokenizers release we match
  write_trained_fields(j);
  return j;
}

void Tokenizer::save(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    errno = 0;
    std::ofstream out(tmp);
    if (!out) throw TokenizerError(path + ": " + data::write_failure("cannot write"));
    out << to_json().dump(4) << "\n";
    out.close();  // a full disk shows only when the buffer is flushed
    if (!out) {
      std::remove(tmp.c_str());
      throw TokenizerError(path + ": " + data::write_failure());
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw TokenizerError(path + ": cannot rename temporary file");
}

std::unique_ptr<Tokenizer> Tokenizer::from_json(const ordered_json& j, const std::string& source) {
  try {
    if (!j.is_object()) throw TokenizerError("top level is not a JSON object");
    std::string scheme;
    TokenizerConfig config;
    bool have_config = false;
    for (const auto& [key, v] : j.items()) {
      if (key == "config") {
        config = config_from_json(v);
        have_config = true;
      } else if (key == "tokenization") {
        if (!v.is_string()) throw TokenizerError("\"tokenization\" must be a string");
        scheme = v.get<std::string>();
      } else if (key == "has_bpe" || key == "is_trained") {
        if (!v.is_boolean()) throw TokenizerError("\"" + key + "\" must be a boolean");
        if (v.get<bool>() && (!j.contains("_model") || j["_model"].is_null()))
          throw TokenizerError("\"" + key + "\" is true but there is no \"_model\"");
      } else if (key == "_model" || key == "_vocab_base_byte_to_token" || key == "_vocab_base") {
        // read below, once the base vocabulary exists
      } else if (key == "miditok_version" || key == "symusic_version" || key == "hf_tokenizers_version") {
        if (!v.is_string()) throw TokenizerError("\"" + key + "\" must be a string");
      } else if (key == "one_token_stream") {
        if (!v.is_boolean()) throw TokenizerError("\"one_token_stream\" must be a boolean");
      } else {
        throw TokenizerError("unknown field \"" + key + "\"");
      }
    }
    if (scheme.empty()) throw TokenizerError("missing \"tokenization\" (the scheme name)");
    if (!have_config) throw TokenizerError("missing \"config\"");
    auto t = create(scheme, std::move(config));
    t->read_trained_fields(j);
    return t;
  } catch (const TokenizerError& e) {
    throw TokenizerError(source + ": " + e.what());
  }
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw TokenizerError(path + ": cannot open");
  const std::streamoff size = in.tellg();
  if (size < 0) throw TokenizerError(path + ": cannot read");
  if (uint64_t(size) > kMaxTokenizerJsonBytes)
    throw TokenizerError(path + ": " + std::to_string(size) + " bytes, larger than any tokenizer.json (limit " +
                         std::to_string(kMaxTokenizerJsonBytes >> 20) + " MiB)");
  std::string text(size_t(size), '\0');
  in.seekg(0);
  if (size && !in.read(text.data(), size)) throw TokenizerError(path + ": cannot read");
  ordered_json j;
  try {
    j = ordered_json::parse(text);
  } catch (const ordered_json::exception& e) {
    throw TokenizerError(path + ": not valid JSON (" + e.what() + ")");
  }
  return from_json(j, path);
}

}  // namespace harmonia::tokenizer
