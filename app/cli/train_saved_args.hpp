// What `harmonia train --resume RUN` needs to continue a run without the user repeating its
// options: the run folder keeps the options it was started with (train_args.json, written by
// the CLI) or, for a run the studio started, its run.json. Options given on the resuming
// command line win over the saved ones (e.g. a larger --max-steps to train further).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace harmonia::cli {

using OptionList = std::vector<std::pair<std::string, std::string>>;  // "--name", value

inline constexpr const char* kTrainArgsFile = "train_args.json";

// The run folder of a --resume argument: the folder itself, or RUN for RUN/checkpoints/step-N
// (and RUN/checkpoints/best).
std::filesystem::path run_folder_of_resume(const std::filesystem::path& resume);

// The options saved in `run_dir`: train_args.json first, else the studio's run.json mapped to
// the CLI's option names. Empty when the folder has neither. Throws std::runtime_error naming
// the file when one exists but is not what we write (bad JSON, wrong types).
OptionList saved_train_options(const std::filesystem::path& run_dir);

// Writes train_args.json (atomically) into `run_dir`.
void save_train_options(const std::filesystem::path& run_dir, const OptionList& options);

}  // namespace harmonia::cli
