// Yinyang k-means (Ding et al., ICML 2015), the steps of lib/core/yinyang.ts: exact k-means whose
// k centres are split once into t groups of nearby centres (yinyang_group_count). Per point: an
// upper bound on the distance to its own centre, a lower bound on the distance to all the others
// (the global filter, loosened as Hamerly's is), and one lower bound per group over the group's
// centres other than the point's own (the group filter): n × t bounds where Elkan keeps n × k.
// A point whose global bound fails compares its centre with the group bounds; in each group that
// fails, the centres whose own shift still leaves them behind the group's previous bound are
// skipped (the local filter), and the rest are measured. Ties and near-ties are measured and
// decided as Lloyd decides them, so the labels are Lloyd's. Each point's work touches only its
// own bounds, so threads never change a result.
//
// As in Elkan, group bounds are stored as float32 rounded down, plus the group's total shift when
// they were stored (moved_): a point that passes the global filter never touches them, and
// centers_moved() does not rewrite them.
//
// Where the distance filter is usable, measuring goes through it: only the centres that may be
// nearest are measured exactly, and group bounds start from the filter's rigorous lower bounds.
// The first assignment, and every point whose bounds leave many centres to measure (early
// iterations, when centres move far), are scanned in tiles against all centres, as Hamerly's
// rescans are; the other points take the fast values of their failing groups' centres alone,
// one point at a time, in place of the local filter. The TypeScript version measures exactly
// instead, so the two keep different bounds but reach the same labels.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "center_distances.hpp"
#include "distance.hpp"
#include "distance_filter.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

// Centres per group, t = k / 40 groups (one below 80 centres; lib/core/yinyang.ts and
// Backend.boundsBytes use the same count). The paper's k / 10 measured slower here, at 200 000 × 32,
// k = 1000 (Gaussian blobs, one thread, 10 iterations): 1.33 s against 1.16 s at k / 20 and 1.14 s
// at k / 40 (1.22 s at k / 80): with the distance filter, a fresh point costs about as much
// in group bounds as in distances, and t bounds are t floats to write and read per point.
constexpr std::size_t YINYANG_CENTERS_PER_GROUP = 40;
inline std::size_t yinyang_group_count(std::size_t k) { return std::max<std::size_t>(1, k / YINYANG_CENTERS_PER_GROUP); }

// Rounds of Lloyd's algorithm over the initial centres that form the groups.
constexpr int YINYANG_GROUPING_ROUNDS = 5;

// The groups of centres: members lists every centre, group by group and by index within a group;
// group g holds members[starts[g]] to members[starts[g + 1]] − 1; group_of[c] is c's group.
struct CenterGroups {
  std::vector<std::uint32_t> members, starts, group_of, position_of;  // position_of[c]: c's place in members
  std::size_t count() const { return starts.size() - 1; }
};

// Groups the k centres (k × d) by a few rounds of Lloyd's algorithm over them, from t evenly spaced
// centres (c = ⌊g k / t⌋), ties to the lowest group, sums in index order; empty groups are dropped.
// No randomness and one thread: lib/core/yinyang.ts forms the same groups.
inline CenterGroups group_centers(const double* centers, std::size_t k, std::size_t d, std::size_t t) {
  std::vector<double> means(t * d), sums(t * d);
  std::vector<std::size_t> sizes(t);
  std::vector<std::uint32_t> group_of(k, 0);
  for (std::size_t g = 0; g < t; ++g) std::copy(centers + (g * k / t) * d, centers + (g * k / t + 1) * d, means.begin() + static_cast<std::ptrdiff_t>(g * d));
  for (int round = 0; round <= YINYANG_GROUPING_ROUNDS; ++round) {
    for (std::size_t c = 0; c < k; ++c) {
      std::size_t best = 0;
      double nearest = 0;
      for (std::size_t g = 0; g < t; ++g) {
        const double dist = squared_distance(centers + c * d, means.data() + g * d, d);
        if (g == 0 || dist < nearest) {
          nearest = dist;
          best = g;
        }
      }
      group_of[c] = static_cast<std::uint32_t>(best);
    }
    if (round == YINYANG_GROUPING_ROUNDS) break;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(sizes.begin(), sizes.end(), 0);
    for (std::size_t c = 0; c < k; ++c) {
      const std::size_t g = group_of[c];
      for (std::size_t j = 0; j < d; ++j) sums[g * d + j] += centers[c * d + j];
      ++sizes[g];
    }
    for (std::size_t g = 0; g < t; ++g) {
      if (sizes[g] == 0) continue;  // an empty group keeps its mean
      for (std::size_t j = 0; j < d; ++j) means[g * d + j] = sums[g * d + j] / static_cast<double>(sizes[g]);
    }
  }
  // Empty groups dropped, the rest renumbered in order.
  std::vector<std::uint32_t> renumber(t, 0);
  std::fill(sizes.begin(), sizes.end(), 0);
  for (std::size_t c = 0; c < k; ++c) ++sizes[group_of[c]];
  CenterGroups groups;
  groups.starts.push_back(0);
  std::uint32_t used = 0;
  for (std::size_t g = 0; g < t; ++g) {
    if (sizes[g] == 0) continue;
    renumber[g] = used++;
    groups.starts.push_back(groups.starts.back() + static_cast<std::uint32_t>(sizes[g]));
  }
  groups.group_of.resize(k);
  groups.members.resize(k);
  std::vector<std::uint32_t> next(groups.starts.begin(), groups.starts.end() - 1);
  for (std::size_t c = 0; c < k; ++c) {
    const std::uint32_t g = renumber[group_of[c]];
    groups.group_of[c] = g;
    groups.members[next[g]++] = static_cast<std::uint32_t>(c);
  }
  groups.position_of.resize(k);
  for (std::size_t m = 0; m < k; ++m) groups.position_of[groups.members[m]] = static_cast<std::uint32_t>(m);
  return groups;
}

template <class T>
class YinyangAssigner {
 public:
  explicit YinyangAssigner(const Problem<T>& p)
      : p_(p), upper_(p.n), global_(p.n), half_nearest_(p.k), filter_(p.data, p.n, p.d, p.threads, p.cancel) {}

  void assign(const T* centers, std::int32_t* labels) {
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
    const double* centers64 = centers_as_double_(centers, p_.k * p_.d);
    if (!bounds_ready_) {
      groups_ = group_centers(centers64, p_.k, p_.d, yinyang_group_count(p_.k));
      const std::size_t t = groups_.count();
      lower_.assign(p_.n * t, 0.0f);
      moved_.assign(t, 0.0);
      moved_generously_.assign(t, 0.0);
      before_generously_.assign(t, 0.0);
      if (filter_.set_centers(grouped_centers(centers64), p_.k)) {
        init_bounds_filtered(centers64, labels);
      } else {
#pragma omp parallel num_threads(p_.threads)
        {
          AsDouble<T> row;
          std::vector<double> squared(p_.k);
#pragma omp for schedule(static)
          for (std::ptrdiff_t i = 0; i < n; ++i) init_bounds(static_cast<std::size_t>(i), row, centers64, labels, squared.data());
        }
      }
      bounds_ready_ = true;
      return;
    }
    half_center_distances(centers64, p_.k, p_.d, p_.threads, half_nearest_.data(), nullptr);
    // A point whose bounds leave more centres to measure than a pass of the distance filter over
    // all of them costs is rescanned through the filter instead, after the others. With the centres
    // in panels (update_point_filtered), that is past a quarter of the centres: one point's fast
    // values read every panel value once where a tile of points shares each read, so they cost
    // about twice the tiles' per centre, and a rescan adds its per-point work over all k. Measured
    // at 500 000 × 32, k = 1000 (Gaussian blobs, one thread, 10 iterations): 5.35 s at k / 5,
    // 5.44 s at k / 3.3, 5.68 s at k / 2.2, 6.54 s at k / 11; at 100 000 × 128, k = 1024 and
    // 200 000 × 8, k = 256 a quarter was within 2 % of the best of k / 10, k / 4 and k / 2.
    // Without panels, each centre costs an exact distance of about d against the filter's
    // d / 8 + 8 (elkan.hpp), and a quarter of what that gives measured best at 200 000 × 32,
    // k = 1000, as each exact distance brings its bookkeeping.
    const bool filtered = filter_.set_centers(grouped_centers(centers64), p_.k);
    const double d = static_cast<double>(p_.d);
    const std::size_t most = !filtered ? p_.k : filter_.panelled() ? p_.k / 4 : static_cast<std::size_t>(static_cast<double>(p_.k) * (d / 8 + 8) / d / 4);
    flags_.assign(p_.n, 0);
#pragma omp parallel num_threads(p_.threads)
    {
      AsDouble<T> row;
      Scratch scratch(p_.k, groups_.count(), p_.d);
#pragma omp for schedule(dynamic, 256)
      for (std::ptrdiff_t i = 0; i < n; ++i) flags_[i] = update_point(static_cast<std::size_t>(i), row, centers64, labels, scratch, most);
    }
    if (!filtered) return;
    rescan_.clear();
    for (std::size_t i = 0; i < p_.n; ++i) {
      if (flags_[i]) rescan_.push_back(static_cast<std::uint32_t>(i));
    }
    filter_.scan_all(rescan_.size(), rescan_.data(), p_.threads,
                     [&](std::size_t i, const FilterRow& fast, CandidateScratch<T>& mine) { scan_filtered(i, fast, centers64, labels, mine); });
  }

  // Upper bounds grow by their centre's shift; the global bound shrinks by the largest shift of
  // another centre (Hamerly's); the group bounds by their group's largest shift, added to moved_.
  void centers_moved(const T*, const double* shifts, const std::int32_t* labels) {
    const LargestShifts top = largest_shifts(shifts, p_.k);
    grouped_shifts_.resize(p_.k);
    for (std::size_t m = 0; m < p_.k; ++m) grouped_shifts_[m] = shifts[groups_.members[m]];
    for (std::size_t g = 0; g < groups_.count(); ++g) {
      double group_shift = 0;
      for (std::uint32_t m = groups_.starts[g]; m < groups_.starts[g + 1]; ++m) group_shift = std::max(group_shift, shifts[groups_.members[m]]);
      before_generously_[g] = moved_generously_[g];
      moved_[g] += group_shift;
      // A margin for the rounding of the sums, as in Elkan (elkan.hpp).
      moved_generously_[g] = moved_[g] * (1 + 0x1p-30);
    }
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
#pragma omp parallel for num_threads(p_.threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      upper_[i] += shifts[labels[i]];
      const double moved = global_[i] - top.other_than(labels[i]);
      global_[i] = moved > 0 ? moved : 0;
    }
  }

 private:
  // Per thread: the centres a point measures, their squared distances, and for each group that
  // failed its filter where its candidates start in that list and whether the local filter skipped
  // any of its centres.
  struct Scratch {
    Scratch(std::size_t k, std::size_t t, std::size_t d) : candidates(k), squared(k), failed(t), begins(t + 1), skipped(t), fast(k + 2 * FILTER_PANEL), row(d) {}
    std::vector<std::uint32_t> candidates;
    std::vector<double> squared;
    std::vector<std::uint32_t> failed, begins;
    std::vector<std::uint8_t> skipped;
    std::vector<float> fast;  // the filter's S values, by position in groups_.members
    std::vector<float> row;   // the point as the filter's tiles see it
  };

  // First assignment: point i against every centre, as Lloyd's; every bound exact.
  void init_bounds(std::size_t i, AsDouble<T>& row, const double* centers, std::int32_t* labels, double* squared) {
    const std::size_t k = p_.k;
    std::size_t label = 0;
    for_each_center_distance(row(p_.row(i), p_.d), centers, k, p_.d, [&](std::size_t c, double dist) {
      squared[c] = dist;
      if (dist < squared[label]) label = c;
    });
    float* lower = &lower_[i * groups_.count()];
    double global = INFINITY;
    for (std::size_t g = 0; g < groups_.count(); ++g) {
      double least = INFINITY;
      for (std::uint32_t m = groups_.starts[g]; m < groups_.starts[g + 1]; ++m) {
        const std::uint32_t c = groups_.members[m];
        if (c != label) least = std::min(least, squared[c]);
      }
      least = std::sqrt(least);
      lower[g] = stored_lower_bound(least, g);
      global = std::min(global, least);
    }
    labels[i] = static_cast<std::int32_t>(label);
    upper_[i] = std::sqrt(squared[label]);
    global_[i] = global;
  }

  // The first assignment through the distance filter: only the centres that may be nearest are
  // measured; the group bounds of the rest come from the fast distances' lower bounds.
  void init_bounds_filtered(const double* centers, std::int32_t* labels) {
    filter_.scan_all(p_.n, nullptr, p_.threads,
                     [&](std::size_t i, const FilterRow& fast, CandidateScratch<T>& mine) { scan_filtered(i, fast, centers, labels, mine); });
  }

  // Point i against every centre through the distance filter: only the centres that may be nearest
  // are measured; the group bounds of the rest come from the fast distances' lower bounds. Every
  // bound starts afresh. The filter holds the centres group by group (grouped_centers), so that
  // each group's fast values are consecutive.
  void scan_filtered(std::size_t i, const FilterRow& fast, const double* centers, std::int32_t* labels, CandidateScratch<T>& mine) {
    const std::size_t d = p_.d, t = groups_.count();
    std::uint32_t* candidates = mine.candidates.data();
    const std::size_t count = filter_.nearest_candidates(fast, candidates);
    float* lower = &lower_[i * t];
    double global = INFINITY;
    mine.runs.resize(t);
    double* runs = mine.runs.data();
    filter_.lower_squared_runs(fast, candidates, count, groups_.starts.data(), t, runs);
    // Without branches, so that it vectorises: as many bounds as groups per point, about as much
    // work as the filter's own row.
    const double* moved = moved_.data();
    for (std::size_t g = 0; g < t; ++g) {
      const double squared = runs[g];
      const double least = squared > 0 ? std::sqrt(squared) * (1 - 0x1p-50) : 0.0;
      runs[g] = least;
      lower[g] = as_lower_bound(least + moved[g]);
    }
    for (std::size_t g = 0; g < t; ++g) global = std::min(global, runs[g]);
    for (std::size_t l = 0; l < count; ++l) candidates[l] = groups_.members[candidates[l]];
    // A measured candidate joins its group's bound once it is known not to be the nearest.
    const auto other = [&](std::size_t c, double squared) {
      const std::size_t g = groups_.group_of[c];
      const double least = std::sqrt(squared);
      lower[g] = std::min(lower[g], stored_lower_bound(least, g));
      global = std::min(global, least);
    };
    std::size_t label = 0;
    double nearest = INFINITY;
    bool first = true;
    // The candidates come group by group, not in index order: ties go to the lowest index explicitly.
    for_each_listed_distance(mine.row(p_.row(i), d), centers, d, candidates, count, [&](std::size_t c, double squared) {
      if (first || squared < nearest || (squared == nearest && c < label)) {
        if (!first) other(label, nearest);
        nearest = squared;
        label = c;
        first = false;
      } else {
        other(c, squared);
      }
    });
    labels[i] = static_cast<std::int32_t>(label);
    upper_[i] = std::sqrt(nearest);
    global_[i] = global;
  }

  // Yinyang's step for point i (its upper and global bounds already moved by centers_moved).
  // Returns whether it left the point for scan_filtered: its bounds left more than `most` centres
  // to measure.
  bool update_point(std::size_t i, AsDouble<T>& row, const double* centers, std::int32_t* labels, Scratch& scratch, std::size_t most) {
    const std::size_t d = p_.d, t = groups_.count();
    const std::size_t label = static_cast<std::size_t>(labels[i]);
    const double global = std::max(half_nearest_[label], global_[i]);
    if (upper_[i] * PRUNE_MARGIN < global) return false;
    // The global filter again, from the group bounds: their least is often far above the global
    // bound, which shrinks by the largest shift of all centres.
    float* lower = &lower_[i * t];
    const double groups_least = least_group_bound(lower);
    global_[i] = std::max(global_[i], groups_least);
    const double ruled_out = std::max(half_nearest_[label], groups_least);
    if (upper_[i] * PRUNE_MARGIN < ruled_out) return false;
    const double* x = row(p_.row(i), d);
    const double own_squared = squared_distance(x, centers + label * d, d);
    const double own = std::sqrt(own_squared);
    upper_[i] = own;
    const double reach = own * PRUNE_MARGIN;
    if (reach < ruled_out) return false;
    if (filter_.panelled()) return update_point_filtered(i, x, centers, own_squared, reach, labels, scratch, most);
    // The group filter, then the local filter within each group that fails it.
    std::size_t count = 0, failed = 0;
    for (std::size_t g = 0; g < t && count <= most; ++g) {
      if (reach + moved_generously_[g] < static_cast<double>(lower[g])) continue;
      scratch.failed[failed] = static_cast<std::uint32_t>(g);
      scratch.begins[failed] = static_cast<std::uint32_t>(count);
      // Centre c is skipped when reach + before + shift_c < lower[g], tested as shift_c < lower[g] −
      // (reach + before): the rounding of that difference, 2^-53 of lower[g], is far below the 2^-22
      // that the stored bound keeps below the exact one. Collected without branches.
      const double threshold = static_cast<double>(lower[g]) - (reach + before_generously_[g]);
      std::size_t kept = 0, members = 0;
      for (std::uint32_t m = groups_.starts[g]; m < groups_.starts[g + 1]; ++m) {
        const std::uint32_t c = groups_.members[m];
        const bool other = c != label;
        scratch.candidates[count + kept] = c;
        kept += static_cast<std::size_t>(other & (grouped_shifts_[m] >= threshold));
        members += static_cast<std::size_t>(other);
      }
      scratch.skipped[failed] = kept < members;
      count += kept;
      ++failed;
    }
    scratch.begins[failed] = static_cast<std::uint32_t>(count);
    if (count > most) return true;

    const std::uint32_t* candidates = scratch.candidates.data();
    double* squared = scratch.squared.data();
    double best_squared = own_squared;
    const std::size_t best = nearest_listed(x, centers, candidates, count, label, best_squared, squared);

    // New bounds for the groups that failed: their measured centres other than the new label, and
    // their old bound where the local filter skipped some.
    for (std::size_t f = 0; f < failed; ++f) {
      const std::size_t g = scratch.failed[f];
      double least = INFINITY;
      for (std::uint32_t l = scratch.begins[f]; l < scratch.begins[f + 1]; ++l) {
        if (candidates[l] != best) least = std::min(least, squared[l]);
      }
      const float measured = stored_lower_bound(std::sqrt(least), g);
      lower[g] = scratch.skipped[f] ? std::min(lower[g], measured) : measured;
    }
    // The old centre, if the point left it, is one more centre of its group.
    if (best != label) {
      const std::size_t g = groups_.group_of[label];
      lower[g] = std::min(lower[g], stored_lower_bound(own, g));
    }
    labels[i] = static_cast<std::int32_t>(best);
    upper_[i] = std::sqrt(best_squared);
    global_[i] = least_group_bound(lower);
    return false;
  }

  // The rest of update_point where the filter holds the centres in panels: the fast values of every
  // centre of the groups that fail their filter (no local filter: a fast value costs about what
  // the local filter's test does), the centres among them that may be nearest measured exactly, and
  // every failing group's bound afresh from the measured distances and the fast lower bounds of the
  // rest. Returns true, leaving the point to scan_filtered, where more than `most` centres fail.
  bool update_point_filtered(std::size_t i, const double* x, const double* centers, double own_squared, double reach, std::int32_t* labels, Scratch& scratch,
                             std::size_t most) {
    const std::size_t t = groups_.count();
    const std::size_t label = static_cast<std::size_t>(labels[i]);
    float* lower = &lower_[i * t];
    std::uint32_t* failing = scratch.failed.data();
    std::size_t failed = 0, members = 0;
    for (std::size_t g = 0; g < t; ++g) {
      const bool fails = !(reach + moved_generously_[g] < static_cast<double>(lower[g]));
      failing[failed] = static_cast<std::uint32_t>(g);
      failed += static_cast<std::size_t>(fails);
      members += fails ? groups_.starts[g + 1] - groups_.starts[g] : 0;
    }
    if (members > most) return true;
    const double norm = filter_.point_norm(i);
    float* fast = scratch.fast.data();
    filter_.tile_row(p_.row(i), scratch.row.data());
    float least = INFINITY;
    for (std::size_t f = 0; f < failed; ++f) {
      const std::uint32_t begin = groups_.starts[failing[f]], end = groups_.starts[failing[f] + 1];
      filter_.fast_values(scratch.row.data(), begin, end, fast);
      least = std::min(least, filter_.least_high(fast, begin, end));
    }
    const float limit = filter_.candidate_limit(least, norm, own_squared);
    // The candidates, measured exactly below; their fast values and the label's are set aside, so
    // that the group bounds take those centres from their exact distances.
    std::uint32_t* candidates = scratch.candidates.data();
    std::size_t count = 0;
    for (std::size_t f = 0; f < failed; ++f) {
      count += filter_.near_centers(fast, groups_.starts[failing[f]], groups_.starts[failing[f] + 1], limit, candidates + count);
    }
    const std::uint32_t own_position = groups_.position_of[label];
    fast[own_position] = INFINITY;
    std::size_t kept = 0;
    for (std::size_t l = 0; l < count; ++l) {
      const std::uint32_t m = candidates[l];
      fast[m] = INFINITY;
      if (m != own_position) candidates[kept++] = groups_.members[m];
    }
    count = kept;
    double* squared = scratch.squared.data();
    double best_squared = own_squared;
    const std::size_t best = nearest_listed(x, centers, candidates, count, label, best_squared, squared);
    // Each failing group's bound afresh: the fast lower bound of its unmeasured centres, then its
    // measured ones other than the new label.
    for (std::size_t f = 0; f < failed; ++f) {
      const std::size_t g = failing[f];
      const float low = filter_.least_low(fast, groups_.starts[g], groups_.starts[g + 1]);
      const double squared_bound = low == INFINITY ? INFINITY : filter_.lower_squared_from(low, norm);
      const double least_distance = squared_bound > 0 ? std::sqrt(squared_bound) * (1 - 0x1p-50) : 0.0;
      lower[g] = stored_lower_bound(least_distance, g);
    }
    for (std::size_t l = 0; l < count; ++l) {
      if (candidates[l] != best) {
        const std::size_t g = groups_.group_of[candidates[l]];
        lower[g] = std::min(lower[g], stored_lower_bound(std::sqrt(squared[l]), g));
      }
    }
    // The old centre, if the point left it, is one more centre of its group.
    if (best != label) {
      const std::size_t g = groups_.group_of[label];
      lower[g] = std::min(lower[g], stored_lower_bound(std::sqrt(own_squared), g));
    }
    labels[i] = static_cast<std::int32_t>(best);
    upper_[i] = std::sqrt(best_squared);
    global_[i] = least_group_bound(lower);
    return false;
  }

  // The nearest of the point's centre `label` (at squared distance best_squared) and the listed
  // candidates, by squared distance, ties to the lowest index, as Lloyd's: returns it, with
  // best_squared its squared distance and squared[l] that of candidates[l].
  std::size_t nearest_listed(const double* x, const double* centers, const std::uint32_t* candidates, std::size_t count, std::size_t label, double& best_squared,
                             double* squared) const {
    std::size_t best = label, next = 0;
    for_each_listed_distance(x, centers, p_.d, candidates, count, [&](std::size_t c, double dist) {
      squared[next++] = dist;
      if (dist < best_squared || (dist == best_squared && c < best)) {
        best = c;
        best_squared = dist;
      }
    });
    return best;
  }

  // The least of a point's group bounds, loosened by every shift since each was stored (the stored
  // float's rounding, 2^-22 of it, far above that of this difference).
  double least_group_bound(const float* lower) const {
    const double* moved = moved_generously_.data();
    const std::size_t t = groups_.count();
    // Four running minima, so that the loop vectorises (a minimum does not depend on the order).
    double least[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    std::size_t g = 0;
    for (; g + 4 <= t; g += 4) {
      for (std::size_t l = 0; l < 4; ++l) {
        const double bound = static_cast<double>(lower[g + l]) - moved[g + l];
        least[l] = bound < least[l] ? bound : least[l];
      }
    }
    for (; g < t; ++g) {
      const double bound = static_cast<double>(lower[g]) - moved[g];
      least[0] = bound < least[0] ? bound : least[0];
    }
    const double all = std::min(std::min(least[0], least[1]), std::min(least[2], least[3]));
    return all > 0 ? all : 0;
  }

  // The centres group by group, in the order of groups_.members, for the distance filter.
  const double* grouped_centers(const double* centers) {
    const std::size_t d = p_.d;
    grouped_.resize(p_.k * d);
    for (std::size_t m = 0; m < p_.k; ++m) std::copy(centers + groups_.members[m] * d, centers + (groups_.members[m] + 1) * d, grouped_.begin() + static_cast<std::ptrdiff_t>(m * d));
    return grouped_.data();
  }

  // What is stored for a bound `dist` of group g: the distance plus g's total shift so far.
  float stored_lower_bound(double dist, std::size_t g) const { return as_lower_bound(dist + moved_[g]); }

  // A float not above x (elkan.hpp's as_lower_bound).
  static float as_lower_bound(double x) {
    const double shrunk = x * (1.0 - 0x1p-22);
    const double clamped = shrunk < static_cast<double>(FLT_MIN) ? 0.0 : shrunk < static_cast<double>(FLT_MAX) ? shrunk : static_cast<double>(FLT_MAX);
    return static_cast<float>(clamped);
  }

  const Problem<T>& p_;
  CenterGroups groups_;
  std::vector<double> upper_;
  std::vector<double> global_;  // per point: a lower bound on the distance to every other centre
  std::vector<float> lower_;    // per point and group: a lower bound plus the group's moved_ then
  std::vector<double> half_nearest_;
  std::vector<double> moved_;              // each group's total largest shift so far
  std::vector<double> moved_generously_;   // moved_ with a margin for its rounding
  std::vector<double> before_generously_;  // moved_generously_ before the last shift
  DistanceFilter<T> filter_;
  std::vector<double> grouped_;         // the centres in the filter's order
  std::vector<double> grouped_shifts_;  // the last shifts in the order of groups_.members
  std::vector<std::uint8_t> flags_;    // per point: left for scan_filtered in this assignment
  std::vector<std::uint32_t> rescan_;  // the points left for scan_filtered
  AsDouble<T> centers_as_double_;
  bool bounds_ready_ = false;
};

}  // namespace EKM_ISA
}  // namespace ekm
