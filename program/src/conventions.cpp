#include "selgrad/program/conventions.hpp"

#include <iterator>

#include "selgrad/program/literal.hpp"
#include "selgrad/program/op.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad {

namespace {

/// Whether op's ties can take a rule other than its own: the selections whose pieces are chosen
/// by value (not sort, whose ties are a permutation, nor select, whose tie is its condition's).
bool takes_tie_rules(Op op) { return op_info(op).selection && op != Op::Sort && op != Op::Select; }

/// The index of the piece called `name` in op's rule, if its pieces have names.
std::optional<std::uint32_t> piece_by_name(Op op, std::string_view name) {
  return rules::visit(op, [&](auto r) -> std::optional<std::uint32_t> {
    using R = decltype(r);
    if constexpr (requires { R::piece_names; }) {
      for (std::uint32_t i = 0; i < std::size(R::piece_names); ++i)
        if (R::piece_names[i] == name) return i;
    }
    return std::nullopt;
  });
}

std::string piece_list(Op op) {
  return rules::visit(op, [&](auto r) -> std::string {
    using R = decltype(r);
    std::string s;
    if constexpr (requires { R::piece_names; }) {
      for (auto n : R::piece_names) s += ", " + std::string(n);
    }
    return s;
  });
}

/// 0 <= w <= 1, from the literal's digits.
bool weight_in_unit_interval(const Literal& w) {
  if (w.negative) return false;
  const auto& a = w.numerator;
  const auto& b = w.denominator;
  return a.size() < b.size() || (a.size() == b.size() && a <= b);
}

}  // namespace

std::optional<Conventions> conventions_by_name(std::string_view name) {
  if (name == "default" || name == "selgrad") return Conventions::Default;
  if (name == "torch" || name == "pytorch") return Conventions::Torch;
  if (name == "jax") return Conventions::Jax;
  if (name == "tf" || name == "tensorflow") return Conventions::Tf;
  return std::nullopt;
}

std::string_view conventions_name(Conventions c) {
  switch (c) {
    case Conventions::Default: return "default";
    case Conventions::Torch: return "torch";
    case Conventions::Jax: return "jax";
    case Conventions::Tf: return "tf";
  }
  return "?";
}

std::string_view conventions_names() { return "default, torch, jax, tf"; }

TieRule convention_rule(Conventions c, const Node& n) {
  if (!op_info(n.op).selection) return {};
  if (!takes_tie_rules(n.op) || c == Conventions::Default) return TieRule::op_rule();
  const bool binary = n.args.size() == 2;
  switch (n.op) {
    case Op::Relu: return TieRule::op_rule();  // relu'(0) = 0 in all three
    case Op::Abs: return c == Conventions::Jax ? TieRule::take(*piece_by_name(Op::Abs, "a")) : TieRule::op_rule();
    case Op::Max:
    case Op::Min:
      // tf.maximum gives a tie to its first argument; every reduction (and torch/jax maximum) splits.
      return c == Conventions::Tf && binary ? TieRule::op_rule() : TieRule::split();
    case Op::Clamp:
      // torch.clamp and tf.clip_by_value pass the gradient at a bound; jnp.clip is
      // minimum(maximum(x, lo), hi), whose maximum splits the tie.
      return c == Conventions::Jax ? TieRule::split() : TieRule::take(*piece_by_name(Op::Clamp, "a"));
    default: return TieRule::op_rule();
  }
}

Program with_conventions(Program p, Conventions c) {
  for (std::size_t k = p.input_count; k < p.nodes.size(); ++k) {
    Node& n = p.nodes[k];
    if (op_info(n.op).selection && n.tie.kind == TieRule::Kind::Unset) n.tie = convention_rule(c, n);
  }
  return p;
}

Program without_conventions(Program p) {
  for (Node& n : p.nodes) n.tie = {};
  return p;
}

bool has_tie_conventions(const Program& p) {
  for (const Node& n : p.nodes)
    if (n.tie.changes_ties()) return true;
  return false;
}

std::string tie_rule_text(const Node& n, const std::vector<Literal>& literals) {
  switch (n.tie.kind) {
    case TieRule::Kind::Weight:
      return piece_name(n, n.tie.piece, [](std::uint32_t) { return std::string(); }) + "=" +
             (n.tie.weight < literals.size() ? literals[n.tie.weight].text : std::string("?"));
    case TieRule::Kind::Unset: return "";
    case TieRule::Kind::OpRule: return n.op == Op::Max || n.op == Op::Min ? "first" : "default";
    case TieRule::Kind::Split: return "split";
    case TieRule::Kind::Piece:
      return piece_name(n, n.tie.piece, [](std::uint32_t) { return std::string(); });
  }
  return "";
}

TieRuleParse parse_tie_rule(Op op, std::string_view text) {
  const std::string name(op_name(op));
  if (!op_info(op).selection)
    return {std::nullopt,
            "a tie rule '@" + std::string(text) + "' on " + name +
                ", which is smooth (tie rules apply to relu, abs, max, min and clamp)",
            {}};
  if (text == "default" || ((op == Op::Max || op == Op::Min) && text == "first") || (op == Op::Sort && text == "stable"))
    return {TieRule::op_rule(), {}, {}};
  if (!takes_tie_rules(op))
    return {std::nullopt,
            name + " takes no tie rule but '@default' (its ties are " +
                (op == Op::Sort ? "a permutation" : "its condition's") + ")",
            {}};
  if (text == "split") return {TieRule::split(), {}, {}};
  if (const auto piece = piece_by_name(op, text)) return {TieRule::take(*piece), {}, {}};
  if (const auto eq = text.find('='); eq != std::string_view::npos) {
    const auto piece = piece_by_name(op, text.substr(0, eq));
    std::string why;
    const auto w = parse_literal(text.substr(eq + 1), &why);
    if (piece && !w) return {std::nullopt, "bad weight '" + std::string(text.substr(eq + 1)) + "': " + why, {}};
    if (piece && !weight_in_unit_interval(*w))
      return {std::nullopt, "the weight of a tie rule must be in [0, 1], got " + w->text, {}};
    if (piece) return {TieRule::weighted(*piece, 0), {}, *w};
  }
  return {std::nullopt,
          "unknown tie rule '@" + std::string(text) + "' for " + name + " (expected default, split" +
              (op == Op::Max || op == Op::Min ? std::string(", first") : piece_list(op) + ", or PIECE=W") + ")",
          {}};
}

}  // namespace selgrad
