// A network: a sequence of layers (layers.hpp) with preallocated workspaces, its gradient with
// respect to the parameters and the input, and plain SGD training.
//
// An MLP is a Network of Dense layers with an activation between consecutive ones (see mlp()).
// Layout as in layers.hpp: activations are features x batch, column s is sample s.
//
// Workspaces. The network keeps every layer's output (and each layer its branch decisions) from
// forward for use by backward, plus two gradient buffers that backward alternates between. They
// are sized at the first call with a given batch size; later calls with that batch size do not
// allocate, so a training step is allocation free after the first one (up to the temporary
// block buffer Eigen's GEMM may take for large products).
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "selgrad/fast/layers.hpp"

namespace selgrad::fast {

using Layer = std::variant<Dense, Relu, Abs, MaxPool1d, MaxPool2d, Sort, LogSumExp>;

/// Activation placed between the Dense layers of an MLP.
enum class Activation : std::uint8_t { Relu, Abs, None };

class Network {
 public:
  explicit Network(Index input_features);

  /// Appends a layer. Throws Error(ErrorKind::Usage) if its input size does not match the current
  /// output size (elementwise layers and LogSumExp fit any size).
  Network& add(Layer layer);

  Index input_features() const { return input_features_; }
  Index output_features() const;
  const std::vector<Layer>& layers() const { return layers_; }
  std::vector<Layer>& layers() { return layers_; }

  /// Runs every layer on the columns of x and returns the network output (out x B). Keeps every
  /// layer's output and branch decisions; `x` must stay alive and unchanged until backward.
  const Matrix& forward(const Matrix& x);
  /// The output of layer i from the last forward.
  const Matrix& activation(std::size_t i) const { return acts_[i]; }

  /// Backpropagates dy = dL/d(output) through the last forward: every Dense layer's dW and db are
  /// overwritten with dL/dW, dL/db; `dx` (if not null) receives dL/dx. Without `dx`, the layers
  /// before the first Dense are skipped and the first Dense computes no input gradient.
  void backward(const Matrix& dy, Matrix* dx = nullptr);

  /// forward, squared loss against targets t (squared_loss), backward. Returns the loss.
  double gradient(const Matrix& x, const Matrix& t, Reduction reduction = Reduction::Mean,
                  Matrix* dx = nullptr);
  /// forward, softmax cross-entropy against class labels (softmax_cross_entropy), backward.
  double gradient(const Matrix& x, std::span<const std::int32_t> labels,
                  Reduction reduction = Reduction::Mean, Matrix* dx = nullptr);

  /// W -= rate * dW, b -= rate * db in every Dense layer.
  void sgd_update(double rate);
  /// One SGD step on the mean squared loss: gradient(x, t), then sgd_update(rate). Returns the
  /// loss before the update.
  double sgd_step(const Matrix& x, const Matrix& t, double rate);
  /// One SGD step on the mean softmax cross-entropy. Returns the loss before the update.
  double sgd_step(const Matrix& x, std::span<const std::int32_t> labels, double rate);

  /// Parameter order, used by every flat view and by lowering.hpp: Dense layers in network
  /// order; within one, W in column-major (storage) order, W(i, j) at j * out + i, then b.
  Index parameter_count() const;
  Vector parameters() const;
  void set_parameters(const Vector& theta);
  /// dL/dtheta from the last backward, in parameter order.
  Vector parameter_gradient() const;

 private:
  Index input_features_;
  std::vector<Layer> layers_;
  const Matrix* input_ = nullptr;  // the last forward's x
  std::vector<Matrix> acts_;       // acts_[i] = output of layer i
  Matrix grad_a_, grad_b_;         // backward's alternating dL/d(activation) buffers
  Matrix dout_;                    // dL/d(output) from the loss
};

/// An MLP: Dense(sizes[0] -> sizes[1]), activation, Dense(sizes[1] -> sizes[2]), activation, ...,
/// Dense(-> sizes.back()) with no activation after the last Dense. He-initialised from `seed`
/// (layer l uses seed + l).
Network mlp(std::span<const Index> sizes, Activation activation, std::uint64_t seed);

}  // namespace selgrad::fast
