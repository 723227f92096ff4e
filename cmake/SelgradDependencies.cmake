# Every external dependency comes from a Debian package (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)

# MPFI ships neither a CMake package nor a pkg-config file on Debian 12.
find_path(MPFI_INCLUDE_DIR mpfi.h REQUIRED)
find_library(MPFI_LIBRARY mpfi REQUIRED)
add_library(selgrad_mpfi INTERFACE)
set_target_properties(selgrad_mpfi PROPERTIES EXPORT_NAME mpfi)
target_include_directories(selgrad_mpfi INTERFACE ${MPFI_INCLUDE_DIR})
target_link_libraries(selgrad_mpfi INTERFACE ${MPFI_LIBRARY} PkgConfig::MPFR PkgConfig::GMP)

# JSON output of the command line.
find_package(nlohmann_json 3.10 REQUIRED)

# cddlib in exact GMP rational mode lives in libcddgmp. Link it alone: libcdd (the double
# build, which pkg-config's cddlib module adds) exports the same dd_* symbols.
find_path(CDDLIB_INCLUDE_DIR cddlib/cdd.h REQUIRED)
find_library(CDDGMP_LIBRARY cddgmp REQUIRED)
# QSopt_ex: exact rational simplex with bounded variables (the tie closure's hull when ties do
# not nest, H1: LPs with hundreds of columns, where cddlib takes minutes).
find_path(QSOPTEX_INCLUDE_DIR qsopt_ex/QSopt_ex.h REQUIRED)
find_library(QSOPTEX_LIBRARY qsopt_ex REQUIRED)

if(SELGRAD_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SELGRAD_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
