// Squared Euclidean distance in the summation order that lib/core/distance.ts specifies: four partial
// sums (lane r holds columns j ≡ r mod 4, in increasing j), combined as (s0 + s1) + (s2 + s3).
// Float32 values are converted to double first: differences, squares and sums are all taken in
// double (a float32 difference of values near ±3.4e38 would overflow). The four partial sums
// are one vector of four doubles (an AVX2 register, two SSE2 ones), so the fixed order is also the
// fast one. The build disables FMA contraction (-ffp-contract=off): a fused multiply-add would
// round differently from TypeScript.
#pragma once

#include "isa.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace ekm {
inline namespace EKM_ISA {

#if defined(__GNUC__)
#define EKM_VECTOR_EXTENSIONS 1
typedef double Double4 __attribute__((vector_size(32)));
typedef float Float4 __attribute__((vector_size(16)));

// Columns j..j+3 of a - b as four doubles.
inline Double4 difference4(const double* a, const double* b) {
  Double4 x, y;
  std::memcpy(&x, a, sizeof x);
  std::memcpy(&y, b, sizeof y);
  return x - y;
}

inline Double4 difference4(const float* a, const float* b) {
  Float4 x, y;
  std::memcpy(&x, a, sizeof x);
  std::memcpy(&y, b, sizeof y);
  return __builtin_convertvector(x, Double4) - __builtin_convertvector(y, Double4);
}
#endif

// Adds the columns past the last full group of four to their lanes, and combines the lanes.
template <class T>
inline double finish_distance(double s0, double s1, double s2, double s3, const T* a, const T* b, std::size_t j, std::size_t d) {
  if (j < d) {
    const double t = static_cast<double>(a[j]) - static_cast<double>(b[j]);
    s0 += t * t;
  }
  if (j + 1 < d) {
    const double t = static_cast<double>(a[j + 1]) - static_cast<double>(b[j + 1]);
    s1 += t * t;
  }
  if (j + 2 < d) {
    const double t = static_cast<double>(a[j + 2]) - static_cast<double>(b[j + 2]);
    s2 += t * t;
  }
  return (s0 + s1) + (s2 + s3);
}

template <class T>
inline double squared_distance(const T* a, const T* b, std::size_t d) {
  std::size_t j = 0;
#ifdef EKM_VECTOR_EXTENSIONS
  Double4 s = {0, 0, 0, 0};
  for (; j + 4 <= d; j += 4) {
    const Double4 t = difference4(a + j, b + j);
    s += t * t;
  }
  return finish_distance(s[0], s[1], s[2], s[3], a, b, j, d);
#else
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (; j + 4 <= d; j += 4) {
    const double t0 = static_cast<double>(a[j]) - static_cast<double>(b[j]);
    const double t1 = static_cast<double>(a[j + 1]) - static_cast<double>(b[j + 1]);
    const double t2 = static_cast<double>(a[j + 2]) - static_cast<double>(b[j + 2]);
    const double t3 = static_cast<double>(a[j + 3]) - static_cast<double>(b[j + 3]);
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  return finish_distance(s0, s1, s2, s3, a, b, j, d);
#endif
}

// Squared distances from x to four rows at once, each summed exactly as squared_distance sums it.
// Four independent chains of additions keep the floating-point units busy where one chain would
// wait on each addition's latency: about three times the throughput of four single calls.
template <class T>
inline void squared_distances4(const T* x, const T* const rows[4], std::size_t d, double out[4]) {
#ifdef EKM_VECTOR_EXTENSIONS
  Double4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  std::size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    const Double4 t0 = difference4(x + j, rows[0] + j);
    const Double4 t1 = difference4(x + j, rows[1] + j);
    const Double4 t2 = difference4(x + j, rows[2] + j);
    const Double4 t3 = difference4(x + j, rows[3] + j);
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  out[0] = finish_distance(s0[0], s0[1], s0[2], s0[3], x, rows[0], j, d);
  out[1] = finish_distance(s1[0], s1[1], s1[2], s1[3], x, rows[1], j, d);
  out[2] = finish_distance(s2[0], s2[1], s2[2], s2[3], x, rows[2], j, d);
  out[3] = finish_distance(s3[0], s3[1], s3[2], s3[3], x, rows[3], j, d);
#else
  for (int r = 0; r < 4; ++r) out[r] = squared_distance(x, rows[r], d);
#endif
}

// Float32 values as doubles, converted once (exactly) into a buffer this object owns; double values
// are passed through. The loops that measure one point against many centres run on the converted
// point and centres: the same arithmetic (difference4 converts first, too) without converting
// every term again, which made float32 fits 1.4-2× slower than float64 ones.
template <class T>
class AsDouble {
 public:
  const double* operator()(const T* values, std::size_t count) {
    if constexpr (std::is_same_v<T, double>) {
      return values;
    } else {
      buffer_.resize(count);
      for (std::size_t j = 0; j < count; ++j) buffer_[j] = static_cast<double>(values[j]);
      return buffer_.data();
    }
  }

 private:
  std::vector<double> buffer_;
};

// Calls visit(c, squared distance from x to centre c) for every centre in index order, measuring
// four centres at a time: every algorithm's "compare with all centres" step.
template <class T, class Visit>
inline void for_each_center_distance(const T* x, const T* centers, std::size_t k, std::size_t d, Visit visit) {
  std::size_t c = 0;
  double dist[4];
  for (; c + 4 <= k; c += 4) {
    const T* const rows[4] = {centers + c * d, centers + (c + 1) * d, centers + (c + 2) * d, centers + (c + 3) * d};
    squared_distances4(x, rows, d, dist);
    for (std::size_t r = 0; r < 4; ++r) visit(c + r, dist[r]);
  }
  for (; c < k; ++c) visit(c, squared_distance(x, centers + c * d, d));
}

// The same over a list of centres (increasing indices): visit(c, squared distance) for each.
template <class Visit>
inline void for_each_listed_distance(const double* x, const double* centers, std::size_t d, const std::uint32_t* list, std::size_t count,
                                     Visit visit) {
  std::size_t next = 0;
  double dist[4];
  for (; next + 4 <= count; next += 4) {
    const double* const rows[4] = {centers + list[next] * d, centers + list[next + 1] * d, centers + list[next + 2] * d, centers + list[next + 3] * d};
    squared_distances4(x, rows, d, dist);
    for (std::size_t r = 0; r < 4; ++r) visit(static_cast<std::size_t>(list[next + r]), dist[r]);
  }
  for (; next < count; ++next) visit(static_cast<std::size_t>(list[next]), squared_distance(x, centers + list[next] * d, d));
}

}  // namespace EKM_ISA
}  // namespace ekm
