// Command-line arguments of `selgrad` (see args.hpp).
#include "args.hpp"

#include "selgrad/program/conventions.hpp"

#include <string>
#include <vector>

namespace selgrad::cli {

using reference::Options;

const char* const kUsage =
"usage:\n"
    "  selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward]\n"
    "               [--json] [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--certify]\n"
    "               [--max-total-bits BITS] [--max-sweep-edges N]\n"
    "  selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]\n"
    "               [--max-total-bits BITS]\n"
    "  selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]\n"
    "                   [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--closure-cap N]\n"
    "                   [--max-total-bits BITS]\n"
    "  selgrad check FILE --at X1,X2,... --gradient G1,G2,... [--json] [--closure-cap N]\n"
    "               (exit 0: the gradient is in the tie closure or its hull; 1: outside; 3: undecided)\n"
    "Every command takes --conventions default|torch|jax|tf: the tie rules of a framework for\n"
    "the selection nodes that do not write their own (@split, @a, ...).\n"
    "Every command also takes the program size caps --max-file-bytes, --max-line-bytes,\n"
    "--max-name-bytes, --max-nodes and --max-args (see README, Limits).\n"
    "\n"
    "Numbers are exact: 1/3, -2/7, 0.1 (= 1/10), 1e-3. Programs without exp/log run in exact\n"
    "rational arithmetic; others in MPFR (default 256 bits) with every branch decision\n"
    "certified by interval enclosures.\n";


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

// Options every command takes: the program size caps and the conventions.
const char* const kProgramOptions[] = {"max-file-bytes", "max-line-bytes", "max-name-bytes", "max-nodes",
                                        "max-args", "conventions"};

void allow_only(const Args& a, std::initializer_list<const char*> names) {
  for (const auto& [name, value] : a.options) {
    bool ok = false;
    for (const char* n : names) ok = ok || name == n;
    for (const char* n : kProgramOptions) ok = ok || name == n;  // every command reads a program
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

Options engine_options(const Args& a) {
  Options o;
  o.max_operand_bits = number_option(a, "max-bits", o.max_operand_bits, 64, std::size_t{1} << 40);
  o.max_total_bits = number_option(a, "max-total-bits", o.max_total_bits, 64, std::size_t{1} << 50);
  o.precision = static_cast<mpfr_prec_t>(number_option(a, "prec", 256, 8, 1 << 24));
  o.max_precision = static_cast<mpfr_prec_t>(
      number_option(a, "max-prec", std::max<std::size_t>(4096, static_cast<std::size_t>(o.precision)),
                    static_cast<std::size_t>(o.precision), 1 << 24));
  return o;
}

ParseLimits parse_limits(const Args& a) {
  ParseLimits l;
  l.max_bytes = number_option(a, "max-file-bytes", l.max_bytes, 1, std::size_t{1} << 40);
  l.max_line_bytes = number_option(a, "max-line-bytes", l.max_line_bytes, 1, std::size_t{1} << 40);
  l.max_name_bytes = number_option(a, "max-name-bytes", l.max_name_bytes, 1, std::size_t{1} << 40);
  l.max_nodes = number_option(a, "max-nodes", l.max_nodes, 2, std::size_t{1} << 32);
  l.max_arguments = number_option(a, "max-args", l.max_arguments, 1, std::size_t{1} << 40);
  return l;
}

Program read_program(const Args& a) {
  Program p = parse_program_file(a.file, parse_limits(a));
  const auto it = a.options.find("conventions");
  if (it == a.options.end()) return p;
  const auto c = conventions_by_name(it->second);
  if (!c)
    throw UsageError{"--conventions must be one of " + std::string(conventions_names()) + ", got '" + it->second + "'"};
  return with_conventions(std::move(p), *c);
}

}  // namespace selgrad::cli
