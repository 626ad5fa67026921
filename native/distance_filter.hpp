// All-pairs squared distances at matrix-product speed, used only as a filter: which centres can
// still be the nearest (or nearer than a known distance), each with a rigorous bound on how far
// the fast value can be from the exact one (native/distance.hpp). Every decision that reaches a
// result (a label, a k-means++ sum, a draw) is then taken on exact distances, so the filter makes
// fits faster without changing a bit of them, for any data, thread count or instruction set.
//
// The fast value is the norm expansion ‖x − μ‖² + ‖c − μ‖² − 2 (x − μ)·(c − μ) in float32, with μ
// the midrange of the points where the data sits far from the origin (which keeps the norms, and
// with them the error bound, near the spread of the data rather than its offset) and 0 elsewhere.
// Tiles of points against panels of centres are multiplied in registers (MR points × NR centres,
// FMA where the instruction set has it), so each loaded value serves many products: measured 5×
// the exact pairwise kernel's speed on Lloyd's assignment at d = 128, k = 1024.
//
// The bound. With u = 2^-24 (float32), x̃ and c̃ the shifted vectors rounded to float32,
// n_x = ‖x̃‖², n_c = ‖c̃‖² (in double) and S = fl32(n_c − 2 fl32(x̃·c̃)) what the tile holds:
//   |S + n_x − exact(x, c)| ≤ β (n_x + n_c) + η
// where exact() is the double-precision distance of native/distance.hpp, and
//   β = 1.01 (γ_d + 32u + (d + 8) 2^-50),  γ_d = d u / (1 − d u),  η = (8d + 64) 2^-149.
// γ_d bounds the float32 dot product whatever its summation order (Higham, Accuracy and Stability
// of Numerical Algorithms, §3.1), with 2|x̃·c̃| ≤ n_x + n_c; rounding the shifted inputs to float32
// costs at most 4.1u (n_x + n_c), the stored norm u n_c, the final subtraction 2u (n_x + n_c), the
// exact double distance at most 2(d + 2) 2^-53 (n_x + n_c), and the float32 sums and differences
// the callers take of S (nearest_candidates) at most 8u (n_x + n_c): about γ_d + 16u in all, so
// 32u is twice that. η covers products and roundings in float32's subnormal range. The filter is
// used only where float32 cannot overflow (usable()); elsewhere callers take the exact path.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

#include "bf16_tiles.hpp"
#include "distance.hpp"

namespace ekm {
inline namespace EKM_ISA {

#if defined(__GNUC__)
#define EKM_FILTER_VECTORS 1
#if defined(__AVX512F__)
constexpr std::size_t FILTER_LANES = 16;
#elif defined(__AVX2__)
constexpr std::size_t FILTER_LANES = 8;
#else
constexpr std::size_t FILTER_LANES = 4;
#endif
typedef float FilterLanes __attribute__((vector_size(FILTER_LANES * sizeof(float))));

typedef std::int32_t IndexLanes __attribute__((vector_size(FILTER_LANES * sizeof(std::int32_t))));

// 0, 1, …, FILTER_LANES − 1.
inline IndexLanes lane_indices() {
  IndexLanes v;
  for (std::size_t l = 0; l < FILTER_LANES; ++l) v[l] = static_cast<std::int32_t>(l);
  return v;
}

inline FilterLanes load_lanes(const float* p) {
  FilterLanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store_lanes(float* p, FilterLanes v) { std::memcpy(p, &v, sizeof v); }

inline FilterLanes splat(float x) {
#if defined(__AVX512F__)
  return _mm512_set1_ps(x);
#elif defined(__AVX2__)
  return _mm256_set1_ps(x);
#else
  FilterLanes v = {x, x, x, x};
  return v;
#endif
}

// a × b + c: fused where the instruction set has it (the build's -ffp-contract=off never fuses on
// its own); rounded twice elsewhere, which the bound allows.
inline FilterLanes multiply_add(FilterLanes a, FilterLanes b, FilterLanes c) {
#if defined(__AVX512F__)
  return _mm512_fmadd_ps(a, b, c);
#elif defined(__FMA__)
  return _mm256_fmadd_ps(a, b, c);
#else
  return a * b + c;
#endif
}
#else
constexpr std::size_t FILTER_LANES = 4;
#endif

// Register tiles: MR points × 2 vectors of centres, 2 MR accumulators plus two panel loads and a
// broadcast within the register file (16 vector registers with AVX2, 32 with AVX-512).
#if defined(__AVX512F__)
constexpr std::size_t FILTER_TILE_ROWS = 12;
#else
constexpr std::size_t FILTER_TILE_ROWS = 6;
#endif
// Centres per panel.
constexpr std::size_t FILTER_PANEL = 2 * FILTER_LANES;
// Points per block: the rows a thread multiplies against every panel before reading the tile,
// small enough for the rows and the tile to stay in L2.
constexpr std::size_t FILTER_BLOCK_ROWS = 8 * FILTER_TILE_ROWS;

// tile[m][c] = n_c − 2 x_m·c for MR points against one panel (d × FILTER_PANEL centres). The
// points are interleaved (rows[j × MR + m]), as the panel is, so that every load in the loop is
// at a fixed offset from one of two pointers.
// Also lowers least[m] (lane by lane) to S + slack where that is less: the least upper bound of
// nearest_candidates, found while the tile is still in registers.
template <std::size_t MR>
inline void multiply_tile(const float* rows, std::size_t d, const float* panel, const float* norms, const float* slack, float* tile,
                          std::size_t tile_stride, float* least) {
  constexpr std::size_t NV = FILTER_PANEL / FILTER_LANES, W = FILTER_PANEL;
#ifdef EKM_FILTER_VECTORS
  FilterLanes acc[MR][NV];
  for (std::size_t m = 0; m < MR; ++m) {
    for (std::size_t v = 0; v < NV; ++v) acc[m][v] = FilterLanes{};
  }
  for (std::size_t j = 0; j < d; ++j) {
    FilterLanes c[NV];
    for (std::size_t v = 0; v < NV; ++v) c[v] = load_lanes(panel + j * W + v * FILTER_LANES);
    for (std::size_t m = 0; m < MR; ++m) {
      const FilterLanes x = splat(rows[j * MR + m]);
      for (std::size_t v = 0; v < NV; ++v) acc[m][v] = multiply_add(x, c[v], acc[m][v]);
    }
  }
  for (std::size_t v = 0; v < NV; ++v) {
    const FilterLanes norm = load_lanes(norms + v * FILTER_LANES), margin = load_lanes(slack + v * FILTER_LANES);
    for (std::size_t m = 0; m < MR; ++m) {
      const FilterLanes value = norm - (acc[m][v] + acc[m][v]);
      store_lanes(tile + m * tile_stride + v * FILTER_LANES, value);
      const FilterLanes high = value + margin, low = load_lanes(least + m * FILTER_LANES);
      store_lanes(least + m * FILTER_LANES, high < low ? high : low);
    }
  }
#else
  float acc[MR][W] = {};
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t m = 0; m < MR; ++m) {
      for (std::size_t r = 0; r < W; ++r) acc[m][r] += rows[j * MR + m] * panel[j * W + r];
    }
  }
  for (std::size_t m = 0; m < MR; ++m) {
    for (std::size_t r = 0; r < W; ++r) {
      tile[m * tile_stride + r] = norms[r] - (acc[m][r] + acc[m][r]);
      least[m * FILTER_LANES + r % FILTER_LANES] = std::min(least[m * FILTER_LANES + r % FILTER_LANES], tile[m * tile_stride + r] + slack[r]);
    }
  }
#endif
}

// Whether some lane of a is at most the same lane of b.
#ifdef EKM_FILTER_VECTORS
inline bool any_at_most(FilterLanes a, FilterLanes b) {
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ) != 0;
#elif defined(__AVX2__)
  return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LE_OQ)) != 0;
#elif defined(__SSE2__)
  return _mm_movemask_ps(_mm_cmple_ps(a, b)) != 0;
#else
  const auto at_most = a <= b;
  for (std::size_t l = 0; l < FILTER_LANES; ++l) {
    if (at_most[l]) return true;
  }
  return false;
#endif
}
#endif

// Lane blocks that fast_values multiplies at once: as many accumulators as the register file
// holds beside the broadcast and the loads.
constexpr std::size_t FILTER_ROW_BLOCKS = 6;

// At most this many centres (k-means++'s candidates, a small k) are measured against one point
// at a time, straight from its row (dot_row): no packing, which costs as much as the products
// when there are so few centres to share it.
constexpr std::size_t FILTER_FEW = FILTER_LANES > 8 ? FILTER_LANES : 8;

// dots[t] = x·c_t for FILTER_FEW centres stored row by row; lanes(j) gives the point's
// FILTER_LANES values from column j, tail(j) one value.
template <class Lanes, class Tail>
inline void dot_row(Lanes lanes, Tail tail, std::size_t d, const float* centers, float* dots) {
  std::size_t j = 0;
#ifdef EKM_FILTER_VECTORS
  FilterLanes acc[FILTER_FEW];
  for (std::size_t t = 0; t < FILTER_FEW; ++t) acc[t] = FilterLanes{};
  for (; j + FILTER_LANES <= d; j += FILTER_LANES) {
    const FilterLanes x = lanes(j);
    for (std::size_t t = 0; t < FILTER_FEW; ++t) acc[t] = multiply_add(x, load_lanes(centers + t * d + j), acc[t]);
  }
  for (std::size_t t = 0; t < FILTER_FEW; ++t) {
    float sum = 0;
    for (std::size_t l = 0; l < FILTER_LANES; ++l) sum += acc[t][l];
    dots[t] = sum;
  }
#else
  (void)lanes;
  for (std::size_t t = 0; t < FILTER_FEW; ++t) dots[t] = 0;
#endif
  for (; j < d; ++j) {
    const float x = tail(j);
    for (std::size_t t = 0; t < FILTER_FEW; ++t) dots[t] += x * centers[t * d + j];
  }
}

// One point's row of the filter: S for every centre, and the point's own norm. The row is the
// scanning thread's own until its visit returns.
struct FilterRow {
  float* s;
  double norm;
  float least;  // the least S_c + slack_c over the centres
};

// What a thread's visits of scan_all use besides the tiles: the point as doubles for its exact
// distances, and room for its candidate centres.
template <class T>
struct CandidateScratch {
  explicit CandidateScratch(std::size_t k) : candidates(k) {}
  AsDouble<T> row;
  std::vector<std::uint32_t> candidates;
  std::vector<double> runs;  // lower_squared_runs' answers
};

// Per-thread working memory: a block of packed points and its tile.
struct FilterScratch {
  std::vector<float> rows;
  std::vector<float> tile;
  std::vector<float> least;
};

// The shift and scale of a fit's points, measured once; the centres are packed at every
// assignment (set_centers).
template <class T>
class DistanceFilter {
 public:
  // Below these sizes the exact kernel is as fast (measured by the benchmark's throughput table).
  static constexpr std::size_t MIN_DIMENSIONS = 8;
  static constexpr std::size_t MIN_CENTERS = 4;

  // `cancel`, when given, makes scan_all stop early once it is set: the caller then throws.
  DistanceFilter(const T* data, std::size_t n, std::size_t d, int threads, const std::atomic<bool>* cancel = nullptr)
      : data_(data), d_(d), shift_(d, 0.0), cancel_(cancel) {
    if (n == 0 || d < MIN_DIMENSIONS || d >= (std::size_t{1} << 20)) return;
    std::vector<double> low(d, INFINITY), high(d, -INFINITY);
    const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(threads)
    {
      std::vector<double> lo(d, INFINITY), hi(d, -INFINITY);
#pragma omp for schedule(static) nowait
      for (std::ptrdiff_t i = 0; i < sn; ++i) {
        const T* x = data + static_cast<std::size_t>(i) * d;
        for (std::size_t j = 0; j < d; ++j) {
          const double v = static_cast<double>(x[j]);
          lo[j] = v < lo[j] ? v : lo[j];
          hi[j] = v > hi[j] ? v : hi[j];
        }
      }
#pragma omp critical
      for (std::size_t j = 0; j < d; ++j) {
        low[j] = std::min(low[j], lo[j]);
        high[j] = std::max(high[j], hi[j]);
      }
    }
    // Shifting to the midrange pays where the data sits far from the origin (coordinates on a
    // map); where it would shrink the largest norms less than 4-fold, it is not worth its rounding.
    double spread = 0, offset = 0, shifted_reach = 0, reach = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double mid = 0.5 * low[j] + 0.5 * high[j], half = std::max(high[j] - mid, mid - low[j]), far = std::max(std::abs(low[j]), std::abs(high[j]));
      spread += half * half;
      offset += far * far;
      shifted_reach = std::max(shifted_reach, half);
      reach = std::max(reach, far);
    }
    const bool shift = !(offset <= 4 * spread);
    if (shift) {
      for (std::size_t j = 0; j < d; ++j) shift_[j] = 0.5 * low[j] + 0.5 * high[j];
    }
    shifted_ = shift;
    point_reach_ = shift ? shifted_reach : reach;
    if (!(point_reach_ * point_reach_ * static_cast<double>(d) * 16 < static_cast<double>(FLT_MAX))) return;
    point_norms_.resize(n);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) point_norms_[static_cast<std::size_t>(i)] = row_norm(static_cast<std::size_t>(i));
    const double u = 0x1p-24, dd = static_cast<double>(d);
    const double gamma = dd * u / (1 - dd * u);
    beta_ = 1.01 * (gamma + 32 * u + (dd + 8) * 0x1p-50);
    eta_ = (8 * dd + 64) * 0x1p-149;
    // The coarse tier's (native/bf16_tiles.hpp): two roundings per pair of columns, and the
    // products of bfloat16 values, up to (1 + 2^-8)² the float32 ones'.
    const double gamma2 = 2 * dd * u / (1 - 2 * dd * u);
    // The centre's part has γ_2d n_c more: the tiles start their accumulators at −n_c / 2
    // (bf16_products), and every rounding of the sum is relative to it too.
    coarse_beta_ = 1.01 * (gamma2 * (1 + 0x1p-6) + 32 * u + (dd + 8) * 0x1p-50);
    coarse_start_ = 1.01 * gamma2;
    coarse_eta_ = 4 * dd * 0x1p-126 + eta_;
    coarse_ = bf16_tiles_available();
    enabled_ = true;
  }

  // Whether nearest_all may take the coarse tier (native/bf16_tiles.hpp) where the CPU has it;
  // for comparing the tiers.
  void allow_coarse(bool allowed) { coarse_ = allowed && bf16_tiles_available(); }

  // Packs the centres (k × d, double) into panels for the tiles. Returns usable().
  bool set_centers(const double* centers, std::size_t k) {
    k_ = k;
    centers_ = centers;
    usable_ = false;
    coarse_packed_ = false;
    if (!enabled_ || k < MIN_CENTERS) return false;
    few_ = k <= FILTER_FEW;
    const std::size_t d = d_, width = few_ ? FILTER_FEW : FILTER_PANEL, panels = (k + width - 1) / width;
    double reach = point_reach_;
    for (std::size_t i = 0; i < k * d; ++i) reach = std::max(reach, std::abs(centers[i] - shift_[i % d]));
    // Every float32 value, square, norm and product stays finite: |v| ≤ reach and d reach² well
    // below FLT_MAX.
    if (!(reach * reach * static_cast<double>(d) * 16 < static_cast<double>(FLT_MAX))) return false;
    packed_.assign(panels * d * width, 0.0f);
    norms_.assign(panels * width, INFINITY);
    stride_ = panels * width;
    norms64_.assign(k, 0.0);
    slack_.assign(panels * width, 0.0f);
    for (std::size_t c = 0; c < k; ++c) {
      float* panel = &packed_[(c / width) * d * width];
      double norm = 0;
      for (std::size_t j = 0; j < d; ++j) {
        const float v = static_cast<float>(centers[c * d + j] - shift_[j]);
        // A few centres are kept row by row (dot_row), more in panels (multiply_tile).
        (few_ ? packed_[c * d + j] : panel[j * width + c % width]) = v;
        norm += static_cast<double>(v) * static_cast<double>(v);
      }
      norms64_[c] = norm;
      norms_[c] = static_cast<float>(norm);
      slack_[c] = round_up(beta_ * norm);
    }
    usable_ = true;
#ifdef EKM_BF16_TILES
    if (coarse_ && coarse_worth_ && !few_ && k >= COARSE_MIN_CENTERS) pack_coarse(k);
#endif
    return true;
  }

  bool usable() const { return usable_; }

  // Whether the last set_centers packed the centres for the coarse tier.
  bool coarse_packed() const { return coarse_packed_; }

  // Runs the filter over points [begin, end) (any range; callers choose blocks) and calls
  // visit(i, row) for each point in order.
  template <class Visit>
  void scan(std::size_t begin, std::size_t end, FilterScratch& scratch, Visit visit) const {
    for (std::size_t start = begin; start < end; start += FILTER_BLOCK_ROWS) {
      const std::size_t count = std::min(FILTER_BLOCK_ROWS, end - start);
      scan_block(count, [&](std::size_t m) { return start + m; }, scratch, visit);
    }
  }

  // The same over a list of point indices.
  template <class Visit>
  void scan_list(const std::uint32_t* indices, std::size_t count, FilterScratch& scratch, Visit visit) const {
    for (std::size_t start = 0; start < count; start += FILTER_BLOCK_ROWS) {
      const std::size_t size = std::min(FILTER_BLOCK_ROWS, count - start);
      scan_block(size, [&](std::size_t m) { return static_cast<std::size_t>(indices[start + m]); }, scratch, visit);
    }
  }

  // scan() over `count` points, `listed` ones or else 0 to count − 1, in blocks spread over
  // `threads`, each thread with its own scratch: visit(i, row, CandidateScratch<T>&).
  template <class Visit>
  void scan_all(std::size_t count, const std::uint32_t* listed, int threads, Visit visit) const {
    const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>((count + FILTER_BLOCK_ROWS - 1) / FILTER_BLOCK_ROWS);
#pragma omp parallel num_threads(threads)
    {
      FilterScratch scratch;
      CandidateScratch<T> mine(k_);
      const auto each = [&](std::size_t i, const FilterRow& row) { visit(i, row, mine); };
#pragma omp for schedule(dynamic, 4)
      for (std::ptrdiff_t b = 0; b < blocks; ++b) {
        // A fit asked to stop skips the rest of a pass that takes seconds on millions of points.
        if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) continue;
        const std::size_t start = static_cast<std::size_t>(b) * FILTER_BLOCK_ROWS, size = std::min(FILTER_BLOCK_ROWS, count - start);
        if (listed != nullptr) {
          scan_list(listed + start, size, scratch, each);
        } else {
          scan(start, start + size, scratch, each);
        }
      }
    }
  }

  // visit(i, candidates, count, CandidateScratch<T>&, other) for `count` points, `listed` ones or
  // else 0 to count − 1, with every centre that may be (or tie with) the point's nearest, in index
  // order (nearest_candidates' answer), and other(), a lower bound on the exact squared distance
  // to every centre not among them (Rest: whether visit calls it); through the coarse tier where
  // the centres were packed for it. `hints`, when given, names a centre for every point (its
  // label so far), whose exact distance bounds the nearest's from above before any product is
  // taken. Needs usable().
  template <bool Rest = true, class Visit>
  void nearest_all(std::size_t count, const std::uint32_t* listed, int threads, const std::int32_t* hints, Visit visit) {
    if (!coarse_packed_) {
      scan_all(count, listed, threads, [&](std::size_t i, const FilterRow& row, CandidateScratch<T>& mine) {
        std::uint32_t* candidates = mine.candidates.data();
        const std::size_t found = nearest_candidates(row, candidates);
        visit(i, candidates, found, mine, [&] { return lower_squared_except(row, candidates, found); });
      });
      return;
    }
#ifdef EKM_BF16_TILES
    const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>((count + BF16_BLOCK_ROWS - 1) / BF16_BLOCK_ROWS);
    std::size_t measured = 0;
#pragma omp parallel num_threads(threads) reduction(+ : measured)
    {
      CoarseScratch scratch;
      CandidateScratch<T> mine(k_);
      const auto found = [&](std::size_t i, const std::uint32_t* candidates, std::size_t size, auto other) { visit(i, candidates, size, mine, other); };
#pragma omp for schedule(dynamic, 4)
      for (std::ptrdiff_t b = 0; b < blocks; ++b) {
        if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) continue;
        const std::size_t start = static_cast<std::size_t>(b) * BF16_BLOCK_ROWS, size = std::min(BF16_BLOCK_ROWS, count - start);
        // The next block's rows, most often this thread's next, are on their way from memory
        // while this one is multiplied.
        for (std::size_t m = start + size; m < std::min(count, start + size + BF16_BLOCK_ROWS); ++m) {
          const char* row = reinterpret_cast<const char*>(data_ + (listed != nullptr ? listed[m] : m) * d_);
          for (std::size_t byte = 0; byte < d_ * sizeof(T); byte += 64) __builtin_prefetch(row + byte);
        }
        if (listed != nullptr) {
          measured += coarse_block<Rest>(size, [&](std::size_t m) { return static_cast<std::size_t>(listed[start + m]); }, hints, scratch, found);
        } else {
          measured += coarse_block<Rest>(size, [&](std::size_t m) { return start + m; }, hints, scratch, found);
        }
      }
    }
    // Where the coarse bound leaves several candidates a point (centres packed within a fraction
    // of a percent of each other), the float32 tiles are faster: the rest of the fit keeps to them.
    if (measured > COARSE_MAX_CANDIDATES * count) coarse_worth_ = false;
#endif
  }

  // Writes to `out` every centre that may be (or tie with) the nearest to the point, in index
  // order, and returns their count: those whose fast value, less its bound, is not above the
  // least fast value plus its bound.
  std::size_t nearest_candidates(const FilterRow& row, std::uint32_t* out) const {
    // The row runs on past k to a whole panel; there the centres' norms are infinite, so the
    // padding is never the least nor a candidate.
    const std::size_t length = stride_;
    const float* s = row.s;
    const float* slack = slack_.data();
    const float least = row.least;
    const double threshold = static_cast<double>(least) + (2 * beta_ * row.norm + 2 * eta_) * (1 + 0x1p-40) + std::abs(static_cast<double>(least)) * 0x1p-50;
    const float limit = round_up(threshold);
    std::size_t count = 0;
#ifdef EKM_FILTER_VECTORS
    const FilterLanes limits = splat(limit);
    for (std::size_t c0 = 0; c0 < length; c0 += FILTER_LANES) {
      if (!any_at_most(load_lanes(s + c0) - load_lanes(slack + c0), limits)) continue;
      for (std::size_t c = c0; c < c0 + FILTER_LANES; ++c) {
        if (s[c] - slack[c] <= limit) out[count++] = static_cast<std::uint32_t>(c);
      }
    }
#else
    for (std::size_t c = 0; c < length; ++c) {
      if (s[c] - slack[c] <= limit) out[count++] = static_cast<std::uint32_t>(c);
    }
#endif
    return count;
  }

  // A lower bound on the exact squared distance from the point to every centre not `listed`
  // (nearest_candidates' answer), from the least of their fast values less their slack: every such
  // value bounds S_c − β n_c from above to within u n_x (see the top of this file). Overwrites the
  // listed centres' entries of the row.
  double lower_squared_except(const FilterRow& row, const std::uint32_t* listed, std::size_t count) const {
    for (std::size_t l = 0; l < count; ++l) row.s[listed[l]] = INFINITY;
    const std::size_t length = stride_;
    const float* s = row.s;
    const float* slack = slack_.data();
#ifdef EKM_FILTER_VECTORS
    FilterLanes lanes = splat(INFINITY);
    for (std::size_t c = 0; c < length; c += FILTER_LANES) {
      const FilterLanes low = load_lanes(s + c) - load_lanes(slack + c);
      lanes = low < lanes ? low : lanes;
    }
    float least = lanes[0];
    for (std::size_t l = 1; l < FILTER_LANES; ++l) least = std::min(least, lanes[l]);
#else
    float least = INFINITY;
    for (std::size_t c = 0; c < length; ++c) least = std::min(least, s[c] - slack[c]);
#endif
    if (least == INFINITY) return INFINITY;
    const double approx = static_cast<double>(least) + row.norm;
    return approx - ((beta_ + 0x1p-24) * row.norm + eta_) * (1 + 0x1p-40) - std::abs(approx) * 0x1p-50;
  }

  // Whether fast_values can serve: the filter is usable and holds its centres in panels.
  bool panelled() const { return usable_ && !few_; }

  // The squared norm of point i as the tiles see it.
  double point_norm(std::size_t i) const { return point_norms_[i]; }

  // Row x as the tiles see it (shifted, rounded to float32), d values into `out`, for fast_values.
  void tile_row(const T* x, float* out) const {
    for (std::size_t j = 0; j < d_; ++j) out[j] = tile_value(x, j);
  }

  // s[c] = S_c, as a tile holds it, for every centre c of the lane blocks that cover centres
  // [begin, end), from one point's tile_row: the tiles' products one point at a time, for callers
  // that need a few runs of centres rather than all of them (Yinyang's failing groups). Needs
  // panelled(); s runs over the tile row's length.
  void fast_values(const float* x, std::size_t begin, std::size_t end, float* s) const {
    std::size_t block = begin / FILTER_LANES;
    const std::size_t last = (end + FILTER_LANES - 1) / FILTER_LANES;
    while (block < last) {
      const std::size_t count = std::min(last - block, FILTER_ROW_BLOCKS);
      switch (count) {
        case 1: fast_blocks<1>(x, block, s); break;
        case 2: fast_blocks<2>(x, block, s); break;
        case 3: fast_blocks<3>(x, block, s); break;
        case 4: fast_blocks<4>(x, block, s); break;
        case 5: fast_blocks<5>(x, block, s); break;
        default: fast_blocks<FILTER_ROW_BLOCKS>(x, block, s); break;
      }
      block += count;
    }
  }

  // The least S_c + slack_c over centres [begin, end) of a row: an upper bound on the nearest's
  // distance, as nearest_candidates takes it (candidate_limit's `least`).
  float least_high(const float* s, std::size_t begin, std::size_t end) const {
    return least_over(begin, end, [&](std::size_t c) { return s[c] + slack_[c]; },
                      [&](std::size_t c) { return load_lanes(s + c) + load_lanes(&slack_[c]); });
  }

  // The least S_c − slack_c over centres [begin, end) of a row: lower_squared_from's argument.
  float least_low(const float* s, std::size_t begin, std::size_t end) const {
    return least_over(begin, end, [&](std::size_t c) { return s[c] - slack_[c]; },
                      [&](std::size_t c) { return load_lanes(s + c) - load_lanes(&slack_[c]); });
  }

  // Writes to out the centres of [begin, end), in order, whose S_c − slack_c is at most `limit`
  // (candidate_limit's answer), and returns their count.
  std::size_t near_centers(const float* s, std::size_t begin, std::size_t end, float limit, std::uint32_t* out) const {
    std::size_t count = 0, c = begin;
#ifdef EKM_FILTER_VECTORS
    const FilterLanes limits = splat(limit);
    for (; c < end && c % FILTER_LANES != 0; ++c) {
      if (s[c] - slack_[c] <= limit) out[count++] = static_cast<std::uint32_t>(c);
    }
    for (; c + FILTER_LANES <= end; c += FILTER_LANES) {
      if (!any_at_most(load_lanes(s + c) - load_lanes(&slack_[c]), limits)) continue;
      for (std::size_t l = c; l < c + FILTER_LANES; ++l) {
        if (s[l] - slack_[l] <= limit) out[count++] = static_cast<std::uint32_t>(l);
      }
    }
#endif
    for (; c < end; ++c) {
      if (s[c] - slack_[c] <= limit) out[count++] = static_cast<std::uint32_t>(c);
    }
    return count;
  }

  // The largest S_c − slack_c of a centre that may be nearer to the point (norm n_x) than, or as
  // near as, the nearest centre: `least` is the least S_c + slack_c of the centres whose fast values
  // are known, `known` an exact squared distance to some centre. The same threshold as
  // nearest_candidates', and the same from `known` by lower_squared's bound.
  float candidate_limit(float least, double norm, double known) const {
    const double margin = ((beta_ + 0x1p-24) * norm + eta_) * (1 + 0x1p-40);
    const double from_least = static_cast<double>(least) + (2 * beta_ * norm + 2 * eta_) * (1 + 0x1p-40) + std::abs(static_cast<double>(least)) * 0x1p-50;
    const double from_known = (known - norm) + margin * (1 + 0x1p-30) + (known + norm + margin) * 0x1p-48;
    return round_up(std::min(from_least, from_known));
  }

  // A lower bound on the exact squared distance from a point (norm n_x) to every centre whose
  // S_c − slack_c is at least `low` (float32, as lower_squared_runs takes its least).
  double lower_squared_from(float low, double norm) const {
    const double approx = static_cast<double>(low) + norm;
    return approx - ((beta_ + 0x1p-24) * norm + eta_) * (1 + 0x1p-40) - std::abs(approx) * 0x1p-50;
  }

  // lower_squared_except for each run of consecutive centres: out[g] = a lower bound on the exact
  // squared distance from the point to every centre from starts[g] to starts[g + 1] − 1 not
  // `listed`, INFINITY where there is none. Overwrites the listed centres' entries of the row.
  void lower_squared_runs(const FilterRow& row, const std::uint32_t* listed, std::size_t count, const std::uint32_t* starts, std::size_t runs, double* out) const {
    for (std::size_t l = 0; l < count; ++l) row.s[listed[l]] = INFINITY;
    for (std::size_t g = 0; g < runs; ++g) out[g] = static_cast<double>(least_low(row.s, starts[g], starts[g + 1]));
    // Without branches, so that it vectorises.
    const double margin = ((beta_ + 0x1p-24) * row.norm + eta_) * (1 + 0x1p-40), norm = row.norm;
    for (std::size_t g = 0; g < runs; ++g) {
      const double approx = out[g] + norm;
      const double bound = approx - margin - std::abs(approx) * 0x1p-50;
      out[g] = out[g] == INFINITY ? INFINITY : bound;
    }
  }

  // A lower bound on the exact squared distance from the point to centre c.
  double lower_squared(const FilterRow& row, std::size_t c) const {
    const double norm = row.norm + norms64_[c];
    const double approx = static_cast<double>(row.s[c]) + row.norm;
    return approx - (beta_ * norm + eta_) * (1 + 0x1p-40) - std::abs(approx) * 0x1p-50;
  }

  // lower[c] = a float not above the exact distance (not squared) from the point to centre c plus
  // add[c] (≥ 0), for every centre: lower_squared's bound in float32, each rounding covered by
  // shrinking by 2^-20 (and by 2^-126 where results are subnormal).
  void lower_distances(const FilterRow& row, const float* add, float* lower) const {
    const double base64 = row.norm - (beta_ * row.norm + eta_) * (1 + 0x1p-40) - row.norm * 0x1p-48;
    float base = static_cast<float>(base64);
    if (static_cast<double>(base) > base64) base = std::nextafter(base, -INFINITY);
    const float shrink = 1 - 0x1p-20f, tiny = 0x1p-126f;
    const float* s = row.s;
    const float* slack = slack_.data();
    std::size_t c = 0;
#ifdef EKM_FILTER_VECTORS
    const FilterLanes bases = splat(base), shrinks = splat(shrink), tinies = splat(tiny), zero = splat(0.0f);
    for (; c + FILTER_LANES <= k_; c += FILTER_LANES) {
      FilterLanes v = ((load_lanes(s + c) - load_lanes(slack + c)) + bases) * shrinks - tinies;
      v = v > zero ? v : zero;
      FilterLanes r;
      for (std::size_t l = 0; l < FILTER_LANES; ++l) r[l] = std::sqrt(v[l]);
      r = (r * shrinks + load_lanes(add + c)) * shrinks - tinies;
      store_lanes(lower + c, r > zero ? r : zero);
    }
#endif
    for (; c < k_; ++c) {
      const float v = std::max(0.0f, ((s[c] - slack[c]) + base) * shrink - tiny);
      lower[c] = std::max(0.0f, (std::sqrt(v) * shrink + add[c]) * shrink - tiny);
    }
  }

 private:
  // The coarse tier serves from this many centres (two panels); below, the float32 tiles' scan is
  // as short as the coarse one's.
  static constexpr std::size_t COARSE_MIN_CENTERS = 64;
  // Candidates a point, on average, above which the coarse tier costs more than it saves.
  static constexpr std::size_t COARSE_MAX_CANDIDATES = 4;

  // A thread's working memory for coarse_block.
  struct CoarseScratch {
    std::vector<std::uint32_t> words;
    std::vector<float> row, low, groups, rest, values;
    std::vector<std::uint32_t> hits;
    AsDouble<T> exact;  // a point's row for its hinted centre's distance
    std::vector<double> rounding;  // e_x² of each point of the block
    std::vector<std::uint32_t> candidates;
  };

#ifdef EKM_BF16_TILES
  // The centres as the coarse tier reads them: bfloat16 pairs of columns in panels of BF16_PANEL
  // (for each pair, a word per centre), with their norms less their slack, the padding's infinite.
  void pack_coarse(std::size_t k) {
    const std::size_t d = d_, pairs = (d + 1) / 2, panels = (k + BF16_PANEL - 1) / BF16_PANEL;
    coarse_stride_ = panels * BF16_PANEL;
    coarse_pairs_ = pairs;
    coarse_centers_.assign(panels * pairs * BF16_PANEL, 0);
    coarse_lows_.assign(coarse_stride_, INFINITY);
    coarse_gap_ = 0;
    std::vector<float> row((d + 15) / 16 * 16, 0.0f);
    for (std::size_t c = 0; c < k; ++c) {
      const float* rows = &packed_[(c / FILTER_PANEL) * d * FILTER_PANEL + c % FILTER_PANEL];
      for (std::size_t j = 0; j < d; ++j) row[j] = rows[j * FILTER_PANEL];
      const double rounding = bf16_pairs(row.data(), pairs, &coarse_centers_[(c / BF16_PANEL) * pairs * BF16_PANEL + c % BF16_PANEL], BF16_PANEL);
      const double norm = norms64_[c];
      const float slack = round_up(((coarse_beta_ + coarse_start_ + BF16_ALPHA) * norm + rounding / BF16_ALPHA) * (1 + 0x1p-40));
      coarse_lows_[c] = norms_[c] - slack;
      coarse_gap_ = std::max(coarse_gap_, 2 * static_cast<double>(slack));
    }
    coarse_packed_ = true;
  }

  // The coarse tier over `count` points, index(0) to index(count − 1): found(i, candidates, count,
  // other) for each, in order, as nearest_all's visit. Returns how many candidates it found in all.
  template <bool Rest, class Index, class Found>
  std::size_t coarse_block(std::size_t count, Index index, const std::int32_t* hints, CoarseScratch& scratch, Found found) const {
    constexpr std::size_t MR = BF16_TILE_ROWS;
    const std::size_t d = d_, pairs = coarse_pairs_, stride = coarse_stride_, panels = stride / BF16_PANEL, groups = bf16_groups(panels);
    const std::size_t tiles = (count + MR - 1) / MR, hit_stride = stride + 32;
    scratch.words.resize(tiles * pairs * MR);
    scratch.rounding.resize(tiles * MR);
    // The row as the tiles see it, zeros past its end to the next 16 values.
    scratch.row.assign((d + 15) / 16 * 16, 0.0f);
    float* row = scratch.row.data();
    for (std::size_t t = 0; t < tiles; ++t) {
      for (std::size_t m = 0; m < MR; ++m) {
        // The padding repeats a point, whose results are never read.
        const T* x = data_ + index(std::min(t * MR + m, count - 1)) * d;
        for (std::size_t j = 0; j < d; ++j) row[j] = tile_value(x, j);
        scratch.rounding[t * MR + m] = bf16_pairs(row, pairs, &scratch.words[t * pairs * MR + m], MR);
      }
    }
    // The point's term of the bound: |S_c + n_x − exact| ≤ point + slack_c.
    const auto point_term = [&](std::size_t m, double norm) {
      return (coarse_beta_ + BF16_ALPHA * (1 + 0x1p-6)) * norm + scratch.rounding[m] / BF16_ALPHA * (1 + 0x1p-40) + coarse_eta_;
    };
    // Every centre's exact distance is at least its low value plus n_x less the point's term: the
    // float32 roundings of the low value lie within the 32u of the coarse β (see pack_coarse);
    // 2^-20 n_x more is a margin of safety.
    const auto lower_from = [](float low, double norm, double point) {
      if (low == INFINITY) return static_cast<double>(INFINITY);
      const double approx = static_cast<double>(low) + norm;
      return approx - (point + 0x1p-20 * norm) * (1 + 0x1p-40) - std::abs(approx) * 0x1p-50;
    };
    std::size_t total = 0;
    if (hints != nullptr) {
      scratch.hits.resize(MR * hit_stride);
      scratch.values.resize(MR * hit_stride);
      scratch.rest.resize(MR * 16);
      for (std::size_t t = 0; t < tiles; ++t) {
        float limits[MR];
        std::size_t counts[MR] = {};
        for (std::size_t m = 0; m < MR; ++m) {
          // The hinted centre's exact distance bounds the nearest's from above, so the nearest's
          // low value is at most it less n_x plus the point's term (with room for the roundings
          // of this sum and for any order of summation of the exact distance).
          const std::size_t i = index(std::min(t * MR + m, count - 1)), hint = static_cast<std::size_t>(hints[i]);
          const double known = squared_distance(scratch.exact(data_ + i * d, d), centers_ + hint * d, d) * (1 + 0x1p-40);
          const double norm = point_norms_[i], point = point_term(t * MR + m, norm);
          // The tile compares −value / 2 with −limit / 2: exact halvings, but in float32's subnormal range.
          limits[m] = -0.5f * round_up(known - norm + point + (known + norm + point) * 0x1p-50);
        }
        if (Rest) std::fill(scratch.rest.begin(), scratch.rest.end(), -INFINITY);
        bf16_tile_limited<Rest>(&scratch.words[t * pairs * MR], pairs, coarse_centers_.data(), panels, coarse_lows_.data(), limits, scratch.hits.data(),
                                scratch.values.data(), hit_stride, counts, scratch.rest.data());
        for (std::size_t m = 0; m < MR && t * MR + m < count; ++m) {
          const std::size_t i = index(t * MR + m);
          const double norm = point_norms_[i], point = point_term(t * MR + m, norm);
          // Where the hinted centre was far from the nearest (centres that moved far), the hits
          // are many; the least of them bounds the nearest as the stored rows do, and the hits
          // above that limit are dropped, their values kept for other().
          std::uint32_t* hits = &scratch.hits[m * hit_stride];
          float* values = &scratch.values[m * hit_stride];
          float dropped = INFINITY;
          std::size_t kept = counts[m];
          if (kept > 1) {  // most points have one hit, the least
            float least = INFINITY;
            for (std::size_t h = 0; h < counts[m]; ++h) {
              values[h] *= -2;  // exact
              least = std::min(least, values[h]);
            }
            const double high = static_cast<double>(least) + coarse_gap_;
            const float limit = round_up(high + 2 * point * (1 + 0x1p-40) + std::abs(high) * 0x1p-50);
            kept = 0;
            for (std::size_t h = 0; h < counts[m]; ++h) {
              if (values[h] <= limit) {
                hits[kept++] = hits[h];
              } else {
                dropped = std::min(dropped, values[h]);
              }
            }
          }
          total += kept;
          found(i, hits, kept, [&] { return lower_from(std::min(dropped, -2 * bf16_most_lane(&scratch.rest[m * 16])), norm, point); });
        }
      }
      return total;
    }
    scratch.low.resize(MR * stride);
    scratch.groups.resize(MR * groups * 16);
    scratch.candidates.resize(stride + 16);
    for (std::size_t m = 0; m < count; ++m) {
      // A tile at a time, so that its rows are still in a near cache when they are scanned.
      if (m % MR == 0) bf16_tile(&scratch.words[m * pairs], pairs, coarse_centers_.data(), panels, coarse_lows_.data(), scratch.low.data(), stride, scratch.groups.data());
      const std::size_t i = index(m);
      float* low = &scratch.low[(m % MR) * stride];
      const float* summary = &scratch.groups[(m % MR) * groups * 16];
      const double norm = point_norms_[i], point = point_term(m, norm);
      // The least S_c + slack_c is at most the least S_c − slack_c plus the largest 2 slack_c.
      const double least = static_cast<double>(bf16_least(summary, groups)) + coarse_gap_;
      const float limit = round_up(least + 2 * point * (1 + 0x1p-40) + std::abs(least) * 0x1p-50);
      std::uint32_t* candidates = scratch.candidates.data();
      const std::size_t size = bf16_at_most(low, summary, panels, limit, candidates);
      total += size;
      found(i, candidates, size, [&] {
        for (std::size_t l = 0; l < size; ++l) low[candidates[l]] = INFINITY;
        return lower_from(bf16_least_except(low, summary, panels, limit), norm, point);
      });
    }
    return total;
  }
#endif

  static float round_up(double x) {
    float f = static_cast<float>(x);
    if (static_cast<double>(f) < x) f = std::nextafter(f, INFINITY);
    return f;
  }

  // Column j of row x as the tiles see it: shifted, rounded to float32.
  float tile_value(const T* x, std::size_t j) const {
    return shifted_ ? static_cast<float>(static_cast<double>(x[j]) - shift_[j]) : static_cast<float>(x[j]);
  }

  // The squared norm of row i as the tiles see it, in double.
  double row_norm(std::size_t i) const {
    const T* x = data_ + i * d_;
    double norm = 0;
    for (std::size_t j = 0; j < d_; ++j) {
      const double v = static_cast<double>(tile_value(x, j));
      norm += v * v;
    }
    return norm;
  }

  // The least of value(c) over [begin, end), by whole lane blocks through lanes(c) with the lanes
  // outside the range masked (a row runs on to whole panels, so every block is there to read).
  template <class Value, class Lanes>
  static float least_over(std::size_t begin, std::size_t end, Value value, Lanes lanes) {
    float least = INFINITY;
#ifdef EKM_FILTER_VECTORS
    (void)value;
    FilterLanes block = splat(INFINITY);
    const FilterLanes infinite = block;
    for (std::size_t c = begin - begin % FILTER_LANES; c < end; c += FILTER_LANES) {
      const IndexLanes index = lane_indices() + static_cast<std::int32_t>(c);
      const FilterLanes v = (index >= static_cast<std::int32_t>(begin)) & (index < static_cast<std::int32_t>(end)) ? lanes(c) : infinite;
      block = v < block ? v : block;
    }
    for (std::size_t l = 0; l < FILTER_LANES; ++l) least = std::min(least, block[l]);
#else
    (void)lanes;
    for (std::size_t c = begin; c < end; ++c) least = std::min(least, value(c));
#endif
    return least;
  }

  // fast_values for NB consecutive lane blocks from `block`: NB accumulators, so that the products
  // of one column overlap.
  template <std::size_t NB>
  void fast_blocks(const float* x, std::size_t block, float* s) const {
    constexpr std::size_t W = FILTER_PANEL;
    const std::size_t d = d_;
    const float* base[NB];
    for (std::size_t b = 0; b < NB; ++b) {
      const std::size_t first = (block + b) * FILTER_LANES;
      base[b] = &packed_[(first / W) * d * W + first % W];
    }
#ifdef EKM_FILTER_VECTORS
    FilterLanes acc[NB];
    for (std::size_t b = 0; b < NB; ++b) acc[b] = FilterLanes{};
    for (std::size_t j = 0; j < d; ++j) {
      const FilterLanes xj = splat(x[j]);
      for (std::size_t b = 0; b < NB; ++b) acc[b] = multiply_add(xj, load_lanes(base[b] + j * W), acc[b]);
    }
    for (std::size_t b = 0; b < NB; ++b) {
      const std::size_t first = (block + b) * FILTER_LANES;
      store_lanes(s + first, load_lanes(&norms_[first]) - (acc[b] + acc[b]));
    }
#else
    for (std::size_t b = 0; b < NB; ++b) {
      const std::size_t first = (block + b) * FILTER_LANES;
      float acc[FILTER_LANES] = {};
      for (std::size_t j = 0; j < d; ++j) {
        for (std::size_t l = 0; l < FILTER_LANES; ++l) acc[l] += x[j] * base[b][j * W + l];
      }
      for (std::size_t l = 0; l < FILTER_LANES; ++l) s[first + l] = norms_[first + l] - (acc[l] + acc[l]);
    }
#endif
  }

  template <class Index, class Visit>
  void scan_block(std::size_t count, Index index, FilterScratch& scratch, Visit visit) const {
    if (few_) {
      scan_few(count, index, scratch, visit);
    } else {
      scan_tiles(count, index, scratch, visit);
    }
  }

  template <class Index, class Visit>
  void scan_few(std::size_t count, Index index, FilterScratch& scratch, Visit visit) const {
    const std::size_t d = d_;
    scratch.tile.resize(FILTER_FEW);
    float* s = scratch.tile.data();
    for (std::size_t m = 0; m < count; ++m) {
      const std::size_t i = index(m);
      const T* x = data_ + i * d;
      const auto tail = [&](std::size_t j) { return tile_value(x, j); };
#ifdef EKM_FILTER_VECTORS
      const auto lanes = [&](std::size_t j) {
        if constexpr (std::is_same_v<T, float>) {
          if (!shifted_) return load_lanes(x + j);
        }
        float values[FILTER_LANES];
        for (std::size_t l = 0; l < FILTER_LANES; ++l) values[l] = tail(j + l);
        return load_lanes(values);
      };
#else
      const auto lanes = [](std::size_t) { return 0; };
#endif
      dot_row(lanes, tail, d, packed_.data(), s);
      float least = INFINITY;
      for (std::size_t t = 0; t < FILTER_FEW; ++t) {
        s[t] = norms_[t] - (s[t] + s[t]);
        least = std::min(least, s[t] + slack_[t]);
      }
      visit(i, FilterRow{s, point_norms_[i], least});
    }
  }

  template <class Index, class Visit>
  void scan_tiles(std::size_t count, Index index, FilterScratch& scratch, Visit visit) const {
    constexpr std::size_t MR = FILTER_TILE_ROWS, width = FILTER_PANEL;
    const std::size_t d = d_, panels = stride_ / width, stride = stride_;
    const std::size_t tiles = (count + MR - 1) / MR;
    scratch.rows.resize(tiles * MR * d);
    scratch.tile.resize(tiles * MR * stride);
    scratch.least.assign(tiles * MR * FILTER_LANES, INFINITY);
    for (std::size_t t = 0; t < tiles; ++t) {
      float* rows = &scratch.rows[t * MR * d];
      const T* x[MR];
      const std::size_t present = std::min(MR, count - t * MR);
      for (std::size_t m = 0; m < MR; ++m) x[m] = data_ + index(t * MR + std::min(m, present - 1)) * d;
      // Written in the tile's order, read as MR streams; the padding repeats a point, whose
      // results are never read.
      if (shifted_) {
        for (std::size_t j = 0; j < d; ++j) {
          for (std::size_t m = 0; m < MR; ++m) rows[j * MR + m] = static_cast<float>(static_cast<double>(x[m][j]) - shift_[j]);
        }
      } else {
        for (std::size_t j = 0; j < d; ++j) {
          for (std::size_t m = 0; m < MR; ++m) rows[j * MR + m] = static_cast<float>(x[m][j]);
        }
      }
    }
    for (std::size_t panel = 0; panel < panels; ++panel) {
      const float* centers = &packed_[panel * d * width];
      const float* norms = &norms_[panel * width];
      for (std::size_t t = 0; t < tiles; ++t) {
        multiply_tile<MR>(&scratch.rows[t * MR * d], d, centers, norms, &slack_[panel * width], &scratch.tile[t * MR * stride + panel * width], stride,
                              &scratch.least[t * MR * FILTER_LANES]);
      }
    }
    for (std::size_t m = 0; m < count; ++m) {
      const std::size_t i = index(m);
      const float* lanes = &scratch.least[m * FILTER_LANES];
      float least = lanes[0];
      for (std::size_t l = 1; l < FILTER_LANES; ++l) least = std::min(least, lanes[l]);
      visit(i, FilterRow{&scratch.tile[m * stride], point_norms_[i], least});
    }
  }

  const T* data_;
  std::size_t d_, k_ = 0;
  std::vector<double> shift_;
  const std::atomic<bool>* cancel_;
  double point_reach_ = 0, beta_ = 0, eta_ = 0;
  bool enabled_ = false, usable_ = false, shifted_ = false;
  std::size_t stride_ = 0;  // centres per tile row: k rounded up to whole panels
  bool few_ = false;                                    // at most FILTER_FEW centres, stored row by row
  std::vector<double> point_norms_;
  std::vector<float> packed_, norms_, slack_;
  std::vector<double> norms64_;
  // The coarse tier: whether the CPU and caller allow it, whether it has paid so far in this fit,
  // and the centres packed for it at the last set_centers.
  bool coarse_ = false, coarse_worth_ = true, coarse_packed_ = false;
  const double* centers_ = nullptr;  // set_centers', for the hinted centres' exact distances
  double coarse_beta_ = 0, coarse_start_ = 0, coarse_eta_ = 0;
  std::size_t coarse_stride_ = 0, coarse_pairs_ = 0;
  std::vector<std::uint32_t> coarse_centers_;
  std::vector<float> coarse_lows_;  // fl(n_c − slack_c)
  double coarse_gap_ = 0;           // the largest 2 slack_c
};

}  // namespace EKM_ISA
}  // namespace ekm
