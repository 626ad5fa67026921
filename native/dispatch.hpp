// Run-time choice among the build variants of the core (native/fit_variants.cpp): the baseline
// build runs on any CPU of its architecture; on x86-64 the AVX2 (x86-64-v3) build runs where the
// CPU has those instructions. Every variant computes the same bits: the summation order is fixed
// in the source and no variant contracts to fused multiply-add.
#pragma once

#include <cstddef>
#include <cstdint>

#include "types.hpp"

namespace ekm {

struct Kernels {
  const char* isa;
  FitResult<float> (*fit_float)(Problem<float>, const Options&, const float*, const Hooks&);
  FitResult<double> (*fit_double)(Problem<double>, const Options&, const double*, const Hooks&);
  // Centres are float64 whatever the points: float32 points are compared with the centroids as given.
  void (*predict_float)(const float*, std::size_t, std::size_t, const double*, std::size_t, int, std::int32_t*);
  void (*predict_double)(const double*, std::size_t, std::size_t, const double*, std::size_t, int, std::int32_t*);
  void (*transform_float)(const float*, std::size_t, std::size_t, const double*, std::size_t, int, double*);
  void (*transform_double)(const double*, std::size_t, std::size_t, const double*, std::size_t, int, double*);
  // One mini-batch step (native/minibatch.hpp): batch, m, d, weights, centres, counts, k, reassign,
  // reassignment ratio, the random generator's four words, threads.
  MiniBatchOutcome (*mini_batch_step_float)(const float*, std::size_t, std::size_t, const double*, double*, double*, std::size_t, bool, double, std::uint32_t*,
                                            int);
  MiniBatchOutcome (*mini_batch_step_double)(const double*, std::size_t, std::size_t, const double*, double*, double*, std::size_t, bool, double,
                                             std::uint32_t*, int);
  // The one-call fit's step (native/minibatch.hpp): points, n, d, weights, batch size, the batch
  // sampler's four words, then as above from the centres on.
  MiniBatchOutcome (*sampled_mini_batch_step_float)(const float*, std::size_t, std::size_t, const double*, std::size_t, std::uint32_t*, double*, double*,
                                                    std::size_t, bool, double, std::uint32_t*, int);
  MiniBatchOutcome (*sampled_mini_batch_step_double)(const double*, std::size_t, std::size_t, const double*, std::size_t, std::uint32_t*, double*, double*,
                                                     std::size_t, bool, double, std::uint32_t*, int);
  // The weighted inertia of points under given labels (native/minibatch.hpp): data, n, d, weights,
  // centres (float64), labels, threads.
  double (*inertia_of_labels_float)(const float*, std::size_t, std::size_t, const double*, const double*, const std::int32_t*, int);
  double (*inertia_of_labels_double)(const double*, std::size_t, std::size_t, const double*, const double*, const std::int32_t*, int);
  // The mini-batch model's initial centres (native/seeding.hpp seed_centers_from_state): the
  // points, the method, the random generator's four words (advanced in place), the centres, the
  // seeding reports (as run 0).
  // Whether the variant's distance filter takes the bfloat16 tiles on this CPU (native/bf16_tiles.hpp).
  bool (*bf16_tiles)();
  void (*seed_centers_float)(const Problem<float>&, Init, std::uint32_t*, float*, const SeedingHook&);
  void (*seed_centers_double)(const Problem<double>&, Init, std::uint32_t*, double*, const SeedingHook&);
};

// The variant for this CPU, chosen once. The environment variable ELKAN_KMEANS_ISA (generic,
// avx2, avx512bf16) asks for a variant, for comparing them; one the CPU lacks is never chosen.
const Kernels& kernels();

// The chosen variant's name: 'avx512bf16' where it is the AVX2 one with the bfloat16 tiles.
const char* isa_name();

}  // namespace ekm
