# Warnings, native code generation and sanitizers, set once for every selgrad target.
# Targets opt in with selgrad_apply_flags(target).

add_library(selgrad_flags INTERFACE)
# -Wno-restrict: GCC 12 reports false -Wrestrict positives inside std::string operator+.
set(SELGRAD_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-restrict)
# -ffp-contract=off: no fused multiply-adds behind the code's back. GCC contracts a*b + c
# differently in a loop over lanes and in its one-lane copy, so the batch and the single-point
# paths of the double engine would round differently; every double result must be reproducible
# from the written order of operations (which is also what certification encloses).
target_compile_options(selgrad_flags INTERFACE
  "$<$<COMPILE_LANGUAGE:CXX>:${SELGRAD_WARNINGS}>"
  "$<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>"
  "$<$<CONFIG:Release>:-O3>")
if(SELGRAD_NATIVE)
  target_compile_options(selgrad_flags INTERFACE -march=native)
endif()
if(SELGRAD_SANITIZE)
  target_compile_options(selgrad_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(selgrad_flags INTERFACE -fsanitize=address,undefined)
endif()

if(SELGRAD_FUZZ)
  # Coverage for libFuzzer in every selgrad target (the fuzz targets add -fsanitize=fuzzer to
  # link libFuzzer's main), with ASan and UBSan: a crash, a leak or undefined behaviour is a
  # finding. clang only.
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SELGRAD_FUZZ needs clang (scripts/fuzz uses clang++-15)")
  endif()
  target_compile_options(selgrad_flags INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g
    -Wno-unknown-warning-option)
  target_link_options(selgrad_flags INTERFACE -fsanitize=address,undefined)
endif()

function(selgrad_apply_flags target)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:selgrad_flags>)
endfunction()
