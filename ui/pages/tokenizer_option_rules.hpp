// Which of the Tokenizer page's extra-token options can be ticked now, and why not, in plain
// words. Nothing here is a table of rules: every verdict asks the core tokenizer itself
// (tokenizer::Tokenizer::create, which validates the config for the scheme), so the page can
// never disagree with what import and training will accept.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

#include "core/tokenizer/config.hpp"

namespace harmonia::ui {

struct TokenizerOption {
  QString label;  // as the check box says it ("Rests")
  bool tokenizer::TokenizerConfig::*field;
};

struct OptionVerdict {
  bool allowed = true;
  QString reason;  // why not, when not allowed
};

// For each option of `options`: may it be ticked with `scheme` and the rest of `config`?
// A ticked option is judged as if it were unticked and ticked again.
std::vector<OptionVerdict> judge_tokenizer_options(const QString& scheme, const tokenizer::TokenizerConfig& config,
                                                   const std::vector<TokenizerOption>& options);

// The options of `options` that `scheme` refuses whatever else is ticked, with the schemes that
// take them: what the page unticks when the scheme changes ("Rests (TSD and MIDILike have them)").
QStringList options_refused_by_scheme(const QString& scheme, const tokenizer::TokenizerConfig& config,
                                      const std::vector<TokenizerOption>& options,
                                      std::vector<size_t>* refused = nullptr);

}  // namespace harmonia::ui
