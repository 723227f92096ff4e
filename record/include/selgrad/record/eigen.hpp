// Eigen support for selgrad::Var: Eigen::Matrix<Var, ...> and mixed double/Var expressions.
//
//   #include <selgrad/record/eigen.hpp>        // includes <Eigen/Core> and <selgrad/record.hpp>
//
// (selgrad::record itself does not depend on Eigen: a target including this header links
// Eigen3::Eigen, which find_package(selgrad) finds, or selgrad::fast, which brings it.)
//
//   selgrad::Recorder rec;
//   selgrad::VectorXvar x = selgrad::to_vector(rec.inputs(784));
//   Eigen::MatrixXd W = ...;  Eigen::VectorXd b = ...;
//   selgrad::VectorXvar h = (W.cast<selgrad::Var>() * x + b.cast<selgrad::Var>())
//                               .unaryExpr([](const selgrad::Var& v) { return relu(v); });
//   rec.outputs(h);
//
// A double converts to Var implicitly and exactly, so `cast<Var>()` of a double matrix gives a
// matrix of constants. Eigen's products evaluate through scalar multiply-adds (c += a * b, in an
// order that depends on the kernel and the sizes); each a * b with a constant a is an affine
// entry used once, and so is each partial sum, so the recorder's affine fusion (selgrad/
// record.hpp) makes every output entry of `W.cast<Var>() * x` one `lin` node with one term per
// column, whatever order the kernel used. (Terms over the same x_j merge; zero weights drop.)
// `W * x` with W a double matrix works too (ScalarBinaryOpTraits below) and records the same.
//
// NumTraits<Var>: Var is a real, signed, non-integer scalar that needs initialisation (its
// default value is the constant 0). epsilon(), highest() and lowest() are the double ones, as
// constants. Eigen algorithms that compare values (pivoting decompositions, isApprox, maxCoeff)
// do not compile with Var: a recorded value has no value while recording (see Comparison in
// selgrad/record.hpp); products, sums, cwise arithmetic, cwiseMax/cwiseMin (max/min nodes) and
// unaryExpr do.
#pragma once

#include "selgrad/eigen.hpp"  // Eigen, with GCC 12's false positives in its intrinsics silenced
#include <limits>
#include <span>

#include "selgrad/record.hpp"

namespace Eigen {

template <>
struct NumTraits<selgrad::Var> : GenericNumTraits<selgrad::Var> {
  using Real = selgrad::Var;
  using NonInteger = selgrad::Var;
  using Nested = selgrad::Var;
  using Literal = selgrad::Var;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 1,
    MulCost = 1
  };
  static Real epsilon() { return Real(std::numeric_limits<double>::epsilon()); }
  static Real dummy_precision() { return Real(NumTraits<double>::dummy_precision()); }
  static Real highest() { return Real(std::numeric_limits<double>::max()); }
  static Real lowest() { return Real(std::numeric_limits<double>::lowest()); }
  static int digits10() { return std::numeric_limits<double>::digits10; }
  static int digits() { return std::numeric_limits<double>::digits; }
  static int min_exponent() { return std::numeric_limits<double>::min_exponent; }
  static int max_exponent() { return std::numeric_limits<double>::max_exponent; }
  /// A Var is finite: these are an Error (Usage) when called.
  static Real infinity() { return Real(std::numeric_limits<double>::infinity()); }
  static Real quiet_NaN() { return Real(std::numeric_limits<double>::quiet_NaN()); }
};

/// double op Var and Var op double are Var: `W * x` with W a double matrix and x a Var vector.
template <class BinaryOp>
struct ScalarBinaryOpTraits<selgrad::Var, double, BinaryOp> {
  using ReturnType = selgrad::Var;
};
template <class BinaryOp>
struct ScalarBinaryOpTraits<double, selgrad::Var, BinaryOp> {
  using ReturnType = selgrad::Var;
};

}  // namespace Eigen

namespace selgrad {

using VectorXvar = Eigen::Matrix<Var, Eigen::Dynamic, 1>;
using MatrixXvar = Eigen::Matrix<Var, Eigen::Dynamic, Eigen::Dynamic>;

/// A column vector holding the given Vars (for instance a recorder's inputs).
inline VectorXvar to_vector(std::span<const Var> v) {
  VectorXvar out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = v[i];
  return out;
}

}  // namespace selgrad
