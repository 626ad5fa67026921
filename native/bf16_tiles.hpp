// The coarse tier of the distance filter (native/distance_filter.hpp): the same register tiles with
// the shifted float32 values rounded once more, to bfloat16, and multiplied by AVX-512 BF16's
// VDPBF16PS, which makes twice the float32 FMA's products per cycle (measured on a Zen 4: 115
// against 55 GMAC/s a core). Its bound is some thousand times wider than the float32 tiles', yet
// on data whose nearest centres are not packed within a fraction of a percent of each other it
// still leaves one or two candidates per point (1.08 on average on 2 000 000 × 32 blobs with
// k = 1000), which are then measured exactly. Where the CPU lacks the instructions (or
// ELKAN_KMEANS_ISA asks for another variant) the filter keeps to its float32 tiles.
//
// The bound, on top of the float32 tiles' (distance_filter.hpp): x̂, ĉ are the shifted float32
// values, x̄, c̄ those rounded to bfloat16 (bf16_pairs), e_x = ‖x̂ − x̄‖, e_c = ‖ĉ − c̄‖. Then
//   2|x̂·ĉ − x̄·c̄| ≤ 2 e_x ‖ĉ‖ + 2 ‖x̄‖ e_c ≤ e_x²/α + α n_c + α (1 + 2^-6) n_x + e_c²/α
// (Cauchy–Schwarz, then 2ab ≤ a²/α + α b² for any α > 0, with |x̄_j| ≤ (1 + 2^-8)|x̂_j|), which
// splits into a term per point and one per centre, as the filter's slack needs. α = 2^-9 is near
// the relative size of a bfloat16 rounding, where the sum is least. The products of two bfloat16
// values are exact in float32, so the accumulation costs γ_2d Σ|x̄_j c̄_j| (two roundings per pair
// of columns, whatever order the instruction adds them in), plus 2^-126 per rounding where
// VDPBF16PS flushes a subnormal result to zero.
#pragma once

#include "isa.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>

#if defined(__GNUC__) && defined(__x86_64__) && (defined(__clang__) || __GNUC__ >= 10)
#include <immintrin.h>
#define EKM_BF16_TILES 1
#define EKM_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
#endif

namespace ekm {
inline namespace EKM_ISA {

// Register tiles of the coarse tier: BF16_TILE_ROWS points × 2 vectors of 16 centres. 8 rows
// measured 84-87 GMAC/s a core at d = 32 against 78-80 for 10 or 12 (whose 24 accumulators GCC
// spills), out of 115 for the instruction alone; blocks of 4 tiles, 1 to 8 within noise.
constexpr std::size_t BF16_TILE_ROWS = 8;
constexpr std::size_t BF16_PANEL = 32;
constexpr std::size_t BF16_BLOCK_ROWS = 4 * BF16_TILE_ROWS;
constexpr double BF16_ALPHA = 0x1p-9;
// Panels a group of bf16_tile's summary covers: 256 centres.
constexpr std::size_t BF16_GROUP_PANELS = 8;

inline std::size_t bf16_groups(std::size_t panels) { return (panels + BF16_GROUP_PANELS - 1) / BF16_GROUP_PANELS; }

// Whether this CPU runs the coarse tier, decided once: it has AVX-512 BF16 and ELKAN_KMEANS_ISA
// asks for no other variant than 'avx512bf16'.
inline bool bf16_tiles_available() {
#ifdef EKM_BF16_TILES
  static const bool available = [] {
    const char* wanted = std::getenv("ELKAN_KMEANS_ISA");
    if (wanted != nullptr && std::strcmp(wanted, "avx512bf16") != 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
  }();
  return available;
#else
  return false;
#endif
}

#ifdef EKM_BF16_TILES
// GCC 12's AVX-512 headers trip -Wuninitialized where their functions are inlined into a target
// function (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Rounds 2 × pairs values (read as far as the next multiple of 16, zeros past the pairs) to
// bfloat16, to nearest with ties to even, zero and subnormals to zero as VDPBF16PS reads
// subnormal inputs (callers keep |v| far below float32's largest value); writes each pair of
// columns as a word, words[p × stride] = columns 2p and 2p + 1 (the first in the low half), and
// returns Σ (v − rounded v)², a row's e².
EKM_BF16_TARGET inline double bf16_pairs(const float* values, std::size_t pairs, std::uint32_t* words, std::size_t stride) {
  const __m512i exponent = _mm512_set1_epi32(0x7f800000), half = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1),
                top = _mm512_set1_epi32(static_cast<int>(0xffff0000u)), low16 = _mm512_set1_epi64(0xffff), high16 = _mm512_set1_epi64(0xffff0000);
  __m512d sum = _mm512_setzero_pd();
  std::uint32_t packed[8];
  for (std::size_t j = 0; j < 2 * pairs; j += 16) {
    const __m512i bits = _mm512_loadu_si512(values + j);
    const __mmask16 normal = _mm512_test_epi32_mask(bits, exponent);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), one);
    const __m512i rounded = _mm512_maskz_and_epi32(normal, _mm512_add_epi32(bits, _mm512_add_epi32(half, odd)), top);
    // Exact: the rounded value is 0 or within a factor 2 of the value (Sterbenz).
    const __m512 error = _mm512_sub_ps(_mm512_castsi512_ps(bits), _mm512_castsi512_ps(rounded));
    const __m512d first = _mm512_cvtps_pd(_mm512_castps512_ps256(error));
    const __m512d second = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(error), 1)));
    sum = _mm512_add_pd(sum, _mm512_add_pd(_mm512_mul_pd(first, first), _mm512_mul_pd(second, second)));
    const __m512i word = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi64(rounded, 16), low16), _mm512_and_si512(_mm512_srli_epi64(rounded, 32), high16));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(packed), _mm512_cvtepi64_epi32(word));
    for (std::size_t l = 0; l < 8 && j / 2 + l < pairs; ++l) words[(j / 2 + l) * stride] = packed[l];
  }
  return _mm512_reduce_add_pd(sum);
}

// The products of one tile of points (BF16_TILE_ROWS of them, their columns paired into 32-bit
// words: words[p × MR + m] holds columns 2p and 2p + 1 of point m) with one panel of centres (for
// each pair of columns, 32 centres × 2 values): acc0[m] and acc1[m], the panel's two vectors of
// centres, end at fl(−lows_c / 2 + x̄_m·c̄). Starting from −lows_c / 2 leaves one instruction a
// value after the products; the sum's roundings are then relative to n_c / 2 as well as to the
// products, γ_2d n_c more, which the centre's slack holds, and halving is exact but in float32's
// subnormal range, which the bound's η covers.
template <std::size_t MR>
EKM_BF16_TARGET __attribute__((always_inline)) inline void bf16_products(const std::uint32_t* words, std::size_t pairs, const std::uint32_t* centers,
                                                                          const float* lows, __m512 (&acc0)[MR], __m512 (&acc1)[MR]) {
  const __m512 half = _mm512_set1_ps(-0.5f);
  const __m512 start0 = _mm512_mul_ps(_mm512_loadu_ps(lows), half), start1 = _mm512_mul_ps(_mm512_loadu_ps(lows + 16), half);
  for (std::size_t m = 0; m < MR; ++m) {
    acc0[m] = start0;
    acc1[m] = start1;
  }
  for (std::size_t p = 0; p < pairs; ++p) {
    const __m512bh c0 = (__m512bh)_mm512_loadu_si512(centers + p * BF16_PANEL);
    const __m512bh c1 = (__m512bh)_mm512_loadu_si512(centers + p * BF16_PANEL + 16);
    for (std::size_t m = 0; m < MR; ++m) {
      const __m512bh x = (__m512bh)_mm512_set1_epi32(static_cast<int>(words[p * MR + m]));
      acc0[m] = _mm512_dpbf16_ps(acc0[m], x, c0);
      acc1[m] = _mm512_dpbf16_ps(acc1[m], x, c1);
    }
  }
}

// One tile of points against every panel of centres (bf16_products): low[m × stride + c] = the
// value −2 fl(−lows_c / 2 + x̄_m·c̄), lows_c being fl(n_c − slack_c), and groups[(m × G + g) × 16 + l],
// G = bf16_groups(panels), the least of lane l of low[m] over the panels of group g, which the
// scans read first. Each value is the float32 tiles' S − slack with other roundings, which their
// 32u leaves room for.
EKM_BF16_TARGET inline void bf16_tile(const std::uint32_t* words, std::size_t pairs, const std::uint32_t* packed, std::size_t panels, const float* lows,
                                      float* low, std::size_t stride, float* groups) {
  constexpr std::size_t MR = BF16_TILE_ROWS;
  const std::size_t group_count = bf16_groups(panels);
  const __m512 minus_two = _mm512_set1_ps(-2.0f);
  for (std::size_t panel = 0; panel < panels; ++panel) {
    __m512 acc0[MR], acc1[MR];
    bf16_products<MR>(words, pairs, packed + panel * pairs * BF16_PANEL, lows + panel * BF16_PANEL, acc0, acc1);
    const bool first = panel % BF16_GROUP_PANELS == 0;
#pragma GCC unroll 8
    for (std::size_t m = 0; m < MR; ++m) {
      float* out = low + m * stride + panel * BF16_PANEL;
      const __m512 value0 = _mm512_mul_ps(acc0[m], minus_two), value1 = _mm512_mul_ps(acc1[m], minus_two);
      _mm512_storeu_ps(out, value0);
      _mm512_storeu_ps(out + 16, value1);
      float* group = groups + (m * group_count + panel / BF16_GROUP_PANELS) * 16;
      const __m512 least = _mm512_min_ps(value0, value1);
      _mm512_storeu_ps(group, first ? least : _mm512_min_ps(_mm512_loadu_ps(group), least));
    }
  }
}

// bf16_tile's products against limits known beforehand, one a point, given as −limit / 2: every
// centre c whose value −2 fl(−lows_c / 2 + x̄_m·c̄) is at most the limit is appended, in order, to
// hits[m × hit_stride ...] and its −value / 2 to halves[m × hit_stride ...], counts[m] their count
// (hit_stride leaves room for 32 entries past the centres); with REST, rest[m × 16 + l] is raised
// to the greatest −value / 2 below −limit / 2 in lane l. Nothing is stored for the values above
// the limits, nearly all of them, and nothing is scanned afterwards.
template <bool REST>
EKM_BF16_TARGET inline void bf16_tile_limited(const std::uint32_t* words, std::size_t pairs, const std::uint32_t* packed, std::size_t panels,
                                              const float* lows, const float* limits, std::uint32_t* hits, float* halves, std::size_t hit_stride,
                                              std::size_t* counts, float* rest) {
  constexpr std::size_t MR = BF16_TILE_ROWS;
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::size_t panel = 0; panel < panels; ++panel) {
    __m512 acc0[MR], acc1[MR];
    bf16_products<MR>(words, pairs, packed + panel * pairs * BF16_PANEL, lows + panel * BF16_PANEL, acc0, acc1);
    // Unrolled, so that the accumulators are read from their registers (measured: a rolled loop
    // spills all sixteen, and the pass takes 20 % longer).
#pragma GCC unroll 8
    for (std::size_t m = 0; m < MR; ++m) {
      const __m512 limit = _mm512_set1_ps(limits[m]);
      const __mmask16 hit0 = _mm512_cmp_ps_mask(acc0[m], limit, _CMP_GE_OQ), hit1 = _mm512_cmp_ps_mask(acc1[m], limit, _CMP_GE_OQ);
      if (REST) {
        float* lane = rest + m * 16;
        __m512 most = _mm512_loadu_ps(lane);
        most = _mm512_mask_max_ps(most, static_cast<__mmask16>(~hit0), most, acc0[m]);
        most = _mm512_mask_max_ps(most, static_cast<__mmask16>(~hit1), most, acc1[m]);
        _mm512_storeu_ps(lane, most);
      }
      if ((hit0 | hit1) != 0) {
        std::uint32_t* out = hits + m * hit_stride;
        float* value = halves + m * hit_stride;
        const __m512i first = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(panel * BF16_PANEL)), lanes);
        _mm512_storeu_si512(out + counts[m], _mm512_maskz_compress_epi32(hit0, first));
        _mm512_storeu_ps(value + counts[m], _mm512_maskz_compress_ps(hit0, acc0[m]));
        counts[m] += static_cast<std::size_t>(__builtin_popcount(hit0));
        _mm512_storeu_si512(out + counts[m], _mm512_maskz_compress_epi32(hit1, _mm512_add_epi32(first, _mm512_set1_epi32(16))));
        _mm512_storeu_ps(value + counts[m], _mm512_maskz_compress_ps(hit1, acc1[m]));
        counts[m] += static_cast<std::size_t>(__builtin_popcount(hit1));
      }
    }
  }
}

// The greatest of 16 lanes.
EKM_BF16_TARGET inline float bf16_most_lane(const float* lanes) { return _mm512_reduce_max_ps(_mm512_loadu_ps(lanes)); }

// The least of 16 lanes.
EKM_BF16_TARGET inline float bf16_least_lane(const float* lanes) { return _mm512_reduce_min_ps(_mm512_loadu_ps(lanes)); }

// The least value of a point's groups (bf16_tile's), all lanes.
EKM_BF16_TARGET inline float bf16_least(const float* groups, std::size_t group_count) {
  __m512 least = _mm512_loadu_ps(groups);
  for (std::size_t g = 1; g < group_count; ++g) least = _mm512_min_ps(least, _mm512_loadu_ps(groups + g * 16));
  return _mm512_reduce_min_ps(least);
}

// Whether some lane of group g is at most `limit`: whether the group may hold a value that is.
EKM_BF16_TARGET inline bool bf16_group_reaches(const float* groups, std::size_t g, float limit) {
  return _mm512_cmp_ps_mask(_mm512_loadu_ps(groups + g * 16), _mm512_set1_ps(limit), _CMP_LE_OQ) != 0;
}

// Appends to out[count...] every c of [first, first + 16) with low[c] ≤ limit, and returns the
// new count; writes 16 entries from out[count] whatever it appends. Without branches: a point's
// hits are few, and each would be a mispredicted branch.
EKM_BF16_TARGET inline std::size_t bf16_hits(const float* low, std::size_t first, float limit, std::uint32_t* out, std::size_t count) {
  const __mmask16 mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(low + first), _mm512_set1_ps(limit), _CMP_LE_OQ);
  const __m512i index = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first)), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  _mm512_storeu_si512(out + count, _mm512_maskz_compress_epi32(mask, index));
  return count + static_cast<std::size_t>(__builtin_popcount(mask));
}

// Writes to out every centre c with low[c] ≤ limit, in order, and returns their count: through the
// groups, since most points have one such value in a thousand. `out` has room for 16 entries more
// than there are centres.
EKM_BF16_TARGET inline std::size_t bf16_at_most(const float* low, const float* groups, std::size_t panels, float limit, std::uint32_t* out) {
  std::size_t count = 0;
  for (std::size_t g = 0, group_count = bf16_groups(panels); g < group_count; ++g) {
    if (!bf16_group_reaches(groups, g, limit)) continue;
    const std::size_t end = std::min(panels, (g + 1) * BF16_GROUP_PANELS) * BF16_PANEL;
    for (std::size_t c = g * BF16_GROUP_PANELS * BF16_PANEL; c < end; c += 16) count = bf16_hits(low, c, limit, out, count);
  }
  return count;
}

// The least low value of the centres that bf16_at_most(limit) did not list, once their entries of
// `low` are set to infinity: the groups that reached the limit are read again.
EKM_BF16_TARGET inline float bf16_least_except(const float* low, const float* groups, std::size_t panels, float limit) {
  __m512 least = _mm512_set1_ps(INFINITY);
  for (std::size_t g = 0, group_count = bf16_groups(panels); g < group_count; ++g) {
    if (!bf16_group_reaches(groups, g, limit)) {
      least = _mm512_min_ps(least, _mm512_loadu_ps(groups + g * 16));
      continue;
    }
    const std::size_t end = std::min(panels, (g + 1) * BF16_GROUP_PANELS) * BF16_PANEL;
    for (std::size_t c = g * BF16_GROUP_PANELS * BF16_PANEL; c < end; c += 16) least = _mm512_min_ps(least, _mm512_loadu_ps(low + c));
  }
  return _mm512_reduce_min_ps(least);
}

#pragma GCC diagnostic pop
#endif

}  // namespace EKM_ISA
}  // namespace ekm
