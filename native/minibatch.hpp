// One step of mini-batch k-means (Sculley 2010; scikit-learn's _mini_batch_step), the same bits as
// lib/core/minibatch.ts: the batch is assigned to the nearest centres, every centre that received
// points moves to the weighted mean of its old position (weighted by all it has seen) and of its
// new points, and, when asked, starved centres jump to random points of the batch. The model's
// state (float64 centres, per-centre weight seen, the random generator's words) lives with the
// caller between steps; a MiniBatchOutcome reports the step.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "distance.hpp"
#include "distance_filter.hpp"
#include "lloyd.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "types.hpp"

namespace ekm {
inline namespace EKM_ISA {

// Σ w_i ‖x_i − c_labels[i]‖² over n points (weights: nullptr for all 1) in the blocked order of
// native/parallel.hpp, against float64 centres; every label must be below the centres' count.
template <class T>
double inertia_of_labels(const T* data, std::size_t n, std::size_t d, const double* weights, const double* centers, const std::int32_t* labels, int threads) {
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<double> partial(static_cast<std::size_t>(blocks));
#pragma omp parallel num_threads(threads)
  {
    AsDouble<T> row;
#pragma omp for schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK;
      const std::size_t end = std::min(n, start + ROW_BLOCK);
      double sum = 0;
      for (std::size_t i = start; i < end; ++i) {
        const double squared = squared_distance(row(data + i * d, d), centers + static_cast<std::size_t>(labels[i]) * d, d);
        sum += (weights ? weights[i] : 1.0) * squared;
      }
      partial[static_cast<std::size_t>(b)] = sum;
    }
  }
  double total = 0;
  for (double block : partial) total += block;
  return total;
}

// The centres whose weight seen is below reassignment_ratio × the largest, at most half the batch
// (those of least weight, the lowest index first on ties), moved to distinct batch points drawn
// uniformly; their weight seen becomes the least weight among the centres kept, so that they are
// not reassigned again at once. Returns how many moved.
template <class T>
std::size_t reassign_starved_centers(const T* batch, std::size_t m, std::size_t d, double* centers, double* counts, std::size_t k, double reassignment_ratio,
                                     Random& rng) {
  const double largest = *std::max_element(counts, counts + k);
  std::vector<std::size_t> starved;
  for (std::size_t c = 0; c < k; ++c) {
    if (counts[c] < reassignment_ratio * largest) starved.push_back(c);
  }
  const std::size_t limit = m / 2;
  if (starved.size() > limit) {
    std::stable_sort(starved.begin(), starved.end(), [&](std::size_t a, std::size_t b) { return counts[a] < counts[b]; });
    starved.resize(limit);
    std::sort(starved.begin(), starved.end());
  }
  if (starved.empty()) return 0;
  std::vector<bool> moved(k, false);
  for (std::size_t c : starved) moved[c] = true;
  double least_kept = 0;
  bool first = true;
  for (std::size_t c = 0; c < k; ++c) {
    if (!moved[c] && (first || counts[c] < least_kept)) {
      least_kept = counts[c];
      first = false;
    }
  }
  std::vector<std::uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  for (std::size_t r = 0; r < starved.size(); ++r) {
    const std::size_t j = r + rng.next_index(m - r);
    std::swap(order[j], order[r]);
    const T* row = batch + static_cast<std::size_t>(order[r]) * d;
    double* center = centers + starved[r] * d;
    for (std::size_t x = 0; x < d; ++x) center[x] = static_cast<double>(row[x]);
    counts[starved[r]] = least_kept;
  }
  return starved.size();
}

// One step on a batch of m points (weights: nullptr for all 1). `centers` (k × d) and `counts`
// (weight seen per centre) are updated in place; `rng_state` holds the generator's four words and
// is advanced when `reassign` draws. The inertia is the batch's, measured before the centres move,
// in the blocked order of native/parallel.hpp; the sums of the update are taken in batch order.
template <class T>
MiniBatchOutcome mini_batch_step(const T* batch, std::size_t m, std::size_t d, const double* weights, double* centers, double* counts, std::size_t k,
                                 bool reassign, double reassignment_ratio, std::uint32_t* rng_state, int threads) {
  const int used = effective_threads(threads, m);
  const auto weight = [&](std::size_t i) { return weights ? weights[i] : 1.0; };
  std::vector<std::int32_t> labels(m);
  {
    DistanceFilter<T> filter(batch, m, d, used);
    nearest_centers(batch, m, d, centers, k, used, filter, labels.data());
  }

  MiniBatchOutcome outcome;
  outcome.inertia = inertia_of_labels(batch, m, d, weights, centers, labels.data(), used);

  const std::vector<double> previous(centers, centers + k * d);
  std::vector<double> batch_weight(k, 0.0);
  for (std::size_t i = 0; i < m; ++i) batch_weight[static_cast<std::size_t>(labels[i])] += weight(i);
  for (std::size_t c = 0; c < k; ++c) {
    if (batch_weight[c] > 0) {
      for (std::size_t x = 0; x < d; ++x) centers[c * d + x] *= counts[c];
    }
  }
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t c = static_cast<std::size_t>(labels[i]);
    if (batch_weight[c] == 0) continue;
    const T* point = batch + i * d;
    const double w = weight(i);
    for (std::size_t x = 0; x < d; ++x) centers[c * d + x] += w * static_cast<double>(point[x]);
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (batch_weight[c] > 0) {
      counts[c] += batch_weight[c];
      const double alpha = 1 / counts[c];
      for (std::size_t x = 0; x < d; ++x) centers[c * d + x] *= alpha;
    }
  }

  if (reassign && reassignment_ratio > 0) {
    Random rng = Random::from_state(rng_state);
    outcome.reassigned = reassign_starved_centers(batch, m, d, centers, counts, k, reassignment_ratio, rng);
    rng.save_state(rng_state);
  }

  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t x = 0; x < d; ++x) {
      const double delta = centers[c * d + x] - previous[c * d + x];
      outcome.center_shift += delta * delta;
    }
  }
  return outcome;
}

// Indices of one batch: `size` draws with replacement from [0, n) (lib/core/minibatch.ts drawBatch).
// next_index(n) is floor(u × n) for u ≤ 1 − 2^-53, which rounds below n for any n below 2^53.
inline void draw_batch(Random& sampler, std::size_t n, std::size_t size, std::size_t* indices) {
  for (std::size_t b = 0; b < size; ++b) indices[b] = sampler.next_index(n);
}

// Rows of the points ahead of the one being copied whose cache lines are asked for: the rows are
// scattered, so each is a memory access of its own, and a few dozen in flight hide their latency.
constexpr std::size_t GATHER_AHEAD = 16;

// Rows `indices` of `data`, one after another, into `into`.
template <class T>
void gather(const T* data, std::size_t d, const std::size_t* indices, std::size_t count, T* into) {
  const std::size_t row_bytes = d * sizeof(T);
  for (std::size_t b = 0; b < count; ++b) {
#if defined(__GNUC__) || defined(__clang__)
    if (b + GATHER_AHEAD < count) {
      const char* ahead = reinterpret_cast<const char*>(data + indices[b + GATHER_AHEAD] * d);
      for (std::size_t byte = 0; byte < row_bytes; byte += 64) __builtin_prefetch(ahead + byte);
      __builtin_prefetch(ahead + row_bytes - 1);
    }
#endif
    const T* row = data + indices[b] * d;
    std::copy(row, row + d, into + b * d);
  }
}

// The one-call fit's step (lib/core/minibatch.ts sampledMiniBatchStep): m of the n points drawn
// with replacement by the generator whose words are `sampler_state` (advanced in place; the
// indices of draw_batch), copied with their weights into a batch, and mini_batch_step on it. The
// points are read in place: every index is drawn here, below n, and the caller vouches for n × d
// points (and n weights when there are weights).
template <class T>
MiniBatchOutcome sampled_mini_batch_step(const T* points, std::size_t n, std::size_t d, const double* weights, std::size_t m, std::uint32_t* sampler_state,
                                         double* centers, double* counts, std::size_t k, bool reassign, double reassignment_ratio, std::uint32_t* rng_state,
                                         int threads) {
  std::vector<std::size_t> indices(m);
  Random sampler = Random::from_state(sampler_state);
  draw_batch(sampler, n, m, indices.data());
  sampler.save_state(sampler_state);
  std::vector<T> batch(m * d);
  gather(points, d, indices.data(), m, batch.data());
  std::vector<double> batch_weights(weights ? m : 0);
  for (std::size_t b = 0; b < batch_weights.size(); ++b) batch_weights[b] = weights[indices[b]];
  return mini_batch_step(batch.data(), m, d, weights ? batch_weights.data() : nullptr, centers, counts, k, reassign, reassignment_ratio, rng_state, threads);
}

}  // namespace EKM_ISA
}  // namespace ekm
