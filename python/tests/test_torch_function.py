"""selgrad.torch.SelgradFunction: a program as a torch module (selgrad's double engine,
batched), and selgrad.batch against selgrad.grad."""

from fractions import Fraction

import numpy as np
import pytest
import torch

import selgrad
import selgrad.torch as sgt

D = torch.float64


def t(*vals):
    return torch.tensor(vals, dtype=D)


def dyadic_mlp():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)).double()
    with torch.no_grad():
        model[0].weight.copy_(t(1., -1., 2., 1., -1., -1.).reshape(3, 2))
        model[0].bias.copy_(t(0., -3., 0.))
        model[2].weight.copy_(t(1., 2., -0.5, 0.25, -1., 3.).reshape(2, 3))
        model[2].bias.copy_(t(0.25, -0.5))
    return model


# rows: generic points, then (1, 1) where two relus tie (pre-activations 0, 0, -2)
ROWS = t(0.5, -1.25, 2., 0.75, -3., 1.5, 1., 1.).reshape(4, 2)


def row_model(model):
    return lambda x: model(x.reshape(1, 2)).reshape(-1)


def test_forward_and_backward_equal_torchs_on_every_row_including_ties():
    model = dyadic_mlp()
    layer = sgt.SelgradFunction(sgt.export(row_model(model), ROWS[0]))
    X = ROWS.clone().requires_grad_(True)
    Y = layer(X)
    w = t(1., -2.)
    (Y * w).sum().backward()
    X2 = ROWS.clone().requires_grad_(True)
    Y2 = model(X2)
    (Y2 * w).sum().backward()
    assert torch.equal(Y.detach(), Y2.detach())
    assert torch.equal(X.grad, X2.grad)  # the tie row too: relu'(0) = 0 under the torch profile


def test_a_one_dimensional_input_is_one_row():
    layer = sgt.SelgradFunction(sgt.export(lambda x: (x * x).sum().reshape(1), t(1., 2.)))
    x = t(1.5, -2.).requires_grad_(True)
    y = layer(x)
    assert y.shape == (1,) and y.item() == 1.5 ** 2 + 4
    y.sum().backward()
    assert x.grad.tolist() == [3.0, -4.0]


def test_relu_prime_at_zero_rewrites_the_relu_rules():
    prog = sgt.export(lambda x: torch.relu(x), t(0.))
    x0 = t(0.).reshape(1, 1)
    for alpha, expected in ((0, 0.0), (1, 1.0)):
        layer = sgt.SelgradFunction(prog, relu_prime_at_zero=alpha)
        assert f"@{'a' if alpha else '0'}" in layer.program.text
        x = x0.clone().requires_grad_(True)
        layer(x).sum().backward()
        assert x.grad.item() == expected
    layer = sgt.SelgradFunction(prog, relu_prime_at_zero=0.25)  # @a=1/4: 1/4 of a, 3/4 of 0
    assert "@a=1/4" in layer.program.text
    x = x0.clone().requires_grad_(True)
    layer(x).sum().backward()
    assert x.grad.item() == 0.25
    x = t(1.).reshape(1, 1).requires_grad_(True)  # away from the tie the rule does nothing
    layer(x).sum().backward()
    assert x.grad.item() == 1.0
    with pytest.raises(ValueError, match="relu_prime_at_zero=1.5"):
        sgt.SelgradFunction(prog, relu_prime_at_zero=1.5)


def test_the_profile_applies_to_rules_the_program_does_not_write():
    prog = selgrad.Program("input a b\nm = max a b\noutput m\n")
    X = t(1., 1.).reshape(1, 2)
    grads = {}
    for conventions in ("default", "torch", "tf"):
        x = X.clone().requires_grad_(True)
        sgt.SelgradFunction(prog, conventions=conventions)(x).sum().backward()
        grads[conventions] = x.grad.reshape(-1).tolist()
    assert grads == {"default": [1.0, 0.0], "torch": [0.5, 0.5], "tf": [1.0, 0.0]}
    with pytest.raises(ValueError, match="conventions"):
        sgt.SelgradFunction(prog, conventions="pytorch-ish")


def test_bad_batches_are_clear_errors():
    layer = sgt.SelgradFunction(selgrad.Program("input a b\ny = mul a b\noutput y\n"))
    with pytest.raises(ValueError, match="2 inputs, the tensor has 3 columns"):
        layer(torch.ones(4, 3, dtype=D))
    with pytest.raises(TypeError, match="float64"):
        layer(torch.ones(4, 2, dtype=torch.float32))
    with pytest.raises(ValueError, match="non-finite"):
        layer(t(1., float("inf")).reshape(1, 2))
    with pytest.raises(ValueError, match="expected a \\(N, p\\) tensor"):
        layer(torch.ones(2, 2, 2, dtype=D))


def test_batch_equals_grad_row_by_row():
    model = dyadic_mlp()
    prog = sgt.export(row_model(model), ROWS[0])
    res = selgrad.batch(prog, ROWS.numpy(), conventions="torch")
    assert np.asarray(res.outputs).shape == (4, 2) and np.asarray(res.jacobian).shape == (4, 2, 2)
    for n, row in enumerate(ROWS.tolist()):
        g = selgrad.grad(prog, [Fraction(v) for v in row], conventions="torch")
        assert [Fraction(float(v)) for v in np.asarray(res.outputs)[n]] == [Fraction(v) for v in g.outputs]
        assert [[Fraction(float(v)) for v in r] for r in np.asarray(res.jacobian)[n]] == \
            [[Fraction(v) for v in r] for r in g.jacobian]
