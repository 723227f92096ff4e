// The property suite's command line: selects, scales, shards and runs the registered properties
// (suite.hpp) through RapidCheck, with one progress line per property.
//
//   selgrad_properties [--cases N | --scale X] [--seed S] [--shard I/N] [--only ID[,ID...]]
//                      [--expect-fail ID[,ID...]] [--no-shrink] [--max-size N] [--list]
//                      [--progress SECONDS] [--why-discarded] [--sample FAMILY]
//
// Exit status: 0 when every selected property passes (with --expect-fail: when every listed
// claim has a failing property and every selected property outside the listed claims passes),
// 1 otherwise, 2 on bad usage. Failures print RapidCheck's counterexample (the
// program as .sgp text and the point as --at=...) and, at exit, its reproduce string for
// RC_PARAMS="reproduce=...".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gen/program.hpp"
#include "selgrad/program/parse.hpp"
#include "suite.hpp"

namespace rc::detail {
// Defined in librapidcheck (DefaultTestListener.cpp) but not declared in its public headers:
// the listener that prints the reproduce strings of failed properties at exit.
TestListener& globalTestListener();
}  // namespace rc::detail

namespace selgrad::properties {

std::vector<PropertyDef>& registry() {
  static std::vector<PropertyDef> r;
  return r;
}

std::string claim_of(const std::string& id) { return id.substr(0, id.find('.')); }

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::optional<int> cases;
  double scale = 1.0;
  std::uint64_t seed = 0x5e19ad;
  std::uint32_t shard = 0, shards = 1;
  std::vector<std::string> only;
  std::vector<std::string> expect_fail;
  bool no_shrink = false;
  std::optional<int> max_size;
  bool list = false;
  bool why_discarded = false;
  double progress_seconds = 10.0;
  std::string sample_family;  ///< --sample FAMILY: print random programs instead of testing
  int sample_count = 5;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "selgrad_properties: " << why << "\n"
            << "usage: selgrad_properties [--cases N | --scale X] [--seed S] [--shard I/N]\n"
            << "         [--only ID[,ID...]] [--expect-fail ID[,ID...]] [--no-shrink] [--max-size N]\n"
            << "         [--list]"
            << " [--progress SECONDS] [--why-discarded] [--sample FAMILY [--sample-count N]]\n";
  std::exit(2);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

/// "L1" selects L1.matrix and L1.program; "L1.matrix" selects only that one.
bool matches(const std::string& id, const std::string& pattern) {
  return id == pattern || id.rfind(pattern + ".", 0) == 0;
}

bool matches_any(const std::string& id, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return matches(id, p); });
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    const auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    const auto next = [&]() -> std::string {
      if (!value.empty()) return value;
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--cases") {
        s.cases = std::stoi(next());
        if (*s.cases < 1) usage("--cases must be >= 1");
      } else if (a == "--scale") {
        s.scale = std::stod(next());
        if (!(s.scale > 0)) usage("--scale must be > 0");
      } else if (a == "--seed") {
        s.seed = std::stoull(next());
      } else if (a == "--shard") {
        const std::string v = next();
        const auto slash = v.find('/');
        if (slash == std::string::npos) usage("--shard takes I/N");
        s.shard = static_cast<std::uint32_t>(std::stoul(v.substr(0, slash)));
        s.shards = static_cast<std::uint32_t>(std::stoul(v.substr(slash + 1)));
        if (s.shards == 0 || s.shard >= s.shards) usage("--shard I/N needs 0 <= I < N");
      } else if (a == "--only") {
        s.only = split_list(next());
      } else if (a == "--expect-fail") {
        s.expect_fail = split_list(next());
      } else if (a == "--max-size") {
        s.max_size = std::stoi(next());
        if (*s.max_size < 0) usage("--max-size must be >= 0");
      } else if (a == "--no-shrink") {
        s.no_shrink = true;
      } else if (a == "--sample") {
        s.sample_family = next();
      } else if (a == "--sample-count") {
        s.sample_count = std::stoi(next());
      } else if (a == "--why-discarded") {
        s.why_discarded = true;
      } else if (a == "--list") {
        s.list = true;
      } else if (a == "--progress") {
        s.progress_seconds = std::stod(next());
      } else if (a == "--help" || a == "-h") {
        usage("help");
      } else {
        usage("unknown argument " + a);
      }
    } catch (const std::logic_error&) {
      usage("bad value for " + a);
    }
  }
  return s;
}

/// Forwards every event to RapidCheck's own listener (which prints the reproduce strings) and
/// prints a progress line every `interval` seconds during long campaigns.
class ProgressListener : public rc::detail::TestListener {
 public:
  ProgressListener(std::string id, int cases, double interval)
      : id_(std::move(id)), cases_(cases), interval_(interval), start_(Clock::now()), last_(start_) {}

  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    rc::detail::globalTestListener().onTestCaseFinished(d);
    if (d.result.type == rc::detail::CaseResult::Type::Discard) {
      ++discarded_;
      // The reason, without RapidCheck's "file:line:" prefix and the macro echo.
      std::string why = d.result.description;
      const auto nl = why.find('\n');
      if (nl != std::string::npos && why.find(':') < nl) why = why.substr(nl + 1);
      ++reasons_[why.substr(0, why.find('\n'))];
      return;
    }
    ++done_;
    const auto now = Clock::now();
    if (interval_ > 0 && std::chrono::duration<double>(now - last_).count() >= interval_) {
      last_ = now;
      const double t = std::chrono::duration<double>(now - start_).count();
      std::fprintf(stderr, "  %-14s %6d/%d cases  %7.1f cases/s\n", id_.c_str(), done_, cases_,
                   done_ / t);
    }
  }
  int discarded() const { return discarded_; }
  const std::map<std::string, int>& reasons() const { return reasons_; }

  void onShrinkTried(const rc::detail::CaseDescription& d, bool accepted) override {
    rc::detail::globalTestListener().onShrinkTried(d, accepted);
  }
  void onTestFinished(const rc::detail::TestMetadata& m, const rc::detail::TestResult& r) override {
    rc::detail::globalTestListener().onTestFinished(m, r);
  }

 private:
  std::string id_;
  int cases_;
  double interval_;
  int done_ = 0;
  int discarded_ = 0;
  std::map<std::string, int> reasons_;
  Clock::time_point start_, last_;
};

/// "tag: 40%, other: 12%" for the most frequent tags of a passing property.
std::string distribution_text(const rc::detail::Distribution& d, int total) {
  std::vector<std::pair<int, std::string>> rows;
  for (const auto& [tags, count] : d) {
    if (tags.empty()) continue;
    std::string name;
    for (const auto& t : tags) name += (name.empty() ? "" : "+") + t;
    rows.emplace_back(count, name);
  }
  std::sort(rows.rbegin(), rows.rend());
  std::string out;
  for (std::size_t i = 0; i < rows.size() && i < 6; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.0f%%", 100.0 * rows[i].first / std::max(total, 1));
    out += (out.empty() ? "" : ",") + std::string(" ") + rows[i].second + buf;
  }
  return out;
}

/// --sample FAMILY: prints random programs of a family at full size, to inspect the generator.
int sample(const Settings& s) {
  for (auto f : {Family::PiecewiseAffine, Family::Rational, Family::ExpLog, Family::Full}) {
    if (family_name(f) != s.sample_family) continue;
    const auto programs = rc::gen::container<std::vector<Program>>(
        static_cast<std::size_t>(s.sample_count), genProgram(ProgramShape::of(f, 3, 2)));
    const auto shrinkable = programs(rc::Random(s.seed), 100);
    for (const auto& p : shrinkable.value()) std::printf("%s\n", print_program(p).c_str());
    return 0;
  }
  usage("--sample takes piecewise-affine, rational, exp-log or full");
}

int run(const Settings& s) {
  if (!s.sample_family.empty()) return sample(s);
  auto props = registry();
  std::sort(props.begin(), props.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (s.list) {
    for (const auto& p : props) std::printf("%-14s %5d cases  %s\n", p.id.c_str(), p.cases, p.description.c_str());
    return 0;
  }
  // RapidCheck prints its configuration when it first loads it; make it show the seed in use.
  {
    const char* env = std::getenv("RC_PARAMS");
    std::string params = env ? env : "";
    if (params.find("seed=") == std::string::npos)
      params += (params.empty() ? "" : " ") + std::string("seed=") + std::to_string(s.seed + s.shard);
    setenv("RC_PARAMS", params.c_str(), 1);
  }
  const auto& config = rc::detail::configuration();
  std::vector<std::string> failed;
  int selected = 0;
  const auto suite_start = Clock::now();
  for (const auto& p : props) {
    if (!s.only.empty() && !matches_any(p.id, s.only)) continue;
    // RC_PARAMS="reproduce=...": replay the recorded failures only.
    if (!config.reproduce.empty() && config.reproduce.count(p.id) == 0) continue;
    ++selected;
    // --shard I/N: every shard runs every selected property with floor(cases / N) cases (the
    // first cases mod N shards one more) under seed S + I: N shards together run the cases of
    // one run, on independent random streams.
    const int total = s.cases ? *s.cases : std::max(1, static_cast<int>(std::lround(p.cases * s.scale)));
    const int share = total / static_cast<int>(s.shards) +
                      (static_cast<int>(s.shard) < total % static_cast<int>(s.shards) ? 1 : 0);
    if (share == 0) continue;
    rc::detail::TestParams params;
    params.seed = s.seed + s.shard;
    params.maxSuccess = share;
    params.maxSize = s.max_size ? *s.max_size : p.max_size;
    params.maxDiscardRatio = 10;
    params.disableShrinking = s.no_shrink;
    rc::detail::TestMetadata meta;
    meta.id = p.id;
    meta.description = p.description;
    ProgressListener listener(p.id, share, s.progress_seconds);
    const auto start = Clock::now();
    const rc::detail::TestResult result =
        rc::detail::checkProperty(p.property, meta, params, listener, config.reproduce);
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    rc::detail::SuccessResult success;
    if (result.match(success)) {
      std::fprintf(stderr, "%-14s ok    %6d cases %7.2f s %8.1f cases/s  %d discarded %s\n", p.id.c_str(),
                   success.numSuccess, secs, success.numSuccess / std::max(secs, 1e-9), listener.discarded(),
                   distribution_text(success.distribution, success.numSuccess).c_str());
      if (s.why_discarded)
        for (const auto& [why, count] : listener.reasons()) std::fprintf(stderr, "    %5d discarded: %s\n", count, why.c_str());
    } else {
      failed.push_back(p.id);
      std::fprintf(stderr, "%-14s FAIL  %s (%.2f s)\n", p.id.c_str(), p.description.c_str(), secs);
      std::ostringstream msg;
      rc::detail::printResultMessage(result, msg);
      std::fprintf(stderr, "%s\n", msg.str().c_str());
    }
  }
  const double total_secs = std::chrono::duration<double>(Clock::now() - suite_start).count();
  if (selected == 0) {
    std::cerr << "selgrad_properties: no property matches --only\n";
    return 2;
  }
  std::fprintf(stderr, "%d properties, %zu failed, %.1f s\n", selected, failed.size(), total_secs);
  if (!s.expect_fail.empty()) {
    // Able-to-fail mode: every listed claim must have a failing property, and the other
    // selected properties (those outside the listed claims) must pass.
    bool all_caught = true;
    for (const auto& e : s.expect_fail) {
      const bool caught = std::any_of(failed.begin(), failed.end(), [&](const auto& id) { return matches(id, e); });
      std::fprintf(stderr, "expected failure of %s: %s\n", e.c_str(), caught ? "caught" : "NOT caught");
      all_caught = all_caught && caught;
    }
    for (const auto& id : failed)
      if (!matches_any(id, s.expect_fail)) {
        std::fprintf(stderr, "unexpected failure of %s\n", id.c_str());
        all_caught = false;
      }
    return all_caught ? 0 : 1;
  }
  return failed.empty() ? 0 : 1;
}

}  // namespace
}  // namespace selgrad::properties

int main(int argc, char** argv) {
  return selgrad::properties::run(selgrad::properties::parse(argc, argv));
}
