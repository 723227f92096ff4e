// The tie closure: D5 restricted to the nodes that are tied at a point.
//
// At a point x, a selection node is tied when several of its pieces take the node's value (relu
// or abs at 0, a max with two maximal arguments, a sort with equal values, a select at u = v).
// Choosing any of those pieces leaves every value of the program unchanged, so each combination
// of choices is a valid branch signature at x, and AD along it returns a selection Jacobian.
// The tie closure is the set of distinct Jacobians over all combinations: what AD could output
// at x over all representations that differ only at ties. For one output, 0 in its convex hull
// means x is selection critical (D5).
//
// The number of combinations is a product over the ties (k! for a sort run of k equal values),
// counted before anything is enumerated. Two ways decide "0 in the hull":
//  * the antichain LP (H1): when no path from an input to an output meets two tied nodes, the
//    hull is a Minkowski sum of one small polytope per tie, and one exact LP of polynomial
//    size decides it, however many combinations there are;
//  * enumeration: every combination is run through the backward sweep (lazily, deduplicating
//    as they come), and Gordan's dual LP decides the hull of the distinct Jacobians.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "selgrad/reference/evaluate.hpp"

namespace selgrad::reference {

/// Which test decided "0 in the hull".
enum class HullMethod : std::uint8_t {
  None,         ///< no hull question (more than one output)
  Enumeration,  ///< Gordan's dual LP over the distinct Jacobians of every combination
  Antichain     ///< H1: one exact LP over the product of the ties' local hulls
};

/// "none", "enumeration", "antichain LP (H1)".
std::string_view hull_method_name(HullMethod m);

/// What tie_closure is asked to do beyond the defaults.
struct ClosureRequest {
  enum class Hull : std::uint8_t {
    Auto,         ///< the antichain LP when the ties do not nest, else enumeration
    Enumeration,  ///< always enumerate (the independent check of H1)
    Antichain     ///< always the antichain LP; Error (Unsupported) when the ties nest
  };
  Hull hull = Hull::Auto;
  /// When the combinations exceed Options::max_closure_combinations but the hull can be decided
  /// without them (one output, ties not nested), answer with only the AD output's Jacobian
  /// listed and `complete` false instead of throwing.
  bool allow_incomplete = false;
  /// Largest number of exact entries the closure may hold: the listed Jacobians
  /// (combinations x q x p) or the antichain LP's points and tangents. Checked before the work.
  std::size_t max_exact_entries = std::size_t{1} << 25;
  /// One output only: a gradient (p entries) whose membership in the hull is also wanted, when
  /// H1 decides the hull (TieClosure::query_in_hull). The gradient check uses it when the
  /// closure is too large to list.
  std::optional<std::vector<Rational>> hull_query;
};

struct TieClosure {
  ExactResult at_point;                  ///< AD at x with the tie rules' branches
  std::vector<std::uint32_t> tied_nodes; ///< selection nodes whose choice varies
  /// Branch combinations over the ties; SIZE_MAX when there are more than that.
  std::size_t combinations = 0;
  double combinations_log2 = 0;          ///< log2 of the number of combinations
  std::string combinations_text;         ///< "12", "2^512" (exact), or "about 2^61.3"
  std::size_t enumerated = 0;            ///< combinations run through the backward sweep
  /// Whether `jacobians` holds every distinct Jacobian of the closure. False only when a
  /// request allowed it: then it holds the AD output's alone.
  bool complete = true;
  /// Distinct selection Jacobians (q x p each); the first is at_point.jacobian.
  std::vector<Matrix<Rational>> jacobians;
  /// For q = 1: whether 0 lies in the convex hull of the gradients (exact). Empty for q > 1.
  std::optional<bool> zero_in_hull;
  HullMethod hull_method = HullMethod::None;
  /// When the ties nest (H1 does not apply): a tied node and a tied node below it on one path
  /// from an input to an output, as (upstream, downstream). Empty when they form an antichain.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> nesting;
  /// With ClosureRequest::hull_query, when H1 decided the hull: whether the query is in it.
  std::optional<bool> query_in_hull;
  /// When H1 decided the hull: whether the closure has two or more distinct Jacobians (some
  /// tie's local polytope has two distinct points; for a sort run of more than 64 values this
  /// is not worked out, and stays empty unless a smaller tie settles it).
  std::optional<bool> varies;
};

/// Tie closure of a rational program (no exp/log) at an exact point. Throws Error: Unsupported
/// for a program with exp/log (or a forced antichain LP on nested ties), those of
/// evaluate_exact, and Resource when the number of combinations exceeds
/// Options::max_closure_combinations (unless the request allows an incomplete list and the hull
/// is decided without them) or the entries exceed ClosureRequest::max_exact_entries. The
/// refusal names the count (in log form when large), the tied nodes, the cap and the option
/// that raises it.
TieClosure tie_closure(const Program& program, const std::vector<Rational>& point,
                       const Options& options = {}, const ClosureRequest& request = {});

}  // namespace selgrad::reference
