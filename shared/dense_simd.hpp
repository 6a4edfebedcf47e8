// The dense-row SGD loop in AVX2 (x86-64), chosen at run time when the CPU has AVX2, with an
// AVX-512VL update (masked multiplies, namespace avx512vl) where the CPU has that too. The build
// targets baseline x86-64 (SSE2), where the portable dense loop of kernel.hpp works 2 doubles or
// 4 floats wide and its update's "touched" multiplier costs a conversion and a multiply per
// weight; this one works 4 doubles or 8 floats wide with a blend for that rule.
//
// It computes what the portable path computes, bit for bit (unit tests compare them), for every
// value but NaN (a NaN's sign or payload may differ):
//  - the dot product in the fixed 16-lane order of kernel::dot(dense_row) (lane k sums the
//    products of the columns j ≡ k (mod 16) of the full blocks, the tail's columns go to lanes
//    0, 1, ..., then the lanes are combined in one fixed tree), with the same products x_j·w_j in T;
//  - the update w_j·f_j − (s g)·x_j with f_j = 1 − (sλ)/d_j for a nonzero x_j and 1 for a zero,
//    as kernel::updated() gives it, with the factors of a full batch computed once per call, the
//    way sgd_range does it for CSR rows;
//  - no fused multiply-adds. What guarantees this is the project's -ffp-contract=off (CMake's
//    hogwild_flags, which every target uses): GCC builds these intrinsics from vector operators
//    and contracts them into FMAs under -march=native (HOGWILD_NATIVE) whatever the target
//    attribute says.
// Who takes it (plain access, single-output model): the whole loop in serial mode, with
// `--replicas worker` and in round-robin turns (models of at most kernel::max_factor_dims
// columns; wider ones keep the portable update); the dot product alone in sync workers'
// coefficients and in the evaluation of a dense training set. Relaxed access (several writers on
// one model) and multi-output models keep the scalar loops.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

// CMake's -DHOGWILD_DENSE_AVX2=OFF defines it to 0 for every file (one definition of the inline
// kernels everywhere): a build without the AVX2 loop.
#ifndef HOGWILD_DENSE_AVX2
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HOGWILD_DENSE_AVX2 1
#else
#define HOGWILD_DENSE_AVX2 0
#endif
#endif
#if HOGWILD_DENSE_AVX2 || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace hogwild::kernel {

// Whether the CPU has AVX2 (false in a build without the AVX2 loop); and the switch sgd_range and
// dot() read, on when it has: tests and benchmarks switch it off to compare with the portable loop
// on the same machine.
inline bool dense_avx2_available() {
#if HOGWILD_DENSE_AVX2
  return __builtin_cpu_supports("avx2") != 0;
#else
  return false;
#endif
}
inline std::atomic<bool>& dense_avx2_switch() {
  static std::atomic<bool> on{dense_avx2_available()};
  return on;
}
// Whether the CPU has AVX-512F and AVX-512VL (false in a build without the AVX2 loop); and the
// switch that, with the AVX2 one on, makes the dense loop update with masked multiplies
// (avx512vl::apply below). Tests and benchmarks switch it off to compare.
inline bool dense_avx512vl_available() {
#if HOGWILD_DENSE_AVX2
  return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vl") != 0;
#else
  return false;
#endif
}
inline std::atomic<bool>& dense_avx512vl_switch() {
  static std::atomic<bool> on{dense_avx512vl_available()};
  return on;
}

// The lane-combining tree of the dense dot product, shared by both paths: m_k = l_k + l_{k+8},
// t_k = m_k + m_{k+4}, result (t_0 + t_2) + (t_1 + t_3).
template <class T>
inline T combine_lanes(const T* l) {
  T m[8], t[4];
  for (int k = 0; k < 8; ++k) m[k] = l[k] + l[k + 8];
  for (int k = 0; k < 4; ++k) t[k] = m[k] + m[k + 4];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

#if defined(__SSE2__)
// The portable loop's dot product on x86-64 (SSE2 is part of the baseline): the same 16 lanes, 2
// doubles or 4 floats per register. Written out because GCC compiles the generic lane loop into
// scalar code there (measured 1.3x the time of the whole dense loop).
namespace sse2 {

inline float dot(const float* x, const float* w, std::uint32_t dims) {
  __m128 a[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
  std::uint32_t j = 0;
  for (; j + 16 <= dims; j += 16) {
    a[0] = _mm_add_ps(a[0], _mm_mul_ps(_mm_loadu_ps(x + j), _mm_loadu_ps(w + j)));
    a[1] = _mm_add_ps(a[1], _mm_mul_ps(_mm_loadu_ps(x + j + 4), _mm_loadu_ps(w + j + 4)));
    a[2] = _mm_add_ps(a[2], _mm_mul_ps(_mm_loadu_ps(x + j + 8), _mm_loadu_ps(w + j + 8)));
    a[3] = _mm_add_ps(a[3], _mm_mul_ps(_mm_loadu_ps(x + j + 12), _mm_loadu_ps(w + j + 12)));
  }
  alignas(16) float l[16];
  for (int q = 0; q < 4; ++q) _mm_store_ps(l + 4 * q, a[q]);
  for (std::uint32_t t = 0; j + t < dims; ++t) l[t] += x[j + t] * w[j + t];
  return combine_lanes(l);
}
inline double dot(const float* x, const double* w, std::uint32_t dims) {
  __m128d a[8];
  for (int q = 0; q < 8; ++q) a[q] = _mm_setzero_pd();
  std::uint32_t j = 0;
  for (; j + 16 <= dims; j += 16)
    for (int q = 0; q < 4; ++q) {  // columns j + 4q .. j + 4q + 3: lanes 4q, 4q+1 and 4q+2, 4q+3
      const __m128 xq = _mm_loadu_ps(x + j + 4 * q);
      a[2 * q] = _mm_add_pd(a[2 * q], _mm_mul_pd(_mm_cvtps_pd(xq), _mm_loadu_pd(w + j + 4 * q)));
      a[2 * q + 1] = _mm_add_pd(a[2 * q + 1], _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(xq, xq)), _mm_loadu_pd(w + j + 4 * q + 2)));
    }
  alignas(16) double l[16];
  for (int q = 0; q < 8; ++q) _mm_store_pd(l + 2 * q, a[q]);
  for (std::uint32_t t = 0; j + t < dims; ++t) l[t] += static_cast<double>(x[j + t]) * w[j + t];
  return combine_lanes(l);
}

}  // namespace sse2
#endif

#if HOGWILD_DENSE_AVX2
namespace avx2 {

// Masks are not used: a masked store followed by a masked load of the same weights is not
// forwarded from the store buffer (measured: the 100-column float loop took 1.3x the time), so
// a tail shorter than a vector is done 4 wide or one column at a time. Adding +0 to a lane that
// has no column left is exact: a lane sum starts at +0 and so is never −0.

// Sum of x_j w_j in the order of kernel::dot(dense_row).
[[gnu::target("avx2")]] inline float dot(const float* x, const float* w, std::uint32_t dims) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();  // lanes 0-7, 8-15
  std::uint32_t j = 0;
  for (; j + 16 <= dims; j += 16) {
    a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(w + j)));
    a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(x + j + 8), _mm256_loadu_ps(w + j + 8)));
  }
  // The tail: column j + t goes to lane t.
  const std::uint32_t left = dims - j;
  std::uint32_t t = 0;
  if (left >= 8) {
    a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(w + j)));
    t = 8;
  }
  if (left - t >= 4) {
    const __m256 p = _mm256_insertf128_ps(_mm256_setzero_ps(), _mm_mul_ps(_mm_loadu_ps(x + j + t), _mm_loadu_ps(w + j + t)), 0);
    if (t == 0) a0 = _mm256_add_ps(a0, p);
    else a1 = _mm256_add_ps(a1, p);
    t += 4;
  }
  if (t == left) {  // combine_lanes() in registers
    const __m256 m = _mm256_add_ps(a0, a1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));  // t_0 .. t_3
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));                                          // t_0 + t_2, t_1 + t_3
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)));
  }
  alignas(32) float l[16];
  _mm256_store_ps(l, a0);
  _mm256_store_ps(l + 8, a1);
  for (; t < left; ++t) l[t] += x[j + t] * w[j + t];
  return combine_lanes(l);
}
// x_c w_c for 4 columns, widened to double.
[[gnu::target("avx2")]] inline __m256d products4(const float* x, const double* w) {
  return _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(x)), _mm256_loadu_pd(w));
}
[[gnu::target("avx2")]] inline double dot(const float* x, const double* w, std::uint32_t dims) {
  // Lanes 0-3, 4-7, 8-11, 12-15 in four named registers (an array indexed at run time would live
  // on the stack, and every add would wait for a store to be forwarded).
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  std::uint32_t j = 0;
  for (; j + 16 <= dims; j += 16) {
    a0 = _mm256_add_pd(a0, products4(x + j, w + j));
    a1 = _mm256_add_pd(a1, products4(x + j + 4, w + j + 4));
    a2 = _mm256_add_pd(a2, products4(x + j + 8, w + j + 8));
    a3 = _mm256_add_pd(a3, products4(x + j + 12, w + j + 12));
  }
  const std::uint32_t left = dims - j;
  std::uint32_t t = 0;
  if (left >= 4) a0 = _mm256_add_pd(a0, products4(x + j, w + j)), t = 4;
  if (left >= 8) a1 = _mm256_add_pd(a1, products4(x + j + 4, w + j + 4)), t = 8;
  if (left >= 12) a2 = _mm256_add_pd(a2, products4(x + j + 8, w + j + 8)), t = 12;
  if (t == left) {  // combine_lanes() in registers
    const __m256d m = _mm256_add_pd(_mm256_add_pd(a0, a2), _mm256_add_pd(a1, a3));  // t_k = m_k + m_{k+4}
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(m), _mm256_extractf128_pd(m, 1));  // t_0 + t_2, t_1 + t_3
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  }
  alignas(32) double l[16];
  _mm256_store_pd(l, a0);
  _mm256_store_pd(l + 4, a1);
  _mm256_store_pd(l + 8, a2);
  _mm256_store_pd(l + 12, a3);
  for (; t < left; ++t) l[t] += static_cast<double>(x[j + t]) * w[j + t];
  return combine_lanes(l);
}

// w_j <- w_j f_j - step_g x_j for every column, f_j = factor[j] where x_j != 0 (or NaN) and 1
// where x_j is ±0: kernel::updated() with its 0/1 "touched" multiplier, as a blend. The last
// columns (fewer than a vector) take `scalar(j)`, the portable update of column j.
template <class Scalar>
[[gnu::target("avx2")]] inline void apply(const float* x, float* w, const float* factor, float step_g,
                                          std::uint32_t dims, Scalar&& scalar) {
  const __m256 sg = _mm256_set1_ps(step_g), one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  std::uint32_t j = 0;
  for (; j + 8 <= dims; j += 8) {
    const __m256 xv = _mm256_loadu_ps(x + j);
    const __m256 f = _mm256_blendv_ps(one, _mm256_loadu_ps(factor + j), _mm256_cmp_ps(xv, zero, _CMP_NEQ_UQ));
    _mm256_storeu_ps(w + j, _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(w + j), f), _mm256_mul_ps(sg, xv)));
  }
  if (j + 4 <= dims) {
    const __m128 xv = _mm_loadu_ps(x + j);
    const __m128 f = _mm_blendv_ps(_mm256_castps256_ps128(one), _mm_loadu_ps(factor + j),
                                   _mm_cmp_ps(xv, _mm256_castps256_ps128(zero), _CMP_NEQ_UQ));
    _mm_storeu_ps(w + j, _mm_sub_ps(_mm_mul_ps(_mm_loadu_ps(w + j), f), _mm_mul_ps(_mm256_castps256_ps128(sg), xv)));
    j += 4;
  }
  for (; j < dims; ++j) scalar(j);
}
template <class Scalar>
[[gnu::target("avx2")]] inline void apply(const float* x, double* w, const double* factor, double step_g,
                                          std::uint32_t dims, Scalar&& scalar) {
  const __m256d sg = _mm256_set1_pd(step_g), one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
  std::uint32_t j = 0;
  for (; j + 4 <= dims; j += 4) {
    const __m256d xv = _mm256_cvtps_pd(_mm_loadu_ps(x + j));
    const __m256d f = _mm256_blendv_pd(one, _mm256_loadu_pd(factor + j), _mm256_cmp_pd(xv, zero, _CMP_NEQ_UQ));
    _mm256_storeu_pd(w + j, _mm256_sub_pd(_mm256_mul_pd(_mm256_loadu_pd(w + j), f), _mm256_mul_pd(sg, xv)));
  }
  for (; j < dims; ++j) scalar(j);
}

}  // namespace avx2

// avx2::apply with AVX-512VL's masked multiply, still 8 floats or 4 doubles wide: w·factor only
// where x_j != 0 (or NaN), w kept where x_j is ±0, in one instruction instead of the compare's
// vector, the blend of 1 and the factor, and the multiply (w·1 is w, so the same bits). The loop
// is bound by its instruction count, not by the weights' latency: on an Intel Xeon (AVX-512) the
// dense float32 loop takes 0.90x the time, float64 0.96x (docs/performance-log.md).
namespace avx512vl {

template <class Scalar>
[[gnu::target("avx2,avx512f,avx512vl")]] inline void apply(const float* x, float* w, const float* factor, float step_g,
                                                           std::uint32_t dims, Scalar&& scalar) {
  const __m256 sg = _mm256_set1_ps(step_g), zero = _mm256_setzero_ps();
  std::uint32_t j = 0;
  for (; j + 8 <= dims; j += 8) {
    const __m256 xv = _mm256_loadu_ps(x + j), wv = _mm256_loadu_ps(w + j);
    const __mmask8 touched = _mm256_cmp_ps_mask(xv, zero, _CMP_NEQ_UQ);
    _mm256_storeu_ps(w + j, _mm256_sub_ps(_mm256_mask_mul_ps(wv, touched, wv, _mm256_loadu_ps(factor + j)),
                                          _mm256_mul_ps(sg, xv)));
  }
  if (j + 4 <= dims) {
    const __m128 xv = _mm_loadu_ps(x + j), wv = _mm_loadu_ps(w + j);
    const __mmask8 touched = _mm_cmp_ps_mask(xv, _mm256_castps256_ps128(zero), _CMP_NEQ_UQ);
    _mm_storeu_ps(w + j, _mm_sub_ps(_mm_mask_mul_ps(wv, touched, wv, _mm_loadu_ps(factor + j)),
                                    _mm_mul_ps(_mm256_castps256_ps128(sg), xv)));
    j += 4;
  }
  for (; j < dims; ++j) scalar(j);
}
template <class Scalar>
[[gnu::target("avx2,avx512f,avx512vl")]] inline void apply(const float* x, double* w, const double* factor,
                                                           double step_g, std::uint32_t dims, Scalar&& scalar) {
  const __m256d sg = _mm256_set1_pd(step_g), zero = _mm256_setzero_pd();
  std::uint32_t j = 0;
  for (; j + 4 <= dims; j += 4) {
    const __m256d xv = _mm256_cvtps_pd(_mm_loadu_ps(x + j)), wv = _mm256_loadu_pd(w + j);
    const __mmask8 touched = _mm256_cmp_pd_mask(xv, zero, _CMP_NEQ_UQ);
    _mm256_storeu_pd(w + j, _mm256_sub_pd(_mm256_mask_mul_pd(wv, touched, wv, _mm256_loadu_pd(factor + j)),
                                          _mm256_mul_pd(sg, xv)));
  }
  for (; j < dims; ++j) scalar(j);
}

}  // namespace avx512vl
#endif

}  // namespace hogwild::kernel
