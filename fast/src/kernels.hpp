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
#include <cstdint>
#include <cstring>
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

inline Sign sign_of(double x) { return x > 0 ? Sign::Positive : (x < 0 ? Sign::Negative : Sign::Zero); }
/// Sign of x - y, by comparison (no rounding, no overflow).
inline Sign sign_diff(double x, double y) { return x > y ? Sign::Positive : (x < y ? Sign::Negative : Sign::Zero); }

// ---- vector transcendental functions (SLEEF, 1.0-ulp variants) -----------------------------

// A tile maps whole rows (W lanes, a multiple of 8) through SLEEF's vector functions; a single
// point uses glibc's scalar functions (faster than SLEEF's scalar ones). Both are within 1 ulp.
#if defined(__AVX512F__)
#define SELGRAD_VMAP(NAME, SCALAR, SLEEF8)                                              \
  inline void NAME(const double* a, double* o, std::size_t n) {                        \
    std::size_t l = 0;                                                                  \
    for (; l + 8 <= n; l += 8) _mm512_storeu_pd(o + l, SLEEF8(_mm512_loadu_pd(a + l))); \
    for (; l < n; ++l) o[l] = SCALAR(a[l]);                                             \
  }
SELGRAD_VMAP(vexp_rows, std::exp, Sleef_expd8_u10avx512f)
SELGRAD_VMAP(vlog_rows, std::log, Sleef_logd8_u10avx512f)
SELGRAD_VMAP(vlog1p_rows, std::log1p, Sleef_log1pd8_u10avx512f)
SELGRAD_VMAP(vtanh_rows, std::tanh, Sleef_tanhd8_u10avx512f)
#elif defined(__AVX2__)
#define SELGRAD_VMAP(NAME, SCALAR, SLEEF4)                                              \
  inline void NAME(const double* a, double* o, std::size_t n) {                        \
    std::size_t l = 0;                                                                  \
    for (; l + 4 <= n; l += 4) _mm256_storeu_pd(o + l, SLEEF4(_mm256_loadu_pd(a + l))); \
    for (; l < n; ++l) o[l] = SCALAR(a[l]);                                             \
  }
SELGRAD_VMAP(vexp_rows, std::exp, Sleef_expd4_u10avx2)
SELGRAD_VMAP(vlog_rows, std::log, Sleef_logd4_u10avx2)
SELGRAD_VMAP(vlog1p_rows, std::log1p, Sleef_log1pd4_u10avx2)
SELGRAD_VMAP(vtanh_rows, std::tanh, Sleef_tanhd4_u10avx2)
#else
#define SELGRAD_VMAP(NAME, SCALAR)                                  \
  inline void NAME(const double* a, double* o, std::size_t n) {    \
    for (std::size_t l = 0; l < n; ++l) o[l] = SCALAR(a[l]);        \
  }
SELGRAD_VMAP(vexp_rows, Sleef_exp_u10)
SELGRAD_VMAP(vlog_rows, Sleef_log_u10)
SELGRAD_VMAP(vlog1p_rows, Sleef_log1p_u10)
SELGRAD_VMAP(vtanh_rows, Sleef_tanh_u10)
#endif
#undef SELGRAD_VMAP

template <class L>
inline void vexp(const double* a, double* o, L lanes) {
  if constexpr (std::is_same_v<L, One>) o[0] = std::exp(a[0]);
  else vexp_rows(a, o, lanes.count());
}
template <class L>
inline void vlog(const double* a, double* o, L lanes) {
  if constexpr (std::is_same_v<L, One>) o[0] = std::log(a[0]);
  else vlog_rows(a, o, lanes.count());
}
template <class L>
inline void vlog1p(const double* a, double* o, L lanes) {
  if constexpr (std::is_same_v<L, One>) o[0] = std::log1p(a[0]);
  else vlog1p_rows(a, o, lanes.count());
}
template <class L>
inline void vtanh(const double* a, double* o, L lanes) {
  if constexpr (std::is_same_v<L, One>) o[0] = std::tanh(a[0]);
  else vtanh_rows(a, o, lanes.count());
}

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
template <class L>
inline bool forward_instr(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, L lanes, bool grad) {
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
      for (std::size_t l = 0; l < n; ++l) o[l] = x[l] / y[l];
      if (grad) {
        double *d0 = d(0), *d1 = d(1);
        for (std::size_t l = 0; l < n; ++l) {
          d0[l] = 1.0 / y[l];
          d1[l] = -(o[l] / y[l]);
        }
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
#if defined(SELGRAD_MUTANT) && SELGRAD_MUTANT == 7  // mutant 7 (properties/): relu'(0) = 1 in the double engine
      const auto relu_piece = [](Sign s) { return s == Sign::Negative ? 0u : 1u; };
#endif
      double* d0 = grad ? d(0) : f.tmp;
      for (std::size_t l = 0; l < n; ++l) {
        const std::uint32_t piece = relu_piece(sign_of(x[l]));
        o[l] = piece == 1 ? x[l] : 0.0;
        d0[l] = piece == 1 ? 1.0 : 0.0;
      }
      if (f.piece)
        for (std::size_t l = 0; l < n; ++l) record<L>(f, in, l, relu_piece(sign_of(x[l])), x[l] == 0);
      break;
    }
    case Code::Abs: {
      const double* x = a(0);
      double* d0 = grad ? d(0) : f.tmp;
      for (std::size_t l = 0; l < n; ++l) {
        const std::uint32_t piece = abs_piece(sign_of(x[l]));
        o[l] = piece == 1 ? x[l] : (piece == 2 ? -x[l] : 0.0);
        d0[l] = piece == 1 ? 1.0 : (piece == 2 ? -1.0 : 0.0);
      }
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
      // Stable decreasing insertion sort per lane; writes the values, partials (one-hot rows)
      // and pieces of every rank of the group: nodes k .. k + count - 1.
      const std::uint32_t size = in.count;
      std::vector<std::uint32_t>& ord = *f.order;
      ord.resize(size);
      for (std::size_t l = 0; l < n; ++l) {
        for (std::uint32_t i = 0; i < size; ++i) ord[i] = i;
        for (std::uint32_t i = 1; i < size; ++i)
          for (std::uint32_t j = i; j > 0 && sort_moves_ahead(sign_diff(a(ord[j])[l], a(ord[j - 1])[l])); --j)
            std::swap(ord[j], ord[j - 1]);
        for (std::uint32_t r = 0; r < size; ++r) {
          const Instr& rank = t.code[k + r - t.p];
          const double vr = a(ord[r])[l];
          f.row(k + r)[l] = vr;
          if (grad)
            for (std::uint32_t j = 0; j < size; ++j)
              f.row(t.partial[rank.first + j])[l] = j == ord[r] ? 1.0 : 0.0;
          const bool tie = (r > 0 && a(ord[r - 1])[l] == vr) || (r + 1 < size && a(ord[r + 1])[l] == vr);
          record<L>(f, rank, l, ord[r], tie);
        }
      }
      for (std::uint32_t r = 1; r < size; ++r) ok &= all_finite(f.row(k + r), n);  // later ranks
      break;
    }
    case Code::SortRank: return true;  // written by its SortGroup
  }
  return ok && all_finite(o, n);
}

}  // namespace selgrad::fast::detail
