// The core's plain data types: a fit's input, options, progress report and result. They sit
// outside the per-instruction-set namespaces (native/isa.hpp) so that every build variant of the
// algorithms shares them with the binding.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ekm {

// What every phase of a fit reads: the points (read in place, never copied), their weights, and
// the thread count.
template <class T>
struct Problem {
  const T* data;
  std::size_t n;
  std::size_t d;
  std::size_t k;
  const double* weights;  // nullptr: every weight is 1
  int threads;
  const std::atomic<bool>* cancel = nullptr;  // Options::cancel, for the passes that check it within

  const T* row(std::size_t i) const { return data + i * d; }
  double weight(std::size_t i) const { return weights ? weights[i] : 1.0; }
};

enum class Algorithm { elkan, hamerly, yinyang, lloyd };
enum class Init { kmeans_plus_plus, kmeans_parallel, random, explicit_centers };
// euclidean: the points as given; cosine: the points and every centre normalised to unit length
// (native/normalization.hpp), which makes squared distances 2 − 2 cos.
enum class Metric { euclidean, cosine };

struct Options {
  Init init = Init::kmeans_plus_plus;
  std::size_t n_init = 1;
  std::size_t max_iterations = 300;
  double tolerance = 1e-4;  // relative, scaled by the mean per-feature variance
  std::uint32_t seed = 0;
  Algorithm algorithm = Algorithm::elkan;
  Metric metric = Metric::euclidean;
  int threads = 1;
  // Set from another thread to stop the fit: the distance filter's passes skip their remaining
  // blocks once it is set, and it is checked after every assignment, every k-means++ centre and
  // every pass of k-means||, where the fit then throws Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct IterationReport {
  std::size_t run;
  std::size_t iteration;
  std::size_t changed;
  double center_shift;
};

// Called between iterations on the fitting thread; returning true stops the fit with Cancelled.
using IterationHook = std::function<bool(const IterationReport&)>;

// Seeding progress of run `run`: `done` of `total` steps (k-means++: one per centre; k-means||:
// one per round, then one per centre chosen from the candidates).
struct SeedingReport {
  std::size_t run;
  std::size_t done;
  std::size_t total;
};

// Called during seeding on the fitting thread; returning true stops the fit with Cancelled.
using SeedingHook = std::function<bool(const SeedingReport&)>;

// What a fit reports, either hook empty when nobody listens.
struct Hooks {
  IterationHook iteration;
  SeedingHook seeding;
};

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("The k-means fit was aborted.") {}
};

template <class T>
struct FitResult {
  std::vector<std::int32_t> labels;
  std::vector<T> centroids;
  double inertia = 0;
  std::size_t iterations = 0;
  bool converged = false;
  int threads = 1;
};

// What one mini-batch step reports (native/minibatch.hpp): the batch's weighted inertia before the
// centres moved, the centres' summed squared shift, and how many starved centres were reassigned.
struct MiniBatchOutcome {
  double inertia = 0;
  double center_shift = 0;
  std::size_t reassigned = 0;
};

}  // namespace ekm
