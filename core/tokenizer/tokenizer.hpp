// MidiTok-compatible tokenizers: REMI, TSD, MIDILike (one vocabulary) and CPWord, Octuple
// (compound: one vocabulary per field). encode() reproduces MidiTok 3.0.6's tokens for the
// same MIDI file; decode() turns any token sequence, even ill-formed model output, back
// into a Score, counting what it had to drop. tokenizer.json uses MidiTok's format.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/midi/score.hpp"
#include "core/tokenizer/config.hpp"
#include "core/tokenizer/subword_model.hpp"
#include "core/tokenizer/time_tables.hpp"
#include "core/tokenizer/token_grammar.hpp"
#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::tokenizer {

struct PreparedScore;
struct Event;

// One token sequence. Ids are stored flat: a compound sequence of n steps over f fields has
// n*f ids, step-major (ids[step*f + field]).
struct TokSequence {
  size_t fields = 1;
  std::vector<int32_t> ids;
  size_t steps() const { return fields ? ids.size() / fields : 0; }
};

// (program, is_drum) of each emitted sequence, as MidiTok's programs_after_preprocessing.
using ProgramList = std::vector<std::pair<int, bool>>;

struct Encoding {
  std::vector<TokSequence> sequences;  // one per track, or one when one_token_stream()
  ProgramList programs;
};

struct DecodeReport {
  size_t tokens_read = 0;
  size_t tokens_dropped = 0;  // invalid ids, tokens out of place, incomplete notes
  size_t notes = 0;
};

// MidiTok's base tokens that stand for Unigram's special tokens ("PAD_None-unigram").
bool is_unigram_special(const std::string& token);

// tokenizer.json files are KiB to a few MiB (MidiTok's trained BPE 2000: 110 KiB); a bigger
// file is refused by its size before it is read, so a hostile 1 GB file costs no memory.
constexpr size_t kMaxTokenizerJsonBytes = 64u << 20;

class Tokenizer {
 public:
  virtual ~Tokenizer();

  // scheme: "REMI", "TSD", "MIDILike", "CPWord", "Octuple" (case-insensitive).
  // Throws TokenizerError for an unknown scheme or an unsupported/invalid config.
  static std::unique_ptr<Tokenizer> create(const std::string& scheme, TokenizerConfig config = {});
  // MidiTok's tokenizer.json (3.x `save()` or 2.x `save_params()` output).
  static std::unique_ptr<Tokenizer> from_json(const nlohmann::ordered_json& j, const std::string& source = "<json>");
  static std::unique_ptr<Tokenizer> load(const std::string& path);  // files up to kMaxTokenizerJsonBytes
  nlohmann::ordered_json to_json() const;
  void save(const std::string& path) const;

  const std::string& name() const { return name_; }
  const TokenizerConfig& config() const { return config_; }
  const TimeTables& tables() const { return tables_; }
  bool is_compound() const { return vocabs_.size() > 1; }
  size_t num_fields() const { return vocabs_.size(); }
  const std::vector<Vocabulary>& vocabs() const { return vocabs_; }
  const Vocabulary& vocab(size_t field = 0) const { return vocabs_.at(field); }
  size_t vocab_size() const;  // summed over fields
  bool one_token_stream() const;
  const TokenGrammar& grammar() const { return grammar_; }

  // MIDI -> tokens. Any Score is accepted; an empty one gives empty sequences. A trained
  // tokenizer returns learned ids (MidiTok's encode with encode_ids=True).
  Encoding encode(const midi::Score& score) const;
  Encoding encode_base(const midi::Score& score) const;  // base ids even when trained
  // Tokens (learned ids when trained) -> MIDI at tables().time_division ticks per quarter. `programs` gives each
  // sequence's instrument (defaults to piano); with a single stream programs come from
  // Program tokens. Never throws on token content.
  midi::Score decode(const std::vector<TokSequence>& sequences, const ProgramList& programs = {},
                     DecodeReport* report = nullptr) const;
  midi::Score decode_base(const std::vector<TokSequence>& sequences, const ProgramList& programs = {},
                          DecodeReport* report = nullptr) const;  // base ids even when trained

  // Token strings (compound: `fields` strings per step) and back, over base ids. Unknown
  // strings map to -1 ids, which decode() skips and counts.
  std::vector<std::string> strings(const TokSequence& seq) const;
  TokSequence from_strings(const std::vector<std::string>& tokens) const;

 // ---- trained tokenizers: a BPE / Unigram / WordPiece model over the base tokens ----
  bool is_trained() const { return subword_ != nullptr; }
  const SubwordModel* subword() const { return subword_.get(); }
  // Installs a trained model (Unigram also adds MidiTok's 4 "-unigram" base tokens).
  void set_subword(SubwordModel model);
  // Size of the id space a language model sees: the learned vocabulary when trained.
  size_t model_vocab_size() const;
  // The base sequences of a score cut as config().encode_ids_split says (bar, beat or no),
  // as strings of base characters, empty pieces dropped: what MidiTok trains on.
  std::vector<std::u32string> training_words(const midi::Score& score) const;
  // Learned ids -> base ids (ids out of range are skipped and counted in `dropped`).
  TokSequence decode_ids(const TokSequence& learned, size_t* dropped = nullptr) const;

 protected:
  Tokenizer(std::string name, TokenizerConfig config, bool note_on_off);
  // Base sequences plus each token's tick and the ticks where encode_ids_split cuts them.
  struct BaseEncoding {
    Encoding encoding;
    std::vector<std::vector<int64_t>> token_ticks;
    std::vector<int64_t> split_ticks;
  };
  BaseEncoding encode_with_ticks(const midi::Score& score, bool want_ticks) const;
  // One base sequence -> the words MidiTok hands to the trained model.
  std::vector<std::u32string> split_words(const TokSequence& seq, const std::vector<int64_t>& ticks,
                                          const std::vector<int64_t>& split_ticks) const;
  void read_trained_fields(const nlohmann::ordered_json& j);
  void write_trained_fields(nlohmann::ordered_json& j) const;
  void add_special_tokens(Vocabulary& v) const;
  // Scheme hooks.
  virtual void build_vocabularies() = 0;
  virtual void build_grammar() = 0;
  virtual void prepare_extra(PreparedScore& score) const;  // Octuple's bar clipping
  // Global + track events sorted by time -> ids (with time tokens). `ticks`, when given,
  // receives each token's time as MidiTok's events carry it (bar and beat splitting).
  virtual TokSequence events_to_tokens(const std::vector<Event>& events, int tpq,
                                       std::vector<int64_t>* ticks = nullptr) const = 0;
  virtual void sort_events(std::vector<Event>& events) const;
  // One sequence -> notes etc. appended to `score` (tracks created as needed).
  virtual void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                               DecodeReport& report) const = 0;

  // Shared vocabulary pieces in MidiTok's order.
  void add_note_tokens(Vocabulary& v) const;        // Pitch|NoteOn(+NoteOff), Velocity, Duration
  void add_additional_tokens(Vocabulary& v) const;  // PitchDrum/DrumOn.., Chord, Tempo, Program, TimeSig
  int num_positions() const;                        // positions in the longest bar
  // TSD's and MIDILike's vocabulary: specials, notes, one TimeShift per duration, additional.
  void build_time_shift_vocabulary();

  std::string name_;
  TokenizerConfig config_;
  TimeTables tables_;
  bool note_on_off_ = false;
  std::vector<Vocabulary> vocabs_;
  TokenGrammar grammar_;
  std::shared_ptr<const SubwordModel> subword_;
};

}  // namespace harmonia::tokenizer
