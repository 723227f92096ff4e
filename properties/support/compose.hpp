// Building programs from programs: composition G o F, sum F + G (P4), and the Theorem 1
// perturbation f + r * zero(. - s) (T1). Names get a prefix per part ("f.v3", "g.v2") so the
// printed result reads back.
#pragma once

#include "selgrad/program/builder.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/reference/scalars.hpp"

namespace selgrad::properties {

/// The exact literal v in the program under construction.
Arg exact_literal(ProgramBuilder& b, const reference::Rational& v);

/// G o F: F's outputs feed G's inputs, in order (needs G.p() == F.q()). Outputs: G's.
Program compose(const Program& f, const Program& g);

/// F + G on the same inputs (needs F.p() == G.p() and F.q() == G.q()): outputs added pairwise.
Program sum(const Program& f, const Program& g);

/// f(t) + r * zero(t - s), zero(u) = relu(-u) + u - relu(u), for a program f of one input and
/// one output (T1). The function is f; AD at s returns f'(s) + r.
Program add_zero_kink(const Program& f, const reference::Rational& r, const reference::Rational& s);

}  // namespace selgrad::properties
