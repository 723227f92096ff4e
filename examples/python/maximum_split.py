"""torch.maximum splits a tie: at a = b its gradient is (1/2, 1/2). No single piece gives that
(the pieces give (1, 0) and (0, 1)): the split is in the convex hull of the tie closure but not
in the closure. selgrad's verdict is "hull", and the exported node carries `@split`, so selgrad's
own gradient under PyTorch's convention is the same (1/2, 1/2).

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/maximum_split.py"""

import torch

import selgrad
import selgrad.torch as sgt


def f(v):
    return torch.maximum(v[0], v[1])


v = torch.tensor([2.0, 2.0], dtype=torch.float64)
print(sgt.export_text(f, v))
report = sgt.check(f, v)
print(report)
closure = selgrad.closure(report.program, report.point)
print("tie closure:", [[[str(x) for x in row] for row in J] for J in closure.jacobians])
print(f"torch's gradient {report.gradient[0]} is a convex combination of them: verdict {report.verdict!r}")
