// Lloyd's assignment: every point against every centre. The oracle of every accelerated variant.
#pragma once

#include "isa.hpp"

#include <cstdint>

#include "distance.hpp"
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

template <class T>
class LloydAssigner {
 public:
  explicit LloydAssigner(const Problem<T>& p) : p_(p) {}

  void assign(const T* centers, std::int32_t* labels) {
    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(p_.n);
    const double* centers64 = centers_as_double_(centers, p_.k * p_.d);
#pragma omp parallel num_threads(p_.threads)
    {
      AsDouble<T> row;
#pragma omp for schedule(static)
      for (std::ptrdiff_t i = 0; i < n; ++i) labels[i] = nearest_center(row(p_.row(i), p_.d), centers64, p_.k, p_.d);
    }
  }

  void centers_moved(const T*, const double*, const std::int32_t*) {}

 private:
  const Problem<T>& p_;
  AsDouble<T> centers_as_double_;
};

}  // namespace EKM_ISA
}  // namespace ekm
