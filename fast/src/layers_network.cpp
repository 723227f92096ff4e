// Network (see layers_network.hpp): forward keeps each layer's output, backward walks the layers
// in reverse through two alternating gradient buffers, SGD updates the Dense parameters in place.
#include "selgrad/fast/layers_network.hpp"

#include <string>
#include <type_traits>

#include "selgrad/program/error.hpp"

namespace selgrad::fast {
namespace {

[[noreturn]] void usage_error(const std::string& why) {
  throw Error(ErrorKind::Usage, Location{}, "Network: " + why);
}

/// Input size a layer needs, or -1 when it takes any size.
Index layer_in_features(const Layer& layer) {
  return std::visit(
      [](const auto& l) -> Index {
        using L = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<L, Relu> || std::is_same_v<L, Abs> ||
                      std::is_same_v<L, LogSumExp>)
          return -1;
        else
          return l.in_features();
      },
      layer);
}

/// Output size of a layer fed `in` features.
Index layer_out_features(const Layer& layer, Index in) {
  return std::visit(
      [in](const auto& l) -> Index {
        using L = std::decay_t<decltype(l)>;
        if constexpr (std::is_same_v<L, Relu> || std::is_same_v<L, Abs>)
          return in;
        else
          return l.out_features();
      },
      layer);
}

}  // namespace

Network::Network(Index input_features) : input_features_(input_features) {
  if (input_features <= 0) usage_error("the input size must be positive");
}

Index Network::output_features() const {
  Index n = input_features_;
  for (const auto& l : layers_) n = layer_out_features(l, n);
  return n;
}

Network& Network::add(Layer layer) {
  const Index have = output_features();
  const Index need = layer_in_features(layer);
  if (need >= 0 && need != have)
    usage_error("layer " + std::to_string(layers_.size()) + " takes " + std::to_string(need) +
                " features, the network so far produces " + std::to_string(have));
  layers_.push_back(std::move(layer));
  acts_.resize(layers_.size());
  return *this;
}

const Matrix& Network::forward(const Matrix& x) {
  if (layers_.empty()) usage_error("no layers");
  if (x.rows() != input_features_)
    usage_error("input has " + std::to_string(x.rows()) + " features, expected " +
                std::to_string(input_features_));
  input_ = &x;
  const Matrix* in = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    std::visit([&](auto& l) { l.forward(*in, acts_[i]); }, layers_[i]);
    in = &acts_[i];
  }
  return acts_.back();
}

void Network::backward(const Matrix& dy, Matrix* dx) {
  if (!input_) usage_error("backward before forward");
  // Without dx, nothing below the first Dense needs a gradient.
  std::size_t first_dense = layers_.size();
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (std::holds_alternative<Dense>(layers_[i])) {
      first_dense = i;
      break;
    }
  const Matrix* g = &dy;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const Matrix& in = i == 0 ? *input_ : acts_[i - 1];
    Matrix* out = nullptr;
    if (dx || i > first_dense) out = i == 0 ? dx : (g == &grad_a_ ? &grad_b_ : &grad_a_);
    std::visit(
        [&](auto& l) {
          using L = std::decay_t<decltype(l)>;
          if constexpr (std::is_same_v<L, Dense>)
            l.backward(in, *g, out);
          else if (out)
            l.backward(*g, *out);
        },
        layers_[i]);
    if (!out) break;
    g = out;
  }
}

double Network::gradient(const Matrix& x, const Matrix& t, Reduction reduction, Matrix* dx) {
  const double loss = squared_loss(forward(x), t, dout_, reduction);
  backward(dout_, dx);
  return loss;
}

double Network::gradient(const Matrix& x, std::span<const std::int32_t> labels,
                         Reduction reduction, Matrix* dx) {
  const double loss = softmax_cross_entropy(forward(x), labels, dout_, reduction);
  backward(dout_, dx);
  return loss;
}

void Network::sgd_update(double rate) {
  for (auto& layer : layers_)
    if (auto* d = std::get_if<Dense>(&layer)) {
      d->W.noalias() -= rate * d->dW;
      d->b.noalias() -= rate * d->db;
    }
}

double Network::sgd_step(const Matrix& x, const Matrix& t, double rate) {
  const double loss = gradient(x, t, Reduction::Mean);
  sgd_update(rate);
  return loss;
}

double Network::sgd_step(const Matrix& x, std::span<const std::int32_t> labels, double rate) {
  const double loss = gradient(x, labels, Reduction::Mean);
  sgd_update(rate);
  return loss;
}

Index Network::parameter_count() const {
  Index n = 0;
  for (const auto& layer : layers_)
    if (const auto* d = std::get_if<Dense>(&layer)) n += d->W.size() + d->b.size();
  return n;
}

Vector Network::parameters() const {
  Vector theta(parameter_count());
  Index k = 0;
  for (const auto& layer : layers_)
    if (const auto* d = std::get_if<Dense>(&layer)) {
      theta.segment(k, d->W.size()) = d->W.reshaped();
      k += d->W.size();
      theta.segment(k, d->b.size()) = d->b;
      k += d->b.size();
    }
  return theta;
}

void Network::set_parameters(const Vector& theta) {
  if (theta.size() != parameter_count())
    usage_error(std::to_string(theta.size()) + " parameters given, the network has " +
                std::to_string(parameter_count()));
  Index k = 0;
  for (auto& layer : layers_)
    if (auto* d = std::get_if<Dense>(&layer)) {
      d->W.reshaped() = theta.segment(k, d->W.size());
      k += d->W.size();
      d->b = theta.segment(k, d->b.size());
      k += d->b.size();
    }
}

Vector Network::parameter_gradient() const {
  Vector g(parameter_count());
  Index k = 0;
  for (const auto& layer : layers_)
    if (const auto* d = std::get_if<Dense>(&layer)) {
      g.segment(k, d->dW.size()) = d->dW.reshaped();
      k += d->dW.size();
      g.segment(k, d->db.size()) = d->db;
      k += d->db.size();
    }
  return g;
}

Network mlp(std::span<const Index> sizes, Activation activation, std::uint64_t seed) {
  if (sizes.size() < 2) usage_error("an MLP needs at least an input and an output size");
  Network net(sizes[0]);
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    Dense d(sizes[l], sizes[l + 1]);
    d.init_he(seed + l);
    net.add(std::move(d));
    if (l + 2 < sizes.size()) {
      if (activation == Activation::Relu) net.add(Relu{});
      if (activation == Activation::Abs) net.add(Abs{});
    }
  }
  return net;
}

}  // namespace selgrad::fast
