// `selgrad closure`: the tie closure (D5 restricted to ties) and 0 in its convex hull.
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

int cmd_closure(const Args& a) {
  allow_only(a, {"at", "json", "closure-cap", "max-bits", "max-total-bits"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = read_program(a);
  ClosureRequest request;
  request.allow_incomplete = true;  // H1 answers the hull question past the cap; the list says it is partial
  const TieClosure c = tie_closure(p, x, o, request);
  const bool json = a.options.count("json") > 0;
  if (json) {
    Json j = json_result(p, c.at_point.outputs, c.at_point.jacobian, c.at_point.branches);
    Json jacobians = Json::array();
    for (const auto& m : c.jacobians) jacobians.push_back(json_matrix(m));
    j["jacobians"] = std::move(jacobians);
    j["zero_in_hull"] = c.zero_in_hull ? Json(*c.zero_in_hull != SELGRAD_MUTANT(64)) : Json(nullptr);  // mutant 64: negated
    Json tied = Json::array();
    for (auto k : c.tied_nodes) tied.push_back(p.nodes[k].name);
    j["tied_nodes"] = std::move(tied);
    // Past 2^64 the count is no JSON integer: null, with its text in combinations_count.
    j["combinations"] = c.combinations == SIZE_MAX ? Json(nullptr) : Json(c.combinations);
    j["combinations_count"] = c.combinations_text;
    j["combinations_log2"] = c.combinations_log2;
    j["enumerated"] = c.enumerated;
    j["jacobians_complete"] = c.complete;
    j["hull_method"] = std::string(hull_method_name(c.hull_method));
    j["ties_nest"] = c.nesting ? Json::array({p.nodes[c.nesting->first].name, p.nodes[c.nesting->second].name})
                               : Json(nullptr);
    print_json(j);
    return 0;
  }
  print_outputs_text(p, c.at_point.outputs);
  std::cout << "AD at this point (tie rules):\n";
  print_matrix_text(p, c.at_point.jacobian, "  ");
  std::cout << "tied nodes:";
  for (auto k : c.tied_nodes) std::cout << " " << p.nodes[k].name;
  if (c.tied_nodes.empty()) std::cout << " (none)";
  std::cout << "\n";
  if (c.nesting)
    std::cout << "ties nest: " << p.nodes[c.nesting->first].name << " feeds " << p.nodes[c.nesting->second].name << "\n";
  if (c.complete)
    std::cout << c.jacobians.size() << " distinct selection Jacobian" << (c.jacobians.size() == 1 ? "" : "s")
              << " over " << c.combinations_text << " branch combination" << (c.combinations == 1 ? "" : "s") << ":\n";
  else
    std::cout << c.combinations_text << " branch combinations, above the cap of " << o.max_closure_combinations
              << " (--closure-cap N): the list is INCOMPLETE, only the AD output's Jacobian is shown:\n";
  for (std::size_t i = 0; i < c.jacobians.size(); ++i) {
    std::cout << "  #" << i + 1 << "\n";
    print_matrix_text(p, c.jacobians[i], "    ");
  }
  if (c.zero_in_hull) {
    std::cout << "0 in the convex hull: " << (*c.zero_in_hull ? "yes (selection critical)" : "no") << "\n";
    std::cout << "hull decided by: ";
    if (c.hull_method == HullMethod::Antichain) std::cout << "antichain LP (H1)\n";
    else std::cout << "enumeration of " << c.enumerated << " combinations\n";
  }
  return 0;
}

}  // namespace selgrad::cli
