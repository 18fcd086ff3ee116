// One line per architecture for people choosing one (the studio's model picker, `--help`).
#pragma once

#include <string>

namespace harmonia::model {

// A sentence saying what sets `model_type` apart; "" for a type this build does not know.
std::string architecture_summary(const std::string& model_type);

}  // namespace harmonia::model
