// The M-step shared by every algorithm (lib/core/centroid-update.ts specifies it): each centre becomes
// the weighted mean of its points, summed in double over fixed chunks of consecutive points (in
// index order within a chunk), the chunk sums added in chunk order. Chunks are summed in parallel,
// each thread streaming only its own rows; the chunks depend on the shape, never on the thread
// count, so neither do the sums. A chunk whose labels did not change since the last update keeps
// its sums: late iterations move few points, and re-reading every row took a third of their time.
// Empty clusters are re-seeded with the farthest points of positive weight that are off their
// centre. Under cosine k-means each new mean is then normalised (native/normalization.hpp); a mean
// of length zero, whose points cancel exactly, keeps the old centre as an empty cluster does.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "distance.hpp"
#include "normalization.hpp"
#include "parallel.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

struct UpdateOutcome {
  std::vector<double> shifts;  // squared distance each centre moved
  std::size_t relocated = 0;   // empty clusters re-seeded (not those left on their old centre)
  std::size_t changed = 0;     // labels that differ from those of the previous update
};

constexpr std::size_t MAX_SUM_CHUNKS = 64;
constexpr std::size_t SUM_CHUNK_BYTES = 32 * 1024 * 1024;

// Rows per chunk of the centroid sums: whole ROW_BLOCKs, as many chunks as MAX_SUM_CHUNKS and
// SUM_CHUNK_BYTES of k × (d + 1) doubles each allow (lib/core/centroid-update.ts: sumChunkRows).
inline std::size_t sum_chunk_rows(std::size_t n, std::size_t d, std::size_t k) {
  const std::size_t blocks = std::max<std::size_t>(1, block_count(n));
  const std::size_t affordable = std::max<std::size_t>(1, SUM_CHUNK_BYTES / (8 * k * (d + 1)));
  const std::size_t chunks = std::min({blocks, MAX_SUM_CHUNKS, affordable});
  return ROW_BLOCK * ((blocks + chunks - 1) / chunks);
}

// The update step's state for one run: k × d sums and k weights per chunk, the labels they were
// summed for, and the totals.
class CentroidUpdater {
 public:
  CentroidUpdater(std::size_t n, std::size_t d, std::size_t k, Metric metric)
      : unit_centers_(metric == Metric::cosine),
        chunk_rows_(sum_chunk_rows(n, d, k)),
        chunks_((n + chunk_rows_ - 1) / chunk_rows_),
        chunk_sums_(chunks_ * k * d),
        chunk_weights_(chunks_ * k),
        chunk_changed_(chunks_),
        summed_labels_(n, -1),
        sums_(k * d),
        weights_(k),
        scratch_(unit_centers_ ? k * d : 0) {}

  template <class T>
  UpdateOutcome update(const Problem<T>& p, const std::int32_t* labels, const T* old_centers, T* new_centers) {
    UpdateOutcome outcome;
    outcome.changed = sum_clusters(p, labels);
    double* sums = sums_.data();
    double* weights = weights_.data();

    const std::size_t d = p.d, k = p.k;
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < k; ++c) {
      if (weights[c] == 0) empty.push_back(c);
    }
    // Only points of positive weight off their centre re-seed (lib/core/centroid-update.ts says why);
    // empty clusters beyond their number keep their old centres.
    std::vector<std::size_t> far;
    if (!empty.empty()) far = farthest_points(p, labels, old_centers, empty.size());
    for (std::size_t e = 0; e < far.size(); ++e) {
      const std::size_t target = empty[e], point = far[e];
      const std::size_t source = static_cast<std::size_t>(labels[point]);
      const double w = p.weight(point);
      const T* x = p.row(point);
      for (std::size_t j = 0; j < d; ++j) {
        const double moved = w * static_cast<double>(x[j]);
        sums[source * d + j] -= moved;
        sums[target * d + j] = moved;
      }
      weights[target] = w;
      weights[source] -= w;
    }

    outcome.shifts.resize(k);
    outcome.relocated = far.size();
    const std::ptrdiff_t sk = static_cast<std::ptrdiff_t>(k);
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t c = 0; c < sk; ++c) {
      T* center = new_centers + c * d;
      double* sum = sums + c * d;
      const double w = weights[c];
      bool moved = w > 0;
      if (moved && unit_centers_) {
        // The mean in double, in place: the totals are summed afresh at every update.
        for (std::size_t j = 0; j < d; ++j) sum[j] /= w;
        moved = normalize_row(sum, d, center, &scratch_[static_cast<std::size_t>(c) * d]);
      } else if (moved) {
        for (std::size_t j = 0; j < d; ++j) center[j] = static_cast<T>(sum[j] / w);
      }
      if (!moved) std::copy(old_centers + c * d, old_centers + c * d + d, center);
      outcome.shifts[c] = squared_distance(old_centers + c * d, center, d);
    }
    return outcome;
  }

 private:
  // Finds the chunks whose labels changed, re-sums each in a task of its own (with fewer chunks
  // than threads, tasks that each take a range of centres and skip the other rows), then adds all
  // chunks in chunk order, in parallel over centres. Returns the number of changed labels.
  template <class T>
  std::size_t sum_clusters(const Problem<T>& p, const std::int32_t* labels) {
    const std::size_t n = p.n, d = p.d, k = p.k, chunks = chunks_;
    const std::ptrdiff_t chunk_count = static_cast<std::ptrdiff_t>(chunks);
    std::size_t changed = 0;
#pragma omp parallel for num_threads(p.threads) schedule(static) reduction(+ : changed)
    for (std::ptrdiff_t chunk = 0; chunk < chunk_count; ++chunk) {
      const std::size_t start = static_cast<std::size_t>(chunk) * chunk_rows_, end = std::min(n, start + chunk_rows_);
      std::size_t differ = 0;
      for (std::size_t i = start; i < end; ++i) differ += static_cast<std::size_t>(labels[i] != summed_labels_[i]);
      if (differ > 0) std::copy(labels + start, labels + end, &summed_labels_[start]);
      chunk_changed_[static_cast<std::size_t>(chunk)] = differ;
      changed += differ;
    }

    std::vector<std::size_t> dirty;
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
      if (chunk_changed_[chunk] > 0) dirty.push_back(chunk);
    }
    const std::size_t threads = static_cast<std::size_t>(p.threads);
    const std::size_t ranges = dirty.empty() ? 1 : std::min(k, (threads + dirty.size() - 1) / dirty.size());
    const std::ptrdiff_t tasks = static_cast<std::ptrdiff_t>(dirty.size() * ranges);
#pragma omp parallel for num_threads(p.threads) schedule(dynamic, 1)
    for (std::ptrdiff_t task = 0; task < tasks; ++task) {
      const std::size_t chunk = dirty[static_cast<std::size_t>(task) / ranges], range = static_cast<std::size_t>(task) % ranges;
      const std::size_t c0 = k * range / ranges, c1 = k * (range + 1) / ranges;
      double* sums = &chunk_sums_[chunk * k * d];
      double* weights = &chunk_weights_[chunk * k];
      std::fill(sums + c0 * d, sums + c1 * d, 0.0);
      std::fill(weights + c0, weights + c1, 0.0);
      const std::size_t start = chunk * chunk_rows_, end = std::min(n, start + chunk_rows_);
      for (std::size_t i = start; i < end; ++i) {
        const std::size_t c = static_cast<std::size_t>(labels[i]);
        if (c < c0 || c >= c1) continue;
        const double w = p.weight(i);
        weights[c] += w;
        const T* x = p.row(i);
        double* sum = &sums[c * d];
        for (std::size_t j = 0; j < d; ++j) sum[j] += w * static_cast<double>(x[j]);
      }
    }

    const std::ptrdiff_t sk = static_cast<std::ptrdiff_t>(k);
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t c = 0; c < sk; ++c) {
      const std::size_t center = static_cast<std::size_t>(c);
      double* total = &sums_[center * d];
      std::fill(total, total + d, 0.0);
      weights_[center] = 0;
      for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
        const double* sum = &chunk_sums_[(chunk * k + center) * d];
        for (std::size_t j = 0; j < d; ++j) total[j] += sum[j];
        weights_[center] += chunk_weights_[chunk * k + center];
      }
    }
    return changed;
  }

  // Up to `count` points of positive weight and positive distance from their assigned centre, the
  // farthest first, ties to the lower index.
  template <class T>
  std::vector<std::size_t> farthest_points(const Problem<T>& p, const std::int32_t* labels, const T* centers, std::size_t count) {
    const std::size_t n = p.n, d = p.d;
    std::vector<double> dist(n);
    const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(p.threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) dist[i] = squared_distance(p.row(i), centers + labels[i] * d, d);
    std::vector<std::size_t> movable;
    for (std::size_t i = 0; i < n; ++i) {
      if (p.weight(i) > 0 && dist[i] > 0) movable.push_back(i);
    }
    const std::size_t found = std::min(count, movable.size());
    std::partial_sort(movable.begin(), movable.begin() + static_cast<std::ptrdiff_t>(found), movable.end(),
                      [&](std::size_t a, std::size_t b) { return dist[a] > dist[b] || (dist[a] == dist[b] && a < b); });
    movable.resize(found);
    return movable;
  }

  bool unit_centers_;
  std::size_t chunk_rows_;
  std::size_t chunks_;
  std::vector<double> chunk_sums_;          // chunks × k × d
  std::vector<double> chunk_weights_;       // chunks × k
  std::vector<std::size_t> chunk_changed_;  // labels changed in each chunk at this update
  std::vector<std::int32_t> summed_labels_;  // the labels the chunk sums were taken for
  std::vector<double> sums_;                // k × d totals
  std::vector<double> weights_;             // k totals
  std::vector<double> scratch_;             // k × d, for normalising the means (cosine only)
};

}  // namespace EKM_ISA
}  // namespace ekm
