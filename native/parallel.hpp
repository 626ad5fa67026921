// OpenMP plumbing shared by every algorithm, and the blocked reduction order of
// lib/core/parallel.ts: sums over points are taken per block of ROW_BLOCK rows, and block sums are
// added in block order, so results do not depend on the thread count. Without OpenMP the pragmas
// are ignored and everything runs on the calling thread.
#pragma once

#include "isa.hpp"

#include <cstddef>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ekm {
inline namespace EKM_ISA {

constexpr std::size_t ROW_BLOCK = 1024;

inline bool has_openmp() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Points per thread below which more threads cost more (in fork/join and barrier waits, which
// grow badly when the cores are busy with other work) than they save.
constexpr std::size_t MIN_POINTS_PER_THREAD = 4096;

// The threads a fit of n points runs on: what was asked, fewer for small n, 1 without OpenMP.
inline int effective_threads(int requested, std::size_t n) {
  if (!has_openmp() || requested <= 1) return 1;
  const std::size_t useful = (n + MIN_POINTS_PER_THREAD - 1) / MIN_POINTS_PER_THREAD;
  return static_cast<int>(useful < static_cast<std::size_t>(requested) ? (useful > 0 ? useful : 1) : requested);
}

inline std::size_t block_count(std::size_t n) { return (n + ROW_BLOCK - 1) / ROW_BLOCK; }

// Σ term(i) for i in [0, n) in the blocked order, blocks spread over `threads`.
template <class Term>
double blocked_sum(std::size_t n, int threads, Term term) {
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<double> partial(static_cast<std::size_t>(blocks));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK;
    const std::size_t end = start + ROW_BLOCK < n ? start + ROW_BLOCK : n;
    double sum = 0;
    for (std::size_t i = start; i < end; ++i) sum += term(i);
    partial[static_cast<std::size_t>(b)] = sum;
  }
  double total = 0;
  for (double block : partial) total += block;
  return total;
}

}  // namespace EKM_ISA
}  // namespace ekm
