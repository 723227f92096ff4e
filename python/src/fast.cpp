// The double engine from Python: one point (PointEvaluator) and batches of points
// (BatchEvaluator) read from and written to numpy arrays.
//
// A batch's points are read where they are: a C-contiguous float64 array (N, p) is the engine's
// point-major layout, so it is passed without a copy (anything else is converted once by numpy).
// The results are not copied either: BatchResult's vectors are lane-major, which is the C order
// of (N, q), (N, q, p) and (N, S) arrays, so the numpy arrays are views of the vectors, and one
// capsule owning the BatchResult keeps them alive until the last array is gone.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "selgrad/fast/evaluate.hpp"

namespace selgrad::python {

namespace {

using Points = py::array_t<double, py::array::c_style | py::array::forcecast>;

const char* sweep_name(JacobianMode mode, const Program& p) {
  return uses_forward_sweeps(mode, p.p(), p.q()) ? "forward" : "backward";
}

py::dict grad_fast(const Program& program, const py::object& point, const py::object& conventions,
                   const py::object& mode_arg) {
  std::optional<Program> storage;
  const Program& p = with_profile(program, conventions, storage);
  const JacobianMode mode = mode_of(mode_arg);
  // The point rounded to doubles, as `selgrad grad --engine fast` does (a value beyond double's
  // range rounds to infinity, which the engine reports as a domain error naming the input).
  std::vector<double> x;
  bool rounded = false;
  for (const Literal& l : point_literals(point)) {
    x.push_back(fast::literal_to_double(l));
    rounded |= !std::isfinite(x.back()) || Rational(x.back()) != reference::to_rational(l);
  }
  fast::PointResult r;
  std::optional<fast::PointEvaluator> eval;
  {
    py::gil_scoped_release unlocked;
    eval.emplace(fast::compile(p), mode);
    eval->evaluate(x, r);  // Usage for a point of the wrong size, Domain naming the node
  }
  py::dict out;
  out["engine"] = "fast";
  out["arithmetic"] = "double";
  out["mode"] = sweep_name(mode, p);
  out["input_names"] = node_names(p, 0, p.p());
  out["output_names"] = output_names(p);
  out["outputs"] = list_of(r.outputs, [](double v) { return py::float_(v); });
  py::list jacobian(p.q());
  for (std::size_t j = 0; j < p.q(); ++j) {
    py::list row(p.p());
    for (std::size_t i = 0; i < p.p(); ++i) row[i] = py::float_(r.jacobian[j * p.p() + i]);
    jacobian[j] = row;
  }
  out["jacobian"] = jacobian;
  reference::BranchSignature branches;
  for (std::size_t s = 0; s < r.pieces.size(); ++s)
    branches.decisions.push_back({eval->tape().selection_node[s], {r.pieces[s], r.ties[s] != 0}, {}});
  out["branches"] = branch_records(p, branches, false);  // decided in double: no certainty
  out["point_rounded"] = rounded;
  return out;
}

/// The points of a batch as an (N, p) C-contiguous float64 array, converted only if needed.
Points points_of(const py::object& X, std::size_t p) {
  Points a = Points::ensure(X);
  if (!a) throw py::type_error("X must be convertible to a float64 array of shape (N, " + std::to_string(p) + ")");
  if (a.ndim() != 2 || static_cast<std::size_t>(a.shape(1)) != p) {
    std::string shape = "(";
    for (py::ssize_t d = 0; d < a.ndim(); ++d) shape += (d ? ", " : "") + std::to_string(a.shape(d));
    shape += a.ndim() == 1 ? ",)" : ")";
    throw py::value_error("X must have shape (N, " + std::to_string(p) + "): N points of the program's " +
                          std::to_string(p) + " inputs, got " + shape);
  }
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(double) != 0) {  // a view into a byte buffer
    Points aligned({a.shape(0), a.shape(1)});
    std::memcpy(aligned.mutable_data(), a.data(), static_cast<std::size_t>(a.nbytes()));
    return aligned;
  }
  return a;
}

template <class T>
py::array view(const std::vector<T>& v, std::vector<py::ssize_t> shape, const py::capsule& owner) {
  return py::array_t<T>(std::move(shape), v.data(), owner);
}

py::dict batch(const Program& program, const py::object& X, const py::object& conventions, bool gradient,
               const py::object& mode, std::size_t threads) {
  std::optional<Program> storage;
  const Program& p = with_profile(program, conventions, storage);
  fast::BatchOptions options;
  options.gradient = gradient;
  options.mode = mode_of(mode);
  options.threads = threads;
  const Points x = points_of(X, p.p());
  const auto n = static_cast<std::size_t>(x.shape(0));
  // error_node is handed out as int32, where kNoError (2^32 - 1) reads as -1: node indices
  // must stay below 2^31.
  if (p.m() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw py::value_error("batch: programs of more than 2^31 - 1 nodes are not supported");

  auto result = std::make_unique<fast::BatchResult>();
  std::optional<fast::BatchEvaluator> eval;
  {
    py::gil_scoped_release unlocked;
    eval.emplace(fast::compile(p), options);
    eval->evaluate(std::span<const double>(x.data(), n * p.p()), n, *result);
  }
  const fast::BatchResult& r = *result;
  const py::capsule owner(result.get(), [](void* q) { delete static_cast<fast::BatchResult*>(q); });
  result.release();  // the capsule owns it now

  const auto N = static_cast<py::ssize_t>(n), q = static_cast<py::ssize_t>(r.q),
             pp = static_cast<py::ssize_t>(r.p), S = static_cast<py::ssize_t>(r.selections);
  py::dict out;
  out["input_names"] = node_names(p, 0, p.p());
  out["output_names"] = output_names(p);
  out["selection_nodes"] =
      list_of(eval->tape().selection_node, [&](std::uint32_t k) { return py::str(p.nodes[k].name); });
  out["outputs"] = view(r.outputs, {N, q}, owner);
  out["jacobian"] = gradient ? py::object(view(r.jacobian, {N, q, pp}, owner)) : py::object(py::none());
  out["pieces"] = view(r.pieces, {N, S}, owner);
  // 0/1 bytes are numpy booleans as they are.
  out["ties"] = py::array(py::dtype::of<bool>(), {N, S}, r.ties.data(), owner);
  out["tied_lanes"] = view(r.tied_lanes, {S}, owner);
  out["error_node"] = py::array_t<std::int32_t>({N}, reinterpret_cast<const std::int32_t*>(r.error_node.data()), owner);
  py::array_t<bool> ok(N);
  bool* okp = ok.mutable_data();
  py::list errors;
  for (std::size_t l = 0; l < n; ++l) {
    okp[l] = r.ok(l);
    if (!okp[l]) errors.append(py::make_tuple(l, p.nodes[r.error_node[l]].name, fast::lane_error_text(r.error[l])));
  }
  out["ok"] = ok;
  out["errors"] = errors;
  return out;
}

/// The C++ baseline of bench/python_batch.py: seconds per batch of the engine alone, measured
/// inside the module on the same points. `fresh`: compile, a new evaluator and a new result per
/// batch, as selgrad.batch does; `reused`: evaluate only, into one result, as a C++ loop does.
py::dict time_batch(const Program& p, const py::object& X, bool gradient, std::size_t repetitions) {
  fast::BatchOptions options;
  options.gradient = gradient;
  const Points x = points_of(X, p.p());
  const auto n = static_cast<std::size_t>(x.shape(0));
  const std::span<const double> points(x.data(), n * p.p());
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
  std::vector<double> fresh, reused;
  {
    py::gil_scoped_release unlocked;
    for (std::size_t i = 0; i < repetitions; ++i) {
      const auto t0 = Clock::now();
      fast::BatchEvaluator eval(fast::compile(p), options);
      fast::BatchResult r;
      eval.evaluate(points, n, r);
      fresh.push_back(seconds(t0, Clock::now()));
    }
    fast::BatchEvaluator eval(fast::compile(p), options);
    fast::BatchResult r;
    eval.evaluate(points, n, r);
    for (std::size_t i = 0; i < repetitions; ++i) {
      const auto t0 = Clock::now();
      eval.evaluate(points, n, r);
      reused.push_back(seconds(t0, Clock::now()));
    }
  }
  py::dict out;
  out["fresh"] = fresh;
  out["reused"] = reused;
  return out;
}

}  // namespace

void bind_fast(py::module_& m) {
  m.def("grad_fast", &grad_fast, py::arg("program"), py::arg("point"), py::arg("conventions") = py::none(),
        py::arg("mode") = py::none(), "The double engine at one point, as a dict (see selgrad.grad).");
  m.def("batch", &batch, py::arg("program"), py::arg("X"), py::arg("conventions") = py::none(),
        py::arg("gradient") = true, py::arg("mode") = py::none(), py::arg("threads") = 0,
        "The double engine over the rows of X, as a dict of numpy arrays (see selgrad.batch).");
  m.def("_time_batch", &time_batch, py::arg("program"), py::arg("X"), py::arg("gradient") = true,
        py::arg("repetitions") = 5,
        "Seconds per batch of the C++ engine alone on X: {'fresh': [...], 'reused': [...]} (bench/python_batch.py).");
}

}  // namespace selgrad::python
