// The M-step shared by every algorithm (lib/centroid-update.ts specifies it): each centre becomes
// the weighted mean of its points, summed in double over its points in index order. Each task owns
// a range of centres (and of columns, when there are few centres) and sweeps the points in order,
// adding the rows of its own centres: sums never depend on the thread count, no per-thread k × d
// buffers are needed, and the rows are read in memory order. Empty clusters are re-seeded with
// the farthest points.
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
  CentroidUpdater(std::size_t d, std::size_t k) : cluster_sizes_(k), sums_(k * d), weights_(k) {}

  template <class T>
  UpdateOutcome update(const Problem<T>& p, const std::int32_t* labels, const T* old_centers, T* new_centers) {
    sum_clusters(p, labels);

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
  // One task per thread, each a contiguous range of centres holding about as many points as the
  // others (with fewer centres than threads, the columns are split as well). Each task sweeps all
  // labels and adds only its own centres' rows, so more tasks than threads would only sweep the
  // labels more often: two per thread cost 2-thread fits 4-9%.
  template <class T>
  void sum_clusters(const Problem<T>& p, const std::int32_t* labels) {
    const std::size_t n = p.n, d = p.d, k = p.k;
    const std::size_t wanted = static_cast<std::size_t>(p.threads);
    std::fill(cluster_sizes_.begin(), cluster_sizes_.end(), 0);
    for (std::size_t i = 0; i < n; ++i) ++cluster_sizes_[static_cast<std::size_t>(labels[i])];

    std::vector<std::size_t> range_start{0};
    const std::size_t ranges_wanted = std::min(k, wanted);
    for (std::size_t c = 0, seen = 0; c < k; ++c) {
      seen += cluster_sizes_[c];
      if (range_start.size() < ranges_wanted && seen * ranges_wanted >= n * range_start.size() && c + 1 < k) {
        range_start.push_back(c + 1);
      }
    }
    range_start.push_back(k);
    const std::size_t ranges = range_start.size() - 1;
    const std::size_t wanted_slices = std::max<std::size_t>(1, std::min(d, (wanted + ranges - 1) / ranges));
    const std::size_t width = (d + wanted_slices - 1) / wanted_slices;
    const std::size_t slices = (d + width - 1) / width;

    const std::ptrdiff_t tasks = static_cast<std::ptrdiff_t>(ranges * slices);
#pragma omp parallel for num_threads(p.threads) schedule(dynamic, 1)
    for (std::ptrdiff_t task = 0; task < tasks; ++task) {
      const std::size_t range = static_cast<std::size_t>(task) / slices, slice = static_cast<std::size_t>(task) % slices;
      const std::size_t c0 = range_start[range], c1 = range_start[range + 1];
      const std::size_t j0 = slice * width, j1 = std::min(d, j0 + width);
      for (std::size_t c = c0; c < c1; ++c) {
        std::fill(&sums_[c * d + j0], &sums_[c * d + j1], 0.0);
        if (slice == 0) weights_[c] = 0;
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = static_cast<std::size_t>(labels[i]);
        if (c < c0 || c >= c1) continue;
        const double w = p.weight(i);
        if (slice == 0) weights_[c] += w;
        const T* x = p.row(i);
        double* sum = &sums_[c * d];
        for (std::size_t j = j0; j < j1; ++j) sum[j] += w * static_cast<double>(x[j]);
      }
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

  std::vector<std::size_t> cluster_sizes_;
  std::vector<double> sums_;
  std::vector<double> weights_;
};

}  // namespace EKM_ISA
}  // namespace ekm
