// The property suite's command line: selects, scales, shards and runs the registered properties
// (suite.hpp) through RapidCheck, with one progress line per property.
//
//   selgrad_properties [--cases N | --scale X] [--seed S] [--shard I/N] [--only ID[,ID...]]
//                      [--no-shrink] [--max-size N] [--list] [--progress SECONDS]
//                      [--why-discarded] [--report FILE] [--sample FAMILY]
//   selgrad_properties --merge-reports FILE...
//   selgrad_properties_mutants --mutant N [--catalogue FILE]      (the mutant build only)
//
// Exit status: 0 when every selected property passes, 1 otherwise, 2 on bad usage. Failures
// print RapidCheck's counterexample (the program as .sgp text and the point as --at=...) and, at
// exit, its reproduce string for RC_PARAMS="reproduce=...". --report writes one line per
// property (and per failure) for scripts/campaign, which merges the shards' reports with
// --merge-reports. --mutant runs the mutant harness (mutants.hpp).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gen/program.hpp"
#include "mutants.hpp"
#include "runner.hpp"
#include "selgrad/program/parse.hpp"
#include "suite.hpp"

namespace selgrad::properties {

std::vector<PropertyDef>& registry() {
  static std::vector<PropertyDef> r;
  return r;
}

std::string claim_of(const std::string& id) { return id.substr(0, id.find('.')); }

namespace {

struct Settings {
  RunSettings run;
  std::vector<std::string> only;
  bool list = false;
  bool why_discarded = false;
  std::string report;                ///< --report FILE
  std::vector<std::string> merge;    ///< --merge-reports FILE...
  int mutant = 0;                    ///< --mutant N
  std::string catalogue;             ///< --catalogue FILE
  std::string sample_family;  ///< --sample FAMILY: print random programs instead of testing
  int sample_count = 5;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "selgrad_properties: " << why << "\n"
            << "usage: selgrad_properties [--cases N | --scale X] [--seed S] [--shard I/N]\n"
            << "         [--only ID[,ID...]] [--no-shrink] [--max-size N] [--list] [--progress SECONDS]\n"
            << "         [--why-discarded] [--report FILE] [--sample FAMILY [--sample-count N]]\n"
            << "       selgrad_properties --merge-reports FILE...\n"
            << "       selgrad_properties_mutants --mutant N [--catalogue FILE]\n";
  std::exit(2);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
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
        s.run.cases = std::stoi(next());
        if (*s.run.cases < 1) usage("--cases must be >= 1");
      } else if (a == "--scale") {
        s.run.scale = std::stod(next());
        if (!(s.run.scale > 0)) usage("--scale must be > 0");
      } else if (a == "--seed") {
        s.run.seed = std::stoull(next());
      } else if (a == "--shard") {
        const std::string v = next();
        const auto slash = v.find('/');
        if (slash == std::string::npos) usage("--shard takes I/N");
        s.run.shard = static_cast<std::uint32_t>(std::stoul(v.substr(0, slash)));
        s.run.shards = static_cast<std::uint32_t>(std::stoul(v.substr(slash + 1)));
        if (s.run.shards == 0 || s.run.shard >= s.run.shards) usage("--shard I/N needs 0 <= I < N");
      } else if (a == "--only") {
        s.only = split_list(next());
      } else if (a == "--max-size") {
        s.run.max_size = std::stoi(next());
        if (*s.run.max_size < 0) usage("--max-size must be >= 0");
      } else if (a == "--no-shrink") {
        s.run.no_shrink = true;
      } else if (a == "--sample") {
        s.sample_family = next();
      } else if (a == "--sample-count") {
        s.sample_count = std::stoi(next());
      } else if (a == "--why-discarded") {
        s.why_discarded = true;
      } else if (a == "--list") {
        s.list = true;
      } else if (a == "--progress") {
        s.run.progress_seconds = std::stod(next());
      } else if (a == "--report") {
        s.report = next();
      } else if (a == "--merge-reports") {
        if (!value.empty()) s.merge.push_back(value);
        while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) s.merge.push_back(argv[++i]);
        if (s.merge.empty()) usage("--merge-reports needs report files");
      } else if (a == "--mutant") {
        s.mutant = std::stoi(next());
        if (s.mutant < 1) usage("--mutant takes a mutant number >= 1");
      } else if (a == "--catalogue") {
        s.catalogue = next();
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

/// --sample FAMILY: prints random programs of a family at full size, to inspect the generator.
int sample(const Settings& s) {
  for (auto f : {Family::PiecewiseAffine, Family::Rational, Family::ExpLog, Family::Full}) {
    if (family_name(f) != s.sample_family) continue;
    const auto programs = rc::gen::container<std::vector<Program>>(
        static_cast<std::size_t>(s.sample_count), genProgram(ProgramShape::of(f, 3, 2)));
    const auto shrinkable = programs(rc::Random(s.run.seed), 100);
    for (const auto& p : shrinkable.value()) std::printf("%s\n", print_program(p).c_str());
    return 0;
  }
  usage("--sample takes piecewise-affine, rational, exp-log or full");
}

/// RapidCheck prints its configuration when it first loads it; make it show the seed in use.
void announce_seed(const RunSettings& s) {
  const char* env = std::getenv("RC_PARAMS");
  std::string params = env ? env : "";
  if (params.find("seed=") == std::string::npos)
    params += (params.empty() ? "" : " ") + std::string("seed=") + std::to_string(s.seed + s.shard);
  setenv("RC_PARAMS", params.c_str(), 1);
}

int run(const Settings& s) {
  if (!s.sample_family.empty()) return sample(s);
  if (!s.merge.empty()) return merge_reports(s.merge, std::cout);
  if (s.mutant != 0) {
    announce_seed(s.run);
    return run_mutant(s.mutant, s.catalogue);
  }
  auto props = registry();
  std::sort(props.begin(), props.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (s.list) {
    for (const auto& p : props) std::printf("%-16s %5d cases  %s\n", p.id.c_str(), p.cases, p.description.c_str());
    return 0;
  }
  announce_seed(s.run);
  std::ofstream report;
  if (!s.report.empty()) {
    report.open(s.report);
    if (!report) usage("cannot write " + s.report);
  }
  const auto& config = rc::detail::configuration();
  std::vector<std::string> failed;
  int selected = 0;
  const auto suite_start = std::chrono::steady_clock::now();
  for (const auto& p : props) {
    if (!s.only.empty() && !matches_any(p.id, s.only)) continue;
    // RC_PARAMS="reproduce=...": replay the recorded failures only.
    if (!config.reproduce.empty() && config.reproduce.count(p.id) == 0) continue;
    ++selected;
    if (shard_cases(p, s.run) == 0) continue;
    const PropertyRun r = run_property(p, s.run, false);
    std::fprintf(stderr, "%s\n", summary_line(p, r).c_str());
    if (r.outcome == Outcome::Passed) {
      if (s.why_discarded)
        for (const auto& [why, count] : r.discard_reasons) std::fprintf(stderr, "    %5d discarded: %s\n", count, why.c_str());
    } else {
      failed.push_back(p.id);
      std::fprintf(stderr, "%s\n", r.message.c_str());
    }
    if (report) {
      write_report(report, p, r, s.run);
      report.flush();
    }
  }
  const double total_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - suite_start).count();
  if (selected == 0) {
    std::cerr << "selgrad_properties: no property matches --only\n";
    return 2;
  }
  std::fprintf(stderr, "%d properties, %zu failed, %.1f s\n", selected, failed.size(), total_secs);
  return failed.empty() ? 0 : 1;
}

}  // namespace
}  // namespace selgrad::properties

int main(int argc, char** argv) {
  return selgrad::properties::run(selgrad::properties::parse(argc, argv));
}
