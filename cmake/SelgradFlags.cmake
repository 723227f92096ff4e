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

function(selgrad_apply_flags target)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:selgrad_flags>)
endfunction()
