// Initial centres: uniform random points, greedy k-means++ and k-means||, the same draws as
// lib/core/seeding.ts. Potentials are blocked sums and k-means|| draws each point's chance from
// (key, index) alone, so the parallel versions pick the same centres for every thread count.
#pragma once

#include "isa.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "distance.hpp"
#include "distance_filter.hpp"
#include "parallel.hpp"
#include "types.hpp"
#include "random.hpp"

namespace ekm {
inline namespace EKM_ISA {

template <class T>
void copy_row(const T* data, std::size_t src, T* centers, std::size_t dst, std::size_t d) {
  std::copy(data + src * d, data + src * d + d, centers + dst * d);
}

template <class T>
void copy_row_as_double(const T* data, std::size_t src, double* rows, std::size_t dst, std::size_t d) {
  for (std::size_t j = 0; j < d; ++j) rows[dst * d + j] = static_cast<double>(data[src * d + j]);
}

// Counts a run's seeding steps and reports them to the hook: after every step when there are at
// most 100, else each time another hundredth (rounded up) of them is done, and after the last, so a seeding
// of many centres is reported about 100 times whatever k (the same steps on both backends:
// lib/core/seeding.ts). Also where seeding stops when asked to.
class SeedingProgress {
 public:
  SeedingProgress(const SeedingHook& hook, const std::atomic<bool>* cancel, std::size_t run, std::size_t total)
      : hook_(hook), cancel_(cancel), run_(run), total_(total), every_(std::max<std::size_t>(1, (total + 99) / 100)) {}

  // Throws Cancelled when the fit was asked to stop.
  void check() const {
    if (cancel_ != nullptr && cancel_->load()) throw Cancelled();
  }

  void advance(std::size_t steps = 1) {
    const std::size_t before = done_;
    done_ = std::min(total_, done_ + steps);
    if (!hook_ || done_ == before) return;
    if ((done_ == total_ || done_ / every_ != before / every_) && hook_(SeedingReport{run_, done_, total_})) throw Cancelled();
  }

  void finish() { advance(total_ - done_); }

  // The flag check() reads, for the passes that stop within (DistanceFilter).
  const std::atomic<bool>* cancel_flag() const { return cancel_; }

 private:
  const SeedingHook& hook_;
  const std::atomic<bool>* cancel_;
  std::size_t run_, total_, every_, done_ = 0;
};

// k distinct points drawn uniformly (weights do not bias the draw): a partial Fisher-Yates shuffle.
template <class T>
void random_centers(const Problem<T>& p, Random& rng, T* centers) {
  std::vector<std::int32_t> order(p.n);
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t c = 0; c < p.k; ++c) {
    const std::size_t j = c + rng.next_index(p.n - c);
    std::swap(order[j], order[c]);
    copy_row(p.data, static_cast<std::size_t>(order[c]), centers, c, p.d);
  }
}

// Per-block sums of mass(i), computed once and reused by every draw of a k-means++ step.
template <class Mass>
std::vector<double> block_sums(std::size_t n, int threads, Mass mass) {
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<double> sums(static_cast<std::size_t>(blocks));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK;
    const std::size_t end = std::min(n, start + ROW_BLOCK);
    double sum = 0;
    for (std::size_t i = start; i < end; ++i) sum += mass(i);
    sums[static_cast<std::size_t>(b)] = sum;
  }
  return sums;
}

// Index drawn in proportion to mass(i): the first i whose running blocked sum exceeds
// u × total, or the last point with mass when rounding runs off the end.
template <class Mass>
std::size_t draw_proportional(std::size_t n, const std::vector<double>& blocks, double total, Mass mass, Random& rng) {
  const double target = rng.next_double() * total;
  double before = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (before + blocks[b] > target) {
      const std::size_t start = b * ROW_BLOCK;
      const std::size_t end = std::min(n, start + ROW_BLOCK);
      double running = 0;
      for (std::size_t i = start; i < end; ++i) {
        running += mass(i);
        if (before + running > target) return i;
      }
    }
    before += blocks[b];
  }
  for (std::size_t i = n; i-- > 0;) {
    if (mass(i) > 0) return i;
  }
  return n - 1;
}

// Greedy k-means++: the first centre drawn by weight, each next one the best (lowest potential,
// first on ties) of 2 + floor(ln k) candidates drawn by weight × squared distance to the nearest
// chosen centre.
//
// The triangle inequality skips distances without changing a bit: a point whose nearest
// chosen centre lies at least twice its distance (with a margin far above rounding) from a
// candidate is no nearer to the candidate, so min(closest, distance) is `closest`, and is added
// without measuring.
template <class T>
void kmeans_plus_plus_centers(const Problem<T>& p, Random& rng, T* centers, SeedingProgress& progress) {
  const std::size_t n = p.n, d = p.d, k = p.k;
  const int threads = p.threads;
  const std::size_t trials = 2 + static_cast<std::size_t>(std::floor(std::log(static_cast<double>(k))));
  const auto weight = [&](std::size_t i) { return p.weight(i); };

  const std::vector<double> weight_blocks = block_sums(n, threads, weight);
  double total_weight = 0;
  for (double b : weight_blocks) total_weight += b;
  const std::size_t first = draw_proportional(n, weight_blocks, total_weight, weight, rng);
  copy_row(p.data, first, centers, 0, d);
  progress.advance();

  std::vector<double> closest(n), radius(n);  // squared distance to the nearest chosen centre, and its root
  std::vector<std::uint32_t> nearest(n, 0);   // which chosen centre that is
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::ptrdiff_t i = 0; i < sn; ++i) {
    closest[i] = squared_distance(p.row(i), centers, d);
    radius[i] = std::sqrt(closest[i]);
  }
  const auto mass = [&](std::size_t i) { return p.weight(i) * closest[i]; };
  double potential = blocked_sum(n, threads, mass);

  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<std::size_t> candidates(trials);
  std::vector<double> partial(static_cast<std::size_t>(blocks) * trials);
  std::vector<double> reach(trials * k);  // per candidate and chosen centre: half their distance, less a margin
  std::vector<double> reach_all(k);      // per chosen centre: the least reach over the candidates
  DistanceFilter<T> filter(p.data, n, d, threads, progress.cancel_flag());
  std::vector<double> trial_rows(trials * d);
  std::vector<std::uint32_t> nearer(n, 0);  // per point: the candidates that may be nearer than its nearest centre
  for (std::size_t c = 1; c < k; ++c) {
    // Seeding a large k takes as long as many iterations: it must stop when asked, too.
    progress.check();
    const std::vector<double> mass_blocks = block_sums(n, threads, mass);
    for (std::size_t t = 0; t < trials; ++t) candidates[t] = draw_proportional(n, mass_blocks, potential, mass, rng);
    const std::ptrdiff_t pairs = static_cast<std::ptrdiff_t>(trials * c);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t pair = 0; pair < pairs; ++pair) {
      const std::size_t t = static_cast<std::size_t>(pair) / c, chosen = static_cast<std::size_t>(pair) % c;
      reach[t * k + chosen] = 0.5 * std::sqrt(squared_distance(p.row(candidates[t]), centers + chosen * d, d)) * (1 - 0x1p-30);
    }
    // A point at most `reach` from its nearest chosen centre is no nearer to the candidate; one
    // within every candidate's reach needs no distance in this step.
    for (std::size_t chosen = 0; chosen < c; ++chosen) {
      reach_all[chosen] = reach[chosen];
      for (std::size_t t = 1; t < trials; ++t) reach_all[chosen] = std::min(reach_all[chosen], reach[t * k + chosen]);
    }

    // Each block sums every candidate's potential over its rows in row order. Where the distance
    // filter is usable, the points outside some candidate's reach are run through it first, and
    // only those that a candidate may bring nearer are measured (`nearer` marks them), which
    // changes no sum either.
    for (std::size_t t = 0; t < trials; ++t) copy_row_as_double(p.data, candidates[t], trial_rows.data(), t, d);
    const bool fast = filter.set_centers(trial_rows.data(), trials);
#pragma omp parallel num_threads(threads)
    {
      FilterScratch scratch;
      std::vector<std::uint32_t> outside;
      std::vector<double> measured(ROW_BLOCK * trials);
#pragma omp for schedule(static)
      for (std::ptrdiff_t b = 0; b < blocks; ++b) {
        const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK;
        const std::size_t end = std::min(n, start + ROW_BLOCK);
        double* sums = &partial[static_cast<std::size_t>(b) * trials];
        std::fill(sums, sums + trials, 0.0);
        if (fast) {
          outside.clear();
          for (std::size_t i = start; i < end; ++i) {
            nearer[i] = 0;
            if (radius[i] > reach_all[nearest[i]]) outside.push_back(static_cast<std::uint32_t>(i));
          }
          filter.scan_list(outside.data(), outside.size(), scratch, [&](std::size_t i, const FilterRow& row) {
            std::uint32_t mask = 0;
            for (std::size_t t = 0; t < trials; ++t) {
              if (radius[i] <= reach[t * k + nearest[i]] || filter.lower_squared(row, t) >= closest[i]) continue;
              measured[(i - start) * trials + t] = squared_distance(p.row(i), p.row(candidates[t]), d);
              mask |= std::uint32_t{1} << t;
            }
            nearer[i] = mask;
          });
          for (std::size_t i = start; i < end; ++i) {
            const std::uint32_t mask = nearer[i];
            for (std::size_t t = 0; t < trials; ++t) {
              sums[t] += p.weight(i) * ((mask >> t & 1) ? std::min(closest[i], measured[(i - start) * trials + t]) : closest[i]);
            }
          }
          continue;
        }
        // Without the filter, the distances to four candidates are measured together
        // (squared_distances4).
        for (std::size_t t0 = 0; t0 < trials; t0 += 4) {
          const std::size_t group = std::min<std::size_t>(4, trials - t0);
          const T* rows[4];
          for (std::size_t r = 0; r < 4; ++r) rows[r] = p.row(candidates[t0 + std::min(r, group - 1)]);
          double dist[4];
          for (std::size_t i = start; i < end; ++i) {
            if (radius[i] <= reach_all[nearest[i]]) {
              for (std::size_t r = 0; r < group; ++r) sums[t0 + r] += p.weight(i) * closest[i];
              continue;
            }
            squared_distances4(p.row(i), rows, d, dist);
            for (std::size_t r = 0; r < group; ++r) sums[t0 + r] += p.weight(i) * std::min(closest[i], dist[r]);
          }
        }
      }
    }

    std::size_t best = 0, best_trial = 0;
    double best_potential = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      double sum = 0;
      for (std::ptrdiff_t b = 0; b < blocks; ++b) sum += partial[static_cast<std::size_t>(b) * trials + t];
      if (t == 0 || sum < best_potential) {
        best = candidates[t];
        best_trial = t;
        best_potential = sum;
      }
    }

    copy_row(p.data, best, centers, c, d);
    const T* chosen = p.row(best);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) {
      if (fast ? !(nearer[i] >> best_trial & 1) : radius[i] <= reach[best_trial * k + nearest[i]]) continue;
      const double dist = squared_distance(p.row(i), chosen, d);
      if (dist < closest[i]) {
        closest[i] = dist;
        radius[i] = std::sqrt(dist);
        nearest[i] = static_cast<std::uint32_t>(c);
      }
    }
    potential = best_potential;
    progress.advance();
  }
}

// Rounds of k-means|| sampling, and points drawn per round as a multiple of k (Bahmani et al.'s
// r and ℓ = 2k, with which they found 5 rounds enough for the seeding's cost to level off).
constexpr std::size_t KMEANS_PARALLEL_ROUNDS = 5;
constexpr double KMEANS_PARALLEL_OVERSAMPLING = 2.0;

// Lowers closest[i] to the squared distance to the nearest of candidates [first, end) where that
// is nearer, and records that candidate in nearest[i]: the lowest index on ties, as if the
// candidates were tried one by one in order with a strict comparison. The distance filter names
// the candidates that may be nearest (every one that is, ties included); the exact distances decide.
template <class T>
void nearer_candidates(const Problem<T>& p, DistanceFilter<T>& filter, const std::vector<std::uint32_t>& chosen, std::size_t first,
                       std::vector<double>& closest, std::vector<std::uint32_t>& nearest) {
  const std::size_t n = p.n, d = p.d, count = chosen.size() - first;
  if (count == 0) return;
  std::vector<double> rows(count * d);
  for (std::size_t t = 0; t < count; ++t) copy_row_as_double(p.data, chosen[first + t], rows.data(), t, d);
  const auto lower = [&](std::size_t i, std::size_t t) {
    const double dist = squared_distance(p.row(i), p.row(chosen[first + t]), d);
    if (dist < closest[i]) {
      closest[i] = dist;
      nearest[i] = static_cast<std::uint32_t>(first + t);
    }
  };
  if (filter.set_centers(rows.data(), count)) {
    filter.scan_all(n, nullptr, p.threads, [&](std::size_t i, const FilterRow& fast, CandidateScratch<T>& mine) {
      if (closest[i] == 0) return;
      const std::size_t listed = filter.nearest_candidates(fast, mine.candidates.data());
      lower(i, static_cast<std::size_t>(nearest_candidate(mine.row(p.row(i), d), rows.data(), d, mine.candidates.data(), listed)));
    });
    return;
  }
  const std::ptrdiff_t sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(p.threads) schedule(static)
  for (std::ptrdiff_t i = 0; i < sn; ++i) {
    for (std::size_t t = 0; t < count && closest[static_cast<std::size_t>(i)] > 0; ++t) lower(static_cast<std::size_t>(i), t);
  }
}

// k-means|| (Bahmani, Moseley, Vattani, Kumar and Vassilvitskii, VLDB 2012; Spark MLlib's
// seeding): a first point drawn by weight, then KMEANS_PARALLEL_ROUNDS rounds that each keep every
// point with probability ℓ × weight × D² / φ (D² its squared distance to the nearest candidate so
// far, φ their weighted sum, ℓ = 2k), then greedy k-means++ over the candidates, each weighted by
// the points nearest to it. Each round is one pass over the points (with the distance filter,
// about the cost of one assignment to 2k centres) where k-means++ makes k passes: the choice for
// large n × k. With k or fewer candidates (few distinct points), more are drawn by weight × D²
// while any point has some, then the first points not taken, so that k centres always come out.
template <class T>
void kmeans_parallel_centers(const Problem<T>& p, Random& rng, T* centers, SeedingProgress& progress) {
  const std::size_t n = p.n, d = p.d, k = p.k;
  const int threads = p.threads;
  const double oversampling = KMEANS_PARALLEL_OVERSAMPLING * static_cast<double>(k);
  const auto weight = [&](std::size_t i) { return p.weight(i); };
  const std::vector<double> weight_blocks = block_sums(n, threads, weight);
  double total_weight = 0;
  for (double b : weight_blocks) total_weight += b;
  std::vector<std::uint32_t> chosen{static_cast<std::uint32_t>(draw_proportional(n, weight_blocks, total_weight, weight, rng))};

  std::vector<double> closest(n, INFINITY);
  std::vector<std::uint32_t> nearest(n, 0);
  // Each pass through the filter stops early when the fit is asked to stop, and check() then throws.
  DistanceFilter<T> filter(p.data, n, d, threads, progress.cancel_flag());
  nearer_candidates(p, filter, chosen, 0, closest, nearest);
  progress.check();
  const auto mass = [&](std::size_t i) { return p.weight(i) * closest[i]; };

  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(block_count(n));
  std::vector<std::vector<std::uint32_t>> sampled(static_cast<std::size_t>(blocks));
  for (std::size_t round = 0; round < KMEANS_PARALLEL_ROUNDS; ++round) {
    progress.check();
    const double potential = blocked_sum(n, threads, mass);
    const std::uint32_t key = rng.next_uint32();
    if (potential > 0) {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (std::ptrdiff_t b = 0; b < blocks; ++b) {
        std::vector<std::uint32_t>& mine = sampled[static_cast<std::size_t>(b)];
        mine.clear();
        const std::size_t start = static_cast<std::size_t>(b) * ROW_BLOCK, end = std::min(n, start + ROW_BLOCK);
        for (std::size_t i = start; i < end; ++i) {
          if (uniform_at(key, static_cast<std::uint32_t>(i)) * potential < oversampling * mass(i)) mine.push_back(static_cast<std::uint32_t>(i));
        }
      }
      const std::size_t first = chosen.size();
      for (const std::vector<std::uint32_t>& mine : sampled) chosen.insert(chosen.end(), mine.begin(), mine.end());
      nearer_candidates(p, filter, chosen, first, closest, nearest);
      progress.check();
    }
    progress.advance();
  }

  if (chosen.size() <= k) {
    std::vector<bool> taken(n, false);
    for (std::uint32_t i : chosen) taken[i] = true;
    std::size_t unused = 0;
    while (chosen.size() < k) {
      const double potential = blocked_sum(n, threads, mass);
      if (potential > 0) {
        chosen.push_back(static_cast<std::uint32_t>(draw_proportional(n, block_sums(n, threads, mass), potential, mass, rng)));
        nearer_candidates(p, filter, chosen, chosen.size() - 1, closest, nearest);
        progress.check();
      } else {
        while (taken[unused]) ++unused;
        chosen.push_back(static_cast<std::uint32_t>(unused));
      }
      taken[chosen.back()] = true;
    }
    for (std::size_t c = 0; c < k; ++c) copy_row(p.data, chosen[c], centers, c, d);
    progress.finish();
    return;
  }

  // In point order, so that the sums do not depend on threads.
  std::vector<double> candidate_weights(chosen.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i) candidate_weights[nearest[i]] += p.weight(i);
  std::vector<T> candidate_rows(chosen.size() * d);
  for (std::size_t c = 0; c < chosen.size(); ++c) copy_row(p.data, chosen[c], candidate_rows.data(), c, d);
  const Problem<T> candidates{candidate_rows.data(), chosen.size(), d, k, candidate_weights.data(), effective_threads(threads, chosen.size())};
  kmeans_plus_plus_centers(candidates, rng, centers, progress);
}

// The initial centres of run `run` by k-means++, k-means|| or uniform draws (lib/core/seeding.ts
// seedCenters): k-means++ reports its k centres as steps, k-means|| its rounds and then its k.
template <class T>
void seed_centers(const Problem<T>& p, Init init, Random& rng, T* centers, const SeedingHook& hook, const std::atomic<bool>* cancel, std::size_t run) {
  switch (init) {
    case Init::kmeans_plus_plus: {
      SeedingProgress progress(hook, cancel, run, p.k);
      kmeans_plus_plus_centers(p, rng, centers, progress);
      break;
    }
    case Init::kmeans_parallel: {
      SeedingProgress progress(hook, cancel, run, KMEANS_PARALLEL_ROUNDS + p.k);
      kmeans_parallel_centers(p, rng, centers, progress);
      break;
    }
    case Init::random: random_centers(p, rng, centers); break;
    case Init::explicit_centers: throw std::invalid_argument("explicit initial centres are given, not drawn");
  }
}

// seed_centers as run 0 with a generator kept outside as its four words, advanced in place (the
// mini-batch model keeps its generator between batches), and no cancelling but by the hook.
template <class T>
void seed_centers_from_state(const Problem<T>& p, Init init, std::uint32_t* rng_state, T* centers, const SeedingHook& hook) {
  Random rng = Random::from_state(rng_state);
  seed_centers(p, init, rng, centers, hook, nullptr, 0);
  rng.save_state(rng_state);
}

}  // namespace EKM_ISA
}  // namespace ekm
