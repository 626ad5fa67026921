// What every phase of a fit reads: the points (read in place, never copied), their weights, and
// the thread count.
#pragma once

#include <cstddef>

namespace ekm {

template <class T>
struct Problem {
  const T* data;
  std::size_t n;
  std::size_t d;
  std::size_t k;
  const double* weights;  // nullptr: every weight is 1
  int threads;

  const T* row(std::size_t i) const { return data + i * d; }
  double weight(std::size_t i) const { return weights ? weights[i] : 1.0; }
};

}  // namespace ekm
