// Hamerly's algorithm (SDM 2010), the steps of lib/core/hamerly.ts: exact k-means with an upper bound
// to the point's own centre and one lower bound to all the others, so memory grows with n, not
// n × k. When the bounds fail the point is compared with every centre, ties to the lowest index,
// as in Lloyd. Each point's work touches only its own bounds, so threads never change a result.
#pragma once

#include "isa.hpp"

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

template <class T>
class HamerlyAssigner {
 public:
  explicit HamerlyAssigner(const Problem<T>& p)
      : p_(p), upper_(p.n), lower_(p.n), half_nearest_(p.k), filter_(p.data, p.n, p.d, p.threads, p.cancel) {}

  void assign(const T* centers, std::int32_t* labels) {
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
    const std::size_t d = p_.d;
    const double* centers64 = centers_as_double_(centers, p_.k * d);
    if (filter_.set_centers(centers64, p_.k)) {
      assign_filtered(centers64, labels);
      return;
    }
    if (!bounds_ready_) {
#pragma omp parallel num_threads(p_.threads)
      {
        AsDouble<T> row;
#pragma omp for schedule(static)
        for (std::ptrdiff_t i = 0; i < n; ++i) scan(static_cast<std::size_t>(i), row(p_.row(static_cast<std::size_t>(i)), d), centers64, labels);
      }
      bounds_ready_ = true;
      return;
    }
    measure_centers(centers64);
#pragma omp parallel num_threads(p_.threads)
    {
      AsDouble<T> row;
#pragma omp for schedule(dynamic, 512)
      for (std::ptrdiff_t i = 0; i < n; ++i) {
        const double* x = nullptr;
        if (bounds_fail(static_cast<std::size_t>(i), row, centers64, labels, x)) scan(static_cast<std::size_t>(i), x, centers64, labels);
      }
    }
  }

  // Every other centre moved at most the largest shift; for points of the centre that moved most,
  // the second largest.
  void centers_moved(const T*, const double* shifts, const std::int32_t* labels) {
    const LargestShifts top = largest_shifts(shifts, p_.k);
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
#pragma omp parallel for num_threads(p_.threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      upper_[i] += shifts[labels[i]];
      const double moved = lower_[i] - top.other_than(labels[i]);
      lower_[i] = moved > 0 ? moved : 0;
    }
  }

 private:
  // Whether point i must be compared with every centre: its bounds fail, even with the upper one
  // made exact (which needs the point's row: `x` is left pointing at it then).
  bool bounds_fail(std::size_t i, AsDouble<T>& row, const double* centers, const std::int32_t* labels, const double*& x) {
    const std::size_t label = static_cast<std::size_t>(labels[i]), d = p_.d;
    const double bound = std::max(half_nearest_[label], lower_[i]);
    if (upper_[i] * PRUNE_MARGIN < bound) return false;
    x = row(p_.row(i), d);
    upper_[i] = std::sqrt(squared_distance(x, centers + label * d, d));
    return !(upper_[i] * PRUNE_MARGIN < bound);
  }

  // assign() through the distance filter: the points whose bounds fail are collected first and then
  // scanned in blocks, so that their distances to every centre come from the fast tiles.
  void assign_filtered(const double* centers, std::int32_t* labels) {
    const std::size_t n = p_.n, d = p_.d;
    const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
    rescan_.clear();
    // The first assignment scans every point.
    const bool all = !bounds_ready_;
    if (all) {
      bounds_ready_ = true;
    } else {
      measure_centers(centers);
      flags_.resize(n);
#pragma omp parallel num_threads(p_.threads)
      {
        AsDouble<T> row;
#pragma omp for schedule(dynamic, 512)
        for (std::ptrdiff_t i = 0; i < sn; ++i) {
          const double* x = nullptr;
          flags_[i] = bounds_fail(static_cast<std::size_t>(i), row, centers, labels, x);
        }
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (flags_[i]) rescan_.push_back(static_cast<std::uint32_t>(i));
      }
    }
    filter_.nearest_all(all ? n : rescan_.size(), all ? nullptr : rescan_.data(), p_.threads, all ? nullptr : labels,
                        [&](std::size_t i, const std::uint32_t* candidates, std::size_t count, CandidateScratch<T>& mine, auto other) {
                          scan_filtered(i, mine.row(p_.row(i), d), candidates, count, other, centers, labels);
                        });
  }

  // scan() for a point whose candidates for nearest the filter has chosen: they are measured, and
  // the second nearest's distance is bounded below by the measured candidates and the filter's
  // lower bound on the rest, other().
  template <class Other>
  void scan_filtered(std::size_t i, const double* x, const std::uint32_t* candidates, std::size_t count, Other other, const double* centers,
                     std::int32_t* labels) {
    const std::size_t d = p_.d;
    std::size_t best = 0;
    double best_distance = INFINITY, second_distance = INFINITY;
    bool first = true;
    for_each_listed_distance(x, centers, d, candidates, count, [&](std::size_t c, double dist) {
      if (first || dist < best_distance) {
        if (!first) second_distance = best_distance;
        best_distance = dist;
        best = c;
        first = false;
      } else if (dist < second_distance) {
        second_distance = dist;
      }
    });
    const double rest = other();  // over the centres not measured
    labels[i] = static_cast<std::int32_t>(best);
    upper_[i] = std::sqrt(best_distance);
    const double second = std::sqrt(second_distance);
    lower_[i] = std::min(second, rest > 0 ? std::sqrt(rest) * (1 - 0x1p-50) : 0.0);
  }

  // Compares point i with every centre: the nearest becomes its label, the second nearest its
  // lower bound.
  void scan(std::size_t i, const double* x, const double* centers, std::int32_t* labels) {
    const std::size_t d = p_.d, k = p_.k;
    std::size_t best = 0;
    double best_distance = 0, second_distance = std::numeric_limits<double>::infinity();
    const auto consider = [&](std::size_t c, double dist) {
      if (c == 0) {
        best_distance = dist;
      } else if (dist < best_distance) {
        second_distance = best_distance;
        best_distance = dist;
        best = c;
      } else if (dist < second_distance) {
        second_distance = dist;
      }
    };
    for_each_center_distance(x, centers, k, d, consider);
    labels[i] = static_cast<std::int32_t>(best);
    upper_[i] = std::sqrt(best_distance);
    lower_[i] = std::sqrt(second_distance);
  }

  void measure_centers(const double* centers) {
    half_center_distances(centers, p_.k, p_.d, p_.threads, half_nearest_.data(), nullptr);
  }

  const Problem<T>& p_;
  std::vector<double> upper_;
  std::vector<double> lower_;
  std::vector<double> half_nearest_;
  DistanceFilter<T> filter_;
  std::vector<std::uint8_t> flags_;     // per point: its bounds failed in this assignment
  std::vector<std::uint32_t> rescan_;  // the points to compare with every centre
  AsDouble<T> centers_as_double_;
  bool bounds_ready_ = false;
};

}  // namespace EKM_ISA
}  // namespace ekm
