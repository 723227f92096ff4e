// Running one property, classifying its outcome, and the campaign reports (see runner.hpp).
#include "runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace rc::detail {
// Defined in librapidcheck but not declared in its public headers: the listener that prints the
// reproduce strings of failed properties at exit, and the encoding of a reproduce map as the
// text of RC_PARAMS="reproduce=...".
TestListener& globalTestListener();
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
}  // namespace rc::detail

namespace selgrad::properties {
namespace {

using Clock = std::chrono::steady_clock;

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
      std::fprintf(stderr, "  %-14s %6d/%d cases  %7.1f cases/s\n", id_.c_str(), done_, cases_, done_ / t);
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

/// The body with every exception it does not expect turned into a discard (RapidCheck's own
/// control flow, assertion results and generation failures, passes through).
std::function<void()> strict_body(std::function<void()> body) {
  return [body = std::move(body)] {
    using rc::detail::CaseResult;
    try {
      body();
    } catch (const CaseResult&) {
      throw;
    } catch (const rc::GenerationFailure&) {
      throw;
    } catch (const std::exception& e) {
      throw CaseResult(CaseResult::Type::Discard, std::string("unexpected exception, not a counterexample: ") + e.what());
    } catch (...) {
      throw CaseResult(CaseResult::Type::Discard, "unexpected exception of unknown type, not a counterexample");
    }
  };
}

bool thrown(const std::string& description) {
  return description.rfind("Exception thrown with message:", 0) == 0 || description == "Unknown object thrown";
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    out += c == 'n' ? '\n' : (c == 't' ? '\t' : c);
  }
  return out;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
  return out;
}

}  // namespace

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Passed: return "ok";
    case Outcome::Failed: return "FAIL";
    case Outcome::Exception: return "EXCEPTION";
    case Outcome::GaveUp: return "GAVE-UP";
  }
  return "?";
}

bool matches(const std::string& id, const std::string& pattern) {
  return pattern == "*" || id == pattern || id.rfind(pattern + ".", 0) == 0;
}

bool matches_any(const std::string& id, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return matches(id, p); });
}

int shard_cases(const PropertyDef& p, const RunSettings& s) {
  // Every shard runs floor(cases / N) cases (the first cases mod N shards one more) under seed
  // S + I: N shards together run the cases of one run, on independent random streams.
  const int total = s.cases ? *s.cases : std::max(1, static_cast<int>(std::lround(p.cases * s.scale)));
  const int n = static_cast<int>(s.shards);
  return total / n + (static_cast<int>(s.shard) < total % n ? 1 : 0);
}

PropertyRun run_property(const PropertyDef& p, const RunSettings& s, bool strict) {
  PropertyRun run;
  run.cases = shard_cases(p, s);
  rc::detail::TestParams params;
  params.seed = s.seed + s.shard;
  params.maxSuccess = run.cases;
  params.maxSize = s.max_size ? *s.max_size : p.max_size;
  params.maxDiscardRatio = 10;
  params.disableShrinking = s.no_shrink;
  rc::detail::TestMetadata meta;
  meta.id = p.id;
  meta.description = p.description;
  ProgressListener listener(p.id, run.cases, s.progress_seconds);
  const auto property = rc::detail::toProperty(strict ? strict_body(p.body) : p.body);
  const auto start = Clock::now();
  run.result = rc::detail::checkProperty(property, meta, params, listener, rc::detail::configuration().reproduce);
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.discarded = listener.discarded();
  run.discard_reasons = listener.reasons();
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  std::ostringstream msg;
  if (run.result.match(success)) {
    run.outcome = Outcome::Passed;
    run.passed = success.numSuccess;
  } else if (run.result.match(failure)) {
    run.outcome = thrown(failure.description) ? Outcome::Exception : Outcome::Failed;
    run.passed = failure.numSuccess;
    rc::detail::printResultMessage(run.result, msg);
    run.reproduce = "reproduce=" + rc::detail::reproduceMapToString({{p.id, failure.reproduce}});
  } else if (run.result.match(gave_up)) {
    run.outcome = Outcome::GaveUp;
    run.passed = gave_up.numSuccess;
    rc::detail::printResultMessage(run.result, msg);
  } else {
    run.outcome = Outcome::Exception;
    rc::detail::printResultMessage(run.result, msg);
  }
  run.message = msg.str();
  return run;
}

std::string summary_line(const PropertyDef& p, const PropertyRun& r) {
  char buf[512];
  if (r.outcome == Outcome::Passed) {
    rc::detail::SuccessResult success;
    r.result.match(success);
    std::snprintf(buf, sizeof buf, "%-14s ok    %6d cases %7.2f s %8.1f cases/s  %d discarded %s", p.id.c_str(),
                  r.passed, r.seconds, r.passed / std::max(r.seconds, 1e-9), r.discarded,
                  distribution_text(success.distribution, r.passed).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%-14s %-5s %s (%d cases passed, %.2f s)", p.id.c_str(), outcome_name(r.outcome),
                  p.description.c_str(), r.passed, r.seconds);
  }
  return buf;
}

// Report lines, tab-separated:
//   property  ID  OUTCOME  cases-passed  cases-asked  discarded  seconds  seed  shard/shards
//   failure   ID  seed  shard/shards  RC_PARAMS-value  message (escaped: \n, \t, \\)
void write_report(std::ostream& os, const PropertyDef& p, const PropertyRun& r, const RunSettings& s) {
  const std::string shard = std::to_string(s.shard) + "/" + std::to_string(s.shards);
  os << "property\t" << p.id << '\t' << outcome_name(r.outcome) << '\t' << r.passed << '\t' << r.cases << '\t'
     << r.discarded << '\t' << r.seconds << '\t' << s.seed + s.shard << '\t' << shard << '\n';
  if (r.outcome != Outcome::Passed)
    os << "failure\t" << p.id << '\t' << s.seed + s.shard << '\t' << shard << '\t' << r.reproduce << '\t'
       << escape(r.message) << '\n';
}

int merge_reports(const std::vector<std::string>& files, std::ostream& out) {
  struct Totals {
    long passed = 0, asked = 0, discarded = 0;
    double seconds = 0;
    int shards = 0;
    std::vector<std::string> outcomes;
  };
  struct Failure {
    std::string id, seed, shard, reproduce, message;
  };
  std::map<std::string, Totals> props;
  std::vector<Failure> failures;
  std::vector<std::string> missing;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) {
      missing.push_back(file);
      continue;
    }
    for (std::string line; std::getline(in, line);) {
      const auto f = fields(line);
      if (f.size() >= 9 && f[0] == "property") {
        Totals& t = props[f[1]];
        t.passed += std::stol(f[3]);
        t.asked += std::stol(f[4]);
        t.discarded += std::stol(f[5]);
        t.seconds += std::stod(f[6]);
        t.shards += 1;
        if (f[2] != "ok") t.outcomes.push_back(f[2] + " (shard " + f[8] + ")");
      } else if (f.size() >= 6 && f[0] == "failure") {
        failures.push_back({f[1], f[2], f[3], f[4], unescape(f[5])});
      }
    }
  }
  long total_passed = 0, total_asked = 0;
  out << "| property | shards | cases passed | cases asked | discarded | seconds (sum over shards) | outcome |\n"
      << "|---|---:|---:|---:|---:|---:|---|\n";
  for (const auto& [id, t] : props) {
    total_passed += t.passed;
    total_asked += t.asked;
    std::string outcome = "ok";
    if (!t.outcomes.empty()) {
      outcome.clear();
      for (const auto& o : t.outcomes) outcome += (outcome.empty() ? "" : ", ") + o;
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "| %s | %d | %ld | %ld | %ld | %.0f | %s |\n", id.c_str(), t.shards, t.passed,
                  t.asked, t.discarded, t.seconds, outcome.c_str());
    out << buf;
  }
  out << "\n" << props.size() << " properties, " << total_passed << " of " << total_asked << " cases passed over "
      << files.size() - missing.size() << " shard report(s); " << failures.size() << " failure(s).\n";
  for (const auto& m : missing) out << "\nMISSING shard report: " << m << "\n";
  for (const auto& f : failures) {
    out << "\n### " << f.id << " (shard " << f.shard << ", seed " << f.seed << ")\n\n"
        << "Replay: `RC_PARAMS=\"" << f.reproduce << "\" selgrad_properties --only " << f.id << "`\n\n```\n"
        << f.message << "\n```\n";
  }
  return failures.empty() && missing.empty() ? 0 : 1;
}

}  // namespace selgrad::properties
