// `selgrad check`: is a gradient someone computed at a point (a framework's autograd) one the
// theory admits there? One of the tie closure's Jacobians, in their convex hull, or outside.
#include <iostream>

#include "selgrad/program/parse.hpp"
#include "selgrad/reference/gradient_check.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

int cmd_check(const Args& a) {
  allow_only(a, {"at", "gradient", "json", "closure-cap", "max-bits", "max-total-bits", "conventions"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const std::vector<Rational> entries = to_point(parse_point(need(a, "gradient")));
  const Program p = read_program(a);
  if (entries.size() != p.q() * p.p())
    throw UsageError{"--gradient has " + std::to_string(entries.size()) + " numbers; the program's Jacobian has " +
                     std::to_string(p.q()) + " x " + std::to_string(p.p()) + " = " + std::to_string(p.q() * p.p()) +
                     " (rows one after the other)"};
  Matrix<Rational> g(p.q(), std::vector<Rational>(p.p()));
  for (std::size_t j = 0; j < p.q(); ++j)
    for (std::size_t i = 0; i < p.p(); ++i) g[j][i] = entries[j * p.p() + i];
  const GradientCheck r = check_gradient(p, x, g, o);
  const int status = r.verdict == GradientVerdict::Outside ? 1 : (r.verdict == GradientVerdict::Undecided ? 3 : 0);
  if (a.options.count("json")) {
    Json j;
    j["verdict"] = std::string(verdict_name(r.verdict));
    j["reason"] = r.reason;
    j["bifurcation"] = r.bifurcation ? Json(*r.bifurcation) : Json(nullptr);
    Json tied = Json::array();
    for (auto k : r.tied_nodes) tied.push_back(p.nodes[k].name);
    j["tied_nodes"] = std::move(tied);
    j["closure_size"] = r.closure_size;
    j["closure_complete"] = r.closure_complete;
    print_json(j);
    return status;
  }
  std::cout << "verdict: " << verdict_name(r.verdict);
  switch (r.verdict) {
    case GradientVerdict::Closure: std::cout << " (AD returns it for some choice of pieces at the ties)\n"; break;
    case GradientVerdict::Hull: std::cout << " (a convex combination of the closure's Jacobians, none of them)\n"; break;
    case GradientVerdict::Outside: std::cout << " (no representation or convex combination gives it)\n"; break;
    case GradientVerdict::Undecided: std::cout << ": " << r.reason << "\n"; break;
  }
  std::cout << "tied nodes:";
  for (auto k : r.tied_nodes) std::cout << " " << p.nodes[k].name;
  if (r.tied_nodes.empty()) std::cout << " (none)";
  std::cout << "\nclosure: " << r.closure_size << " distinct Jacobian" << (r.closure_size == 1 ? "" : "s")
            << (r.closure_complete ? "" : " listed (incomplete)") << "\n";
  if (r.bifurcation)
    std::cout << "bifurcation: " << (*r.bifurcation ? "yes (the gradient here depends on tie conventions)" : "no")
              << "\n";
  return status;
}

}  // namespace selgrad::cli
