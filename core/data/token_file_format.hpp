// Layout of the tokens file header (32 bytes, little endian), shared by the writer (import)
// and the reader (TokenDataset).
#pragma once

#include <cstdint>
#include <cstring>

namespace harmonia::data {

struct TokenFileHeader {
  char magic[8] = {'H', 'M', 'T', 'O', 'K', 'E', 'N', 'S'};
  uint32_t version = 1;
  uint32_t fields = 1;
  uint64_t generation = 0;  // must equal the manifest's
  uint64_t ids = 0;         // int32 ids after the header
};
static_assert(sizeof(TokenFileHeader) == 32, "header layout");

inline bool header_magic_ok(const TokenFileHeader& h) { return std::memcmp(h.magic, "HMTOKENS", 8) == 0; }

}  // namespace harmonia::data
