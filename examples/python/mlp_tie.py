"""A small ReLU network at a point where two of its relus tie (their pre-activations are 0).
PyTorch's autograd returns one gradient there; selgrad.torch.check says which element of the
tie closure it is, whether the closure holds several Jacobians (a bifurcation: the gradient
depends on the convention), and which layer and source line the tied nodes come from.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/mlp_tie.py"""

import torch
import torch.nn as nn

import selgrad
import selgrad.torch as sgt

D = torch.float64


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        return self.fc2(h).sum()


model = MLP().double()
with torch.no_grad():
    model.fc1.weight.copy_(torch.tensor([[1., -1.], [2., 1.], [-1., -1.]], dtype=D))
    model.fc1.bias.copy_(torch.tensor([0., -3., 0.], dtype=D))
    model.fc2.weight.copy_(torch.tensor([[1., 2., -0.5]], dtype=D))
    model.fc2.bias.copy_(torch.tensor([0.25], dtype=D))

x = torch.tensor([[1., 1.]], dtype=D)  # fc1(x) = (0, 0, -2): relus 0 and 1 are tied
print(sgt.export_text(model, x))
report = sgt.check(model, x)
print(report)
closure = selgrad.closure(report.program, report.point)
print(f"{len(closure.jacobians)} distinct Jacobians over the choices at the ties:")
for J in closure.jacobians:
    print("  ", [str(v) for v in J[0]])
print(f"verdict {report.verdict!r}, bifurcation {report.bifurcation}:",
      "torch's gradient is one of them" if report.verdict == "closure" else "")

# The same network with its parameters as inputs: the gradient with respect to the weights.
params_report = sgt.check(model, x, params_as_inputs=True)
print(f"with the parameters as inputs ({len(params_report.gradient[0])} inputs): "
      f"verdict {params_report.verdict!r}, matches selgrad's torch convention: {params_report.matches_convention}")
