// Random programs (RapidCheck generators that shrink), built as selgrad::Program directly.
//
// A program is generated as a *recipe*: an input count, an output count and a list of
// statements, each a statement kind and a few small integers (operand choices, literal choices,
// a form). build_program turns any recipe into a valid program (validate() passes):
//  * an operand choice r picks one of the last three nodes or any earlier node (inputs
//    included), modulo the nodes so far, so removing or shrinking statements always leaves a
//    valid program, and shrinking r towards 0 moves operands onto the first input;
//  * the outputs are the last nodes, and nodes the outputs do not depend on are dropped (a sort
//    group is kept whole), so a shrunk counterexample prints as a short .sgp text.
// RapidCheck shrinks the statement list (dropping statements) and each integer towards 0
// (statement kind 0 is `add`), so a failing case shrinks to a small program.
//
// Op families (each a default op mix; a mix is a weight per statement kind):
//  * PiecewiseAffine: add, sub, neg, lin with 1 to 6 terms, mul by a literal, div by a literal,
//    relu, abs, max, min, sort, select, clamp.
//  * Rational: PiecewiseAffine plus products of two nodes, div, powi. The multiplicative depth
//    (a product counts 1, powi k counts ceil(log2 |k|), a quotient 1) is bounded by
//    ProgramShape::max_mul_depth: exact bit sizes grow exponentially with it. A statement that
//    would exceed it becomes an `add` of its operands.
//  * ExpLog: PiecewiseAffine plus exp, log, sqrt, softplus, sigmoid, tanh and depth-bounded
//    products and quotients.
//  * Full: every op of the table.
// Every op is used inside its domain by construction: div and negative powers divide by
// |b| + c, log and sqrt take |a| + c, with c a positive literal. Every select is continuous by
// construction (D3): `select CMP u v u v`, `select CMP u v v u`, `select CMP u v a a`, or
// `select CMP u v a b` with a = b + c (u - v) (a kink of slope c), or, when products are allowed,
// a = b + (u - v) w.
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <vector>

#include "selgrad/program/program.hpp"

namespace selgrad {
/// RapidCheck shows a generated program as its .sgp text (print_program).
void showValue(const Program& p, std::ostream& os);
}  // namespace selgrad

namespace selgrad::properties {

enum class Family : std::uint8_t { PiecewiseAffine, Rational, ExpLog, Full };
std::string_view family_name(Family f);

/// What a statement of a recipe computes (several kinds emit helper nodes, see program.hpp).
enum class StatementKind : std::uint8_t {
  Add, Sub, Neg, Lin, Scale, DivLit, Relu, Abs, Max, Min, Sort, Select, Clamp,  // piecewise affine
  Mul, Div, Powi,                                                 // rational
  Exp, Log, Sqrt, Softplus, Sigmoid, Tanh,                        // transcendental
  Count_
};
inline constexpr std::size_t kStatementKinds = static_cast<std::size_t>(StatementKind::Count_);

/// Relative weight of each statement kind (0 disables it).
using OpMix = std::array<std::uint8_t, kStatementKinds>;
OpMix default_mix(Family f);

struct ProgramShape {
  Family family = Family::PiecewiseAffine;
  OpMix mix = default_mix(Family::PiecewiseAffine);
  std::uint32_t min_inputs = 1, max_inputs = 3;    ///< p
  std::uint32_t min_outputs = 1, max_outputs = 1;  ///< q (at most the computed nodes)
  std::uint32_t max_statements = 32;  ///< at RapidCheck size 100; scales with the size
  std::uint32_t max_mul_depth = 3;
  /// Only dyadic literals (denominators 1, 2, 4): 1/3 becomes 1/4 and -3/4 stays, so that a
  /// program at a dyadic point is computed exactly in double wherever the values fit
  /// (properties/fast/). Off by default: the other families keep 1/3.
  bool dyadic_literals = false;

  static ProgramShape of(Family f, std::uint32_t max_inputs = 3, std::uint32_t max_outputs = 1);
};

/// One statement of a recipe: small integers that build_program interprets.
struct StatementRecipe {
  StatementKind kind = StatementKind::Add;
  std::array<std::uint32_t, 6> refs{};  ///< operand choices
  std::array<std::uint32_t, 7> lits{};  ///< literal choices
  std::uint32_t form = 0;               ///< arity / select form and comparison / power
};

struct ProgramRecipe {
  std::uint32_t inputs = 1;
  std::uint32_t outputs = 1;
  std::vector<StatementRecipe> statements;
};

/// The program a recipe describes (see the file comment); always valid.
Program build_program(const ProgramRecipe& recipe, const ProgramShape& shape);

/// A statement kind drawn from the mix; shrinks towards the first kind with nonzero weight.
rc::Gen<StatementKind> genOp(const OpMix& mix);
/// One statement ("node" of the recipe).
rc::Gen<StatementRecipe> genNode(const OpMix& mix);
rc::Gen<ProgramRecipe> genRecipe(const ProgramShape& shape);
/// A random program of the shape's family.
rc::Gen<Program> genProgram(const ProgramShape& shape);

/// Whether every op of `p` is piecewise affine (the family PiecewiseAffine, or any program
/// without products of two nodes, division by a node, powi and transcendental ops).
bool piecewise_affine(const Program& p);

}  // namespace selgrad::properties
