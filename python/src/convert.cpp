#include "convert.hpp"

#include <cmath>
#include <memory>

#include <gmp.h>

#include "selgrad/program/conventions.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad::python {

namespace {

/// The Python classes literal_of and fraction need, imported once when the module loads. Never
/// released, so that no destructor touches Python objects after the interpreter has finalized.
struct PythonTypes {
  py::object fraction, rational, real, decimal, numpy_bool;
};
const PythonTypes* g_types = nullptr;

const PythonTypes& python_types() { return *g_types; }

/// At most 64 characters of a text the caller gave, as the library's own messages quote tokens.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 64;
  return "'" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...'" : "'");
}

std::string type_name(py::handle value) { return py::str(py::type::handle_of(value).attr("__name__")); }

Literal literal_from_text(std::string_view text, const std::string& what) {
  std::string why;
  if (auto lit = parse_literal(text, &why)) return std::move(*lit);
  throw py::value_error(what + ": " + excerpt(text) + " is not a number literal (" + why + ")");
}

/// The decimal digits of a Python int of any size. Python refuses str() of ints past 4,300
/// digits (sys.set_int_max_str_digits), so the digits come from GMP, through the hexadecimal
/// form, which has no such limit; a value past the literal's digit cap is refused before that.
std::string decimal_digits(py::handle value, const std::string& what) {
  const auto bits = value.attr("bit_length")().cast<std::size_t>();
  if (bits > kMaxLiteralDigits * 10 / 3 + 4)  // d digits take at most 3.33 d bits: surely too long
    throw py::value_error(what + " has more than " + std::to_string(kMaxLiteralDigits) + " digits");
  const std::string hex = py::str(value.attr("__format__")("x"));
  mpz_t z;
  mpz_init(z);
  mpz_set_str(z, hex.c_str(), 16);
  std::unique_ptr<char, void (*)(void*)> digits(mpz_get_str(nullptr, 10, z), std::free);
  mpz_clear(z);
  return digits.get();
}

Literal literal_from_int(py::handle value, const std::string& what) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (!overflow) return Literal::from_int(v);
  return literal_from_text(decimal_digits(value, what), what);
}

Literal literal_from_float(double v, const std::string& what) {
  if (auto lit = Literal::from_double(v)) return std::move(*lit);
  throw py::value_error(what + " is " + std::string(py::str(py::float_(v))) + ": a point must be finite");
}

/// Python's int of a GMP integer.
py::object integer(mpz_srcptr z) {
  if (mpz_fits_slong_p(z)) return py::reinterpret_steal<py::object>(PyLong_FromLong(mpz_get_si(z)));
  std::unique_ptr<char, void (*)(void*)> digits(mpz_get_str(nullptr, 16, z), std::free);
  return py::reinterpret_steal<py::object>(PyLong_FromString(digits.get(), nullptr, 16));
}

/// operator.index(value): a Python int, or the TypeError of a value that is none.
py::object as_int(py::handle value) {
  PyObject* i = PyNumber_Index(value.ptr());
  if (!i) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(i);
}

bool is_row(py::handle value) {
  return PySequence_Check(value.ptr()) && !py::isinstance<py::str>(value) && !py::isinstance<py::bytes>(value);
}

}  // namespace

void import_python_types() {
  if (g_types) return;
  const py::module_ numbers = py::module_::import("numbers");
  g_types = new PythonTypes{py::module_::import("fractions").attr("Fraction"), numbers.attr("Rational"),
                            numbers.attr("Real"), py::module_::import("decimal").attr("Decimal"),
                            py::module_::import("numpy").attr("bool_")};
}

Literal literal_of(py::handle value, const std::string& what) {
  const PythonTypes& t = python_types();
  if (PyBool_Check(value.ptr()) || py::isinstance(value, t.numpy_bool))
    throw py::type_error(what + " is a bool, not a number");
  if (PyLong_Check(value.ptr())) return literal_from_int(value, what);
  if (PyFloat_Check(value.ptr())) return literal_from_float(PyFloat_AS_DOUBLE(value.ptr()), what);
  if (py::isinstance<py::str>(value)) return literal_from_text(std::string(py::str(value)), what);
  if (PyIndex_Check(value.ptr()))  // numpy's integers
    return literal_from_int(as_int(value), what);
  if (py::isinstance(value, t.decimal)) {
    if (!value.attr("is_finite")().cast<bool>())
      throw py::value_error(what + " is " + std::string(py::str(value)) + ": a point must be finite");
    return literal_from_text(std::string(py::str(value)), what);
  }
  if (py::isinstance(value, t.rational)) {  // fractions.Fraction and other exact rationals
    const py::object n = as_int(value.attr("numerator")), d = as_int(value.attr("denominator"));
    return literal_from_text(decimal_digits(n, what) + "/" + decimal_digits(d, what), what);
  }
  if (py::isinstance(value, t.real))  // numpy's float32 and other binary floats
    return literal_from_float(py::float_(py::reinterpret_borrow<py::object>(value)), what);
  throw py::type_error(what + " must be a number (int, float, fractions.Fraction, decimal.Decimal or str), got " +
                       type_name(value));
}

std::vector<Literal> point_literals(py::handle point) {
  if (py::isinstance<py::str>(point)) return parse_point(std::string(py::str(point)));
  if (!is_row(point))
    throw py::type_error("the point must be a sequence of numbers, one per input (for one input: [x]), got " +
                         type_name(point));
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(point);
  std::vector<Literal> out;
  out.reserve(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) out.push_back(literal_of(seq[i], "point[" + std::to_string(i) + "]"));
  return out;
}

Matrix<Rational> exact_matrix(py::handle matrix, std::size_t q, std::size_t p) {
  if (!is_row(matrix))
    throw py::type_error("the jacobian must be a sequence of rows of numbers, got " + type_name(matrix));
  const py::sequence rows = py::reinterpret_borrow<py::sequence>(matrix);
  const bool flat = q == 1 && rows.size() > 0 && !is_row(rows[0]);  // one output: [g1, ..., gp]
  const std::size_t row_count = flat ? 1 : rows.size();
  if (row_count != q)
    throw py::value_error("the jacobian has " + std::to_string(row_count) + " rows, the program has " +
                          std::to_string(q) + " outputs");
  Matrix<Rational> out(q);
  for (std::size_t r = 0; r < q; ++r) {
    const py::object row = flat ? py::reinterpret_borrow<py::object>(matrix) : py::object(rows[r]);
    if (!is_row(row)) throw py::type_error("jacobian row " + std::to_string(r) + " is not a sequence of numbers");
    const py::sequence entries = py::reinterpret_borrow<py::sequence>(row);
    if (entries.size() != p)
      throw py::value_error("jacobian row " + std::to_string(r) + " has " + std::to_string(entries.size()) +
                            " entries, the program has " + std::to_string(p) + " inputs");
    out[r].reserve(p);
    for (std::size_t c = 0; c < p; ++c)
      out[r].push_back(reference::to_rational(
          literal_of(entries[c], "jacobian[" + std::to_string(r) + "][" + std::to_string(c) + "]")));
  }
  return out;
}

JacobianMode mode_of(py::handle mode) {
  if (mode.is_none()) return JacobianMode::Auto;
  if (!py::isinstance<py::str>(mode)) throw py::type_error("mode must be None, 'backward' or 'forward', got " + type_name(mode));
  const std::string m = py::str(mode);
  if (m == "auto") return JacobianMode::Auto;
  if (m == "backward") return JacobianMode::Backward;
  if (m == "forward") return JacobianMode::Forward;
  throw py::value_error("mode must be None, 'backward' or 'forward', got " + excerpt(m));
}

const Program& with_profile(const Program& program, py::handle conventions, std::optional<Program>& storage) {
  if (conventions.is_none()) return program;
  if (!py::isinstance<py::str>(conventions))
    throw py::type_error("conventions must be None or a profile name, got " + type_name(conventions));
  const std::string name = py::str(conventions);
  const auto c = conventions_by_name(name);
  if (!c)
    throw py::value_error("unknown conventions " + excerpt(name) + ": the profiles are " +
                          std::string(conventions_names()));
  return storage.emplace(with_conventions(program, *c));
}

py::object fraction(const Rational& r) {
  const mpq_srcptr q = r.backend().data();
  return python_types().fraction(integer(mpq_numref(q)), integer(mpq_denref(q)));
}

py::float_ nearest_float(const Real& r) { return py::float_(mpfr_get_d(r.get(), MPFR_RNDN)); }

py::tuple float_enclosure(const Interval& x) {
  // The ends at the interval's own precision (a Real would take the working precision and round).
  mpfr_t lo, hi;
  mpfr_init2(lo, mpfi_get_prec(x.get()));
  mpfr_init2(hi, mpfi_get_prec(x.get()));
  mpfi_get_left(lo, x.get());
  mpfi_get_right(hi, x.get());
  py::tuple out = py::make_tuple(mpfr_get_d(lo, MPFR_RNDD), mpfr_get_d(hi, MPFR_RNDU));
  mpfr_clear(lo);
  mpfr_clear(hi);
  return out;
}

py::list node_names(const Program& p, std::size_t from, std::size_t to) {
  py::list out(to - from);
  for (std::size_t i = from; i < to; ++i) out[i - from] = py::str(p.nodes[i].name);
  return out;
}

py::list output_names(const Program& p) {
  py::list out(p.q());
  for (std::size_t j = 0; j < p.q(); ++j) out[j] = py::str(p.nodes[p.outputs[j]].name);
  return out;
}

py::tuple branch_record(const Program& p, const reference::BranchDecision& d, bool with_certainty) {
  const Node& n = p.nodes[d.node];
  return py::make_tuple(n.name, std::string(op_name(n.op)), n.line, reference::piece_name(p, d), d.choice.piece,
                        d.choice.tie,
                        with_certainty ? py::object(py::str(std::string(reference::certainty_name(d.certainty))))
                                       : py::object(py::none()));
}

py::list branch_records(const Program& p, const reference::BranchSignature& s, bool with_certainty) {
  return list_of(s.decisions, [&](const reference::BranchDecision& d) { return branch_record(p, d, with_certainty); });
}

}  // namespace selgrad::python
