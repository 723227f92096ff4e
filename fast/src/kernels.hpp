// The forward kernels of the double engine: every op's rule (program/rules/) run over the rows
// of the tape, for a tile of W lanes (rows of W doubles, row r of lane l at U[r*W + l]) and for
// a run of one op at a single point (Tape::runs). A kernel is the rule's value and partials
// inside a loop; nothing about an op is written here.
//
//  * Smooth ops over a tile run a Pack (kV lanes, one SIMD register) at a time: the rule over
//    the scalar type Pack (scalar_ops.hpp). At a point, a run of cheap ops is one loop over its
//    nodes with the rule over double; a run of exp, log, ... gathers kV nodes into a Pack, so a
//    point is computed exactly as a lane of a batch.
//  * Selections run lane by lane over doubles: the rule's decision on the signs of the double
//    values (so a tie is decided exactly as the reference decides it whenever the double values
//    are the exact values), then the chosen piece's value and partials, the piece and the tie
//    flag recorded.
//
// Kernels are compiled per op and shape (Shape::Fixed: the op's usual operand count known at
// compile time), and reached through tables indexed by Instr::kernel.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "scalar_ops.hpp"
#include "selgrad/fast/tape.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast::detail {

/// Shortest decimal that reads back as the same double.
inline std::string shortest(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

inline Sign sign_of(double x) { return x > 0 ? Sign::Positive : (x < 0 ? Sign::Negative : Sign::Zero); }
/// Sign of x - y, by comparison (no rounding, no overflow).
inline Sign sign_diff(double x, double y) { return x > y ? Sign::Positive : (x < y ? Sign::Negative : Sign::Zero); }

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
/// pieces and of tie flags (null when branches are not recorded).
struct Frame {
  double* U;
  std::size_t stride;
  std::uint32_t* piece;  // selections x stride
  std::uint8_t* tie;     // selections x stride
  std::vector<std::uint32_t>* order;      // sort scratch
  std::vector<std::uint8_t>* same;        // sort scratch
  std::vector<std::uint32_t>* merge;      // sort scratch
  std::vector<const double*>* arg_rows;   // operand rows of an instruction of any arity
  std::vector<double*>* partial_rows;     // partial rows of an instruction of any arity
  /// Without pieces: per selection, the lanes decided at a tie, counted (tie telemetry), or null.
  std::uint64_t* tie_count = nullptr;
  double* row(std::uint32_t r) const { return U + std::size_t{r} * stride; }
};

inline void record(const Frame& f, const Instr& in, std::size_t l, Choice c) {
  if (f.piece) {
    f.piece[std::size_t{in.selection} * f.stride + l] = c.piece;
    f.tie[std::size_t{in.selection} * f.stride + l] = c.tie ? 1 : 0;
  } else if (f.tie_count) {
    f.tie_count[in.selection] += c.tie ? 1 : 0;
  }
}

/// The double engine's decisions: the rule's, but with mutant 7 relu'(0) = 1 here only.
template <class R>
inline Choice engine_choice(Choice c) {
  if constexpr (R::info.op == Op::Relu)
    if (SELGRAD_MUTANT(7) && c.tie) c.piece = 1;
  return c;
}

/// The double engine's partials: the rule's, but with mutant 40 the partial of div in the divisor
/// negated here only.
template <class R, class D>
inline void engine_partials_mutant(D& d) {
  if constexpr (R::info.op == Op::Div)
    if (SELGRAD_MUTANT(40)) d[1] = -d[1];
}

// ---- operand views and partial sinks (see program/rules/common.hpp) ---------------------------

/// An instruction's parameters, as the rules read them.
struct Params {
  std::int64_t pw;
  Cmp c;
  std::int64_t power() const { return pw; }
  Cmp cmp() const { return c; }
};

/// The rows of an instruction's operands or partials. For a fixed count they are held by value,
/// so that the compiler keeps them in registers across a lane loop (the loop's stores into rows
/// cannot change them); for a count read at run time, in the frame's scratch.
template <class P, std::size_t N>
struct RowSet {
  std::array<P, N> p;
  static constexpr std::size_t size() { return N; }
  P operator[](std::size_t i) const { return p[i]; }
};
template <class P>
struct RowSet<P, 0> {
  P* p;
  std::size_t n;
  std::size_t size() const { return n; }
  P operator[](std::size_t i) const { return p[i]; }
};

/// Operand rows of instruction `in` in a tile.
template <std::size_t N>
RowSet<const double*, N> arg_rows(const Tape& t, const Instr& in, const Frame& f) {
  RowSet<const double*, N> r{};
  if constexpr (N == 0) r = {f.arg_rows->data(), in.count};
  const std::uint32_t* opnd = t.operand.data() + in.first;
  const std::size_t n = N ? N : in.count;
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (N == 0) f.arg_rows->data()[i] = f.row(opnd[i]);
    else r.p[i] = f.row(opnd[i]);
  }
  return r;
}

/// Partial rows of instruction `in` in a tile: a computed partial's scratch row, or the junk row
/// for a partial the tape aliases (an argument, the value, a constant), which need not be stored.
template <std::size_t N>
RowSet<double*, N> partial_rows(const Tape& t, const Instr& in, const Frame& f) {
  RowSet<double*, N> r{};
  if constexpr (N == 0) r = {f.partial_rows->data(), in.count};
  const std::uint32_t* part = t.partial.data() + in.first;
  const std::size_t n = N ? N : in.count;
  for (std::size_t i = 0; i < n; ++i) {
    double* row = f.row(part[i] >= t.scratch_base ? part[i] : t.junk_row);
    if constexpr (N == 0) f.partial_rows->data()[i] = row;
    else r.p[i] = row;
  }
  return r;
}

/// Arguments of a tile instruction, a Pack of lanes at a time.
template <std::size_t N>
struct PackArgs : Params {
  RowSet<const double*, N> rows;
  std::size_t l;
  std::size_t size() const { return rows.size(); }
  Pack operator[](std::size_t i) const { return load(rows[i] + l); }
};

/// Arguments of a tile instruction at one lane.
template <std::size_t N>
struct LaneArgs : Params {
  RowSet<const double*, N> rows;
  std::size_t l;
  std::size_t size() const { return rows.size(); }
  double operator[](std::size_t i) const { return rows[i][l]; }
};

/// Arguments of a node at a single point: rows of one double.
template <std::size_t N>
struct PointArgs {
  const double* U;
  const std::uint32_t* operand;  ///< the node's operand rows
  const Instr* in;
  std::size_t size() const { return N ? N : in->count; }
  double operator[](std::size_t i) const { return U[operand[i]]; }
  std::int64_t power() const { return in->power; }
  Cmp cmp() const { return in->cmp; }
};

/// Arguments gathered into Packs (a run of kV nodes at a point).
template <std::size_t N>
struct GatheredArgs : Params {
  const Pack* x;
  std::size_t size() const { return N; }
  Pack operator[](std::size_t i) const { return x[i]; }
};

/// Sign queries of a selection on double arguments.
template <class A>
struct DoubleSigns {
  const A& a;
  Sign sign(std::uint32_t i) const { return sign_of(a[i]); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const { return detail::sign_diff(a[i], a[j]); }
};

/// Partials of a tile instruction: position i goes to its row at lane l (a Pack, or one lane).
template <std::size_t N>
struct PackSink {
  RowSet<double*, N> rows;
  std::size_t l;
  Pack& operator[](std::size_t i) const { return *reinterpret_cast<Pack*>(rows[i] + l); }
};
template <std::size_t N>
struct LaneSink {
  RowSet<double*, N> rows;
  std::size_t l;
  double& operator[](std::size_t i) const { return rows[i][l]; }
};
/// Partials of a node at a point: to its partial rows (the junk row for those it need not store).
struct PointSink {
  double* U;
  const std::uint32_t* partial;
  std::uint32_t scratch_base, junk;
  double& operator[](std::size_t i) const { return U[partial[i] >= scratch_base ? partial[i] : junk]; }
};
struct ArraySink {
  Pack* d;
  Pack& operator[](std::size_t i) const { return d[i]; }
};

// ---- domain conditions -------------------------------------------------------------------------

/// Whether every lane satisfies the rule's domain condition (D1), which no IEEE flag reports in
/// every case (sqrt at 0 is 0).
/// D1 on one double, without branches: x > 0 (Positive), or x > 0 or x < 0 (NonZero). NaN
/// satisfies neither, as sign_of(NaN) = Zero does not.
inline bool satisfies(DomainRule::Need need, double x) {
  return (x > 0.0) | ((need == DomainRule::Need::NonZero) & (x < 0.0));
}

/// D1 on every lane of a Pack (the same conditions, one comparison mask).
inline bool satisfies(DomainRule::Need need, Pack v) {
  const Pack zero{};
  auto inside = v > zero;
  if (need == DomainRule::Need::NonZero) inside |= v < zero;
  bool all = true;
  for (std::size_t i = 0; i < kV; ++i) all &= inside[i] != 0;  // unrolled, without branches
  return all;
}

/// Whether every lane of a row satisfies the rule's domain condition, a Pack at a time with one
/// mask kept across the row (n a multiple of kV): a lane loop over sign_of() does not vectorise
/// and costs a pass as slow as the op itself.
template <class R, class A, class Rows>
inline bool in_domain(const A& shape, const Rows& args, std::size_t n) {
  const auto c = R::domain(shape);
  if (!c) return true;
  const double* x = args[c->arg];
  const Pack zero{};
  using Mask = decltype(zero < zero);
  Mask inside = ~Mask{};
  if (c->need == DomainRule::Need::Positive) {
    for (std::size_t l = 0; l < n; l += kV) inside &= load(x + l) > zero;
  } else {
    for (std::size_t l = 0; l < n; l += kV) {
      const Pack v = load(x + l);
      inside &= (v > zero) | (v < zero);
    }
  }
  bool all = true;
  for (std::size_t i = 0; i < kV; ++i) all &= inside[i] != 0;
  return all;
}

// ---- a tile --------------------------------------------------------------------------------------

/// A smooth op over the W lanes of a tile, a Pack at a time.
template <class R, std::size_t N>
bool tile_smooth(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, std::size_t W, bool grad,
                 bool checked) {
  const auto args = arg_rows<N>(t, in, f);
  const Params ps{in.power, in.cmp};
  double* o = f.row(k);
  if (grad && in.computes) {
    const auto parts = partial_rows<N>(t, in, f);
    for (std::size_t l = 0; l < W; l += kV) {
      const PackArgs<N> a{ps, args, l};
      const Pack y = R::template value<Pack>(a, 0);
      store(o + l, y);
      PackSink<N> d{parts, l};
      R::template partials<Pack>(a, 0, y, d);
      engine_partials_mutant<R>(d);
    }
  } else {
    for (std::size_t l = 0; l < W; l += kV) store(o + l, R::template value<Pack>(PackArgs<N>{ps, args, l}, 0));
  }
  bool ok = in_domain<R>(ps, args, W);
  if (checked) ok &= all_finite(o, W);
  return ok;
}

/// A selection (not sort) over the W lanes of a tile, lane by lane.
template <class R, std::size_t N, bool Grad>
bool tile_selection(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, std::size_t W) {
  const auto args = arg_rows<N>(t, in, f);
  const auto parts = Grad ? partial_rows<N>(t, in, f) : RowSet<double*, N>{};
  const Params ps{in.power, in.cmp};
  double* o = f.row(k);
  std::uint64_t jumps = 0;
  // Lanes [begin, end), each decision handed to note(l, choice).
  const auto lanes = [&](std::size_t begin, std::size_t end, auto&& note) {
    for (std::size_t l = begin; l < end; ++l) {
      const LaneArgs<N> a{ps, args, l};
      const DoubleSigns<LaneArgs<N>> s{a};
      const Choice c = engine_choice<R>(R::decide(a, s));
      const double y = R::template value<double>(a, c.piece);
      o[l] = y;
      if constexpr (Grad) {
        LaneSink<N> d{parts, l};
        R::template partials<double>(a, c.piece, y, d);
      }
      note(l, c);
      if constexpr (requires { R::jump(s); })  // D3; mutant 23: never flagged
        jumps |= c.tie && R::jump(s) != Sign::Zero && !SELGRAD_MUTANT(23) ? 1u : 0u;
    }
  };
  if (f.piece) {
    // Every decision, for the per-lane branches: to local arrays first and to the frame a chunk at
    // a time. Stores through the frame's pointers may alias the rows, and would make the compiler
    // reload every operand after each one.
    constexpr std::size_t kChunk = 128;
    std::uint32_t chunk_piece[kChunk];
    std::uint8_t chunk_tie[kChunk];
    for (std::size_t base = 0; base < W; base += kChunk) {
      const std::size_t end = std::min(W, base + kChunk);
      lanes(base, end, [&](std::size_t l, Choice c) {
        chunk_piece[l - base] = c.piece;
        chunk_tie[l - base] = c.tie ? 1 : 0;
      });
      const std::size_t row = std::size_t{in.selection} * f.stride;
      if (SELGRAD_MUTANT(32)) {  // mutant 32: every lane's decision lands on lane 0
        f.piece[row] = chunk_piece[end - 1 - base];
        f.tie[row] = chunk_tie[end - 1 - base];
      } else {
        std::memcpy(f.piece + row + base, chunk_piece, (end - base) * sizeof(std::uint32_t));
        std::memcpy(f.tie + row + base, chunk_tie, end - base);
      }
    }
  } else if (f.tie_count) {  // tie telemetry alone: a count in a register
    std::uint64_t ties = 0;
    lanes(0, W, [&](std::size_t, Choice c) { ties += c.tie ? 1 : 0; });
    f.tie_count[in.selection] += ties;
  } else {
    lanes(0, W, [](std::size_t, Choice) {});
  }
  return jumps == 0;
}

/// A sort statement over the lanes of a tile: orders the group lane by lane (the rule's stable
/// order) and writes the values and pieces of every rank (nodes k .. k + count - 1). Its partials
/// are the rule's one-hot gradients, which the tape keeps as constant 1s at each rank's own
/// position: the sweeps route each rank by its piece (SortPermutation), so nothing to write.
inline bool tile_sort(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, std::size_t W, bool checked) {
  using R = rules::Sort;
  const auto args = arg_rows<0>(t, in, f);
  const std::uint32_t size = in.count;
  const Params ps{in.power, in.cmp};
  for (std::size_t l = 0; l < W; ++l) {
    const LaneArgs<0> a{ps, args, l};
    DoubleSigns<LaneArgs<0>> s{a};
    R::order(size, s, *f.order, *f.same, *f.merge);
    for (std::uint32_t r = 0; r < size; ++r) {
      const std::uint32_t piece = (*f.order)[r];
      f.row(k + r)[l] = R::value<double>(a, piece);
      record(f, t.code[k + r - t.p], l, {piece, R::rank_tied(*f.same, r)});
    }
  }
  bool ok = true;
  if (checked)
    for (std::uint32_t r = 0; r < size; ++r) ok &= all_finite(f.row(k + r), W);
  return ok;
}

/// Runs instruction `in` (node k) over the W lanes of a tile: its value, and with `grad` its
/// computed partials. Returns false if some lane may have left the domain: a domain condition
/// not met, a discontinuous select, or (with `checked`) a result that is not finite; without
/// `checked` the caller reads the IEEE flags for the rest (see BatchEvaluator).
using TileKernel = bool (*)(const Tape&, const Instr&, std::uint32_t, const Frame&, std::size_t, bool, bool);

template <class R, std::size_t N>
bool tile_kernel(const Tape& t, const Instr& in, std::uint32_t k, const Frame& f, std::size_t W, bool grad,
                 bool checked) {
  if constexpr (R::info.op == Op::Input) {
    return true;
  } else if constexpr (R::info.op == Op::Sort) {
    return tile_sort(t, in, k, f, W, checked);
  } else if constexpr (R::info.selection) {
    const bool ok = grad ? tile_selection<R, N, true>(t, in, k, f, W) : tile_selection<R, N, false>(t, in, k, f, W);
    return ok && (!checked || all_finite(f.row(k), W));
  } else {
    return tile_smooth<R, N>(t, in, k, f, W, grad, checked);
  }
}

inline bool tile_nothing(const Tape&, const Instr&, std::uint32_t, const Frame&, std::size_t, bool, bool) {
  return true;  // a later rank of a sort: its statement's first rank wrote it
}

// ---- one point: a run of one kernel --------------------------------------------------------------

constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;

/// A run of a cheap smooth op at a point: one loop over its nodes, the rule over double.
template <class R, std::size_t N>
bool run_smooth(const Tape& t, const Run& run, const Frame& f, bool grad) {
  double* U = f.U;
  std::uint64_t exponent = 0;  // the largest exponent field of the values written
  bool ok = true;
  // Two loops, so that the values-only pass carries no test of the partials per node.
  const auto node = [&](std::uint32_t i, auto with_partials) {
    const std::uint32_t k = t.schedule[i];
    const Instr& in = t.code[k - t.p];
    const PointArgs<N> a{U, t.operand.data() + in.first, &in};
    const double y = R::template value<double>(a, 0);
    U[k] = y;
    exponent = std::max(exponent, std::bit_cast<std::uint64_t>(y) & kExponent);
    if (with_partials && in.computes) {
      PointSink d{U, t.partial.data() + in.first, t.scratch_base, t.junk_row};
      R::template partials<double>(a, 0, y, d);
      engine_partials_mutant<R>(d);
    }
    if (const auto c = R::domain(a)) ok &= satisfies(c->need, a[c->arg]);
  };
  if (grad)
    for (std::uint32_t i = run.begin; i < run.end; ++i) node(i, std::true_type{});
  else
    for (std::uint32_t i = run.begin; i < run.end; ++i) node(i, std::false_type{});
  return ok && exponent != kExponent;
}

/// A run of exp, log, ... at a point: kV nodes at a time gathered into Packs (padded with 1.0,
/// inside every function's domain), so that each value is a lane of a batch, bit for bit.
template <class R, std::size_t N>
bool run_gathered(const Tape& t, const Run& run, const Frame& f, bool grad) {
  static_assert(N > 0, "gathered runs have a fixed operand count");
  double* U = f.U;
  std::uint64_t exponent = 0;
  bool ok = true;
  for (std::uint32_t b = run.begin; b < run.end; b += kV) {
    const std::size_t c = std::min<std::size_t>(kV, run.end - b);
    const Instr& first = t.code[t.schedule[b] - t.p];
    Pack x[N];
    for (std::size_t i = 0; i < N; ++i) x[i] = broadcast(1.0);
    for (std::size_t j = 0; j < c; ++j) {
      const std::uint32_t* operand = t.operand.data() + t.code[t.schedule[b + j] - t.p].first;
      for (std::size_t i = 0; i < N; ++i) x[i][j] = U[operand[i]];
    }
    const GatheredArgs<N> a{{first.power, first.cmp}, x};
    const Pack y = R::template value<Pack>(a, 0);
    if (const auto cond = R::domain(a)) ok &= satisfies(cond->need, x[cond->arg]);  // padding 1.0 is inside
    Pack d[N];
    ArraySink sink{d};
    const bool partials = grad && first.computes;
    if (partials) R::template partials<Pack>(a, 0, y, sink);
    for (std::size_t j = 0; j < c; ++j) {
      const std::uint32_t k = t.schedule[b + j];
      const Instr& in = t.code[k - t.p];
      U[k] = y[j];
      exponent = std::max(exponent, std::bit_cast<std::uint64_t>(y[j]) & kExponent);
      if (partials)
        for (std::size_t i = 0; i < N; ++i) {
          const std::uint32_t row = t.partial[in.first + i];
          U[row >= t.scratch_base ? row : t.junk_row] = d[i][SELGRAD_MUTANT(30) ? 0 : j];  // mutant 30
        }
    }
  }
  return ok && exponent != kExponent;
}

/// A run of a selection at a point (not sort): node by node, the rule over double. Selections
/// only move finite values, so nothing to test but D3.
template <class R, std::size_t N>
bool run_selection(const Tape& t, const Run& run, const Frame& f, bool grad) {
  double* U = f.U;
  bool ok = true;
  for (std::uint32_t i = run.begin; i < run.end; ++i) {
    const std::uint32_t k = t.schedule[i];
    const Instr& in = t.code[k - t.p];
    const PointArgs<N> a{U, t.operand.data() + in.first, &in};
    const DoubleSigns<PointArgs<N>> s{a};
    const Choice c = engine_choice<R>(R::decide(a, s));
    const double y = R::template value<double>(a, c.piece);
    U[k] = y;
    if (grad) {
      PointSink d{U, t.partial.data() + in.first, t.scratch_base, t.junk_row};
      R::template partials<double>(a, c.piece, y, d);
    }
    record(f, in, 0, c);
    if constexpr (requires { R::jump(s); })  // D3; mutant 23: never flagged
      ok &= !(c.tie && R::jump(s) != Sign::Zero && !SELGRAD_MUTANT(23));
  }
  return ok;
}

/// Runs one run of Tape::runs at one point (PointEvaluator). The nodes of a run share a kernel
/// and do not depend on each other. Returns false if some node may have left the domain.
using RunKernel = bool (*)(const Tape&, const Run&, const Frame&, bool);

template <class R, std::size_t N>
bool run_kernel(const Tape& t, const Run& run, const Frame& f, bool grad) {
  if constexpr (R::info.op == Op::Input) {
    return true;
  } else if constexpr (R::info.op == Op::Sort) {
    bool ok = true;
    for (std::uint32_t i = run.begin; i < run.end; ++i) {
      const std::uint32_t k = t.schedule[i];
      ok &= tile_sort(t, t.code[k - t.p], k, f, 1, true);
    }
    return ok;
  } else if constexpr (R::info.selection) {
    return run_selection<R, N>(t, run, f, grad);
  } else if constexpr (R::info.transcendental && N > 0) {
    return run_gathered<R, N>(t, run, f, grad);
  } else {
    return run_smooth<R, N>(t, run, f, grad);
  }
}

inline bool run_nothing(const Tape&, const Run&, const Frame&, bool) { return true; }

// ---- the kernel tables ---------------------------------------------------------------------------

/// Kernel of each Instr::kernel (op * kShapes + shape), for tiles and for runs at a point
/// (kernels.cpp).
extern const std::array<TileKernel, kOpCount * kShapes> kTileKernels;
extern const std::array<RunKernel, kOpCount * kShapes> kRunKernels;

}  // namespace selgrad::fast::detail
