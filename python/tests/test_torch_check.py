"""selgrad.torch.check and selgrad.testing.assert_conservative: verdicts on constructed cases,
and clear errors for what cannot be exported."""

from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F

import selgrad
import selgrad.testing
import selgrad.torch as sgt

D = torch.float64


def t(*vals):
    return torch.tensor(vals, dtype=D)


class DoubledReluGrad(torch.autograd.Function):
    """relu whose backward is wrong (2x): torch's gradient is then no selection derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.relu(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * (x > 0)


def test_relu_difference_at_zero_is_in_the_closure_with_a_bifurcation():
    # relu(x) - relu(-x) is the identity: its derivative is 1, torch's AD gives 0 at 0
    r = sgt.check(lambda x: torch.relu(x) - torch.relu(-x), t(0.))
    assert r.gradient == [[0.0]]
    assert r.verdict == "closure"
    assert r.bifurcation is True
    assert r.matches_convention is True
    assert r.selgrad_gradient == [[0]]
    assert sorted(n.aten for n in r.tied) == ["aten.relu.default", "aten.relu.default"]
    assert all("test_torch_check.py" in n.source and "torch.relu(x) - torch.relu(-x)" in n.source for n in r.tied)


def test_maximum_split_is_in_the_hull_but_not_the_closure():
    r = sgt.check(lambda x: torch.maximum(x[0], x[1]), t(2., 2.))
    assert r.gradient == [[0.5, 0.5]]
    assert r.verdict == "hull"
    assert r.bifurcation is True
    assert r.matches_convention is True
    assert [n.aten for n in r.tied] == ["aten.maximum.default"]


def test_a_wrong_backward_is_outside():
    r = sgt.check(lambda x: DoubledReluGrad.apply(x).sum(), t(1., -1.))
    assert r.gradient == [[2.0, 0.0]]
    assert r.verdict == "outside"
    assert r.matches_convention is False
    assert r.tied == []


def test_a_generic_point_is_in_the_closure_without_bifurcation():
    r = sgt.check(lambda x: torch.relu(x).sum() + x.abs().max(), t(0.5, -2., 3.))
    assert (r.verdict, r.bifurcation, r.matches_convention) == ("closure", False, True)


def test_check_with_parameters_as_inputs():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()).double()
    with torch.no_grad():
        model[0].weight.copy_(t(1., -1., 0.5, 2.).reshape(2, 2))
        model[0].bias.copy_(t(0., 1.))
    r = sgt.check(model, t(1., 1.).reshape(1, 2), params_as_inputs=True)
    assert len(r.gradient[0]) == 2 + 4 + 2
    assert r.verdict == "closure" and r.matches_convention and r.bifurcation  # relu 0 tied at (1, 1)


def test_exp_log_programs_are_classified_within_the_derived_bound():
    # No tie: the one Jacobian, within torch's rounding bound B.
    r = sgt.check(lambda x: F.cross_entropy(x, torch.tensor([1])), t(0.5, -1., 2.).reshape(1, 3))
    assert r.verdict == "closure" and r.bifurcation is False
    assert r.matches_convention is True and r.bound is not None
    # A relu tie under a cross-entropy loss: torch's relu'(0) = 0 is one of two distinct elements.
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 3)).double()
    with torch.no_grad():
        model[0].weight.copy_(t(1., -1., 0.5, 2.).reshape(2, 2))
        model[0].bias.copy_(t(0., 1.))
        model[2].weight.copy_(t(1., 2., -1., 0.5, 3., -2.).reshape(3, 2))
    loss = lambda x: F.cross_entropy(model(x), torch.tensor([2]))
    r = sgt.check(loss, t(1., 1.).reshape(1, 2))
    assert r.verdict == "closure" and r.bifurcation is True and r.matches_convention
    # torch.maximum's split under exp: in the hull only.
    r = sgt.check(lambda x: torch.exp(torch.maximum(x[0], x[1])), t(0.5, 0.5))
    assert r.verdict == "hull" and r.bifurcation is True


def test_exp_log_gradients_off_by_more_than_the_bound_are_outside():
    f = lambda x: torch.exp(torch.relu(x)).sum()
    program = sgt.export(f, t(0.))
    # the closure at 0 is {0, 1}; 1 + 2^-20 is farther than any rounding bound of one exp
    assert selgrad.check_gradient(program, [0], [[1 + 2.0 ** -20]], tolerance=[[2.0 ** -50]]).verdict == "outside"
    assert selgrad.check_gradient(program, [0], [[1.0]], tolerance=[[2.0 ** -50]]).verdict == "closure"
    assert selgrad.check_gradient(program, [0], [[0.25]], tolerance=[[2.0 ** -50]]).verdict == "hull"


def test_check_repr_names_the_verdict_and_the_tied_nodes():
    text = repr(sgt.check(lambda x: torch.maximum(x[0], x[1]), t(2., 2.)))
    assert "verdict hull" in text and "aten.maximum.default" in text and "test_torch_check.py" in text


def test_assert_conservative_passes_on_closure_and_hull_and_fails_outside():
    selgrad.testing.assert_conservative(lambda x: torch.relu(x) - torch.relu(-x), t(0.))
    selgrad.testing.assert_conservative(lambda x: torch.maximum(x[0], x[1]), t(2., 2.))
    with pytest.raises(AssertionError, match="outside"):
        selgrad.testing.assert_conservative(lambda x: DoubledReluGrad.apply(x).sum(), t(1., -1.))


def test_assert_conservative_warns_on_undecided_unless_strict():
    # a tied sort under exp: its permutations are not enumerated for exp/log programs
    f = lambda x: (torch.exp(torch.sort(x, descending=True)[0]) * t(1., 2.)).sum()
    with pytest.warns(selgrad.testing.UndecidedWarning):
        selgrad.testing.assert_conservative(f, t(0.5, 0.5))
    with pytest.raises(AssertionError, match="could not decide"):
        selgrad.testing.assert_conservative(f, t(0.5, 0.5), strict=True)


# --- bad input: clear exceptions -------------------------------------------------------------------

def test_unsupported_op_names_the_aten_op_and_the_source_line():
    with pytest.raises(sgt.UnsupportedOp) as info:
        sgt.export(lambda x: torch.sin(x) + x, t(1.))  # the line the error must name
    e = info.value
    assert e.op == "aten.sin.default"
    assert "test_torch_check.py" in e.source and "torch.sin(x) + x" in e.source
    assert "aten.sin.default" in str(e) and "torch.sin(x)" in str(e)
    assert isinstance(e, sgt.ExportError)


def test_integer_tensors_computed_from_inputs_cannot_be_used():
    with pytest.raises(sgt.UnsupportedOp, match="integer tensor computed from the inputs"):
        sgt.export(lambda x: x.index_select(0, x.argmax().reshape(1)), t(1., 2.))
    with pytest.raises(sgt.ExportError, match="data-dependent"):
        sgt.export(lambda x: x[x.argmax()], t(1., 2.))
    with pytest.raises(sgt.ExportError, match="output 1 is an integer tensor"):
        sgt.export(lambda x: x.max(0), t(1., 2.))


def test_equality_conditions_and_detach_are_unsupported():
    with pytest.raises(sgt.UnsupportedOp, match="aten.eq"):
        sgt.export(lambda x: torch.where(x == 0, x, 2 * x), t(1.))
    with pytest.raises(sgt.UnsupportedOp, match="detach"):
        sgt.export(lambda x: x * x.detach(), t(1.))


def test_float32_and_non_finite_inputs_are_rejected_clearly():
    with pytest.raises(TypeError, match="float64"):
        sgt.export(lambda x: x * 2, torch.ones(2, dtype=torch.float32))
    with pytest.raises(TypeError, match="parameter weight.*float64"):
        sgt.export(torch.nn.Linear(2, 1), torch.ones(1, 2, dtype=D))
    with pytest.raises(ValueError, match="non-finite"):
        sgt.export(lambda x: x * 2, t(1., float("nan")))
    with pytest.raises(ValueError, match="non-finite"):
        sgt.export(lambda x: x + torch.tensor(float("inf"), dtype=D), t(1.))
    with pytest.raises(TypeError, match="tensor or a tuple of tensors"):
        sgt.export(lambda x: x, [1.0, 2.0])
    with pytest.raises(TypeError, match="needs an nn.Module"):
        sgt.export(lambda x: x, t(1.), params_as_inputs=True)


def test_wrong_shapes_fail_in_torch_before_export():
    with pytest.raises(RuntimeError):
        sgt.export(lambda x, y: x @ y, (torch.ones(2, 3, dtype=D), torch.ones(2, 3, dtype=D)))


def test_size_caps_are_checked_before_the_work():
    with pytest.raises(OverflowError, match="more than 3 nodes"):
        sgt.export(lambda x: torch.relu(x) - torch.relu(-x), t(1., -2., 3.), max_nodes=3)
    with pytest.raises(OverflowError, match="elements, more than the cap 100"):
        sgt.export(lambda x: x.expand(1000, 1000).sum(), t(1.), max_nodes=100)
    with pytest.raises(OverflowError, match="more than 2000 scalar products"):
        sgt.export(lambda x: F.conv1d(x, torch.ones(1, 1, 50, dtype=D)), torch.ones(1, 1, 100, dtype=D), max_nodes=100)
    with pytest.raises(OverflowError, match="example inputs have 200 elements"):
        sgt.export(lambda x: x, torch.ones(200, dtype=D), max_nodes=100)


def test_data_dependent_control_flow_is_an_error_and_shape_control_flow_is_frozen():
    def f(x):
        if x.sum() > 0:   # reads a value: make_fx cannot trace it
            return 2 * x
        return -x
    with pytest.raises(sgt.ExportError, match="data-dependent control flow"):
        sgt.export(f, t(1., 2.))

    def g(x):
        return 2 * x if x.shape[0] > 1 else -x  # shapes are concrete: frozen at the example's
    prog = sgt.export(g, t(1., 2.))
    res = selgrad.grad(prog, [Fraction(-5), Fraction(3)])
    assert [Fraction(v) for v in res.outputs] == [-10, 6]


def test_rounded_gradients_of_rational_programs_are_compared_within_the_bound():
    # A full max over three tied entries: torch divides by 3 in float64, the exact split is 1/3.
    r = sgt.check(lambda x: x.amax() * 2, t(1., 3., 3., 2., 3.))
    assert r.matches_convention and r.verdict == "hull" and r.bifurcation is True
    assert r.bound is not None and max(r.bound[0]) < 2.0 ** -50
    # Random (non-dyadic) weights: torch's products and sums round; a relu is tied by construction.
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).double()
    x = t(0.3, -0.7, 0.2).reshape(1, 3)
    with torch.no_grad():
        model[0].bias[2] = -(model[0].weight[2] @ x[0])
    pre = model[0](x)[0, 2].item()
    r = sgt.check(lambda x: model(x).sum(), x)
    assert r.matches_convention
    if pre == 0.0:  # the tie survived float64 rounding: torch's relu'(0) = 0 is a closure element
        assert r.verdict == "closure" and r.bifurcation is True
    else:
        assert r.verdict == "closure"
    # and a gradient moved by far more than the bound is outside
    g = [[v + 2.0 ** -20 for v in r.gradient[0]]]
    program = sgt.export(lambda x: model(x).sum(), x)
    tol = [[Fraction(b) for b in r.bound[0]]] if r.bound else None
    assert selgrad.check_gradient(program, r.point, g, tolerance=tol).verdict == "outside"
