# The Python bindings (python/) need Python 3 with its headers and pybind11 (Debian: python3-dev,
# pybind11-dev). They are built by default when selgrad is the top-level project and both are
# found, never under the sanitizers or the fuzzer build: an ASan-instrumented extension module
# needs the sanitizer runtime preloaded into the interpreter.
#
# The interpreter defaults to /usr/bin/python3, Debian's, which has numpy, pytest and torch as
# Debian packages (another python3 earlier on PATH may not see them); -DPython3_EXECUTABLE=...
# chooses another.
set(SELGRAD_PYTHON_DEFAULT OFF)
if(SELGRAD_TOP_LEVEL AND NOT SELGRAD_SANITIZE AND NOT SELGRAD_FUZZ)
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the bindings are built for")
  endif()
  find_package(Python3 COMPONENTS Interpreter Development QUIET)
  if(Python3_FOUND)
    find_package(pybind11 CONFIG QUIET)
  endif()
  if(Python3_FOUND AND pybind11_FOUND)
    set(SELGRAD_PYTHON_DEFAULT ON)
  endif()
endif()
option(SELGRAD_PYTHON "Build the Python bindings (python/: the selgrad package)" ${SELGRAD_PYTHON_DEFAULT})

if(SELGRAD_PYTHON AND (SELGRAD_SANITIZE OR SELGRAD_FUZZ))
  message(STATUS "selgrad: SELGRAD_PYTHON is ignored in sanitizer and fuzzer builds")
  set(SELGRAD_PYTHON OFF)
endif()
if(SELGRAD_PYTHON)
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the bindings are built for")
  endif()
  find_package(Python3 COMPONENTS Interpreter Development REQUIRED)
  find_package(pybind11 CONFIG REQUIRED)  # after Python3: pybind11 then uses that Python
endif()
