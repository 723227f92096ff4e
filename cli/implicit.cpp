// `selgrad implicit` (IMP): F(X, Y) = 0 checked, -B^-1 A from a selection Jacobian [A B] of F,
// and the hypothesis of the nonsmooth implicit function theorem on the tie closure.
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/implicit.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

namespace {

Json json_hypothesis(const HullInvertibility& h) {
  Json j;
  j["verdict"] = std::string(verdict_name(h.verdict));
  j["reason"] = h.reason;
  j["witness"] = h.witness.empty() ? Json(nullptr) : json_list(h.witness);
  return j;
}

void print_hypothesis_text(const HullInvertibility& h) {
  std::cout << "hypothesis of the implicit rule (every B in the convex hull of the closure's B matrices is "
               "invertible): "
            << verdict_name(h.verdict) << "\n  " << h.reason << "\n";
}

/// F's values, the blocks A and B of its selection Jacobian and -B^-1 A, as text (the exact and
/// the MPFR results have the same fields).
template <class Result>
void print_implicit_blocks(const Program& p, const Result& r, const std::string& params,
                           const std::string& unknowns, std::size_t n) {
  for (std::size_t i = 0; i < r.outputs.size(); ++i)
    std::cout << "  " << p.nodes[p.outputs[i]].name << " = " << text(r.outputs[i]) << "\n";
  std::cout << "parameters: " << params << "; unknowns: " << unknowns << "\n";
  std::cout << "A = dF/d(" << params << "):\n";
  print_matrix_text(p, r.a, "  ");
  std::cout << "B = dF/d(" << unknowns << "):\n";
  print_matrix_text(p, r.b, "  ");
  std::cout << "implicit jacobian -B^-1 A (rows: " << unknowns << "; columns: " << params << "):\n";
  print_labelled_text(p, r.jacobian, n, "  ");
}

}  // namespace

int cmd_implicit(const Args& a) {
  allow_only(a, {"params", "at", "solution", "json", "prec", "max-prec", "max-bits", "max-total-bits", "closure-cap"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  need(a, "params");
  const std::size_t n = number_option(a, "params", 0, 1, std::size_t{1} << 20);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const std::vector<Rational> y = to_point(parse_point(need(a, "solution")));
  const Program p = read_program(a);
  // --params is this command's own option, so its message names it; the engines check the other
  // shapes (parameters, solution, outputs) and name what is wrong.
  if (n >= p.p())
    throw UsageError{"--params " + std::to_string(n) + " must be smaller than the program's " +
                     std::to_string(p.p()) + " inputs (the inputs after the parameters are the unknowns)"};
  const bool json = a.options.count("json") > 0;
  const std::string params = names_between(p, 0, n), unknowns = names_between(p, n, p.p());

  if (!p.transcendental()) {
    // The closure and the hypothesis; a closure above the cap leaves the hypothesis undecided.
    std::optional<ImplicitClosure> c;
    HullInvertibility h;
    try {
      c = implicit_closure(p, n, x, y, o);
      h = c->hypothesis;
    } catch (const selgrad::Error& e) {
      if (e.kind() != ErrorKind::Resource) throw;
      h.reason = "the tie closure was not enumerated: " + e.reason();
    }
    std::optional<ImplicitResult> rr;
    try {
      rr = implicit_jacobian(p, n, x, y, o);
    } catch (const selgrad::Error& e) {
      // B singular: say what the closure shows too.
      if (e.kind() != ErrorKind::Domain || !c) throw;
      throw selgrad::Error(e.kind(), e.where(),
                           e.reason() + "\nover the tie closure (" + std::to_string(c->b.size()) + (c->b.size() == 1 ? " Jacobian, " : " Jacobians, ") +
                               std::to_string(c->singular.size()) + " with B singular) the hypothesis " +
                               std::string(verdict_name(h.verdict)) + ": " + h.reason);
    }
    const ImplicitResult& r = *rr;
    if (json) {
      Json j = json_result(p, r.outputs, r.jacobian, r.branches);
      j["arithmetic"] = "exact";
      j["zero_check"] = "exact";
      j["parameters"] = json_names(p, 0, n);
      j["unknowns"] = json_names(p, n, p.p());
      j["a_matrix"] = json_matrix(r.a);
      j["b_matrix"] = json_matrix(r.b);
      if (c) {
        Json jacobians = Json::array(), bs = Json::array();
        for (const auto& m : c->jacobians) jacobians.push_back(m ? json_matrix(*m) : Json(nullptr));
        for (const auto& b : c->b) bs.push_back(json_matrix(b));
        j["closure_jacobians"] = std::move(jacobians);
        j["closure_b_matrices"] = std::move(bs);
        j["combinations"] = c->closure.combinations;
      }
      j["hypothesis"] = json_hypothesis(h);
      print_json(j);
      return 0;
    }
    std::cout << "arithmetic: exact rational\n";
    std::cout << "F(X, Y) = 0, checked exactly:\n";
    print_implicit_blocks(p, r, params, unknowns, n);
    print_branches_text(p, r.branches);
    if (c) {
      const std::size_t k = c->jacobians.size();
      std::cout << "tie closure: " << k << " distinct selection Jacobian" << (k == 1 ? "" : "s") << " [A B] over "
                << c->closure.combinations << " branch combination" << (c->closure.combinations == 1 ? "" : "s")
                << ", " << c->singular.size() << " with B singular; -B^-1 A for each:\n";
      for (std::size_t i = 0; i < k; ++i) {
        std::cout << "  #" << i + 1;
        if (!c->jacobians[i]) {
          std::cout << " B singular:\n";
          print_matrix_text(p, c->b[i], "    ");
          continue;
        }
        std::cout << "\n";
        print_labelled_text(p, *c->jacobians[i], n, "    ");
      }
    }
    print_hypothesis_text(h);
    return 0;
  }

  const RealImplicitResult r = implicit_jacobian_real(p, n, x, y, o);
  double zero_width = 0, width = 0;
  for (const auto& e : r.output_enclosures) zero_width = std::max(zero_width, e.width());
  for (const auto& row : r.jacobian_enclosures)
    for (const auto& e : row) width = std::max(width, e.width());
  // Without ties the closure is the one Jacobian; with ties in an exp/log program it is not
  // enumerated (the tie closure is exact rational only).
  HullInvertibility h;
  if (r.branches.tie_count() == 0 && r.branches.all_certified()) {
    h.verdict = Verdict::Holds;
    h.reason = "no selection node is tied at (X, Y), so the closure is the one Jacobian [A B], and B was certified "
               "nonsingular by the interval elimination";
  } else {
    h.reason = r.branches.all_certified()
                   ? "some selection node is tied at (X, Y); the tie closure of an exp/log program is not enumerated"
                   : "some branch decision is not certified at the precision cap";
  }
  if (json) {
    Json j = json_result(p, r.outputs, r.jacobian, r.branches);
    j["arithmetic"] = "mpfr";
    j["precision"] = r.precision;
    j["zero_check"] = "certified_within_enclosure";
    put_double(j, "zero_enclosure_width", zero_width);
    put_double(j, "max_enclosure_width", width);
    j["all_certified"] = r.branches.all_certified();
    j["parameters"] = json_names(p, 0, n);
    j["unknowns"] = json_names(p, n, p.p());
    j["a_matrix"] = json_matrix(r.a);
    j["b_matrix"] = json_matrix(r.b);
    j["hypothesis"] = json_hypothesis(h);
    print_json(j);
    return 0;
  }
  std::cout << "arithmetic: MPFR, " << r.precision << " bits; branch decisions "
            << (r.branches.all_certified() ? "all certified" : "NOT all certified (see below)") << "\n";
  std::cout << "F(X, Y) = 0 within its enclosures (each contains 0, width <= " << zero_width
            << "): certified to that width, not exactly:\n";
  print_implicit_blocks(p, r, params, unknowns, n);
  std::cout << "every printed entry of -B^-1 A is within " << width
            << " of the exact value for these branches (interval elimination)\n";
  print_branches_text(p, r.branches);
  print_hypothesis_text(h);
  return 0;
}

}  // namespace selgrad::cli
