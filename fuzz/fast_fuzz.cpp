// Fuzz target: the double engine, batch and single point (fast::compile, BatchEvaluator,
// PointEvaluator).
//
// Input: program text, a line "%%", then the point; see fuzz_input.hpp. The point (rounded to
// doubles) and ten points derived from it (negated, halved, doubled, zero, ...) run as one batch
// of 11 lanes, in reverse and in forward mode, and each alone through PointEvaluator. A point's
// results must be those of its lane, bit for bit (evaluate.hpp): the same outputs, Jacobian,
// pieces and ties, and the point path throws (naming a node) exactly when the lane is flagged.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fuzz_input.hpp"
#include "selgrad/fast/evaluate.hpp"

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace selgrad;
  const auto in = fuzz::split_input(data, size);
  const auto p = fuzz::parse_or_refuse(in.program);
  if (!p) return 0;
  const auto lits = fuzz::point_literals(in.point, p->p());
  if (!lits) return 0;
  std::optional<fast::Tape> tape;
  fuzz::expect_result_or_error([&] { tape = fast::compile(*p); });
  if (!tape) return 0;
  const std::size_t np = p->p(), q = p->q(), lanes = 11;
  std::vector<double> x0;
  for (const auto& l : *lits) x0.push_back(fast::literal_to_double(l));
  std::vector<double> xs;  // lanes x np, point-major
  const double scale[lanes] = {1, -1, 0.5, 2, 0, 1e-300, -3, 1e300, 0.25, -0.125, 7};
  for (std::size_t l = 0; l < lanes; ++l)
    for (std::size_t i = 0; i < np; ++i) xs.push_back(x0[i] * scale[l]);
  for (const fast::JacobianMode mode : {fast::JacobianMode::Reverse, fast::JacobianMode::Forward}) {
    fast::BatchOptions bo;
    bo.mode = mode;
    fast::BatchEvaluator batch(*tape, bo);
    fast::BatchResult r;
    batch.evaluate(xs, lanes, r);
    fast::PointEvaluator point(*tape, mode);
    const std::size_t S = tape->selections();
    for (std::size_t l = 0; l < lanes; ++l) {
      fast::PointResult pr;
      bool threw = false;
      try {
        point.evaluate(std::span<const double>(xs.data() + l * np, np), pr);
      } catch (const Error& e) {
        if (e.where().node.empty()) fuzz::finding(std::string("a point error names no node: ") + e.what());
        threw = true;
      }
      if (threw != !r.ok(l)) fuzz::finding("the point path and its batch lane disagree on failing");
      if (threw) continue;
      for (std::size_t j = 0; j < q; ++j)
        if (!same_bits(pr.outputs[j], r.outputs[l * q + j])) fuzz::finding("a point's output differs from its lane's");
      for (std::size_t e = 0; e < q * np; ++e)
        if (!same_bits(pr.jacobian[e], r.jacobian[l * q * np + e]))
          fuzz::finding("a point's Jacobian differs from its lane's");
      for (std::size_t s = 0; s < S; ++s)
        if (pr.pieces[s] != r.pieces[l * S + s] || pr.ties[s] != r.ties[l * S + s])
          fuzz::finding("a point's branches differ from its lane's");
    }
    // The other entry points of the point path, with spans of the right sizes.
    std::vector<double> outs(q), grad(np);
    fuzz::expect_result_or_error([&] { point.values(std::span<const double>(xs.data(), np), outs); });
    fuzz::expect_result_or_error([&] { point.value_and_gradient(std::span<const double>(xs.data(), np), grad); });
  }
  return 0;
}
