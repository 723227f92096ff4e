// The parts of the _selgrad module, one per source file. The pure-Python layer (selgrad/*.py)
// builds the public interface on top of them; these take and return plain Python values.
#pragma once

#include <pybind11/pybind11.h>

namespace selgrad::python {

void bind_program(pybind11::module_& m);    ///< program.cpp: the Program class
void bind_reference(pybind11::module_& m);  ///< reference.cpp: exact and MPFR grad, the tie closure
void bind_fast(pybind11::module_& m);       ///< fast.cpp: the double engine, one point and batches
void bind_check(pybind11::module_& m);      ///< check.cpp: the gradient check (when built)

}  // namespace selgrad::python
