// The double engine's drivers (see evaluate.hpp): tiles of lanes for a batch, one lane for a
// point, both running the kernels of kernels.hpp and the sweeps below.
#include "selgrad/eigen.hpp"
#include "selgrad/fast/evaluate.hpp"

#include <algorithm>
#include <bit>
#include <cfenv>
#include <cstring>
#include <type_traits>

#include <unistd.h>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>


#include "kernels.hpp"
#include "tie_rules.hpp"
#include "selgrad/program/error.hpp"

namespace selgrad::fast {
namespace {

/// The IEEE flags raised when arithmetic leaves the finite range or the domain.
constexpr int kDomainFlags = FE_OVERFLOW | FE_DIVBYZERO | FE_INVALID;

// ---- one point: edge lists, without branches ------------------------------------------------

// Whether an edge assigns or accumulates is data, and a branch on it mispredicts about once per
// node on a large tape (the predictor learns a short tape's pattern, not a long one's). An
// assigning edge adds its term to -0.0 instead of the old value: -0.0 is the exact identity of
// IEEE addition (+0.0 would turn a term of -0.0 into +0.0), so the result is the term, bit for bit.
inline double old_or_identity(double old, std::uint32_t assign) {
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  const std::uint64_t keep = std::uint64_t{assign} - 1;  // all ones to accumulate, 0 to assign
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(old) & keep) | (kSign & ~keep));
}

/// A SortPermutation at one point: `piece` holds each selection's piece (rank r's position).
void point_permute(const SortPermutation& s, bool backward, const std::uint32_t* piece, double* X,
                   std::vector<double>& tmp) {
  tmp.resize(s.size);
  const std::uint32_t* order = piece + s.selection;
  if (backward) {
    for (std::uint32_t r = 0; r < s.size; ++r) tmp[r] = s.reached[r] ? X[s.lead + r] : 0.0;
    for (std::uint32_t r = 0; r < s.size; ++r) X[s.lead + order[r]] = tmp[r];
  } else {
    for (std::uint32_t r = 0; r < s.size; ++r) tmp[r] = X[s.lead + order[r]];
    for (std::uint32_t r = 0; r < s.size; ++r) X[s.lead + r] = tmp[r];
  }
}

/// Runs an edge list with its sort permutations (each before the edge it names).
void point_edges(const std::vector<ReverseStep>& edges, const std::vector<SortPermutation>& sorts, bool backward,
                 const double* U, double* X, const std::uint32_t* piece, std::vector<double>& tmp) {
  std::size_t e = 0;
  const auto run_to = [&](std::size_t end) {
    for (; e < end; ++e) {
      const ReverseStep& s = edges[e];
      // mutant 29: the backward sweep accumulates onto the adjoint of an earlier sweep
      const bool assign = s.assign && !(SELGRAD_MUTANT(29) && backward);
      X[s.dst] = old_or_identity(X[s.dst], assign) + X[s.src] * U[s.partial];
    }
  };
  for (const SortPermutation& s : sorts) {
    run_to(s.at);
    point_permute(s, backward, piece, X, tmp);
  }
  run_to(edges.size());
}

/// Algorithm 2's backward sweep for output j at one point: the seed adj[out] = 1, then the edge
/// list Tape::reverse[j] (math.md L1: the sweep never resets an adjoint once written).
void point_reverse_sweep(const Tape& t, std::size_t j, const double* U, double* A, const std::uint32_t* piece,
                         std::vector<double>& tmp) {
  A[t.outputs[j]] = 1.0;
  point_edges(t.reverse[j], t.reverse_sorts[j], true, U, A, piece, tmp);
}

/// Algorithm 2's forward mode for input i at one point: e_i on the inputs, 0 on the constant
/// nodes, then the edge list Tape::forward in node order.
void point_tangent_sweep(const Tape& t, std::size_t i, const double* U, double* T, const std::uint32_t* piece,
                         std::vector<double>& tmp) {
  for (std::uint32_t in = 0; in < t.p; ++in) T[in] = in == i ? 1.0 : 0.0;
  for (std::uint32_t k : t.constant_nodes) T[k] = 0.0;
  point_edges(t.forward, t.forward_sorts, false, U, T, piece, tmp);
}

// ---- a tile of W lanes: gathered sweeps -------------------------------------------------------

/// A sort permutation over the W lanes of a tile (see SortPermutation): the group's rows read
/// into `tmp` (size x W), then written back lane by lane in the lane's order.
void tile_permute(const GatheredSweep::Permutation& s, const std::uint32_t* piece, double* A, std::size_t W,
                  std::vector<double>& tmp) {
  tmp.resize(std::size_t{s.size} * W);
  for (std::uint32_t j = 0; j < s.size; ++j) {
    double* dst = tmp.data() + std::size_t{j} * W;
    if (s.src[j] == GatheredSweep::Permutation::kNoRow)
      std::fill_n(dst, W, 0.0);
    else
      std::copy_n(A + std::size_t{s.src[j]} * W, W, dst);
  }
  for (std::uint32_t r = 0; r < s.size; ++r) {
    const std::uint32_t* order = piece + std::size_t{s.selection + r} * W;  // rank r's position, per lane
    if (s.backward) {
      const double* src = tmp.data() + std::size_t{r} * W;
      for (std::size_t l = 0; l < W; ++l) A[std::size_t{s.lead + order[l]} * W + l] = src[l];
    } else {
      double* dst = A + std::size_t{s.lead + r} * W;
      for (std::size_t l = 0; l < W; ++l) dst[l] = tmp[std::size_t{order[l]} * W + l];
    }
  }
}

/// A GatheredSweep over the W lanes of a tile: each destination row is computed in passes of up
/// to three terms, out = ((t0 + t1) + t2) + ..., term = src * partial, and stored once per pass:
/// the edge list's assign-then-accumulate order, so the same bits as the point path. Sort
/// permutations run at their place, with `piece` the tile's pieces (selections x W).
void gathered_sweep(const GatheredSweep& g, const double* U, double* A, std::size_t W, const std::uint32_t* piece,
                    std::vector<double>& tmp) {
  const auto a_row = [&](std::uint32_t r) -> const double* { return A + std::size_t{r} * W; };
  const auto u_row = [&](std::uint32_t r) -> const double* { return U + std::size_t{r} * W; };
  std::size_t next_perm = 0;
  for (std::size_t d = 0; d < g.dst.size(); ++d) {
    for (; next_perm < g.permutations.size() && g.permutations[next_perm].at == d; ++next_perm)
      tile_permute(g.permutations[next_perm], piece, A, W, tmp);
    double* __restrict out = A + std::size_t{g.dst[d]} * W;
    const GatheredSweep::Term* t = g.term.data() + g.first[d];
    std::uint32_t left = g.first[d + 1] - g.first[d];
    bool assign = true;
    while (left > 0) {
      const std::uint32_t c = std::min<std::uint32_t>(left, 3);
      const double* __restrict a0 = a_row(t[0].src);
      const double* __restrict p0 = u_row(t[0].partial);
      if (c == 1) {
        if (assign)
          for (std::size_t l = 0; l < W; ++l) out[l] = a0[l] * p0[l];
        else
          for (std::size_t l = 0; l < W; ++l) out[l] = out[l] + a0[l] * p0[l];
      } else {
        const double* __restrict a1 = a_row(t[1].src);
        const double* __restrict p1 = u_row(t[1].partial);
        if (c == 2) {
          if (assign)
            for (std::size_t l = 0; l < W; ++l) out[l] = a0[l] * p0[l] + a1[l] * p1[l];
          else
            for (std::size_t l = 0; l < W; ++l) out[l] = (out[l] + a0[l] * p0[l]) + a1[l] * p1[l];
        } else {
          const double* __restrict a2 = a_row(t[2].src);
          const double* __restrict p2 = u_row(t[2].partial);
          if (assign)
            for (std::size_t l = 0; l < W; ++l) out[l] = (a0[l] * p0[l] + a1[l] * p1[l]) + a2[l] * p2[l];
          else
            if (SELGRAD_MUTANT(33))  // mutant 33: the third term of a later pass is dropped
              for (std::size_t l = 0; l < W; ++l) out[l] = (out[l] + a0[l] * p0[l]) + a1[l] * p1[l];
            else
              for (std::size_t l = 0; l < W; ++l)
                out[l] = ((out[l] + a0[l] * p0[l]) + a1[l] * p1[l]) + a2[l] * p2[l];
        }
      }
      t += c;
      left -= c;
      assign = false;
    }
  }
  for (; next_perm < g.permutations.size(); ++next_perm) tile_permute(g.permutations[next_perm], piece, A, W, tmp);
}

/// BatchOptions::tile_bytes, with 0 resolved to half the L2 cache.
std::size_t tile_budget(std::size_t requested) {
  if (requested != 0) return requested;
  const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return l2 > 0 ? static_cast<std::size_t>(l2) / 2 : std::size_t{256} * 1024;
}

bool use_forward(const Tape& t, JacobianMode mode) { return uses_forward_sweeps(mode, t.p, t.q()); }

}  // namespace

std::size_t BatchResult::failed_lanes() const {
  return static_cast<std::size_t>(std::count_if(error_node.begin(), error_node.end(),
                                                [](std::uint32_t e) { return e != kNoError; }));
}

// ---- batch ----------------------------------------------------------------------------------

namespace {

/// What every thread of a BatchEvaluator shares: the tape, the options, the tile width and the
/// gathered sweeps. Read only while batches run.
struct BatchShared {
  Tape t;
  BatchOptions o;
  std::size_t W = 8;
  std::vector<GatheredSweep> reverse_gathered;  // per output, in reverse mode
  GatheredSweep forward_gathered;              // in forward mode

  BatchShared(Tape tape, BatchOptions opt) : t(std::move(tape)), o(opt) {
    const std::size_t per_lane = (t.rows + t.m + t.constants) * sizeof(double) + t.selections() * 5 + 16;
    W = std::clamp<std::size_t>((tile_budget(o.tile_bytes) / per_lane) / 8 * 8, 8, 1024);
    if (o.gradient && use_forward(t, o.mode))
      forward_gathered = gather_sweep(t, false);
    else if (o.gradient)
      for (std::size_t j = 0; j < t.q(); ++j) reverse_gathered.push_back(gather_sweep(t, true, j));
  }
};

/// One thread's working set: the rows of a tile and the scratch of its kernels, and the tiles
/// it runs (tile()). Tiles are independent, and a tile's results do not depend on the worker
/// that runs it: any number of threads computes the same bits.
struct TileWorker {
  const Tape& t;
  const BatchOptions& o;
  const std::size_t W;
  const std::vector<GatheredSweep>& reverse_gathered;
  const GatheredSweep& forward_gathered;
  // Rows of W doubles (W a multiple of 8) on 64-byte boundaries: every vector load and store of
  // a row is one cache line, where a misaligned one spans two.
  using Rows = std::vector<double, Eigen::aligned_allocator<double>>;
  Rows U;  // rows x W
  Rows A;  // (m + constants) x W adjoints
  std::vector<std::uint32_t> piece;
  std::vector<std::uint8_t> tie;
  std::vector<std::uint32_t> order_scratch;
  std::vector<std::uint8_t> same_scratch;
  std::vector<std::uint32_t> merge_scratch;
  std::vector<const double*> arg_rows;
  std::vector<double*> partial_rows;
  std::vector<double> permute_scratch;  // a sort group's rows during its permutation
  std::vector<std::uint8_t> flagged;  // per lane of the tile
  std::vector<std::uint64_t> tie_count;  // per selection: tie telemetry of a tile without flags
  std::vector<std::uint64_t> tied;       // per selection: tie telemetry of this worker's tiles
  std::vector<const double*> columns;  // per input: the row holding its Jacobian entries

  explicit TileWorker(const BatchShared& sh)
      : t(sh.t), o(sh.o), W(sh.W), reverse_gathered(sh.reverse_gathered), forward_gathered(sh.forward_gathered) {
    U.assign(std::size_t{t.rows} * W, 0.0);
    for (std::uint32_t c = 0; c < t.constants; ++c)
      std::fill_n(U.begin() + static_cast<std::ptrdiff_t>((t.m + c) * W), W, t.constant_value[c]);
    if (o.gradient) A.assign((std::size_t{t.m} + t.constants) * W, 0.0);
    piece.assign(t.selections() * W, 0);
    tie.assign(t.selections() * W, 0);
    tie_count.assign(t.selections(), 0);
    tied.assign(t.selections(), 0);
    std::size_t widest = 1;
    for (const Instr& in : t.code) widest = std::max<std::size_t>(widest, in.count);
    arg_rows.resize(widest);
    partial_rows.resize(widest);
    flagged.assign(W, 0);
    columns.assign(t.p, nullptr);
  }

  std::size_t bytes() const {
    return (U.size() + A.size()) * sizeof(double) + piece.size() * 4 + tie.size() + flagged.size();
  }

  /// Adds the tile's tied lanes to `tied`: a lane's tie flags count only if the lane has no error
  /// (a failed lane's later decisions are not meaningful).
  void count_ties(std::size_t base, std::size_t nl, BatchResult& r) {
    const std::size_t S = t.selections();
    bool all_ok = true;
    for (std::size_t l = 0; l < nl; ++l) all_ok &= r.error_node[base + l] == kNoError;
    for (std::size_t s = 0; s < S; ++s) {
      const std::uint8_t* flags = tie.data() + s * W;
      std::uint64_t count = 0;
      if (all_ok) {
        for (std::size_t l = 0; l < nl; ++l) count += flags[l];
      } else {
        for (std::size_t l = 0; l < nl; ++l) count += flags[l] && r.error_node[base + l] == kNoError;
      }
      tied[s] += count;
    }
  }

  void tile(const double* x, std::size_t n, Layout layout, std::size_t base, std::size_t nl, BatchResult& r) {
    const std::size_t p = t.p, q = t.q(), S = t.selections();
    // Load the inputs, structure of arrays; pad the tile with copies of its first point so that
    // padding lanes never fail on their own.
    for (std::size_t i = 0; i < p; ++i) {
      double* row = U.data() + i * W;
      if (layout == Layout::InputMajor) {
        std::memcpy(row, x + i * n + (SELGRAD_MUTANT(31) ? 0 : base), nl * sizeof(double));  // mutant 31
      } else {
        const double* xi = x + (SELGRAD_MUTANT(31) ? 0 : base) * p + i;  // mutant 31: every tile reads the first
        for (std::size_t l = 0; l < nl; ++l) row[l] = xi[l * p];
      }
      for (std::size_t l = nl; l < W; ++l) row[l] = row[0];
    }
    std::fill(flagged.begin(), flagged.end(), 0);
    // Pieces are recorded when asked for, and when a sort's permutation needs them. Tie telemetry
    // alone counts the ties of a full tile in the kernels (no per-lane flags); a partial tile, whose
    // padding lanes must not count, records the flags.
    const bool pieces = o.record_branches || (o.gradient && t.max_sort_size > 0) || (o.count_ties && nl < W);
    const bool counting = o.count_ties && !pieces;
    if (counting) std::fill(tie_count.begin(), tie_count.end(), 0);
    detail::Frame f{U.data(),       W,
                    pieces ? piece.data() : nullptr, pieces ? tie.data() : nullptr,
                    &order_scratch, &same_scratch, &merge_scratch, &arg_rows, &partial_rows,
                    counting ? tie_count.data() : nullptr};
    // The fast pass tests no arithmetic result: a lane that leaves the domain raises an IEEE flag
    // (overflow, division by zero, invalid), read once per tile. Only then, or when an input is
    // not finite or a kernel reports a domain condition, is the tile run again with every result
    // tested, to find each failing lane's first node. Both passes compute the same values.
    bool ok = detail::all_finite(U.data(), p * W);
    if (ok) {
      std::feclearexcept(kDomainFlags);
      for (std::uint32_t k = t.p; k < t.m; ++k) {
        const Instr& in = t.code[k - t.p];
        ok &= detail::kTileKernels[in.kernel](t, in, k, f, W, o.gradient, false);
      }
      ok &= std::fetestexcept(kDomainFlags) == 0;
    }
    bool flags = pieces;  // whether the tile's per-lane tie flags are recorded
    if (!ok) {
      // The checked pass records the flags (the failing lanes' ties must not count).
      detail::Frame g = f;
      g.piece = piece.data();
      g.tie = tie.data();
      g.tie_count = nullptr;
      flags = true;
      if (!detail::all_finite(U.data(), p * W)) explain(base, nl, static_cast<std::uint32_t>(p - 1), r);
      for (std::uint32_t k = t.p; k < t.m; ++k) {
        const Instr& in = t.code[k - t.p];
        if (!detail::kTileKernels[in.kernel](t, in, k, g, W, o.gradient, true)) explain(base, nl, k, r);
      }
    }
    if (!t.ruled_nodes.empty()) detail::apply_tie_rules(t, U.data(), W, nl, pieces ? piece.data() : nullptr);
    for (std::size_t l = 0; l < nl; ++l)
      for (std::size_t j = 0; j < q; ++j) r.outputs[(base + l) * q + j] = U[std::size_t{t.outputs[j]} * W + l];
    if (o.record_branches)
      for (std::size_t s = 0; s < S; ++s)
        for (std::size_t l = 0; l < nl; ++l) {
          r.pieces[(base + l) * S + s] = piece[s * W + l];
          r.ties[(base + l) * S + s] = tie[s * W + l];
        }
    if (o.count_ties && flags) {
      count_ties(base, nl, r);
    } else if (o.count_ties) {
      for (std::size_t s = 0; s < S; ++s) tied[s] += tie_count[s];
    }
    if (!o.gradient) return;
    double* jac = r.jacobian.data();
    // A non-finite Jacobian entry from finite values: an overflow in a partial.
    const auto flag_overflow = [&](const double* row, std::size_t j) {
      if (detail::all_finite(row, nl)) return;
      for (std::size_t l = 0; l < nl; ++l)
        if (!std::isfinite(row[l]) && r.error_node[base + l] == kNoError) {
          r.error_node[base + l] = t.outputs[j];
          r.error[base + l] = LaneError::GradientOverflow;
        }
    };
    if (use_forward(t, o.mode)) {
      for (std::size_t i = 0; i < p; ++i) {
        for (std::uint32_t in = 0; in < t.p; ++in) std::fill_n(A.data() + in * W, W, in == i ? 1.0 : 0.0);
        for (std::uint32_t k : t.constant_nodes) std::fill_n(A.data() + std::size_t{k} * W, W, 0.0);
        gathered_sweep(forward_gathered, U.data(), A.data(), W, piece.data(), permute_scratch);
        for (std::size_t j = 0; j < q; ++j) {
          const double* row = A.data() + std::size_t{forward_gathered.result_row[j]} * W;
          for (std::size_t l = 0; l < nl; ++l) jac[((base + l) * q + j) * p + i] = row[l];
          flag_overflow(row, j);
        }
      }
      return;
    }
    for (std::size_t j = 0; j < q; ++j) {
      std::fill_n(A.data() + std::size_t{t.outputs[j]} * W, W, 1.0);  // the seed
      gathered_sweep(reverse_gathered[j], U.data(), A.data(), W, piece.data(), permute_scratch);
      // Row j of each lane's Jacobian: the input adjoints, or the zero row for an input output j
      // does not depend on; written lane by lane, so the stores are sequential.
      std::fill(columns.begin(), columns.end(), U.data() + std::size_t{t.zero_row()} * W);
      for (std::uint32_t i : t.reached_inputs[j]) {
        columns[i] = A.data() + std::size_t{reverse_gathered[j].result_row[i]} * W;
        flag_overflow(columns[i], j);
      }
      detail::store_transposed(columns.data(), p, nl, jac + (base * q + j) * p, q * p);
    }
  }

  /// Slow path: some lane may have failed at node k. Record the first failure of every lane not
  /// yet flagged, and zero the failed lanes' value of node k so the failure does not cascade.
  void explain(std::size_t base, std::size_t nl, std::uint32_t k, BatchResult& r) {
    for (std::size_t l = 0; l < W; ++l) {
      auto [node, why] = first_failure(t, [&](std::uint32_t row) { return U[std::size_t{row} * W + l]; }, k);
      if (node == kNoError) continue;
      if (!flagged[l] && l < nl) {
        const std::size_t at = base + (SELGRAD_MUTANT(35) ? 0 : l);  // mutant 35: on the tile's first lane
        r.error_node[at] = node;
        r.error[at] = why;
      }
      flagged[l] = 1;
      if (node < t.p) U[std::size_t{node} * W + l] = 0.0;  // a bad input: neutralise it
      U[std::size_t{k} * W + l] = 0.0;
    }
  }
};

/// The threads of BatchOptions::threads.
std::size_t thread_count(std::size_t requested) {
  return requested != 0 ? requested : static_cast<std::size_t>(std::max(1, tbb::info::default_concurrency()));
}

}  // namespace

struct BatchEvaluator::Impl {
  BatchShared sh;
  std::size_t threads;
  /// Worker 0 runs on the calling thread when one thread is enough; the others are made by the
  /// first batch of more than one tile, one per thread of the arena, and kept.
  std::vector<std::unique_ptr<TileWorker>> workers;
  std::unique_ptr<tbb::task_arena> arena;

  Impl(Tape tape, BatchOptions opt) : sh(std::move(tape), opt), threads(thread_count(opt.threads)) {
    workers.push_back(std::make_unique<TileWorker>(sh));
  }
};

BatchEvaluator::BatchEvaluator(Tape tape, BatchOptions options)
    : impl_(std::make_unique<Impl>(std::move(tape), options)) {}
BatchEvaluator::~BatchEvaluator() = default;
BatchEvaluator::BatchEvaluator(BatchEvaluator&&) noexcept = default;
BatchEvaluator& BatchEvaluator::operator=(BatchEvaluator&&) noexcept = default;

const Tape& BatchEvaluator::tape() const { return impl_->sh.t; }
std::size_t BatchEvaluator::tile_lanes() const { return impl_->sh.W; }
std::size_t BatchEvaluator::threads() const { return impl_->threads; }
std::size_t BatchEvaluator::workspace_bytes() const {
  std::size_t bytes = 0;
  for (const auto& w : impl_->workers) bytes += w->bytes();
  return bytes;
}

void BatchEvaluator::evaluate(std::span<const double> x, std::size_t n, BatchResult& r, Layout layout) {
  Impl& im = *impl_;
  const Tape& t = im.sh.t;
  const BatchOptions& o = im.sh.o;
  const std::size_t W = im.sh.W;
  if (x.size() < n * t.p)
    throw Error(ErrorKind::Usage, {},
                "BatchEvaluator: " + std::to_string(n) + " points of " + std::to_string(t.p) +
                    " inputs need " + std::to_string(n * t.p) + " values, got " + std::to_string(x.size()));
  r.lanes = n;
  r.q = t.q();
  r.p = t.p;
  r.selections = o.record_branches ? t.selections() : 0;
  // Every entry is written below: resize without clearing.
  r.outputs.resize(n * r.q);
  r.jacobian.resize(o.gradient ? n * r.q * r.p : 0);
  r.pieces.resize(n * r.selections);
  r.ties.resize(n * r.selections);
  r.tied_lanes.assign(o.count_ties ? t.selections() : 0, 0);
  r.error_node.assign(n, kNoError);
  r.error.assign(n, LaneError::None);
  // The tiles read and clear the IEEE flags; the caller's flags are restored afterwards.
  std::fexcept_t caller_flags;
  std::fegetexceptflag(&caller_flags, kDomainFlags);
  const std::size_t tiles = (n + W - 1) / W;
  const auto run = [&](TileWorker& w, std::size_t tile) {
    const std::size_t base = tile * W;
    w.tile(x.data(), n, layout, base, std::min(W, n - base), r);
  };
  for (auto& w : im.workers) std::fill(w->tied.begin(), w->tied.end(), 0);
  if (im.threads <= 1 || tiles <= 1 || tbb::info::default_concurrency() <= 1) {
    for (std::size_t i = 0; i < tiles; ++i) run(*im.workers[0], i);
  } else {
    // Tiles on the arena's threads, each with its own worker (the thread's index in the arena).
    // A tile writes only its own lanes of r; the tie counts are summed below.
    // More threads than cores would only wait for them (and oneTBB warns): the arena is capped.
    const int cores = std::max(1, tbb::info::default_concurrency());
    const auto arena_threads = static_cast<std::size_t>(std::min<std::size_t>(im.threads, static_cast<std::size_t>(cores)));
    if (!im.arena) im.arena = std::make_unique<tbb::task_arena>(static_cast<int>(arena_threads));
    while (im.workers.size() < arena_threads) im.workers.push_back(std::make_unique<TileWorker>(im.sh));
    im.arena->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tiles, 1), [&](const tbb::blocked_range<std::size_t>& range) {
        TileWorker& w = *im.workers[static_cast<std::size_t>(tbb::this_task_arena::current_thread_index())];
        for (std::size_t i = range.begin(); i != range.end(); ++i) run(w, i);
      });
    });
  }
  for (const auto& w : im.workers)
    for (std::size_t s = 0; s < r.tied_lanes.size(); ++s) r.tied_lanes[s] += w->tied[s];
  std::fesetexceptflag(&caller_flags, kDomainFlags);
}

// ---- single point ---------------------------------------------------------------------------

PointEvaluator::PointEvaluator(Tape tape, JacobianMode mode)
    : tape_(std::move(tape)), forward_mode_(use_forward(tape_, mode)) {
  row_.assign(tape_.rows, 0.0);
  std::copy(tape_.constant_value.begin(), tape_.constant_value.end(), row_.begin() + tape_.m);
  adj_.assign(std::size_t{tape_.m} + tape_.constants, 0.0);
  piece_.assign(tape_.selections(), 0);
  tie_.assign(tape_.selections(), 0);
  std::size_t widest = 1;
  for (const Instr& in : tape_.code) widest = std::max<std::size_t>(widest, in.count);
  arg_rows_.resize(widest);
  partial_rows_.resize(widest);
}

void PointEvaluator::forward(const double* x, bool gradient) {
  const Tape& t = tape_;
  std::copy(x, x + t.p, row_.begin());
  detail::Frame f{row_.data(), 1, piece_.data(), tie_.data(), &order_, &same_, &merge_, &arg_rows_, &partial_rows_};
  bool ok = detail::all_finite(x, t.p);
  for (const Run& run : t.runs) ok &= detail::kRunKernels[run.kernel](t, run, f, gradient);
  if (!ok) fail(x);
  if (!t.ruled_nodes.empty()) detail::apply_tie_rules(t, row_.data(), 1, 1, piece_.data());
}

void PointEvaluator::fail(const double*) {
  const Tape& t = tape_;
  const auto [node, why] = first_failure(t, [&](std::uint32_t r) { return row_[r]; }, t.m - 1);
  std::string reason = lane_error_text(why);
  if (node >= t.p && (why == LaneError::Domain || why == domain_lane_error(t.op[node]))) {
    // The rule's wording, with the offending value.
    const Instr& in = t.code[node - t.p];
    Node shape;
    shape.op = in.op;
    shape.power = in.power;
    shape.args.resize(in.count);
    if (const auto c = domain_condition(shape)) reason = domain_message(*c, detail::shortest(row_[t.operand[in.first + c->arg]]));
  }
  throw Error(ErrorKind::Domain, {t.line[node], 0, t.name[node], std::string(op_name(t.op[node]))}, reason);
}

namespace {

/// A span of the wrong size is a caller's error: Error(Usage) saying which and what it needs.
void check_span(const char* function, const char* what, std::size_t size, std::size_t needed,
                const char* of_what) {
  if (size != needed)
    throw Error(ErrorKind::Usage, {},
                std::string("PointEvaluator::") + function + ": " + what + " has " + std::to_string(size) +
                    " values, the program needs " + std::to_string(needed) + " (" + of_what + ")");
}

}  // namespace

void PointEvaluator::values(std::span<const double> x, std::span<double> outputs) {
  check_span("values", "the point", x.size(), tape_.p, "one per input");
  check_span("values", "the outputs span", outputs.size(), tape_.q(), "one per output");
  forward(x.data(), false);
  for (std::size_t j = 0; j < tape_.q(); ++j) outputs[j] = row_[tape_.outputs[j]];
}

void PointEvaluator::reverse(std::size_t j, std::span<double> gradient) {
  point_reverse_sweep(tape_, j, row_.data(), adj_.data(), piece_.data(), permute_);
  std::fill(gradient.begin(), gradient.begin() + tape_.p, 0.0);
  for (std::uint32_t i : tape_.reached_inputs[j]) gradient[i] = adj_[i];
}

double PointEvaluator::value_and_gradient(std::span<const double> x, std::span<double> gradient) {
  check_span("value_and_gradient", "the point", x.size(), tape_.p, "one per input");
  check_span("value_and_gradient", "the gradient span", gradient.size(), tape_.p, "one per input");
  forward(x.data(), true);
  reverse(0, gradient);
  check_gradient(gradient.data(), tape_.p, 0);
  return row_[tape_.outputs[0]];
}

void PointEvaluator::check_gradient(const double* g, std::size_t n, std::size_t output) const {
  if (detail::all_finite(g, n)) return;
  // Finite values, non-finite gradient: an overflow in the partials (as a batch lane reports it).
  const std::uint32_t node = tape_.outputs[output];
  throw Error(ErrorKind::Domain, {tape_.line[node], 0, tape_.name[node], std::string(op_name(tape_.op[node]))},
              lane_error_text(LaneError::GradientOverflow));
}

void PointEvaluator::evaluate(std::span<const double> x, PointResult& r) {
  check_span("evaluate", "the point", x.size(), tape_.p, "one per input");
  forward(x.data(), true);
  const Tape& t = tape_;
  r.outputs.resize(t.q());
  r.jacobian.assign(t.q() * t.p, 0.0);
  for (std::size_t j = 0; j < t.q(); ++j) r.outputs[j] = row_[t.outputs[j]];
  if (forward_mode_) {
    for (std::size_t i = 0; i < t.p; ++i) {
      point_tangent_sweep(t, i, row_.data(), adj_.data(), piece_.data(), permute_);
      for (std::size_t j = 0; j < t.q(); ++j) r.jacobian[j * t.p + i] = adj_[t.outputs[j]];
    }
  } else {
    for (std::size_t j = 0; j < t.q(); ++j) reverse(j, std::span<double>(r.jacobian).subspan(j * t.p, t.p));
  }
  for (std::size_t j = 0; j < t.q(); ++j) check_gradient(r.jacobian.data() + j * t.p, t.p, j);
  r.pieces = piece_;
  r.ties = tie_;
}

}  // namespace selgrad::fast
