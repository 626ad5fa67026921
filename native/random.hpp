// The project's random generator: xoshiro128** seeded through splitmix32, the same stream as
// lib/core/random.ts bit for bit, so a seed gives the same result on every backend.
#pragma once

#include "isa.hpp"

#include <cmath>
#include <cstdint>

namespace ekm {
inline namespace EKM_ISA {

class Random {
 public:
  explicit Random(std::uint32_t seed) : state_(seed) {
    s0_ = splitmix();
    s1_ = splitmix();
    s2_ = splitmix();
    s3_ = splitmix();
  }

  // The generator's four words: a stream saved by save_state and resumed by from_state continues
  // exactly where it stopped, across calls that keep it outside (mini-batch k-means between batches).
  static Random from_state(const std::uint32_t words[4]) {
    Random rng(0);
    rng.s0_ = words[0];
    rng.s1_ = words[1];
    rng.s2_ = words[2];
    rng.s3_ = words[3];
    return rng;
  }

  void save_state(std::uint32_t words[4]) const {
    words[0] = s0_;
    words[1] = s1_;
    words[2] = s2_;
    words[3] = s3_;
  }

  std::uint32_t next_uint32() {
    const std::uint32_t result = rotl(s1_ * 5u, 7) * 9u;
    const std::uint32_t t = s1_ << 9;
    s2_ ^= s0_;
    s3_ ^= s1_;
    s1_ ^= s2_;
    s0_ ^= s3_;
    s2_ ^= t;
    s3_ = rotl(s3_, 11);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits: the top 27 bits of one draw, then the top 26 of the next.
  double next_double() {
    const double high = static_cast<double>(next_uint32() >> 5);
    const double low = static_cast<double>(next_uint32() >> 6);
    return (high * 67108864.0 + low) / 9007199254740992.0;
  }

  // Uniform integer in [0, bound).
  std::size_t next_index(std::size_t bound) {
    return static_cast<std::size_t>(std::floor(next_double() * static_cast<double>(bound)));
  }

 private:
  static std::uint32_t rotl(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

  std::uint32_t splitmix() {
    state_ += 0x9e3779b9u;
    std::uint32_t z = state_;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
  }

  std::uint32_t state_;
  std::uint32_t s0_, s1_, s2_, s3_;
};

// splitmix32's output function: a bijection of 32-bit words that spreads every input bit.
inline std::uint32_t mix32(std::uint32_t z) {
  z += 0x9e3779b9u;
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}

// Uniform in [0, 1) with 53 bits, a function of (key, index) alone: point `index`'s own draw in a
// pass keyed by one draw of the generator. Each point's draw is then the same whichever thread
// takes it, and in whatever order (k-means|| samples every point independently in each round).
inline double uniform_at(std::uint32_t key, std::uint32_t index) {
  const std::uint32_t high = mix32(key ^ mix32(index));
  const std::uint32_t low = mix32(high ^ key);
  return (static_cast<double>(high >> 5) * 67108864.0 + static_cast<double>(low >> 6)) / 9007199254740992.0;
}

}  // namespace EKM_ISA
}  // namespace ekm
