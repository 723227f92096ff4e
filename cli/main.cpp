// The `selgrad` command (shared/spec: program-format, "Command-line contract").
//
//   selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward] [--json]
//                     [--prec BITS] [--max-prec BITS] [--max-bits BITS]
//   selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]
//   selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]
//                    [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--closure-cap N]
//
// Exit status: 0 success, 1 program or domain error (message on stderr), 2 bad usage.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "selgrad/fast/certify.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"
#include "selgrad/reference/implicit.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::reference;

constexpr const char* kUsage =
    "usage:\n"
    "  selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward]\n"
    "               [--json] [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--certify]\n"
    "  selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]\n"
    "  selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]\n"
    "                   [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--closure-cap N]\n"
    "\n"
    "Numbers are exact: 1/3, -2/7, 0.1 (= 1/10), 1e-3. Programs without exp/log run in exact\n"
    "rational arithmetic; others in MPFR (default 256 bits) with every branch decision\n"
    "certified by interval enclosures.\n";

struct UsageError {
  std::string message;
};

struct Args {
  std::string command, file;
  std::map<std::string, std::string> options;  // --name -> value ("" for flags)
};

bool is_flag(const std::string& name) { return name == "json" || name == "help" || name == "certify"; }

Args parse_args(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0 && s.size() > 2) {
      std::string name = s.substr(2), value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (!is_flag(name)) {
        // The value is the next argument, even when it starts with '-' (--at -1/2,3).
        if (i + 1 >= argc) throw UsageError{"option --" + name + " needs a value"};
        value = argv[++i];
      }
      if (a.options.count(name)) throw UsageError{"option --" + name + " given twice"};
      a.options[name] = value;
    } else {
      positional.push_back(s);
    }
  }
  if (a.options.count("help")) return a;
  if (positional.empty()) throw UsageError{"missing command (grad, closure or implicit)"};
  a.command = positional[0];
  if (positional.size() < 2) throw UsageError{"missing program FILE"};
  if (positional.size() > 2) throw UsageError{"unexpected argument '" + positional[2] + "'"};
  a.file = positional[1];
  return a;
}

void allow_only(const Args& a, std::initializer_list<const char*> names) {
  for (const auto& [name, value] : a.options) {
    bool ok = false;
    for (const char* n : names) ok = ok || name == n;
    if (!ok) throw UsageError{"unknown option --" + name + " for '" + a.command + "'"};
  }
}

std::string need(const Args& a, const std::string& name) {
  auto it = a.options.find(name);
  if (it == a.options.end()) throw UsageError{"missing --" + name};
  return it->second;
}

std::size_t number_option(const Args& a, const std::string& name, std::size_t fallback,
                          std::size_t lo, std::size_t hi) {
  auto it = a.options.find(name);
  if (it == a.options.end()) return fallback;
  const std::string& s = it->second;
  std::size_t v = 0;
  bool ok = !s.empty() && s.size() < 19;
  for (char c : s) ok = ok && c >= '0' && c <= '9';
  if (ok) v = std::stoull(s);
  if (!ok || v < lo || v > hi)
    throw UsageError{"--" + name + " must be an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got '" + s + "'"};
  return v;
}

// ---- output -------------------------------------------------------------------------------

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // names and numbers never contain these
    out += c;
  }
  return out + "\"";
}

template <class T, class F>
std::string json_list(const std::vector<T>& v, F&& item) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
  return s + "]";
}

std::string json_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string text(const Rational& r) { return to_string(r); }
std::string text(const Real& r) { return r.to_string(); }

template <class T>
std::string json_matrix(const Matrix<T>& m) {
  return json_list(m, [](const std::vector<T>& row) {
    return json_list(row, [](const T& x) { return json_string(text(x)); });
  });
}

std::string json_branches(const Program& p, const BranchSignature& s) {
  return json_list(s.decisions, [&](const BranchDecision& d) {
    const Node& n = p.nodes[d.node];
    return "{\"node\": " + json_string(n.name) + ", \"op\": " + json_string(std::string(op_name(n.op))) +
           ", \"line\": " + std::to_string(n.line) + ", \"piece\": " + json_string(piece_name(p, d)) +
           ", \"tie\": " + (d.choice.tie ? "true" : "false") +
           ", \"certainty\": " + json_string(std::string(certainty_name(d.certainty))) + "}";
  });
}

void print_branches_text(const Program& p, const BranchSignature& s) {
  std::cout << "branches:";
  if (s.decisions.empty()) std::cout << " (no selection nodes)";
  std::cout << "\n";
  for (const auto& d : s.decisions) {
    const Node& n = p.nodes[d.node];
    std::cout << "  " << n.name << " = " << op_name(n.op) << " (line " << n.line << "): piece "
              << piece_name(p, d);
    if (d.certainty == Certainty::Uncertified)
      std::cout << ", UNDECIDED at the precision cap: the tie rule's piece was taken\n";
    else
      std::cout << (d.choice.tie ? ", tie" : "") << ", " << certainty_name(d.certainty) << "\n";
  }
}

std::string input_names(const Program& p) {
  std::string s;
  for (std::size_t i = 0; i < p.p(); ++i) s += (i ? " " : "") + p.nodes[i].name;
  return s;
}

template <class T>
void print_matrix_text(const Program& p, const Matrix<T>& m, const std::string& indent) {
  for (std::size_t r = 0; r < m.size(); ++r) {
    std::cout << indent << p.nodes[p.outputs[r]].name << ": [";
    for (std::size_t c = 0; c < m[r].size(); ++c) std::cout << (c ? ", " : "") << text(m[r][c]);
    std::cout << "]\n";
  }
}

template <class T>
void print_outputs_text(const Program& p, const std::vector<T>& outs) {
  std::cout << "outputs:\n";
  for (std::size_t i = 0; i < outs.size(); ++i)
    std::cout << "  " << p.nodes[p.outputs[i]].name << " = " << text(outs[i]) << "\n";
}

// ---- commands -----------------------------------------------------------------------------

Options engine_options(const Args& a) {
  Options o;
  o.max_operand_bits = number_option(a, "max-bits", o.max_operand_bits, 64, std::size_t{1} << 40);
  o.precision = static_cast<mpfr_prec_t>(number_option(a, "prec", 256, 8, 1 << 24));
  o.max_precision = static_cast<mpfr_prec_t>(
      number_option(a, "max-prec", std::max<std::size_t>(4096, static_cast<std::size_t>(o.precision)),
                    static_cast<std::size_t>(o.precision), 1 << 24));
  return o;
}

/// Shortest decimal that reads back as the same double.
std::string shortest(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string json_double(double x) {
  if (!std::isfinite(x)) return json_string(shortest(x));  // JSON has no inf / nan
  return shortest(x);
}

/// grad --engine fast: the double engine at the point rounded to doubles; with --certify, each
/// decision and the gradient checked against the reference (fast/certify.hpp).
int cmd_grad_fast(const Args& a, const std::string& mode) {
  if (mode != "backward")
    throw UsageError{"the fast engine computes the Jacobian in reverse mode only (q backward sweeps); drop --mode forward"};
  for (const char* opt : {"prec", "max-prec", "max-bits"})
    if (a.options.count(opt)) throw UsageError{std::string("--") + opt + " applies to the reference engine only"};
  const std::vector<Literal> lits = parse_point(need(a, "at"));
  const Program p = parse_program_file(a.file);
  if (lits.size() != p.p())
    throw Error(ErrorKind::Usage, {},
                "the program has " + std::to_string(p.p()) + " inputs but the point has " + std::to_string(lits.size()) + " values");
  std::vector<double> x;
  bool rounded = false;
  for (const auto& l : lits) {
    x.push_back(fast::literal_to_double(l));
    rounded |= Rational(x.back()) != to_rational(l);
  }
  const bool json = a.options.count("json") > 0, certify = a.options.count("certify") > 0;
  fast::PointEvaluator eval(fast::compile(p));
  fast::PointResult r;
  eval.evaluate(x, r);
  fast::Certificate cert;
  if (certify) cert = fast::certify(p, x);
  const std::size_t np = p.p();
  BranchSignature sig;
  for (std::size_t s = 0; s < r.pieces.size(); ++s)
    sig.decisions.push_back({eval.tape().selection_node[s], {r.pieces[s], r.ties[s] != 0}, Certainty::Exact});
  if (json) {
    std::cout << "{\"outputs\": " << json_list(r.outputs, json_double) << ", \"jacobian\": [";
    for (std::size_t j = 0; j < p.q(); ++j) {
      std::cout << (j ? ", " : "") << "[";
      for (std::size_t i = 0; i < np; ++i) std::cout << (i ? ", " : "") << json_double(r.jacobian[j * np + i]);
      std::cout << "]";
    }
    std::cout << "], \"branches\": [";
    for (std::size_t s = 0; s < sig.decisions.size(); ++s) {
      const auto& d = sig.decisions[s];
      const Node& n = p.nodes[d.node];
      std::cout << (s ? ", " : "") << "{\"node\": " << json_string(n.name) << ", \"op\": "
                << json_string(std::string(op_name(n.op))) << ", \"line\": " << n.line
                << ", \"piece\": " << json_string(piece_name(p, d)) << ", \"tie\": " << (d.choice.tie ? "true" : "false");
      if (certify)
        std::cout << ", \"certified\": " << (cert.decisions[s].certified ? "true" : "false")
                  << ", \"agrees_with_exact\": " << (cert.decisions[s].agrees ? "true" : "false")
                  << ", \"exact_certainty\": " << json_string(std::string(certainty_name(cert.decisions[s].exact_certainty)));
      std::cout << "}";
    }
    std::cout << "], \"engine\": \"fast\", \"point_rounded\": " << (rounded ? "true" : "false");
    if (certify)
      std::cout << ", \"certificate\": {\"decisions_certified\": " << cert.certified
                << ", \"decisions\": " << cert.decisions.size() << ", \"disagreements\": " << cert.disagreements
                << ", \"gradient_within_bound\": " << (cert.gradient_within_bound ? "true" : "false")
                << ", \"error_bound\": " << json_double(cert.error_bound) << ", \"error\": " << json_double(cert.error) << "}";
    std::cout << "}\n";
    return 0;
  }
  std::cout << "engine: fast (double precision, reverse mode)";
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
  if (certify)
    std::cout << "certificate: " << cert.certified << " of " << cert.decisions.size() << " decisions certified, "
              << cert.disagreements << " disagreeing with the exact decisions; gradient "
              << (cert.gradient_within_bound ? "within" : "OUTSIDE") << " its error bound (" << cert.error_bound
              << "), distance to the exact selection Jacobian <= " << cert.error << "\n";
  return 0;
}

int cmd_grad(const Args& a) {
  allow_only(a, {"at", "engine", "mode", "json", "prec", "max-prec", "max-bits", "certify"});
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
  Options o = engine_options(a);
  const std::string mode = a.options.count("mode") ? a.options.at("mode") : "backward";
  if (mode == "forward") o.mode = Mode::Forward;
  else if (mode != "backward") throw UsageError{"--mode must be backward or forward, got '" + mode + "'"};
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = parse_program_file(a.file);
  const bool json = a.options.count("json") > 0;

  if (!p.transcendental()) {
    const ExactResult r = evaluate_exact(p, x, o);
    if (json) {
      std::cout << "{\"outputs\": " << json_list(r.outputs, [](const Rational& v) { return json_string(text(v)); })
                << ", \"jacobian\": " << json_matrix(r.jacobian)
                << ", \"branches\": " << json_branches(p, r.branches)
                << ", \"arithmetic\": \"exact\", \"mode\": " << json_string(mode) << "}\n";
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
    std::cout << "{\"outputs\": " << json_list(r.outputs, [](const Real& v) { return json_string(text(v)); })
              << ", \"jacobian\": " << json_matrix(r.jacobian)
              << ", \"branches\": " << json_branches(p, r.branches)
              << ", \"arithmetic\": \"mpfr\", \"precision\": " << r.precision
              << ", \"all_certified\": " << (r.branches.all_certified() ? "true" : "false")
              << ", \"max_enclosure_width\": " << json_number(width)
              << ", \"mode\": " << json_string(mode) << "}\n";
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

int cmd_closure(const Args& a) {
  allow_only(a, {"at", "json", "closure-cap", "max-bits"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const Program p = parse_program_file(a.file);
  const TieClosure c = tie_closure(p, x, o);
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
              << ", \"combinations\": " << c.combinations << "}\n";
    return 0;
  }
  print_outputs_text(p, c.at_point.outputs);
  std::cout << "AD at this point (tie rules):\n";
  print_matrix_text(p, c.at_point.jacobian, "  ");
  std::cout << "tied nodes:";
  for (auto k : c.tied_nodes) std::cout << " " << p.nodes[k].name;
  if (c.tied_nodes.empty()) std::cout << " (none)";
  std::cout << "\n" << c.jacobians.size() << " distinct selection Jacobian" << (c.jacobians.size() == 1 ? "" : "s")
            << " over " << c.combinations << " branch combination" << (c.combinations == 1 ? "" : "s") << ":\n";
  for (std::size_t i = 0; i < c.jacobians.size(); ++i) {
    std::cout << "  #" << i + 1 << "\n";
    print_matrix_text(p, c.jacobians[i], "    ");
  }
  if (c.zero_in_hull)
    std::cout << "0 in the convex hull: " << (*c.zero_in_hull ? "yes (selection critical)" : "no") << "\n";
  return 0;
}

// IMP: `implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym`. F has the n parameters and
// then the m unknowns as inputs, and m outputs.
template <class T>
void print_labelled_text(const Program& p, const Matrix<T>& m, std::size_t first_label, const std::string& indent) {
  for (std::size_t r = 0; r < m.size(); ++r) {
    std::cout << indent << p.nodes[first_label + r].name << ": [";
    for (std::size_t c = 0; c < m[r].size(); ++c) std::cout << (c ? ", " : "") << text(m[r][c]);
    std::cout << "]\n";
  }
}

std::string names_between(const Program& p, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (i > from ? " " : "") + p.nodes[i].name;
  return s;
}

std::string json_names(const Program& p, std::size_t from, std::size_t to) {
  std::vector<std::string> v;
  for (std::size_t i = from; i < to; ++i) v.push_back(p.nodes[i].name);
  return json_list(v, [](const std::string& s) { return json_string(s); });
}

std::string json_hypothesis(const HullInvertibility& h) {
  return "{\"verdict\": " + json_string(std::string(verdict_name(h.verdict))) +
         ", \"reason\": " + json_string(h.reason) + ", \"witness\": " +
         (h.witness.empty() ? std::string("null")
                            : json_list(h.witness, [](const Rational& w) { return json_string(text(w)); })) +
         "}";
}

void print_hypothesis_text(const HullInvertibility& h) {
  std::cout << "hypothesis of the implicit rule (every B in the convex hull of the closure's B matrices is "
               "invertible): "
            << verdict_name(h.verdict) << "\n  " << h.reason << "\n";
}

int cmd_implicit(const Args& a) {
  allow_only(a, {"params", "at", "solution", "json", "prec", "max-prec", "max-bits", "closure-cap"});
  Options o = engine_options(a);
  o.max_closure_combinations = number_option(a, "closure-cap", o.max_closure_combinations, 1, std::size_t{1} << 32);
  need(a, "params");
  const std::size_t n = number_option(a, "params", 0, 1, std::size_t{1} << 20);
  const std::vector<Rational> x = to_point(parse_point(need(a, "at")));
  const std::vector<Rational> y = to_point(parse_point(need(a, "solution")));
  const Program p = parse_program_file(a.file);
  if (n >= p.p())
    throw UsageError{"--params " + std::to_string(n) + " must be smaller than the program's " +
                     std::to_string(p.p()) + " inputs (the inputs after the parameters are the unknowns)"};
  const std::size_t m = p.p() - n;
  if (x.size() != n)
    throw UsageError{"--at has " + std::to_string(x.size()) + " values, expected " + std::to_string(n) +
                     " (the parameters " + names_between(p, 0, n) + ")"};
  if (y.size() != m)
    throw UsageError{"--solution has " + std::to_string(y.size()) + " values, expected " + std::to_string(m) +
                     " (the unknowns " + names_between(p, n, p.p()) + ")"};
  if (p.q() != m)
    throw UsageError{"F must have as many outputs as unknowns: " + std::to_string(m) + " unknowns (" +
                     names_between(p, n, p.p()) + ") but " + std::to_string(p.q()) + " outputs"};
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
      std::cout << "{\"outputs\": " << json_list(r.outputs, [](const Rational& v) { return json_string(text(v)); })
                << ", \"jacobian\": " << json_matrix(r.jacobian)
                << ", \"branches\": " << json_branches(p, r.branches)
                << ", \"arithmetic\": \"exact\", \"zero_check\": \"exact\""
                << ", \"parameters\": " << json_names(p, 0, n) << ", \"unknowns\": " << json_names(p, n, p.p())
                << ", \"a_matrix\": " << json_matrix(r.a) << ", \"b_matrix\": " << json_matrix(r.b);
      if (c) {
        std::cout << ", \"closure_jacobians\": "
                  << json_list(c->jacobians,
                               [](const std::optional<Matrix<Rational>>& j) { return j ? json_matrix(*j) : "null"; })
                  << ", \"closure_b_matrices\": " << json_list(c->b, [](const Matrix<Rational>& b) { return json_matrix(b); })
                  << ", \"combinations\": " << c->closure.combinations;
      }
      std::cout << ", \"hypothesis\": " << json_hypothesis(h) << "}\n";
      return 0;
    }
    std::cout << "arithmetic: exact rational\n";
    std::cout << "F(X, Y) = 0, checked exactly:\n";
    for (std::size_t i = 0; i < r.outputs.size(); ++i)
      std::cout << "  " << p.nodes[p.outputs[i]].name << " = " << text(r.outputs[i]) << "\n";
    std::cout << "parameters: " << params << "; unknowns: " << unknowns << "\n";
    std::cout << "A = dF/d(" << params << "):\n";
    print_matrix_text(p, r.a, "  ");
    std::cout << "B = dF/d(" << unknowns << "):\n";
    print_matrix_text(p, r.b, "  ");
    std::cout << "implicit jacobian -B^-1 A (rows: " << unknowns << "; columns: " << params << "):\n";
    print_labelled_text(p, r.jacobian, n, "  ");
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
    std::cout << "{\"outputs\": " << json_list(r.outputs, [](const Real& v) { return json_string(text(v)); })
              << ", \"jacobian\": " << json_matrix(r.jacobian)
              << ", \"branches\": " << json_branches(p, r.branches)
              << ", \"arithmetic\": \"mpfr\", \"precision\": " << r.precision
              << ", \"zero_check\": \"certified_within_enclosure\", \"zero_enclosure_width\": " << json_number(zero_width)
              << ", \"max_enclosure_width\": " << json_number(width)
              << ", \"all_certified\": " << (r.branches.all_certified() ? "true" : "false")
              << ", \"parameters\": " << json_names(p, 0, n) << ", \"unknowns\": " << json_names(p, n, p.p())
              << ", \"a_matrix\": " << json_matrix(r.a) << ", \"b_matrix\": " << json_matrix(r.b)
              << ", \"hypothesis\": " << json_hypothesis(h) << "}\n";
    return 0;
  }
  std::cout << "arithmetic: MPFR, " << r.precision << " bits; branch decisions "
            << (r.branches.all_certified() ? "all certified" : "NOT all certified (see below)") << "\n";
  std::cout << "F(X, Y) = 0 within its enclosures (each contains 0, width <= " << zero_width
            << "): certified to that width, not exactly:\n";
  for (std::size_t i = 0; i < r.outputs.size(); ++i)
    std::cout << "  " << p.nodes[p.outputs[i]].name << " = " << text(r.outputs[i]) << "\n";
  std::cout << "parameters: " << params << "; unknowns: " << unknowns << "\n";
  std::cout << "A = dF/d(" << params << "):\n";
  print_matrix_text(p, r.a, "  ");
  std::cout << "B = dF/d(" << unknowns << "):\n";
  print_matrix_text(p, r.b, "  ");
  std::cout << "implicit jacobian -B^-1 A (rows: " << unknowns << "; columns: " << params << "):\n";
  print_labelled_text(p, r.jacobian, n, "  ");
  std::cout << "every printed entry of -B^-1 A is within " << width
            << " of the exact value for these branches (interval elimination)\n";
  print_branches_text(p, r.branches);
  print_hypothesis_text(h);
  return 0;
}

int run(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  if (a.options.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.command == "grad") return cmd_grad(a);
  if (a.command == "closure") return cmd_closure(a);
  if (a.command == "implicit") return cmd_implicit(a);
  throw UsageError{"unknown command '" + a.command + "' (grad, closure or implicit)"};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "selgrad: " << e.message << "\n\n" << kUsage;
    return 2;
  } catch (const selgrad::Error& e) {
    std::cerr << "selgrad: " << e.what() << "\n";
    return e.kind() == selgrad::ErrorKind::Usage ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "selgrad: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "selgrad: internal error: " << e.what() << "\n";
    return 1;
  }
}
