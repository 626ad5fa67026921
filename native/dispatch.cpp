#include "dispatch.hpp"

#include <cstdlib>
#include <cstring>

namespace ekm {

extern const Kernels kernels_generic;
#ifdef EKM_DISPATCH_X86
extern const Kernels kernels_avx2;
#endif

namespace {

const Kernels& choose() {
  const char* wanted = std::getenv("ELKAN_KMEANS_ISA");
  const auto allowed = [&](const char* isa) { return wanted == nullptr || std::strcmp(wanted, isa) == 0; };
#ifdef EKM_DISPATCH_X86
  __builtin_cpu_init();
  if (allowed("avx2") && __builtin_cpu_supports("x86-64-v3")) return kernels_avx2;
#endif
  (void)allowed;
  return kernels_generic;
}

}  // namespace

const Kernels& kernels() {
  static const Kernels& chosen = choose();
  return chosen;
}

}  // namespace ekm
