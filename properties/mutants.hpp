// The mutant harness: runs the checks that must catch one deliberate bug of the catalogue
// (properties/mutants.txt) and says whether they did.
//
// `selgrad_properties_mutants --mutant N` switches on mutant N (program/include/selgrad/program/
// mutant.hpp) and runs the checks its catalogue entry names, in order:
//  * a property or claim ID ("T2", "FAST.exact"): run in this process at its CI case count, in
//    strict mode (runner.hpp): a case that throws an exception the property does not expect is
//    discarded, so only an assertion failure on a counterexample counts, and shrinking ends on
//    one;
//  * a unit test, "gtest:BINARY:FILTER": the GoogleTest binary built against the mutant
//    libraries, run with --gtest_filter=FILTER; only a test that fails an assertion counts (not
//    one whose only failure is an uncaught exception, nor a crash).
// An `active` mutant is caught when one check fails that way; the harness prints which one and
// its (shrunk) counterexample. An `equivalent` mutant is one no check can catch, argued in the
// catalogue: every check listed must pass. Either way the mutant's hook must have been reached
// (evaluated while active, here or in a unit-test process): a hook that never runs proves
// nothing. Exit status 0 when the mutant behaves as catalogued, 1 otherwise, 2 on a bad
// catalogue or usage.
#pragma once

#include <string>
#include <vector>

namespace selgrad::properties {

struct MutantEntry {
  int n = 0;
  std::string module;  ///< where the hook is
  std::string status;  ///< active, equivalent or pending
  std::vector<std::string> checks;
  std::string bug;     ///< what the bug is (and, for an equivalent mutant, why no check can tell)
};

/// The catalogue's entries (see properties/mutants.txt for the format). Throws
/// std::runtime_error on a malformed file.
std::vector<MutantEntry> read_catalogue(const std::string& path);

/// Runs the harness for mutant n (see the file comment); `catalogue` empty: the source tree's.
int run_mutant(int n, const std::string& catalogue);

}  // namespace selgrad::properties
