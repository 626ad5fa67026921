// Cosine k-means' one normalisation, as lib/core/normalization.ts specifies it: a row x becomes
// x / ‖x‖, ‖x‖ = √(Σ x_j²) summed in double in index order, each quotient taken in double and
// stored in the output's element type. The row is first multiplied by the power of two that
// brings its largest magnitude into [1, 2): exact, so the bits are those of x / ‖x‖ wherever its
// squares neither overflow nor vanish, and rows near the ends of double's range still normalise.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

// Writes `source` (d values), normalised, into `target`; returns false, writing nothing, for a row
// of zeros. `scratch` holds d doubles.
template <class In, class Out>
bool normalize_row(const In* source, std::size_t d, Out* target, double* scratch) {
  double largest = 0;
  for (std::size_t j = 0; j < d; ++j) largest = std::max(largest, std::fabs(static_cast<double>(source[j])));
  if (largest == 0) return false;
  const int e = std::ilogb(largest);
  // 2^-e is a double for e ≥ -1023; a subnormal largest value is lifted in two exact steps.
  if (e >= -1023) {
    const double factor = std::ldexp(1.0, -e);
    for (std::size_t j = 0; j < d; ++j) scratch[j] = static_cast<double>(source[j]) * factor;
  } else {
    const double lift = std::ldexp(1.0, 1023), rest = std::ldexp(1.0, -e - 1023);
    for (std::size_t j = 0; j < d; ++j) scratch[j] = static_cast<double>(source[j]) * lift * rest;
  }
  double squares = 0;
  for (std::size_t j = 0; j < d; ++j) squares += scratch[j] * scratch[j];
  const double norm = std::sqrt(squares);
  for (std::size_t j = 0; j < d; ++j) target[j] = static_cast<Out>(scratch[j] / norm);
  return true;
}

// The n rows of `data`, normalised, in a new array of their element type; rows are independent,
// so the thread count changes no bit. A row of zeros (which the API refuses first) throws.
template <class T>
std::vector<T> normalized_rows(const T* data, std::size_t n, std::size_t d, int threads) {
  std::vector<T> target(n * d);
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
  bool all_directed = true;
#pragma omp parallel num_threads(threads) reduction(&& : all_directed)
  {
    std::vector<double> scratch(d);
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) {
      const std::size_t row = static_cast<std::size_t>(i);
      all_directed = normalize_row(data + row * d, d, target.data() + row * d, scratch.data()) && all_directed;
    }
  }
  if (!all_directed) throw std::invalid_argument("cosine k-means needs points and centres of non-zero length");
  return target;
}

}  // namespace EKM_ISA
}  // namespace ekm
