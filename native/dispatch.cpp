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
  // 'avx512bf16' is the AVX2 variant with the distance filter's bfloat16 tiles (native/bf16_tiles.hpp).
  const auto allowed = [&](const char* isa) {
    return wanted == nullptr || std::strcmp(wanted, isa) == 0 || (std::strcmp(isa, "avx2") == 0 && std::strcmp(wanted, "avx512bf16") == 0);
  };
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

const char* isa_name() { return kernels().bf16_tiles() ? "avx512bf16" : kernels().isa; }

}  // namespace ekm
