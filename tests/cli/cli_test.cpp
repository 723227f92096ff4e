// The command-line contract (shared/spec: program-format): outputs, JSON shape, exit codes.
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

TEST(Cli, NotYetAvailableFeaturesSaySoAndExitTwo) {
  const Outcome fast = run("grad " + example("relu.sgp") + " --at 0 --engine fast");
  EXPECT_EQ(fast.status, 2);
  EXPECT_NE(fast.out.find("not available"), std::string::npos) << fast.out;
  const Outcome imp = run("implicit " + example("clarke.sgp") + " --params 1 --at 0 --solution 0");
  EXPECT_EQ(imp.status, 2);
  EXPECT_NE(imp.out.find("not available"), std::string::npos) << imp.out;
}

}  // namespace
