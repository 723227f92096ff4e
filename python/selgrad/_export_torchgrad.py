"""torch's own values and Jacobian of a function, flattened the way an export flattens them."""

from __future__ import annotations

from typing import List, Sequence

import torch
import torch.utils._pytree as pytree


def flatten_outputs(result) -> List[torch.Tensor]:
    leaves, _ = pytree.tree_flatten(result)
    for k, leaf in enumerate(leaves):
        if not isinstance(leaf, torch.Tensor):
            raise TypeError(f"output {k} of the function is not a tensor ({type(leaf).__name__})")
    return leaves


def torch_jacobian(fn, inputs: Sequence[torch.Tensor], params: Sequence[torch.Tensor] = ()):
    """(outputs, J): the function's outputs flattened (floats) and torch.autograd's Jacobian
    (q x p, list of rows of floats) with respect to the inputs' elements and then the
    parameters' (`params`), flattened row-major: one backward pass per output element, so
    it is the gradient torch's autograd returns for each output (q = 1: the gradient)."""
    xs = [t.detach().clone().requires_grad_(True) for t in inputs]
    wrt = xs + list(params)
    saved = [p.requires_grad for p in params]
    try:
        for p in params:
            p.requires_grad_(True)
        with torch.enable_grad():
            outs = flatten_outputs(fn(*xs))
            flat = torch.cat([o.reshape(-1) for o in outs]) if outs else torch.zeros(0)
            p = sum(t.numel() for t in wrt)
            rows = []
            for k in range(flat.numel()):
                if flat.requires_grad:
                    grads = torch.autograd.grad(flat[k], wrt, retain_graph=True, allow_unused=True)
                else:
                    grads = [None] * len(wrt)
                row = []
                for g, t in zip(grads, wrt):
                    row += [0.0] * t.numel() if g is None else [float(v) for v in g.reshape(-1).tolist()]
                assert len(row) == p
                rows.append(row)
    finally:
        for prm, s in zip(params, saved):
            prm.requires_grad_(s)
    return [float(v) for v in flat.detach().reshape(-1).tolist()], rows
