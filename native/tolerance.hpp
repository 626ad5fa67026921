// scikit-learn's tolerance, as lib/core/tolerance.ts computes it: relative × mean of the per-feature
// variances (unweighted), with column sums taken per block of rows and added in block order.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <vector>

#include "parallel.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

template <class T>
double absolute_tolerance(const Problem<T>& p, double relative) {
  if (relative == 0) return 0;
  const std::size_t n = p.n, d = p.d;
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<double> partial(static_cast<std::size_t>(blocks) * d);
  const auto column_sums = [&](auto term) {
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      double* block = &partial[static_cast<std::size_t>(b) * d];
      std::fill(block, block + d, 0.0);
      const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK, end = std::min(n, start + ROW_BLOCK);
      for (std::size_t i = start; i < end; ++i) {
        const T* x = p.row(i);
        for (std::size_t j = 0; j < d; ++j) block[j] += term(static_cast<double>(x[j]), j);
      }
    }
    std::vector<double> total(d, 0.0);
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      for (std::size_t j = 0; j < d; ++j) total[j] += partial[static_cast<std::size_t>(b) * d + j];
    }
    return total;
  };
  std::vector<double> means = column_sums([](double x, std::size_t) { return x; });
  for (double& m : means) m /= static_cast<double>(n);
  const std::vector<double> squares = column_sums([&](double x, std::size_t j) { return (x - means[j]) * (x - means[j]); });
  double sum = 0;
  for (std::size_t j = 0; j < d; ++j) sum += squares[j] / static_cast<double>(n);
  return relative * (sum / static_cast<double>(d));
}

}  // namespace EKM_ISA
}  // namespace ekm
