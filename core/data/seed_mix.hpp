// splitmix64's finaliser: turns (seed, epoch, index) combinations into well-spread 64-bit
// keys and RNG seeds, so nearby seeds give unrelated shuffles. One definition for the
// dataset split, the batch iterators and the trainer's file sources.
#pragma once

#include <cstdint>

namespace harmonia::data {

inline uint64_t seed_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace harmonia::data
