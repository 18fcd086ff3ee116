#include "ui/pages/tokenizer_option_rules.hpp"

#include <QObject>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

namespace {

const char* const kSchemes[] = {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"};

bool accepts(const QString& scheme, const tokenizer::TokenizerConfig& config) {
  try {
    tokenizer::Tokenizer::create(scheme.toStdString(), config);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// `config` with every listed option off: the scheme's base, to test one option alone.
tokenizer::TokenizerConfig withoutOptions(tokenizer::TokenizerConfig config, const std::vector<TokenizerOption>& options) {
  for (const auto& o : options) config.*(o.field) = false;
  return config;
}

QString joinSchemes(const QStringList& schemes) {
  if (schemes.size() <= 1) return schemes.join(QString());
  return QObject::tr("%1 and %2").arg(schemes.mid(0, schemes.size() - 1).join(QStringLiteral(", ")), schemes.last());
}

// The schemes that take `option` alone, e.g. "TSD and MIDILike".
QStringList schemesTaking(const tokenizer::TokenizerConfig& base, const TokenizerOption& option) {
  QStringList out;
  tokenizer::TokenizerConfig alone = base;
  alone.*(option.field) = true;
  for (const char* s : kSchemes)
    if (accepts(QString::fromLatin1(s), alone)) out << QString::fromLatin1(s);
  return out;
}

QString refusedReason(const QString& scheme, const TokenizerOption& option, const QStringList& takers) {
  if (takers.isEmpty())
    return QObject::tr("%1: not available yet. No scheme in this version of Harmonia has these tokens.").arg(option.label);
  return QObject::tr("%1: not available with %2. %3 %4 them.")
      .arg(option.label, scheme, joinSchemes(takers), takers.size() == 1 ? QObject::tr("has") : QObject::tr("have"));
}

}  // namespace

std::vector<OptionVerdict> judge_tokenizer_options(const QString& scheme, const tokenizer::TokenizerConfig& config,
                                                   const std::vector<TokenizerOption>& options) {
  std::vector<OptionVerdict> out(options.size());
  const tokenizer::TokenizerConfig base = withoutOptions(config, options);
  for (size_t i = 0; i < options.size(); ++i) {
    tokenizer::TokenizerConfig with = config;
    with.*(options[i].field) = true;
    if (accepts(scheme, with)) continue;
    out[i].allowed = false;
    tokenizer::TokenizerConfig alone = base;
    alone.*(options[i].field) = true;
    if (!accepts(scheme, alone)) {
      out[i].reason = refusedReason(scheme, options[i], schemesTaking(base, options[i]));
      continue;
    }
    // Refused only beside what is ticked: name the options that stand in its way.
    QStringList blockers;
    for (size_t k = 0; k < options.size(); ++k) {
      if (k == i || !(config.*(options[k].field))) continue;
      tokenizer::TokenizerConfig without = with;
      without.*(options[k].field) = false;
      if (accepts(scheme, without)) blockers << options[k].label;
    }
    out[i].reason = blockers.isEmpty()
                        ? QObject::tr("%1: cannot be combined with the options ticked now with %2.").arg(options[i].label, scheme)
                        : QObject::tr("%1: cannot be combined with %2 with %3. Untick %2 first.")
                              .arg(options[i].label, blockers.join(QObject::tr(" or ")), scheme);
  }
  return out;
}

QStringList options_refused_by_scheme(const QString& scheme, const tokenizer::TokenizerConfig& config,
                                      const std::vector<TokenizerOption>& options, std::vector<size_t>* refused) {
  QStringList reasons;
  const tokenizer::TokenizerConfig base = withoutOptions(config, options);
  for (size_t i = 0; i < options.size(); ++i) {
    if (!(config.*(options[i].field))) continue;
    tokenizer::TokenizerConfig alone = base;
    alone.*(options[i].field) = true;
    if (accepts(scheme, alone)) continue;
    reasons << refusedReason(scheme, options[i], schemesTaking(base, options[i]));
    if (refused) refused->push_back(i);
  }
  return reasons;
}

}  // namespace harmonia::ui
