// selgrad.Program: a parsed .sgp program (program/program.hpp), immutable from Python.
#include <string>

#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "selgrad/program/conventions.hpp"
#include "selgrad/program/parse.hpp"

namespace selgrad::python {

namespace {

std::string program_repr(const Program& p) {
  auto names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  std::vector<std::string> in, out;
  for (std::size_t i = 0; i < p.p(); ++i) in.push_back(p.nodes[i].name);
  for (auto o : p.outputs) out.push_back(p.nodes[o].name);
  return "<selgrad.Program: " + std::to_string(p.m()) + " nodes, inputs " + names(in) + ", outputs " + names(out) +
         (p.transcendental() ? ", with exp/log" : "") + ">";
}

}  // namespace

void bind_program(py::module_& m) {
  py::class_<Program> cls(m, "Program", R"doc(A program in the .sgp text format (docs/program-format.md).

Program(text) parses the text; a malformed text raises selgrad.ParseError with the line and
column, a text beyond the parser's size caps selgrad.ResourceError. A Program is immutable: the
convention methods return new programs. Programs compare equal when their nodes, literals and
outputs are equal (source lines aside), and pickle as their text.)doc");
  cls.def(py::init([](std::string_view text) { return parse_program(text); }), py::arg("text"),
          "Parses .sgp program text.")
      .def_static(
          "load", [](const std::string& path) { return parse_program_file(path); }, py::arg("path"),
          "Reads and parses a .sgp file (selgrad.UsageError if it is not a readable file).")
      .def_property_readonly("text", &print_program,
                             "The canonical text (print_program): parses back to an equal program.")
      .def_property_readonly(
          "inputs", [](const Program& p) { return node_names(p, 0, p.p()); }, "Names of the inputs, in order.")
      .def_property_readonly(
          "outputs", [](const Program& p) { return output_names(p); }, "Names of the outputs, in order.")
      .def_property_readonly("p", &Program::p, "Number of inputs.")
      .def_property_readonly("q", &Program::q, "Number of outputs.")
      .def_property_readonly("m", &Program::m, "Number of nodes, inputs included.")
      .def_property_readonly("transcendental", &Program::transcendental,
                             "Whether some node needs exp/log (then the reference evaluates in MPFR, not exactly).")
      .def(
          "with_conventions",
          [](const Program& p, const py::object& name) {
            std::optional<Program> out;
            with_profile(p, name, out);
            return out ? std::move(*out) : p;
          },
          py::arg("name"),
          R"doc(A new program whose selection nodes without a written tie rule take the rule of the
framework profile `name`: "default", "torch", "jax" or "tf" (docs/conventions.md). Rules written
in the program (`@...`) are kept. An unknown name raises ValueError listing the profiles.)doc")
      .def("without_conventions", [](const Program& p) { return without_conventions(p); },
           "A new program with every tie rule removed: the op table's rules everywhere.")
      .def_property_readonly("has_tie_conventions", &has_tie_conventions,
                             "Whether some node's tie rule changes anything at a tie.")
      .def(py::self == py::self)
      .def("__repr__", &program_repr)
      .def("__str__", &print_program)
      .def(py::pickle([](const Program& p) { return print_program(p); },
                      [](const std::string& text) { return parse_program(text); }));
  cls.attr("__module__") = "selgrad";
}

}  // namespace selgrad::python
