// One build variant of the whole core: CMake compiles this file once per instruction set, with
// EKM_ISA naming the variant and the matching -march flags (see CMakeLists.txt).
#include "dispatch.hpp"
#include "kmeans.hpp"
#include "minibatch.hpp"

#define EKM_STRINGIFY_VALUE(x) #x
#define EKM_STRINGIFY(x) EKM_STRINGIFY_VALUE(x)
#define EKM_JOIN_VALUE(a, b) a##b
#define EKM_JOIN(a, b) EKM_JOIN_VALUE(a, b)

namespace ekm {

extern const Kernels EKM_JOIN(kernels_, EKM_ISA);

const Kernels EKM_JOIN(kernels_, EKM_ISA) = {
    EKM_STRINGIFY(EKM_ISA),
    &fit<float>,
    &fit<double>,
    &predict<float>,
    &predict<double>,
    &transform<float>,
    &transform<double>,
    &mini_batch_step<float>,
    &mini_batch_step<double>,
    &sampled_mini_batch_step<float>,
    &sampled_mini_batch_step<double>,
    &inertia_of_labels<float>,
    &inertia_of_labels<double>,
    &bf16_tiles_available,
    &seed_centers_from_state<float>,
    &seed_centers_from_state<double>,
};

}  // namespace ekm
