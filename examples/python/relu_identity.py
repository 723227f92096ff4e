"""relu(x) - relu(-x) is the identity, whose derivative is 1 everywhere. At x = 0 PyTorch's
autograd returns 0 (relu'(0) = 0 on both relus): a selection derivative of one representation,
one element of the tie closure {0, 1, 2}. selgrad.torch.check says so exactly.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/relu_identity.py"""

import torch

import selgrad
import selgrad.torch as sgt


def f(x):
    return torch.relu(x) - torch.relu(-x)


x = torch.tensor([0.0], dtype=torch.float64)
print("program:")
print(sgt.export_text(f, x))
report = sgt.check(f, x)
print(report)
closure = selgrad.closure(report.program, report.point)
print("tie closure at 0:", [[[str(v) for v in row] for row in J] for J in closure.jacobians])
print()
print(f"torch's gradient at 0 is {report.gradient[0][0]}, the identity's derivative is 1:")
print(f"  verdict {report.verdict!r} (AD along one choice of pieces at the ties gives torch's 0),")
print(f"  bifurcation {report.bifurcation} (other choices give other Jacobians: the convention matters here)")
