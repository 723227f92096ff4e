"""PyTorch front end: export a function or module to a selgrad program, check torch's gradient
against it, and run a program as a torch autograd function.

    import selgrad.torch as sgt
    prog = sgt.export(model, x)                  # a selgrad.Program
    report = sgt.check(model, x)                 # torch's gradient vs. selgrad's, exactly
    layer = sgt.SelgradFunction(prog)            # a module: batch forward, Jacobian backward

Export traces the function once with `torch.fx.experimental.proxy_tensor.make_fx` at ATen level
(no decomposition table). Tracing runs the function on the example inputs: Python control flow
that depends on tensor values (an `if x.sum() > 0:`) is frozen at the branch the example takes,
and the program is the function of that branch everywhere. Every tensor element becomes a node
or an exact literal; every selection node carries PyTorch 1.13's tie rule (docs/python-torch.md
has the table and the evidence), so `selgrad.grad(prog, x, conventions="torch")` returns what
torch.autograd returns, and `selgrad.closure` / `selgrad.check_gradient` say what it means.

Tensors must be float64 (inputs, parameters and buffers): a float32 tensor is an error, not a
silent conversion, because the exported program computes the float64 function.
"""

from __future__ import annotations

import inspect
import math
import warnings
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from . import _export
from ._export import ExportError, UnsupportedOp
from ._export_scalar import NAME_RE, Aff, Writer

__all__ = ["export", "export_text", "check", "CheckResult", "TiedNode", "SelgradFunction",
           "Function", "ExportError", "UnsupportedOp", "DEFAULT_MAX_NODES"]

#: Default cap on the number of nodes an export writes (checked as the program is written).
DEFAULT_MAX_NODES = 1_000_000


def _core():
    import selgrad
    return selgrad


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------

def _as_tuple(example_inputs) -> Tuple[torch.Tensor, ...]:
    if isinstance(example_inputs, torch.Tensor):
        return (example_inputs,)
    if isinstance(example_inputs, (tuple, list)) and all(isinstance(t, torch.Tensor) for t in example_inputs):
        if not example_inputs:
            raise ExportError("no example inputs: a program needs at least one input")
        return tuple(example_inputs)
    raise TypeError("example_inputs must be a tensor or a tuple of tensors, got "
                    f"{type(example_inputs).__name__}")


def _check_tensor(t: torch.Tensor, what: str) -> None:
    if t.dtype != torch.float64:
        raise TypeError(f"{what} has dtype {t.dtype}; selgrad exports float64 functions: convert "
                        "the module and the inputs with .double() (float32 values would be a "
                        "different function)")
    if t.is_complex() or t.is_sparse:
        raise TypeError(f"{what} must be a dense real tensor")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{what} has a non-finite element (inf or nan)")


def _input_names(fn, count: int) -> List[str]:
    target = fn.forward if isinstance(fn, torch.nn.Module) else fn
    try:
        params = [p for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:count]]
    if len(names) == count and len(set(names)) == count and all(NAME_RE.match(n) for n in names):
        return names
    return [f"x{i}" for i in range(count)]


def _element_names(base: str, shape) -> List[str]:
    if len(shape) == 0:
        return [base]
    return [base + "_" + "_".join(str(i) for i in idx) for idx in np.ndindex(tuple(shape))]


class _Export:
    """Everything an export knows: the text, the names, and where each node comes from."""

    def __init__(self, result: _export.ExportResult, params: List[Tuple[str, torch.Tensor]]):
        self.text = result.text
        self.inputs = result.inputs
        self.outputs = result.outputs
        self.info = result.info
        self.notes = result.notes
        self.has_exp_log = result.has_exp_log
        self.input_shapes = result.input_shapes
        self.output_shapes = result.output_shapes
        self.params = params


def _export_program(fn, example_inputs, params_as_inputs: bool = False, max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> _Export:
    inputs = _as_tuple(example_inputs)
    for k, t in enumerate(inputs):
        _check_tensor(t, f"example input {k}")
    inputs = tuple(t.detach() for t in inputs)
    params: List[Tuple[str, torch.Tensor]] = []
    by_id: Dict[int, Tuple[str, torch.Tensor, bool]] = {}
    if isinstance(fn, torch.nn.Module):
        for name, p in fn.named_parameters():
            _check_tensor(p, f"parameter {name}")
            params.append((name, p))
            by_id[id(p)] = (name, p, True)
        for name, b in fn.named_buffers():
            if b.is_floating_point():
                _check_tensor(b, f"buffer {name}")
            by_id[id(b)] = (name, b, False)
    elif params_as_inputs:
        raise TypeError("params_as_inputs=True needs an nn.Module")

    gm = _export.trace(fn, inputs)
    concrete = _export.concrete_values(gm, inputs)

    writer = Writer(max_nodes)
    input_arrays = []
    input_shapes = []
    for base, t in zip(_input_names(fn, len(inputs)), inputs):
        arr = np.empty(tuple(t.shape), dtype=object)
        for idx, nm in zip(np.ndindex(tuple(t.shape)), _element_names(base, t.shape)):
            arr[idx] = Aff.name(writer.add_input(nm))
        input_arrays.append(arr)
        input_shapes.append(tuple(t.shape))
    param_arrays: Dict[int, np.ndarray] = {}
    if params_as_inputs:
        for name, p in params:
            arr = np.empty(tuple(p.shape), dtype=object)
            for idx, nm in zip(np.ndindex(tuple(p.shape)), _element_names(name, p.shape)):
                arr[idx] = Aff.name(writer.add_input(nm))
            param_arrays[id(p)] = arr
            input_shapes.append(tuple(p.shape))

    def const_of(target: str):
        t = getattr(gm, target)
        if id(t) in param_arrays:
            return param_arrays[id(t)]
        if id(t) in by_id:
            name = by_id[id(t)][0]
            try:
                return _export.const_array(t)
            except ExportError as e:
                raise ExportError(f"{name}: {e}") from None
        return _export.const_array(t)

    ex = _export.Exporter(gm, concrete, writer, const_of, input_arrays)
    out_spec = ex.run()
    import torch.utils._pytree as pytree
    leaves, _ = pytree.tree_flatten(out_spec)
    outputs: List[str] = []
    output_shapes = []
    writer.current = None
    for k, leaf in enumerate(leaves):
        if not isinstance(leaf, torch.fx.Node):
            raise ExportError(f"output {k} is not a tensor computed by the function ({leaf!r})")
        arr = ex.env[leaf.name]
        if not isinstance(arr, np.ndarray):
            raise ExportError(f"output {k} is not a tensor")
        kinds = {type(e).__name__ for e in arr.flat}
        if kinds - {"Aff"}:
            what = "a comparison (bool tensor)" if "Cond" in kinds or "bool" in kinds else "an integer tensor (indices)"
            raise ExportError(f"output {k} is {what}; return only float64 tensors")
        output_shapes.append(arr.shape)
        base = f"out{k}" if len(leaves) > 1 else "out"
        for idx, e in zip(np.ndindex(arr.shape), arr.flat):
            hint = base + ("_" + "_".join(map(str, idx)) if idx else "")
            outputs.append(writer.output_name(e, hint))
    if not outputs:
        raise ExportError("the function has no output elements")
    header = [f"exported from torch {torch.__version__} by selgrad.torch.export "
              "(tie rules: PyTorch's, written on every selection node)"]
    header += [f"note: {n}" for n in ex.notes]
    text = writer.text(outputs, header)
    has_exp_log = any(line.split(" = ", 1)[1].split()[0] in _export._EXP_LOG_OPS
                      for line in writer.lines)
    result = _export.ExportResult(text, writer.inputs, outputs, writer.info, ex.notes, has_exp_log,
                                  input_shapes, output_shapes)
    return _Export(result, params)


def export_text(fn_or_module, example_inputs, params_as_inputs: bool = False,
                max_nodes: Optional[int] = DEFAULT_MAX_NODES) -> str:
    """The `.sgp` text of `export(...)` (see there); needs only torch and numpy."""
    return _export_program(fn_or_module, example_inputs, params_as_inputs, max_nodes).text


def export(fn_or_module, example_inputs, params_as_inputs: bool = False,
           max_nodes: Optional[int] = DEFAULT_MAX_NODES):
    """Export a PyTorch function or module, traced at `example_inputs`, as a `selgrad.Program`.

    - `example_inputs`: a float64 tensor or a tuple of them. The program's inputs are their
      elements, flattened in order (row-major), named after the function's parameters:
      `x_0_3` is x[0, 3], a 0-d input is just `x` (`x0`, `x1`, ... when the names are unusable).
    - Module parameters and buffers become exact literals; with `params_as_inputs=True` the
      parameters become inputs after the example inputs (`fc1.weight_0_3`), in
      `named_parameters()` order. Buffers stay literals.
    - Outputs: the function's result tensors, flattened in order.
    - Tracing runs the function once: data-dependent Python control flow is frozen at the branch
      the example inputs take. Ops torch performs on constants only (factory ops like
      `torch.ones`) are evaluated by torch; arithmetic on literals is folded exactly.
    - An op without a translation raises `UnsupportedOp` naming the ATen op and the source line.
    """
    return _core().Program(export_text(fn_or_module, example_inputs, params_as_inputs, max_nodes))
