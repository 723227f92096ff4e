// Deliberate bugs, to check that the checks can fail.
//
// A mutant is one deliberate bug behind a hook `if (SELGRAD_MUTANT(n))` in the library code. In
// the normal build the hook is the constant false and compiles away. The mutant build (CMake
// option SELGRAD_PROPERTY_MUTANTS: the libraries, the property suite and the unit tests compiled
// once more with SELGRAD_MUTANTS defined) has every hook compiled in, and the environment
// variable SELGRAD_MUTANT=n switches on mutant n at run time; without it the mutant build
// behaves like the normal one.
//
// A hook evaluated while its mutant is active records that the bug was reached: in this process
// (mutant::reached()) and, when the environment variable SELGRAD_MUTANT_REACHED names a file,
// by creating that file, so that a harness running checks in other processes can tell a caught
// bug from one whose code never ran. The catalogue of mutants (what each breaks and which checks
// must catch it) is properties/mutants.txt; properties/README.md describes the harness.
//
// Hooks must not be placed in constexpr functions (the switch is read at run time).
#pragma once

#if defined(SELGRAD_MUTANTS)
namespace selgrad::mutant {
/// The mutant switched on by SELGRAD_MUTANT (0: none), read once.
int active();
/// Whether mutant n is active; if it is, records that its hook was reached.
bool hit(int n);
/// Whether the active mutant's hook has been reached in this process.
bool reached();
}  // namespace selgrad::mutant
#define SELGRAD_MUTANT(n) (::selgrad::mutant::hit(n))
#else
#define SELGRAD_MUTANT(n) false
#endif
