// Generation with trained tokenizers (BPE, Unigram, WordPiece): the model samples learned
// ids, the grammar allows a learned id only when all its base tokens are allowed in turn, so
// every sampled piece decodes with zero dropped tokens; bars are counted in base tokens.
#include <gtest/gtest.h>

#include "core/generate/generation_output.hpp"
#include "core/generate/subword_grammar.hpp"
#include "core/tokenizer/tokenizer_training.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

std::shared_ptr<tokenizer::Tokenizer> trained(tokenizer::SubwordKind kind) {
  std::vector<std::string> files;
  for (const char* f : {"001.mid", "002.mid", "003.mid", "004.mid", "005.mid", "006.mid"})
    files.push_back((test::shared_dir() / "data" / "midi" / "pop909" / f).string());
  tokenizer::TokenizerTrainingOptions opt;
  opt.kind = kind;
  opt.vocab_size = 600;
  auto base = tokenizer::Tokenizer::create("REMI");
  return std::shared_ptr<tokenizer::Tokenizer>(tokenizer::train_tokenizer(*base, files, opt));
}

std::shared_ptr<model::CausalLM> model_for(const tokenizer::Tokenizer& tok) {
  torch::manual_seed(3);
  auto config = model::preset_config("tiny", "", int64_t(tok.model_vocab_size()));
  config.max_position_embeddings = 256;
  auto m = model::create_model(config);
  m->eval();
  return m;
}

class TrainedGeneration : public ::testing::TestWithParam<tokenizer::SubwordKind> {};

TEST_P(TrainedGeneration, SampledPiecesDecodeWithoutDropsAndUseLearnedTokens) {
  HARMONIA_REQUIRE_SHARED();
  auto tok = trained(GetParam());
  ASSERT_EQ(tok->model_vocab_size(), 600u);
  Generator gen(model_for(*tok), tok);
  GenerationSettings s;
  s.num_candidates = 40;
  s.max_new_tokens = 60;
  s.sampling.temperature = 1.0f;  // the raw untrained distribution: the hardest case
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.repetition_penalty = 1.0f;
  const auto r = gen.generate({}, s);
  test::DecodeTally tally;
  tally.add(*tok, r);
  size_t learned_multi = 0;
  for (const auto& seq : r.sequences)
    for (int32_t id : seq) learned_multi += tok->subword()->base_ids(id).size() > 1;
  EXPECT_EQ(tally.sequences, 40u);
  EXPECT_EQ(tally.dropped, 0u);
  for (const auto& seq : r.sequences) {  // the first piece that drops tokens, as learned tokens
    tokenizer::DecodeReport report;
    generate::to_score(*tok, seq, 0, &report);
    if (report.tokens_dropped == 0) continue;
    std::string text;
    for (int32_t id : seq) {
      text += " [";
      for (const auto& t : tok->strings(tok->decode_ids(tokenizer::TokSequence{1, {id}}))) text += t + " ";
      text += "]";
    }
    const auto base = tok->decode_ids(tokenizer::TokSequence{1, seq});
    size_t first_drop = 0;  // the first base token the base grammar would not allow
    GrammarConstraint check(*tok);
    std::vector<uint8_t> ok;
    for (size_t n = 0; n < base.ids.size() && first_drop == 0; ++n) {
      check.allowed(ok);
      if (!ok[size_t(base.ids[n])]) first_drop = n + 1;
      check.accept(base.ids[n]);
    }
    ADD_FAILURE() << report.tokens_dropped << " dropped (first after base token " << first_drop << " of "
                  << base.ids.size() << ") in:" << text;
    break;
  }
  EXPECT_GT(tally.notes, 40u);
  EXPECT_GT(learned_multi, 100u) << "tokens standing for several base tokens should be sampled";

  // Without the grammar an untrained model's learned ids do not decode cleanly.
  s.grammar = false;
  test::DecodeTally off;
  off.add(*tok, gen.generate({}, s));
  EXPECT_GT(off.dropped, 0u);
}

TEST_P(TrainedGeneration, MaxBarsCountsTheBarsInsideLearnedTokens) {
  HARMONIA_REQUIRE_SHARED();
  auto tok = trained(GetParam());
  Generator gen(model_for(*tok), tok);
  GenerationSettings s;
  s.num_candidates = 8;
  s.max_new_tokens = 400;
  s.max_bars = 3;
  s.max_empty_bars = 0;
  const auto r = gen.generate({}, s);
  for (const auto& seq : r.sequences) {
    size_t bars = 0;
    for (int32_t b : tok->decode_ids(tokenizer::TokSequence{1, seq}).ids)
      bars += tok->vocab().kind(b).type == tokenizer::TokenType::Bar;
    EXPECT_LE(bars, 3u);
  }
  size_t stopped_by_bars = 0;
  for (const auto& why : r.stop_reasons) stopped_by_bars += why == "max_bars";
  EXPECT_GT(stopped_by_bars, 0u);
}

INSTANTIATE_TEST_SUITE_P(Models, TrainedGeneration,
                         ::testing::Values(tokenizer::SubwordKind::BPE, tokenizer::SubwordKind::Unigram,
                                           tokenizer::SubwordKind::WordPiece),
                         [](const auto& info) { return std::string(tokenizer::subword_kind_name(info.param)); });

}  // namespace
