// Lowering a layer network (layers_network.hpp) to a selgrad Program, so that the exact reference
// (reference/evaluate.hpp) can check the layer engine's gradients.
//
// Each layer becomes the nodes of the op table that compute it, with the same tie rules:
//   Dense      one `lin b w1 x1 w2 x2 ...` per output (weights as literals), or, when the weights
//              are the program's inputs, `lin 0 1 b x1 w1 ...` with the sample as coefficients
//              (and `mul w h` products once both factors are nodes)
//   Relu, Abs  `relu z`, `abs z` per entry
//   MaxPool    `max` over the window's entries listed in row-major window order
//   Sort       one `sort` statement per group
//   LogSumExp  `max`, `sub`, `exp`, `add`, `log`, `add` (the max shift; transcendental)
//   squared loss  `sub y t`, `mul d d`, `add`, then `mul` by 1/(2B) (Mean) or 1/2 (Sum)
// Numbers are written exactly: a finite double is a dyadic rational n / 2^k and becomes the
// literal "n/2^k" with both integers in decimal (exact_fraction), so the program computes the
// network of the doubles, exactly.
//
// Names: inputs `x.<s>.<j>` (sample s, feature j) or `w<l>.<i>.<j>`, `b<l>.<i>` (layer l of the
// network, counting every layer); layer l's output k for sample s is `l<l>.s<s>.<k>`.
#pragma once

#include <string>
#include <vector>

#include "selgrad/fast/layers_network.hpp"
#include "selgrad/program/literal.hpp"
#include "selgrad/program/program.hpp"

namespace selgrad::fast {

/// Which quantities are the inputs of the lowered program (the others are literals).
enum class LoweringInputs : std::uint8_t {
  Features,   ///< the samples' features, x(j, s) in column-major order (sample by sample)
  Parameters  ///< the network's parameters, in Network::parameters() order
};

/// The exact value of a finite double as a fraction in decimal digits: "0", "3", "-13/8",
/// "1/1024", "4503599627370497/4503599627370496". Throws Error(ErrorKind::Usage) for inf or NaN.
std::string exact_fraction(double v);
/// The literal denoting `v` exactly (parse_literal of exact_fraction(v)).
Literal exact_literal(double v);

/// The program computing `net` on the B columns of `x` (features x batch). Its outputs are the
/// network outputs y(k, s) in column-major order (q = outputs x B). With LoweringInputs::Features
/// its inputs are x's entries (p = features x B; x's values only matter through lowered_point);
/// with Parameters they are the network's parameters and x's entries are literals.
/// Throws Error(ErrorKind::Usage) when Parameters is asked of a network without Dense layers.
Program lower(const Network& net, const Matrix& x, LoweringInputs inputs);

/// The same network followed by the squared loss against targets t (outputs x B), with the
/// reduction of squared_loss: one output, the loss. Its Jacobian is dL/dx (Features) or dL/dtheta
/// (Parameters) as one row.
Program lower_squared_loss(const Network& net, const Matrix& x, const Matrix& t,
                           LoweringInputs inputs, Reduction reduction = Reduction::Mean);

/// The point at which the lowered program reproduces the network: x's entries (Features) or the
/// parameters (Parameters), as exact literals, in the program's input order.
std::vector<Literal> lowered_point(const Network& net, const Matrix& x, LoweringInputs inputs);

}  // namespace selgrad::fast
