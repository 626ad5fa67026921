// Elkan's algorithm (ICML 2003), the steps of lib/core/elkan.ts: exact k-means that skips distance
// computations with the triangle inequality. Per point: an upper bound on the distance to its own
// centre and a lower bound to every centre (n × k). Every phase runs in parallel: the initial and
// bounded assignments over points, the centre-to-centre distances over centres. Each point's work
// touches only its own bounds, so threads never change a result.
//
// Four changes from the TypeScript version save time without changing any label:
// - Lower bounds are never loosened in place. Each is stored plus the total distance its centre
//   had moved when it was stored (`moved_`); less the total now, that is the bound loosened by
//   every shift since. Eagerly, the n × k matrix was read and written every iteration, which
//   bounded the speed by memory bandwidth; now a point whose upper bound passes the
//   nearest-centre test does not touch its lower bounds at all.
// - Lower bounds are stored as float32, rounded down (as_lower_bound): half the bytes.
// - A branch-free (vectorised) sweep over a point's bounds finds whether any centre needs checking
//   before anything is written; most points need none.
// - The first assignment measures every centre, four at a time, so every lower bound starts
//   exact; later, the centres that still need a distance are measured four at a time.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <vector>

#include "center_distances.hpp"
#include "distance.hpp"
#include "distance_filter.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

template <class T>
class ElkanAssigner {
 public:
  explicit ElkanAssigner(const Problem<T>& p)
      : p_(p), upper_(p.n), lower_(p.n * p.k), half_center_(p.k * p.k), half_nearest_(p.k), shifts_(p.k, 0.0),
        moved_(p.k, 0.0), moved_generously_(p.k, 0.0), filter_(p.data, p.n, p.d, p.threads, p.cancel) {}

  void assign(const T* centers, std::int32_t* labels) {
    const double* centers64 = centers_as_double_(centers, p_.k * p_.d);
    measure_centers(centers64);
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
    // Where the bounds rule out too few centres (high dimensions concentrate distances), a pass
    // of the distance filter over every pair costs less than the exact distances they leave, and
    // it starts every bound afresh.
    // Cost model, per pair: an exact distance about d, the filter about d / 8 + 8 (measured at
    // d = 32 and 384).
    const double d = static_cast<double>(p_.d);
    const bool rescan = !bounds_ready_ || static_cast<double>(measured_) * d > static_cast<double>(p_.n * p_.k) * (d / 8 + 8);
    if (rescan && filter_.set_centers(centers64, p_.k)) {
      init_bounds_filtered(centers64, labels);
      bounds_ready_ = true;
      measured_ = 0;
      std::fill(shifts_.begin(), shifts_.end(), 0.0);
      return;
    }
    if (!bounds_ready_) {
#pragma omp parallel num_threads(p_.threads)
      {
        AsDouble<T> row;
#pragma omp for schedule(static)
        for (std::ptrdiff_t i = 0; i < n; ++i) init_bounds(static_cast<std::size_t>(i), row, centers64, labels);
      }
      bounds_ready_ = true;
      return;
    }
    std::size_t measured = 0;
#pragma omp parallel num_threads(p_.threads) reduction(+ : measured)
    {
      std::vector<std::uint32_t> candidates(p_.k);
      AsDouble<T> row;
#pragma omp for schedule(dynamic, 256)
      for (std::ptrdiff_t i = 0; i < n; ++i) measured += update_point(static_cast<std::size_t>(i), row, centers64, labels, candidates.data());
    }
    measured_ = measured;
    // Each shift is added to the upper bounds once.
    std::fill(shifts_.begin(), shifts_.end(), 0.0);
  }

  // The centres moved to `centers`, each by shifts[c] (a distance): upper bounds grow by their
  // centre's shift in the next assignment, lower bounds shrink by the growth of moved_.
  void centers_moved(const T*, const double* shifts, const std::int32_t*) {
    for (std::size_t c = 0; c < p_.k; ++c) {
      shifts_[c] = shifts[c];
      moved_[c] += shifts[c];
      // Sums of rounded shifts can fall short of the distance moved by their rounding: a margin of
      // 2^-30 of the total (far above that rounding, far below anything that matters to pruning)
      // keeps every loosened bound a bound.
      moved_generously_[c] = moved_[c] * (1 + 0x1p-30);
    }
  }

 private:
  // First assignment: point i against every centre, as Lloyd's (the nearest by squared distance,
  // ties to the lowest index); every lower bound is the exact distance.
  void init_bounds(std::size_t i, AsDouble<T>& row, const double* centers, std::int32_t* labels) {
    float* lower = &lower_[i * p_.k];
    std::size_t label = 0;
    double nearest = 0;
    for_each_center_distance(row(p_.row(i), p_.d), centers, p_.k, p_.d, [&](std::size_t c, double squared) {
      lower[c] = stored_lower_bound(std::sqrt(squared), c);
      if (c == 0 || squared < nearest) {
        nearest = squared;
        label = c;
      }
    });
    labels[i] = static_cast<std::int32_t>(label);
    upper_[i] = std::sqrt(nearest);
  }

  // The first assignment through the distance filter: the fast distances' lower bounds start every
  // lower bound, and only the centres that may be nearest are measured (and their bounds made
  // exact), so the labels are Lloyd's.
  void init_bounds_filtered(const double* centers, std::int32_t* labels) {
    const std::size_t n = p_.n, k = p_.k, d = p_.d;
    // What every stored bound adds (stored_lower_bound), as floats not above it.
    std::vector<float> moved_down(k);
    for (std::size_t c = 0; c < k; ++c) moved_down[c] = as_lower_bound(moved_[c]);
    filter_.scan_all(n, nullptr, p_.threads, [&](std::size_t i, const FilterRow& fast, CandidateScratch<T>& mine) {
      float* lower = &lower_[i * k];
      filter_.lower_distances(fast, moved_down.data(), lower);
      const std::size_t count = filter_.nearest_candidates(fast, mine.candidates.data());
      std::size_t label = 0;
      double nearest = INFINITY;
      bool first = true;
      for_each_listed_distance(mine.row(p_.row(i), d), centers, d, mine.candidates.data(), count, [&](std::size_t c, double squared) {
        lower[c] = stored_lower_bound(std::sqrt(squared), c);
        if (first || squared < nearest) {
          nearest = squared;
          label = c;
          first = false;
        }
      });
      labels[i] = static_cast<std::int32_t>(label);
      upper_[i] = std::sqrt(nearest);
    });
  }

  // Elkan's step for point i: grow its upper bound by its centre's shift; unless a bound rules
  // every other centre out, tighten it and measure the centres that the bounds cannot rule out,
  // in index order, moving the point whenever one is nearer. Returns the distances it measured.
  std::size_t update_point(std::size_t i, AsDouble<T>& row, const double* centers, std::int32_t* labels, std::uint32_t* candidates) {
    const std::size_t d = p_.d, k = p_.k;
    std::size_t label = static_cast<std::size_t>(labels[i]);
    double bound = upper_[i] + shifts_[label];
    upper_[i] = bound;
    if (half_nearest_[label] > bound * PRUNE_MARGIN) return 0;
    float* lower = &lower_[i * k];
    if (!any_candidate(lower, label, bound)) return 0;

    const double* x = row(p_.row(i), d);
    double bound_squared = squared_distance(x, centers + label * d, d);
    bound = std::sqrt(bound_squared);
    lower[label] = stored_lower_bound(bound, label);
    upper_[i] = bound;
    if (half_nearest_[label] > bound * PRUNE_MARGIN) return 1;

    // Centres the tight bound cannot rule out, collected without branches.
    std::size_t count = 0;
    const double* half_center = &half_center_[label * k];
    for (std::size_t c = 0; c < k; ++c) {
      candidates[count] = static_cast<std::uint32_t>(c);
      count += static_cast<std::size_t>(needs_distance(lower, half_center, c, bound) & (c != label));
    }
    // Measured four at a time; each is tested again before it counts, as the bound and the label
    // may have changed since it was collected.
    std::size_t next = 0;
    while (next < count) {
      std::size_t group[4], size = 0;
      for (; next < count && size < 4; ++next) {
        const std::size_t c = candidates[next];
        if (needs_distance(lower, &half_center_[label * k], c, bound)) group[size++] = c;
      }
      double squared[4];
      if (size == 4) {
        const double* const rows[4] = {centers + group[0] * d, centers + group[1] * d, centers + group[2] * d, centers + group[3] * d};
        squared_distances4(x, rows, d, squared);
      } else {
        for (std::size_t g = 0; g < size; ++g) squared[g] = squared_distance(x, centers + group[g] * d, d);
      }
      for (std::size_t g = 0; g < size; ++g) {
        const std::size_t c = group[g];
        const double dist = std::sqrt(squared[g]);
        const bool counts = needs_distance(lower, &half_center_[label * k], c, bound);
        lower[c] = stored_lower_bound(dist, c);
        // Nearer by squared distance, or as near and lower-numbered: Lloyd's choice.
        if (counts && (squared[g] < bound_squared || (squared[g] == bound_squared && c < label))) {
          label = c;
          bound = dist;
          bound_squared = squared[g];
        }
      }
    }
    labels[i] = static_cast<std::int32_t>(label);
    upper_[i] = bound;
    return 1 + count;
  }

  // Whether neither bound rules centre c out for a point `bound` from its own centre, whose half
  // distances to the other centres are half_center: its lower bound, loosened by every shift since
  // it was stored (already shrunk by far more than PRUNE_MARGIN), and half the distance between
  // the centres.
  bool needs_distance(const float* lower, const double* half_center, std::size_t c, double bound) const {
    return (bound + moved_generously_[c] >= static_cast<double>(lower[c])) & (bound * PRUNE_MARGIN >= half_center[c]);
  }

  // Whether some centre other than `label` needs a distance, judged without writing anything:
  // most points have no candidate and then touch their bounds only to read them. Counting instead
  // of branching lets the sweep vectorise.
  bool any_candidate(const float* lower, std::size_t label, double bound) const {
    const double* half_center = &half_center_[label * p_.k];
    std::size_t count = 0;
    for (std::size_t c = 0; c < p_.k; ++c) count += static_cast<std::size_t>(needs_distance(lower, half_center, c, bound));
    // The own centre passes whenever its lower bound is below the upper bound; it is no candidate.
    return count > static_cast<std::size_t>(needs_distance(lower, half_center, label, bound));
  }

  // What is stored for a distance `dist` to centre c: the distance plus c's total shift so far.
  float stored_lower_bound(double dist, std::size_t c) const { return as_lower_bound(dist + moved_[c]); }

  // A float not above x, to store as a lower bound: x shrunk by 2^-22 first, so that rounding to
  // the nearest float cannot carry it above x (nor the rounding of the sums it is later compared
  // with); 0 below the normal floats, where rounding is coarser, and the largest float above them.
  // Half the bytes of double bounds: the n × k matrix is most of the memory traffic.
  static float as_lower_bound(double x) {
    const double shrunk = x * (1.0 - 0x1p-22);
    const double clamped = shrunk < static_cast<double>(FLT_MIN) ? 0.0 : shrunk < static_cast<double>(FLT_MAX) ? shrunk : static_cast<double>(FLT_MAX);
    return static_cast<float>(clamped);
  }

  void measure_centers(const double* centers) {
    half_center_distances(centers, p_.k, p_.d, p_.threads, half_nearest_.data(), half_center_.data());
  }

  const Problem<T>& p_;
  std::vector<double> upper_;
  std::vector<float> lower_;  // per point and centre: a lower bound plus the centre's moved_ then
  std::vector<double> half_center_;
  std::vector<double> half_nearest_;
  std::vector<double> shifts_;            // each centre's last shift
  std::vector<double> moved_;             // each centre's total shift so far
  std::vector<double> moved_generously_;  // moved_ with a margin for its rounding
  DistanceFilter<T> filter_;
  AsDouble<T> centers_as_double_;
  bool bounds_ready_ = false;
  std::size_t measured_ = 0;  // exact distances the last bounded assignment measured
};

}  // namespace EKM_ISA
}  // namespace ekm
