// The `selgrad` command (shared/spec: program-format, "Command-line contract").
//
//   selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward] [--json]
//                     [--prec BITS] [--max-prec BITS] [--max-bits BITS]
//   selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]
//   selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]
//
// Exit status: 0 success, 1 program or domain error (message on stderr), 2 bad usage.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "selgrad/program/error.hpp"
#include "selgrad/program/parse.hpp"
#include "selgrad/reference/closure.hpp"
#include "selgrad/reference/evaluate.hpp"

namespace {

using namespace selgrad;
using namespace selgrad::reference;

constexpr const char* kUsage =
    "usage:\n"
    "  selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward]\n"
    "               [--json] [--prec BITS] [--max-prec BITS] [--max-bits BITS]\n"
    "  selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]\n"
    "  selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]\n"
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

bool is_flag(const std::string& name) { return name == "json" || name == "help"; }

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

int cmd_grad(const Args& a) {
  allow_only(a, {"at", "engine", "mode", "json", "prec", "max-prec", "max-bits"});
  const std::string engine = a.options.count("engine") ? a.options.at("engine") : "reference";
  if (engine == "fast")
    throw UsageError{"--engine fast is not available in this build yet; use --engine reference"};
  if (engine != "reference") throw UsageError{"--engine must be reference or fast, got '" + engine + "'"};
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

int run(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  if (a.options.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.command == "grad") return cmd_grad(a);
  if (a.command == "closure") return cmd_closure(a);
  if (a.command == "implicit")
    throw UsageError{"'implicit' is not available in this build yet"};
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
