// The SGD kernel. It knows nothing of processes or threads: it takes a data view, a model array,
// a slice of the epoch's permutation and a step size. Every runner (serial, fork/spawn workers,
// threads, the sync collector) calls these functions.
//
// Model: linear scores s_c = Σ_j x_j w[j*C + c] for c < C outputs (C = 1 for binary and
// regression models). Per example i the objective term is
//     f_i(w) = loss(s(x_i), y_i) + (λ/2) Σ_{u ∈ nz(x_i)} w_u² / d_u
// where d_u is the number of training rows with a nonzero in column u (Hogwild!, Niu et al. 2011,
// §5, sparse SVM), so that (1/n) Σ_i f_i = (1/n) Σ_i loss_i + (λ/2n) ‖w‖².
//
// A mini-batch B of K examples is one update, done in two phases:
//   1. coefficients: g_i = ∂loss/∂s at the model as it is when the batch starts (reads only);
//   2. apply: for each i in B in order, for each nonzero u of x_i:
//          w_u ← w_u − (γ/K) (g_i x_iu + λ w_u / d_u)
//      computed as  w_u ← w_u (1 − (γλ/K) / d_u) − (γ g_i / K) x_iu  (two multiply-adds per
//      nonzero instead of five operations; every runner, layout and mode uses this one form)
// Phase 1's output (K×C doubles) fully determines the loss part of the batch gradient because x_i
// is in shared memory; sync mode ships exactly these coefficients from the workers to the
// coordinator, which runs phase 2 — so sync with W workers equals serial with batch K×W, bit for bit.
//
// Shared-weight access goes through an Access policy: `relaxed_access` (std::atomic_ref, relaxed
// order: Hogwild!'s races made well-defined C++) for concurrent runners, `plain_access` otherwise.
//
// Precision (--precision): every function below is a template on the weight type T (float or
// double) of the model array `T* w`; one kernel serves both. The data values are float in both.
// With T = float the arithmetic on weights is float throughout: dot products accumulate in float,
// and the update w_u ← w_u − scale (g x_u + reg w_u) is evaluated in float with scale, g and
// reg = λ/d_u rounded to float once each. The scores are widened to double for the model's loss
// and dloss (per example, not per nonzero), so the coefficients g are double in both precisions
// (sync mode ships the same bytes). With T = double every expression is the one the kernel
// always had.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "shared/data_view.hpp"
#include "shared/dense_simd.hpp"

namespace hogwild::kernel {

// Largest batch_size × outputs the kernel handles (stack buffer of coefficients, no allocation).
inline constexpr std::size_t max_batch_coefficients = 4096;

struct plain_access {
  template <class T>
  static T load(const T& x) { return x; }
  template <class T>
  static void store(T& x, T v) { x = v; }
};

struct relaxed_access {
  template <class T>
  static T load(const T& x) {
    return std::atomic_ref<T>(const_cast<T&>(x)).load(std::memory_order_relaxed);
  }
  template <class T>
  static void store(T& x, T v) {
    std::atomic_ref<T>(x).store(v, std::memory_order_relaxed);
  }
};

// The weight types the kernel is instantiated for (--precision float32 | float64).
template <class T>
concept weight_type = std::is_same_v<T, float> || std::is_same_v<T, double>;

// x·w with four partial sums (breaks the add latency chain; fixed order, so deterministic).
// Accumulates in T.
template <class Access, weight_type T>
inline T dot(const sparse_row& x, const T* w) {
  T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  std::uint32_t k = 0;
  for (; k + 4 <= x.nnz; k += 4) {
    a0 += x.val[k] * Access::load(w[x.idx[k]]);
    a1 += x.val[k + 1] * Access::load(w[x.idx[k + 1]]);
    a2 += x.val[k + 2] * Access::load(w[x.idx[k + 2]]);
    a3 += x.val[k + 3] * Access::load(w[x.idx[k + 3]]);
  }
  for (; k < x.nnz; ++k) a0 += x.val[k] * Access::load(w[x.idx[k]]);
  return (a0 + a1) + (a2 + a3);
}
// x·w for a dense row in a fixed order of 16 lanes: lane k sums the products of the columns
// j ≡ k (mod 16) of the full blocks of 16, the tail's columns go to lanes 0, 1, ..., and the lanes
// are combined by combine_lanes() (shared/dense_simd.hpp). With plain access it is computed by the
// AVX2 loop on a CPU with AVX2, else by SSE2 intrinsics on x86-64 (GCC compiles the lane loop below
// into scalar code there); the lane loop serves relaxed access and other architectures. The same
// sums in the same order, so the same bits.
template <class Access, weight_type T>
inline T dot(const dense_row& x, const T* w) {
  if constexpr (std::is_same_v<Access, plain_access>) {
#if HOGWILD_DENSE_AVX2
    if (dense_avx2_switch().load(std::memory_order_relaxed)) return avx2::dot(x.val, w, x.dims);
#endif
#if defined(__SSE2__)
    return sse2::dot(x.val, w, x.dims);
#endif
  }
  T l[16] = {};
  std::uint32_t j = 0;
  for (; j + 16 <= x.dims; j += 16)
    for (std::uint32_t k = 0; k < 16; ++k) l[k] += static_cast<T>(x.val[j + k]) * Access::load(w[j + k]);
  for (std::uint32_t k = 0; j + k < x.dims; ++k) l[k] += static_cast<T>(x.val[j + k]) * Access::load(w[j + k]);
  return combine_lanes(l);
}

// s[c] = Σ_j x_j w[j*C + c], summed in T, handed to the model as double.
template <class Access, int FixedC, class Row, weight_type T>
inline void scores(const Row& x, const T* w, int C, double* s) {
  if constexpr (FixedC == 1) {
    s[0] = dot<Access>(x, w);
  } else if constexpr (std::is_same_v<T, double>) {
    for (int c = 0; c < C; ++c) s[c] = 0.0;
    for_each_entry(x, [&](std::uint32_t j, float v) {
      const T* wj = w + static_cast<std::size_t>(j) * C;
      for (int c = 0; c < C; ++c) s[c] += v * Access::load(wj[c]);
    });
  } else {
    T acc[256];  // C <= 256 (segment header)
    for (int c = 0; c < C; ++c) acc[c] = 0;
    for_each_entry(x, [&](std::uint32_t j, float v) {
      const T* wj = w + static_cast<std::size_t>(j) * C;
      for (int c = 0; c < C; ++c) acc[c] += v * Access::load(wj[c]);
    });
    for (int c = 0; c < C; ++c) s[c] = acc[c];
  }
}

// Phase 1: g[(i-b)*C + c] = ∂loss/∂s_c for examples perm[b..e). Returns the summed loss.
template <class Model, class Access, class View, weight_type T>
inline double batch_coefficients(const View& data, const float* labels, const T* w,
                                 const std::uint32_t* perm, std::size_t b, std::size_t e, int C,
                                 double* g) {
  constexpr int FixedC = Model::fixed_outputs;
  if (C < 1 || C > 256) __builtin_unreachable();  // the segment header guarantees 1 <= C <= 256
  double s[FixedC == 1 ? 1 : 256];
  double loss = 0.0;
  for (std::size_t i = b; i < e; ++i) {
    const std::uint32_t r = perm[i];
    scores<Access, FixedC>(data.row(r), w, C, s);
    double* gi = g + (i - b) * C;
    Model::dloss(s, labels[r], C, gi);
    loss += Model::loss(s, labels[r], C);
  }
  return loss;
}

// The update of one weight: old·(1 − shrink·touched/d_u) − step_g·v, where shrink = γλ/K and
// step_g = γ g_i / K. `touched` is 1 for a coordinate the example has (v ≠ 0), 0 for an explicit
// zero: only touched coordinates are regularised, so dense and CSR rows give the same model.
// In T: for float, shrink, step_g and 1/d_u are rounded to float (no-ops for double).
template <class T>
inline T updated(T old, T v, T inv_du, T touched, T shrink, T step_g) {
  return old * (T(1) - shrink * inv_du * touched) - step_g * v;
}

// updated() for one column of a dense row: touched is 1 for v != 0 (branch-free, from the bits).
template <class T>
inline T dense_updated(T old, float v, double inv_du, T shrink, T step_g) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const T touched = static_cast<T>((bits & 0x7fffffffu) != 0);
  return updated<T>(old, v, static_cast<T>(inv_du), touched, shrink, step_g);
}

// One example's update for a single-output model on a dense row. The "only touched coordinates"
// rule is a 0/1 multiplier computed in T: GCC turns a `x != 0 ? a : b` select on this loop
// into a data-dependent branch (one misprediction per zero; measured 4x slower), not a blend.
// g, scale and λ/d_u are rounded to T once (no-ops for double).
template <class Access, weight_type T>
inline void apply_row(const dense_row& x, T* __restrict w, const double* __restrict inv_du, double g,
                      double scale, double lambda) {
  const T shrink = static_cast<T>(scale * lambda), step_g = static_cast<T>(scale * g);
  for (std::uint32_t j = 0; j < x.dims; ++j)
    Access::store(w[j], dense_updated<T>(Access::load(w[j]), x.val[j], inv_du[j], shrink, step_g));
}
// 1 − shrink/d_u in T: the factor updated() applies to a touched coordinate (touched = 1).
template <class T>
inline T shrink_factor(T shrink, double inv_du) {
  return T(1) - shrink * static_cast<T>(inv_du);
}

// One example's update on a CSR row: old·factor(j) − step_g·v for each stored entry. An explicit
// zero is skipped by a branch (rare, so predicted) and keeps its value, as updated() with
// touched = 0 would; for the others this is updated() with touched = 1, computed without the 0/1
// multiplier (that multiply and its select cost ~10% of the whole kernel).
template <class Access, weight_type T, class Factor>
inline void apply_sparse(const sparse_row& x, T* w, T step_g, Factor factor) {
  for (std::uint32_t k = 0; k < x.nnz; ++k) {
    const std::uint32_t j = x.idx[k];
    const T v = x.val[k];
    if (v == 0) continue;
    Access::store(w[j], Access::load(w[j]) * factor(j) - step_g * v);
  }
}
template <class Access, weight_type T>
inline void apply_row(const sparse_row& x, T* w, const double* inv_du, double g, double scale,
                      double lambda) {
  const T shrink = static_cast<T>(scale * lambda);
  apply_sparse<Access>(x, w, static_cast<T>(scale * g), [&](std::uint32_t j) { return shrink_factor(shrink, inv_du[j]); });
}
// The same update with the factors precomputed for every coordinate (one batch length, so one
// shrink; sgd_range): one multiply-add per nonzero instead of a 1/d_u load, a conversion and two
// more operations, with the same bits.
template <class Access, weight_type T>
inline void apply_row_factors(const sparse_row& x, T* w, const T* factor, double g, double scale) {
  apply_sparse<Access>(x, w, static_cast<T>(scale * g), [&](std::uint32_t j) { return factor[j]; });
}

// True when an example's update is the identity: no regulariser (λ = 0) and a zero loss
// coefficient (a hinge example outside the margin). Skipping it stores nothing, so a converged
// example only reads the shared weights: their cache lines stay shared between workers instead of
// moving to the writer (docs/performance-log.md). Exact: old·1 − 0·v equals old (only the sign of a
// zero weight could differ: the store could turn −0.0 into +0.0).
inline bool leaves_unchanged(double g, double lambda) { return lambda == 0.0 && g == 0.0; }
inline bool leaves_unchanged(const double* g, int C, double lambda) {
  if (lambda != 0.0) return false;
  for (int c = 0; c < C; ++c)
    if (g[c] != 0.0) return false;
  return true;
}

// Phase 2: sequential per-example application of the coefficients (see the block above).
template <class Access, int FixedC, class View, weight_type T>
inline void apply_batch(const View& data, T* w, const double* inv_du, const std::uint32_t* perm,
                        std::size_t b, std::size_t e, int C, const double* g, double scale,
                        double lambda) {
  if constexpr (FixedC == 1) {
    for (std::size_t i = b; i < e; ++i) {
      if (leaves_unchanged(g[i - b], lambda)) continue;
      apply_row<Access>(data.row(perm[i]), w, inv_du, g[i - b], scale, lambda);
    }
    return;
  }
  if (C < 1 || C > 256) __builtin_unreachable();  // as in batch_coefficients
  const T shrink = static_cast<T>(scale * lambda);
  T step_g[FixedC == 1 ? 1 : 256];
  for (std::size_t i = b; i < e; ++i) {
    const double* gi = g + (i - b) * C;
    if (leaves_unchanged(gi, C, lambda)) continue;
    for (int c = 0; c < C; ++c) step_g[c] = static_cast<T>(scale * gi[c]);
    for_each_entry(data.row(perm[i]), [&](std::uint32_t j, float v) {
      const T touched = v != 0.0f ? T(1) : T(0);  // see updated()
      T* wj = w + static_cast<std::size_t>(j) * C;
      const T inv = static_cast<T>(inv_du[j]);
      for (int c = 0; c < C; ++c) Access::store(wj[c], updated<T>(Access::load(wj[c]), v, inv, touched, shrink, step_g[c]));
    });
  }
}

// Phase 2 as a map instead of an update (distributed sync, docs/distributed.md). One example's
// update of a touched coordinate u is affine in w_u: w_u <- f·w_u - scale·g·x_u with
// f = 1 - scale·λ/d_u, so a whole batch is w_u <- A_u·w_u - B_u. This composes the maps of the
// examples perm[b..e) onto `maps` (records of 1 + C doubles: A_u, then B_u for each output), in
// order; maps of consecutive batch pieces compose into the map of the whole batch, whose result
// equals apply_batch's up to rounding (a few ulps per example, not bit for bit).
template <class View>
inline void compose_batch(const View& data, const double* inv_du, const std::uint32_t* perm, std::size_t b,
                          std::size_t e, int C, const double* g, double scale, double lambda, double* maps) {
  const std::size_t width = 1 + static_cast<std::size_t>(C);
  for (std::size_t i = b; i < e; ++i) {
    const double* gi = g + (i - b) * C;
    for_each_entry(data.row(perm[i]), [&](std::uint32_t j, float v) {
      if (v == 0.0f) return;  // untouched: the identity map
      const double f = 1.0 - scale * (lambda * inv_du[j]);
      double* m = maps + static_cast<std::size_t>(j) * width;
      m[0] *= f;
      for (int c = 0; c < C; ++c) m[1 + c] = m[1 + c] * f + scale * (gi[c] * v);
    });
  }
}

struct step_params {
  double step = 0.0;       // γ for this epoch
  double lambda = 0.0;     // L2 strength
  std::size_t batch = 1;   // K
  int outputs = 1;         // C
};

struct range_result {
  std::uint64_t examples = 0;
  std::uint64_t updates = 0;
  double loss = 0.0;  // summed data loss at the moment each example was scored
};

// Largest model (columns) for which sgd_range precomputes the shrink factors on its stack.
inline constexpr std::size_t max_factor_dims = 4096;

// factor[j] = 1 − shrink/d_j for the full batches of a range (shrink = γλ/K rounded to T, the
// value apply_batch computes for a batch of K); returns shrink.
template <weight_type T>
inline T full_batch_factors(const step_params& p, const double* inv_du, std::size_t dims, T* factor) {
  const T shrink = static_cast<T>(p.step / static_cast<double>(p.batch) * p.lambda);
  for (std::size_t j = 0; j < dims; ++j) factor[j] = shrink_factor(shrink, inv_du[j]);
  return shrink;
}

// Asks the cache for example r ahead of use: its row (prefetch_row) and its label. The labels
// are read in the permutation's random order too: at 500k rows (2 MB of labels) each label was
// a cache miss the kernel waited for, ~50-60 ns/example of float32 dense rows (a scratch copy
// of the dense loop: 168-177 ns/example without the label prefetch, 113 with it; 120-136 and
// 99-101 with the non-temporal row hint). Labels take the ordinary hint: 4 bytes a row, they
// can stay cached from one epoch to the next.
template <class View>
[[gnu::always_inline]] inline void prefetch_example(const View& data, const float* labels, std::uint32_t r) {
  prefetch_row(data, r);
  __builtin_prefetch(labels + r);
}

#if HOGWILD_DENSE_AVX2
// The update of the dense SIMD loop: avx2::apply, or avx512vl::apply (masked multiplies) on a CPU
// with AVX-512VL. Each is called from an entry point compiled for its instruction set.
struct avx2_update {
  template <class T, class Scalar>
  [[gnu::target("avx2")]] static void apply(const float* x, T* w, const T* factor, T step_g, std::uint32_t dims,
                                            Scalar&& scalar) {
    avx2::apply(x, w, factor, step_g, dims, scalar);
  }
};
struct avx512vl_update {
  template <class T, class Scalar>
  [[gnu::target("avx2,avx512f,avx512vl")]] static void apply(const float* x, T* w, const T* factor, T step_g,
                                                             std::uint32_t dims, Scalar&& scalar) {
    avx512vl::apply(x, w, factor, step_g, dims, scalar);
  }
};

// sgd_range for a single-output model on dense rows with plain access, in AVX2 (the dispatch is at
// sgd_range below; shared/dense_simd.hpp says what is computed). The same batches, prefetches,
// skips and loss sums as sgd_range_portable; the coefficients' loop is batch_coefficients' with
// avx2::dot called directly (through batch_coefficients, the switch test on every row measured
// 3-4 ns/example slower); the full batches' factors once per call; the last, shorter batch
// through apply_batch (the portable update gives the same bits). The body is compiled once per
// entry point below (always_inline into each, whose flatten inlines the rest for its target).
template <class Model, class Update, weight_type T>
[[gnu::always_inline]] inline range_result dense_simd_range(const dense_view& data, const float* labels, T* w,
                                                            const double* inv_du, const std::uint32_t* perm,
                                                            std::size_t begin, std::size_t end, const step_params& p) {
  double g[max_batch_coefficients];
  T factor[max_factor_dims];
  const auto dims = static_cast<std::uint32_t>(data.dims);
  const T shrink = full_batch_factors(p, inv_du, dims, factor);
  range_result r;
  constexpr std::size_t ahead = row_prefetch_distance;  // as sgd_range
  for (std::size_t i = begin; i < end && i < begin + ahead; ++i) prefetch_example(data, labels, perm[i]);
  for (std::size_t b = begin; b < end; b += p.batch) {
    const std::size_t e = b + p.batch < end ? b + p.batch : end;
    for (std::size_t i = b + ahead; i < e + ahead && i < end; ++i) prefetch_example(data, labels, perm[i]);
    double batch_loss = 0.0;  // summed as batch_coefficients does
    for (std::size_t i = b; i < e; ++i) {
      const std::uint32_t row = perm[i];
      const double s[1] = {static_cast<double>(avx2::dot(data.row(row).val, w, dims))};
      Model::dloss(s, labels[row], 1, g + (i - b));
      batch_loss += Model::loss(s, labels[row], 1);
    }
    r.loss += batch_loss;
    r.examples += e - b;
    ++r.updates;
    const double scale = p.step / static_cast<double>(e - b);
    if (e - b != p.batch) {
      apply_batch<plain_access, 1>(data, w, inv_du, perm, b, e, 1, g, scale, p.lambda);
      continue;
    }
    for (std::size_t i = b; i < e; ++i) {
      if (leaves_unchanged(g[i - b], p.lambda)) continue;
      const float* x = data.row(perm[i]).val;
      const T step_g = static_cast<T>(scale * g[i - b]);
      Update::apply(x, w, factor, step_g, dims, [&](std::uint32_t j) {  // apply_row's update of column j
        w[j] = dense_updated<T>(w[j], x[j], inv_du[j], shrink, step_g);
      });
    }
  }
  return r;
}
template <class Model, weight_type T>
[[gnu::target("avx2"), gnu::flatten]] range_result sgd_range_dense_avx2(const dense_view& data, const float* labels,
                                                                        T* w, const double* inv_du,
                                                                        const std::uint32_t* perm, std::size_t begin,
                                                                        std::size_t end, const step_params& p) {
  return dense_simd_range<Model, avx2_update>(data, labels, w, inv_du, perm, begin, end, p);
}
// The same loop with avx512vl::apply, for a CPU with AVX-512VL.
template <class Model, weight_type T>
[[gnu::target("avx2,avx512f,avx512vl"), gnu::flatten]] range_result sgd_range_dense_avx512vl(
    const dense_view& data, const float* labels, T* w, const double* inv_du, const std::uint32_t* perm,
    std::size_t begin, std::size_t end, const step_params& p) {
  return dense_simd_range<Model, avx512vl_update>(data, labels, w, inv_du, perm, begin, end, p);
}
#endif

// SGD over perm[begin..end) in batches of K, updating w in place (the portable loop; sgd_range
// below is the entry point).
// GCC (12, -O2 and up) may warn that g[0] is read uninitialised once the skip test of
// leaves_unchanged() is inlined: batch_coefficients writes g[0 .. (e−b)·C) for every batch, and
// every batch has b < e. The warning is switched off for this function only (GCC's option).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <class Model, class Access, class View, weight_type T>
range_result sgd_range_portable(const View& data, const float* labels, T* w, const double* inv_du,
                       const std::uint32_t* perm, std::size_t begin, std::size_t end,
                       const step_params& p) {
  double g[max_batch_coefficients];
  range_result r;
  // Single-output models on CSR rows: the factors 1 − shrink/d_u of the full batches, once per
  // call (the update is then one multiply-add per nonzero), when the model is small enough for
  // the stack and its size is at most the range's nonzeros (so filling them costs less than the
  // work they save). The last, shorter batch has another shrink and takes apply_batch.
  constexpr bool factorable = std::is_same_v<View, csr_view> && Model::fixed_outputs == 1;
  T factor[factorable ? max_factor_dims : 1];
  bool use_factors = false;
  if constexpr (factorable) {
    const std::size_t range_nnz = data.rows == 0 ? 0 : (end - begin) * data.row_ptr[data.rows] / data.rows;
    if (data.dims <= max_factor_dims && data.dims <= range_nnz && p.batch > 0) {
      full_batch_factors(p, inv_du, data.dims, factor);
      use_factors = true;
    }
  }
  // Prefetch distances along the permutation, in examples: the row data `ahead` examples ahead,
  // and the CSR row pointer twice as far (it is needed to find the row).
  constexpr std::size_t ahead = row_prefetch_distance;
  for (std::size_t i = begin; i < end && i < begin + 2 * ahead; ++i) prefetch_locator(data, perm[i]);
  for (std::size_t i = begin; i < end && i < begin + ahead; ++i) prefetch_example(data, labels, perm[i]);
  for (std::size_t b = begin; b < end; b += p.batch) {
    const std::size_t e = b + p.batch < end ? b + p.batch : end;
    for (std::size_t i = b + ahead; i < e + ahead && i < end; ++i) {
      prefetch_example(data, labels, perm[i]);
      if (i + ahead < end) prefetch_locator(data, perm[i + ahead]);
    }
    r.loss += batch_coefficients<Model, Access>(data, labels, w, perm, b, e, p.outputs, g);
    r.examples += e - b;
    ++r.updates;
    const double scale = p.step / static_cast<double>(e - b);
    if constexpr (factorable) {
      if (use_factors && e - b == p.batch) {
        for (std::size_t i = b; i < e; ++i) {
          if (leaves_unchanged(g[i - b], p.lambda)) continue;
          apply_row_factors<Access>(data.row(perm[i]), w, factor, g[i - b], scale);
        }
        continue;
      }
    }
    apply_batch<Access, Model::fixed_outputs>(data, w, inv_du, perm, b, e, p.outputs, g, scale, p.lambda);
  }
  return r;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#if HOGWILD_DENSE_AVX2
// Multi-output models (multiclass SVM, softmax) with plain access: the portable loop compiled for
// AVX2 (flatten inlines every call into this function, so GCC vectorises the loops over the C
// outputs 4 doubles or 8 floats wide instead of SSE2's 2 or 4). Each output sees the same
// operations in the same order, so the same bits (-ffp-contract=off, no -ffast-math; a unit test
// compares). Fashion-MNIST, multiclass SVM, serial, 3 epochs of training: 0.71-0.73 s instead of
// 0.80, min of 5 (Intel Xeon VM, docs/performance-log.md). The same clone of the single-output CSR loop was slower
// (float64 51 -> 52 ns/example, float32 61 -> 68), so that loop stays as it is.
template <class Model, class View, weight_type T>
[[gnu::target("avx2"), gnu::flatten]] range_result sgd_range_multi_avx2(const View& data, const float* labels, T* w,
                                                                     const double* inv_du, const std::uint32_t* perm,
                                                                     std::size_t begin, std::size_t end,
                                                                     const step_params& p) {
  return sgd_range_portable<Model, plain_access>(data, labels, w, inv_du, perm, begin, end, p);
}
#endif

// The entry point: dense rows of a single-output model with plain access take the AVX2 loop when
// the CPU has AVX2 (models of at most max_factor_dims columns; its AVX-512VL update where the CPU
// has that too), multi-output models with plain access the portable loop compiled for AVX2,
// everything else the portable loop.
template <class Model, class Access, class View, weight_type T>
range_result sgd_range(const View& data, const float* labels, T* w, const double* inv_du, const std::uint32_t* perm,
                       std::size_t begin, std::size_t end, const step_params& p) {
#if HOGWILD_DENSE_AVX2
  if constexpr (std::is_same_v<View, dense_view> && Model::fixed_outputs == 1 &&
                std::is_same_v<Access, plain_access>) {
    if (data.dims <= max_factor_dims && p.batch > 0 && dense_avx2_switch().load(std::memory_order_relaxed)) {
      if (dense_avx512vl_switch().load(std::memory_order_relaxed))
        return sgd_range_dense_avx512vl<Model>(data, labels, w, inv_du, perm, begin, end, p);
      return sgd_range_dense_avx2<Model>(data, labels, w, inv_du, perm, begin, end, p);
    }
  }
  if constexpr (Model::fixed_outputs != 1 && std::is_same_v<Access, plain_access>) {
    if (dense_avx2_switch().load(std::memory_order_relaxed))
      return sgd_range_multi_avx2<Model>(data, labels, w, inv_du, perm, begin, end, p);
  }
#endif
  // Float weights on CSR rows, one output: the loop compiled with relaxed access runs faster than
  // with plain access (GCC 12 -O3, Intel Xeon VM, bench_kernel: 49.5-49.9 against 58.8-59.4
  // ns/example on the default data, 86.2 against 93.0 at 500k rows; float64 the other way round,
  // 49.1-49.4 plain against 52.6-52.7), so the plain-access runners take it too: the same
  // operations in the same order, the same bits, and well-defined either way (issue 7: "the faster
  // one that stays well-defined kept"). Not code-generation folklore to rely on: re-measure with
  // bench_kernel, which prints the plain-access loop beside it.
  if constexpr (std::is_same_v<T, float> && std::is_same_v<View, csr_view> && Model::fixed_outputs == 1 &&
                std::is_same_v<Access, plain_access>)
    return sgd_range_portable<Model, relaxed_access>(data, labels, w, inv_du, perm, begin, end, p);
  return sgd_range_portable<Model, Access>(data, labels, w, inv_du, perm, begin, end, p);
}

}  // namespace hogwild::kernel
