"""PyTorch front end: export a function or module to a selgrad program, check torch's gradient
against it, and run a program as a torch autograd function.

    import selgrad.torch as sgt
    prog = sgt.export(model, x)                  # a selgrad.Program
    report = sgt.check(model, x)                 # torch's gradient vs. selgrad's, exactly
    layer = sgt.SelgradFunction(prog)            # a module: batch forward, Jacobian backward

Export traces the function once with `torch.fx.experimental.proxy_tensor.make_fx` at ATen level
(no decomposition table), running it on the example inputs. What Python decides during that run
is frozen: control flow on shapes, on Python numbers and on module state takes the branch of the
example everywhere. Control flow on tensor values (`if x.sum() > 0:`, `.item()`, indexing with
a computed index) cannot be traced by make_fx in torch 1.13: export raises ExportError (write
such a branch with torch.where, which becomes a `select` node). Every tensor element becomes a node
or an exact literal; every selection node carries PyTorch 1.13's tie rule (docs/python-torch.md
has the table and the evidence), so `selgrad.grad(prog, x, conventions="torch")` returns what
torch.autograd returns, and `selgrad.closure` / `selgrad.check_gradient` say what it means.

Tensors must be float64 (inputs, parameters and buffers): a float32 tensor is an error, not a
silent conversion, because the exported program computes the float64 function.
"""

from __future__ import annotations

import inspect
from fractions import Fraction
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

from . import _export, _export_bound, _export_torchgrad
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
    if max_nodes is not None and sum(t.numel() for t in inputs) > max_nodes:
        raise OverflowError(f"the example inputs have {sum(t.numel() for t in inputs)} elements, more than "
                            f"max_nodes = {max_nodes}")
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
    - Tracing runs the function once: Python control flow on shapes and Python values is
      frozen at the branch the example inputs take; control flow on tensor values raises
      ExportError (make_fx cannot trace it). Factory ops (`torch.ones`, `arange`, ...) and
      other ops on constants only are evaluated by torch; arithmetic on literals is folded
      exactly, as rationals.
    - An op without a translation raises `UnsupportedOp` naming the ATen op and the source line.
    """
    return _core().Program(export_text(fn_or_module, example_inputs, params_as_inputs, max_nodes))


# ------------------------------------------------------------------------------------------------
# Check: torch's gradient against selgrad's
# ------------------------------------------------------------------------------------------------

class TiedNode:
    """A selection node tied at the checked point, with where it comes from."""

    __slots__ = ("name", "aten", "source")

    def __init__(self, name: str, aten: str, source: str):
        self.name = name
        self.aten = aten
        self.source = source

    def __repr__(self) -> str:
        return f"TiedNode({self.name!r}, {self.aten}, {self.source!r})"


class CheckResult:
    """What `check` found. Fields:

    - `matches_convention`: torch's gradient equals selgrad's under the torch profile
      (exactly, as rationals; for programs with exp/log within `bound`).
    - `verdict`: "closure", "hull", "outside" or "undecided" (`selgrad.check_gradient` on
      torch's gradient: exact, or within the bound B with exp/log); `reason` says why when
      undecided.
    - `bifurcation`: the tie closure holds two or more Jacobians (None when unknown).
    - `tied`: the tied selection nodes, as `TiedNode(name, aten op, source line)`.
    - `gradient`: torch's Jacobian (q x p floats; q = 1 for a scalar function).
    - `selgrad_gradient`: selgrad's under the torch profile (Fractions, or floats with exp/log).
    - `bound`: None for exact programs; else the derived float64 bound per entry: torch's
      value must lie within it of the reference's MPFR enclosure of the exact entry.
    - `program`, `point`, `closure_size`, `ambiguous` (selection nodes within rounding of a
      tie in float64, exp/log programs only), `notes` (from the export).
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self) -> str:
        lines = [f"selgrad.torch.check: verdict {self.verdict}"
                 + (f" ({self.reason})" if self.reason else "")
                 + f", torch matches selgrad's torch convention: {self.matches_convention}"
                 + (f", bifurcation: {self.bifurcation}" if self.bifurcation is not None else "")]
        lines.append(f"  torch gradient:   {_fmt_rows(self.gradient)}")
        lines.append(f"  selgrad gradient: {_fmt_rows(self.selgrad_gradient)}")
        if self.bound is not None:
            lines.append(f"  bound:            {_fmt_rows(self.bound)}")
        if self.tied:
            lines.append("  tied nodes:")
            for t in self.tied:
                lines.append(f"    {t.name} ({t.aten}) at {t.source or '?'}")
        for n in self.ambiguous:
            lines.append(f"  within float64 rounding of a tie: {n}")
        return "\n".join(lines)


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        return str(v)
    return repr(v)


def _fmt_rows(rows) -> str:
    rows = [list(r) for r in rows]
    if len(rows) == 1:
        return "[" + ", ".join(_fmt(v) for v in rows[0]) + "]"
    return "[" + "; ".join("[" + ", ".join(_fmt(v) for v in r) + "]" for r in rows) + "]"


def _tied_names(res) -> List[str]:
    out = []
    for t in getattr(res, "tied", []) or []:
        out.append(t if isinstance(t, str) else getattr(t, "name", str(t)))
    return out


def _branch_ties(res) -> List[str]:
    names = []
    for b in getattr(res, "branches", []) or []:
        tie = b.get("tie") if isinstance(b, dict) else getattr(b, "tie", False)
        node = b.get("node") if isinstance(b, dict) else getattr(b, "node", None)
        if tie and node is not None:
            names.append(node)
    return names


def check(fn_or_module, example_inputs, params_as_inputs: bool = False) -> CheckResult:
    """Compare torch's float64 gradient of `fn_or_module` at `example_inputs` with selgrad's.

    torch's Jacobian (for a scalar function, its gradient with respect to all example inputs,
    flattened; with `params_as_inputs`, also the parameters') is computed with torch.autograd,
    the function is exported (`export`), and:
      - `matches_convention`: selgrad.grad(program, point, conventions="torch") equals it
        exactly (programs without exp/log), or within the derived float64 bound of
        `selgrad._export_bound` (programs with exp/log; docs/python-torch.md states the model);
      - `verdict`: selgrad.check_gradient(program, point, torch's Jacobian): "closure" (some
        choice at the ties gives it), "hull" (a convex combination: a split convention),
        "outside" (no representation gives it) or "undecided" (with the reason); exact for
        programs without exp/log, and with exp/log decided within the same bound B.
    """
    sg = _core()
    inputs = _as_tuple(example_inputs)
    ex = _export_program(fn_or_module, inputs, params_as_inputs)
    program = sg.Program(ex.text)
    params = [p for _, p in ex.params] if params_as_inputs else []
    _, G = _export_torchgrad.torch_jacobian(fn_or_module, inputs, params)
    point_f = [v for t in inputs for v in t.detach().reshape(-1).tolist()]
    point_f += [v for p in params for v in p.detach().reshape(-1).tolist()]
    point = [Fraction(v) for v in point_f]
    res = sg.grad(program, point, conventions="torch")
    J = [list(row) for row in res.jacobian]
    # torch's doubles are compared exactly first. Where they differ (exp/log, or rounding in a
    # rational program: non-dyadic weights, a split over 3, a mean over 5), they are compared
    # within the derived float64 bound B of `_export_bound` (docs/python-torch.md).
    exact_G = [[Fraction(v) for v in row] for row in G]
    bound = None
    ambiguous: List[str] = []
    matches = not ex.has_exp_log and [[Fraction(v) for v in row] for row in J] == exact_G
    if not matches:
        B, ambiguous = _export_bound.jacobian_bounds(ex.text, point_f)
        bound = B
        enclosures = getattr(res, "jacobian_enclosures", None)
        if enclosures is None:  # exact rationals: the enclosure is the value itself
            enclosures = [[(Fraction(g), Fraction(g)) for g in row] for row in J]
        matches = all(Fraction(lo) - Fraction(b) <= Fraction(t) <= Fraction(hi) + Fraction(b)
                      for trow, erow, brow in zip(G, enclosures, B)
                      for t, (lo, hi), b in zip(trow, erow, brow))
        if not matches and ambiguous:
            # A decision within rounding of its boundary: torch's float64 forward pass may have
            # landed on the other side (or on the tie). The double engine decides on float64
            # values too: compare with its torch-profile gradient, within the same bound.
            fast = sg.grad(program, point_f, engine="fast", conventions="torch").jacobian
            matches = all(abs(Fraction(t) - Fraction(f)) <= 2 * Fraction(b)
                          for trow, frow, brow in zip(G, fast, B) for t, f, b in zip(trow, frow, brow))
    verdict, reason, bifurcation, closure_size = "undecided", "", None, None
    tied_names: List[str] = []
    try:
        chk = None
        if not ex.has_exp_log:
            chk = sg.check_gradient(program, point, exact_G)
        exact_chk = chk
        if chk is None or (chk.verdict == "outside" and bound is not None):
            # torch's gradient is a rounded value: classified within the bound B (the closure's
            # Jacobians enclosed in MPFI, reference::check_gradient_within).
            if bound is None:
                bound, ambiguous = _export_bound.jacobian_bounds(ex.text, point_f)
            tolerance = [[Fraction(b) for b in row] for row in bound]
            chk = sg.check_gradient(program, point, exact_G, tolerance=tolerance)
            if chk.verdict == "outside" and ambiguous:
                # torch may have taken the other branch at a decision within rounding of its
                # boundary: those nodes enumerated over all their pieces (the closure nearby).
                chk = sg.check_gradient(program, point, exact_G, tolerance=tolerance, near_ties=ambiguous)
                exact_chk = None  # the closure is the nearby points' now
        verdict = chk.verdict
        reason = getattr(chk, "reason", "") or ""
        bifurcation = getattr(chk, "bifurcation", None)
        if exact_chk is not None and exact_chk.bifurcation is not None:
            bifurcation = exact_chk.bifurcation  # decided exactly: the closure is exact
        closure_size = getattr(chk, "closure_size", None)
        tied_names = _tied_names(chk)
    except sg.Error as e:
        reason = str(e)
        tied_names = _branch_ties(res)
    tied = [TiedNode(n, ex.info[n].aten if n in ex.info else "?", ex.info[n].source if n in ex.info else "")
            for n in tied_names]
    return CheckResult(matches_convention=matches, verdict=verdict, reason=reason, bifurcation=bifurcation,
                       tied=tied, gradient=G, selgrad_gradient=J, bound=bound, program=program,
                       point=point, closure_size=closure_size, ambiguous=ambiguous, notes=list(ex.notes))


# ------------------------------------------------------------------------------------------------
# A program as a torch autograd function
# ------------------------------------------------------------------------------------------------

_PROFILES = ("default", "torch", "jax", "tf")


def _with_relu_rule(text: str, relu_prime_at_zero) -> str:
    if relu_prime_at_zero is None:
        return text
    alpha = Fraction(relu_prime_at_zero)  # exact: a float is its dyadic value
    if not 0 <= alpha <= 1:
        raise ValueError(f"relu_prime_at_zero={relu_prime_at_zero!r}: must be in [0, 1] (a convex combination "
                         "of relu's pieces 0 and a; outside it the derivative is not conservative)")
    # relu'(0) = alpha: the selection @0 or @a, or alpha of a and 1 - alpha of 0 (@a=alpha).
    rule = "0" if alpha == 0 else "a" if alpha == 1 else f"a={alpha}"
    out = []
    for line in text.splitlines():
        body = line.split("#", 1)[0]
        toks = body.split()
        if len(toks) >= 4 and toks[1] == "=" and toks[2] == "relu":
            toks = [t for t in toks if not t.startswith("@")] + ["@" + rule]
            line = " ".join(toks)
        out.append(line)
    return "\n".join(out) + "\n"


class Function(torch.autograd.Function):
    """`Function.apply(X, program, conventions)`: selgrad's double engine over the rows of a
    (N, p) float64 tensor, (N, q) out; backward multiplies the incoming gradient by each row's
    Jacobian. Use `SelgradFunction` for a module that holds the program."""

    @staticmethod
    def forward(ctx, X, program, conventions):
        if X.dim() != 2:
            raise ValueError(f"expected a (N, p) tensor, got shape {tuple(X.shape)}")
        p = len(program.inputs)
        if X.shape[1] != p:
            raise ValueError(f"the program has {p} inputs, the tensor has {X.shape[1]} columns")
        if X.dtype != torch.float64:
            raise TypeError(f"expected float64, got {X.dtype}")
        Xn = X.detach().cpu().numpy()
        if not np.isfinite(Xn).all():
            raise ValueError("the input has a non-finite element (inf or nan)")
        res = _core().batch(program, Xn, conventions=conventions, gradient=True)
        ok = np.asarray(res.ok)
        if not ok.all():
            errors = list(getattr(res, "errors", []) or [])
            if errors:
                lane, node, reason = errors[0]
                detail = f"row {lane} failed at node {node}: {reason}"
            else:
                detail = f"row {int(np.flatnonzero(~ok)[0])} failed"
            raise _core().Error(f"selgrad's double engine: {detail} ({int((~ok).sum())} failing rows)")
        J = torch.as_tensor(np.asarray(res.jacobian), dtype=torch.float64, device=X.device)
        ctx.save_for_backward(J)
        return torch.as_tensor(np.asarray(res.outputs), dtype=torch.float64, device=X.device)

    @staticmethod
    def backward(ctx, grad_out):
        (J,) = ctx.saved_tensors
        # (N, q) x (N, q, p) -> (N, p): the vector-Jacobian product of each lane.
        return torch.einsum("nq,nqp->np", grad_out.to(torch.float64), J), None, None


class SelgradFunction(torch.nn.Module):
    """A selgrad program as a module on (N, p) float64 batches (one row per lane; a 1-D input
    of length p is one row). Forward and backward run selgrad's double engine
    (`selgrad.batch`) with the framework profile `conventions` ("torch" by default: the rules
    the program does not write itself). `relu_prime_at_zero` = 0 or 1 rewrites every relu
    node's rule to `@0` or `@a`; other values raise NotImplementedError."""

    def __init__(self, program, conventions: Optional[str] = "torch", relu_prime_at_zero=None):
        super().__init__()
        if conventions is not None and conventions not in _PROFILES:
            raise ValueError(f"conventions must be one of {', '.join(_PROFILES)} or None, got {conventions!r}")
        sg = _core()
        text = program.text if hasattr(program, "text") else str(program)
        text = _with_relu_rule(text, relu_prime_at_zero)
        self.program = sg.Program(text)
        self.conventions = conventions

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        squeeze = X.dim() == 1
        if squeeze:
            X = X.unsqueeze(0)
        Y = Function.apply(X, self.program, self.conventions)
        return Y.squeeze(0) if squeeze else Y

    def extra_repr(self) -> str:
        return f"inputs={len(self.program.inputs)}, outputs={len(self.program.outputs)}, conventions={self.conventions!r}"
