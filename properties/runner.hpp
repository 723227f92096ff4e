// Running registered properties (suite.hpp) through RapidCheck: one property with its share of
// the cases, the outcome classified, and the machine-readable report lines that
// `scripts/campaign` merges across shards. Used by main.cpp (the suite) and mutants.cpp (the
// mutant harness).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "suite.hpp"

namespace selgrad::properties {

struct RunSettings {
  std::optional<int> cases;  ///< cases per property (else its CI count times `scale`)
  double scale = 1.0;
  std::uint64_t seed = 0x5e19ad;
  std::uint32_t shard = 0, shards = 1;
  bool no_shrink = false;
  std::optional<int> max_size;
  double progress_seconds = 10.0;
};

/// How a property run ended.
enum class Outcome : std::uint8_t {
  Passed,     ///< every case passed
  Failed,     ///< a case failed an assertion (RC_ASSERT, RC_FAIL): a counterexample
  Exception,  ///< a case threw an exception the property did not expect
  GaveUp      ///< too many cases were discarded
};
const char* outcome_name(Outcome o);

struct PropertyRun {
  rc::detail::TestResult result = rc::detail::SuccessResult{};
  Outcome outcome = Outcome::Passed;
  int cases = 0;      ///< cases asked for (this shard's share)
  int passed = 0;     ///< cases that passed
  int discarded = 0;
  double seconds = 0;
  std::map<std::string, int> discard_reasons;
  std::string message;  ///< RapidCheck's report of a failure or give-up (the shrunk counterexample)
  std::string reproduce;  ///< for a failure: the RC_PARAMS value that replays it
};

/// "L1" matches L1.matrix and L1.program; "L1.matrix" only that one; "*" every property.
bool matches(const std::string& id, const std::string& pattern);
bool matches_any(const std::string& id, const std::vector<std::string>& patterns);

/// This shard's share of a property's cases (0: the shard runs none).
int shard_cases(const PropertyDef& p, const RunSettings& s);

/// Runs one property. With `strict`, a case that throws an exception the property does not
/// catch is discarded (and counted in discard_reasons) instead of failing, so that only
/// assertion failures count and shrinking never ends on an exception: the mutant harness's
/// notion of a caught bug. Without it, as RapidCheck does: an exception fails the property
/// (outcome Exception).
PropertyRun run_property(const PropertyDef& p, const RunSettings& s, bool strict);

/// The one-line summary printed after a property ("T2.exact ok 15000 cases ...").
std::string summary_line(const PropertyDef& p, const PropertyRun& r);

/// Report lines for `scripts/campaign` (tab-separated; see merge_reports).
void write_report(std::ostream& os, const PropertyDef& p, const PropertyRun& r, const RunSettings& s);

/// Reads report files of several shards and prints one merged report (markdown): cases per
/// property summed over the shards, every failure with its shard, seed, counterexample and
/// reproduce string. Returns 0 when every property passed in every shard, 1 otherwise.
int merge_reports(const std::vector<std::string>& files, std::ostream& out);

}  // namespace selgrad::properties
