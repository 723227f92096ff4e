// The command-line contract (docs/program-format.md): outputs, JSON shape, exit codes. Every
// --json output is parsed as JSON (nlohmann-json) and checked by its keys.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::json;

struct Outcome {
  int status = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
  std::string all() const { return out + err; }
  /// stdout as JSON; a parse failure fails the test with the text.
  Json json() const {
    try {
      return Json::parse(out);
    } catch (const Json::parse_error& e) {
      ADD_FAILURE() << "not JSON: " << e.what() << "\n" << out;
      return Json();
    }
  }
};

Outcome run(const std::string& args) {
  static int counter = 0;
  const std::string err_path = testing::TempDir() + "/selgrad_cli_err_" + std::to_string(getpid()) + "_" +
                               std::to_string(counter++);
  const std::string cmd = std::string(SELGRAD_CLI_PATH) + " " + args + " 2>" + err_path;
  Outcome r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err_path);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::remove(err_path.c_str());
  return r;
}

std::string example(const std::string& name) {
  return std::string(SELGRAD_SOURCE_DIR) + "/examples/" + name;
}

std::string temp_program(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, Relu2JacobianAtZeroIsOneAsJson) {
  const Outcome r = run("grad " + example("relu2.sgp") + " --at 0 --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  EXPECT_EQ(j["jacobian"], Json::parse(R"([["1"]])"));
  EXPECT_EQ(j["outputs"], Json::parse(R"(["0"])"));
  ASSERT_EQ(j["branches"].size(), 1u);
  EXPECT_EQ(j["branches"][0]["node"], "b");
  EXPECT_EQ(j["branches"][0]["op"], "relu");
  EXPECT_EQ(j["branches"][0]["tie"], true);
  EXPECT_EQ(j["branches"][0]["certainty"], "exact");
  EXPECT_EQ(j["arithmetic"], "exact");
}

TEST(Cli, ForwardModeGivesTheSameJacobian) {
  const Outcome r = run("grad " + example("relu3.sgp") + " --at 0 --mode forward --json");
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_EQ(r.json()["jacobian"], Json::parse(R"([["1/2"]])"));
  EXPECT_EQ(r.json()["mode"], "forward");
}

TEST(Cli, NegativeAtValuesWorkWithAndWithoutEquals) {
  const Outcome a = run("grad " + example("clarke.sgp") + " --at -1/2,3 --json");
  const Outcome b = run("grad " + example("clarke.sgp") + " --at=-1/2,3 --json");
  EXPECT_EQ(a.status, 0) << a.all();
  EXPECT_EQ(a.out, b.out);
  // F(-1/2, 3) = (|x| + y, 2x + |y|) = (7/2, 2); Jacobian [[-1, 1], [2, 1]].
  EXPECT_EQ(a.json()["outputs"], Json::parse(R"(["7/2", "2"])"));
  EXPECT_EQ(a.json()["jacobian"], Json::parse(R"([["-1", "1"], ["2", "1"]])"));
}

TEST(Cli, ClosureOfZeroAtZeroIsMinusOneZeroOne) {
  const Outcome r = run("closure " + example("zero.sgp") + " --at 0 --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  ASSERT_EQ(j["jacobians"].size(), 3u) << r.out;
  for (const char* m : {R"([["-1"]])", R"([["0"]])", R"([["1"]])"}) {
    bool found = false;
    for (const auto& x : j["jacobians"]) found = found || x == Json::parse(m);
    EXPECT_TRUE(found) << m << " in " << r.out;
  }
  EXPECT_EQ(j["zero_in_hull"], true);
  EXPECT_EQ(j["combinations"], 4);
  EXPECT_EQ(j["tied_nodes"].size(), 2u);
}

TEST(Cli, ClosurePastTheCapIsDecidedByTheAntichainLpAndSaysTheListIsIncomplete) {
  std::string text = "input", y = "y = lin 0";
  for (int i = 0; i < 20; ++i) text += " x" + std::to_string(i);
  text += "\n";
  for (int i = 0; i < 20; ++i) {
    text += "r" + std::to_string(i) + " = relu x" + std::to_string(i) + "\n";
    y += " 1 r" + std::to_string(i) + " 1 x" + std::to_string(i);
  }
  const std::string f = temp_program("relu_sum20.sgp", text + y + "\noutput y\n");
  const std::string at = " --at 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0";
  const Outcome j = run("closure " + f + at + " --json");
  EXPECT_EQ(j.status, 0) << j.out;
  const Json jj = j.json();
  EXPECT_EQ(jj["zero_in_hull"], false) << j.out;
  EXPECT_EQ(jj["hull_method"], "antichain LP (H1)") << j.out;
  EXPECT_EQ(jj["jacobians_complete"], false) << j.out;
  EXPECT_EQ(jj["combinations"], 1048576) << j.out;
  const Outcome t = run("closure " + f + at);
  EXPECT_EQ(t.status, 0) << t.out;
  EXPECT_NE(t.out.find("hull decided by: antichain LP (H1)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("INCOMPLETE"), std::string::npos) << t.out;
  // Under the cap every Jacobian is listed; with the cap lowered, nested ties are refused.
  const std::string g = temp_program("nested.sgp", "input a\nr = relu a\ns = relu r\ny = add s a\noutput y\n");
  const Outcome n = run("closure " + g + " --at 0");
  EXPECT_EQ(n.status, 0) << n.out;
  EXPECT_NE(n.out.find("ties nest: r feeds s"), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("hull decided by: enumeration of 4 combinations"), std::string::npos) << n.out;
  const Outcome capped = run("closure " + g + " --at 0 --closure-cap 2");
  EXPECT_EQ(capped.status, 1) << capped.out;
  EXPECT_NE(capped.err.find("--closure-cap N"), std::string::npos) << capped.all();
}

TEST(Cli, TextOutputNamesBranches) {
  const Outcome r = run("grad " + example("relu.sgp") + " --at 0");
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_NE(r.out.find("relu"), std::string::npos);
  EXPECT_NE(r.out.find("tie"), std::string::npos) << r.out;
}

TEST(Cli, ExpLogProgramRunsInCertifiedMpfr) {
  const Outcome r = run("grad " + example("logsumexp.sgp") + " --at 1,1 --json --prec 128");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  EXPECT_EQ(j["arithmetic"], "mpfr");
  EXPECT_EQ(j["all_certified"], true);
  EXPECT_EQ(j["precision"], 128);
  EXPECT_TRUE(j["max_enclosure_width"].is_number()) << r.out;
}

TEST(Cli, ParseErrorExitsOneWithLineAndColumn) {
  const std::string f = temp_program("bad.sgp", "input t\ny = relu q\noutput y\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("line 2, column 10"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("unknown name 'q'"), std::string::npos) << r.all();
}

TEST(Cli, DomainErrorExitsOneNamingTheNode) {
  const std::string f = temp_program("div.sgp", "input t\nq = div 1 t\noutput q\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("div (line 2, node q)"), std::string::npos) << r.all();
}

TEST(Cli, DiscontinuousSelectExitsOne) {
  const std::string f = temp_program("jump.sgp", "input t\ny = select le t 0 0 1\noutput y\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("discontinuous selection"), std::string::npos) << r.all();
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("grad").status, 2);
  EXPECT_EQ(run("grad " + example("relu.sgp")).status, 2);                       // no --at
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 1/0").status, 2);          // bad number
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 1,2").status, 2);          // wrong dimension
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --mode sideways").status, 2);
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --bogus 1").status, 2);
  EXPECT_EQ(run("frobnicate " + example("relu.sgp")).status, 2);
  EXPECT_EQ(run("grad /nonexistent/file.sgp --at 0").status, 2);
}

TEST(Cli, FastEngineGivesTheReferenceJacobianAtDyadicPoints) {
  const Outcome r = run("grad " + example("relu2.sgp") + " --at 0 --engine fast --json");
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_EQ(r.json()["jacobian"], Json::parse("[[1.0]]"));
  EXPECT_EQ(r.json()["engine"], "fast");
  const Outcome c = run("grad " + example("clarke.sgp") + " --at=-1/2,3 --engine fast --json");
  EXPECT_EQ(c.json()["jacobian"], Json::parse("[[-1.0, 1.0], [2.0, 1.0]]"));
  EXPECT_EQ(c.json()["outputs"], Json::parse("[3.5, 2.0]"));
}

TEST(Cli, FastEngineCertifiesItsDecisions) {
  const Outcome r = run("grad " + example("mlp.sgp") + " --at 0.1,0.2 --engine fast --certify --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  EXPECT_EQ(j["point_rounded"], true);
  EXPECT_EQ(j["certificate"]["decisions_certified"], 3);
  EXPECT_EQ(j["certificate"]["decisions"], 3);
  EXPECT_EQ(j["certificate"]["gradient_within_bound"], true);
  EXPECT_TRUE(j["certificate"]["error_bound"].is_number());
  for (const auto& b : j["branches"]) EXPECT_EQ(b["certified"], true) << b;
  // A near tie flipped by rounding is reported, not hidden.
  const std::string f = temp_program("near.sgp", "input x\na = mul x 3\nc = mul a 0.1\nd = mul x 0.3\ny = min c d\noutput y\n");
  const Outcome n = run("grad " + f + " --at 1 --engine fast --certify");
  EXPECT_EQ(n.status, 0) << n.all();
  EXPECT_NE(n.out.find("NOT certified"), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("DISAGREES"), std::string::npos) << n.out;
}

TEST(Cli, FastEngineDomainErrorsAndUsage) {
  const std::string f = temp_program("fdiv.sgp", "input t\nq = div 1 t\noutput q\n");
  const Outcome d = run("grad " + f + " --at 0 --engine fast");
  EXPECT_EQ(d.status, 1);
  EXPECT_NE(d.err.find("div (line 2, node q): division by zero"), std::string::npos) << d.all();
  const Outcome fwd = run("grad " + example("clarke.sgp") + " --at 0,0 --engine fast --mode forward --json");
  EXPECT_EQ(fwd.status, 0) << fwd.all();
  EXPECT_EQ(fwd.json()["jacobian"], Json::parse("[[0.0, 1.0], [2.0, 0.0]]"));
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --engine fast --prec 100").status, 2);
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --certify").status, 2);  // reference: no --certify
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --engine gpu").status, 2);
}

TEST(Cli, ImplicitInvertsClarkeAtZeroAsJson) {
  // G(u, v, x, y) = F(x, y) - (u, v): -B^-1 A = M^-1 with M = [[0, 1], [2, 0]] (abs'(0) = 0).
  const Outcome r = run("implicit " + example("inverse_clarke.sgp") + " --params 2 --at 0,0 --solution 0,0 --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  EXPECT_EQ(j["outputs"], Json::parse(R"(["0", "0"])"));
  EXPECT_EQ(j["jacobian"], Json::parse(R"([["0", "1/2"], ["1", "0"]])"));
  EXPECT_FALSE(j["branches"].empty());
  EXPECT_EQ(j["b_matrix"], Json::parse(R"([["0", "1"], ["2", "0"]])"));
  EXPECT_EQ(j["hypothesis"]["verdict"], "holds");
  EXPECT_EQ(j["combinations"], 9);
  EXPECT_EQ(j["parameters"], Json::parse(R"(["u", "v"])"));
}

TEST(Cli, ImplicitLassoTextGivesTheLarsSlope) {
  const Outcome r = run("implicit " + example("lasso.sgp") + " --params 1 --at 3/2 --solution 17/10,0,-3/10");
  EXPECT_EQ(r.status, 0) << r.all();
  EXPECT_NE(r.out.find("x1: [-1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x2: [0]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x3: [1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checked exactly"), std::string::npos) << r.out;
}

TEST(Cli, ImplicitExpProgramIsCertifiedWithinItsEnclosure) {
  const Outcome r = run("implicit " + example("implicit_exp.sgp") + " --params 1 --at 1 --solution 0 --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  EXPECT_EQ(j["arithmetic"], "mpfr");
  EXPECT_EQ(j["zero_check"], "certified_within_enclosure");
  EXPECT_TRUE(j["zero_enclosure_width"].is_number()) << r.out;
}

TEST(Cli, ImplicitNonzeroResidualExitsOneWithTheValues) {
  const Outcome r = run("implicit " + example("inverse_clarke.sgp") + " --params 2 --at 1,0 --solution 0,0");
  EXPECT_EQ(r.status, 1) << r.all();
  EXPECT_NE(r.err.find("F(x, y) != 0"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("f1 = -1"), std::string::npos) << r.all();
}

TEST(Cli, ImplicitSingularBExitsOne) {
  // The bilevel example on the line y = 2x - 2.
  const Outcome r = run("implicit " + example("bilevel.sgp") + " --params 2 --at 1,0 --solution 3,5");
  EXPECT_EQ(r.status, 1) << r.all();
  EXPECT_NE(r.err.find("B (the Jacobian in the unknowns s1, s2) is singular"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("hypothesis fails"), std::string::npos) << r.all();
}

TEST(Cli, ImplicitBadUsageExitsTwo) {
  const std::string f = example("inverse_clarke.sgp");  // 4 inputs, 2 outputs
  EXPECT_EQ(run("implicit " + f + " --at 0,0 --solution 0,0").status, 2);                 // no --params
  EXPECT_EQ(run("implicit " + f + " --params 4 --at 0,0,0,0 --solution 0").status, 2);    // too many
  EXPECT_EQ(run("implicit " + f + " --params 0 --at 0 --solution 0,0").status, 2);
  EXPECT_EQ(run("implicit " + f + " --params 2 --at 0,0 --solution 0").status, 2);        // m = 2
  EXPECT_EQ(run("implicit " + f + " --params 2 --at 0 --solution 0,0").status, 2);        // n = 2
  EXPECT_EQ(run("implicit " + f + " --params 1 --at 0 --solution 0,0,0").status, 2);      // 2 outputs, m = 3
  EXPECT_EQ(run("implicit " + f + " --params 2 --at 0,0 --solution 0,0 --mode forward").status, 2);
  const Outcome r = run("implicit " + f + " --params 5 --at 0 --solution 0");
  EXPECT_NE(r.err.find("--params 5 must be smaller"), std::string::npos) << r.all();
}

}  // namespace

// ---- every input ends in a result or a located error ----------------------------------------

TEST(CliLimits, PointBeyondDoubleRangeIsALocatedErrorInTheFastEngine) {
  // 1e309 rounds to infinity: the double engine reports the input, it never reaches GMP.
  const std::string f = temp_program("exp1e309.sgp", "input x\ny = exp x\noutput y\n");
  for (const char* extra : {"", " --certify", " --json", " --mode forward"}) {
    const Outcome r = run("grad " + f + " --engine fast --at 1e309" + extra);
    EXPECT_EQ(r.status, 1) << extra << ": " << r.all();
    EXPECT_NE(r.err.find("node x"), std::string::npos) << r.all();
    EXPECT_NE(r.err.find("NaN or infinite"), std::string::npos) << r.all();
  }
}

TEST(CliLimits, EnclosureWidthBeyondDoubleRangeIsValidJson) {
  // exp(1000) is about 2e434: its enclosure's width does not fit a double.
  const std::string f = temp_program("exp1000.sgp", "input x\ny = exp x\noutput y\n");
  const Outcome r = run("grad " + f + " --at 1000 --json");
  EXPECT_EQ(r.status, 0) << r.all();
  const Json j = r.json();
  ASSERT_TRUE(j.contains("max_enclosure_width")) << r.out;
  if (j["max_enclosure_width"].is_null())
    EXPECT_EQ(j["max_enclosure_width_not_finite"], "inf") << r.out;
  else
    EXPECT_TRUE(j["max_enclosure_width"].is_number()) << r.out;
  EXPECT_EQ(r.out.find("inf,"), std::string::npos) << r.out;  // never a bare token
}

TEST(CliLimits, ThirtyThousandWaySortRunsInBothEngines) {
  // A sort stores its arguments once (O(k)): this was an out-of-memory at 6.9 GB.
  std::string text = "input x y\nr0";
  for (int i = 1; i < 30000; ++i) text += " r" + std::to_string(i);
  text += " = sort";
  for (int i = 0; i < 30000; ++i) text += i % 3 == 0 ? " x" : (i % 3 == 1 ? " y" : " " + std::to_string(i));
  text += "\ns = lin 0 1 r0 -1 r29999\noutput s r5\n";
  const std::string f = temp_program("sort30k.sgp", text);
  for (const char* engine : {"reference", "fast"}) {
    const Outcome r = run("grad " + f + " --engine " + std::string(engine) + " --at 1/2,-3 --json");
    ASSERT_EQ(r.status, 0) << engine << ": " << r.err;
    const Json j = r.json();
    // s = max - min = 29998 - (-3) and r5 = 29992 (the 6th largest: 29999 - 1 - ... skipping x, y).
    EXPECT_EQ(j["jacobian"][0][1], engine == std::string("fast") ? Json(-1.0) : Json("-1")) << engine;
    EXPECT_EQ(j["branches"].size(), 30000u);
  }
}

TEST(CliLimits, OperandCapRefusesAProductBeforeComputingIt) {
  // a = x^300000 has 475,489 bits at x = 3; b = a^2000 would have about 1e9: refused from the
  // operands' sizes, before the multiplication, naming the node and the option.
  std::string text = "input x\na = powi x 300000\nb = mul";
  for (int i = 0; i < 2000; ++i) text += " a";
  text += "\noutput b\n";
  const std::string f = temp_program("powmul.sgp", text);
  const Outcome r = run("grad " + f + " --at 3");
  EXPECT_EQ(r.status, 1) << r.all();
  EXPECT_NE(r.err.find("mul (line 3, node b)"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("--max-bits"), std::string::npos) << r.all();
}

TEST(CliLimits, TotalSizeBudgetRefusesLongChainsOfLargeValues) {
  // Each value is under the operand cap, but together they exceed the evaluation's budget.
  std::string text = "input x\na0 = powi x 60000\n";
  for (int i = 1; i <= 2000; ++i) text += "a" + std::to_string(i) + " = add a" + std::to_string(i - 1) + " x\n";
  text += "output a2000\n";
  const std::string f = temp_program("budget.sgp", text);
  const Outcome r = run("grad " + f + " --at 3/7 --max-total-bits 100000000");
  EXPECT_EQ(r.status, 1) << r.all();
  EXPECT_NE(r.err.find("--max-total-bits"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("(line "), std::string::npos) << r.all();
  EXPECT_EQ(run("grad " + f + " --at 3/7").status, 0);  // within the default budget
}

TEST(CliLimits, ADirectoryOrMissingFileIsAClearUsageError) {
  const Outcome d = run("grad " + testing::TempDir() + " --at 0");
  EXPECT_EQ(d.status, 2) << d.all();
  EXPECT_NE(d.err.find("is a directory"), std::string::npos) << d.all();
  const Outcome m = run("closure /nonexistent/p.sgp --at 0");
  EXPECT_EQ(m.status, 2) << m.all();
  EXPECT_NE(m.err.find("no such file"), std::string::npos) << m.all();
}

TEST(CliLimits, ProgramSizeCapsNameTheirOption) {
  const std::string f = example("mlp.sgp");
  const Outcome n = run("grad " + f + " --at 0,0 --max-nodes 4");
  EXPECT_EQ(n.status, 1) << n.all();
  EXPECT_NE(n.err.find("--max-nodes"), std::string::npos) << n.all();
  const Outcome l = run("grad " + f + " --at 0,0 --max-line-bytes 10");
  EXPECT_EQ(l.status, 1) << l.all();
  EXPECT_NE(l.err.find("--max-line-bytes"), std::string::npos) << l.all();
  EXPECT_EQ(run("grad " + f + " --at 0,0 --max-file-bytes 20").status, 1);
  EXPECT_EQ(run("grad " + f + " --at 0,0 --max-args 3").status, 1);
  EXPECT_EQ(run("grad " + f + " --at 0,0 --max-name-bytes 1").status, 1);
  EXPECT_EQ(run("grad " + f + " --at 0,0 --max-nodes 1000").status, 0);
}

TEST(CliJson, EveryCommandsJsonParses) {
  struct Case {
    std::string args;
  };
  const std::vector<std::string> cases = {
      "grad " + example("relu2.sgp") + " --at 0 --json",
      "grad " + example("sort_layer.sgp") + " --at 1,1,0,0 --json --mode forward",
      "grad " + example("logsumexp.sgp") + " --at 0,0 --json",
      "grad " + example("logsumexp.sgp") + " --at 0,0 --json --engine fast --certify",
      "grad " + example("mlp.sgp") + " --at 1/3,-2 --json --engine fast --mode forward",
      "closure " + example("sort_layer.sgp") + " --at 1,1,0,0 --json",
      "closure " + example("mlp.sgp") + " --at 0,0 --json",
      "implicit " + example("lasso.sgp") + " --params 1 --at 3/2 --solution 17/10,0,-3/10 --json",
      "implicit " + example("equilibrium.sgp") + " --params 3 --at 1,-1,1/2 --solution 4/3,0,2/9 --json",
      "implicit " + example("implicit_exp.sgp") + " --params 1 --at 1 --solution 0 --json"};
  for (const auto& c : cases) {
    const Outcome r = run(c);
    EXPECT_EQ(r.status, 0) << c << "\n" << r.all();
    const Json j = r.json();
    EXPECT_TRUE(j.is_object()) << c;
    EXPECT_TRUE(j.contains("outputs") && j.contains("jacobian") && j.contains("branches")) << c;
  }
}

namespace {

TEST(CliCheck, ExitStatusSaysClosureOrHullOrOutside) {
  const std::string f = temp_program("identity.sgp", "input x\na = relu x\nn = neg x\nb = relu n\ny = sub a b\noutput y\n");
  EXPECT_EQ(run("check " + f + " --at 0 --gradient 0").status, 0);
  const Outcome hull = run("check " + f + " --at 0 --gradient 1/2 --json");
  EXPECT_EQ(hull.status, 0) << hull.all();
  EXPECT_EQ(hull.json()["verdict"], "hull");
  EXPECT_EQ(hull.json()["bifurcation"], true);
  const Outcome outside = run("check " + f + " --at 0 --gradient 3");
  EXPECT_EQ(outside.status, 1) << outside.all();
  EXPECT_NE(outside.out.find("verdict: outside"), std::string::npos) << outside.out;
  EXPECT_EQ(run("check " + f + " --at 0 --gradient 1,2").status, 2);
}

TEST(CliConventions, TheTorchProfileSplitsMaximumAndPassesClampsBound) {
  const std::string f = temp_program("torch_ties.sgp", "input x y\nm = max x y\nc = clamp y 0 1\nz = add m c\noutput z\n");
  EXPECT_EQ(run("grad " + f + " --at 0,0 --json").json()["jacobian"], Json::parse(R"([["1","0"]])"));
  EXPECT_EQ(run("grad " + f + " --at 0,0 --json --conventions torch").json()["jacobian"],
            Json::parse(R"([["1/2","3/2"]])"));
  const Outcome fast = run("grad " + f + " --at 0,0 --json --conventions torch --engine fast");
  EXPECT_EQ(fast.json()["jacobian"], Json::parse(R"([[0.5,1.5]])")) << fast.all();
  const Outcome bad = run("grad " + f + " --at 0,0 --conventions pytorch2");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("default, torch, jax, tf"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

TEST(CliConventions, CertifyRefusesASplitThatActedAndCertifiesPieceRules) {
  const std::string split = temp_program("split_certify.sgp", "input x y\nm = max x y @split\noutput m\n");
  const Outcome r = run("grad " + split + " --at 1,1 --engine fast --certify");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("tie rule acted at this tie"), std::string::npos) << r.all();
  EXPECT_EQ(run("grad " + split + " --at 1,2 --engine fast --certify").status, 0);  // no tie, no split
  const std::string piece = temp_program("piece_certify.sgp", "input x\nr = relu x @a\noutput r\n");
  const Outcome c = run("grad " + piece + " --at 0 --engine fast --certify --json");
  EXPECT_EQ(c.status, 0) << c.all();
  EXPECT_EQ(c.json()["jacobian"], Json::parse("[[1.0]]"));
}

}  // namespace
