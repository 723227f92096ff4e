// The forward kernels of the double engine, written once for both paths: a tile of W lanes
// (rows of W doubles, row r of lane l at U[r*W + l]) and a single point (W = 1, `One`). Each
// instruction is a loop over lanes; with `One` the loop disappears.
//
// Decisions go through the op table's tie rules (relu_piece, abs_piece, select_piece,
// replaces_extremum, sort_moves_ahead from program/op_rules.hpp) applied to the sign of the
// double values, so a tie is decided exactly as the reference decides it whenever the double
// values are the exact values.
#pragma once

#include <cfloat>
#include <cmath>
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>
#include <vector>

// GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 headers (the _mm512_undefined_*
// idiom) when SLEEF's inline declarations are used; the warning is about the compiler's header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <sleef.h>
#pragma GCC diagnostic pop

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast::detail {

/// Lane counts: a run-time tile width, or exactly one lane.
struct Lanes {
  std::size_t n;
  std::size_t count() const { return n; }
};
struct One {
  static constexpr std::size_t count() { return 1; }
};

/// The op table's relu rule, as the double engine applies it (one place for both paths).
constexpr std::uint32_t engine_relu_piece(Sign s) {
#if defined(SELGRAD_MUTANT) && SELGRAD_MUTANT == 7  // mutant 7 (properties/): relu'(0) = 1 in the double engine
  return s == Sign::Negative ? 0u : 1u;
#else
  return relu_piece(s);
#endif
}

inline Sign sign_of(double x) { return x > 0 ? Sign::Positive : (x < 0 ? Sign::Negative : Sign::Zero); }
/// Sign of x - y, by comparison (no rounding, no overflow).
inline Sign sign_diff(double x, double y) { return x > y ? Sign::Positive : (x < y ? Sign::Negative : Sign::Zero); }

// ---- one lane of an op: written once, used by the lane loops and by the point's runs --------

/// relu at x: value and partial by the op table's rule; returns the piece.
inline std::uint32_t relu_lane(double x, double& value, double& partial) {
  const std::uint32_t piece = engine_relu_piece(sign_of(x));
  value = piece == 1 ? x : 0.0;
  partial = piece == 1 ? 1.0 : 0.0;
  return piece;
}

/// abs at x: value and partial by the op table's rule; returns the piece.
inline std::uint32_t abs_lane(double x, double& value, double& partial) {
  const std::uint32_t piece = abs_piece(sign_of(x));
  value = piece == 1 ? x : (piece == 2 ? -x : 0.0);
  partial = piece == 1 ? 1.0 : (piece == 2 ? -1.0 : 0.0);
  return piece;
}

/// x / y and the op table's partials 1/y and -(x/y)(1/y): one division for both.
inline void div_lane(double x, double y, double& value, double& dx, double& dy) {
  const double v = x / y, r = 1.0 / y;
  value = v;
  dx = r;
  dy = -(v * r);
}

/// max or min of two arguments: the first wins a tie (replaces_extremum); returns the piece.
inline std::uint32_t extremum2_lane(Op op, double x, double y, double& value, double& dx, double& dy) {
  const std::uint32_t best = replaces_extremum(op, sign_diff(y, x)) ? 1u : 0u;
  value = best == 1 ? y : x;
  dx = best == 0 ? 1.0 : 0.0;
  dy = best == 1 ? 1.0 : 0.0;
  return best;
}

// ---- vector transcendental functions (SLEEF, 1.0-ulp variants) -----------------------------

// Every path maps exp, log, log1p and tanh through SLEEF's vector functions: a tile whole rows
// (W lanes, a multiple of the vector width kV), a single point blocks of kV values gathered from
// a run of one op (padded), and a lone value a vector with the value in lane 0. So a point's
// values and partials are the values of a lane of a batch, bit for bit, whatever the path.
#if defined(__AVX512F__)
inline constexpr std::size_t kV = 8;
#define SELGRAD_VMAP(NAME, SLEEF)                                                          \
  inline void NAME##_block(const double* a, double* o) { _mm512_storeu_pd(o, SLEEF(_mm512_loadu_pd(a))); }
SELGRAD_VMAP(vexp, Sleef_expd8_u10avx512f)
SELGRAD_VMAP(vlog, Sleef_logd8_u10avx512f)
SELGRAD_VMAP(vlog1p, Sleef_log1pd8_u10avx512f)
SELGRAD_VMAP(vtanh, Sleef_tanhd8_u10avx512f)
#elif defined(__AVX2__)
inline constexpr std::size_t kV = 4;
#define SELGRAD_VMAP(NAME, SLEEF)                                                          \
  inline void NAME##_block(const double* a, double* o) { _mm256_storeu_pd(o, SLEEF(_mm256_loadu_pd(a))); }
SELGRAD_VMAP(vexp, Sleef_expd4_u10avx2)
SELGRAD_VMAP(vlog, Sleef_logd4_u10avx2)
SELGRAD_VMAP(vlog1p, Sleef_log1pd4_u10avx2)
SELGRAD_VMAP(vtanh, Sleef_tanhd4_u10avx2)
#else
inline constexpr std::size_t kV = 1;
#define SELGRAD_VMAP(NAME, SLEEF) \
  inline void NAME##_block(const double* a, double* o) { o[0] = SLEEF(a[0]); }
SELGRAD_VMAP(vexp, Sleef_exp_u10)
SELGRAD_VMAP(vlog, Sleef_log_u10)
SELGRAD_VMAP(vlog1p, Sleef_log1p_u10)
SELGRAD_VMAP(vtanh, Sleef_tanh_u10)
#endif
#undef SELGRAD_VMAP

/// Maps n values (rows of a tile: n a multiple of kV; or one value) through a block function.
template <void (*Block)(const double*, double*), class L>
inline void vmap(const double* a, double* o, L lanes) {
  if constexpr (std::is_same_v<L, One>) {
    alignas(64) double buf[kV];
    std::fill_n(buf, kV, 1.0);  // padding inside every function's domain
    buf[0] = a[0];
    Block(buf, buf);
    o[0] = buf[0];
  } else {
    for (std::size_t l = 0; l < lanes.count(); l += kV) Block(a + l, o + l);
  }
}
template <class L>
inline void vexp(const double* a, double* o, L lanes) { vmap<vexp_block>(a, o, lanes); }
template <class L>
inline void vlog(const double* a, double* o, L lanes) { vmap<vlog_block>(a, o, lanes); }
template <class L>
inline void vlog1p(const double* a, double* o, L lanes) { vmap<vlog1p_block>(a, o, lanes); }
template <class L>
inline void vtanh(const double* a, double* o, L lanes) { vmap<vtanh_block>(a, o, lanes); }

/// True if every value is finite. An integer max over the exponent bits vectorises, where an
/// `&=` of floating-point comparisons does not (and would dominate the cost of cheap ops).
inline bool all_finite(const double* x, std::size_t n) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
  std::uint64_t m = 0;
  for (std::size_t l = 0; l < n; ++l) {
    std::uint64_t b;
    std::memcpy(&b, x + l, sizeof b);
    m = std::max(m, b & kExponent);
  }
  return m != kExponent;
}

/// Transposes rows into records: dst[l*stride + i] = column[i][l] for i < p, l < n (a tile's
/// Jacobian rows into per-point Jacobians). With AVX2, 4 x 4 blocks: four loads, eight shuffles
/// and four stores for 16 entries, where an element-wise loop spends a load, a store and the
/// loop's own work on each.
inline void store_transposed(const double* const* column, std::size_t p, std::size_t n, double* dst,
                             std::size_t stride) {
  std::size_t l = 0;
#if defined(__AVX2__)
  const __m256d zero = _mm256_setzero_pd();
  for (; l + 4 <= n; l += 4)
    for (std::size_t i = 0; i < p; i += 4) {
      const std::size_t c = std::min<std::size_t>(4, p - i);
      const __m256d r0 = _mm256_loadu_pd(column[i] + l);
      const __m256d r1 = c > 1 ? _mm256_loadu_pd(column[i + 1] + l) : zero;
      const __m256d r2 = c > 2 ? _mm256_loadu_pd(column[i + 2] + l) : zero;
      const __m256d r3 = c > 3 ? _mm256_loadu_pd(column[i + 3] + l) : zero;
      const __m256d t0 = _mm256_unpacklo_pd(r0, r1);  // r0[0] r1[0] r0[2] r1[2]
      const __m256d t1 = _mm256_unpackhi_pd(r0, r1);  // r0[1] r1[1] r0[3] r1[3]
      const __m256d t2 = _mm256_unpacklo_pd(r2, r3);
      const __m256d t3 = _mm256_unpackhi_pd(r2, r3);
      const __m256d lane[4] = {_mm256_permute2f128_pd(t0, t2, 0x20), _mm256_permute2f128_pd(t1, t3, 0x20),
                               _mm256_permute2f128_pd(t0, t2, 0x31), _mm256_permute2f128_pd(t1, t3, 0x31)};
      double* d = dst + l * stride + i;
      if (c == 4) {
        for (std::size_t k = 0; k < 4; ++k) _mm256_storeu_pd(d + k * stride, lane[k]);
      } else {
        const __m256i mask = _mm256_setr_epi64x(-1, c > 1 ? -1 : 0, c > 2 ? -1 : 0, 0);
        for (std::size_t k = 0; k < 4; ++k) _mm256_maskstore_pd(d + k * stride, mask, lane[k]);
      }
    }
#endif
  for (; l < n; ++l)
    for (std::size_t i = 0; i < p; ++i) dst[l * stride + i] = column[i][l];
}

/// Where the forward pass writes and reads: rows of `stride` doubles, and per selection a row of
/// pieces and of tie flags (may be null when branches are not recorded).
struct Frame {
  double* U;
  std::size_t stride;
  std::uint32_t* piece;  // selections x stride
  std::uint8_t* tie;     // selections x stride
  double* tmp;           // stride scratch doubles
  std::vector<std::uint32_t>* order;  // sort scratch
  double* row(std::uint32_t r) const { return U + std::size_t{r} * stride; }
};

template <class L>
inline void record(const Frame& f, const Instr& in, std::size_t l, std::uint32_t piece, bool tie) {
  if (f.piece) {
    f.piece[std::size_t{in.selection} * f.stride + l] = piece;
    f.tie[std::size_t{in.selection} * f.stride + l] = tie ? 1 : 0;
  }
}

/// Runs instruction `in` (node k) over the lanes: its value, and with `grad` its computed
/// partials (the scratch rows of Tape::partial). Returns false if some lane may have left the
/// domain (a non-finite value, sqrt of a value <= 0, a discontinuous select): the caller then
/// explains it with first_failure.
/// Instructions whose results may leave the finite range without raising an IEEE flag: SLEEF's
/// functions produce their special values by selection, and pow is a library call. Hardware
/// arithmetic (+, -, *, /) raises overflow, division by zero or invalid whenever it turns finite
/// operands into a non-finite result, and the selections only move values.
inline bool checks_own_results(Code c) {
  switch (c) {
    case Code::Exp:
    case Code::Log:
    case Code::Powi:
    case Code::Softplus:
    case Code::Sigmoid:
    case Code::Tanh: return true;
    default: return false;
  }
}

/// `checked`: also test that every result is finite. Without it, only the domain conditions no
/// IEEE flag reports (sqrt at 0, a discontinuous select) and the results of checks_own_results()
/// are tested; the caller then reads the IEEE flags (see BatchEvaluator).
template <class L>
inline bool forward_instr(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, L lanes, bool grad,
                          bool checked = true) {
  const std::size_t n = lanes.count();
  double* __restrict o = f.row(k);
  const std::uint32_t* opnd = t.operand.data() + in.first;
  const std::uint32_t* part = t.partial.data() + in.first;
  const auto a = [&](std::uint32_t j) -> const double* { return f.row(opnd[j]); };
  const auto d = [&](std::uint32_t j) -> double* { return f.row(part[j]); };
  bool ok = true;
  switch (in.code) {
    case Code::Add2: {
      const double *x = a(0), *y = a(1);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l] + y[l];
      break;
    }
    case Code::AddN: {
      const double* x = a(0);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l];
      for (std::uint32_t j = 1; j < in.count; ++j) {
        const double* y = a(j);
        for (std::size_t l = 0; l < n; ++l) o[l] += y[l];
      }
      break;
    }
    case Code::Sub: {
      const double *x = a(0), *y = a(1);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l] - y[l];
      break;
    }
    case Code::Neg: {
      const double* x = a(0);
      for (std::size_t l = 0; l < n; ++l) o[l] = -x[l];
      break;
    }
    case Code::Mul2: {
      const double *x = a(0), *y = a(1);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l] * y[l];
      break;
    }
    case Code::MulN: {
      // Value left to right (as the reference); partials as prefix times suffix products.
      const double* x = a(0);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l];
      for (std::uint32_t j = 1; j < in.count; ++j) {
        const double* y = a(j);
        for (std::size_t l = 0; l < n; ++l) o[l] *= y[l];
      }
      if (grad) {
        double* pre = f.tmp;
        for (std::size_t l = 0; l < n; ++l) pre[l] = 1.0;
        for (std::uint32_t j = 0; j < in.count; ++j) {
          double* dj = d(j);
          const double* y = a(j);
          for (std::size_t l = 0; l < n; ++l) {
            dj[l] = pre[l];
            pre[l] *= y[l];
          }
        }
        for (std::size_t l = 0; l < n; ++l) pre[l] = 1.0;
        for (std::uint32_t j = in.count; j-- > 0;) {
          double* dj = d(j);
          const double* y = a(j);
          for (std::size_t l = 0; l < n; ++l) {
            dj[l] *= pre[l];
            pre[l] *= y[l];
          }
        }
      }
      break;
    }
    case Code::Div: {
      const double *x = a(0), *y = a(1);
      if (grad) {
        double *__restrict d0 = d(0), *__restrict d1 = d(1);
        for (std::size_t l = 0; l < n; ++l) div_lane(x[l], y[l], o[l], d0[l], d1[l]);
      } else {
        for (std::size_t l = 0; l < n; ++l) o[l] = x[l] / y[l];
      }
      break;
    }
    case Code::Exp: vexp(a(0), o, lanes); break;  // the partial is the value row itself
    case Code::Log: {
      const double* x = a(0);
      vlog(x, o, lanes);
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = 1.0 / x[l];
      }
      break;
    }
    case Code::Powi: {
      const double* x = a(0);
      const int kp = in.power;
      for (std::size_t l = 0; l < n; ++l) o[l] = std::pow(x[l], kp);
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = kp == 0 ? 0.0 : kp * std::pow(x[l], kp - 1);
      }
      break;
    }
    case Code::Lin: {  // c0 + c1*a1 + c2*a2 + ..., in this order (as the reference)
      const double* c0 = a(0);
      for (std::size_t l = 0; l < n; ++l) o[l] = c0[l];
      for (std::uint32_t j = 1; j + 1 < in.count; j += 2) {
        const double *c = a(j), *x = a(j + 1);
        for (std::size_t l = 0; l < n; ++l) o[l] += c[l] * x[l];
      }
      break;
    }
    case Code::Sqrt: {
      const double* x = a(0);
      std::uint64_t outside = 0;  // the domain is a > 0 (sqrt = exp(log(a)/2))
      for (std::size_t l = 0; l < n; ++l) {
        o[l] = std::sqrt(x[l]);
        outside |= x[l] > 0 ? 0u : 1u;
      }
      ok = outside == 0;
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = 1.0 / (2.0 * o[l]);
      }
      break;
    }
    case Code::Softplus: {  // log(1 + e^a) = max(a, 0) + log1p(e^-|a|): no overflow
      const double* x = a(0);
      double* e = f.tmp;
      for (std::size_t l = 0; l < n; ++l) e[l] = -std::fabs(x[l]);
      vexp(e, e, lanes);
      vlog1p(e, o, lanes);
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = x[l] >= 0 ? 1.0 / (1.0 + e[l]) : e[l] / (1.0 + e[l]);
      }
      for (std::size_t l = 0; l < n; ++l) o[l] += x[l] > 0 ? x[l] : 0.0;
      break;
    }
    case Code::Sigmoid: {  // 1 / (1 + e^-a), through e^-|a| so that nothing overflows
      const double* x = a(0);
      double* e = f.tmp;
      for (std::size_t l = 0; l < n; ++l) e[l] = -std::fabs(x[l]);
      vexp(e, e, lanes);
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l] >= 0 ? 1.0 / (1.0 + e[l]) : e[l] / (1.0 + e[l]);
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = o[l] * (1.0 - o[l]);
      }
      break;
    }
    case Code::Tanh: {
      vtanh(a(0), o, lanes);
      if (grad) {
        double* d0 = d(0);
        for (std::size_t l = 0; l < n; ++l) d0[l] = 1.0 - o[l] * o[l];
      }
      break;
    }
    case Code::Relu: {
      const double* x = a(0);
      double* d0 = grad ? d(0) : f.tmp;
      for (std::size_t l = 0; l < n; ++l) relu_lane(x[l], o[l], d0[l]);
      if (f.piece)
        for (std::size_t l = 0; l < n; ++l) record<L>(f, in, l, engine_relu_piece(sign_of(x[l])), x[l] == 0);
      break;
    }
    case Code::Abs: {
      const double* x = a(0);
      double* d0 = grad ? d(0) : f.tmp;
      for (std::size_t l = 0; l < n; ++l) abs_lane(x[l], o[l], d0[l]);
      if (f.piece)
        for (std::size_t l = 0; l < n; ++l) record<L>(f, in, l, abs_piece(sign_of(x[l])), x[l] == 0);
      break;
    }
    case Code::Max:
    case Code::Min: {
      const Op op = in.code == Code::Max ? Op::Max : Op::Min;
      for (std::size_t l = 0; l < n; ++l) {
        std::uint32_t best = 0;
        double v = a(0)[l];
        for (std::uint32_t j = 1; j < in.count; ++j)
          if (replaces_extremum(op, sign_diff(a(j)[l], v))) {
            best = j;
            v = a(j)[l];
          }
        o[l] = v;
        bool tie = false;
        for (std::uint32_t j = 0; j < in.count; ++j) {
          tie |= j != best && a(j)[l] == v;
          if (grad) d(j)[l] = j == best ? 1.0 : 0.0;
        }
        record<L>(f, in, l, best, tie);
      }
      break;
    }
    case Code::Select: {
      const double *u = a(0), *v = a(1), *x = a(2), *y = a(3);
      double* d2 = grad ? d(2) : f.tmp;
      std::uint64_t jumps = 0;
      for (std::size_t l = 0; l < n; ++l) {
        const std::uint32_t piece = select_piece(in.cmp, sign_diff(u[l], v[l]));
        o[l] = piece == 0 ? x[l] : y[l];
        d2[l] = piece == 0 ? 1.0 : 0.0;
        jumps |= (u[l] == v[l] && x[l] != y[l]) ? 1u : 0u;  // D3: continuous at the boundary
      }
      ok = jumps == 0;
      if (grad) {
        double* d3 = d(3);
        for (std::size_t l = 0; l < n; ++l) d3[l] = 1.0 - d2[l];
      }
      if (f.piece)
        for (std::size_t l = 0; l < n; ++l)
          record<L>(f, in, l, select_piece(in.cmp, sign_diff(u[l], v[l])), u[l] == v[l]);
      break;
    }
    case Code::SortGroup: {
      // Stable decreasing merge sort per lane (stable_order.hpp); writes the values and pieces of
      // every rank of the group: nodes k .. k + count - 1. The partials are constant (1 at the
      // rank's own position): the sweeps route each rank by its piece (SortPermutation).
      const std::uint32_t size = in.count;
      std::vector<std::uint32_t>& ord = *f.order;
      std::vector<std::uint32_t> scratch;
      for (std::size_t l = 0; l < n; ++l) {
        stable_merge_order(
            size, [&](std::uint32_t j, std::uint32_t i) { return sort_moves_ahead(sign_diff(a(j)[l], a(i)[l])); }, ord,
            scratch);
        for (std::uint32_t r = 0; r < size; ++r) {
          const Instr& rank = t.code[k + r - t.p];
          const double vr = a(ord[r])[l];
          f.row(k + r)[l] = vr;
          const bool tie = (r > 0 && a(ord[r - 1])[l] == vr) || (r + 1 < size && a(ord[r + 1])[l] == vr);
          record<L>(f, rank, l, ord[r], tie);
        }
      }
      if (checked)
        for (std::uint32_t r = 1; r < size; ++r) ok &= all_finite(f.row(k + r), n);  // later ranks
      break;
    }
    case Code::SortRank: return true;  // written by its SortGroup
  }
  return ok && (!(checked || checks_own_results(in.code)) || all_finite(o, n));
}

/// Runs one run of Tape::runs at one point (PointEvaluator). The nodes of a run share a code and
/// do not depend on each other, so the common ops are one loop without dispatch, and exp and
/// log go through SLEEF kV values at a time (gathered, mapped, scattered), the rest node by node
/// through forward_instr. Values and partials are those of forward_instr, bit for bit. Returns
/// false as forward_instr does.
inline bool forward_run(const Tape& t, const Run& run, const Frame& f, bool grad) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
  double* U = f.U;
  const std::uint32_t* ks = t.schedule.data() + run.begin;
  const std::size_t n = run.end - run.begin;
  std::uint64_t exponent = 0;  // the largest exponent field of the values written
  const auto put = [&](std::uint32_t k, double v) {
    U[k] = v;
    exponent = std::max(exponent, std::bit_cast<std::uint64_t>(v) & kExponent);
  };
  const auto instr = [&](std::uint32_t k) -> const Instr& { return t.code[k - t.p]; };
  const auto args = [&](std::uint32_t k) { return t.operand.data() + t.code[k - t.p].first; };
  const auto parts = [&](std::uint32_t k) { return t.partial.data() + t.code[k - t.p].first; };
  // exp (partial: the value row itself) and log (partial 1/x), a block of kV nodes at a time.
  const auto map_blocks = [&](void (*block)(const double*, double*), bool log) {
    alignas(64) double x[kV], y[kV];
    for (std::size_t b = 0; b < n; b += kV) {
      const std::size_t c = std::min(kV, n - b);
      for (std::size_t i = 0; i < kV; ++i) x[i] = i < c ? U[args(ks[b + i])[0]] : 1.0;
      block(x, y);
      for (std::size_t i = 0; i < c; ++i) {
        put(ks[b + i], y[i]);
        if (log && grad) U[parts(ks[b + i])[0]] = 1.0 / x[i];
      }
    }
  };
  const auto binary = [&](auto op) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t* a = args(ks[i]);
      put(ks[i], op(U[a[0]], U[a[1]]));
    }
  };
  // relu or abs: value, partial and piece from the one-lane rule; the tie is at 0.
  const auto unary_selection = [&](auto lane) {
    for (std::size_t i = 0; i < n; ++i) {
      const Instr& in = instr(ks[i]);
      const double x = U[t.operand[in.first]];
      double partial;
      const std::uint32_t piece = lane(x, U[ks[i]], partial);
      if (grad) U[t.partial[in.first]] = partial;
      record<One>(f, in, 0, piece, x == 0);
    }
  };
  switch (run.code) {
    case Code::Add2: binary(std::plus<>{}); break;
    case Code::Sub: binary(std::minus<>{}); break;
    case Code::Mul2: binary(std::multiplies<>{}); break;
    case Code::Neg:
      for (std::size_t i = 0; i < n; ++i) put(ks[i], -U[args(ks[i])[0]]);
      break;
    case Code::Div:
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t* a = args(ks[i]);
        double v, dx, dy;
        div_lane(U[a[0]], U[a[1]], v, dx, dy);
        put(ks[i], v);
        if (grad) {
          const std::uint32_t* d = parts(ks[i]);
          U[d[0]] = dx;
          U[d[1]] = dy;
        }
      }
      break;
    case Code::Exp: map_blocks(vexp_block, false); break;
    case Code::Log: map_blocks(vlog_block, true); break;
    // The selections: the tie rules of the op table, pieces and tie flags as forward_instr
    // records them; they only move finite values, so nothing to test.
    case Code::Relu: unary_selection([](double x, double& v, double& d) { return relu_lane(x, v, d); }); return true;
    case Code::Abs: unary_selection([](double x, double& v, double& d) { return abs_lane(x, v, d); }); return true;
    case Code::Max:
    case Code::Min: {
      const Op op = run.code == Code::Max ? Op::Max : Op::Min;
      bool ok = true;
      for (std::size_t i = 0; i < n; ++i) {
        const Instr& in = instr(ks[i]);
        if (in.count != 2) {
          ok &= forward_instr(t, in, ks[i], f, One{}, grad);
          continue;
        }
        const double x = U[t.operand[in.first]], y = U[t.operand[in.first + 1]];
        double dx, dy;
        const std::uint32_t best = extremum2_lane(op, x, y, U[ks[i]], dx, dy);
        if (grad) {
          U[t.partial[in.first]] = dx;
          U[t.partial[in.first + 1]] = dy;
        }
        record<One>(f, in, 0, best, x == y);
      }
      return ok;
    }
    default: {
      bool ok = true;
      for (std::size_t i = 0; i < n; ++i) ok &= forward_instr(t, t.code[ks[i] - t.p], ks[i], f, One{}, grad);
      return ok;
    }
  }
  return exponent != kExponent;
}

}  // namespace selgrad::fast::detail
