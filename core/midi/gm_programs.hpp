// General MIDI program names (program 0..127, -1 = drums), for the new track of "add a part"
// and the studio's program list.
#pragma once

#include <string>

namespace harmonia::midi {

// "Acoustic Grand Piano" for 0, "Drums" for -1; throws std::out_of_range outside -1..127.
std::string gm_program_name(int program);

}  // namespace harmonia::midi
