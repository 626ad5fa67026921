// Lloyd's assignment: every point against every centre. The oracle of every accelerated variant.
#pragma once

#include "isa.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

#include "distance.hpp"
#include "distance_filter.hpp"
#include "parallel.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

// Index of the centre nearest to x, the lowest index on ties.
template <class T>
inline std::int32_t nearest_center(const T* x, const T* centers, std::size_t k, std::size_t d) {
  std::int32_t best = 0;
  double best_distance = 0;
  for_each_center_distance(x, centers, k, d, [&](std::size_t c, double squared) {
    if (c == 0 || squared < best_distance) {
      best_distance = squared;
      best = static_cast<std::int32_t>(c);
    }
  });
  return best;
}

// Index of the nearest of `count` candidate centres (in increasing index order), measured exactly,
// the lowest index on ties: nearest_center's answer whenever the candidates include every centre
// that can be nearest (DistanceFilter::nearest_candidates).
inline std::int32_t nearest_candidate(const double* x, const double* centers, std::size_t d, const std::uint32_t* candidates, std::size_t count) {
  std::size_t best = 0;
  double best_distance = INFINITY;
  bool first = true;
  for_each_listed_distance(x, centers, d, candidates, count, [&](std::size_t c, double squared) {
    if (first || squared < best_distance) {
      best = c;
      best_distance = squared;
      first = false;
    }
  });
  return static_cast<std::int32_t>(best);
}

// Every point's nearest centre: exactly nearest_center's labels, found through the distance filter
// where it is usable and by measuring every centre elsewhere. `hints`, when given (it may be
// `labels` itself), names a centre for each point that is likely its nearest: its label so far.
template <class T>
void nearest_centers(const T* data, std::size_t n, std::size_t d, const double* centers, std::size_t k, int threads,
                     DistanceFilter<T>& filter, std::int32_t* labels, const std::int32_t* hints = nullptr) {
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
  if (!filter.set_centers(centers, k)) {
#pragma omp parallel num_threads(threads)
    {
      AsDouble<T> row;
#pragma omp for schedule(static)
      for (std::ptrdiff_t i = 0; i < sn; ++i) labels[i] = nearest_center(row(data + static_cast<std::size_t>(i) * d, d), centers, k, d);
    }
    return;
  }
  filter.template nearest_all<false>(n, nullptr, threads, hints,
                                     [&](std::size_t i, const std::uint32_t* candidates, std::size_t count, CandidateScratch<T>& mine, auto) {
                                       // One candidate is the nearest: nothing to measure.
                                       labels[i] = count == 1 ? static_cast<std::int32_t>(candidates[0])
                                                              : nearest_candidate(mine.row(data + i * d, d), centers, d, candidates, count);
                                     });
}

template <class T>
class LloydAssigner {
 public:
  explicit LloydAssigner(const Problem<T>& p) : p_(p), filter_(p.data, p.n, p.d, p.threads, p.cancel) {}

  void assign(const T* centers, std::int32_t* labels) {
    const double* centers64 = centers_as_double_(centers, p_.k * p_.d);
    // From the second assignment on, every label is a centre's, and most stay.
    nearest_centers(p_.data, p_.n, p_.d, centers64, p_.k, p_.threads, filter_, labels, labelled_ ? labels : nullptr);
    labelled_ = true;
  }

  void centers_moved(const T*, const double*, const std::int32_t*) {}

 private:
  const Problem<T>& p_;
  DistanceFilter<T> filter_;
  AsDouble<T> centers_as_double_;
  bool labelled_ = false;
};

}  // namespace EKM_ISA
}  // namespace ekm
