// `selgrad grad`: the reference engine (exact, or certified MPFR) and the double engine, printed
// by one set of helpers (output.hpp): outputs, the Jacobian and the branch signature the same way
// for every engine, with what only one engine has (enclosure widths, certificates) added.
#include <cmath>
#include <optional>
#include <sstream>

#include "selgrad/certify/certify.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace selgrad::cli {

using namespace selgrad::reference;

namespace {

/// The result of either engine, as the printers take it.
template <class T>
struct GradReport {
  std::vector<T> outputs;
  Matrix<T> jacobian;
  BranchSignature branches;
  std::vector<DecisionNote> notes;  ///< empty: each decision's own certainty
  std::string header;               ///< the first line of the text form
  std::vector<std::string> trailer; ///< lines after the Jacobian (text form)
  Json extra = Json::object();      ///< keys after outputs, jacobian and branches (JSON form)
  std::optional<Certificate> certificate;  ///< the double engine's, with --certify (notes point into it)
};

template <class T>
int print(const Program& p, const GradReport<T>& r, bool json) {
  if (json) {
    Json j;
    j["outputs"] = json_list(r.outputs);
    j["jacobian"] = json_matrix(r.jacobian);
    j["branches"] = json_branches(p, r.branches, r.notes);
    for (auto& [key, value] : r.extra.items()) j[key] = value;
    print_json(j);
    return 0;
  }
  std::cout << r.header << "\n";
  print_outputs_text(p, r.outputs);
  std::cout << "jacobian (rows: outputs, columns: " << input_names(p) << "):\n";
  print_matrix_text(p, r.jacobian, "  ");
  for (const auto& line : r.trailer) std::cout << line << "\n";
  print_branches_text(p, r.branches, r.notes);
  return 0;
}

std::string mode_name(JacobianMode m) { return m == JacobianMode::Forward ? "forward" : "backward"; }

/// grad --engine fast: the double engine at the point rounded to doubles; with --certify, each
/// decision and the gradient of that result checked against the reference (certify/).
int grad_fast(const Args& a, const Program& p, JacobianMode mode, bool json) {
  for (const char* opt : {"prec", "max-prec", "max-bits", "max-total-bits"})
    if (a.options.count(opt)) throw UsageError{std::string("--") + opt + " applies to the reference engine only"};
  std::vector<double> x;
  bool rounded = false;
  for (const auto& l : parse_point(need(a, "at"))) {
    x.push_back(fast::literal_to_double(l));
    // A value beyond double's range rounds to infinity, which has no rational value: the double
    // engine reports the input (a NaN or infinite input is a domain error naming it).
    rounded |= !std::isfinite(x.back()) || Rational(x.back()) != to_rational(l);
  }
  fast::CompileLimits limits;
  limits.max_sweep_edges = number_option(a, "max-sweep-edges", limits.max_sweep_edges, 1, std::size_t{1} << 40);
  fast::PointEvaluator eval(fast::compile(p, limits), mode);
  fast::PointResult result;
  eval.evaluate(x, result);  // checks the point's size (Usage) and its values (Domain)

  GradReport<double> r;
  r.outputs = result.outputs;
  for (std::size_t j = 0; j < p.q(); ++j)
    r.jacobian.emplace_back(result.jacobian.begin() + static_cast<std::ptrdiff_t>(j * p.p()),
                            result.jacobian.begin() + static_cast<std::ptrdiff_t>((j + 1) * p.p()));
  for (std::size_t s = 0; s < result.pieces.size(); ++s)
    r.branches.decisions.push_back(
        {eval.tape().selection_node[s], {result.pieces[s], result.ties[s] != 0}, Certainty::Exact});
  r.header = "engine: fast (double precision, " + mode_name(mode) + " mode)" +
             (rounded ? "; the point was rounded to the nearest doubles" : "");
  r.notes.assign(r.branches.decisions.size(), DecisionNote{});  // decided in double: no certainty
  r.extra["engine"] = "fast";
  r.extra["mode"] = mode_name(mode);
  r.extra["point_rounded"] = rounded;
  if (a.options.count("certify")) {
    CertifyOptions co;
    co.mode = mode;
    const Certificate& cert = r.certificate.emplace(certify(p, x, result, co));
    for (std::size_t s = 0; s < r.notes.size(); ++s) r.notes[s].cert = &cert.decisions[s];
    Json c;
    c["decisions_certified"] = cert.certified;
    c["decisions"] = cert.decisions.size();
    c["disagreements"] = cert.disagreements;
    c["gradient_within_bound"] = cert.gradient_within_bound;
    put_double(c, "error_bound", cert.error_bound);
    put_double(c, "error", cert.error);
    c["underflow"] = cert.underflow;
    r.extra["certificate"] = std::move(c);
    if (cert.underflow)
      r.trailer.push_back(
          "certificate: values reach double's subnormal range, where the 53-bit enclosures do not model the double "
          "engine's underflow: what follows is not a proof");
    std::ostringstream line;
    line << "certificate: " << cert.certified << " of " << cert.decisions.size() << " decisions certified, "
         << cert.disagreements << " disagreeing with the exact decisions; gradient "
         << (cert.gradient_within_bound ? "within" : "OUTSIDE") << " its error bound (" << cert.error_bound
         << "), distance to the exact selection Jacobian <= " << cert.error;
    r.trailer.push_back(line.str());
  }
  return print(p, r, json);
}

}  // namespace

int cmd_grad(const Args& a) {
  allow_only(a, {"at", "engine", "mode", "json", "prec", "max-prec", "max-bits", "max-total-bits", "certify",
                 "max-sweep-edges"});
  const std::string engine = a.options.count("engine") ? a.options.at("engine") : "reference";
  if (engine != "reference" && engine != "fast")
    throw UsageError{"--engine must be reference or fast, got '" + engine + "'"};
  const std::string mode_text = a.options.count("mode") ? a.options.at("mode") : "backward";
  if (mode_text != "backward" && mode_text != "forward")
    throw UsageError{"--mode must be backward or forward, got '" + mode_text + "'"};
  const JacobianMode mode = mode_text == "forward" ? JacobianMode::Forward : JacobianMode::Backward;
  const bool json = a.options.count("json") > 0;
  if (engine == "fast") {
    const Program p = read_program(a);
    return grad_fast(a, p, mode, json);
  }
  if (a.options.count("certify")) throw UsageError{"--certify applies to --engine fast"};
  if (a.options.count("max-sweep-edges")) throw UsageError{"--max-sweep-edges applies to --engine fast"};
  Options o = engine_options(a);
  o.mode = mode;
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = read_program(a);

  if (!p.transcendental()) {
    ExactResult e = evaluate_exact(p, x, o);  // checks the point's size
    GradReport<Rational> r{std::move(e.outputs), std::move(e.jacobian), std::move(e.branches)};
    r.header = "arithmetic: exact rational, " + mode_name(mode) + " mode";
    r.extra["arithmetic"] = "exact";
    r.extra["mode"] = mode_name(mode);
    return print(p, r, json);
  }
  RealResult e = evaluate_real(p, x, o);
  // Width of the widest enclosure: how far any printed value can be from the exact one.
  double width = 0;
  for (const auto& enc : e.output_enclosures) width = std::max(width, enc.width());
  for (const auto& row : e.jacobian_enclosures)
    for (const auto& enc : row) width = std::max(width, enc.width());
  const bool certified = e.branches.all_certified();
  GradReport<Real> r{std::move(e.outputs), std::move(e.jacobian), std::move(e.branches)};
  r.header = "arithmetic: MPFR, " + std::to_string(e.precision) + " bits, " + mode_name(mode) +
             " mode; branch decisions " + (certified ? "all certified" : "NOT all certified (see below)");
  std::ostringstream w;
  w << "every printed value is within " << width << " of the exact value (interval enclosures)";
  r.trailer.push_back(w.str());
  r.extra["arithmetic"] = "mpfr";
  r.extra["precision"] = e.precision;
  r.extra["all_certified"] = certified;
  put_double(r.extra, "max_enclosure_width", width);  // a width beyond double's range: null, and why
  r.extra["mode"] = mode_name(mode);
  return print(p, r, json);
}

}  // namespace selgrad::cli
