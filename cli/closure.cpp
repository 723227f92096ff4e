// `selgrad closure`: the tie closure (D5 restricted to ties) and 0 in its convex hull.
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

int cmd_closure(const Args& a) {
  allow_only(a, {"at", "json", "closure-cap", "max-bits"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = parse_program_file(a.file);
  ClosureRequest request;
  request.allow_incomplete = true;  // H1 answers the hull question past the cap; the list says it is partial
  const TieClosure c = tie_closure(p, x, o, request);
  const bool json = a.options.count("json") > 0;
  if (json) {
    std::cout << "{\"outputs\": "
              << json_list(c.at_point.outputs, [](const Rational& v) { return json_string(text(v)); })
              << ", \"jacobian\": " << json_matrix(c.at_point.jacobian)
              << ", \"branches\": " << json_branches(p, c.at_point.branches)
              << ", \"jacobians\": " << json_list(c.jacobians, [](const Matrix<Rational>& m) { return json_matrix(m); })
              << ", \"zero_in_hull\": "
              << (c.zero_in_hull ? (*c.zero_in_hull ? "true" : "false") : "null")
              << ", \"tied_nodes\": "
              << json_list(c.tied_nodes, [&](std::uint32_t k) { return json_string(p.nodes[k].name); })
              << ", \"combinations\": "
              << (c.combinations == SIZE_MAX ? std::string("null") : std::to_string(c.combinations))
              << ", \"combinations_count\": " << json_string(c.combinations_text)
              << ", \"combinations_log2\": " << json_double(c.combinations_log2)
              << ", \"enumerated\": " << c.enumerated
              << ", \"jacobians_complete\": " << (c.complete ? "true" : "false")
              << ", \"hull_method\": " << json_string(std::string(hull_method_name(c.hull_method)))
              << ", \"ties_nest\": "
              << (c.nesting ? json_list(std::vector<std::uint32_t>{c.nesting->first, c.nesting->second},
                                        [&](std::uint32_t k) { return json_string(p.nodes[k].name); })
                            : std::string("null"))
              << "}\n";
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
