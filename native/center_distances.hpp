// Half the distance from each centre to its nearest other centre and, when asked, between every
// pair of centres (k × k): the centre-side terms of Elkan's and Hamerly's tests, as
// lib/core/center-distances.ts computes them. Parallel over centres; each pair is measured from its
// lower index, so both halves of the matrix hold the same bits as the serial version.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "distance.hpp"

namespace ekm {
inline namespace EKM_ISA {

// The factor on a point's upper bound in every pruning test of Elkan and Hamerly
// (lib/core/center-distances.ts holds the same): a centre that the bounds put no further than the
// point's own one, give or take rounding, is measured rather than ruled out, and a tie counts as
// "not further". Then ties and near-ties are decided as Lloyd decides them, on squared distances
// and to the lowest index, and the accelerated algorithms reach Lloyd's labels on any data.
constexpr double PRUNE_MARGIN = 1 + 0x1p-30;

// The largest of the k centre shifts, which centre made it, and the second largest: every other
// centre moved at most the largest, and for the points of the centre that moved most the second
// largest bounds the others (Hamerly's and Yinyang's global bound).
struct LargestShifts {
  double largest = 0;
  double second = 0;
  std::ptrdiff_t center = -1;

  double other_than(std::int32_t c) const { return c == center ? second : largest; }
};

inline LargestShifts largest_shifts(const double* shifts, std::size_t k) {
  LargestShifts top;
  for (std::size_t c = 0; c < k; ++c) {
    if (shifts[c] > top.largest) {
      top.second = top.largest;
      top.largest = shifts[c];
      top.center = static_cast<std::ptrdiff_t>(c);
    } else if (shifts[c] > top.second) {
      top.second = shifts[c];
    }
  }
  return top;
}

template <class T>
void half_center_distances(const T* centers, std::size_t k, std::size_t d, int threads, double* nearest, double* matrix) {
  const std::ptrdiff_t sk = static_cast<std::ptrdiff_t>(k);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
  for (std::ptrdiff_t a = 0; a < sk; ++a) {
    double closest = std::numeric_limits<double>::infinity();
    for (std::size_t b = 0; b < k; ++b) {
      if (b == static_cast<std::size_t>(a)) {
        if (matrix) matrix[a * k + b] = 0;
        continue;
      }
      const std::size_t lo = std::min<std::size_t>(a, b), hi = std::max<std::size_t>(a, b);
      const double half = 0.5 * std::sqrt(squared_distance(centers + lo * d, centers + hi * d, d));
      if (matrix) matrix[a * k + b] = half;
      closest = std::min(closest, half);
    }
    nearest[a] = closest;
  }
}

}  // namespace EKM_ISA
}  // namespace ekm
