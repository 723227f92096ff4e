// Deliberate bugs, to check that the checks can fail.
//
// A mutant is one deliberate bug behind a hook `if (SELGRAD_MUTANT(n))` in the library code. In
// the normal build the hook is the constant false and compiles away. The mutant build (CMake
// option SELGRAD_PROPERTY_MUTANTS: the libraries compiled once more with SELGRAD_MUTANTS
// defined) has every hook compiled in, and the environment variable SELGRAD_MUTANT=n switches
// on mutant n at run time; without it the mutant build behaves like the normal one. The
// catalogue of mutants (what each breaks and which checks must catch it) is
// properties/mutants.cpp.
#pragma once

#if defined(SELGRAD_MUTANTS)
namespace selgrad::mutant {
/// The mutant switched on by SELGRAD_MUTANT (0: none), read once.
int active();
}  // namespace selgrad::mutant
#define SELGRAD_MUTANT(n) (::selgrad::mutant::active() == (n))
#else
#define SELGRAD_MUTANT(n) false
#endif
