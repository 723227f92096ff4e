// Dense layers on Eigen: the double-precision building blocks of a network, each with a forward
// pass that records its branch decisions and a backward pass that uses them.
//
// Layout. Every activation is a column-major `Matrix` of shape features x batch: column s is
// sample s. A layer's forward and backward are then GEMMs on whole matrices (Dense) or plain loops
// over contiguous columns (the nonsmooth layers), and the per-sample feature vector is contiguous.
//
// Branch decisions. A nonsmooth layer is an elementary selection (math.md D3). Its forward pass
// records which piece it took for every output entry (a mask, an argmax index, a permutation),
// and backward applies the selection derivative (D4) of that piece; it never compares values
// again. The tie rules are those of the op table (program/op.hpp), so a layer and the lowered
// program (lowering.hpp) take the same branches and return the same gradient, exactly when the
// arithmetic is exact:
//
// | layer     | decision recorded              | tie rule (the piece taken at equality)              |
// |-----------|--------------------------------|-----------------------------------------------------|
// | Relu      | active mask (x > 0)            | x = 0 takes the constant piece: relu'(0) = 0         |
// | Abs       | sign of x in {-1, 0, 1}        | x = 0 takes the constant 0: abs'(0) = 0              |
// | MaxPool   | input index of the maximum     | the first maximal element in row-major window order |
// | Sort      | source index of every rank     | stable decreasing: equal values keep input order     |
//
// Gradients. backward takes dL/dy and writes dL/dx (and for Dense dL/dW, dL/db, which it
// overwrites rather than accumulates). Outputs are resized to fit; after the first call at a given
// batch size no layer allocates (Eigen's GEMM may take a temporary block buffer for large products,
// on the stack below EIGEN_STACK_ALLOCATION_LIMIT).
#pragma once

#include "selgrad/eigen.hpp"
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace selgrad::fast {

using Index = Eigen::Index;
/// Activations, weights and gradients: column-major doubles; for activations, features x batch.
using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<double, Eigen::Dynamic, 1>;
/// Recorded indices (argmax, permutation), same shape as the layer's output.
using IndexMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;
/// Recorded masks and signs, same shape as the layer's input.
using MaskMatrix = Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>;

/// How a loss combines the samples of a batch.
enum class Reduction : std::uint8_t {
  Mean,  ///< divided by the batch size B
  Sum    ///< summed over the batch
};

// ------------------------------------------------------------------------------------------
// Dense: y = W x + b.

/// A fully connected layer y = W x + b, W of shape out x in, b of length out. Parameters and their
/// gradients are plain public matrices (W, b, dW, db); the constructor zeroes them.
class Dense {
 public:
  Dense(Index in_features, Index out_features);

  Index in_features() const { return W.cols(); }
  Index out_features() const { return W.rows(); }

  /// y = W x + b (b added to every column); one GEMM.
  void forward(const Matrix& x, Matrix& y) const;
  /// From dy = dL/dy (out x B): dW = dy x^T, db = row sums of dy, and dx = W^T dy when `dx` is
  /// not null (two or three GEMM-sized passes). `x` is the forward input.
  void backward(const Matrix& x, const Matrix& dy, Matrix* dx);

  /// Uniform He initialisation: W ~ U(-sqrt(6/in), sqrt(6/in)), b = 0, deterministic in `seed`.
  void init_he(std::uint64_t seed);

  Matrix W;   ///< out x in
  Vector b;   ///< out
  Matrix dW;  ///< dL/dW after backward
  Vector db;  ///< dL/db after backward
};

// ------------------------------------------------------------------------------------------
// Elementwise selections.

/// relu(x) = max(x, 0) elementwise. Pieces: the constant 0 when x <= 0, x when x > 0.
class Relu {
 public:
  /// Records active = (x > 0) per entry; y = x where active, else 0.
  void forward(const Matrix& x, Matrix& y);
  /// dx = dy where active, else 0 (relu'(0) = 0).
  void backward(const Matrix& dy, Matrix& dx) const;
  /// 1 where the piece x was taken (x > 0), 0 where the constant piece was (x <= 0).
  const MaskMatrix& active() const { return active_; }

 private:
  MaskMatrix active_;
};

/// abs(x) elementwise. Pieces: x when x > 0, -x when x < 0, the constant 0 when x = 0.
class Abs {
 public:
  /// Records sign = sign(x) in {-1, 0, 1} per entry; y = |x|.
  void forward(const Matrix& x, Matrix& y);
  /// dx = sign * dy (abs'(0) = 0).
  void backward(const Matrix& dy, Matrix& dx) const;
  const MaskMatrix& sign() const { return sign_; }

 private:
  MaskMatrix sign_;
};

// ------------------------------------------------------------------------------------------
// Max pooling.

/// 2-D max pooling over each channel of a C x H x W image, per sample. A sample's features are
/// the image in channel-major, then row-major order: feature c*H*W + h*W + w. The output has
/// C x Ho x Wo features in the same order, Ho = (H - window_h) / stride_h + 1 (and so for Wo).
/// Each output is the max of its window; ties go to the first maximal element in row-major
/// window order (the `max` op's rule with its arguments listed row by row).
class MaxPool2d {
 public:
  MaxPool2d(Index channels, Index height, Index width, Index window_h, Index window_w,
            Index stride_h, Index stride_w);

  Index channels() const { return channels_; }
  Index height() const { return height_; }
  Index width() const { return width_; }
  Index window_h() const { return window_h_; }
  Index window_w() const { return window_w_; }
  Index stride_h() const { return stride_h_; }
  Index stride_w() const { return stride_w_; }
  Index out_height() const { return out_h_; }
  Index out_width() const { return out_w_; }
  Index in_features() const { return channels_ * height_ * width_; }
  Index out_features() const { return channels_ * out_h_ * out_w_; }

  /// Records argmax(o, s) = input feature of the window's first maximal element.
  void forward(const Matrix& x, Matrix& y);
  /// dx = 0, then dx(argmax(o, s), s) += dy(o, s) (overlapping windows add up).
  void backward(const Matrix& dy, Matrix& dx) const;
  const IndexMatrix& argmax() const { return argmax_; }

 private:
  Index channels_, height_, width_, window_h_, window_w_, stride_h_, stride_w_, out_h_, out_w_;
  IndexMatrix argmax_;
};

/// 1-D max pooling over each channel of a C x L signal: a MaxPool2d with height 1. Features
/// c*L + i; output C x Lo with Lo = (L - window) / stride + 1; ties go to the first position.
class MaxPool1d {
 public:
  MaxPool1d(Index channels, Index length, Index window, Index stride)
      : pool_(channels, 1, length, 1, window, 1, stride) {}

  Index channels() const { return pool_.channels(); }
  Index length() const { return pool_.width(); }
  Index window() const { return pool_.window_w(); }
  Index stride() const { return pool_.stride_w(); }
  Index out_length() const { return pool_.out_width(); }
  Index in_features() const { return pool_.in_features(); }
  Index out_features() const { return pool_.out_features(); }

  void forward(const Matrix& x, Matrix& y) { pool_.forward(x, y); }
  void backward(const Matrix& dy, Matrix& dx) const { pool_.backward(dy, dx); }
  const IndexMatrix& argmax() const { return pool_.argmax(); }
  /// The same pooling seen as 2-D (height 1).
  const MaxPool2d& as_2d() const { return pool_; }

 private:
  MaxPool2d pool_;
};

// ------------------------------------------------------------------------------------------
// Sort.

/// Sorts each consecutive group of `group` features of every sample in decreasing order, stably:
/// among equal values the lower feature comes first (+0 and -0 are equal). group = features sorts
/// the whole column; group = 2 is the GroupSort / MaxMin activation. Output r of a group is its
/// r-th largest entry, like the r-th output of a `sort` statement.
class Sort {
 public:
  /// `group` must divide `features`; 0 means the whole column.
  explicit Sort(Index features, Index group = 0);

  Index in_features() const { return features_; }
  Index out_features() const { return features_; }
  Index group() const { return group_; }

  /// Records perm(r, s) = input feature that lands at output feature r: y(r, s) = x(perm(r, s), s).
  /// A compare-and-swap for pairs, a branch-free rank sort for groups up to 256, an introsort on
  /// (value, position) keys above (a total order, so the result is the stable one). NaNs are
  /// placed somewhere (positive NaNs first) but the result is always a permutation.
  void forward(const Matrix& x, Matrix& y);
  /// dx(perm(r, s), s) = dy(r, s): the transposed permutation.
  void backward(const Matrix& dy, Matrix& dx) const;
  const IndexMatrix& permutation() const { return perm_; }

 private:
  Index features_, group_;
  IndexMatrix perm_;
  // Scratch, sized at the first forward: order-preserving integer keys of one column (rank
  // sort), and (complemented key, position) pairs of one group, sorted ascending (introsort).
  std::vector<std::int64_t> keys_;
  std::vector<std::pair<std::int64_t, std::int32_t>> items_;
};

// ------------------------------------------------------------------------------------------
// LogSumExp and losses.

/// Per sample, y = log sum_k exp(x_k), computed as m + log sum_k exp(x_k - m) with m = max_k x_k
/// so that no exp overflows (inputs must be finite). Output 1 x B. The max only shifts: its tie
/// rule does not change the value, and the gradient is the softmax, dy/dx_k = exp(x_k - y).
class LogSumExp {
 public:
  Index out_features() const { return 1; }
  /// Records the softmax of every column.
  void forward(const Matrix& x, Matrix& y);
  /// dx(k, s) = softmax(k, s) * dy(0, s).
  void backward(const Matrix& dy, Matrix& dx) const;
  const Matrix& softmax() const { return softmax_; }

 private:
  Matrix softmax_;
};

/// Squared loss L = (1/2) sum_{k,s} (y(k,s) - t(k,s))^2, divided by the batch size B for
/// Reduction::Mean. Writes dy = (y - t) (/ B for Mean). Returns L.
double squared_loss(const Matrix& y, const Matrix& t, Matrix& dy,
                    Reduction reduction = Reduction::Mean);

/// Softmax cross-entropy with integer class labels: L = sum_s (logsumexp(z_s) - z_s[label_s]),
/// divided by B for Reduction::Mean, with the max shift of LogSumExp. Writes
/// dz = softmax(z) - onehot(label) (/ B for Mean). Labels must lie in [0, classes).
double softmax_cross_entropy(const Matrix& logits, std::span<const std::int32_t> labels,
                             Matrix& dlogits, Reduction reduction = Reduction::Mean);

}  // namespace selgrad::fast
