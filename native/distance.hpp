// Squared Euclidean distance in the summation order that lib/distance.ts specifies: four partial
// sums (lane r holds columns j ≡ r mod 4, in increasing j), combined as (s0 + s1) + (s2 + s3).
// Differences are taken in the element type T, squares and sums in double. Four double lanes fill
// one AVX2 register, so the compiler vectorises this exact order. The build disables FMA
// contraction (-ffp-contract=off): a fused multiply-add would round differently from TypeScript.
#pragma once

#include "isa.hpp"

#include <cstddef>

namespace ekm {
inline namespace EKM_ISA {

template <class T>
inline double squared_distance(const T* a, const T* b, std::size_t d) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    const double t0 = static_cast<double>(static_cast<T>(a[j] - b[j]));
    const double t1 = static_cast<double>(static_cast<T>(a[j + 1] - b[j + 1]));
    const double t2 = static_cast<double>(static_cast<T>(a[j + 2] - b[j + 2]));
    const double t3 = static_cast<double>(static_cast<T>(a[j + 3] - b[j + 3]));
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  if (j < d) {
    const double t = static_cast<double>(static_cast<T>(a[j] - b[j]));
    s0 += t * t;
  }
  if (j + 1 < d) {
    const double t = static_cast<double>(static_cast<T>(a[j + 1] - b[j + 1]));
    s1 += t * t;
  }
  if (j + 2 < d) {
    const double t = static_cast<double>(static_cast<T>(a[j + 2] - b[j + 2]));
    s2 += t * t;
  }
  return (s0 + s1) + (s2 + s3);
}

}  // namespace EKM_ISA
}  // namespace ekm
