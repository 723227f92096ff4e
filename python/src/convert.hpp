// Python values to and from selgrad's numbers, read and written exactly.
//
// A number from Python becomes an exact Literal (program/literal.hpp), the same value type the
// command line's `--at` produces, so both front ends read points one way: an int exactly, a float
// as the dyadic rational it is (Literal::from_double), a fractions.Fraction (any numbers.Rational)
// as its numerator over its denominator, a decimal.Decimal and a str as a .sgp literal ("1/3",
// "0.1" = 1/10). A non-finite value is a ValueError, anything else a TypeError. Exact results go
// back as fractions.Fraction, MPFR values as the nearest Python float.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pybind11/pybind11.h>

#include "selgrad/program/jacobian_mode.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::python {

namespace py = pybind11;
using reference::Interval;
using reference::Matrix;
using reference::Rational;
using reference::Real;

/// Imports the Python classes the conversions use (fractions, numbers, decimal). Called once,
/// when the module is loaded.
void import_python_types();

// ---- from Python ----------------------------------------------------------------------------

/// The exact value of one Python number; `what` names it in messages ("point[2]").
Literal literal_of(py::handle value, const std::string& what);

/// A point: a sequence of numbers as literal_of reads them, or a str in `--at` form ("1/2,-3").
std::vector<Literal> point_literals(py::handle point);

/// A q x p matrix: a sequence of q rows of p numbers, or, when q = 1, a flat sequence of p
/// numbers. Ragged rows and wrong sizes are a ValueError naming the row.
Matrix<Rational> exact_matrix(py::handle matrix, std::size_t q, std::size_t p);

/// None or "auto": JacobianMode::Auto; "backward" or "forward". Else a ValueError.
JacobianMode mode_of(py::handle mode);

/// The program under a conventions profile: `program` itself for None, else with_conventions of
/// the profile named (a ValueError listing the names otherwise). `storage` holds a new program.
const Program& with_profile(const Program& program, py::handle conventions, std::optional<Program>& storage);

// ---- to Python ------------------------------------------------------------------------------

/// fractions.Fraction of an exact rational.
py::object fraction(const Rational& r);
/// The nearest Python float (round to nearest; beyond double's range: an infinity).
py::float_ nearest_float(const Real& r);
/// (lower, upper) as Python floats rounded outward: still an enclosure of the same value.
py::tuple float_enclosure(const Interval& x);

template <class T, class F>
py::list list_of(const std::vector<T>& v, F convert) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = convert(v[i]);
  return out;
}

template <class T, class F>
py::list matrix_of(const Matrix<T>& m, F convert) {
  py::list out(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) out[i] = list_of(m[i], convert);
  return out;
}

/// Names of nodes [from, to), and of the outputs.
py::list node_names(const Program& p, std::size_t from, std::size_t to);
py::list output_names(const Program& p);

/// One branch decision as the Python layer's Branch record takes it: (node, op, line, piece name,
/// piece index, tie, certainty name or None).
py::tuple branch_record(const Program& p, const reference::BranchDecision& d, bool with_certainty);
py::list branch_records(const Program& p, const reference::BranchSignature& s, bool with_certainty);

}  // namespace selgrad::python
