// The core's own tests, without Node: cmake -S . -B build-core && cmake --build build-core &&
// ctest --test-dir build-core. scripts/test-core.sh also runs them under AddressSanitizer,
// UndefinedBehaviorSanitizer and valgrind.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../dispatch.hpp"
#include "../kmeans.hpp"
#include "../minibatch.hpp"
#include "../thread_budget.hpp"

namespace {

int failures = 0;
int checks = 0;

void check(bool ok, const std::string& what) {
  ++checks;
  if (!ok) {
    ++failures;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

// Blobs from the project's generator: k centres in [-10, 10]^d, uniform noise of width `spread`.
template <class T>
std::vector<T> blobs(std::uint32_t seed, std::size_t n, std::size_t d, std::size_t k, double spread) {
  ekm::Random rng(seed);
  std::vector<double> means(k * d);
  for (double& m : means) m = rng.next_double() * 20 - 10;
  std::vector<T> data(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = rng.next_index(k);
    for (std::size_t j = 0; j < d; ++j) data[i * d + j] = static_cast<T>(means[c * d + j] + spread * (rng.next_double() - 0.5));
  }
  return data;
}

std::string algorithm_name(ekm::Algorithm algorithm) {
  switch (algorithm) {
    case ekm::Algorithm::elkan: return "Elkan";
    case ekm::Algorithm::hamerly: return "Hamerly";
    case ekm::Algorithm::yinyang: return "Yinyang";
    case ekm::Algorithm::lloyd: return "Lloyd";
  }
  return "?";
}

void weighted_case() {
  const std::vector<double> points = {0, 0, 0.5, 0, 0.5, 1, 1, 1};
  const std::vector<double> weights = {3, 1, 1, 3};
  const std::vector<double> init = {0, 0, 1, 1};
  for (const ekm::Algorithm algorithm : {ekm::Algorithm::elkan, ekm::Algorithm::lloyd}) {
    ekm::Options options;
    options.init = ekm::Init::explicit_centers;
    options.algorithm = algorithm;
    const auto r = ekm::kernels().fit_double({points.data(), 4, 2, 2, weights.data(), 1}, options, init.data(), ekm::Hooks{});
    check(r.labels == std::vector<std::int32_t>{0, 0, 1, 1}, "weighted case labels");
    check(std::fabs(r.inertia - 0.375) < 1e-12, "weighted case inertia");
    check(r.centroids == std::vector<double>{0.125, 0, 0.875, 1}, "weighted case centroids");
    check(r.iterations == 2, "weighted case iterations");
  }
}

// Empty clusters are re-seeded only with points of positive weight that are off their centre (the
// cases of test/sklearn-semantics.test.ts): re-seeding with a point of weight 0, or one on its
// centre, would repeat at every iteration and the fit would run to max_iterations.
void zero_weight_clusters_converge() {
  struct Case {
    std::vector<double> points, weights, init;
    std::vector<std::int32_t> labels;
    std::vector<double> centroids;
    double inertia;
  };
  const std::vector<Case> cases = {
      {{0, 1, 10, 11, 50, 60}, {1, 1, 1, 1, 0, 0}, {0, 10, 55}, {0, 2, 1, 1, 1, 1}, {0, 10.5, 1}, 0.5},
      {{0, 1, 2, 3}, {1, 0, 0, 0}, {1, 2, 3}, {1, 0, 0, 2}, {1, 0, 3}, 0},
  };
  for (const Case& c : cases) {
    for (const ekm::Algorithm algorithm : {ekm::Algorithm::elkan, ekm::Algorithm::hamerly, ekm::Algorithm::yinyang, ekm::Algorithm::lloyd}) {
      ekm::Options options;
      options.init = ekm::Init::explicit_centers;
      options.algorithm = algorithm;
      options.tolerance = 0;
      const ekm::Problem<double> p{c.points.data(), c.points.size(), 1, 3, c.weights.data(), 1};
      const auto r = ekm::fit(p, options, c.init.data(), ekm::Hooks{});
      const std::string where = " (n " + std::to_string(c.points.size()) + ", algorithm " + std::to_string(static_cast<int>(algorithm)) + ")";
      check(r.converged && r.iterations == 2, "a fit with weightless clusters converges in 2 iterations" + where);
      check(r.labels == c.labels && r.centroids == c.centroids && r.inertia == c.inertia, "weightless clusters: labels, centroids, inertia" + where);
    }
  }
}

template <class T>
void accelerated_match_lloyd_for_every_thread_count() {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    ekm::Random shape(seed);
    // Fits of fewer than 4096 points run on one thread, so a quarter of the cases are larger.
    const std::size_t n = seed % 4 == 0 ? 8000 + shape.next_index(12000) : 1 + shape.next_index(3000);
    const std::size_t d = 1 + shape.next_index(12);
    const std::size_t k = 1 + shape.next_index(std::min<std::size_t>(n, 40));
    const std::vector<T> data = blobs<T>(seed, n, d, k, 4);
    ekm::Options options;
    options.seed = seed;
    options.n_init = 1 + seed % 3;
    options.init = seed % 2 ? ekm::Init::kmeans_plus_plus : ekm::Init::random;
    options.algorithm = ekm::Algorithm::lloyd;
    options.threads = 1;
    const ekm::Problem<T> p{data.data(), n, d, k, nullptr, 1};
    const auto lloyd = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
    for (const ekm::Algorithm algorithm : {ekm::Algorithm::elkan, ekm::Algorithm::hamerly, ekm::Algorithm::yinyang}) {
      options.algorithm = algorithm;
      const std::string name = algorithm_name(algorithm);
      for (const int threads : {1, 2, 3, 8}) {
        options.threads = threads;
        const auto fast = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
        const std::string where = " (seed " + std::to_string(seed) + ", threads " + std::to_string(threads) + ")";
        check(fast.labels == lloyd.labels, name + " labels equal Lloyd's" + where);
        check(fast.iterations == lloyd.iterations, name + " iterations equal Lloyd's" + where);
        check(fast.inertia == lloyd.inertia, name + " inertia equals Lloyd's bit for bit" + where);
        check(fast.centroids == lloyd.centroids, name + " centroids equal Lloyd's bit for bit" + where);
      }
    }
  }
}

// Yinyang with several groups of centres (up to k / 40 = 12), through the distance filter (d ≥ 8) and
// without it, Gaussian-like blobs of varied spread: Lloyd's labels and bits for 1 and 2 threads.
// Hamerly too, whose rescans (like Lloyd's passes) take the bfloat16 tiles from 64 centres where
// the CPU has them, while Yinyang's group scans keep to the float32 ones.
template <class T>
void yinyang_matches_lloyd_with_many_groups() {
  std::uint32_t seed = 100;
  for (const std::size_t d : {3, 16, 33}) {
    for (const std::size_t k : {25, 160, 481}) {
      ++seed;
      const std::size_t n = 3000;
      const std::vector<T> data = blobs<T>(seed, n, d, k + seed % 50, 1 + static_cast<double>(seed % 7));
      ekm::Options options;
      options.seed = seed;
      options.tolerance = 0;
      options.max_iterations = 15;
      options.algorithm = ekm::Algorithm::lloyd;
      options.threads = 1;
      const ekm::Problem<T> p{data.data(), n, d, k, nullptr, 1};
      const auto lloyd = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
      for (const ekm::Algorithm algorithm : {ekm::Algorithm::yinyang, ekm::Algorithm::hamerly}) {
        options.algorithm = algorithm;
        for (const int threads : {1, 2}) {
          options.threads = threads;
          const auto fast = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
          const std::string where = " (d " + std::to_string(d) + ", k " + std::to_string(k) + ", threads " + std::to_string(threads) + ")";
          const std::string name = algorithm_name(algorithm);
          check(fast.labels == lloyd.labels && fast.iterations == lloyd.iterations, name + "'s labels and iterations equal Lloyd's" + where);
          check(fast.inertia == lloyd.inertia && fast.centroids == lloyd.centroids, name + "'s inertia and centroids equal Lloyd's bit for bit" + where);
        }
      }
    }
  }
}

// Float32 values far from zero (few distinct values per column), every tenth point a copy of the
// one before, and initial centres on or next to the first three points: exact and near ties
// everywhere. Elkan and Hamerly must still make Lloyd's choices (test/exactness.test.ts does the
// same through Node).
void accelerated_match_lloyd_on_ties() {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    ekm::Random rng(seed);
    const std::size_t n = 50 + rng.next_index(1500), d = 1 + rng.next_index(24), k = 2 + rng.next_index(40);
    const double offset = std::pow(10.0, static_cast<double>(rng.next_index(10)) - 1);
    const double spread = std::pow(10.0, static_cast<double>(rng.next_index(5)) - 3);
    const std::size_t groups = 1 + rng.next_index(k + 3);
    std::vector<double> means(groups * d);
    for (double& m : means) m = offset + (rng.next_double() * 2 - 1) * spread * 50;
    std::vector<float> data(n * d);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = rng.next_index(groups);
      const bool copy = i > 0 && rng.next_index(10) == 0;
      for (std::size_t j = 0; j < d; ++j) {
        data[i * d + j] = copy ? data[(i - 1) * d + j] : static_cast<float>(means[c * d + j] + spread * (rng.next_double() - 0.5));
      }
    }
    std::vector<float> init(k * d);
    for (std::size_t c = 0; c < k; ++c) {
      for (std::size_t j = 0; j < d; ++j) init[c * d + j] = data[(c % 3) * d + j] + static_cast<float>(static_cast<double>(c) * spread * 1e-3);
    }
    ekm::Options options;
    options.init = ekm::Init::explicit_centers;
    options.tolerance = 0;
    options.max_iterations = 100;
    options.threads = 2;
    options.algorithm = ekm::Algorithm::lloyd;
    const ekm::Problem<float> p{data.data(), n, d, k, nullptr, 1};
    const auto lloyd = ekm::fit(p, options, init.data(), ekm::Hooks{});
    for (const ekm::Algorithm algorithm : {ekm::Algorithm::elkan, ekm::Algorithm::hamerly, ekm::Algorithm::yinyang}) {
      options.algorithm = algorithm;
      const auto fast = ekm::fit(p, options, init.data(), ekm::Hooks{});
      const std::string name = algorithm_name(algorithm);
      check(fast.labels == lloyd.labels && fast.iterations == lloyd.iterations,
            name + " makes Lloyd's choices on tied data (seed " + std::to_string(seed) + ")");
    }
  }
}

// The distance filter against measuring every centre: midpoints of pairs of centres (exact ties
// in double, rounded products in float32), some moved by one unit in the last place, columns of
// very different magnitude, data far from the origin or so near 0 that products underflow; float
// and double, 1 and 2 threads, the float32 tiles and (where the CPU has AVX-512 BF16) the coarse
// bfloat16 ones. Each must be in use in most cases it may serve, or this test would test nothing.
template <class T>
void filtered_nearest_centers_are_exact() {
  std::size_t used = 0, cases = 0, coarse = 0, coarse_cases = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    ekm::Random rng(seed);
    const std::size_t n = 100 + rng.next_index(500), d = 8 + rng.next_index(seed % 8 == 0 ? 400 : 40);
    const std::size_t k = seed % 2 == 1 ? 64 + rng.next_index(200) : 4 + rng.next_index(60);
    const double offset = seed % 4 == 0 ? std::pow(10.0, static_cast<double>(rng.next_index(6))) : 0;
    std::vector<double> scale(d);
    for (std::size_t j = 0; j < d; ++j) {
      scale[j] = seed % 10 == 7 ? 0x1p-118 : seed % 3 == 0 ? std::ldexp(1.0, static_cast<int>(j % 31) - 15) : 1;
    }
    std::vector<double> centers(k * d);
    for (std::size_t c = 0; c < k; ++c) {
      for (std::size_t j = 0; j < d; ++j) {
        centers[c * d + j] = c == k - 1 ? centers[j] : offset + static_cast<double>(static_cast<int>(rng.next_index(32769)) - 16384) / 256 * scale[j];
      }
    }
    std::vector<T> data(n * d);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t a = rng.next_index(k), b = rng.next_index(k);
      for (std::size_t j = 0; j < d; ++j) data[i * d + j] = static_cast<T>((centers[a * d + j] + centers[b * d + j]) / 2);
      if (i % 3 == 0) {
        T& x = data[i * d + rng.next_index(d)];
        x = std::nextafter(x, static_cast<T>(INFINITY));
      }
    }
    for (std::size_t i = 0; i < k * d; ++i) centers[i] = static_cast<double>(static_cast<T>(centers[i]));
    std::vector<std::int32_t> expected(n), labels(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> x(data.begin() + static_cast<std::ptrdiff_t>(i * d), data.begin() + static_cast<std::ptrdiff_t>(i * d + d));
      expected[i] = ekm::nearest_center(x.data(), centers.data(), k, d);
    }
    // Hints as a fit has them (most are the nearest) and arbitrary ones.
    std::vector<std::int32_t> hints(n);
    for (std::size_t i = 0; i < n; ++i) hints[i] = i % 4 == 0 ? static_cast<std::int32_t>(rng.next_index(k)) : expected[i];
    for (const int threads : {1, 2}) {
      for (const int tier : {0, 1, 2}) {
        const bool allow_coarse = tier > 0;
        ekm::DistanceFilter<T> filter(data.data(), n, d, threads);
        filter.allow_coarse(allow_coarse);
        ekm::nearest_centers(data.data(), n, d, centers.data(), k, threads, filter, labels.data(), tier == 2 ? hints.data() : nullptr);
        if (allow_coarse) {
          coarse_cases += k >= 64 ? 1 : 0;
          coarse += filter.coarse_packed() ? 1 : 0;
        } else {
          ++cases;
          used += filter.usable() ? 1 : 0;
        }
        check(labels == expected, std::string("filtered nearest centres are the exact ones (") + (sizeof(T) == 4 ? "float" : "double") + ", seed " +
                                      std::to_string(seed) + ", d " + std::to_string(d) + ", k " + std::to_string(k) + ", threads " + std::to_string(threads) +
                                      (filter.coarse_packed() ? ", bfloat16 tiles" : "") + (tier == 2 ? ", hints" : "") + ")");
      }
    }
  }
  check(used * 10 >= cases * 9, "the distance filter was usable in at least 90% of the cases (" + std::to_string(used) + " of " + std::to_string(cases) + ")");
  if (ekm::bf16_tiles_available()) {
    check(coarse * 10 >= coarse_cases * 8,
          "the bfloat16 tiles served at least 80% of the cases with 64 centres or more (" + std::to_string(coarse) + " of " + std::to_string(coarse_cases) + ")");
  } else {
    std::printf("note: this CPU has no AVX-512 BF16 (or ELKAN_KMEANS_ISA declines it); the bfloat16 tiles were not tested\n");
  }
}

void every_variant_computes_the_same_bits() {
  const std::vector<double> data = blobs<double>(7, 5000, 9, 20, 6);
  ekm::Options options;
  options.seed = 3;
  options.threads = 2;
  const auto chosen = ekm::kernels().fit_double({data.data(), 5000, 9, 20, nullptr, 1}, options, nullptr, ekm::Hooks{});
  const auto generic = ekm::fit(ekm::Problem<double>{data.data(), 5000, 9, 20, nullptr, 1}, options, static_cast<const double*>(nullptr), ekm::Hooks{});
  check(chosen.labels == generic.labels && chosen.centroids == generic.centroids && chosen.inertia == generic.inertia,
        std::string("the ") + ekm::kernels().isa + " variant matches the generic one bit for bit");
}

void edge_shapes() {
  // k = n, duplicate points, a constant column, n = 1.
  const std::vector<double> duplicates = {1, 5, 1, 5, 1, 5, 2, 5};
  ekm::Options options;
  options.seed = 1;
  const auto all = ekm::fit(ekm::Problem<double>{duplicates.data(), 4, 2, 4, nullptr, 2}, options, static_cast<const double*>(nullptr), ekm::Hooks{});
  check(all.labels.size() == 4 && std::isfinite(all.inertia), "k = n with duplicate points gives finite results");
  const std::vector<float> one = {3.5f};
  const auto single = ekm::fit(ekm::Problem<float>{one.data(), 1, 1, 1, nullptr, 1}, options, static_cast<const float*>(nullptr), ekm::Hooks{});
  check(single.labels == std::vector<std::int32_t>{0} && single.centroids == std::vector<float>{3.5f} && single.inertia == 0, "n = 1");
}

// transform gives the square root of each exact double distance, for every thread count and in
// the variant chosen for this CPU.
template <class T>
void transform_measures_exact_distances() {
  const std::size_t n = 9000, d = 7, k = 13;
  const std::vector<T> data = blobs<T>(11, n, d, k, 4);
  std::vector<double> centers(k * d);
  for (std::size_t j = 0; j < k * d; ++j) centers[j] = static_cast<double>(data[j * 5]);
  std::vector<double> expected(n * k);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> row(data.begin() + static_cast<std::ptrdiff_t>(i * d), data.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
    for (std::size_t c = 0; c < k; ++c) expected[i * k + c] = std::sqrt(ekm::squared_distance(row.data(), centers.data() + c * d, d));
  }
  const std::string type = sizeof(T) == 4 ? "float" : "double";
  for (int threads : {1, 3}) {
    std::vector<double> distances(n * k);
    ekm::transform(data.data(), n, d, centers.data(), k, threads, distances.data());
    check(distances == expected, "transform gives the exact distances (" + type + ", " + std::to_string(threads) + " threads)");
  }
  std::vector<double> chosen(n * k);
  if constexpr (sizeof(T) == 4) {
    ekm::kernels().transform_float(data.data(), n, d, centers.data(), k, 2, chosen.data());
  } else {
    ekm::kernels().transform_double(data.data(), n, d, centers.data(), k, 2, chosen.data());
  }
  check(chosen == expected, std::string("the ") + ekm::kernels().isa + " variant's transform gives the exact distances (" + type + ")");
}

void thread_counts() {
  // One thread per 4096 points at most, and one without OpenMP, whatever was asked.
  const std::vector<double> data = blobs<double>(5, 10000, 3, 8, 4);
  ekm::Options options;
  options.threads = 8;
  const auto result = ekm::fit(ekm::Problem<double>{data.data(), 10000, 3, 8, nullptr, 1}, options, static_cast<const double*>(nullptr), ekm::Hooks{});
  check(result.threads == (ekm::has_openmp() ? 3 : 1), "threads reported: " + std::to_string(result.threads));
}

void centroid_sum_chunks() {
  // The same rows per chunk as lib/core/centroid-update.ts (test/exactness.test.ts checks this table):
  // one chunk below ROW_BLOCK rows, MAX_SUM_CHUNKS chunks, and fewer when the sums get large.
  check(ekm::sum_chunk_rows(1000, 3, 4) == 1024, "one chunk for fewer than ROW_BLOCK points");
  check(ekm::sum_chunk_rows(100000, 32, 100) == 2048, "64 chunks of whole blocks");
  check(ekm::sum_chunk_rows(100000, 768, 1000) == 20480, "5 chunks of 1000 x 768 sums fit in SUM_CHUNK_BYTES");
}

void cancellation() {
  const std::vector<double> data = blobs<double>(2, 2000, 4, 30, 20);
  ekm::Options options;
  options.tolerance = 0;
  std::size_t calls = 0;
  bool cancelled = false;
  try {
    ekm::fit(ekm::Problem<double>{data.data(), 2000, 4, 30, nullptr, 1}, options, static_cast<const double*>(nullptr),
             ekm::Hooks{[&](const ekm::IterationReport&) { return ++calls == 3; }, {}});
  } catch (const ekm::Cancelled&) {
    cancelled = true;
  }
  check(cancelled && calls == 3, "a hook returning true stops the fit after that iteration");
}

// Seeding reports every step up to 100 steps, then every hundredth, always the last; a hook
// returning true stops the seeding there.
void seeding_reports() {
  const std::vector<double> data = blobs<double>(4, 3000, 3, 250, 10);
  for (const ekm::Init init : {ekm::Init::kmeans_plus_plus, ekm::Init::kmeans_parallel}) {
    const std::string name = init == ekm::Init::kmeans_plus_plus ? "k-means++" : "k-means||";
    ekm::Options options;
    options.init = init;
    options.max_iterations = 1;
    options.n_init = 2;
    std::vector<ekm::SeedingReport> reports;
    const ekm::Hooks hooks{{}, [&](const ekm::SeedingReport& r) {
                             reports.push_back(r);
                             return false;
                           }};
    ekm::fit(ekm::Problem<double>{data.data(), 3000, 3, 250, nullptr, 2}, options, static_cast<const double*>(nullptr), hooks);
    const std::size_t total = init == ekm::Init::kmeans_plus_plus ? 250 : 255;
    bool monotone = true;
    std::size_t ends = 0;
    for (std::size_t r = 0; r < reports.size(); ++r) {
      monotone = monotone && reports[r].total == total && (r == 0 || reports[r].run > reports[r - 1].run || reports[r].done > reports[r - 1].done);
      ends += reports[r].done == total;
    }
    check(monotone && ends == 2 && reports.back().run == 1, name + " reports rising counts that reach the total in each run");
    check(reports.size() <= 2 * 101, name + " reports about 100 times per run");

    std::size_t calls = 0;
    bool cancelled = false;
    try {
      ekm::fit(ekm::Problem<double>{data.data(), 3000, 3, 250, nullptr, 2}, options, static_cast<const double*>(nullptr),
               ekm::Hooks{{}, [&](const ekm::SeedingReport&) { return ++calls == 2; }});
    } catch (const ekm::Cancelled&) {
      cancelled = true;
    }
    check(cancelled && calls == 2, name + ": a seeding hook returning true stops the fit");
  }
}

// k-means|| picks the same centres for every thread count, k centres whatever the duplicates,
// and only points of positive weight.
void kmeans_parallel_cases() {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    ekm::Random shape(seed);
    const std::size_t n = seed % 3 == 0 ? 9000 + shape.next_index(6000) : 1 + shape.next_index(2000);
    const std::size_t d = 1 + shape.next_index(20);
    const std::size_t k = 1 + shape.next_index(std::min<std::size_t>(n, 60));
    const std::vector<float> data = blobs<float>(seed, n, d, k, 4);
    std::vector<double> weights(n);
    for (std::size_t i = 0; i < n; ++i) weights[i] = i % 5 == 0 ? 0.0 : 0.5 + shape.next_double();
    ekm::Options options;
    options.seed = seed;
    options.init = ekm::Init::kmeans_parallel;
    options.max_iterations = 1;
    options.threads = 1;
    const ekm::Problem<float> p{data.data(), n, d, k, seed % 2 ? weights.data() : nullptr, 1};
    const auto one = ekm::fit(p, options, static_cast<const float*>(nullptr), ekm::Hooks{});
    for (const int threads : {2, 3, 8}) {
      options.threads = threads;
      const auto many = ekm::fit(p, options, static_cast<const float*>(nullptr), ekm::Hooks{});
      check(many.centroids == one.centroids && many.labels == one.labels && many.inertia == one.inertia,
            "k-means|| is the same for " + std::to_string(threads) + " threads (seed " + std::to_string(seed) + ")");
    }
  }
  // Two distinct points among six, k = 4 and k = n; one point; k = 1.
  const std::vector<double> duplicates = {1, 1, 1, 1, 1, 1, 7, 7, 7, 7, 7, 7};
  ekm::Options options;
  options.init = ekm::Init::kmeans_parallel;
  options.max_iterations = 1;
  for (const std::size_t k : {1, 2, 4, 6}) {
    const auto r = ekm::fit(ekm::Problem<double>{duplicates.data(), 6, 2, k, nullptr, 1}, options, static_cast<const double*>(nullptr), ekm::Hooks{});
    check(r.centroids.size() == 2 * k && std::isfinite(r.inertia) && (k == 1 || r.inertia == 0),
          "k-means|| seeds k = " + std::to_string(k) + " of six points at two places");
  }
  // Zero weights: the weightless points are never centres.
  const std::vector<double> line = {0, 1, 2, 3, 100, 101, 102, 103};
  const std::vector<double> weights = {1, 1, 1, 1, 0, 0, 0, 0};
  const ekm::SeedingHook none;
  bool positive = true;
  for (std::uint32_t seed = 0; seed < 20; ++seed) {
    std::vector<double> seeds(3);
    ekm::Random rng(seed);
    ekm::SeedingProgress progress(none, nullptr, 0, 8);
    ekm::kmeans_parallel_centers(ekm::Problem<double>{line.data(), 8, 1, 3, weights.data(), 1}, rng, seeds.data(), progress);
    positive = positive && seeds[0] < 4 && seeds[1] < 4 && seeds[2] < 4;
  }
  check(positive, "k-means|| takes no point of zero weight while others remain");
}

// One mini-batch step moves a centre to (old × weight seen + Σ w·x) / new weight seen; a centre that
// sees nothing is reassigned to a batch point with the least weight of the others; and a batch
// large enough to split gives the same bits on 1 and 3 threads.
void mini_batch_steps() {
  std::vector<double> centers{0, 10, 1e6}, counts{0, 0, 0};
  std::uint32_t state[4];
  ekm::Random(4).save_state(state);
  const std::vector<float> batch{1, 3, 9};
  auto outcome = ekm::mini_batch_step(batch.data(), 3, 1, nullptr, centers.data(), counts.data(), 3, true, 0.01, state, 1);
  check(centers[0] == 2 && centers[1] == 9 && (centers[2] == 1 || centers[2] == 3 || centers[2] == 9), "mini-batch step: means and a reassigned centre");
  check(counts == std::vector<double>{2, 1, 1} && outcome.reassigned == 1 && outcome.inertia == 1 + 9 + 1, "mini-batch step: counts, reassignment, inertia");
  const std::vector<double> weights{1, 3};
  const std::vector<float> second{2, 8};
  outcome = ekm::mini_batch_step(second.data(), 2, 1, weights.data(), centers.data(), counts.data(), 3, false, 0.01, state, 1);
  check(outcome.reassigned == 0 && counts[0] + counts[1] + counts[2] == 8, "mini-batch step: weights add to the weight seen");

  const std::size_t m = 20000, d = 3, k = 12;
  const std::vector<double> data = blobs<double>(9, m, d, k, 3);
  std::vector<double> one(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(k * d)), three = one;
  std::vector<double> seen_one(k, 0), seen_three(k, 0);
  std::uint32_t state_one[4], state_three[4];
  ekm::Random(1).save_state(state_one);
  ekm::Random(1).save_state(state_three);
  const auto a = ekm::mini_batch_step(data.data(), m, d, nullptr, one.data(), seen_one.data(), k, true, 0.01, state_one, 1);
  const auto b = ekm::mini_batch_step(data.data(), m, d, nullptr, three.data(), seen_three.data(), k, true, 0.01, state_three, 3);
  check(one == three && seen_one == seen_three && a.inertia == b.inertia && a.center_shift == b.center_shift,
        "mini-batch step: the same bits on 1 and 3 threads");

  // The sampled step is the step on the rows (and weights) its sampler draws, one after another.
  std::vector<double> row_weights(m);
  for (std::size_t i = 0; i < m; ++i) row_weights[i] = 1 + static_cast<double>(i % 3);
  std::vector<double> sampled(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(k * d)), gathered = sampled;
  std::vector<double> seen_sampled(k, 0), seen_gathered(k, 0);
  std::uint32_t sampler_state[4], sampled_state[4], gathered_state[4];
  ekm::Random(7).save_state(sampler_state);
  ekm::Random(2).save_state(sampled_state);
  ekm::Random(2).save_state(gathered_state);
  ekm::Random sampler(7);
  const std::size_t size = 300;
  bool same = true;
  for (int step = 0; step < 3; ++step) {
    std::vector<double> rows(size * d), batch_weights(size);
    for (std::size_t r = 0; r < size; ++r) {
      const std::size_t i = sampler.next_index(m);
      std::copy(data.begin() + static_cast<std::ptrdiff_t>(i * d), data.begin() + static_cast<std::ptrdiff_t>((i + 1) * d),
                rows.begin() + static_cast<std::ptrdiff_t>(r * d));
      batch_weights[r] = row_weights[i];
    }
    const auto by_hand =
        ekm::mini_batch_step(rows.data(), size, d, batch_weights.data(), gathered.data(), seen_gathered.data(), k, true, 0.5, gathered_state, 1);
    const auto drawn = ekm::sampled_mini_batch_step(data.data(), m, d, row_weights.data(), size, sampler_state, sampled.data(), seen_sampled.data(), k, true,
                                                    0.5, sampled_state, 1);
    same = same && drawn.inertia == by_hand.inertia && drawn.center_shift == by_hand.center_shift && drawn.reassigned == by_hand.reassigned;
  }
  std::uint32_t sampler_words[4];
  sampler.save_state(sampler_words);
  same = same && sampled == gathered && seen_sampled == seen_gathered && std::equal(sampler_words, sampler_words + 4, sampler_state) &&
         std::equal(sampled_state, sampled_state + 4, gathered_state);
  check(same, "sampled mini-batch step: the step on the rows and weights its sampler draws");

  // Seeding from a generator kept as its words draws what the generator itself draws, and leaves
  // the words where the generator stopped.
  const ekm::SeedingHook no_hook;
  for (ekm::Init init : {ekm::Init::kmeans_plus_plus, ekm::Init::kmeans_parallel, ekm::Init::random}) {
    const ekm::Problem<double> p{data.data(), m, d, k, row_weights.data(), 1};
    std::vector<double> from_words(k * d), from_generator(k * d);
    std::uint32_t words[4], after[4];
    ekm::Random(5).save_state(words);
    ekm::seed_centers_from_state(p, init, words, from_words.data(), no_hook);
    ekm::Random generator(5);
    ekm::seed_centers(p, init, generator, from_generator.data(), no_hook, nullptr, 0);
    generator.save_state(after);
    check(from_words == from_generator && std::equal(words, words + 4, after), "seeding from the generator's words: the generator's centres and words");
  }
}

}  // namespace

// The process-wide budget: never more threads out than its capacity, first come first served (a
// small request does not overtake a large one), and a withdrawn request lets the next one in.
void thread_budget() {
  ekm::ThreadBudget budget(4);
  std::vector<std::string> order;
  std::vector<int> granted(4, 0);
  const auto ask = [&](int index, int threads) {
    return budget.request(threads, [&, index](int got) {
      granted[static_cast<std::size_t>(index)] = got;
      order.push_back(std::string(1, static_cast<char>('a' + index)));
    });
  };
  ask(0, 3);
  ask(1, 2);
  const std::uint64_t c = ask(2, 1);
  ask(3, 16);
  check(order == std::vector<std::string>{"a"}, "budget: only the first request fits");
  check(budget.state().waiting == 3 && budget.state().available == 1, "budget: three wait, one thread free");
  budget.release(3);
  // b (2) and c (1) now fit; d asks for more than the capacity and gets all of it once free.
  check((order == std::vector<std::string>{"a", "b", "c"}), "budget: waiters granted in order");
  check(!budget.withdraw(c), "budget: a granted request cannot be withdrawn");
  budget.release(2);
  budget.release(1);
  check((order == std::vector<std::string>{"a", "b", "c", "d"}) && granted[3] == 4, "budget: a request is clamped to the capacity");
  budget.release(4);

  ekm::ThreadBudget small(2);
  const int sync = small.take(2);
  check(sync == 2 && small.take(1) == 1 && small.state().available == -1, "budget: take never waits, and borrows one thread when none is free");
  bool started = false;
  const std::uint64_t waiting = small.request(1, [&](int) { started = true; });
  check(small.withdraw(waiting) && small.state().waiting == 0, "budget: a waiting request can be withdrawn");
  small.release(sync);
  small.release(1);
  check(!started && small.state().available == 2, "budget: a withdrawn request is never granted");
}

// Cosine k-means' normalisation: a row times any power of two, subnormal or near overflow,
// normalises to the same bits as the row itself (the exact pre-scaling), and a row of zeros has no
// direction.
void normalization_ignores_row_scale() {
  // Dyadic values, so that even the subnormal multiples are exact.
  const std::vector<double> row = {3, -4, 0.5, 12};
  std::vector<double> expected(4), got(4), scratch(4);
  check(ekm::normalize_row(row.data(), 4, expected.data(), scratch.data()), "normalisation: a plain row has a direction");
  for (const int e : {-1070, -900, -1, 1, 900, 1000}) {
    std::vector<double> scaled(4);
    for (std::size_t j = 0; j < 4; ++j) scaled[j] = std::ldexp(row[j], e);
    const bool ok = ekm::normalize_row(scaled.data(), 4, got.data(), scratch.data());
    check(ok && got == expected, "normalisation: the row times 2^" + std::to_string(e) + " gives the same bits");
  }
  std::vector<float> single(4);
  const std::vector<float> narrow = {3e-38f, -4e-38f, 0, 1e-45f};
  check(ekm::normalize_row(narrow.data(), 4, single.data(), scratch.data()), "normalisation: float32 subnormals have a direction");
  const std::vector<double> zero(4, 0.0);
  check(!ekm::normalize_row(zero.data(), 4, got.data(), scratch.data()), "normalisation: a row of zeros has none");
  bool refused = false;
  try {
    ekm::normalized_rows(zero.data(), 1, 4, 1);
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  check(refused, "normalisation: normalized_rows refuses a row of zeros");
}

// Cosine k-means: Elkan and Hamerly reach Lloyd's labels, centroids and inertia bit for bit at any
// thread count (test/cosine.test.ts also holds them to a spherical Lloyd written from the definition).
template <class T>
void cosine_accelerated_match_lloyd() {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    ekm::Random shape(seed);
    const std::size_t n = seed % 3 == 0 ? 9000 : 1 + shape.next_index(2000);
    const std::size_t d = 1 + shape.next_index(40);
    const std::size_t k = 1 + shape.next_index(std::min<std::size_t>(n, 30));
    const std::vector<T> data = blobs<T>(seed, n, d, k, 8);
    ekm::Options options;
    options.seed = seed;
    options.metric = ekm::Metric::cosine;
    options.init = seed % 2 ? ekm::Init::kmeans_plus_plus : ekm::Init::random;
    options.tolerance = seed % 4 == 1 ? 0 : 1e-4;
    options.algorithm = ekm::Algorithm::lloyd;
    const ekm::Problem<T> p{data.data(), n, d, k, nullptr, 1};
    const auto lloyd = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
    for (const ekm::Algorithm algorithm : {ekm::Algorithm::elkan, ekm::Algorithm::hamerly, ekm::Algorithm::yinyang, ekm::Algorithm::lloyd}) {
      options.algorithm = algorithm;
      for (const int threads : {1, 2, 3}) {
        options.threads = threads;
        const auto fit = ekm::fit(p, options, static_cast<const T*>(nullptr), ekm::Hooks{});
        const std::string where = " (cosine, seed " + std::to_string(seed) + ", threads " + std::to_string(threads) + ")";
        check(fit.labels == lloyd.labels && fit.iterations == lloyd.iterations, "labels and iterations equal Lloyd's" + where);
        check(fit.inertia == lloyd.inertia && fit.centroids == lloyd.centroids, "inertia and centroids equal Lloyd's bit for bit" + where);
      }
    }
    for (std::size_t c = 0; c < k; ++c) {
      double squares = 0;
      for (std::size_t j = 0; j < d; ++j) squares += static_cast<double>(lloyd.centroids[c * d + j]) * lloyd.centroids[c * d + j];
      check(std::fabs(std::sqrt(squares) - 1) < 1e-6, "cosine centroids have unit length (seed " + std::to_string(seed) + ")");
    }
  }
}

// `core_tests small` runs only the quick cases, for valgrind.
int main(int argc, char** argv) {
  const bool small = argc > 1 && std::string(argv[1]) == "small";
  weighted_case();
  zero_weight_clusters_converge();
  edge_shapes();
  thread_counts();
  transform_measures_exact_distances<float>();
  transform_measures_exact_distances<double>();
  centroid_sum_chunks();
  cancellation();
  seeding_reports();
  kmeans_parallel_cases();
  thread_budget();
  normalization_ignores_row_scale();
  mini_batch_steps();
  if (!small) {
    cosine_accelerated_match_lloyd<double>();
    cosine_accelerated_match_lloyd<float>();
    accelerated_match_lloyd_for_every_thread_count<double>();
    accelerated_match_lloyd_for_every_thread_count<float>();
    accelerated_match_lloyd_on_ties();
    yinyang_matches_lloyd_with_many_groups<float>();
    yinyang_matches_lloyd_with_many_groups<double>();
    every_variant_computes_the_same_bits();
    filtered_nearest_centers_are_exact<float>();
    filtered_nearest_centers_are_exact<double>();
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
