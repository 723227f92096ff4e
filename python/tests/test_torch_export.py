"""selgrad.torch.export: every supported ATen op, exported and compared with torch.autograd.

At generic points (no selection node tied, checked with selgrad.closure) on dyadic data, where
torch's float64 arithmetic is exact, the exported program's values and selection Jacobian
equal torch's outputs and gradients exactly, as rationals. Programs with exp/log are compared
within the derived float64 bound of selgrad.torch (see test_torch_check.py and
docs/python-torch.md)."""

import random
from fractions import Fraction

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import selgrad
import selgrad.torch as sgt
from selgrad._export_torchgrad import torch_jacobian

D = torch.float64


def generic(*shape, seed=0, scale=8):
    """Distinct nonzero dyadic values k/scale (|k| distinct), so no two elements tie."""
    rng = random.Random(seed)
    n = 1
    for s in shape:
        n *= s
    ks = rng.sample(range(1, 4 * n + 8), n)
    vals = [k / scale * rng.choice((-1, 1)) for k in ks]
    return torch.tensor(vals, dtype=D).reshape(shape)


def point_of(inputs):
    return [Fraction(v) for t in inputs for v in t.reshape(-1).tolist()]


def as_tuple(inputs):
    return inputs if isinstance(inputs, tuple) else (inputs,)


def assert_exact_match(fn, inputs, require_generic=True):
    """The program's outputs and Jacobian (reference engine, torch's conventions) equal torch's."""
    inputs = as_tuple(inputs)
    prog = sgt.export(fn, inputs)
    point = point_of(inputs)
    if require_generic:
        assert list(selgrad.closure(prog, point).tied) == [], "the test point must be generic"
    outs, jac = torch_jacobian(fn, inputs)
    res = selgrad.grad(prog, point, conventions="torch")
    assert [Fraction(v) for v in res.outputs] == [Fraction(v) for v in outs]
    assert [[Fraction(v) for v in row] for row in res.jacobian] == [[Fraction(v) for v in row] for row in jac], \
        f"selgrad {res.jacobian} != torch {jac}\n{prog.text}"
    return prog


class DyadicMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4).double()
        self.fc2 = nn.Linear(4, 2).double()
        with torch.no_grad():
            for p, seed in zip(self.parameters(), range(4)):
                p.copy_(generic(*p.shape, seed=seed + 10, scale=4))

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class DyadicConv(nn.Module):
    def __init__(self, dims, groups=1):
        super().__init__()
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.conv = conv(2, 4, 2, stride=2 if dims == 1 else (2, 1), padding=1,
                         dilation=(1, 2) if dims == 2 else 2, groups=groups).double()
        with torch.no_grad():
            for p, seed in zip(self.parameters(), range(2)):
                p.copy_(generic(*p.shape, seed=seed + 20, scale=4))

    def forward(self, x):
        return self.conv(x)


def dyadic_batch_norm():
    bn = nn.BatchNorm1d(3, eps=0.0).double().eval()
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor([0.5, -1., 2.], dtype=D))
        bn.running_var.copy_(torch.tensor([4., 0.25, 1.], dtype=D))  # exact square roots
        bn.weight.copy_(torch.tensor([2., -0.5, 1.5], dtype=D))
        bn.bias.copy_(torch.tensor([0.25, 1., -2.], dtype=D))
    return bn


# (id, function, inputs): generic dyadic points where torch's float64 arithmetic is exact.
EXACT_CASES = [
    ("linear_relu_mlp", DyadicMLP(), generic(2, 3)),
    ("addmm_mm_t_traced_weights", lambda x, w, b: torch.addmm(b, x, w.t()) + x @ w.t(),
     (generic(2, 3), generic(4, 3, seed=1), generic(4, seed=2))),
    ("linear_functional_1d", lambda x: F.linear(x, torch.tensor([[1., -2., 0.5], [0.25, 0., 3.]], dtype=D),
                                                torch.tensor([0.5, -1.], dtype=D)), generic(3)),
    ("bmm_and_matmul_3d", lambda a: torch.bmm(a, a.transpose(1, 2)) + a @ a.transpose(1, 2), generic(2, 2, 3)),
    ("dot_and_mv", lambda a, v: torch.cat([(v @ v).reshape(1), a @ v]), (generic(2, 3), generic(3, seed=3))),
    ("conv1d_stride_padding_dilation", DyadicConv(1), generic(1, 2, 7)),
    ("conv2d_stride_padding_dilation", DyadicConv(2), generic(1, 2, 4, 5)),
    ("conv2d_groups", DyadicConv(2, groups=2), generic(1, 2, 3, 4)),
    ("conv_traced_weight", lambda x, w: F.conv1d(x, w, padding=1), (generic(1, 1, 4), generic(2, 1, 3, seed=4))),
    ("add_sub_alpha_scalar", lambda x, y: torch.add(x, y, alpha=3) - torch.sub(y, x, alpha=0.5) + 2 - x * 0.25 + (1 - y),
     (generic(3), generic(3, seed=5))),
    ("mul_div_neg_reciprocal", lambda x, y: x * y - x / 4 + (-y) / torch.tensor([0.5, 2., -4.], dtype=D)
     + 1 / torch.tensor([0.5, 2., -4.], dtype=D) * x + torch.reciprocal(y * 0 + 2), (generic(3), generic(3, seed=6))),
    ("div_by_traced", lambda x, y: x / y, (generic(3), torch.tensor([0.5, -2., 4.], dtype=D))),
    ("pow_integer", lambda x: x ** 2 + x.pow(3) - x ** -1, torch.tensor([0.5, -2., 4.], dtype=D)),
    ("sum_mean_dims_keepdim", lambda x: torch.cat([x.sum().reshape(1), x.sum(1), x.sum(0, keepdim=True).reshape(-1),
                                                   x.mean().reshape(1), x.mean(0), x.mean((0, 1), keepdim=True).reshape(-1),
                                                   x.mean(-1, keepdim=True).reshape(-1)]), generic(2, 4)),
    ("relu_abs", lambda x: torch.relu(x) + 2 * torch.abs(x), generic(4)),
    ("clamp_variants", lambda x: torch.cat([x.clamp(-1.0625, 1.0625), x.clamp(min=0.5625), x.clamp(max=-0.5625),
                                            torch.clamp_min(x, 0.3125), torch.clamp_max(x, -0.3125),
                                            x.clamp(min=torch.zeros(4, dtype=D))]), generic(4, scale=4)),
    ("maximum_minimum", lambda x, y: torch.maximum(x, y) - 3 * torch.minimum(x, y) + torch.max(x, y),
     (generic(4), generic(4, seed=7))),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.25) + F.leaky_relu(x, 2.0), generic(4)),
    ("max_min_full_and_dim", lambda x: torch.cat([x.max().reshape(1), x.min().reshape(1), x.amax(0), x.amin(1),
                                                  x.amax((0, 1), keepdim=True).reshape(-1), x.max(0).values,
                                                  x.min(1, keepdim=True).values.reshape(-1)]), generic(3, 4)),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2, padding=1), generic(1, 2, 7)),
    ("max_pool2d_stride_padding_dilation", lambda x: F.max_pool2d(x, 2, stride=(2, 1), padding=1, dilation=(1, 2)),
     generic(1, 1, 4, 5)),
    ("max_pool2d_ceil_mode_unbatched", lambda x: F.max_pool2d(x, 2, ceil_mode=True), generic(2, 3, 3)),
    ("sort_descending_ascending", lambda x: torch.cat([torch.sort(x, descending=True).values.reshape(-1),
                                                       torch.sort(x, dim=0).values.reshape(-1)]) * torch.arange(1., 13., dtype=D),
     generic(2, 3)),
    ("topk_largest_smallest", lambda x: torch.cat([torch.topk(x, 2).values, torch.topk(x, 3, largest=False).values]),
     generic(5)),
    ("kthvalue", lambda x: torch.kthvalue(x, 2, dim=1).values, generic(2, 4)),
    ("where_comparisons", lambda x, y: torch.where(x > y, x, y) + torch.where(x >= 0.1875, 2 * x, x)
     + torch.where(x < y, x * y, y) + torch.where(x <= -0.1875, x, 0.) + torch.where(~(x > y), x, -y),
     (generic(4), generic(4, seed=8))),
    ("mse_loss_reductions", lambda x, t: torch.cat([F.mse_loss(x, t).reshape(1), F.mse_loss(x, t, reduction="sum").reshape(1),
                                                    F.mse_loss(x, t, reduction="none").reshape(-1)]),
     (generic(2, 2), generic(2, 2, seed=9))),
    # mean reductions divide by 4 and by the total weights 4 and 8: exact in float64
    ("nll_loss_weights_ignore_index", lambda lp: torch.cat([
        F.nll_loss(lp, torch.tensor([0, 2, 1, 2])).reshape(1),
        F.nll_loss(lp, torch.tensor([0, 2, 1, 2]), weight=torch.tensor([1., 2., 0.5], dtype=D)).reshape(1),
        F.nll_loss(lp, torch.tensor([0, 2, 1, 2]), weight=torch.tensor([1., 1., 3.], dtype=D), reduction="sum").reshape(1),
        F.nll_loss(lp, torch.tensor([0, -100, 1, 2]), reduction="none"),
        F.nll_loss(lp[0], torch.tensor(1)).reshape(1)]), generic(4, 3)),
    ("views", lambda x: torch.cat([x.view(6), x.reshape(3, 2).t().reshape(-1), x.flatten(), x.unsqueeze(0).squeeze(0).reshape(-1),
                                   x.squeeze().reshape(-1), x[:, 1:].reshape(-1), x[:, ::2].reshape(-1), x[1], x[-1, 0:2],
                                   x.transpose(0, 1).reshape(-1), x.permute(1, 0).reshape(-1), x[0:1].expand(2, 3).reshape(-1),
                                   x.clone().reshape(-1), x.double().reshape(-1),
                                   torch.stack([x[0], x[1]], 1).reshape(-1), x[:, [2, 0]].reshape(-1),
                                   F.pad(x, (1, 2)).reshape(-1), torch.cat(x.split(1, 0), 1).reshape(-1),
                                   torch.cat(x.unbind(0))]) * torch.arange(1., 108., dtype=D), generic(2, 3)),
    ("constant_factories", lambda x: x * torch.ones(3, dtype=D) + torch.zeros_like(x) + torch.full((3,), 0.5, dtype=D)
     + torch.arange(3, dtype=D), generic(3)),
    ("inplace_ops", lambda x: x.clone().mul_(2).add_(1).relu_(), generic(4)),
    ("batch_norm_eval", dyadic_batch_norm(), generic(2, 3)),
]


@pytest.mark.parametrize("fn,inputs", [c[1:] for c in EXACT_CASES], ids=[c[0] for c in EXACT_CASES])
def test_exported_program_equals_torch_exactly_at_generic_points(fn, inputs):
    assert_exact_match(fn, inputs)


def test_parameters_as_inputs_give_the_gradient_wrt_parameters():
    model = DyadicMLP()
    x = generic(1, 3)
    prog = sgt.export(model, x, params_as_inputs=True)
    names = list(prog.inputs)
    assert names[:3] == ["x_0_0", "x_0_1", "x_0_2"]
    assert names[3:6] == ["fc1.weight_0_0", "fc1.weight_0_1", "fc1.weight_0_2"]
    assert names[-1] == "fc2.bias_1"
    params = [p for _, p in model.named_parameters()]
    point = point_of((x,)) + [Fraction(v) for p in params for v in p.detach().reshape(-1).tolist()]
    outs, jac = torch_jacobian(model, (x,), params)
    res = selgrad.grad(prog, point, conventions="torch")
    assert [Fraction(v) for v in res.outputs] == [Fraction(v) for v in outs]
    assert [[Fraction(v) for v in r] for r in res.jacobian] == [[Fraction(v) for v in r] for r in jac]


def test_parameters_become_exact_literals_and_affine_maps_one_lin_node():
    model = DyadicMLP()
    text = sgt.export_text(model, generic(1, 3))
    w = model.fc1.weight.detach()
    b = model.fc1.bias.detach()
    expected = f"lin {Fraction(b[0].item())} " + " ".join(
        f"{Fraction(w[0, k].item())} x_0_{k}" for k in range(3) if w[0, k] != 0)
    assert expected in text
    assert text.count(" = relu ") == 4
    assert " = mul " not in text  # literal coefficients never make products


def test_constants_fold_exactly_as_rationals():
    # The literal 0.1 is the double nearest 1/10; 3 times it is folded exactly (torch rounds
    # the product to 0.30000000000000004, a different number).
    text = sgt.export_text(lambda x: x + torch.tensor(0.1, dtype=D) * 3, generic(1))
    assert f"lin {3 * Fraction(0.1)} 1 x_0" in text
    assert 3 * Fraction(0.1) != Fraction(0.1 * 3)
    # (1/3) * 3 - 1 folds to exactly 0: no node at all.
    assert sgt.export_text(lambda x: x + (torch.tensor(1., dtype=D) / 3) * 3 - 1, generic(1)).endswith("output x_0\n")


def test_inputs_are_named_after_the_parameters_and_flattened_row_major():
    prog = sgt.export(lambda x, y: (x.sum() * y).reshape(-1), (generic(2, 2), generic(1, seed=1)))
    assert list(prog.inputs) == ["x_0_0", "x_0_1", "x_1_0", "x_1_1", "y_0"]
    prog0 = sgt.export(lambda t: t * 2, torch.tensor(1.5, dtype=D))
    assert list(prog0.inputs) == ["t"]


def test_several_outputs_are_flattened_in_order():
    fn = lambda x: (x * 2, (x.sum(), x[0]))
    prog = sgt.export(fn, generic(2))
    assert len(prog.outputs) == 4
    res = selgrad.grad(prog, point_of((generic(2),)))
    x = generic(2)
    assert [Fraction(v) for v in res.outputs] == [Fraction(v) for v in
                                                  (x * 2).tolist() + [x.sum().item(), x[0].item()]]


def test_exp_log_ops_match_torch_within_the_derived_bound():
    cases = [
        (lambda x: F.log_softmax(x, 1), generic(2, 3)),
        (lambda x: F.softmax(x, 0), generic(3)),
        (lambda x: torch.logsumexp(x, 1), generic(2, 3)),
        (lambda x: F.cross_entropy(x, torch.tensor([2, 0])), generic(2, 3)),
        (lambda x: torch.exp(x) + torch.log(x * x) + torch.tanh(x) + torch.sigmoid(x), generic(3)),
        (lambda x: torch.sqrt(x * x + 1) + (x * x + 2) ** 0.5, generic(3)),
    ]
    for fn, x in cases:
        r = sgt.check(fn, x)
        assert r.matches_convention, repr(r)
        bounds = [b for row in r.bound for b in row]
        # a bound of a few ulps of the entries, not a loose tolerance: moving torch's value by
        # 2^-30 would be rejected
        assert all(0 <= b < 2.0 ** -40 for b in bounds) and max(bounds) > 0
        assert any(abs(float(t) + 2.0 ** -30 - float(g)) > b for trow, grow, brow in
                   zip(r.gradient, r.selgrad_gradient, r.bound) for t, g, b in zip(trow, grow, brow))
