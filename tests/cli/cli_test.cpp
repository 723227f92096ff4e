// The command-line contract (docs/program-format.md): outputs, JSON shape, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Outcome {
  int status = -1;
  std::string out;  // stdout and stderr together
};

Outcome run(const std::string& args) {
  const std::string cmd = std::string(SELGRAD_CLI_PATH) + " " + args + " 2>&1";
  Outcome r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"jacobian\": [[\"1\"]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"outputs\": [\"0\"]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"branches\": [{"), std::string::npos) << r.out;
}

TEST(Cli, ForwardModeGivesTheSameJacobian) {
  const Outcome r = run("grad " + example("relu3.sgp") + " --at 0 --mode forward --json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"jacobian\": [[\"1/2\"]]"), std::string::npos) << r.out;
}

TEST(Cli, NegativeAtValuesWorkWithAndWithoutEquals) {
  const Outcome a = run("grad " + example("clarke.sgp") + " --at -1/2,3 --json");
  const Outcome b = run("grad " + example("clarke.sgp") + " --at=-1/2,3 --json");
  EXPECT_EQ(a.status, 0) << a.out;
  EXPECT_EQ(a.out, b.out);
  // F(-1/2, 3) = (|x| + y, 2x + |y|) = (7/2, 2); Jacobian [[-1, 1], [2, 1]].
  EXPECT_NE(a.out.find("\"outputs\": [\"7/2\", \"2\"]"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("\"jacobian\": [[\"-1\", \"1\"], [\"2\", \"1\"]]"), std::string::npos) << a.out;
}

TEST(Cli, ClosureOfZeroAtZeroIsMinusOneZeroOne) {
  const Outcome r = run("closure " + example("zero.sgp") + " --at 0 --json");
  EXPECT_EQ(r.status, 0) << r.out;
  for (const char* j : {"[[\"-1\"]]", "[[\"0\"]]", "[[\"1\"]]"})
    EXPECT_NE(r.out.find(j), std::string::npos) << j << " in " << r.out;
  EXPECT_NE(r.out.find("\"zero_in_hull\": true"), std::string::npos) << r.out;
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
  EXPECT_NE(j.out.find("\"zero_in_hull\": false"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"hull_method\": \"antichain LP (H1)\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"jacobians_complete\": false"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"combinations\": 1048576"), std::string::npos) << j.out;
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
  EXPECT_NE(capped.out.find("--closure-cap N"), std::string::npos) << capped.out;
}

TEST(Cli, TextOutputNamesBranches) {
  const Outcome r = run("grad " + example("relu.sgp") + " --at 0");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("relu"), std::string::npos);
  EXPECT_NE(r.out.find("tie"), std::string::npos) << r.out;
}

TEST(Cli, ExpLogProgramRunsInCertifiedMpfr) {
  const Outcome r = run("grad " + example("logsumexp.sgp") + " --at 1,1 --json --prec 128");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"arithmetic\": \"mpfr\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"all_certified\": true"), std::string::npos) << r.out;
}

TEST(Cli, ParseErrorExitsOneWithLineAndColumn) {
  const std::string f = temp_program("bad.sgp", "input t\ny = relu q\noutput y\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("line 2, column 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown name 'q'"), std::string::npos) << r.out;
}

TEST(Cli, DomainErrorExitsOneNamingTheNode) {
  const std::string f = temp_program("div.sgp", "input t\nq = div 1 t\noutput q\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("div (line 2, node q)"), std::string::npos) << r.out;
}

TEST(Cli, DiscontinuousSelectExitsOne) {
  const std::string f = temp_program("jump.sgp", "input t\ny = select le t 0 0 1\noutput y\n");
  const Outcome r = run("grad " + f + " --at 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("discontinuous selection"), std::string::npos) << r.out;
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
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"jacobian\": [[1]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"engine\": \"fast\""), std::string::npos) << r.out;
  const Outcome c = run("grad " + example("clarke.sgp") + " --at=-1/2,3 --engine fast --json");
  EXPECT_NE(c.out.find("\"jacobian\": [[-1, 1], [2, 1]]"), std::string::npos) << c.out;
}

TEST(Cli, FastEngineCertifiesItsDecisions) {
  const Outcome r = run("grad " + example("mlp.sgp") + " --at 0.1,0.2 --engine fast --certify --json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"point_rounded\": true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"decisions_certified\": 3, \"decisions\": 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"gradient_within_bound\": true"), std::string::npos) << r.out;
  // A near tie flipped by rounding is reported, not hidden.
  const std::string f = temp_program("near.sgp", "input x\na = mul x 3\nc = mul a 0.1\nd = mul x 0.3\ny = min c d\noutput y\n");
  const Outcome n = run("grad " + f + " --at 1 --engine fast --certify");
  EXPECT_EQ(n.status, 0) << n.out;
  EXPECT_NE(n.out.find("NOT certified"), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("DISAGREES"), std::string::npos) << n.out;
}

TEST(Cli, FastEngineDomainErrorsAndUsage) {
  const std::string f = temp_program("fdiv.sgp", "input t\nq = div 1 t\noutput q\n");
  const Outcome d = run("grad " + f + " --at 0 --engine fast");
  EXPECT_EQ(d.status, 1);
  EXPECT_NE(d.out.find("div (line 2, node q): division by zero"), std::string::npos) << d.out;
  const Outcome fwd = run("grad " + example("clarke.sgp") + " --at 0,0 --engine fast --mode forward --json");
  EXPECT_EQ(fwd.status, 0) << fwd.out;
  EXPECT_NE(fwd.out.find("\"jacobian\": [[0, 1], [2, 0]]"), std::string::npos) << fwd.out;
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --engine fast --prec 100").status, 2);
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --certify").status, 2);  // reference: no --certify
  EXPECT_EQ(run("grad " + example("relu.sgp") + " --at 0 --engine gpu").status, 2);
}

TEST(Cli, ImplicitInvertsClarkeAtZeroAsJson) {
  // G(u, v, x, y) = F(x, y) - (u, v): -B^-1 A = M^-1 with M = [[0, 1], [2, 0]] (abs'(0) = 0).
  const Outcome r = run("implicit " + example("inverse_clarke.sgp") + " --params 2 --at 0,0 --solution 0,0 --json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"outputs\": [\"0\", \"0\"]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"jacobian\": [[\"0\", \"1/2\"], [\"1\", \"0\"]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"branches\": [{"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"b_matrix\": [[\"0\", \"1\"], [\"2\", \"0\"]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"hypothesis\": {\"verdict\": \"holds\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"combinations\": 9"), std::string::npos) << r.out;
}

TEST(Cli, ImplicitLassoTextGivesTheLarsSlope) {
  const Outcome r = run("implicit " + example("lasso.sgp") + " --params 1 --at 3/2 --solution 17/10,0,-3/10");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("x1: [-1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x2: [0]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x3: [1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checked exactly"), std::string::npos) << r.out;
}

TEST(Cli, ImplicitExpProgramIsCertifiedWithinItsEnclosure) {
  const Outcome r = run("implicit " + example("implicit_exp.sgp") + " --params 1 --at 1 --solution 0 --json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"arithmetic\": \"mpfr\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"zero_check\": \"certified_within_enclosure\""), std::string::npos) << r.out;
}

TEST(Cli, ImplicitNonzeroResidualExitsOneWithTheValues) {
  const Outcome r = run("implicit " + example("inverse_clarke.sgp") + " --params 2 --at 1,0 --solution 0,0");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("F(x, y) != 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("f1 = -1"), std::string::npos) << r.out;
}

TEST(Cli, ImplicitSingularBExitsOne) {
  // The bilevel example on the line y = 2x - 2.
  const Outcome r = run("implicit " + example("bilevel.sgp") + " --params 2 --at 1,0 --solution 3,5");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("B (the Jacobian in the unknowns s1, s2) is singular"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hypothesis fails"), std::string::npos) << r.out;
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
  EXPECT_NE(r.out.find("--params 5 must be smaller"), std::string::npos) << r.out;
}

}  // namespace
