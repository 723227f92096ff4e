// What users run: every command of examples/README.md and the demonstration of scripts/demo,
// with the results the example files document checked (the JSON parsed where a command prints
// JSON). The commands are read from the README itself, so a command added there without a
// check here fails EveryReadmeCommandIsChecked.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

struct Outcome {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

/// Runs a shell command from the source tree (where the README's relative paths point).
Outcome run(const std::string& command) {
  const std::string err_file = testing::TempDir() + "/examples_readme_stderr.txt";
  const std::string cmd = "cd '" + std::string(SELGRAD_SOURCE_DIR) + "' && " + command + " 2>'" + err_file + "'";
  Outcome r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) r.out.append(buf.data(), n);
  const int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  return r;
}

/// Every command of examples/README.md: the code spans that start with `selgrad ` or `build/`.
std::vector<std::string> readme_commands() {
  std::ifstream in(std::string(SELGRAD_SOURCE_DIR) + "/examples/README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string> out;
  static const std::regex span("`([^`]+)`");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), span); it != std::sregex_iterator(); ++it) {
    const std::string c = (*it)[1];
    if (c.rfind("selgrad ", 0) == 0 || c.rfind("build/", 0) == 0) out.push_back(c);
  }
  return out;
}

/// The command as run from the source tree: `selgrad` is the built CLI, `build/examples/X` the
/// built example.
std::string runnable(const std::string& command) {
  if (command.rfind("selgrad ", 0) == 0) return "'" + std::string(SELGRAD_CLI_PATH) + "'" + command.substr(7);
  const std::string prefix = "build/examples/";
  if (command.rfind(prefix, 0) == 0) return "'" + std::string(SELGRAD_EXAMPLES_BIN_DIR) + "/'" + command.substr(prefix.size());
  return command;
}

using Matrix = std::vector<std::vector<std::string>>;
Matrix matrix(const json& j) { return j.get<Matrix>(); }

double number(const json& j) { return std::stod(j.get<std::string>()); }

std::set<Matrix> matrices(const json& list) {
  std::set<Matrix> out;
  for (const auto& m : list) out.insert(matrix(m));
  return out;
}

/// The check of one selgrad command, given its JSON output (--json added) and the outcome.
using Check = std::function<void(const json&, const Outcome&)>;

void exact_grad(const json& j, const std::vector<std::string>& outputs, const Matrix& jacobian) {
  EXPECT_EQ(j.at("outputs").get<std::vector<std::string>>(), outputs);
  EXPECT_EQ(matrix(j.at("jacobian")), jacobian);
  EXPECT_EQ(j.at("arithmetic"), "exact");
}

const std::map<std::string, Check>& selgrad_checks() {
  static const std::map<std::string, Check> checks = {
      {"selgrad grad examples/relu.sgp --at 0",  // relu'(0) = 0
       [](const json& j, const Outcome&) { exact_grad(j, {"0"}, {{"0"}}); }},
      {"selgrad grad examples/relu2.sgp --at 0",  // the same function, derivative 1 (T1)
       [](const json& j, const Outcome&) { exact_grad(j, {"0"}, {{"1"}}); }},
      {"selgrad grad examples/relu3.sgp --at 0",  // and 1/2
       [](const json& j, const Outcome&) { exact_grad(j, {"0"}, {{"1/2"}}); }},
      {"selgrad closure examples/zero.sgp --at 0",  // AD 1 for the zero function; closure {-1, 0, 1}
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"1"}}));
         EXPECT_EQ(matrices(j.at("jacobians")), (std::set<Matrix>{{{"-1"}}, {{"0"}}, {{"1"}}}));
         EXPECT_EQ(j.at("zero_in_hull"), true);
       }},
      {"selgrad grad examples/identity_minus_zero.sgp --at 0",  // a spurious critical point
       [](const json& j, const Outcome&) { exact_grad(j, {"0"}, {{"0"}}); }},
      {"selgrad closure examples/clarke.sgp --at 0,0",  // [[0, 1], [2, 0]]; the 9 [[a, 1], [2, b]]
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"0", "1"}, {"2", "0"}}));
         std::set<Matrix> want;
         for (const std::string a : {"-1", "0", "1"})
           for (const std::string b : {"-1", "0", "1"}) want.insert(Matrix{{a, "1"}, {"2", b}});
         EXPECT_EQ(matrices(j.at("jacobians")), want);
       }},
      {"selgrad closure examples/mlp.sgp --at 0,0",  // {(1/2, -1/4), (1, -1)}, 0 not in the hull
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"1/2", "-1/4"}}));
         EXPECT_EQ(matrices(j.at("jacobians")), (std::set<Matrix>{{{"1/2", "-1/4"}}, {{"1", "-1"}}}));
         EXPECT_EQ(j.at("zero_in_hull"), false);
       }},
      {"selgrad closure examples/sort_layer.sgp --at 1,1,0,0",  // AD and the swapped leading pair
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"1/2", "1/4", "1/8", "1/8"}}));
         EXPECT_EQ(matrices(j.at("jacobians")),
                   (std::set<Matrix>{{{"1/2", "1/4", "1/8", "1/8"}}, {{"1/4", "1/2", "1/8", "1/8"}}}));
       }},
      {"selgrad grad examples/logsumexp.sgp --at 0,0",  // y = 2 log 2, J = [[1, 1/2]], in MPFR
       [](const json& j, const Outcome&) {
         EXPECT_EQ(j.at("arithmetic"), "mpfr");
         EXPECT_NEAR(number(j.at("outputs")[0]), 2 * std::log(2.0), 1e-15);
         EXPECT_NEAR(number(j.at("jacobian")[0][0]), 1.0, 1e-15);
         EXPECT_NEAR(number(j.at("jacobian")[0][1]), 0.5, 1e-15);
       }},
      {"selgrad grad examples/selection.sgp --at 0",  // the t^2 branch at the tie: 0
       [](const json& j, const Outcome&) { exact_grad(j, {"0"}, {{"0"}}); }},
      {"selgrad implicit examples/inverse_clarke.sgp --params 2 --at 0,0 --solution 0,0",  // M^-1, holds
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"0", "1/2"}, {"1", "0"}}));
         EXPECT_EQ(j.at("closure_jacobians").size(), 9u);
         EXPECT_EQ(j.at("hypothesis").at("verdict"), "holds");
       }},
      {"selgrad implicit examples/lasso.sgp --params 1 --at 3/2 --solution 17/10,0,-3/10",  // LARS slope
       [](const json& j, const Outcome&) {
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"-1"}, {"0"}, {"1"}}));
         EXPECT_EQ(j.at("hypothesis").at("verdict"), "holds");
       }},
      {"selgrad implicit examples/equilibrium.sgp --params 3 --at 1,-1,1/2 --solution 4/3,0,2/9",
       [](const json& j, const Outcome&) {  // dz/db = (I - D W)^-1 D
         EXPECT_EQ(matrix(j.at("jacobian")), Matrix({{"4/3", "0", "0"}, {"0", "0", "0"}, {"-4/9", "0", "4/3"}}));
       }},
      {"selgrad grad examples/equilibrium_step.sgp --at 1,-1,1/2,4/3,0,2/9",  // the fixed point; A = diag(1, 0, 1)
       [](const json& j, const Outcome&) {
         EXPECT_EQ(j.at("outputs").get<std::vector<std::string>>(), (std::vector<std::string>{"4/3", "0", "2/9"}));
         const Matrix jac = matrix(j.at("jacobian"));
         ASSERT_EQ(jac.size(), 3u);
         for (std::size_t r = 0; r < 3; ++r)
           for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(jac[r][c], r == c && r != 1 ? "1" : "0") << r << "," << c;
       }},
      {"selgrad implicit examples/bilevel.sgp --params 2 --at 1,0 --solution 3,5",  // on the line: B singular
       [](const json&, const Outcome& o) {
         EXPECT_EQ(o.status, 1) << o.out << o.err;
         EXPECT_NE(o.err.find("singular"), std::string::npos) << o.err;
         EXPECT_NE(o.err.find("fails"), std::string::npos) << o.err;
       }},
      {"selgrad implicit examples/implicit_exp.sgp --params 1 --at 1 --solution 0",  // dy/dx = 1, in MPFR
       [](const json& j, const Outcome&) {
         EXPECT_EQ(j.at("arithmetic"), "mpfr");
         EXPECT_NEAR(number(j.at("jacobian")[0][0]), 1.0, 1e-15);
       }},
  };
  return checks;
}

/// The C++ examples: exit status 0 (each checks itself against the exact reference) and the
/// lines of its report that state what the README says it shows.
const std::map<std::string, std::vector<std::string>>& example_checks() {
  static const std::map<std::string, std::vector<std::string>> checks = {
      // the hinge's tie closure has 8 selection gradients, the Huber loss's one (README)
      {"build/examples/record_losses",
       {"double engine equals the exact reference", "3 tied selection nodes, 8 distinct selection Jacobians",
        "2 tied selection nodes, 1 distinct selection Jacobians"}},
      // three units on relu's kink at the origin
      {"build/examples/record_mlp",
       {"double engine equals the exact reference", "3 tied selection nodes, 8 distinct selection Jacobians"}},
      // AD's gradient and the other one of the tie closure
      {"build/examples/record_topk",
       {"double engine equals the exact reference", "2 distinct selection Jacobians over 2 branch combinations",
        "[1, 1, 1, 0, 0, 0]", "[1, 0, 1, 1, 0, 0]"}},
      {"build/examples/theorem1_demo examples", {"Derivative shift (T1)"}},
      {"build/examples/lasso_path", {"d||x||_1/dt           LARS"}},
      {"build/examples/mlp_training", {"gradient matches the exact reference: yes"}},
  };
  return checks;
}

TEST(ExamplesReadme, EveryReadmeCommandIsChecked) {
  const auto commands = readme_commands();
  EXPECT_GE(commands.size(), 20u);
  std::set<std::string> seen;
  for (const auto& c : commands) {
    seen.insert(c);
    EXPECT_TRUE(selgrad_checks().count(c) || example_checks().count(c)) << "no check for the README command: " << c;
  }
  for (const auto& [c, check] : selgrad_checks()) EXPECT_TRUE(seen.count(c)) << "not in examples/README.md: " << c;
  for (const auto& [c, lines] : example_checks()) EXPECT_TRUE(seen.count(c)) << "not in examples/README.md: " << c;
}

TEST(ExamplesReadme, SelgradCommandsGiveTheDocumentedResults) {
  for (const auto& [command, check] : selgrad_checks()) {
    SCOPED_TRACE(command);
    const Outcome text = run(runnable(command));  // as written, text output
    const Outcome js = run(runnable(command) + " --json");
    EXPECT_EQ(text.status, js.status) << text.err;
    json j;
    if (js.status == 0) {
      ASSERT_NO_THROW(j = json::parse(js.out)) << js.out;
      EXPECT_EQ(text.status, 0) << text.err;
      EXPECT_FALSE(text.out.empty());
    }
    try {
      check(j, js);
    } catch (const std::exception& e) {  // a missing or mistyped JSON field
      ADD_FAILURE() << "the JSON does not have the documented shape: " << e.what() << "\n" << js.out;
    }
  }
}

TEST(ExamplesReadme, CxxExamplesRunAndCheckThemselves) {
  for (const auto& [command, lines] : example_checks()) {
    SCOPED_TRACE(command);
    const Outcome o = run(runnable(command));
    EXPECT_EQ(o.status, 0) << o.out << o.err;
    for (const auto& line : lines) EXPECT_NE(o.out.find(line), std::string::npos) << line << " in\n" << o.out;
  }
}

// scripts/demo builds and runs `theorem1_demo examples`: Theorem 1's witnesses with their tie
// closures, the derivative shift, the double engine and certification, an exp/log program.
TEST(Demo, Theorem1WitnessesClosuresAndCertification) {
  const Outcome o = run(runnable("build/examples/theorem1_demo examples"));
  ASSERT_EQ(o.status, 0) << o.err;
  const auto row = [&](const std::string& file) {
    const auto at = o.out.find(file);
    return at == std::string::npos ? std::string() : o.out.substr(at, o.out.find('\n', at) - at);
  };
  // program, f(0), AD f'(0), tie closure, 0 in hull
  const std::regex cells(R"((\S+)\s+.*\s(\S+)\s+(\S+)\s+(\{[^}]*\})\s+(yes|no)$)");
  const std::map<std::string, std::array<std::string, 3>> want = {
      {"relu.sgp", {"0", "{0, 1}", "yes"}},        {"relu2.sgp", {"1", "{0, 1}", "yes"}},
      {"relu3.sgp", {"1/2", "{0, 1/2, 1}", "yes"}}, {"zero.sgp", {"1", "{-1, 0, 1}", "yes"}},
      {"identity_minus_zero.sgp", {"0", "{0, 1, 2}", "yes"}}};
  for (const auto& [file, w] : want) {
    std::smatch m;
    const std::string r = row(file);
    ASSERT_TRUE(std::regex_search(r, m, cells)) << "no row for " << file << " in\n" << o.out;
    EXPECT_EQ(m[3], w[0]) << r;
    EXPECT_EQ(m[4], w[1]) << r;
    EXPECT_EQ(m[5], w[2]) << r;
  }
  EXPECT_NE(o.out.find("AD derivative 7/2 = relu'(1/3) + 5/2"), std::string::npos) << o.out;  // relu'(1/3) = 1
  EXPECT_NE(o.out.find("at t = 0: 0 1 0.5 1 0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("not certified, a near tie"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("certified"), std::string::npos) << o.out;
}

}  // namespace
