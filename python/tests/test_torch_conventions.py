"""PyTorch 1.13's tie conventions, measured with torch.autograd on this machine, and the tie
rules selgrad.torch.export writes for them: at every tie below the exported program's
gradient (reference engine, conventions="torch") equals torch's exactly.

Each test first asserts what torch does (the evidence: these assertions fail if a torch
version behaves differently), then that the exported node carries the matching rule, then
that selgrad returns torch's gradient at the tie."""

from fractions import Fraction

import torch
import torch.nn.functional as F

import selgrad
import selgrad.torch as sgt
from selgrad._export_torchgrad import torch_jacobian

D = torch.float64


def t(*vals):
    return torch.tensor(vals, dtype=D)


def torch_grad(fn, x):
    return torch_jacobian(fn, (x,))[1]


def selgrad_jacobian(fn, x):
    """(the exported text, selgrad's Jacobian at x under the torch profile)."""
    text = sgt.export_text(fn, x)
    prog = selgrad.Program(text)
    point = [Fraction(v) for v in x.reshape(-1).tolist()]
    res = selgrad.grad(prog, point, conventions="torch")
    assert list(selgrad.closure(prog, point).tied), "the test point must be a tie"
    return text, [[Fraction(v) for v in row] for row in res.jacobian]


def frac(rows):
    return [[Fraction(v) for v in row] for row in rows]


def assert_selgrad_equals_torch_at_tie(fn, x, rule_text):
    text, jac = selgrad_jacobian(fn, x)
    assert rule_text in text, text
    assert jac == frac(torch_grad(fn, x)), f"selgrad {jac} != torch {torch_grad(fn, x)}\n{text}"
    return text


def test_relu_prime_at_zero_is_0_and_exported_as_default():
    assert torch_grad(torch.relu, t(0.)) == [[0.0]]
    assert_selgrad_equals_torch_at_tie(lambda x: torch.relu(x), t(0.), "relu x_0 @default")


def test_abs_prime_at_zero_is_0_and_exported_as_default():
    assert torch_grad(torch.abs, t(0.)) == [[0.0]]
    assert_selgrad_equals_torch_at_tie(lambda x: torch.abs(x), t(0.), "abs x_0 @default")


def test_maximum_and_minimum_split_a_tie_half_half():
    fmax = lambda x: torch.maximum(x[0], x[1])
    fmin = lambda x: torch.minimum(x[0], x[1])
    assert torch_grad(fmax, t(1., 1.)) == [[0.5, 0.5]]
    assert torch_grad(fmin, t(1., 1.)) == [[0.5, 0.5]]
    assert_selgrad_equals_torch_at_tie(fmax, t(1., 1.), "max x_0 x_1 @split")
    assert_selgrad_equals_torch_at_tie(fmin, t(1., 1.), "min x_0 x_1 @split")


def test_clamp_with_both_bounds_gives_1_at_a_bound():
    f = lambda x: x.clamp(-1, 1)
    assert torch_grad(f, t(-1., 1.)) == [[1.0, 0.0], [0.0, 1.0]]
    assert_selgrad_equals_torch_at_tie(f, t(-1., 1.), "clamp x_0 -1 1 @a")
    # lo == hi: still 1 at the (double) bound
    g = lambda x: x.clamp(0.5, 0.5)
    assert torch_grad(g, t(0.5)) == [[1.0]]
    assert_selgrad_equals_torch_at_tie(g, t(0.5), "clamp x_0 1/2 1/2 @a")


def test_clamp_min_and_clamp_max_give_1_at_the_bound_x_first():
    for f, rule in ((lambda x: torch.clamp_min(x, 0.25), "max x_0 1/4 @first"),
                    (lambda x: torch.clamp_max(x, 0.25), "min x_0 1/4 @first"),
                    (lambda x: x.clamp(min=0.25), "max x_0 1/4 @first"),
                    (lambda x: x.clamp(max=0.25), "min x_0 1/4 @first")):
        assert torch_grad(f, t(0.25)) == [[1.0]]
        assert_selgrad_equals_torch_at_tie(f, t(0.25), rule)


def test_clamp_min_with_a_traced_bound_gives_x_the_gradient():
    f = lambda x: torch.clamp_min(x[:1], x[1:])
    assert torch_grad(f, t(2., 2.)) == [[1.0, 0.0]]
    assert_selgrad_equals_torch_at_tie(f, t(2., 2.), "max x_0 x_1 @first")


def test_leaky_relu_gives_the_slope_at_zero():
    f = lambda x: F.leaky_relu(x, 0.25)
    assert torch_grad(f, t(0.)) == [[0.25]]
    assert_selgrad_equals_torch_at_tie(f, t(0.), "@first")


def test_full_max_and_min_split_evenly_among_the_tied():
    fmax = lambda x: x.max()
    fmin = lambda x: x.min()
    x = t(1., 3., 3., 2., 3.)
    assert torch_grad(fmax, x) == [[0.0, 1 / 3, 1 / 3, 0.0, 1 / 3]]
    assert torch_grad(fmin, t(1., 0., 0., 2.)) == [[0.0, 0.5, 0.5, 0.0]]
    text, jac = selgrad_jacobian(fmax, x)
    assert "@split" in text
    assert jac == [[0, Fraction(1, 3), Fraction(1, 3), 0, Fraction(1, 3)]]  # torch's 1/3 is a rounded double
    assert_selgrad_equals_torch_at_tie(fmin, t(1., 0., 0., 2.), "@split")


def test_amax_and_amin_along_a_dim_split_evenly():
    f = lambda x: x.amax(1)
    g = lambda x: x.amin(0)
    x = t(1., 3., 3., 2., 2., 2.).reshape(2, 3)
    assert torch_grad(f, x) == [[0, 0.5, 0.5, 0, 0, 0], [0, 0, 0, 1 / 3, 1 / 3, 1 / 3]]
    text, jac = selgrad_jacobian(f, x)
    assert "@split" in text
    assert jac == [[0, Fraction(1, 2), Fraction(1, 2), 0, 0, 0], [0, 0, 0, Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]]
    y = t(1., 3., 1., 2.).reshape(2, 2)
    assert torch_grad(g, y) == [[0.5, 0, 0.5, 0], [0, 0, 0, 1]]
    assert_selgrad_equals_torch_at_tie(g, y, "@split")


def test_max_dim_and_min_dim_return_the_first_index_and_give_it_everything():
    for n in (2, 3, 5, 8, 17, 33, 100):
        assert torch.ones(n, dtype=D).max(0).indices.item() == 0
        assert torch.ones(n, dtype=D).min(0).indices.item() == 0
        assert torch.ones(3, n, dtype=D).max(1).indices.tolist() == [0, 0, 0]
    x = t(1., 3., 2., 3., 0., 3.)
    assert x.max(0).indices.item() == 1 and (-x).min(0).indices.item() == 1
    f = lambda x: x.max(0).values
    g = lambda x: x.min(0).values
    assert torch_grad(f, x) == [[0, 1, 0, 0, 0, 0]]
    assert_selgrad_equals_torch_at_tie(f, x, "@first")
    assert_selgrad_equals_torch_at_tie(g, -x, "@first")
    h = lambda x: x.reshape(2, 3).max(1, keepdim=True).values.reshape(-1)
    assert_selgrad_equals_torch_at_tie(h, t(2., 2., 1., 0., 5., 5.), "@first")


def test_max_pool_gives_everything_to_the_first_maximum_of_the_window():
    x = torch.ones(1, 1, 4, 4, dtype=D)
    assert F.max_pool2d(x, 2, return_indices=True)[1].reshape(-1).tolist() == [0, 2, 8, 10]
    assert F.max_pool2d(-torch.ones(1, 1, 3, 3, dtype=D), 3, stride=1, padding=1, return_indices=True)[1] \
        .reshape(-1).tolist() == [0, 0, 1, 0, 0, 1, 3, 3, 4]  # padding is never chosen
    f = lambda x: F.max_pool2d(x, 2, stride=1, padding=1)
    x = t(1., 1., 0., 1., 1., 0., 0., 0., 0.).reshape(1, 1, 3, 3)
    assert_selgrad_equals_torch_at_tie(f, x, "@first")
    g = lambda x: F.max_pool1d(x, 3, stride=1)
    assert torch_grad(lambda x: g(x).sum(), torch.ones(1, 1, 4, dtype=D)) == [[1.0, 1.0, 0.0, 0.0]]
    assert_selgrad_equals_torch_at_tie(g, torch.ones(1, 1, 4, dtype=D), "@first")


WEIGHTS = torch.arange(1., 21., dtype=D)


def weighted(values):
    return (values.reshape(-1) * WEIGHTS[:values.numel()]).sum()


def test_sort_of_at_most_16_elements_is_stable_and_exported_in_natural_order():
    x = t(1., 3., 2., 3., 0., 3., 2., 2.)
    assert torch.sort(x, descending=True).indices.tolist() == [1, 3, 5, 2, 6, 7, 0, 4]
    assert torch.sort(x).indices.tolist() == [4, 0, 2, 6, 7, 1, 3, 5]
    for descending in (True, False):
        f = lambda x: weighted(torch.sort(x, descending=descending).values)
        text = assert_selgrad_equals_torch_at_tie(f, x, "= sort x_0 x_1 x_2 x_3 x_4 x_5 x_6 x_7 @stable"
                                                  if descending else "= sort x_7 x_6 x_5 x_4 x_3 x_2 x_1 x_0 @stable")
        assert "note:" not in text


def test_sort_of_17_or_more_equal_elements_is_not_stable_and_its_order_is_frozen():
    z = torch.zeros(17, dtype=D)
    assert torch.sort(z, descending=True).indices.tolist()[:3] == [8, 16, 15]
    assert torch.sort(z, stable=True, descending=True).indices.tolist()[:3] == [0, 1, 2]
    for descending in (True, False):
        f = lambda x: weighted(torch.sort(x, descending=descending).values)
        text = assert_selgrad_equals_torch_at_tie(f, z, "@stable")
        assert "note:" in text
    g = lambda x: weighted(torch.sort(x, stable=True, descending=True).values)
    text = assert_selgrad_equals_torch_at_tie(g, z, "@stable")
    assert "note:" not in text


def test_topk_and_kthvalue_ties_follow_torchs_selection_algorithm_frozen_at_the_example():
    ones = torch.ones(8, dtype=D)
    assert torch.topk(ones, 2).indices.tolist() == [6, 5]            # not [0, 1]
    assert torch.topk(torch.ones(3, dtype=D), 2).indices.tolist() == [0, 1]
    assert torch.kthvalue(torch.ones(5, dtype=D), 1).indices.item() == 3
    x = t(1., 3., 2., 3., 0., 3., 2., 2.)
    for largest in (True, False):
        f = lambda x: weighted(torch.topk(x, 4, largest=largest).values)
        assert_selgrad_equals_torch_at_tie(f, x, "@stable")
        h = lambda x: weighted(torch.topk(x, 2, largest=largest).values)
        assert_selgrad_equals_torch_at_tie(h, ones, "@stable")
    for k in range(1, 9):
        g = lambda x: torch.kthvalue(x, k).values
        assert_selgrad_equals_torch_at_tie(g, x, "@stable")
    assert_selgrad_equals_torch_at_tie(lambda x: torch.kthvalue(x, 1).values, torch.ones(5, dtype=D), "@stable")


def test_where_follows_its_condition_at_equality():
    # gt and lt take the second branch at u = v, ge and le the first.
    cases = [(lambda x: torch.where(x > 0, x, 0.), [[0.0]]),
             (lambda x: torch.where(x >= 0, 2 * x, x), [[2.0]]),
             (lambda x: torch.where(x < 0, 2 * x, x), [[1.0]]),
             (lambda x: torch.where(x <= 0, 2 * x, x), [[2.0]]),
             (lambda x: torch.where(~(x > 0), 3 * x, x), [[3.0]])]
    for f, g in cases:
        assert torch_grad(f, t(0.)) == g
        assert_selgrad_equals_torch_at_tie(f, t(0.), "select")


def test_mlp_at_a_point_where_its_relus_tie_matches_torch():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    with torch.no_grad():
        model[0].weight.copy_(t(1., -1., 2., 1., -1., -1.).reshape(3, 2))
        model[0].bias.copy_(t(0., -3., 0.))
        model[2].weight.copy_(t(1., 2., -0.5).reshape(1, 3))
        model[2].bias.copy_(t(0.25))
    x = t(1., 1.).reshape(1, 2)  # pre-activations 0, 0, -2: two relus tied
    assert_selgrad_equals_torch_at_tie(model, x, "relu")


def test_relu_difference_at_zero_torch_gives_0():
    f = lambda x: torch.relu(x) - torch.relu(-x)
    assert torch_grad(f, t(0.)) == [[0.0]]
    assert_selgrad_equals_torch_at_tie(f, t(0.), "@default")
