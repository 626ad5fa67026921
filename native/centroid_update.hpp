// The M-step shared by every algorithm (lib/centroid-update.ts specifies it): each centre becomes
// the weighted mean of its points, summed in double over its points in index order. Threads own
// whole (centre, column range) pieces, so sums never depend on the thread count and no per-thread
// k × d buffers are needed. Empty clusters are re-seeded with the farthest points.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "distance.hpp"
#include "parallel.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

struct UpdateOutcome {
  std::vector<double> shifts;  // squared distance each centre moved
  std::size_t relocated = 0;   // empty clusters re-seeded
};

// Reusable buffers of the update step, sized once per run.
class CentroidUpdater {
 public:
  CentroidUpdater(std::size_t n, std::size_t d, std::size_t k)
      : members_(n), first_member_(k + 1), block_counts_(block_count(n) * k), sums_(k * d), weights_(k) {}

  template <class T>
  UpdateOutcome update(const Problem<T>& p, const std::int32_t* labels, const T* old_centers, T* new_centers) {
    group_by_label(p, labels);
    sum_members(p);

    const std::size_t d = p.d, k = p.k;
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < k; ++c) {
      if (weights_[c] == 0) empty.push_back(c);
    }
    std::vector<std::ptrdiff_t> relocated_from(k, -1);
    if (!empty.empty()) {
      const std::vector<std::size_t> far = farthest_points(p, labels, old_centers, empty.size());
      for (std::size_t e = 0; e < empty.size(); ++e) {
        const std::size_t target = empty[e], point = far[e];
        const std::size_t source = static_cast<std::size_t>(labels[point]);
        const double w = p.weight(point);
        const T* x = p.row(point);
        for (std::size_t j = 0; j < d; ++j) {
          const double moved = w * static_cast<double>(x[j]);
          sums_[source * d + j] -= moved;
          sums_[target * d + j] = moved;
        }
        weights_[target] = w;
        weights_[source] -= w;
        relocated_from[target] = static_cast<std::ptrdiff_t>(point);
      }
    }

    UpdateOutcome outcome;
    outcome.shifts.resize(k);
    outcome.relocated = empty.size();
    const std::ptrdiff_t sk = static_cast<std::ptrdiff_t>(k);
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t c = 0; c < sk; ++c) {
      T* center = new_centers + c * d;
      const double w = weights_[c];
      if (w > 0) {
        for (std::size_t j = 0; j < d; ++j) center[j] = static_cast<T>(sums_[c * d + j] / w);
      } else if (relocated_from[c] >= 0) {
        // A relocated point of weight zero: the centre sits on the point itself.
        const T* x = p.row(static_cast<std::size_t>(relocated_from[c]));
        std::copy(x, x + d, center);
      } else {
        std::copy(old_centers + c * d, old_centers + c * d + d, center);
      }
      outcome.shifts[c] = squared_distance(old_centers + c * d, center, d);
    }
    return outcome;
  }

 private:
  // A stable counting sort of the point indices by label, parallel over blocks of rows: afterwards
  // members_[first_member_[c] .. first_member_[c+1]) lists cluster c's points in index order.
  template <class T>
  void group_by_label(const Problem<T>& p, const std::int32_t* labels) {
    const std::size_t n = p.n, k = p.k;
    const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      std::size_t* counts = &block_counts_[static_cast<std::size_t>(b) * k];
      std::fill(counts, counts + k, 0);
      const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK, end = std::min(n, start + ROW_BLOCK);
      for (std::size_t i = start; i < end; ++i) ++counts[labels[i]];
    }
    // Exclusive prefix sums in (cluster, block) order turn the counts into write positions.
    std::size_t position = 0;
    for (std::size_t c = 0; c < k; ++c) {
      first_member_[c] = position;
      for (std::ptrdiff_t b = 0; b < blocks; ++b) {
        std::size_t& slot = block_counts_[static_cast<std::size_t>(b) * k + c];
        const std::size_t count = slot;
        slot = position;
        position += count;
      }
    }
    first_member_[k] = position;
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      std::size_t* next = &block_counts_[static_cast<std::size_t>(b) * k];
      const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK, end = std::min(n, start + ROW_BLOCK);
      for (std::size_t i = start; i < end; ++i) members_[next[labels[i]]++] = i;
    }
  }

  // Sums of each cluster's members in index order, one task per (cluster, column slice): slicing
  // the columns keeps every thread busy when k is small, and changes no sum.
  template <class T>
  void sum_members(const Problem<T>& p) {
    const std::size_t d = p.d, k = p.k;
    const std::size_t wanted = static_cast<std::size_t>(p.threads) * 4;
    const std::size_t wanted_slices = k >= wanted ? 1 : std::min(d, (wanted + k - 1) / k);
    const std::size_t width = (d + wanted_slices - 1) / wanted_slices;
    const std::size_t slices = (d + width - 1) / width;
    const std::ptrdiff_t tasks = static_cast<std::ptrdiff_t>(k * slices);
#pragma omp parallel for num_threads(p.threads) schedule(dynamic, 1)
    for (std::ptrdiff_t task = 0; task < tasks; ++task) {
      const std::size_t c = static_cast<std::size_t>(task) / slices, slice = static_cast<std::size_t>(task) % slices;
      const std::size_t j0 = slice * width, j1 = std::min(d, j0 + width);
      double* sum = &sums_[c * d];
      std::fill(sum + j0, sum + j1, 0.0);
      double weight = 0;
      for (std::size_t m = first_member_[c]; m < first_member_[c + 1]; ++m) {
        const std::size_t i = members_[m];
        const double w = p.weight(i);
        const T* x = p.row(i);
        weight += w;
        for (std::size_t j = j0; j < j1; ++j) sum[j] += w * static_cast<double>(x[j]);
      }
      if (slice == 0) weights_[c] = weight;
    }
  }

  // The `count` points farthest from their assigned centre, farthest first, ties to the lower index.
  template <class T>
  std::vector<std::size_t> farthest_points(const Problem<T>& p, const std::int32_t* labels, const T* centers, std::size_t count) {
    const std::size_t n = p.n, d = p.d;
    std::vector<double> dist(n);
    const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) dist[i] = squared_distance(p.row(i), centers + labels[i] * d, d);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                      [&](std::size_t a, std::size_t b) { return dist[a] > dist[b] || (dist[a] == dist[b] && a < b); });
    order.resize(count);
    return order;
  }

  std::vector<std::size_t> members_;
  std::vector<std::size_t> first_member_;
  std::vector<std::size_t> block_counts_;
  std::vector<double> sums_;
  std::vector<double> weights_;
};

}  // namespace EKM_ISA
}  // namespace ekm
