// `harmonia tokenize` / `harmonia detokenize` end to end through the real binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/token_json.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "midi/midi_bytes.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::tokenizer;
namespace fs = std::filesystem;

namespace {

int run(const std::string& args, const fs::path& out, const fs::path& err) {
  const std::string cmd = "'" + (test::bin_dir() / "harmonia").string() + "' " + args + " > '" + out.string() + "' 2> '" +
                          err.string() + "'";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

fs::path write_song(const fs::path& dir) {
  test::TrackBytes piano, drums;
  for (int i = 0; i < 12; ++i) piano.event(0, {0x90, uint8_t(60 + i), 80}).event(240, {0x80, uint8_t(60 + i), 0});
  for (int i = 0; i < 6; ++i) drums.event(0, {0x99, 36, 100}).event(480, {0x89, 36, 0});
  const auto bytes = test::smf(1, 480, {piano.end(), drums.end()});
  const fs::path path = dir / "song.mid";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
  return path;
}

TEST(TokenizerCli, TokenizeThenDetokenize) {
  const fs::path dir = test::scratch_dir("tokenizer-cli");
  const fs::path song = write_song(dir);
  for (const char* scheme : {"remi", "tsd", "midilike", "cpword", "octuple"}) {
    const fs::path tokens = dir / (std::string(scheme) + ".json"), cfg = dir / (std::string(scheme) + "-tokenizer.json");
    ASSERT_EQ(run(std::string("tokenize --tokenizer ") + scheme + " --save-config '" + cfg.string() + "' '" + song.string() + "'",
                  tokens, dir / "err.txt"),
              0)
        << slurp(dir / "err.txt");
    const auto j = nlohmann::ordered_json::parse(slurp(tokens));
    ASSERT_TRUE(j.contains("tokens") && j.contains("ids")) << scheme;
    // Same tokens as the library gives.
    auto tok = Tokenizer::create(scheme);
    const Encoding enc = tok->encode(load_score_file_for_tokenizer(song.string()));
    EXPECT_EQ(j, encoding_to_json(*tok, enc)) << scheme;
    ASSERT_EQ(j["tokens"].size(), 2u) << scheme;  // piano and drums
    if (tok->is_compound()) EXPECT_TRUE(j["tokens"][0][0].is_array()) << scheme;
    else EXPECT_TRUE(j["tokens"][0][0].is_string()) << scheme;

    const fs::path out = dir / (std::string(scheme) + ".mid");
    ASSERT_EQ(run("detokenize --config '" + cfg.string() + "' '" + tokens.string() + "' --out '" + out.string() + "'",
                  dir / "out.txt", dir / "err.txt"),
              0)
        << slurp(dir / "err.txt");
    const midi::Score back = midi::read_midi_file(out.string());
    EXPECT_EQ(back.note_count(), 18u) << scheme;
    bool drums = false;
    for (const auto& t : back.tracks) drums = drums || t.is_drum;
    EXPECT_TRUE(drums) << scheme;
  }
}

TEST(TokenizerCli, ConfigFileAndErrors) {
  const fs::path dir = test::scratch_dir("tokenizer-cli-errors");
  const fs::path song = write_song(dir);
  TokenizerConfig c;
  c.use_tempos = true;
  Tokenizer::create("TSD", c)->save((dir / "tsd.json").string());
  ASSERT_EQ(run("tokenize --config '" + (dir / "tsd.json").string() + "' '" + song.string() + "'", dir / "o.json", dir / "e.txt"), 0)
      << slurp(dir / "e.txt");
  const auto j = nlohmann::ordered_json::parse(slurp(dir / "o.json"));
  EXPECT_EQ(j["tokenizer"], "TSD");
  EXPECT_EQ(j["tokens"][0][0], "Tempo_121.29");

  EXPECT_NE(run("tokenize --tokenizer remi '" + (dir / "missing.mid").string() + "'", dir / "o.txt", dir / "e.txt"), 0);
  std::ofstream(dir / "bad.mid") << "not a midi file at all";
  EXPECT_NE(run("tokenize --tokenizer remi '" + (dir / "bad.mid").string() + "'", dir / "o.txt", dir / "e.txt"), 0);
  EXPECT_NE(slurp(dir / "e.txt").find("bad.mid"), std::string::npos) << slurp(dir / "e.txt");
  std::ofstream(dir / "bad.json") << R"({"config": {"frobnicate": 1}, "tokenization": "REMI"})";
  EXPECT_NE(run("tokenize --config '" + (dir / "bad.json").string() + "' '" + song.string() + "'", dir / "o.txt", dir / "e.txt"), 0);
  EXPECT_NE(slurp(dir / "e.txt").find("frobnicate"), std::string::npos) << slurp(dir / "e.txt");
  std::ofstream(dir / "tokens.json") << R"({"tokens": [["Bar_None", 5]]})";
  EXPECT_NE(run("detokenize --config '" + (dir / "tsd.json").string() + "' '" + (dir / "tokens.json").string() + "' --out '" +
                    (dir / "x.mid").string() + "'",
                dir / "o.txt", dir / "e.txt"),
            0);
}

}  // namespace

namespace {

// `harmonia tokenizer train` on a folder, then tokenize and detokenize with the result: the
// learned ids are MidiTok-style (fewer than the base tokens) and decode to the same notes.
TEST(TokenizerCli, TrainTokenizeDetokenize) {
  const fs::path dir = test::scratch_dir("tokenizer-cli-train");
  const fs::path corpus = dir / "corpus";
  fs::create_directories(corpus);
  for (int k = 0; k < 3; ++k) {
    test::TrackBytes piano;
    for (int bar = 0; bar < 16; ++bar)
      for (int i = 0; i < 4; ++i) piano.event(0, {0x90, uint8_t(60 + (i * 4 + k) % 12), 80}).event(480, {0x80, uint8_t(60 + (i * 4 + k) % 12), 0});
    const auto bytes = test::smf(1, 480, {piano.end()});
    std::ofstream(corpus / ("s" + std::to_string(k) + ".mid"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
  }
  const fs::path cfg = dir / "bpe.json", report = dir / "report.json", err = dir / "err.txt";
  ASSERT_EQ(run("tokenizer train --model bpe --vocab-size 300 --quiet --out '" + cfg.string() + "' '" + corpus.string() + "'",
                report, err),
            0)
      << slurp(err);
  const auto r = nlohmann::json::parse(slurp(report));
  EXPECT_EQ(r["files"], 3);
  EXPECT_EQ(r["vocab_size"], 300);
  EXPECT_GT(r["sequence_length_reduction"].get<double>(), 1.5);  // 16 identical bars compress well
  auto tok = Tokenizer::load(cfg.string());
  ASSERT_TRUE(tok->is_trained());
  EXPECT_EQ(tok->model_vocab_size(), 300u);

  const fs::path song = corpus / "s1.mid", tokens = dir / "tokens.json", back = dir / "back.mid";
  ASSERT_EQ(run("tokenize --config '" + cfg.string() + "' '" + song.string() + "'", tokens, err), 0) << slurp(err);
  const auto j = nlohmann::json::parse(slurp(tokens));
  EXPECT_LT(j["ids"][0].size(), j["tokens"][0].size()) << "learned ids stand for several base tokens";
  ASSERT_EQ(run("detokenize --config '" + cfg.string() + "' '" + tokens.string() + "' --out '" + back.string() + "'",
                dir / "out.txt", err),
            0)
      << slurp(err);
  EXPECT_EQ(midi::read_midi_file(back.string()).note_count(), 64u);

  // A compound scheme cannot be trained: a clear message, exit 1.
  EXPECT_EQ(run("tokenizer train --config '" + (dir / "none.json").string() + "' --out x.json '" + corpus.string() + "'",
                report, err),
            105);  // CLI11: --config must exist
  auto octuple = Tokenizer::create("Octuple");
  octuple->save((dir / "octuple.json").string());
  EXPECT_EQ(run("tokenizer train --config '" + (dir / "octuple.json").string() + "' --out '" + (dir / "o.json").string() +
                    "' '" + corpus.string() + "'",
                report, err),
            1);
  EXPECT_NE(slurp(err).find("cannot be trained"), std::string::npos) << slurp(err);
}

}  // namespace
