// A node's tie rule: which selection gradient a selection node returns when it is decided at a
// tie (D5), when the op table's rule is not what is wanted.
//
// Frameworks differ exactly here (docs/program-format.md, "Tie rules"): PyTorch's relu'(0) is 0 and its
// `maximum` splits a tie 1/2-1/2, JAX's abs'(0) is 1, TensorFlow's `maximum` gives a tie to its
// first argument. A node carries its framework's rule so that the engines return what that
// framework's autograd returns, and the tie closure still says what every representation
// could return. In program text a rule is a last token `@RULE` on the node's line:
//
//   y = relu x @a         at x = 0, the piece `a`: relu'(0) = 1
//   m = max u v @split    at u = v, the mean of the tied pieces' gradients: 1/2 each
//   c = clamp x 0 1 @a    at a bound, the piece `a`: derivative 1 (PyTorch's clamp)
//   k = max u v @first    the op table's own rule, written out (so a profile leaves it alone)
//   y = relu x @a=1/4     at x = 0, 1/4 of the piece `a`'s gradient and 3/4 of the op table's
//                         choice's: relu'(0) = 1/4
//
// A Piece rule is a selection (D3/D4): at a tie it takes its piece when that piece is tied,
// otherwise the op table's. A Split rule is not a selection: its derivative is the mean of the
// tied pieces' local gradients, a convex combination that lies in the convex hull of the tie
// closure (T3) but in general is none of its elements; a Weight rule is the combination w of its
// piece and 1 - w of the op table's choice (a relu'(0) = alpha). Values never depend on the rule (tied
// pieces have equal values).
#pragma once

#include <cstdint>

namespace selgrad {

struct TieRule {
  enum class Kind : std::uint8_t {
    Unset,   ///< not written: the op table's rule, and a conventions profile may replace it
    OpRule,  ///< the op table's rule, written (`@default`; `@first` for max and min)
    Piece,   ///< `@NAME`: at a tie, piece `piece` when it is tied
    Split,   ///< `@split`: at a tie, the mean of the tied pieces' local gradients
    Weight   ///< `@NAME=W`: at a tie, w times piece `piece`'s gradient (when it is tied) plus
             ///< 1 - w times the op table's choice's, 0 <= w <= 1 an exact literal
  };
  Kind kind = Kind::Unset;
  std::uint32_t piece = 0;   ///< Piece and Weight (the op's piece numbering, op_rules.hpp)
  std::uint32_t weight = 0;  ///< Weight only: index of w in Program::literals

  static constexpr TieRule op_rule() { return {Kind::OpRule, 0, 0}; }
  static constexpr TieRule split() { return {Kind::Split, 0, 0}; }
  static constexpr TieRule take(std::uint32_t p) { return {Kind::Piece, p, 0}; }
  static constexpr TieRule weighted(std::uint32_t p, std::uint32_t literal) { return {Kind::Weight, p, literal}; }
  /// Whether the rule changes anything at a tie (Piece, Split or Weight).
  constexpr bool changes_ties() const { return kind == Kind::Piece || kind == Kind::Split || kind == Kind::Weight; }
  friend constexpr bool operator==(const TieRule&, const TieRule&) = default;
};

}  // namespace selgrad
