// The tie closure (see closure.hpp): count the branch combinations at the tied nodes, decide
// "0 in the hull" by H1's LP when the ties do not nest, and enumerate the combinations lazily
// (an odometer over the ties, permutations of sort runs generated on the fly), running the
// backward sweep for each and keeping the distinct Jacobians as they stream in.
#include "selgrad/reference/closure.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "detail/exact_hash.hpp"
#include "detail/policies.hpp"
#include "selgrad/program/conventions.hpp"
#include "selgrad/program/mutant.hpp"
#include "detail/ties.hpp"
#include "selgrad/reference/convex_hull.hpp"

namespace selgrad::reference {
namespace {

using detail::TieUnit;

/// The number of combinations, exactly when it fits in 64 bits, else in log form. A unit has
/// as many choices as tied pieces, a sort run of k values k! (its permutations).
struct Count {
  std::size_t exact = 1;  ///< SIZE_MAX when it does not fit
  double log2 = 0;
  bool power_of_two = true;
  std::uint64_t exponent = 0;  ///< log2 when power_of_two

  std::string text() const {
    if (exact != SIZE_MAX) return std::to_string(exact);
    if (power_of_two) return "2^" + std::to_string(exponent);
    char buf[48];
    std::snprintf(buf, sizeof buf, "about 2^%.1f", log2);
    return buf;
  }
};

Count count_combinations(const std::vector<TieUnit>& units) {
  Count c;
  for (const auto& u : units) {
    const std::size_t k = u.run ? u.nodes.size() : u.pieces.size();
    if (k == 0) {  // cannot happen (a unit has its chosen piece): count it as one choice
      continue;
    }
    std::size_t choices = 1;  // k! or k, or 0 when it does not fit
    if (u.run) {
      for (std::size_t i = 2; i <= k && choices != 0; ++i)
        choices = choices > SIZE_MAX / i ? 0 : choices * i;
      c.log2 += std::lgamma(static_cast<double>(k) + 1) / std::log(2.0);
      c.power_of_two = c.power_of_two && k <= 2;
      if (k == 2) c.exponent += 1;
    } else {
      choices = k;
      c.log2 += std::log2(static_cast<double>(k));
      c.power_of_two = c.power_of_two && std::has_single_bit(k);
      if (std::has_single_bit(k)) c.exponent += static_cast<std::uint64_t>(std::countr_zero(k));
    }
    if (c.exact != SIZE_MAX) c.exact = (choices == 0 || c.exact > SIZE_MAX / choices) ? SIZE_MAX : c.exact * choices;
  }
  return c;
}

/// The combinations, one at a time: every unit holds its current choice (a piece index, or
/// the current arrangement of a sort run), and advancing works like an odometer whose digits
/// for sort runs are std::next_permutation. Only the units whose choice changed are written
/// back to the tape.
class Odometer {
 public:
  Odometer(const Program& p, detail::Tape<Rational>& t, const std::vector<TieUnit>& units)
      : p_(p), t_(t), units_(units), digit_(units.size(), 0), arrangement_(units.size()) {
    for (std::size_t u = 0; u < units.size(); ++u) {
      if (units[u].run) arrangement_[u] = units[u].pieces;
      apply(u);
    }
  }

  /// Moves to the next combination; false (back at the first) after the last.
  bool next() {
    for (std::size_t u = 0; u < units_.size(); ++u) {
      bool carry = false;
      if (units_[u].run) {
        carry = !std::next_permutation(arrangement_[u].begin(), arrangement_[u].end());
      } else if (++digit_[u] == units_[u].pieces.size()) {
        digit_[u] = 0;
        carry = true;
      }
      apply(u);
      if (!carry) return true;
    }
    return false;
  }

 private:
  // Values do not change at a tie; only the local gradient of the node does.
  void set_piece(std::uint32_t k, std::uint32_t piece) {
    const Node& n = p_.nodes[k];
    t_.choices[k].piece = piece;
    detail::set_piece_partials(n, t_, k, piece);
  }
  void apply(std::size_t u) {
    const TieUnit& unit = units_[u];
    if (unit.run) {
      for (std::size_t r = 0; r < unit.nodes.size(); ++r) set_piece(unit.nodes[r], arrangement_[u][r]);
    } else {
      set_piece(unit.nodes[0], unit.pieces[digit_[u]]);
    }
  }

  const Program& p_;
  detail::Tape<Rational>& t_;
  const std::vector<TieUnit>& units_;
  std::vector<std::size_t> digit_;
  std::vector<std::vector<std::uint32_t>> arrangement_;
};

std::string node_list(const Program& p, const std::vector<std::uint32_t>& nodes) {
  constexpr std::size_t shown = 4;
  std::string s;
  for (std::size_t i = 0; i < nodes.size() && i < shown; ++i) s += (i ? ", " : "") + p.nodes[nodes[i]].name;
  if (nodes.size() > shown) s += ", ... and " + std::to_string(nodes.size() - shown) + " more";
  return s;
}

[[noreturn]] void refuse_combinations(const Program& p, const TieClosure& c, const Options& o, const std::string& why) {
  throw Error(ErrorKind::Resource, c.tied_nodes.empty() ? Location{} : detail::node_location(p, c.tied_nodes.front()),
              "the tie closure has " + c.combinations_text + " branch combinations over " +
                  std::to_string(c.tied_nodes.size()) + " tied nodes (" + node_list(p, c.tied_nodes) +
                  "), above the cap of " + std::to_string(o.max_closure_combinations) +
                  " (Options::max_closure_combinations; --closure-cap N on the command line)" + why);
}

[[noreturn]] void refuse_entries(std::size_t entries, const ClosureRequest& r, const std::string& what) {
  throw Error(ErrorKind::Resource, {},
              "the tie closure's " + what + " would hold " + std::to_string(entries) +
                  " exact entries, above the cap of " + std::to_string(r.max_exact_entries) +
                  " (ClosureRequest::max_exact_entries)");
}

std::size_t saturating_product(std::size_t a, std::size_t b) { return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b; }

/// Whether some term of an H1 Minkowski sum has two distinct points, i.e. the sum (the closure's
/// hull) is more than one point. A Birkhoff term varies iff two ranks r, r' and two arguments
/// s, s' give different sums under a transposition: points[r][s] + points[r'][s'] !=
/// points[r][s'] + points[r'][s] (every permutation is a product of transpositions); that test
/// costs k^4 and is run for k <= 64 only. Empty when only large Birkhoff terms could vary.
std::optional<bool> polytopes_vary(const std::vector<PolytopeTerm>& terms) {
  bool unknown = false;
  for (const auto& t : terms) {
    if (t.birkhoff == 0) {
      for (const auto& v : t.points)
        if (v != t.points.front()) return true;
      continue;
    }
    const std::size_t k = t.birkhoff;
    if (k > 64) {
      unknown = true;
      continue;
    }
    const auto at = [&](std::size_t r, std::size_t s) -> const std::vector<Rational>& { return t.points[r * k + s]; };
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t r2 = r + 1; r2 < k; ++r2)
        for (std::size_t s = 0; s < k; ++s)
          for (std::size_t s2 = s + 1; s2 < k; ++s2)
            for (std::size_t i = 0; i < at(r, s).size(); ++i)
              if (at(r, s)[i] + at(r2, s2)[i] != at(r, s2)[i] + at(r2, s)[i]) return true;
  }
  if (unknown) return std::nullopt;
  return false;
}

}  // namespace

std::string_view hull_method_name(HullMethod m) {
  switch (m) {
    case HullMethod::None: return "none";
    case HullMethod::Enumeration: return "enumeration";
    case HullMethod::Antichain: return "antichain LP (H1)";
  }
  return "?";
}

TieClosure tie_closure(const Program& p, const std::vector<Rational>& x, const Options& o, const ClosureRequest& r) {
  // The closure is every selection's Jacobian: tie rules (a framework's conventions) choose
  // among them, or mix them, and do not change the set.
  if (has_tie_conventions(p)) return tie_closure(without_conventions(p), x, o, r);
  validate(p);
  for (std::uint32_t k = 0; k < p.m(); ++k)
    if (op_info(p.nodes[k].op).transcendental)
      throw Error(ErrorKind::Unsupported, detail::node_location(p, k),
                  "the tie closure is computed in exact rational arithmetic, and this op is not "
                  "rational: closures of exp/log programs are not supported");
  TieClosure c;
  c.at_point = evaluate_exact(p, x, o);  // also validates the program and the point
  detail::Tape<Rational> t;
  detail::ExactPolicy pol(p, o);
  detail::run_forward(p, x, pol, t);
  const std::vector<TieUnit> units = detail::tie_units(p, t);
  for (const auto& u : units) c.tied_nodes.insert(c.tied_nodes.end(), u.nodes.begin(), u.nodes.end());

  // Bounds before work: the count is a product over the units, never an enumeration.
  const Count count = count_combinations(units);
  c.combinations = count.exact;
  c.combinations_log2 = count.log2;
  c.combinations_text = count.text();
  c.nesting = detail::nested_ties(p, units);

  const bool one_output = p.q() == 1;
  const bool antichain = !c.nesting.has_value();
  if (r.hull == ClosureRequest::Hull::Antichain && (!antichain || !one_output))
    throw Error(ErrorKind::Unsupported, {},
                !one_output ? std::string("the antichain LP (H1) decides the hull for one output; this program has ") +
                                  std::to_string(p.q())
                            : "the antichain LP (H1) needs ties that do not nest, and tied node " +
                                  p.nodes[c.nesting->first].name + " feeds tied node " +
                                  p.nodes[c.nesting->second].name + " on a path to an output");
  const bool use_h1 = one_output && antichain && r.hull != ClosureRequest::Hull::Enumeration;
  const bool list_all = count.exact <= o.max_closure_combinations;
  if (!list_all && !(use_h1 && r.allow_incomplete)) {
    std::string why;
    if (one_output && !antichain)
      why = "; the hull needs every combination because the ties nest (tied node " + p.nodes[c.nesting->first].name +
            " feeds tied node " + p.nodes[c.nesting->second].name + ")";
    refuse_combinations(p, c, o, why);
  }
  const auto check = [&](std::uint32_t k, const Rational& v) { pol.check(k, v); };

  if (use_h1) {
    const std::size_t entries = detail::antichain_hull_entries(p, units);
    if (entries > r.max_exact_entries) refuse_entries(entries, r, "antichain LP (H1)");
    const detail::AntichainHull h = detail::antichain_hull(p, t, units, p.outputs[0], check);
    c.zero_in_hull = zero_in_minkowski_sum(h.offset, h.terms);
    c.hull_method = HullMethod::Antichain;
    c.varies = polytopes_vary(h.terms);
    if (r.hull_query) {
      if (r.hull_query->size() != p.p())
        throw Error(ErrorKind::Usage, {}, "the hull query has " + std::to_string(r.hull_query->size()) +
                                              " entries; the program has " + std::to_string(p.p()) + " inputs");
      // q in offset + T_1 + ... + T_n  iff  0 in (offset - q) + T_1 + ... + T_n.
      std::vector<Rational> shifted = h.offset;
      for (std::size_t i = 0; i < shifted.size(); ++i) shifted[i] -= (*r.hull_query)[i];
      c.query_in_hull = zero_in_minkowski_sum(shifted, h.terms);
    }
  }

  if (!list_all) {  // allowed above: the hull is decided, the list holds the AD output alone
    c.jacobians.push_back(c.at_point.jacobian);
    c.enumerated = 1;
    c.complete = false;
    return c;
  }
  const std::size_t entries = saturating_product(saturating_product(count.exact, p.q()), p.p());
  if (entries > r.max_exact_entries) refuse_entries(entries, r, "list of Jacobians");
  detail::DistinctIndex<Matrix<Rational>> seen(c.jacobians);
  Odometer odometer(p, t, units);
  do {
    c.jacobians.push_back(detail::backward_jacobian(p, t, check));
    if (!seen.insert(c.jacobians.size() - 1)) c.jacobians.pop_back();
    ++c.enumerated;
    // mutant 60: the enumeration stops one combination early
  } while (odometer.next() && !(SELGRAD_MUTANT(60) && c.enumerated + 1 == count.exact));

  if (one_output && !use_h1) {
    std::vector<std::vector<Rational>> grads;
    grads.reserve(c.jacobians.size());
    for (const auto& j : c.jacobians) grads.push_back(j[0]);
    c.zero_in_hull = zero_in_convex_hull(grads);
    c.hull_method = HullMethod::Enumeration;
  }
  return c;
}

}  // namespace selgrad::reference
