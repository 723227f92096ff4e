// selgrad::Error as a Python exception: the class of its kind in selgrad/errors.py (every one a
// subclass of selgrad.Error), with the kind, the reason and the location as attributes.
#pragma once

#include <pybind11/pybind11.h>

namespace selgrad::python {

/// Registers the translation of selgrad::Error for every function of the module.
void register_error_translation();

}  // namespace selgrad::python
