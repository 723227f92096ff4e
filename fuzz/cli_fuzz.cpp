// Fuzz target: the `selgrad` command line, in-process (cli/commands.hpp run_cli).
//
// Input: program text, a line "%%", then the command line, one argument per line; the argument
// FILE stands for a file holding the program text. For example:
//
//   input x
//   y = relu x
//   output y
//   %%
//   grad
//   FILE
//   --at
//   0
//   --json
//
// run_cli must return 0, 1 or 2, or for `check` 3 (it never throws); its output is discarded.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "fuzz_input.hpp"

namespace {

/// A file of this process for the program text (FILE in the command line).
const std::string& program_path() {
  static const std::string path = "/tmp/selgrad_cli_fuzz_" + std::to_string(getpid()) + ".sgp";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  if (in.point.empty()) return 0;  // no command line
  {
    std::ofstream f(program_path(), std::ios::binary | std::ios::trunc);
    f.write(in.program.data(), static_cast<std::streamsize>(in.program.size()));
  }
  std::vector<std::string> args{"selgrad"};
  std::string_view rest = in.point;
  while (!rest.empty() && args.size() < 64) {
    const auto nl = rest.find('\n');
    const std::string_view a = rest.substr(0, nl);
    args.emplace_back(a == "FILE" ? program_path() : std::string(a));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Discard what the command prints.
  std::ostringstream sink_out, sink_err;
  auto* out = std::cout.rdbuf(sink_out.rdbuf());
  auto* err = std::cerr.rdbuf(sink_err.rdbuf());
  const int status = cli::run_cli(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(out);
  std::cerr.rdbuf(err);
  // `check` also answers 3 (undecided); every other status is 0, 1 or 2.
  const bool check = args.size() > 1 && args[1] == "check";
  if (status < 0 || status > (check ? 3 : 2)) fuzz::finding("exit status " + std::to_string(status));
  if (status == 1 && sink_err.str().find("internal error") != std::string::npos)
    fuzz::finding("an internal error: " + sink_err.str());
  return 0;
}
