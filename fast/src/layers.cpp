// Dense layers (see layers.hpp): GEMMs for Dense, flat loops over contiguous columns for the
// nonsmooth layers. Every nonsmooth forward writes its decisions into a preallocated matrix of
// the output's (or input's) shape; backward reads them and never compares values again.

#include "selgrad/eigen.hpp"
#include "selgrad/fast/layers.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <string>

#include "scalar_ops.hpp"
#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast {
namespace {

// The layers decide and differentiate through the op rules, one element at a time: the rule's
// decision on the element's sign, its value, and its local partial (relu'(0) = 0, abs'(0) = 0,
// the first maximal element of a window, the stable order of a sort group).

/// One double as a rule's operand view (a unary op's argument, or two compared values).
struct Scalars {
  double v[2];
  std::size_t n;
  std::size_t size() const { return n; }
  double operator[](std::size_t i) const { return v[i]; }
  std::int64_t power() const { return 0; }
  Cmp cmp() const { return Cmp::Lt; }
  Sign sign(std::uint32_t i) const { return v[i] > 0 ? Sign::Positive : (v[i] < 0 ? Sign::Negative : Sign::Zero); }
  Sign sign_diff(std::uint32_t i, std::uint32_t j) const {
    return v[i] > v[j] ? Sign::Positive : (v[i] < v[j] ? Sign::Negative : Sign::Zero);
  }
};

/// A unary selection at x: the rule's value and local partial.
template <class R>
inline double unary_selection(double x, double& partial) {
  const Scalars a{{x, 0.0}, 1};
  std::uint32_t piece = R::decide(a, a).piece;
  if constexpr (R::info.op == Op::Relu)
    if (SELGRAD_MUTANT(42) && x == 0) piece = 1;  // mutant 42: the relu layer's relu'(0) = 1
  double d[1];
  R::template partials<double>(a, piece, 0.0, d);
  partial = d[0];
  return R::template value<double>(a, piece);
}

/// Whether candidate v replaces the running maximum `best` (max's tie rule: only when greater).
inline bool replaces_max(double v, double best) { return rules::Max::replaces(v > best, v < best); }

/// Whether order key a ranks before order key b in a sort group (the stable rule).
inline bool key_before(std::int64_t a, std::int64_t b, bool a_earlier) {
  return rules::Sort::ranks_before(a > b, a < b, a_earlier);
}

[[noreturn]] void usage_error(const std::string& layer, const std::string& why) {
  throw Error(ErrorKind::Usage, Location{}, layer + ": " + why);
}

void check_rows(const char* layer, const char* what, Index got, Index want) {
  if (got != want)
    usage_error(layer, std::string(what) + " has " + std::to_string(got) + " rows, expected " +
                           std::to_string(want));
}

void check_same_shape(const char* layer, const Matrix& a, Index rows, Index cols) {
  if (a.rows() != rows || a.cols() != cols)
    usage_error(layer, "gradient of shape " + std::to_string(a.rows()) + " x " +
                           std::to_string(a.cols()) + ", expected " + std::to_string(rows) +
                           " x " + std::to_string(cols));
}

/// Order-preserving integer key of a double: a < b iff key(a) < key(b) for non-NaN values, and
/// +0 and -0 get the same key (adding +0.0 turns -0 into +0). NaNs get keys too (positive NaNs
/// above +inf, negative ones below -inf), so keys form a total order and std::sort stays defined.
inline std::int64_t order_key(double v) {
  const auto bits = std::bit_cast<std::int64_t>(v + 0.0);
  return bits ^ ((bits >> 63) & INT64_MAX);
}

/// One window element's pass over an output row of max pooling: output ow compares input
/// off + ow * stride with its running maximum and keeps the strictly greater one (branch free).
/// A compile-time stride of 1 lets the compiler use contiguous vector loads (0 means `stride`; a
/// compile-time 2 measured 4x slower on 16-wide rows with GCC 12).
template <Index kStride>
inline void pool_row_pass(const double* __restrict xs, double* __restrict yr,
                          std::int32_t* __restrict ar, Index off, Index n, Index stride) {
  const Index step = kStride == 0 ? stride : kStride;
  for (Index ow = 0; ow < n; ++ow) {
    const Index f = off + ow * step;
    const double v = xs[f];
    const bool greater = replaces_max(v, yr[ow]);
    yr[ow] = greater ? v : yr[ow];
    ar[ow] = greater ? static_cast<std::int32_t>(f) : ar[ow];
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Dense

Dense::Dense(Index in_features, Index out_features)
    : W(Matrix::Zero(out_features, in_features)),
      b(Vector::Zero(out_features)),
      dW(Matrix::Zero(out_features, in_features)),
      db(Vector::Zero(out_features)) {
  if (in_features <= 0 || out_features <= 0) usage_error("Dense", "sizes must be positive");
}

void Dense::forward(const Matrix& x, Matrix& y) const {
  check_rows("Dense", "input", x.rows(), in_features());
  y.resize(out_features(), x.cols());
  y.noalias() = W * x;
  y.colwise() += b;
}

void Dense::backward(const Matrix& x, const Matrix& dy, Matrix* dx) {
  check_same_shape("Dense", dy, out_features(), x.cols());
  dW.noalias() = dy * x.transpose();
  db.noalias() = dy.rowwise().sum();
  if (dx) {
    dx->resize(in_features(), x.cols());
    dx->noalias() = W.transpose() * dy;
  }
}

void Dense::init_he(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double r = std::sqrt(6.0 / static_cast<double>(in_features()));
  std::uniform_real_distribution<double> u(-r, r);
  for (Index k = 0; k < W.size(); ++k) W.data()[k] = u(rng);
  b.setZero();
}

// ------------------------------------------------------------------------------------------
// Relu and Abs: one pass over the flat storage (features x batch is contiguous).

/// A unary selection layer's forward pass: values, and the local partials (-1, 0 or 1) kept.
template <class R>
void unary_forward(const Matrix& x, Matrix& y, MaskMatrix& partial) {
  y.resize(x.rows(), x.cols());
  partial.resize(x.rows(), x.cols());
  const double* xp = x.data();
  double* yp = y.data();
  std::int8_t* d = partial.data();
  const Index n = x.size();
  for (Index i = 0; i < n; ++i) {
    double di;
    yp[i] = unary_selection<R>(xp[i], di);
    d[i] = static_cast<std::int8_t>(di);
  }
}

/// dx = partial * dy (Algorithm 2's term, with the partials the forward pass kept).
void unary_backward(const char* layer, const MaskMatrix& partial, const Matrix& dy, Matrix& dx) {
  check_same_shape(layer, dy, partial.rows(), partial.cols());
  dx.resize(dy.rows(), dy.cols());
  const double* g = dy.data();
  double* out = dx.data();
  const std::int8_t* d = partial.data();
  const Index n = dy.size();
  for (Index i = 0; i < n; ++i) out[i] = g[i] * static_cast<double>(d[i]);
}

void Relu::forward(const Matrix& x, Matrix& y) { unary_forward<rules::Relu>(x, y, active_); }
void Relu::backward(const Matrix& dy, Matrix& dx) const { unary_backward("Relu", active_, dy, dx); }
void Abs::forward(const Matrix& x, Matrix& y) { unary_forward<rules::Abs>(x, y, sign_); }
void Abs::backward(const Matrix& dy, Matrix& dx) const { unary_backward("Abs", sign_, dy, dx); }

// ------------------------------------------------------------------------------------------
// MaxPool2d

MaxPool2d::MaxPool2d(Index channels, Index height, Index width, Index window_h, Index window_w,
                     Index stride_h, Index stride_w)
    : channels_(channels),
      height_(height),
      width_(width),
      window_h_(window_h),
      window_w_(window_w),
      stride_h_(stride_h),
      stride_w_(stride_w),
      out_h_(0),
      out_w_(0) {
  if (channels <= 0 || height <= 0 || width <= 0 || window_h <= 0 || window_w <= 0 ||
      stride_h <= 0 || stride_w <= 0)
    usage_error("MaxPool", "sizes, windows and strides must be positive");
  if (window_h > height || window_w > width)
    usage_error("MaxPool", "window " + std::to_string(window_h) + " x " +
                               std::to_string(window_w) + " larger than the image " +
                               std::to_string(height) + " x " + std::to_string(width));
  if (channels * height * width > INT32_MAX) usage_error("MaxPool", "too many features");
  out_h_ = (height - window_h) / stride_h + 1;
  out_w_ = (width - window_w) / stride_w + 1;
}

void MaxPool2d::forward(const Matrix& x, Matrix& y) {
  check_rows("MaxPool", "input", x.rows(), in_features());
  const Index batch = x.cols();
  y.resize(out_features(), batch);
  argmax_.resize(out_features(), batch);
  const Index plane = height_ * width_;
  // Two loop orders, both branch free (the comparison outcome on real data is unpredictable).
  // Long output rows: window element outermost, one vectorised pass over the output row per
  // element. Short rows (the pass would be mostly loop overhead): one output at a time, its window
  // innermost. Both scan the window in row-major order with a strict comparison, so the first
  // maximum is kept (the `max` tie rule).
  constexpr Index kRowPassMin = 16;
  for (Index s = 0; s < batch; ++s) {
    const double* __restrict xs = x.col(s).data();
    double* __restrict ys = y.col(s).data();
    std::int32_t* __restrict as = argmax_.col(s).data();
    for (Index c = 0; c < channels_; ++c) {
      const Index cbase = c * plane;
      for (Index oh = 0; oh < out_h_; ++oh) {
        const Index o0 = (c * out_h_ + oh) * out_w_;
        double* __restrict yr = ys + o0;
        std::int32_t* __restrict ar = as + o0;
        const Index r0 = cbase + oh * stride_h_ * width_;  // input feature of the row's first window
        if (out_w_ >= kRowPassMin) {
          for (Index ow = 0; ow < out_w_; ++ow) {
            const Index f = r0 + ow * stride_w_;
            yr[ow] = xs[f];
            ar[ow] = static_cast<std::int32_t>(f);
          }
          for (Index kh = 0; kh < window_h_; ++kh)
            for (Index kw = (kh == 0 ? 1 : 0); kw < window_w_; ++kw) {
              const Index off = r0 + kh * width_ + kw;
              if (stride_w_ == 1)
                pool_row_pass<1>(xs, yr, ar, off, out_w_, 1);
              else
                pool_row_pass<0>(xs, yr, ar, off, out_w_, stride_w_);
            }
        } else {
          for (Index ow = 0; ow < out_w_; ++ow) {
            const Index f0 = r0 + ow * stride_w_;
            double best = xs[f0];
            Index at = f0;
            for (Index kh = 0; kh < window_h_; ++kh)
              for (Index kw = 0; kw < window_w_; ++kw) {
                const Index f = f0 + kh * width_ + kw;
                const double v = xs[f];
                const bool greater = SELGRAD_MUTANT(43) ? v >= best : replaces_max(v, best);  // mutant 43
                best = greater ? v : best;
                at = greater ? f : at;
              }
            yr[ow] = best;
            ar[ow] = static_cast<std::int32_t>(at);
          }
        }
      }
    }
  }
}

void MaxPool2d::backward(const Matrix& dy, Matrix& dx) const {
  check_same_shape("MaxPool", dy, argmax_.rows(), argmax_.cols());
  const Index batch = dy.cols();
  const Index nout = out_features();
  const bool overlapping = stride_h_ < window_h_ || stride_w_ < window_w_;
  if (overlapping) {
    // An input may be the maximum of several windows: zero, then add every output's gradient.
    // One sample at a time, so that its column is still in cache when the additions land.
    dx.resize(in_features(), batch);
    for (Index s = 0; s < batch; ++s) {
      const double* __restrict g = dy.col(s).data();
      const std::int32_t* __restrict a = argmax_.col(s).data();
      double* __restrict out = dx.col(s).data();
      std::fill(out, out + in_features(), 0.0);
      for (Index o = 0; o < nout; ++o) out[a[o]] += g[o];
    }
    return;
  }
  // Disjoint windows: write every window element once (the gradient at the recorded maximum, 0
  // elsewhere) in the forward pass's row order; zero first only if windows leave gaps.
  const bool tiles = stride_h_ == window_h_ && stride_w_ == window_w_ &&
                     out_h_ * window_h_ == height_ && out_w_ * window_w_ == width_;
  if (tiles)
    dx.resize(in_features(), batch);
  else
    dx.setZero(in_features(), batch);
  const Index plane = height_ * width_;
  for (Index s = 0; s < batch; ++s) {
    const double* __restrict g = dy.col(s).data();
    const std::int32_t* __restrict a = argmax_.col(s).data();
    double* __restrict out = dx.col(s).data();
    for (Index c = 0; c < channels_; ++c)
      for (Index oh = 0; oh < out_h_; ++oh) {
        const Index o0 = (c * out_h_ + oh) * out_w_;
        const Index r0 = c * plane + oh * stride_h_ * width_;
        for (Index kh = 0; kh < window_h_; ++kh)
          for (Index kw = 0; kw < window_w_; ++kw) {
            const Index off = r0 + kh * width_ + kw;
            for (Index ow = 0; ow < out_w_; ++ow) {
              const Index f = off + ow * stride_w_;
              out[f] = a[o0 + ow] == f ? g[o0 + ow] : 0.0;
            }
          }
      }
  }
}

// ------------------------------------------------------------------------------------------
// Sort

Sort::Sort(Index features, Index group) : features_(features), group_(group == 0 ? features : group) {
  if (features <= 0 || group_ <= 0) usage_error("Sort", "sizes must be positive");
  if (features % group_ != 0)
    usage_error("Sort", "group " + std::to_string(group_) + " does not divide " +
                            std::to_string(features) + " features");
  if (features > INT32_MAX) usage_error("Sort", "too many features");
}

void Sort::forward(const Matrix& x, Matrix& y) {
  check_rows("Sort", "input", x.rows(), features_);
  const Index batch = x.cols();
  y.resize(features_, batch);
  perm_.resize(features_, batch);
  const Index g = group_;
  // Three strategies by group size, all giving the stable decreasing order:
  //  * pairs: one branch-free compare and swap (the lower position wins a tie);
  //  * up to kRankMax: rank sort, rank(i) = #{j : j ranks before i} (x_j > x_i, or x_j = x_i and
  //    j < i: the rule's ranks_before), on order-preserving integer keys; O(g^2) compares, but
  //    vectorised and branch free, so it beats comparison sorts up to a few hundred entries
  //    (measured: 3x at 32, 1.6x at 256);
  //  * larger: introsort with ranks_before as the order, a total order on (key, position), so
  //    its result is the stable one.
  // Keys make the order total even with NaNs, so every strategy returns a permutation.
  constexpr Index kRankMax = 256;
  if (g == 2) {
    for (Index s = 0; s < batch; ++s) {
      const double* __restrict xs = x.col(s).data();
      double* __restrict ys = y.col(s).data();
      std::int32_t* __restrict ps = perm_.col(s).data();
      for (Index i = 0; i < features_; i += 2) {
        const double a = xs[i], b = xs[i + 1];
        const bool swap = !key_before(order_key(a), order_key(b), true);
        ys[i] = swap ? b : a;
        ys[i + 1] = swap ? a : b;
        ps[i] = static_cast<std::int32_t>(swap ? i + 1 : i);
        ps[i + 1] = static_cast<std::int32_t>(swap ? i : i + 1);
      }
    }
    return;
  }
  if (g <= kRankMax) {
    keys_.resize(static_cast<std::size_t>(features_));
    std::int64_t* __restrict keys = keys_.data();
    for (Index s = 0; s < batch; ++s) {
      const double* __restrict xs = x.col(s).data();
      double* __restrict ys = y.col(s).data();
      std::int32_t* __restrict ps = perm_.col(s).data();
      for (Index i = 0; i < features_; ++i) keys[i] = order_key(xs[i]);
      for (Index base = 0; base < features_; base += g) {
        const std::int64_t* __restrict k = keys + base;
        for (Index i = 0; i < g; ++i) {
          const std::int64_t ki = k[i];
          Index rank = 0;
          for (Index j = 0; j < i; ++j) rank += key_before(k[j], ki, true);
          for (Index j = i + 1; j < g; ++j) rank += key_before(k[j], ki, false);
          ys[base + rank] = xs[base + i];
          ps[base + rank] = static_cast<std::int32_t>(base + i);
        }
      }
    }
    return;
  }
  items_.resize(static_cast<std::size_t>(g));
  for (Index s = 0; s < batch; ++s) {
    const double* xs = x.col(s).data();
    double* ys = y.col(s).data();
    std::int32_t* ps = perm_.col(s).data();
    for (Index base = 0; base < features_; base += g) {
      for (Index i = 0; i < g; ++i)
        items_[static_cast<std::size_t>(i)] = {order_key(xs[base + i]), static_cast<std::int32_t>(i)};
      std::sort(items_.begin(), items_.end(), [](const auto& a, const auto& b) {
        return key_before(a.first, b.first, a.second < b.second);
      });
      for (Index r = 0; r < g; ++r) {
        const auto pos = items_[static_cast<std::size_t>(r)].second;
        ys[base + r] = xs[base + pos];
        ps[base + r] = static_cast<std::int32_t>(base + pos);
      }
    }
  }
}

void Sort::backward(const Matrix& dy, Matrix& dx) const {
  check_same_shape("Sort", dy, perm_.rows(), perm_.cols());
  const Index batch = dy.cols();
  dx.resize(features_, batch);  // a permutation: every entry of dx is written once
  if (group_ == 2) {  // pairs: a branch-free unswap instead of a scatter
    for (Index s = 0; s < batch; ++s) {
      const double* __restrict g = dy.col(s).data();
      const std::int32_t* __restrict p = perm_.col(s).data();
      double* __restrict out = dx.col(s).data();
      for (Index i = 0; i < features_; i += 2) {
        const bool swapped = p[i] != i;
        out[i] = swapped ? g[i + 1] : g[i];
        out[i + 1] = swapped ? g[i] : g[i + 1];
      }
    }
    return;
  }
  for (Index s = 0; s < batch; ++s) {
    const double* g = dy.col(s).data();
    const std::int32_t* p = perm_.col(s).data();
    double* out = dx.col(s).data();
    for (Index r = 0; r < features_; ++r) out[p[r]] = g[r];
  }
}

// ------------------------------------------------------------------------------------------
// LogSumExp and losses

void LogSumExp::forward(const Matrix& x, Matrix& y) {
  if (x.rows() == 0) usage_error("LogSumExp", "no features");
  const Index batch = x.cols();
  y.resize(1, batch);
  softmax_.resize(x.rows(), batch);
  for (Index s = 0; s < batch; ++s) {
    const double m = x.col(s).maxCoeff();  // the shift: any maximal entry gives the same value
    auto p = softmax_.col(s).array();
    p = (x.col(s).array() - m).exp();
    const double total = p.sum();
    y(0, s) = m + std::log(total);
    p *= 1.0 / total;
  }
}

void LogSumExp::backward(const Matrix& dy, Matrix& dx) const {
  check_same_shape("LogSumExp", dy, 1, softmax_.cols());
  dx.resize(softmax_.rows(), softmax_.cols());
  dx.array() = softmax_.array().rowwise() * dy.row(0).array();
}

double squared_loss(const Matrix& y, const Matrix& t, Matrix& dy, Reduction reduction) {
  if (y.rows() != t.rows() || y.cols() != t.cols())
    usage_error("squared_loss", "targets of shape " + std::to_string(t.rows()) + " x " +
                                    std::to_string(t.cols()) + ", outputs " +
                                    std::to_string(y.rows()) + " x " + std::to_string(y.cols()));
  dy.resize(y.rows(), y.cols());
  dy = y - t;
  const double total = 0.5 * dy.squaredNorm();
  if (reduction == Reduction::Sum) return total;
  const double batch = static_cast<double>(y.cols());
  dy *= 1.0 / batch;
  return total / batch;
}

double softmax_cross_entropy(const Matrix& logits, std::span<const std::int32_t> labels,
                             Matrix& dlogits, Reduction reduction) {
  const Index classes = logits.rows(), batch = logits.cols();
  if (static_cast<Index>(labels.size()) != batch)
    usage_error("softmax_cross_entropy", std::to_string(labels.size()) + " labels for a batch of " +
                                             std::to_string(batch));
  if (classes == 0) usage_error("softmax_cross_entropy", "no classes");
  dlogits.resize(classes, batch);
  const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(batch) : 1.0;
  double total = 0.0;
  for (Index s = 0; s < batch; ++s) {
    const std::int32_t label = labels[static_cast<std::size_t>(s)];
    if (label < 0 || label >= classes)
      usage_error("softmax_cross_entropy", "label " + std::to_string(label) + " of sample " +
                                               std::to_string(s) + " outside [0, " +
                                               std::to_string(classes) + ")");
    const double m = logits.col(s).maxCoeff();
    auto p = dlogits.col(s).array();
    p = (logits.col(s).array() - m).exp();
    const double sum = p.sum();
    total += (m - logits(label, s)) + std::log(sum);  // m - z first: no absorption of the log
    p *= scale / sum;
    dlogits(label, s) -= scale;
  }
  return reduction == Reduction::Mean ? total / static_cast<double>(batch) : total;
}

}  // namespace selgrad::fast
