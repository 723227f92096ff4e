// The _selgrad extension module: the C++ half of the `selgrad` Python package. Its functions take
// and return plain Python values (dicts, lists, numpy arrays); selgrad/*.py gives them the
// package's interface.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "convert.hpp"
#include "errors.hpp"

PYBIND11_MODULE(_selgrad, m) {
  namespace py = pybind11;
  m.doc() = "C++ half of the selgrad package (use `import selgrad`).";
  selgrad::python::import_python_types();
  selgrad::python::register_error_translation();
  selgrad::python::bind_program(m);
  selgrad::python::bind_reference(m);
  selgrad::python::bind_fast(m);
  selgrad::python::bind_check(m);
  m.attr("__version__") = SELGRAD_VERSION;
}
