// Lowering a layer network to a Program (see lowering.hpp): a small builder that appends nodes
// and deduplicated exact literals, one function per layer kind over per-sample value lists.
#include "selgrad/fast/lowering.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "selgrad/program/builder.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"

namespace selgrad::fast {
namespace {

[[noreturn]] void usage_error(const std::string& why) {
  throw Error(ErrorKind::Usage, Location{}, "lowering: " + why);
}

/// The lowered program under construction (ProgramBuilder: exact literals shared by value). An
/// output must be a node: a network output that is a literal does not depend on the inputs.
class Builder : public ProgramBuilder {
 public:
  void output(Arg a) {
    if (!a.is_node()) usage_error("an output does not depend on the program's inputs");
    ProgramBuilder::output(a);
  }
  Program finish() { return build(); }
};

/// Parameter input nodes of one Dense layer (Parameters variant only).
struct DenseInputs {
  std::vector<Arg> W;  // column-major, like the storage of Dense::W
  std::vector<Arg> b;
};

using Values = std::vector<Arg>;  // one sample's features at some layer

class Lowerer {
 public:
  Lowerer(const Network& net, LoweringInputs inputs) : net_(net), inputs_(inputs) {}

  /// Creates the program inputs and the node lists of every sample's network outputs.
  std::vector<Values> run(const Matrix& x) {
    if (x.rows() != net_.input_features())
      usage_error("samples have " + std::to_string(x.rows()) + " features, the network takes " +
                  std::to_string(net_.input_features()));
    if (x.cols() == 0) usage_error("no samples");
    const auto& layers = net_.layers();
    if (layers.empty()) usage_error("the network has no layers");
    std::vector<Values> values(static_cast<std::size_t>(x.cols()));
    if (inputs_ == LoweringInputs::Features) {
      for (Index s = 0; s < x.cols(); ++s)
        for (Index j = 0; j < x.rows(); ++j)
          values[s].push_back(b_.input("x." + std::to_string(s) + "." + std::to_string(j)));
    } else {
      dense_inputs_.resize(layers.size());
      bool any = false;
      for (std::size_t l = 0; l < layers.size(); ++l)
        if (const auto* d = std::get_if<Dense>(&layers[l])) {
          any = true;
          const std::string ls = std::to_string(l);
          for (Index j = 0; j < d->in_features(); ++j)
            for (Index i = 0; i < d->out_features(); ++i)
              dense_inputs_[l].W.push_back(
                  b_.input("w" + ls + "." + std::to_string(i) + "." + std::to_string(j)));
          for (Index i = 0; i < d->out_features(); ++i)
            dense_inputs_[l].b.push_back(b_.input("b" + ls + "." + std::to_string(i)));
        }
      if (!any) usage_error("the network has no parameters (no Dense layer)");
      for (Index s = 0; s < x.cols(); ++s)
        for (Index j = 0; j < x.rows(); ++j) values[s].push_back(b_.literal(x(j, s)));
    }
    for (std::size_t s = 0; s < values.size(); ++s)
      for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string prefix = "l" + std::to_string(l) + ".s" + std::to_string(s) + ".";
        values[s] = std::visit([&](const auto& layer) { return lower(layer, l, prefix, values[s]); },
                               layers[l]);
      }
    return values;
  }

  Builder& builder() { return b_; }

 private:
  Values lower(const Dense& d, std::size_t l, const std::string& prefix, const Values& v) {
    Values out;
    const Index in = d.in_features(), outs = d.out_features();
    for (Index i = 0; i < outs; ++i) {
      const std::string name = prefix + std::to_string(i);
      std::vector<Arg> args;
      if (inputs_ == LoweringInputs::Features) {
        // lin b W(i,0) v0 W(i,1) v1 ...: the weights are the coefficients
        args.push_back(b_.literal(SELGRAD_MUTANT(44) ? 0.0 : d.b(i)));  // mutant 44: the bias is dropped
        for (Index j = 0; j < in; ++j) {
          if (!v[j].is_node()) usage_error("internal: a constant feature in the Features variant");
          args.push_back(b_.literal(d.W(i, j)));
          args.push_back(v[j]);
        }
      } else {
        // lin 0 1 b v0 W(i,0) ...: a constant feature is the coefficient of its weight; a computed
        // feature multiplies its weight in a `mul` node first.
        const DenseInputs& p = dense_inputs_[l];
        args.push_back(b_.literal("0"));
        args.push_back(b_.literal("1"));
        args.push_back(p.b[i]);
        for (Index j = 0; j < in; ++j) {
          const Arg w = p.W[static_cast<std::size_t>(j * outs + i)];
          if (v[j].is_node()) {
            args.push_back(b_.literal("1"));
            args.push_back(b_.node(name + ".p" + std::to_string(j), Op::Mul, {w, v[j]}));
          } else {
            args.push_back(v[j]);
            args.push_back(w);
          }
        }
      }
      out.push_back(b_.node(name, Op::Lin, std::move(args)));
    }
    return out;
  }

  Values elementwise(Op op, const std::string& prefix, const Values& v) {
    Values out;
    for (std::size_t k = 0; k < v.size(); ++k)
      out.push_back(b_.node(prefix + std::to_string(k), op, {v[k]}));
    return out;
  }
  Values lower(const Relu&, std::size_t, const std::string& prefix, const Values& v) {
    return elementwise(Op::Relu, prefix, v);
  }
  Values lower(const Abs&, std::size_t, const std::string& prefix, const Values& v) {
    return elementwise(Op::Abs, prefix, v);
  }

  Values lower(const MaxPool2d& p, std::size_t, const std::string& prefix, const Values& v) {
    Values out;
    const Index plane = p.height() * p.width();
    for (Index c = 0; c < p.channels(); ++c)
      for (Index oh = 0; oh < p.out_height(); ++oh)
        for (Index ow = 0; ow < p.out_width(); ++ow) {
          std::vector<Arg> args;  // row-major window order: the `max` tie rule picks the first
          for (Index kh = 0; kh < p.window_h(); ++kh)
            for (Index kw = 0; kw < p.window_w(); ++kw)
              args.push_back(v[static_cast<std::size_t>(c * plane +
                                                        (oh * p.stride_h() + kh) * p.width() +
                                                        ow * p.stride_w() + kw)]);
          out.push_back(b_.node(prefix + std::to_string(out.size()), Op::Max, std::move(args)));
        }
    return out;
  }
  Values lower(const MaxPool1d& p, std::size_t l, const std::string& prefix, const Values& v) {
    return lower(p.as_2d(), l, prefix, v);
  }

  Values lower(const Sort& srt, std::size_t, const std::string& prefix, const Values& v) {
    Values out;
    const Index g = srt.group();
    for (Index base = 0; base < srt.in_features(); base += g) {
      std::vector<std::string> names;
      for (Index r = 0; r < g; ++r) names.push_back(prefix + std::to_string(base + r));
      const Values sorted = b_.sort(names, Values(v.begin() + base, v.begin() + base + g));
      out.insert(out.end(), sorted.begin(), sorted.end());
    }
    return out;
  }

  Values lower(const LogSumExp&, std::size_t, const std::string& prefix, const Values& v) {
    const Arg m = b_.node(prefix + "max", Op::Max, v);
    std::vector<Arg> terms;
    for (std::size_t k = 0; k < v.size(); ++k) {
      const Arg d = b_.node(prefix + "d" + std::to_string(k), Op::Sub, {v[k], m});
      terms.push_back(b_.node(prefix + "e" + std::to_string(k), Op::Exp, {d}));
    }
    const Arg total = b_.node(prefix + "sum", Op::Add, std::move(terms));
    const Arg lg = b_.node(prefix + "log", Op::Log, {total});
    return {b_.node(prefix + "0", Op::Add, {m, lg})};
  }

  const Network& net_;
  LoweringInputs inputs_;
  Builder b_;
  std::vector<DenseInputs> dense_inputs_;
};

}  // namespace

std::string exact_fraction(double v) { return exact_literal(v).as_fraction(); }

Literal exact_literal(double v) {
  auto lit = Literal::from_double(v);
  if (!lit) usage_error("a non-finite number has no exact fraction");
  return std::move(*lit);
}

Program lower(const Network& net, const Matrix& x, LoweringInputs inputs) {
  Lowerer lowerer(net, inputs);
  const auto values = lowerer.run(x);
  for (const auto& sample : values)
    for (const Arg a : sample) lowerer.builder().output(a);
  return lowerer.builder().finish();
}

Program lower_squared_loss(const Network& net, const Matrix& x, const Matrix& t,
                           LoweringInputs inputs, Reduction reduction) {
  if (t.rows() != net.output_features() || t.cols() != x.cols())
    usage_error("targets of shape " + std::to_string(t.rows()) + " x " + std::to_string(t.cols()) +
                ", the network gives " + std::to_string(net.output_features()) + " x " +
                std::to_string(x.cols()));
  Lowerer lowerer(net, inputs);
  const auto values = lowerer.run(x);
  Builder& b = lowerer.builder();
  std::vector<Arg> squares;
  for (std::size_t s = 0; s < values.size(); ++s)
    for (std::size_t k = 0; k < values[s].size(); ++k) {
      const std::string sk = std::to_string(s) + "." + std::to_string(k);
      const Arg d = b.node("loss.d." + sk, Op::Sub,
                           {values[s][k], b.literal(t(static_cast<Index>(k), static_cast<Index>(s)))});
      squares.push_back(b.node("loss.sq." + sk, Op::Mul, {d, d}));
    }
  const Arg total = b.node("loss.sum", Op::Add, std::move(squares));
  const std::string scale =
      reduction == Reduction::Mean ? "1/" + std::to_string(2 * x.cols()) : std::string("1/2");
  b.output(b.node("loss", Op::Mul, {total, b.literal(scale)}));
  return b.finish();
}

std::vector<Literal> lowered_point(const Network& net, const Matrix& x, LoweringInputs inputs) {
  std::vector<Literal> point;
  if (inputs == LoweringInputs::Features) {
    for (Index k = 0; k < x.size(); ++k) point.push_back(exact_literal(x.data()[k]));
  } else {
    const Vector theta = net.parameters();
    for (Index k = 0; k < theta.size(); ++k) point.push_back(exact_literal(theta(k)));
  }
  return point;
}

}  // namespace selgrad::fast
