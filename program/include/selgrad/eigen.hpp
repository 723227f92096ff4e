// Eigen, as selgrad includes it (for the code that uses Eigen: fast/, record/, tests, benches).
//
// GCC 12 reports false -Wmaybe-uninitialized (at -O3) and -Wuninitialized (at -O1, the sanitizer
// build) positives inside its own AVX-512 intrinsics headers (the _mm512_undefined_* idiom) once
// Eigen's GEMM kernels are inlined. GCC classifies those warnings by the location of the code
// they are about, so silencing them for the headers alone (push, include, pop) keeps every
// warning in the code that includes them. Include this header (or a selgrad header that does)
// before anything else that includes <immintrin.h>, so that the intrinsics are first read here.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
