// The whole fit, as lib/core/kmeans.ts runs it: seeding, nInit runs of alternating assignment and
// update steps (scikit-learn's loop), the lowest inertia kept. Plain C++17 without Node headers,
// so it can be tested and profiled on its own (native/tests).
#pragma once

#include "isa.hpp"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "centroid_update.hpp"
#include "elkan.hpp"
#include "hamerly.hpp"
#include "lloyd.hpp"
#include "normalization.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "seeding.hpp"
#include "tolerance.hpp"
#include "types.hpp"
#include "yinyang.hpp"

namespace ekm {
inline namespace EKM_ISA {

namespace detail {

template <class T, class Assigner>
FitResult<T> iterate(const Problem<T>& p, const Options& options, std::vector<T> centers, double tolerance,
                     std::size_t run, const IterationHook& hook) {
  const std::size_t n = p.n, d = p.d, k = p.k;
  Assigner assigner(p);
  CentroidUpdater updater(n, d, k, options.metric);
  std::vector<std::int32_t> labels(n, -1);
  std::vector<T> next(centers);
  std::vector<double> shifts(k);
  FitResult<T> result;
  bool strict = false;

  // An assignment asked to stop leaves its labels half done: nothing after it may read them.
  const auto stop_if_asked = [&] {
    if (options.cancel != nullptr && options.cancel->load()) throw Cancelled();
  };
  for (std::size_t iteration = 1; iteration <= options.max_iterations; ++iteration) {
    assigner.assign(centers.data(), labels.data());
    stop_if_asked();
    const UpdateOutcome outcome = updater.update(p, labels.data(), centers.data(), next.data());
    const std::size_t changed = outcome.changed;
    double center_shift = 0;
    for (std::size_t c = 0; c < k; ++c) center_shift += outcome.shifts[c];
    for (std::size_t c = 0; c < k; ++c) shifts[c] = std::sqrt(outcome.shifts[c]);
    assigner.centers_moved(next.data(), shifts.data(), labels.data());
    centers.swap(next);
    result.iterations = iteration;

    if (hook && hook(IterationReport{run, iteration, changed, center_shift})) throw Cancelled();
    if (options.cancel != nullptr && options.cancel->load()) throw Cancelled();
    // Unchanged labels end the run exactly, unless a relocation just moved a centre under them.
    if (changed == 0 && outcome.relocated == 0) {
      result.converged = strict = true;
      break;
    }
    if (center_shift <= tolerance) {
      result.converged = true;
      break;
    }
  }
  // The loop ended on moved centres: one more assignment so the labels match the returned centres.
  if (!strict) {
    assigner.assign(centers.data(), labels.data());
    stop_if_asked();
  }

  const T* c = centers.data();
  const std::int32_t* l = labels.data();
  result.inertia = blocked_sum(n, p.threads, [&](std::size_t i) {
    return p.weight(i) * squared_distance(p.row(i), c + static_cast<std::size_t>(l[i]) * d, d);
  });
  result.labels = std::move(labels);
  result.centroids = std::move(centers);
  return result;
}

}  // namespace detail

// Fits k-means to p; `explicit_centers` (k × d) is read when options.init is explicit_centers.
// Cosine k-means runs the same fit on a normalised copy of the points and of explicit centres,
// its update step normalising every new centre: all the rest, the bounds included, is Euclidean
// geometry on unit vectors.
template <class T>
FitResult<T> fit(Problem<T> p, const Options& options, const T* explicit_centers, const Hooks& hooks) {
  p.threads = effective_threads(options.threads, p.n);
  p.cancel = options.cancel;
  std::vector<T> unit_points, unit_centers;
  if (options.metric == Metric::cosine) {
    unit_points = normalized_rows(p.data, p.n, p.d, p.threads);
    p.data = unit_points.data();
    if (explicit_centers != nullptr) {
      unit_centers = normalized_rows(explicit_centers, p.k, p.d, 1);
      explicit_centers = unit_centers.data();
    }
  }
  const double tolerance = absolute_tolerance(p, options.tolerance);
  Random rng(options.seed);
  FitResult<T> best;
  bool have_best = false;
  for (std::size_t run = 0; run < options.n_init; ++run) {
    std::vector<T> centers(p.k * p.d);
    if (options.init == Init::explicit_centers) {
      if (explicit_centers == nullptr) throw std::invalid_argument("explicit initial centres are missing");
      std::copy(explicit_centers, explicit_centers + p.k * p.d, centers.begin());
    } else {
      seed_centers(p, options.init, rng, centers.data(), hooks.seeding, options.cancel, run);
    }
    FitResult<T> result;
    switch (options.algorithm) {
      case Algorithm::elkan: result = detail::iterate<T, ElkanAssigner<T>>(p, options, std::move(centers), tolerance, run, hooks.iteration); break;
      case Algorithm::hamerly: result = detail::iterate<T, HamerlyAssigner<T>>(p, options, std::move(centers), tolerance, run, hooks.iteration); break;
      case Algorithm::yinyang: result = detail::iterate<T, YinyangAssigner<T>>(p, options, std::move(centers), tolerance, run, hooks.iteration); break;
      case Algorithm::lloyd: result = detail::iterate<T, LloydAssigner<T>>(p, options, std::move(centers), tolerance, run, hooks.iteration); break;
    }
    if (!have_best || result.inertia < best.inertia) {
      best = std::move(result);
      have_best = true;
    }
  }
  best.threads = p.threads;
  return best;
}

// Index of the nearest centre for every point, the lowest index on ties. The centres are float64
// for either element type of the points, so that float32 points are measured against the
// centroids as given.
template <class T>
void predict(const T* data, std::size_t n, std::size_t d, const double* centers, std::size_t k, int threads, std::int32_t* labels) {
  const int used = effective_threads(threads, n);
  DistanceFilter<T> filter(data, n, d, used);
  nearest_centers(data, n, d, centers, k, used, filter, labels);
}

// Distance, not squared, from every point to every centre, n rows of k: the square roots of the
// exact double distances that the fits decide with (the same bits as lib/core/kmeans.ts).
template <class T>
void transform(const T* data, std::size_t n, std::size_t d, const double* centers, std::size_t k, int threads, double* distances) {
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(effective_threads(threads, n))
  {
    AsDouble<T> row;
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) {
      const std::size_t point = static_cast<std::size_t>(i);
      double* out = distances + point * k;
      for_each_center_distance(row(data + point * d, d), centers, k, d, [out](std::size_t c, double squared) { out[c] = std::sqrt(squared); });
    }
  }
}

}  // namespace EKM_ISA
}  // namespace ekm
