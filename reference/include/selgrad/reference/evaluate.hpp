// The reference engine: Algorithm 1 (evaluation) and Algorithm 2 (forward and backward AD) of
// math.md, exactly.
//
//  * evaluate_exact: programs without exp/log run in exact rational arithmetic. Every branch
//    decision is exact; forward and backward mode return *equal* Jacobians (L1).
//  * evaluate_real: any program, in MPFR at a chosen precision. Every branch decision is
//    certified by an MPFI enclosure of the compared quantities; when an enclosure straddles 0
//    the decision falls back to exact rational arithmetic if the compared values are rational,
//    else the precision is doubled up to a cap, and a decision still undecided there takes the
//    tie rule's branch and is marked Uncertified. Nothing is rounded silently: the result
//    carries enclosures of every output and Jacobian entry.
//
// Both return the outputs, the selection Jacobian (D4, q x p, one row per output) and the branch
// signature: which piece every selection node took, whether at a tie, and how it was decided.
#pragma once

#include <cstdint>
#include <vector>

#include "selgrad/program/jacobian_mode.hpp"
#include "selgrad/program/op_rules.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference {

/// The Jacobian mode (program/jacobian_mode.hpp): Backward (= Reverse), Forward or Auto.
using Mode = JacobianMode;

/// How a branch decision was made.
enum class Certainty : std::uint8_t {
  Exact,       ///< by exact rational arithmetic
  Certified,   ///< by an interval enclosure that excludes 0
  Uncertified  ///< undecided at the maximum precision: the tie rule's branch was taken
};

struct Options {
  Mode mode = Mode::Backward;
  mpfr_prec_t precision = 256;      ///< starting MPFR/MPFI precision in bits (evaluate_real)
  mpfr_prec_t max_precision = 4096; ///< cap of the precision escalation
  /// Exact arithmetic: largest size (numerator + denominator bits) any value, local derivative or
  /// adjoint may reach. Bit sizes grow exponentially with multiplicative depth; the cap turns
  /// runaway growth into an Error naming the node instead of an exhausted machine.
  /// The cap is checked before each result is computed, on a bound from the operands' sizes
  /// (`selgrad --max-bits`).
  std::size_t max_operand_bits = std::size_t{1} << 20;
  /// Exact arithmetic: largest total size of the values one evaluation computes (node values,
  /// local derivatives, intermediate sums and products, adjoint or tangent updates), each counted
  /// by its bound before it is computed. It bounds the evaluation's memory (at most this many
  /// bits of values are alive) and its time (GMP's arithmetic is quasi-linear in the bits it
  /// produces) where the per-value cap alone does not: a million nodes of a million bits each
  /// (`selgrad --max-total-bits`). Default 2^33 bits (1 GiB).
  std::size_t max_total_bits = std::size_t{1} << 33;
  /// Tie closure: most branch combinations enumerated before giving up with an Error.
  std::size_t max_closure_combinations = std::size_t{1} << 16;
};

/// The decision of one selection node.
struct BranchDecision {
  std::uint32_t node = 0;  ///< node index in the program
  Choice choice;           ///< piece taken (see op_rules.hpp for the numbering) and tie flag
  Certainty certainty = Certainty::Exact;
  friend bool operator==(const BranchDecision&, const BranchDecision&) = default;
};

/// The branch signature: one decision per selection node, in node order.
struct BranchSignature {
  std::vector<BranchDecision> decisions;

  bool all_certified() const;    ///< no Uncertified decision
  std::size_t tie_count() const;  ///< decisions taken at a tie
  friend bool operator==(const BranchSignature&, const BranchSignature&) = default;
};

template <class T>
using Matrix = std::vector<std::vector<T>>;  ///< row-major, rows of equal length

struct ExactResult {
  std::vector<Rational> outputs;
  Matrix<Rational> jacobian;  ///< q x p selection Jacobian
  BranchSignature branches;
  std::vector<Rational> node_values;  ///< x_k for every node k (Algorithm 1), inputs first
};

struct RealResult {
  mpfr_prec_t precision = 0;  ///< precision (bits) of the final, decisive pass
  std::vector<Real> outputs;
  Matrix<Real> jacobian;  ///< q x p selection Jacobian, MPFR values at `precision`
  std::vector<Interval> output_enclosures;   ///< contain the exact outputs
  Matrix<Interval> jacobian_enclosures;      ///< contain the exact selection Jacobian for `branches`
  BranchSignature branches;
};

/// Exact rational evaluation and AD. Throws Error: Unsupported for a program with exp/log,
/// Usage for a point of the wrong dimension, Domain / Continuity naming the node, Resource
/// when an operand exceeds Options::max_operand_bits.
ExactResult evaluate_exact(const Program& program, const std::vector<Rational>& point,
                           const Options& options = {});

/// MPFR evaluation and AD with certified branch decisions (see the file comment). Throws Error:
/// Usage, Domain (also when a domain condition cannot be certified at max_precision or a value
/// overflows MPFR's exponent range), Continuity, naming the node.
RealResult evaluate_real(const Program& program, const std::vector<Rational>& point,
                         const Options& options = {});

/// Enclosures of one representation fixed in advance: every selection node takes the piece given
/// (`pieces`: one per selection node, in node order; for a sort node, the argument position its
/// rank takes). Computed in MPFI at `precision` bits; with `slack_ulps` > 0 every exp, log,
/// powi, softplus, sigmoid and tanh result is widened by that many ulps on each side, so that the
/// enclosure also contains a double computation whose elementary functions are accurate to
/// within that many ulps (see certify/certify.hpp). Throws Error (Domain) when a domain condition
/// cannot be certified for these pieces, (Usage) when a piece does not exist.
struct PieceEnclosure {
  std::vector<Interval> nodes;     ///< every node value
  std::vector<Interval> literals;  ///< every literal
  Matrix<Interval> jacobian;       ///< the selection Jacobian of the representation
};
PieceEnclosure enclose_with_pieces(const Program& program, const std::vector<Rational>& point,
                                   const std::vector<std::uint32_t>& pieces, mpfr_prec_t precision,
                                   unsigned slack_ulps = 0, Mode mode = Mode::Backward);

/// The exact point of a list of literals.
std::vector<Rational> to_point(const std::vector<Literal>& literals);

std::string_view certainty_name(Certainty c);
/// Human-readable piece, e.g. "0" / "a" for relu, "arg 2" for max, "b" for select.
std::string piece_name(const Program& program, const BranchDecision& d);

}  // namespace selgrad::reference
