// The `selgrad` command (the command-line contract of the .sgp format specification).
//
//   selgrad grad FILE --at X1,X2,... [--engine reference|fast] [--mode backward|forward] [--json]
//                     [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--certify]
//   selgrad closure FILE --at X1,X2,... [--json] [--closure-cap N] [--max-bits BITS]
//   selgrad implicit FILE --params N --at X1,..,Xn --solution Y1,..,Ym [--json]
//                    [--prec BITS] [--max-prec BITS] [--max-bits BITS] [--closure-cap N]
//   selgrad check FILE --at X1,X2,... --gradient G1,G2,... [--json] [--closure-cap N]
// Every command takes --conventions default|torch|jax|tf (tie rules for the nodes without one).
//
// Exit status: 0 success, 1 program or domain error (message on stderr), 2 bad usage; check:
// 0 in the closure or its hull, 1 outside, 3 undecided.
#include <iostream>
#include <new>

#include "commands.hpp"
#include "selgrad/program/error.hpp"

namespace selgrad::cli {
namespace {

int run(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  if (a.options.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.command == "grad") return cmd_grad(a);
  if (a.command == "closure") return cmd_closure(a);
  if (a.command == "implicit") return cmd_implicit(a);
  if (a.command == "check") return cmd_check(a);
  throw UsageError{"unknown command '" + a.command + "' (grad, closure, implicit or check)"};
}

}  // namespace

int run_cli(int argc, char** argv) {
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

}  // namespace selgrad::cli
