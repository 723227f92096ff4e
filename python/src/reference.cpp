// The reference engine from Python: grad (exact rationals, or certified MPFR for exp/log) and the
// tie closure. Each returns a dict of plain Python values that selgrad/results.py turns into its
// result class. The evaluation itself runs without the GIL.
#include <cstdint>
#include <optional>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace selgrad::python {

namespace {

using namespace selgrad::reference;

const char* sweep_name(JacobianMode mode, const Program& p) {
  return uses_forward_sweeps(mode, p.p(), p.q()) ? "forward" : "backward";
}

/// The keys every grad result has: what ran, and the names of the Jacobian's rows and columns.
py::dict grad_header(const Program& p, const char* engine, const char* arithmetic, JacobianMode mode) {
  py::dict out;
  out["engine"] = engine;
  out["arithmetic"] = arithmetic;
  out["mode"] = sweep_name(mode, p);
  out["input_names"] = node_names(p, 0, p.p());
  out["output_names"] = output_names(p);
  return out;
}

py::dict grad_exact(const Program& p, const std::vector<Rational>& x, const Options& o) {
  ExactResult e;
  {
    py::gil_scoped_release unlocked;
    e = evaluate_exact(p, x, o);
  }
  py::dict out = grad_header(p, "reference", "exact", o.mode);
  out["outputs"] = list_of(e.outputs, fraction);
  out["jacobian"] = matrix_of(e.jacobian, fraction);
  out["branches"] = branch_records(p, e.branches, true);
  return out;
}

py::dict grad_real(const Program& p, const std::vector<Rational>& x, const Options& o) {
  RealResult e;
  {
    py::gil_scoped_release unlocked;
    e = evaluate_real(p, x, o);
  }
  py::dict out = grad_header(p, "reference", "mpfr", o.mode);
  out["outputs"] = list_of(e.outputs, nearest_float);
  out["jacobian"] = matrix_of(e.jacobian, nearest_float);
  out["branches"] = branch_records(p, e.branches, true);
  out["precision"] = e.precision;
  out["all_certified"] = e.branches.all_certified();
  out["output_enclosures"] = list_of(e.output_enclosures, float_enclosure);
  out["jacobian_enclosures"] = matrix_of(e.jacobian_enclosures, float_enclosure);
  return out;
}

py::dict grad(const Program& program, const py::object& point, const py::object& conventions,
              const py::object& mode) {
  std::optional<Program> storage;
  const Program& p = with_profile(program, conventions, storage);
  Options o;
  o.mode = mode_of(mode);
  const std::vector<Rational> x = to_point(point_literals(point));
  return p.transcendental() ? grad_real(p, x, o) : grad_exact(p, x, o);
}

py::dict closure(const Program& p, const py::object& point, std::optional<std::size_t> max_combinations) {
  Options o;
  if (max_combinations) {
    if (*max_combinations == 0) throw py::value_error("max_combinations must be at least 1");
    o.max_closure_combinations = *max_combinations;
  }
  ClosureRequest request;
  request.allow_incomplete = true;  // H1 decides the hull past the cap; `complete` says the list is partial
  const std::vector<Rational> x = to_point(point_literals(point));
  TieClosure c;
  {
    py::gil_scoped_release unlocked;
    c = tie_closure(p, x, o, request);
  }
  py::dict out;
  out["input_names"] = node_names(p, 0, p.p());
  out["output_names"] = output_names(p);
  out["outputs"] = list_of(c.at_point.outputs, fraction);
  out["jacobian"] = matrix_of(c.at_point.jacobian, fraction);
  out["branches"] = branch_records(p, c.at_point.branches, true);
  py::list jacobians(c.jacobians.size());
  for (std::size_t i = 0; i < c.jacobians.size(); ++i) jacobians[i] = matrix_of(c.jacobians[i], fraction);
  out["jacobians"] = jacobians;
  out["zero_in_hull"] = c.zero_in_hull ? py::object(py::bool_(*c.zero_in_hull)) : py::object(py::none());
  out["tied"] = list_of(c.tied_nodes, [&](std::uint32_t k) { return py::str(p.nodes[k].name); });
  out["complete"] = c.complete;
  out["combinations"] = c.combinations == SIZE_MAX ? py::object(py::none()) : py::object(py::int_(c.combinations));
  out["combinations_text"] = c.combinations_text;
  out["enumerated"] = c.enumerated;
  out["hull_method"] = std::string(hull_method_name(c.hull_method));
  out["nesting"] = c.nesting ? py::object(py::make_tuple(p.nodes[c.nesting->first].name, p.nodes[c.nesting->second].name))
                             : py::object(py::none());
  return out;
}

}  // namespace

void bind_reference(py::module_& m) {
  m.def("grad_reference", &grad, py::arg("program"), py::arg("point"), py::arg("conventions") = py::none(),
        py::arg("mode") = py::none(),
        "The reference engine at an exact point: a dict of outputs, Jacobian and branches (see selgrad.grad).");
  m.def("closure", &closure, py::arg("program"), py::arg("point"), py::arg("max_combinations") = py::none(),
        "The tie closure at an exact point, as a dict (see selgrad.closure).");
}

}  // namespace selgrad::python
