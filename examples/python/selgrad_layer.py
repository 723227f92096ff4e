"""A program as a torch module: selgrad's double engine runs the forward pass over a batch and
the backward pass multiplies by each row's selection Jacobian. The relu rule at 0 can be chosen:
relu_prime_at_zero=1 takes the piece `a` (derivative 1) where PyTorch takes 0.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/selgrad_layer.py"""

import torch

import selgrad.torch as sgt

D = torch.float64


def f(x):
    return torch.relu(x).sum().reshape(1) + torch.maximum(x[0], x[1]).reshape(1)


program = sgt.export(f, torch.tensor([0.5, -1.0], dtype=D))
X = torch.tensor([[0.5, -1.0], [0.0, 0.0], [2.0, 2.0]], dtype=D)
for alpha in (None, 1):
    layer = sgt.SelgradFunction(program, conventions="torch", relu_prime_at_zero=alpha)
    Xg = X.clone().requires_grad_(True)
    Y = layer(Xg)
    Y.sum().backward()
    print(f"relu_prime_at_zero={alpha}: outputs {Y.detach().reshape(-1).tolist()}")
    print(f"  gradients by row {Xg.grad.tolist()}")
Xt = X.clone().requires_grad_(True)
torch.stack([f(row) for row in Xt]).sum().backward()
print(f"torch's own gradients  {Xt.grad.tolist()}  (= the first, the torch profile)")
