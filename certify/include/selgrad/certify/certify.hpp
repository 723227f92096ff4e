// Certification of the double engine against the exact reference, one point at a time.
//
// The double engine decides branches on rounded values. certify() takes a point and the double
// engine's result there (fast::PointResult), replays the point in the reference engine and says, for each selection node, whether the double decision is
// *certified*: the rounding error of the double computation cannot have changed it. The bound
// is rigorous: the point is re-run in MPFI at 53 bits with the double engine's own branches,
// every elementary function widened by `slack_ulps` ulps (SLEEF's functions are within 1 ulp;
// the default slack of 4 also covers the engine's composite formulas for softplus and
// sigmoid). Every double value of the engine lies in its 53-bit enclosure, so when the
// enclosures of the compared quantities decide the comparison, the exact comparison agrees
// with the double one. An undecided comparison is a *near tie*; certify() then reports whether
// the double decision agrees with the exact decision of the reference (MPFR with certified or
// exact decisions).
//
// The gradient is checked the same way: the 53-bit enclosure of the Jacobian (for the double
// engine's branches) must contain the double Jacobian — that is the engine's error bound —
// and a 256-bit enclosure gives the distance to the exact selection Jacobian of those branches
// (so error <= error_bound + exact_width). The model does not cover double underflow: a point
// whose values reach the subnormal range is reported with `underflow` set.
//
// The library selgrad::certify (this folder) sits above both engines: it reads a fast result
// and the reference's enclosures and decisions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "selgrad/fast/evaluate.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad {

struct DecisionCertificate {
  std::uint32_t node = 0;          ///< the selection node
  std::uint32_t fast_piece = 0;    ///< the double engine's piece
  bool fast_tie = false;
  bool certified = false;          ///< the rounding error cannot have changed the decision
  std::uint32_t exact_piece = 0;   ///< the reference's piece (exact or certified decisions)
  reference::Certainty exact_certainty = reference::Certainty::Exact;
  bool agrees = false;             ///< fast_piece == exact_piece
};

struct Certificate {
  std::vector<DecisionCertificate> decisions;
  std::size_t certified = 0;       ///< decisions certified
  std::size_t disagreements = 0;   ///< decisions where the double engine took another piece
  /// Gradient check, for the double engine's branches: every entry of the double Jacobian lies
  /// in its 53-bit enclosure (the engine's error bound holds).
  bool gradient_within_bound = false;
  double error_bound = 0;          ///< widest 53-bit enclosure of a Jacobian entry
  double error = 0;                ///< rigorous upper bound of max |J_double - J_exact|
  double exact_width = 0;          ///< widest 256-bit enclosure of an exact Jacobian entry
  /// Some value or Jacobian entry is certainly in double's subnormal range (its whole enclosure
  /// is nonzero-width and below 2^-1022 in magnitude). MPFR has no subnormals, so the 53-bit
  /// enclosures do not model the double engine's underflow there: gradient_within_bound and
  /// the certified flags are then not a proof, and this flag says so.
  bool underflow = false;
  std::vector<double> outputs;     ///< the double engine's, for reference
  std::vector<double> jacobian;    ///< q x p
  std::string message;             ///< why certification could not run (empty if it did)

  bool all_certified() const { return certified == decisions.size(); }
};

struct CertifyOptions {
  unsigned slack_ulps = 4;       ///< widening of every elementary function result, in ulps
  /// The Jacobian mode the result was computed in (fast/evaluate.hpp): the enclosure
  /// accumulates the Jacobian in the same order.
  fast::JacobianMode mode = fast::JacobianMode::Auto;
  mpfr_prec_t exact_precision = 256;
};

/// Certifies `result`, the double engine's evaluation of `program` at `point` in
/// `options.mode` (see the file comment). Throws selgrad::Error (Usage) when the result's shape
/// does not match the program.
Certificate certify(const Program& program, std::span<const double> point, const fast::PointResult& result,
                    const CertifyOptions& options = {});

/// Evaluates `point` in the double engine (fast::PointEvaluator, `options.mode`) and certifies
/// the result. A point the double engine cannot evaluate throws selgrad::Error naming the node,
/// as PointEvaluator does.
Certificate certify(const Program& program, std::span<const double> point, const CertifyOptions& options = {});

}  // namespace selgrad
