// The gradient check from Python (reference/gradient_check.hpp): is a claimed Jacobian one of
// the tie closure's, in its convex hull, or outside it.
#include <optional>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "selgrad/reference/gradient_check.hpp"

namespace selgrad::python {

namespace {

using namespace selgrad::reference;

py::dict check(const Program& program, const py::object& point, const py::object& jacobian,
               const py::object& conventions, std::optional<std::size_t> max_combinations,
               const py::object& tolerance, const std::vector<std::string>& near_ties) {
  std::optional<Program> storage;
  const Program& p = with_profile(program, conventions, storage);
  Options o;
  if (max_combinations) {
    if (*max_combinations == 0) throw py::value_error("max_combinations must be at least 1");
    o.max_closure_combinations = *max_combinations;
  }
  const std::vector<Rational> x = to_point(point_literals(point));
  const Matrix<Rational> g = exact_matrix(jacobian, p.q(), p.p());
  std::optional<Matrix<Rational>> tol;
  if (!tolerance.is_none()) tol = exact_matrix(tolerance, p.q(), p.p());
  std::vector<std::uint32_t> near;
  for (const auto& name : near_ties) {
    const std::int64_t k = p.find(name);
    if (k < 0) throw py::value_error("near_ties: no node named '" + name + "'");
    near.push_back(static_cast<std::uint32_t>(k));
  }
  if (!near.empty() && !tol) tol = Matrix<Rational>(p.q(), std::vector<Rational>(p.p(), Rational(0)));
  GradientCheck c;
  {
    py::gil_scoped_release unlocked;
    c = tol ? check_gradient_within(p, x, g, *tol, o, near) : check_gradient(p, x, g, o);
  }
  py::dict out;
  out["verdict"] = std::string(verdict_name(c.verdict));
  out["reason"] = c.reason;
  out["bifurcation"] = c.bifurcation;
  out["tied"] = list_of(c.tied_nodes, [&](std::uint32_t k) { return py::str(p.nodes[k].name); });
  out["closure_size"] = c.closure_size;
  out["closure_complete"] = c.closure_complete;
  out["closure_index"] = c.verdict == GradientVerdict::Closure ? py::object(py::int_(c.closure_index))
                                                                : py::object(py::none());
  return out;
}

}  // namespace

void bind_check(py::module_& m) {
  m.def("check_gradient", &check, py::arg("program"), py::arg("point"), py::arg("jacobian"),
        py::arg("conventions") = py::none(), py::arg("max_combinations") = py::none(),
        py::arg("tolerance") = py::none(), py::arg("near_ties") = std::vector<std::string>{},
        "Classifies a claimed Jacobian at an exact point, as a dict (see selgrad.check_gradient).");
}

}  // namespace selgrad::python
