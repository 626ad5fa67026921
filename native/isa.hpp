// The algorithms are compiled once per instruction set (native/fit_variants.cpp) and the best
// variant for the CPU is chosen at run time (native/dispatch.cpp). Each variant's code lives in its
// own inline namespace, ekm::<EKM_ISA>, so that the variants' inline functions and templates keep
// distinct names at link time instead of being merged into one of them.
#pragma once

#ifndef EKM_ISA
#define EKM_ISA generic
#endif
