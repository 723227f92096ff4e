#include "errors.hpp"

#include <exception>
#include <string>

#include "selgrad/program/error.hpp"

namespace selgrad::python {

namespace py = pybind11;

namespace {

/// The kind's name, as selgrad.errors.error_class takes it.
const char* kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Parse: return "parse";
    case ErrorKind::Program: return "program";
    case ErrorKind::Domain: return "domain";
    case ErrorKind::Continuity: return "continuity";
    case ErrorKind::Resource: return "resource";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Usage: return "usage";
  }
  return "unknown";
}

/// None for "not known" (line or column 0, an empty name), as the C++ Location means it.
py::object optional_number(std::uint32_t v) { return v ? py::object(py::int_(v)) : py::object(py::none()); }
py::object optional_text(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(py::str(s)); }

void raise(const Error& e) {
  const Location& w = e.where();
  const py::object cls = py::module_::import("selgrad.errors").attr("error_class")(kind_name(e.kind()));
  const py::object exc = cls(e.what(), py::arg("kind") = kind_name(e.kind()), py::arg("reason") = e.reason(),
                             py::arg("line") = optional_number(w.line), py::arg("column") = optional_number(w.column),
                             py::arg("node") = optional_text(w.node), py::arg("op") = optional_text(w.op));
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

}  // namespace

void register_error_translation() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      try {
        raise(e);
      } catch (py::error_already_set& failed) {  // selgrad.errors could not be used: say why
        failed.restore();
      }
    }
  });
}

}  // namespace selgrad::python
