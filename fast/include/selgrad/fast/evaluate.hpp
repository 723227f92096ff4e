// The double engine: values, selection Jacobians and branch signatures of a compiled program.
//
//  * BatchEvaluator runs the tape over N points ("lanes") at once. Each tile of W lanes keeps
//    its rows structure-of-arrays (row r of lane l at r*W + l), so every instruction is a loop
//    over lanes that the compiler vectorises; exp/log/log1p/tanh use SLEEF's vector functions
//    (1.0-ulp variants). W is chosen so that a tile's working set stays in cache, and memory does
//    not grow with N beyond the inputs and results.
//  * PointEvaluator runs the same tape at one point: the fast path for large programs. It runs
//    the tape's runs (Tape::runs: one op at one dependency level, no dispatch inside a run) and
//    sweeps back over the edge lists without branches. Its results are those of a lane of a
//    batch, bit for bit: the same kernels, the same SLEEF functions, the same summation order.
//
// The Jacobian (q x p per point) comes from Algorithm 2 in reverse mode (one backward sweep per
// output, q sweeps) or in forward mode (one tangent sweep per input, p sweeps); by default the
// one with fewer sweeps (forward when p < q). Both give the same selection Jacobian (L1), up to
// rounding. Branch decisions follow the op table's tie rules
// (program/op_rules.hpp) on the double values, so on inputs where double arithmetic is exact
// they are the reference engine's decisions.
//
// Errors. The batch engine never throws for a bad point: a lane whose evaluation leaves the
// domain (division by zero, log or sqrt of a value <= 0, negative power of zero, a NaN or
// infinite input, a non-finite result, a discontinuous select) is flagged with the first node
// where it happened and the reason; the other lanes are unaffected. The point engine throws a
// selgrad::Error naming the node instead. The batch engine finds failing lanes through the IEEE
// flags (overflow, division by zero, invalid) of each tile; it leaves those flags as the caller
// had them, so a failure shows in the result only.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/jacobian_mode.hpp"

namespace selgrad::fast {

inline constexpr std::uint32_t kNoError = std::numeric_limits<std::uint32_t>::max();

/// How a batch of N points of p inputs is laid out in memory.
enum class Layout : std::uint8_t {
  PointMajor,  ///< point l is x[l*p .. l*p + p) (an array of points)
  InputMajor   ///< input i of all points is x[i*N .. i*N + N) (columns; no transposition needed)
};

/// How the Jacobian is accumulated (program/jacobian_mode.hpp): Auto takes forward mode when
/// p < q, reverse otherwise.
using selgrad::JacobianMode;

struct BatchOptions {
  bool gradient = true;         ///< compute the selection Jacobian (else values only)
  JacobianMode mode = JacobianMode::Auto;
  bool record_branches = true;  ///< per-lane piece and tie flag of every selection node
  /// Tie telemetry: per selection node, the number of lanes of the batch decided at a tie
  /// (BatchResult::tied_lanes), with or without the per-lane branches: one pass over the tile's
  /// tie flags. Measured at about 1-3% of a batch gradient (bench/RESULTS.md).
  bool count_ties = true;
  /// Threads the tiles of a batch run on (oneTBB): 0, every core the process may use; 1, the
  /// calling thread alone; more than the cores runs on the cores. Results are the same bits
  /// whatever the count (tiles are independent), per-lane errors included.
  std::size_t threads = 0;
  /// Working-set budget of one tile (rows x lanes x 8 bytes, values and adjoints); the lane count
  /// W is derived from it, a multiple of 8 between 8 and 1024. 0: half the core's L2 cache as the
  /// system reports it (256 KiB if it does not). Larger tiles spread the fixed cost of each
  /// instruction over more lanes; the tile must stay in L2.
  std::size_t tile_bytes = 0;
};

/// Results for N points, lane-major: output j of lane l is outputs[l*q + j]; the Jacobian entry
/// (j, i) of lane l is jacobian[(l*q + j)*p + i]; the piece of selection s (see
/// Tape::selection_node and the piece numbering of op_rules.hpp) is pieces[l*S + s].
struct BatchResult {
  std::size_t lanes = 0, q = 0, p = 0, selections = 0;
  std::vector<double> outputs;
  std::vector<double> jacobian;
  std::vector<std::uint32_t> pieces;
  std::vector<std::uint8_t> ties;          ///< 1 if the decision was taken at a tie
  /// Tie telemetry (BatchOptions::count_ties): tied_lanes[s] is the number of lanes without an
  /// error whose decision at selection s (node Tape::selection_node[s]) was taken at a tie.
  /// Empty when not counted.
  std::vector<std::uint64_t> tied_lanes;
  std::vector<std::uint32_t> error_node;   ///< first failing node of each lane, or kNoError
  std::vector<LaneError> error;            ///< why

  bool ok(std::size_t lane) const { return error_node[lane] == kNoError; }
  std::size_t failed_lanes() const;
};

class BatchEvaluator {
 public:
  explicit BatchEvaluator(Tape tape, BatchOptions options = {});
  ~BatchEvaluator();
  BatchEvaluator(BatchEvaluator&&) noexcept;
  BatchEvaluator& operator=(BatchEvaluator&&) noexcept;

  /// Evaluates n points laid out as `layout` says (results are always per point, see
  /// BatchResult).
  void evaluate(std::span<const double> x, std::size_t n, BatchResult& out,
                Layout layout = Layout::PointMajor);

  const Tape& tape() const;
  std::size_t tile_lanes() const;  ///< W
  std::size_t threads() const;     ///< BatchOptions::threads, 0 resolved
  /// Bytes of working memory held (tile buffers), independent of N.
  std::size_t workspace_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct PointResult {
  std::vector<double> outputs;   ///< q
  std::vector<double> jacobian;  ///< q x p, row-major
  std::vector<std::uint32_t> pieces;
  std::vector<std::uint8_t> ties;
};

class PointEvaluator {
 public:
  explicit PointEvaluator(Tape tape, JacobianMode mode = JacobianMode::Auto);

  /// Outputs only. Throws selgrad::Error (kind Domain) naming the first failing node. Every
  /// entry point throws Error (kind Usage) when a span's size is not the program's: x has p
  /// values, outputs q, gradient p.
  void values(std::span<const double> x, std::span<double> outputs);
  /// Value and gradient of output 0 (the usual case of a loss): returns the value.
  double value_and_gradient(std::span<const double> x, std::span<double> gradient);
  /// Outputs, full Jacobian (q backward or p tangent sweeps) and branch signature.
  void evaluate(std::span<const double> x, PointResult& out);

  const Tape& tape() const { return tape_; }

 private:
  void forward(const double* x, bool gradient);
  void reverse(std::size_t output, std::span<double> gradient);
  void check_gradient(const double* g, std::size_t n, std::size_t output) const;
  [[noreturn]] void fail(const double* x);
  Tape tape_;
  bool forward_mode_ = false;
  std::vector<double> row_;   ///< one value per row (values, constants, partials)
  std::vector<double> adj_;   ///< adjoint per row
  std::vector<std::uint32_t> piece_;
  std::vector<std::uint8_t> tie_;
  std::vector<std::uint32_t> order_;  ///< sort scratch
  std::vector<std::uint8_t> same_;     ///< sort scratch
  std::vector<std::uint32_t> merge_;   ///< sort scratch
  std::vector<const double*> arg_rows_;  ///< operand rows of a sort statement
  std::vector<double*> partial_rows_;
  std::vector<double> permute_;       ///< a sort group's rows during its permutation
};

/// Finds the first node (up to node `last`) at which a point's evaluation fails, given the rows
/// the forward pass left (`value(r)` returns row r). Returns {kNoError, None} if none does.
template <class Value>
std::pair<std::uint32_t, LaneError> first_failure(const Tape& t, Value&& value, std::uint32_t last);

}  // namespace selgrad::fast

#include "selgrad/fast/detail/first_failure.hpp"
