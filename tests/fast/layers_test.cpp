// The dense layers (fast/layers.hpp): golden tie tests (the decision each nonsmooth layer records
// at equality, and the gradient that follows), finite-difference checks of every backward away
// from kinks, the losses, and argument errors. The exact checks against the lowered program are in
// lowering_test.cpp.
#include "selgrad/eigen.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

#include "selgrad/fast/layers.hpp"
#include "selgrad/fast/layers_network.hpp"
#include "selgrad/program/error.hpp"

namespace {

using namespace selgrad::fast;

Matrix column(std::initializer_list<double> v) {
  Matrix m(static_cast<Index>(v.size()), 1);
  Index i = 0;
  for (double x : v) m(i++, 0) = x;
  return m;
}

Matrix ones_like(const Matrix& m) { return Matrix::Ones(m.rows(), m.cols()); }

Matrix gaussian(Index rows, Index cols, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Matrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = n(rng);
  return m;
}

// ------------------------------------------------------------------------------------------
// Golden ties: the decision recorded at equality is the op table's tie rule.

TEST(LayerTies, ReluTakesTheConstantPieceAtZero) {
  Relu relu;
  Matrix y, dx;
  relu.forward(column({-1.0, 0.0, -0.0, 2.0}), y);
  EXPECT_EQ(y, column({0, 0, 0, 2}));
  EXPECT_EQ(relu.active().cast<int>(), column({0, 0, 0, 1}).cast<int>());
  relu.backward(column({5, 5, 5, 5}), dx);
  EXPECT_EQ(dx, column({0, 0, 0, 5}));  // relu'(0) = 0
}

TEST(LayerTies, AbsTakesTheConstantZeroAtZero) {
  Abs abs;
  Matrix y, dx;
  abs.forward(column({-2.0, 0.0, 3.0, -0.0}), y);
  EXPECT_EQ(y, column({2, 0, 3, 0}));
  EXPECT_EQ(abs.sign().cast<int>(), column({-1, 0, 1, 0}).cast<int>());
  abs.backward(column({1, 1, 1, 1}), dx);
  EXPECT_EQ(dx, column({-1, 0, 1, 0}));  // abs'(0) = 0
}

TEST(LayerTies, MaxPool1dTakesTheFirstMaximumAndAddsOverlaps) {
  MaxPool1d pool(1, 5, 3, 1);  // windows [0,3), [1,4), [2,5)
  Matrix y, dx;
  pool.forward(column({1, 3, 3, 2, 3}), y);
  EXPECT_EQ(y, column({3, 3, 3}));
  EXPECT_EQ(pool.argmax().cast<double>(), column({1, 1, 2}));
  pool.backward(column({1, 10, 100}), dx);
  EXPECT_EQ(dx, column({0, 11, 100, 0, 0}));
}

TEST(LayerTies, MaxPool1dPerChannel) {
  MaxPool1d pool(2, 4, 2, 2);  // features c*4 + i
  Matrix y;
  pool.forward(column({1, 1, 0, -1, /* channel 1 */ 2, 5, 7, 7}), y);
  EXPECT_EQ(y, column({1, 0, 5, 7}));
  EXPECT_EQ(pool.argmax().cast<double>(), column({0, 2, 5, 6}));
}

TEST(LayerTies, MaxPool2dTakesTheFirstMaximumInRowMajorWindowOrder) {
  // One 2 x 4 image, 2 x 2 windows, stride 2. Window 0 holds 1 5 / 5 0: the 5 in its first row
  // wins; window 1 is all 2: its top-left element wins.
  MaxPool2d pool(1, 2, 4, 2, 2, 2, 2);
  Matrix y, dx;
  pool.forward(column({1, 5, 2, 2, /* row 1 */ 5, 0, 2, 2}), y);
  EXPECT_EQ(y, column({5, 2}));
  EXPECT_EQ(pool.argmax().cast<double>(), column({1, 2}));
  pool.backward(column({3, 4}), dx);
  EXPECT_EQ(dx, column({0, 3, 4, 0, 0, 0, 0, 0}));
}

TEST(LayerTies, MaxPool2dMultiChannelOverlapping) {
  // 2 channels of 3 x 3, window 2 x 2, stride 1: 2 x 2 outputs per channel.
  MaxPool2d pool(2, 3, 3, 2, 2, 1, 1);
  Matrix x(18, 1);
  for (Index k = 0; k < 9; ++k) x(k, 0) = 1.0;            // channel 0: all tied
  for (Index k = 0; k < 9; ++k) x(9 + k, 0) = double(k);  // channel 1: increasing
  Matrix y, dx;
  pool.forward(x, y);
  EXPECT_EQ(pool.argmax().cast<double>(), column({0, 1, 3, 4, 9 + 4, 9 + 5, 9 + 7, 9 + 8}));
  pool.backward(Matrix::Ones(8, 1), dx);
  EXPECT_EQ(dx(0, 0), 1.0);
  EXPECT_EQ(dx(4, 0), 1.0);
  EXPECT_EQ(dx.sum(), 8.0);
}

TEST(LayerTies, MaxPoolEveryLoopOrderMatchesTheDefinition) {
  // Short and long output rows (two loop orders), overlapping, tiling and gapped windows (three
  // backward strategies), on values with many ties, against a direct transcription of the rule.
  struct Geometry { Index c, h, w, wh, ww, sh, sw; };
  const Geometry cases[] = {{2, 1, 64, 1, 2, 1, 2},  {2, 1, 64, 1, 3, 1, 1}, {1, 4, 40, 2, 2, 2, 2},
                            {2, 5, 41, 2, 2, 2, 2},  {1, 6, 70, 3, 3, 2, 2}, {3, 6, 6, 3, 3, 3, 3},
                            {2, 7, 9, 2, 3, 3, 4},   {1, 3, 33, 3, 1, 1, 2}};
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> small(-2, 2);
  for (const auto& g : cases) {
    MaxPool2d pool(g.c, g.h, g.w, g.wh, g.ww, g.sh, g.sw);
    Matrix x(pool.in_features(), 3);
    for (Index k = 0; k < x.size(); ++k) x.data()[k] = small(rng);
    const Matrix dy = gaussian(pool.out_features(), 3, rng);
    Matrix y, dx;
    pool.forward(x, y);
    pool.backward(dy, dx);
    Matrix want_dx = Matrix::Zero(x.rows(), x.cols());
    for (Index s = 0; s < 3; ++s)
      for (Index c = 0; c < g.c; ++c)
        for (Index oh = 0; oh < pool.out_height(); ++oh)
          for (Index ow = 0; ow < pool.out_width(); ++ow) {
            const Index o = (c * pool.out_height() + oh) * pool.out_width() + ow;
            Index best = -1;
            for (Index kh = 0; kh < g.wh; ++kh)
              for (Index kw = 0; kw < g.ww; ++kw) {
                const Index f = c * g.h * g.w + (oh * g.sh + kh) * g.w + ow * g.sw + kw;
                if (best < 0 || x(f, s) > x(best, s)) best = f;
              }
            ASSERT_EQ(pool.argmax()(o, s), best) << "geometry " << (&g - cases) << " output " << o;
            ASSERT_EQ(y(o, s), x(best, s));
            want_dx(best, s) += dy(o, s);
          }
    EXPECT_EQ(dx, want_dx) << "geometry " << (&g - cases);
  }
}

TEST(LayerTies, SortIsStableDecreasing) {
  Sort whole(6);
  Matrix y, dx;
  whole.forward(column({1, 3, 1, 3, 0, -0.0}), y);
  EXPECT_EQ(y, column({3, 3, 1, 1, 0, 0}));
  EXPECT_EQ(whole.permutation().cast<double>(), column({1, 3, 0, 2, 4, 5}));
  whole.backward(column({10, 20, 30, 40, 50, 60}), dx);
  EXPECT_EQ(dx, column({30, 10, 40, 20, 50, 60}));

  Sort groups(6, 3);
  groups.forward(column({1, 3, 1, /* group 1 */ -0.0, 0, 3}), y);
  EXPECT_EQ(groups.permutation().cast<double>(), column({1, 0, 2, 5, 3, 4}));
}

TEST(LayerTies, SortEveryStrategyMatchesStableSort) {
  // Pairs, rank sort (groups up to 256) and introsort (above) must all give the stable
  // decreasing order; ties include +0 / -0.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> small(-3, 3);
  const Index n = 600;
  Matrix x(n, 3);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = small(rng) / 2.0;
  for (Index k = 0; k < n; k += 7) x(k, 0) = -0.0;
  for (Index group : {Index(2), Index(3), Index(40), Index(200), Index(300), Index(600)}) {
    Sort sort(n, group);
    Matrix y;
    sort.forward(x, y);
    for (Index s = 0; s < x.cols(); ++s)
      for (Index base = 0; base < n; base += group) {
        std::vector<Index> want(static_cast<std::size_t>(group));
        std::iota(want.begin(), want.end(), base);
        std::stable_sort(want.begin(), want.end(),
                         [&](Index a, Index b) { return x(a, s) > x(b, s); });
        for (Index r = 0; r < group; ++r)
          ASSERT_EQ(sort.permutation()(base + r, s), want[static_cast<std::size_t>(r)])
              << "group " << group << " sample " << s << " rank " << r;
      }
  }
}

TEST(LayerTies, SortWithNaNDoesNotCrash) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Matrix x = Matrix::Constant(64, 2, nan);
  x(3, 0) = 1.0;
  x(9, 1) = -nan;
  x(10, 1) = 2.0;
  for (Index group : {Index(2), Index(4), Index(64)}) {
    Sort sort(64, group);
    Matrix y, dx;
    sort.forward(x, y);
    sort.backward(ones_like(y), dx);
    EXPECT_EQ(dx, ones_like(x));  // still a permutation
  }
}

// ------------------------------------------------------------------------------------------
// Finite differences away from kinks.
//
// f(x) = <c, layer(x)> for a random c; backward(c) must equal the central difference
// (f(x + h e_i) - f(x - h e_i)) / (x_i^+ - x_i^-), with x_i^+- = fl(x_i +- h) (the step actually
// taken). A coordinate is checked only when the layer records the same decisions at x^+ and x^-
// as at x (no kink crossed). There every layer here is affine, so the difference quotient is
// exact up to rounding; with S = sum_k |c_k| M_k (M_k bounds the magnitude of every term summed
// into output k) and n the longest sum, each f value is off by at most (n + 2) eps S, so
//     |fd - g_i| <= 2 (n + 2) eps S / (x_i^+ - x_i^-),
// and the tolerance is 4 times that. Smooth layers (LogSumExp, the losses) add the truncation
// error h^2/6 max|f'''| <= h^2/6 * sum |c| (|p(1-p)(1-2p)| <= 1/6 for a softmax p, and f''' = 0
// for the squared loss).

constexpr double kEps = std::numeric_limits<double>::epsilon();

struct FdCase {
  std::function<double(const Matrix&)> f;                     // f(x)
  std::function<std::vector<std::int64_t>(const Matrix&)> decisions;  // recorded at x
  double magnitude;  // S above
  double longest_sum;
  double smooth_bound = 0.0;  // truncation bound of the central difference
};

void check_fd(const Matrix& x, const Matrix& grad, const FdCase& c, double h, int* checked) {
  const auto at_x = c.decisions(x);
  for (Index i = 0; i < x.size(); ++i) {
    Matrix xp = x, xm = x;
    xp.data()[i] += h;
    xm.data()[i] -= h;
    if (c.decisions(xp) != at_x || c.decisions(xm) != at_x) continue;
    const double step = xp.data()[i] - xm.data()[i];
    const double fd = (c.f(xp) - c.f(xm)) / step;
    const double tol =
        4.0 * 2.0 * (c.longest_sum + 2.0) * kEps * c.magnitude / step + c.smooth_bound;
    EXPECT_NEAR(fd, grad.data()[i], tol) << "coordinate " << i;
    ++*checked;
  }
}

template <class Mat>
std::vector<std::int64_t> flat(const Mat& m) {
  return std::vector<std::int64_t>(m.data(), m.data() + m.size());
}

TEST(LayerFiniteDifferences, DenseInputWeightsAndBias) {
  std::mt19937_64 rng(1);
  Dense d(7, 5);
  d.W = gaussian(5, 7, rng);
  d.b = gaussian(5, 1, rng);
  const Matrix x = gaussian(7, 3, rng), c = gaussian(5, 3, rng);
  Matrix y, dx;
  d.forward(x, y);
  d.backward(x, c, &dx);
  double S = 0.0;
  for (Index s = 0; s < x.cols(); ++s)
    for (Index k = 0; k < 5; ++k)
      S += std::abs(c(k, s)) *
           (std::abs(d.b(k)) + (d.W.row(k).cwiseAbs() * x.col(s).cwiseAbs()).value());
  int checked = 0;
  const auto none = [](const Matrix&) { return std::vector<std::int64_t>{}; };
  // With respect to x.
  FdCase in{[&](const Matrix& xx) {
              Matrix yy;
              d.forward(xx, yy);
              return (c.array() * yy.array()).sum();
            },
            none, S, 7 + 15};
  check_fd(x, dx, in, 1e-3, &checked);
  // With respect to W and b (through a copy of the layer).
  FdCase wrt_w{[&](const Matrix& W) {
                 Dense e = d;
                 e.W = W;
                 Matrix yy;
                 e.forward(x, yy);
                 return (c.array() * yy.array()).sum();
               },
               none, S, 7 + 15};
  check_fd(d.W, d.dW, wrt_w, 1e-3, &checked);
  FdCase wrt_b{[&](const Matrix& b) {
                 Dense e = d;
                 e.b = b;
                 Matrix yy;
                 e.forward(x, yy);
                 return (c.array() * yy.array()).sum();
               },
               none, S, 7 + 15};
  check_fd(Matrix(d.b), Matrix(d.db), wrt_b, 1e-3, &checked);
  EXPECT_EQ(checked, 7 * 3 + 5 * 7 + 5);
}

/// FD check of a nonsmooth layer L on a random x: f = <c, L(x)>, S = sum |c| |y|.
template <class L>
void check_nonsmooth_layer(L layer, Index rows, Index cols, double h, std::uint64_t seed,
                           std::function<std::vector<std::int64_t>(const L&)> decisions) {
  std::mt19937_64 rng(seed);
  const Matrix x = gaussian(rows, cols, rng);
  Matrix y, dx;
  layer.forward(x, y);
  const Matrix c = gaussian(y.rows(), y.cols(), rng);
  layer.backward(c, dx);
  const double S = (c.cwiseAbs().array() * y.cwiseAbs().array()).sum();
  FdCase fc{[&](const Matrix& xx) {
              L copy = layer;
              Matrix yy;
              copy.forward(xx, yy);
              return (c.array() * yy.array()).sum();
            },
            [&](const Matrix& xx) {
              L copy = layer;
              Matrix yy;
              copy.forward(xx, yy);
              return decisions(copy);
            },
            S, static_cast<double>(y.size())};
  int checked = 0;
  check_fd(x, dx, fc, h, &checked);
  // A few coordinates may sit within h of a kink; nearly all must be checked.
  EXPECT_GE(checked, x.size() * 9 / 10);
}

TEST(LayerFiniteDifferences, Relu) {
  check_nonsmooth_layer<Relu>(Relu{}, 9, 4, 1e-4, 2,
                              [](const Relu& l) { return flat(l.active()); });
}

TEST(LayerFiniteDifferences, Abs) {
  check_nonsmooth_layer<Abs>(Abs{}, 9, 4, 1e-4, 3, [](const Abs& l) { return flat(l.sign()); });
}

TEST(LayerFiniteDifferences, MaxPool1d) {
  check_nonsmooth_layer<MaxPool1d>(MaxPool1d(3, 10, 3, 2), 30, 3, 1e-4, 4,
                                   [](const MaxPool1d& l) { return flat(l.argmax()); });
}

TEST(LayerFiniteDifferences, MaxPool2d) {
  check_nonsmooth_layer<MaxPool2d>(MaxPool2d(2, 5, 6, 2, 3, 1, 2), 60, 2, 1e-4, 5,
                                   [](const MaxPool2d& l) { return flat(l.argmax()); });
}

TEST(LayerFiniteDifferences, Sort) {
  check_nonsmooth_layer<Sort>(Sort(12, 4), 12, 3, 1e-4, 6,
                              [](const Sort& l) { return flat(l.permutation()); });
  check_nonsmooth_layer<Sort>(Sort(40), 40, 2, 1e-5, 7,
                              [](const Sort& l) { return flat(l.permutation()); });
}

TEST(LayerFiniteDifferences, LogSumExp) {
  std::mt19937_64 rng(8);
  const Matrix x = 3.0 * gaussian(6, 4, rng);
  LogSumExp lse;
  Matrix y, dx;
  lse.forward(x, y);
  const Matrix c = gaussian(1, 4, rng);
  lse.backward(c, dx);
  const double h = 1e-5;
  // Terms of the sum are bounded by |m| + log n + 1 per sample.
  double S = 0.0;
  for (Index s = 0; s < 4; ++s)
    S += std::abs(c(0, s)) * (x.col(s).cwiseAbs().maxCoeff() + std::log(6.0) + 1.0);
  FdCase fc{[&](const Matrix& xx) {
              LogSumExp l;
              Matrix yy;
              l.forward(xx, yy);
              return (c.array() * yy.array()).sum();
            },
            [](const Matrix&) { return std::vector<std::int64_t>{}; }, S, 6 + 4,
            h * h / 6.0 * c.cwiseAbs().sum() / 6.0};
  int checked = 0;
  check_fd(x, dx, fc, h, &checked);
  EXPECT_EQ(checked, 24);
  // The gradient is the softmax: columns of dx / c sum to 1.
  for (Index s = 0; s < 4; ++s) EXPECT_NEAR(dx.col(s).sum() / c(0, s), 1.0, 1e-14);
}

TEST(LayerFiniteDifferences, Losses) {
  std::mt19937_64 rng(9);
  const Matrix y = gaussian(3, 4, rng), t = gaussian(3, 4, rng);
  for (Reduction r : {Reduction::Mean, Reduction::Sum}) {
    Matrix dy;
    squared_loss(y, t, dy, r);
    const double S = 0.5 * ((y - t).cwiseAbs().array() + 1.0).square().sum();
    FdCase fc{[&](const Matrix& yy) {
                Matrix g;
                return squared_loss(yy, t, g, r);
              },
              [](const Matrix&) { return std::vector<std::int64_t>{}; }, S, 12.0};
    int checked = 0;
    check_fd(y, dy, fc, 1e-4, &checked);
    EXPECT_EQ(checked, 12);
  }
  const std::vector<std::int32_t> labels = {0, 2, 1, 2};
  for (Reduction r : {Reduction::Mean, Reduction::Sum}) {
    Matrix dz;
    softmax_cross_entropy(y, labels, dz, r);
    const double h = 1e-5;
    const double S = 4.0 * (y.cwiseAbs().maxCoeff() * 2.0 + std::log(3.0) + 1.0);
    FdCase fc{[&](const Matrix& z) {
                Matrix g;
                return softmax_cross_entropy(z, labels, g, r);
              },
              [](const Matrix&) { return std::vector<std::int64_t>{}; }, S, 12.0,
              h * h / 6.0 * 4.0 / 6.0};
    int checked = 0;
    check_fd(y, dz, fc, h, &checked);
    EXPECT_EQ(checked, 12);
  }
}

TEST(Losses, ValuesAndReductions) {
  Matrix y(2, 2), t(2, 2), dy;
  y << 1, 2, 3, 4;
  t << 0, 2, 1, 1;
  EXPECT_EQ(squared_loss(y, t, dy, Reduction::Sum), 0.5 * (1 + 0 + 4 + 9));
  EXPECT_EQ(squared_loss(y, t, dy, Reduction::Mean), 0.25 * (1 + 0 + 4 + 9));
  EXPECT_EQ(dy(1, 1), 1.5);
  // Cross-entropy of equal logits is log(classes) whatever the label; stable for huge logits.
  Matrix z = Matrix::Constant(4, 2, 1e300), dz;
  const std::vector<std::int32_t> labels = {3, 0};
  EXPECT_NEAR(softmax_cross_entropy(z, labels, dz), std::log(4.0), 1e-15);
  EXPECT_EQ(dz(3, 0), (0.25 - 1.0) / 2);
  EXPECT_EQ(dz(1, 0), 0.25 / 2);
  LogSumExp lse;
  Matrix out;
  lse.forward(z, out);
  EXPECT_EQ(out(0, 0), 1e300 + std::log(4.0));
}

// ------------------------------------------------------------------------------------------
// Network plumbing and argument errors.

TEST(Network, ShapesAndParameterOrder) {
  const std::vector<Index> sizes = {3, 4, 2};
  Network net = mlp(sizes, Activation::Relu, 1);
  EXPECT_EQ(net.layers().size(), 3u);
  EXPECT_EQ(net.output_features(), 2);
  EXPECT_EQ(net.parameter_count(), 3 * 4 + 4 + 4 * 2 + 2);
  Vector theta = Vector::LinSpaced(net.parameter_count(), 1, double(net.parameter_count()));
  net.set_parameters(theta);
  const auto& d0 = std::get<Dense>(net.layers()[0]);
  EXPECT_EQ(d0.W(1, 0), 2.0);  // column-major: W(i, j) at j * out + i
  EXPECT_EQ(d0.W(0, 1), 5.0);
  EXPECT_EQ(d0.b(0), 13.0);
  EXPECT_EQ(net.parameters(), theta);
}

TEST(Network, ArgumentErrorsAreReported) {
  using selgrad::Error;
  Network net(4);
  EXPECT_THROW(net.add(Dense(3, 2)), Error);
  EXPECT_THROW(net.add(Sort(5)), Error);
  EXPECT_THROW(Sort(6, 4), Error);
  EXPECT_THROW(MaxPool1d(1, 2, 3, 1), Error);
  net.add(Dense(4, 2));
  EXPECT_THROW(net.forward(Matrix::Zero(3, 1)), Error);
  Matrix dy;
  EXPECT_THROW(squared_loss(Matrix::Zero(2, 2), Matrix::Zero(2, 3), dy), Error);
  const std::vector<std::int32_t> bad = {0, 2};
  EXPECT_THROW(softmax_cross_entropy(Matrix::Zero(2, 2), bad, dy), Error);
}

TEST(Network, InputGradientMatchesLayerByLayer) {
  // backward through the network equals chaining the layers' own backward passes.
  std::mt19937_64 rng(10);
  Network net(8);
  Dense d(8, 8);
  d.W = gaussian(8, 8, rng);
  net.add(d).add(Relu{}).add(MaxPool1d(2, 4, 2, 2)).add(Sort(4, 2)).add(Abs{});
  const Matrix x = gaussian(8, 5, rng);
  const Matrix& y = net.forward(x);
  const Matrix c = gaussian(y.rows(), y.cols(), rng);
  Matrix dx;
  net.backward(c, &dx);

  Relu relu;
  MaxPool1d pool(2, 4, 2, 2);
  Sort sort(4, 2);
  Abs abs;
  Matrix a0, a1, a2, a3, a4, g3, g2, g1, g0, gx;
  d.forward(x, a0);
  relu.forward(a0, a1);
  pool.forward(a1, a2);
  sort.forward(a2, a3);
  abs.forward(a3, a4);
  EXPECT_EQ(a4, y);
  abs.backward(c, g3);
  sort.backward(g3, g2);
  pool.backward(g2, g1);
  relu.backward(g1, g0);
  d.backward(x, g0, &gx);
  EXPECT_EQ(gx, dx);
  EXPECT_EQ(d.dW, std::get<Dense>(net.layers()[0]).dW);
}

}  // namespace
