// The mutant harness (see mutants.hpp).
#include "mutants.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "runner.hpp"
#include "selgrad/program/mutant.hpp"
#include "suite.hpp"

#ifndef SELGRAD_MUTANT_CATALOGUE
#define SELGRAD_MUTANT_CATALOGUE "properties/mutants.txt"
#endif
#ifndef SELGRAD_MUTANT_TEST_BINARIES
#define SELGRAD_MUTANT_TEST_BINARIES ""
#endif

namespace selgrad::properties {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (true) {
    const auto next = s.find(sep, at);
    out.push_back(trim(s.substr(at, next == std::string::npos ? std::string::npos : next - at)));
    if (next == std::string::npos) break;
    at = next + sep.size();
  }
  return out;
}

/// "program=/path,reference=/path": the unit-test binaries built against the mutant libraries.
std::map<std::string, std::string> test_binaries() {
  std::map<std::string, std::string> out;
  for (const auto& item : split(SELGRAD_MUTANT_TEST_BINARIES, ",")) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

struct CheckResult {
  bool caught = false;   ///< failed on a counterexample (an assertion)
  bool passed = false;   ///< every case / test passed
  std::string summary;   ///< one line
  std::string evidence;  ///< the counterexample or the failing test's output
};

/// Runs every registered property matching `pattern`; stops at the first caught one when
/// `stop_when_caught`.
CheckResult run_property_check(const std::string& pattern, bool stop_when_caught) {
  auto props = registry();
  std::sort(props.begin(), props.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  RunSettings s;
  s.progress_seconds = 0;
  CheckResult out;
  out.passed = true;
  int selected = 0;
  for (const auto& p : props) {
    if (!matches(p.id, pattern)) continue;
    ++selected;
    const PropertyRun r = run_property(p, s, true);
    std::fprintf(stderr, "  %s\n", summary_line(p, r).c_str());
    if (r.outcome != Outcome::Passed) out.passed = false;
    if (r.outcome == Outcome::GaveUp || r.outcome == Outcome::Exception)
      std::fprintf(stderr, "    (not a counterexample: %s)\n", outcome_name(r.outcome));
    for (const auto& [why, count] : r.discard_reasons)
      if (why.rfind("unexpected exception", 0) == 0)
        std::fprintf(stderr, "    %d case(s) discarded, %s\n", count, why.c_str());
    if (r.outcome == Outcome::Failed && !out.caught) {
      out.caught = true;
      out.summary = "property " + p.id + " failed on a counterexample";
      out.evidence = r.message + "\nreplay: SELGRAD_MUTANT=" + std::getenv("SELGRAD_MUTANT") + " RC_PARAMS=\"" +
                     r.reproduce + "\" selgrad_properties_mutants --only " + p.id + "\n";
      if (stop_when_caught) break;
    }
  }
  if (selected == 0) {
    out.passed = false;
    out.summary = "no property matches " + pattern;
  } else if (!out.caught) {
    out.summary = std::string("properties ") + pattern + (out.passed ? " passed" : " did not fail on a counterexample");
  }
  return out;
}

struct GtestCase {
  std::string name;
  std::vector<std::string> lines;
  bool finished = false;
  bool failed = false;
  bool assertion = false;  ///< a failure at a file:line (not "unknown file": an uncaught exception)
};

/// Runs a GoogleTest binary with a filter and reads its output test by test.
CheckResult run_gtest_check(const std::string& spec, bool stop_when_caught) {
  (void)stop_when_caught;  // one process runs the whole filter
  CheckResult out;
  const auto first = spec.find(':', 6);  // after "gtest:"
  if (first == std::string::npos) throw std::runtime_error("bad check " + spec + ": want gtest:BINARY:FILTER");
  const std::string binary = spec.substr(6, first - 6), filter = spec.substr(first + 1);
  const auto binaries = test_binaries();
  const auto it = binaries.find(binary);
  if (it == binaries.end()) throw std::runtime_error("no mutant build of the unit tests '" + binary + "'");
  const std::string cmd = "'" + it->second + "' --gtest_color=no '--gtest_filter=" + filter + "' 2>&1";
  std::fprintf(stderr, "  running %s\n", cmd.c_str());
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + it->second);
  std::string text;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) text.append(buf.data(), n);
  const int status = pclose(pipe);
  const bool exited = WIFEXITED(status);
  const int code = exited ? WEXITSTATUS(status) : -1;

  std::vector<GtestCase> cases;
  GtestCase* current = nullptr;
  static const std::regex assertion_line(R"(^(.+):(\d+): Failure$)");
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("[ RUN      ] ", 0) == 0) {
      GtestCase c;
      c.name = line.substr(13);
      cases.push_back(std::move(c));
      current = &cases.back();
      continue;
    }
    if (!current) continue;
    if (line.rfind("[       OK ] ", 0) == 0 || line.rfind("[  FAILED  ] ", 0) == 0) {
      current->finished = true;
      current->failed = line[3] == 'F';
      current = nullptr;
      continue;
    }
    current->lines.push_back(line);
    std::smatch m;
    if (std::regex_match(line, m, assertion_line) && m[1] != "unknown file") current->assertion = true;
  }
  int caught = 0, exceptions = 0, unfinished = 0;
  for (const auto& c : cases) {
    if (!c.finished) ++unfinished;
    else if (c.failed && c.assertion) ++caught;
    else if (c.failed) ++exceptions;
  }
  out.passed = exited && code == 0 && !cases.empty();
  for (const auto& c : cases) {
    if (!(c.finished && c.failed && c.assertion)) continue;
    out.caught = true;
    out.summary = "unit test " + c.name + " failed an assertion";
    for (std::size_t i = 0; i < c.lines.size() && i < 60; ++i) out.evidence += c.lines[i] + "\n";
    break;
  }
  if (!out.caught) {
    out.summary = "unit tests " + binary + ":" + filter + ": " + std::to_string(cases.size()) + " run";
    if (cases.empty()) out.summary += " (the filter matches no test)";
    if (exceptions) out.summary += ", " + std::to_string(exceptions) + " failed by an uncaught exception only";
    if (unfinished) out.summary += ", " + std::to_string(unfinished) + " did not finish (crash)";
    if (!exited) out.summary += ", the process died by a signal";
    if (out.passed) out.summary += ", all passed";
  }
  std::fprintf(stderr, "    %d test(s) run, %d failed an assertion, %d failed by an exception only, %d unfinished\n",
               static_cast<int>(cases.size()), caught, exceptions, unfinished);
  return out;
}

[[maybe_unused]] CheckResult run_check(const std::string& check, bool stop_when_caught) {
  if (check.rfind("gtest:", 0) == 0) return run_gtest_check(check, stop_when_caught);
  return run_property_check(check, stop_when_caught);
}

}  // namespace

std::vector<MutantEntry> read_catalogue(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the mutant catalogue " + path);
  std::vector<MutantEntry> out;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    if (line[0] == ' ' || line[0] == '\t') {  // a continuation of the previous entry's text
      if (out.empty()) throw std::runtime_error(path + ":" + std::to_string(line_no) + ": continuation before an entry");
      out.back().bug += " " + trim(line);
      continue;
    }
    const auto f = split(line, " | ");
    if (f.size() != 5)
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": want 5 fields separated by ' | '");
    MutantEntry e;
    e.n = std::stoi(f[0]);
    e.module = f[1];
    e.status = f[2];
    if (e.status != "active" && e.status != "equivalent" && e.status != "pending")
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": status must be active, equivalent or pending");
    e.checks = split(f[3], ", ");
    e.bug = f[4];
    out.push_back(std::move(e));
  }
  return out;
}

int run_mutant(int n, const std::string& catalogue_path) {
#if !defined(SELGRAD_MUTANTS)
  (void)n;
  (void)catalogue_path;
  std::cerr << "selgrad_properties: --mutant needs the mutant build (selgrad_properties_mutants)\n";
  return 2;
#else
  std::vector<MutantEntry> catalogue;
  try {
    catalogue = read_catalogue(catalogue_path.empty() ? SELGRAD_MUTANT_CATALOGUE : catalogue_path);
  } catch (const std::exception& e) {
    std::cerr << "selgrad_properties: " << e.what() << "\n";
    return 2;
  }
  const auto entry = std::find_if(catalogue.begin(), catalogue.end(), [&](const auto& e) { return e.n == n; });
  if (entry == catalogue.end()) {
    std::cerr << "selgrad_properties: mutant " << n << " is not in the catalogue\n";
    return 2;
  }
  std::fprintf(stderr, "mutant %d (%s, %s): %s\n", n, entry->module.c_str(), entry->status.c_str(), entry->bug.c_str());
  if (entry->status == "pending") {
    std::fprintf(stderr, "pending: its hook is not in the code yet\n");
    return 2;
  }
  // Switch the mutant on here and in every process started from here, and ask for the mark
  // its hook leaves when reached.
  setenv("SELGRAD_MUTANT", std::to_string(n).c_str(), 1);
  if (mutant::active() != n) {
    std::cerr << "selgrad_properties: SELGRAD_MUTANT was read before --mutant took effect\n";
    return 2;
  }
  char mark[] = "/tmp/selgrad-mutant-reached-XXXXXX";
  const int fd = mkstemp(mark);
  if (fd < 0) {
    std::cerr << "selgrad_properties: cannot create a temporary file\n";
    return 2;
  }
  close(fd);
  std::remove(mark);
  setenv("SELGRAD_MUTANT_REACHED", mark, 1);

  const bool equivalent = entry->status == "equivalent";
  bool caught = false, all_passed = true;
  CheckResult catcher;
  try {
    for (const auto& check : entry->checks) {
      std::fprintf(stderr, "check %s\n", check.c_str());
      CheckResult r = run_check(check, !equivalent);
      std::fprintf(stderr, "  -> %s\n", r.summary.c_str());
      all_passed = all_passed && r.passed;
      if (r.caught && !caught) {
        caught = true;
        catcher = r;
        if (!equivalent) break;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "selgrad_properties: " << e.what() << "\n";
    std::remove(mark);
    return 2;
  }
  const bool reached = mutant::reached() || std::ifstream(mark).good();
  std::remove(mark);

  if (!reached) {
    std::fprintf(stderr, "mutant %d: FAIL: its hook was never reached while active, so the checks prove nothing\n", n);
    return 1;
  }
  if (equivalent) {
    if (caught || !all_passed) {
      std::fprintf(stderr, "mutant %d: FAIL: catalogued as equivalent, but a check %s\n%s", n,
                   caught ? "caught it" : "did not pass", catcher.evidence.c_str());
      return 1;
    }
    std::fprintf(stderr, "mutant %d: equivalent as catalogued: hook reached, every check passed\n", n);
    return 0;
  }
  if (!caught) {
    std::fprintf(stderr, "mutant %d: FAIL: NOT caught (hook reached; no listed check failed on a counterexample)\n", n);
    return 1;
  }
  std::fprintf(stderr, "mutant %d: caught by %s\n%s\n", n, catcher.summary.c_str(), catcher.evidence.c_str());
  return 0;
#endif
}

}  // namespace selgrad::properties
