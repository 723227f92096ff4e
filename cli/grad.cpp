// `selgrad grad`: the reference engine (exact, or certified MPFR) and the double engine.
#include <cmath>

#include "selgrad/fast/certify.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

namespace {

/// grad --engine fast: the double engine at the point rounded to doubles; with --certify, each
/// decision and the gradient checked against the reference (fast/certify.hpp).
int cmd_grad_fast(const Args& a, const std::string& mode) {
  const fast::JacobianMode jmode = mode == "forward" ? fast::JacobianMode::Forward : fast::JacobianMode::Reverse;
  for (const char* opt : {"prec", "max-prec", "max-bits", "max-total-bits"})
    if (a.options.count(opt)) throw UsageError{std::string("--") + opt + " applies to the reference engine only"};
  const std::vector<Literal> lits = parse_point(need(a, "at"));
  const Program p = read_program(a);
  if (lits.size() != p.p())
    throw Error(ErrorKind::Usage, {},
                "the program has " + std::to_string(p.p()) + " inputs but the point has " + std::to_string(lits.size()) + " values");
  std::vector<double> x;
  bool rounded = false;
  for (const auto& l : lits) {
    x.push_back(fast::literal_to_double(l));
    // A value beyond double's range rounds to infinity, which has no rational value: the double
    // engine reports the input (a NaN or infinite input is a domain error naming it).
    rounded |= !std::isfinite(x.back()) || Rational(x.back()) != to_rational(l);
  }
  const bool json = a.options.count("json") > 0, certify = a.options.count("certify") > 0;
  fast::CompileLimits limits;
  limits.max_sweep_edges = number_option(a, "max-sweep-edges", limits.max_sweep_edges, 1, std::size_t{1} << 40);
  fast::PointEvaluator eval(fast::compile(p, limits), jmode);
  fast::PointResult r;
  eval.evaluate(x, r);
  fast::Certificate cert;
  fast::CertifyOptions co;
  co.mode = jmode;
  if (certify) cert = fast::certify(p, x, co);
  const std::size_t np = p.p();
  BranchSignature sig;
  for (std::size_t s = 0; s < r.pieces.size(); ++s)
    sig.decisions.push_back({eval.tape().selection_node[s], {r.pieces[s], r.ties[s] != 0}, Certainty::Exact});
  if (json) {
    Json j;
    j["outputs"] = json_list(r.outputs);
    j["jacobian"] = json_matrix(r.jacobian, p.q(), np);
    Json branches = Json::array();
    for (std::size_t s = 0; s < sig.decisions.size(); ++s) {
      Json b = json_branch(p, sig.decisions[s]);
      if (certify) {
        b["certified"] = cert.decisions[s].certified;
        b["agrees_with_exact"] = cert.decisions[s].agrees;
        b["exact_certainty"] = std::string(certainty_name(cert.decisions[s].exact_certainty));
      }
      branches.push_back(std::move(b));
    }
    j["branches"] = std::move(branches);
    j["engine"] = "fast";
    j["mode"] = mode;
    j["point_rounded"] = rounded;
    if (certify) {
      Json c;
      c["decisions_certified"] = cert.certified;
      c["decisions"] = cert.decisions.size();
      c["disagreements"] = cert.disagreements;
      c["gradient_within_bound"] = cert.gradient_within_bound;
      put_double(c, "error_bound", cert.error_bound);
      put_double(c, "error", cert.error);
      c["underflow"] = cert.underflow;
      j["certificate"] = std::move(c);
    }
    print_json(j);
    return 0;
  }
  std::cout << "engine: fast (double precision, " << mode << " mode)";
  if (rounded) std::cout << "; the point was rounded to the nearest doubles";
  std::cout << "\noutputs:\n";
  for (std::size_t j = 0; j < p.q(); ++j) std::cout << "  " << p.nodes[p.outputs[j]].name << " = " << shortest(r.outputs[j]) << "\n";
  std::cout << "jacobian (rows: outputs, columns: " << input_names(p) << "):\n";
  for (std::size_t j = 0; j < p.q(); ++j) {
    std::cout << "  " << p.nodes[p.outputs[j]].name << ": [";
    for (std::size_t i = 0; i < np; ++i) std::cout << (i ? ", " : "") << shortest(r.jacobian[j * np + i]);
    std::cout << "]\n";
  }
  std::cout << "branches:" << (sig.decisions.empty() ? " (no selection nodes)" : "") << "\n";
  for (std::size_t s = 0; s < sig.decisions.size(); ++s) {
    const auto& d = sig.decisions[s];
    const Node& n = p.nodes[d.node];
    std::cout << "  " << n.name << " = " << op_name(n.op) << " (line " << n.line << "): piece " << piece_name(p, d)
              << (d.choice.tie ? ", tie" : "");
    if (certify)
      std::cout << (cert.decisions[s].certified ? ", certified" : ", NOT certified (near tie)")
                << (cert.decisions[s].agrees ? "" : ", DISAGREES with the exact decision")
                << (cert.decisions[s].exact_certainty == Certainty::Uncertified ? " (the exact decision is itself undecided)" : "");
    std::cout << "\n";
  }
  if (certify && cert.underflow)
    std::cout << "certificate: values reach double's subnormal range, where the 53-bit enclosures do not model "
                 "the double engine's underflow: what follows is not a proof\n";
  if (certify)
    std::cout << "certificate: " << cert.certified << " of " << cert.decisions.size() << " decisions certified, "
              << cert.disagreements << " disagreeing with the exact decisions; gradient "
              << (cert.gradient_within_bound ? "within" : "OUTSIDE") << " its error bound (" << cert.error_bound
              << "), distance to the exact selection Jacobian <= " << cert.error << "\n";
  return 0;
}

}  // namespace

int cmd_grad(const Args& a) {
  allow_only(a, {"at", "engine", "mode", "json", "prec", "max-prec", "max-bits", "max-total-bits", "certify",
                 "max-sweep-edges"});
  const std::string engine = a.options.count("engine") ? a.options.at("engine") : "reference";
  if (engine != "reference" && engine != "fast")
    throw UsageError{"--engine must be reference or fast, got '" + engine + "'"};
  if (engine == "fast") {
    const std::string fmode = a.options.count("mode") ? a.options.at("mode") : "backward";
    if (fmode != "backward" && fmode != "forward")
      throw UsageError{"--mode must be backward or forward, got '" + fmode + "'"};
    return cmd_grad_fast(a, fmode);
  }
  if (a.options.count("certify")) throw UsageError{"--certify applies to --engine fast"};
  if (a.options.count("max-sweep-edges")) throw UsageError{"--max-sweep-edges applies to --engine fast"};
  Options o = engine_options(a);
  const std::string mode = a.options.count("mode") ? a.options.at("mode") : "backward";
  if (mode == "forward") o.mode = Mode::Forward;
  else if (mode != "backward") throw UsageError{"--mode must be backward or forward, got '" + mode + "'"};
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = read_program(a);
  const bool json = a.options.count("json") > 0;

  if (!p.transcendental()) {
    const ExactResult r = evaluate_exact(p, x, o);
    if (json) {
      Json j = json_result(p, r.outputs, r.jacobian, r.branches);
      j["arithmetic"] = "exact";
      j["mode"] = mode;
      print_json(j);
      return 0;
    }
    std::cout << "arithmetic: exact rational, " << mode << " mode\n";
    print_outputs_text(p, r.outputs);
    std::cout << "jacobian (rows: outputs, columns: " << input_names(p) << "):\n";
    print_matrix_text(p, r.jacobian, "  ");
    print_branches_text(p, r.branches);
    return 0;
  }
  const RealResult r = evaluate_real(p, x, o);
  // Width of the widest enclosure: how far any printed value can be from the exact one.
  double width = 0;
  for (const auto& e : r.output_enclosures) width = std::max(width, e.width());
  for (const auto& row : r.jacobian_enclosures)
    for (const auto& e : row) width = std::max(width, e.width());
  if (json) {
    Json j = json_result(p, r.outputs, r.jacobian, r.branches);
    j["arithmetic"] = "mpfr";
    j["precision"] = r.precision;
    j["all_certified"] = r.branches.all_certified();
    put_double(j, "max_enclosure_width", width);  // a width beyond double's range: null, and why
    j["mode"] = mode;
    print_json(j);
    return 0;
  }
  std::cout << "arithmetic: MPFR, " << r.precision << " bits, " << mode << " mode; branch decisions "
            << (r.branches.all_certified() ? "all certified" : "NOT all certified (see below)") << "\n";
  print_outputs_text(p, r.outputs);
  std::cout << "jacobian (rows: outputs, columns: " << input_names(p) << "):\n";
  print_matrix_text(p, r.jacobian, "  ");
  std::cout << "every printed value is within " << width << " of the exact value (interval enclosures)\n";
  print_branches_text(p, r.branches);
  return 0;
}

}  // namespace selgrad::cli
