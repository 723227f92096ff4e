"""Export of a traced PyTorch function to a selgrad program (the work behind
`selgrad.torch.export`).

The function is traced with `make_fx` at ATen level without a decomposition table, run once
more through an `fx.Interpreter` to know torch's concrete results (the indices it returns at
ties), and every ATen node is then scalarized (`_export_scalar`) by its handler
(`_export_ops`): each tensor element becomes a node or an exact literal.

Tie rules (docs/python-torch.md has the evidence, measured with torch.autograd on CPU):
  relu, abs                       @default   relu'(0) = 0, abs'(0) = 0
  maximum, minimum                @split     1/2 each
  max, min, amax, amin (reduce)   @split     1/k among the k tied
  clamp(x, lo, hi)                @a         1 at a bound
  clamp_min / clamp_max           max/min x bound @first: x first, 1 at the bound
  max.dim, min.dim, max_pool      @first     torch returns the first extremal index
  sort, topk, kthvalue            sort @stable, arguments ordered so that the permutation at
                                  the example input is the one torch returned
  where(u CMP v, a, b)            select CMP u v a b (at u = v: gt/lt take b, ge/le take a)
"""

from __future__ import annotations

import linecache
import os
import sys
import sysconfig
import threading
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ._export_scalar import Aff, AffSum, Cond, NodeInfo, Opaque, Writer


class ExportError(ValueError):
    """A function or its inputs cannot be exported as a selgrad program."""


class UnsupportedOp(ExportError):
    """An ATen op (or a use of an op) that the exporter does not translate.

    `op` is the ATen op's name (e.g. "aten.sin.default") and `source` the user's source line
    that produced it ("file:line: code"), when known."""

    def __init__(self, op: str, source: str, detail: str = ""):
        self.op = op
        self.source = source
        self.detail = detail
        msg = f"unsupported op {op}"
        if detail:
            msg += f" ({detail})"
        msg += f", from {source}" if source else " (source line unknown)"
        super().__init__(msg)


class _NotReal(Exception):
    """Internal: a comparison result or an index was used where a real number is needed."""

    def __init__(self, element):
        self.element = element


# ------------------------------------------------------------------------------------------------
# Tracing with the user's source line on every node
# ------------------------------------------------------------------------------------------------

_TORCH_DIR = None
_OWN_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIRS = {os.path.abspath(p) for p in (sysconfig.get_paths().get("stdlib"),
                                             sysconfig.get_paths().get("platstdlib")) if p}
_trace_lock = threading.Lock()


def _user_frame_text() -> str:
    """"file:line: code" of the innermost frame outside torch, this package and the standard
    library: the user's line that called the op being traced."""
    frame = sys._getframe(1)
    while frame is not None:
        fn = os.path.abspath(frame.f_code.co_filename)
        inside = (fn.startswith(_TORCH_DIR) or fn.startswith(_OWN_DIR)
                  or any(fn.startswith(d + os.sep) for d in _STDLIB_DIRS)
                  or (frame.f_code.co_filename.startswith("<")  # generated code: <string>, <eval_with_key>
                      and not frame.f_code.co_filename.startswith(("<stdin>", "<ipython"))))
        if not inside:
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            text = f"{frame.f_code.co_filename}:{frame.f_lineno}"
            return f"{text}: {line}" if line else text
        frame = frame.f_back
    return ""


def trace(fn, inputs: Tuple):
    """`make_fx(fn)(*inputs)` at ATen level, without decompositions, recording on every node
    `meta['stack_trace']` (the user's source line) when torch did not."""
    global _TORCH_DIR
    import torch
    from torch.fx.experimental import proxy_tensor

    if _TORCH_DIR is None:
        _TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep

    base = proxy_tensor.PythonKeyTracer

    class _SourceTracer(base):  # type: ignore[misc, valid-type]
        def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
            proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
            if kind == "call_function":
                proxy.node.meta["selgrad_source"] = _user_frame_text()
                proxy.node.meta.setdefault("stack_trace", proxy.node.meta["selgrad_source"])
            return proxy

    # make_fx builds its tracer from the module's global name: swap in the subclass for this
    # call only (under a lock, restored whatever happens).
    with _trace_lock:
        proxy_tensor.PythonKeyTracer = _SourceTracer
        try:
            with torch.no_grad():
                return proxy_tensor.make_fx(fn, decomposition_table=None, tracing_mode="real")(*inputs)
        except RuntimeError as e:
            if "value out of a tracing tensor" in str(e):
                raise ExportError(
                    "the function reads a tensor's value in Python (data-dependent control flow such "
                    "as `if x.sum() > 0:`, or .item(), or indexing with a tensor computed from the "
                    "inputs), which tracing cannot follow: write the branch with torch.where, or "
                    f"take the value as a constant outside the function (torch: {e})") from None
            raise
        finally:
            proxy_tensor.PythonKeyTracer = base


def concrete_values(gm, inputs: Tuple) -> Dict[str, Any]:
    """torch's own value of every node of `gm` at `inputs`."""
    import torch
    from torch.fx import Interpreter

    values: Dict[str, Any] = {}

    class _Recorder(Interpreter):
        def run_node(self, n):
            out = super().run_node(n)
            values[n.name] = out
            return out

    with torch.no_grad():
        _Recorder(gm).run(*inputs)
    return values


# ------------------------------------------------------------------------------------------------
# Helpers on object arrays of scalar terms
# ------------------------------------------------------------------------------------------------

def _obj(shape) -> np.ndarray:
    return np.empty(shape, dtype=object)


def const_array(t) -> np.ndarray:
    """A constant tensor as an object array of exact literals (`Aff` without terms)."""
    import torch
    if t.is_floating_point():
        if not bool(torch.isfinite(t).all()):
            raise ExportError("a constant tensor of the function has a non-finite element "
                              "(inf or nan); a program literal must be a finite number")
        vals = t.detach().to(torch.float64).cpu().numpy()
    elif t.is_complex():
        raise ExportError("complex tensors are not supported")
    else:
        vals = t.detach().cpu().numpy()
    out = _obj(vals.shape)
    for idx in np.ndindex(vals.shape):
        v = vals[idx]
        out[idx] = Aff(Fraction(float(v)) if isinstance(v, np.floating) else Fraction(int(v)))
    return out


def _idx_text(idx: Tuple[int, ...]) -> str:
    return "_".join(str(i) for i in idx)


def _norm_dim(d: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"dimension {d} out of range for a {ndim}-d tensor")
    return d % n


def _is_inplace(target) -> bool:
    base = getattr(getattr(target, "_overloadpacket", None), "__name__", "")
    return base.endswith("_") and not base.endswith("__")


class _Tuple(tuple):
    """A multi-output op's result (getitem picks an element)."""


def _normalize(v):
    """Results as object arrays (numpy indexing turns a 0-d result into its element)."""
    if isinstance(v, (Aff, Cond, Opaque, bool, np.bool_)):
        out = _obj(())
        out[()] = v
        return out
    if isinstance(v, _Tuple):
        return _Tuple(_normalize(u) for u in v)
    return v


# ------------------------------------------------------------------------------------------------
# The exporter
# ------------------------------------------------------------------------------------------------

class ExportResult:
    def __init__(self, text, inputs, outputs, info, notes, has_exp_log, input_shapes, output_shapes):
        self.text = text
        self.inputs = inputs
        self.outputs = outputs
        self.info = info
        self.notes = notes
        self.has_exp_log = has_exp_log
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes


_EXP_LOG_OPS = {"exp", "log", "sqrt", "tanh", "sigmoid", "softplus"}


class Exporter:
    def __init__(self, gm, concrete, writer: Writer, const_of, input_arrays):
        self.gm = gm
        self.concrete = concrete
        self.w = writer
        self.const_of = const_of          # get_attr target -> object array (literals or inputs)
        self.input_arrays = input_arrays  # placeholder index -> object array
        self.env: Dict[str, Any] = {}
        self.notes: List[str] = []
        self.node = None
        self.hint = ""
        # Caps, checked before the work they bound: elements of any tensor, and scalar products
        # (matrix products and convolutions), from the writer's node cap.
        self.max_elements = writer.max_nodes
        self.max_work = None if writer.max_nodes is None else 20 * writer.max_nodes
        self.work = 0

    # --- context -----------------------------------------------------------------------------
    def source(self, node=None) -> str:
        node = node or self.node
        return node.meta.get("selgrad_source") or node.meta.get("stack_trace") or ""

    def unsupported(self, detail: str = "") -> UnsupportedOp:
        return UnsupportedOp(str(self.node.target), self.source(), detail)

    def h(self, idx: Tuple[int, ...] = ()) -> str:
        return f"{self.hint}_{_idx_text(idx)}" if idx else self.hint

    def origin(self, idx=()):
        return (self.h(idx), self.w.current)

    # --- scalar operations -------------------------------------------------------------------
    @staticmethod
    def real(e) -> Aff:
        if isinstance(e, Aff):
            return e
        raise _NotReal(e)

    def add(self, a: Aff, b: Aff, sa=Fraction(1), sb=Fraction(1), idx=()) -> Aff:
        acc = AffSum()
        acc.add(a, sa)
        acc.add(b, sb)
        return acc.result(self.origin(idx))

    def scale(self, a: Aff, k: Fraction, idx=()) -> Aff:
        acc = AffSum()
        acc.add(a, k)
        return acc.result(self.origin(idx))

    def mul(self, a: Aff, b: Aff, idx=(), hint=None) -> Aff:
        if a.is_const():
            return self.scale(b, a.c, idx)
        if b.is_const():
            return self.scale(a, b.c, idx)
        hint = hint or self.h(idx)
        return Aff.name(self.w.node("mul", [self.w.ref(a), self.w.ref(b)], hint))

    def div(self, a: Aff, b: Aff, idx=()) -> Aff:
        if b.is_const():
            if b.c == 0:
                raise ExportError(f"division by the constant 0 at {self.source() or self.node.name}")
            return self.scale(a, 1 / b.c, idx)
        return Aff.name(self.w.node("div", [self.w.ref(a), self.w.ref(b)], self.h(idx)))

    def unary(self, op: str, a: Aff, idx=(), rule=None) -> Aff:
        return Aff.name(self.w.node(op, [self.w.ref(a)], self.h(idx), rule))

    def nary(self, op: str, items: Sequence[Aff], idx=(), rule=None) -> Aff:
        return Aff.name(self.w.node(op, [self.w.ref(a) for a in items], self.h(idx), rule))

    def sum_of(self, items: Sequence[Aff], idx=(), scale=Fraction(1)) -> Aff:
        acc = AffSum()
        for a in items:
            acc.add(a, scale)
        return acc.result(self.origin(idx))

    def dot(self, pairs, idx=(), start: Optional[Aff] = None, scale=Fraction(1)) -> Aff:
        """start + scale * sum a*b over `pairs`; products of two non-literals become mul nodes."""
        acc = AffSum()
        if start is not None:
            acc.add(start)
        k = 0
        for a, b in pairs:
            self.work += 1
            if self.max_work is not None and self.work > self.max_work:
                raise OverflowError(f"exporting needs more than {self.max_work} scalar products "
                                    f"(at {self.source() or self.node.name}); raise max_nodes, or "
                                    "export a smaller model")
            a = self.real(a)
            b = self.real(b)
            if a.is_const():
                acc.add(b, scale * a.c)
            elif b.is_const():
                acc.add(a, scale * b.c)
            else:
                k += 1
                acc.add(Aff.name(self.w.node("mul", [self.w.ref(a), self.w.ref(b)], f"{self.h(idx)}_p{k}")), scale)
        return acc.result(self.origin(idx))

    # --- arrays ------------------------------------------------------------------------------
    def arr(self, x) -> np.ndarray:
        if isinstance(x, np.ndarray):
            return x
        if isinstance(x, (bool, int, float, Fraction)):
            out = _obj(())
            out[()] = Aff.const(x)
            return out
        raise self.unsupported(f"an argument of type {type(x).__name__}")

    def elementwise(self, f, *xs) -> np.ndarray:
        arrays = [self.arr(x) for x in xs]
        try:
            bs = np.broadcast_arrays(*arrays)
        except ValueError as e:
            raise ExportError(f"shapes {[a.shape for a in arrays]} do not broadcast at {self.source()}") from e
        shape = bs[0].shape
        out = _obj(shape)
        for idx in np.ndindex(shape):
            out[idx] = f(idx, *[b[idx] for b in bs])
        return out

    def reduce(self, x: np.ndarray, dims, keepdim: bool, f) -> np.ndarray:
        """f(idx, elements) over the elements of each slice spanned by `dims` (all if empty)."""
        nd = x.ndim
        if dims is None or (isinstance(dims, (list, tuple)) and len(dims) == 0):
            dims = list(range(nd))
        elif isinstance(dims, int):
            dims = [dims]
        dims = sorted({_norm_dim(d, nd) for d in dims}) if nd else []
        keep = [d for d in range(nd) if d not in dims]
        moved = np.transpose(x, keep + dims) if nd else x
        rest_shape = tuple(x.shape[d] for d in keep)
        flat = moved.reshape(rest_shape + (-1,))
        out = _obj(rest_shape)
        for idx in np.ndindex(rest_shape):
            out[idx] = f(idx, list(flat[idx]))
        if keepdim:
            out = out.reshape(tuple(1 if d in dims else x.shape[d] for d in range(nd)))
        return out

    def along(self, x: np.ndarray, dim: int, f) -> np.ndarray:
        """f(idx, elements) -> list of the same length, for each slice along `dim`."""
        nd = x.ndim
        if nd == 0:
            out = _obj(())
            out[()] = f((), [x[()]])[0]
            return out
        dim = _norm_dim(dim, nd)
        moved = np.moveaxis(x, dim, -1)
        out = _obj(moved.shape)
        for idx in np.ndindex(moved.shape[:-1]):
            vals = f(idx, list(moved[idx]))
            for j, v in enumerate(vals):
                out[idx + (j,)] = v
        return np.moveaxis(out, -1, dim)

    # --- run ---------------------------------------------------------------------------------
    def run(self):
        outputs = None
        placeholders = 0
        for node in self.gm.graph.nodes:
            self.node = node
            self.hint = node.name
            self.w.current = NodeInfo(str(node.target), self.source()) if node.op == "call_function" else None
            if node.op == "placeholder":
                self.env[node.name] = self.input_arrays[placeholders]
                placeholders += 1
            elif node.op == "get_attr":
                self.env[node.name] = self.const_of(node.target)
            elif node.op == "call_function":
                if not node.users and not _is_inplace(node.target):
                    self.env[node.name] = None  # unused (e.g. the workspace `empty` of batch norm)
                    continue
                self.env[node.name] = self.call(node)
            elif node.op == "output":
                outputs = node.args[0]
            else:
                raise self.unsupported(f"fx node kind {node.op}")
        return outputs

    def value(self, a):
        import torch.fx
        if isinstance(a, torch.fx.Node):
            return self.env[a.name]
        if isinstance(a, (list, tuple)):
            return type(a)(self.value(v) for v in a)
        return a

    def call(self, node):
        import operator
        args = self.value(node.args)
        kwargs = {k: self.value(v) for k, v in node.kwargs.items()}
        if node.target is operator.getitem:
            return args[0][args[1]]
        target = node.target
        name = str(target)
        packet = getattr(target, "_overloadpacket", None)
        base = getattr(packet, "__name__", name)
        overload = getattr(target, "_overloadname", "default")
        inplace = base.endswith("_") and not base.endswith("__")
        key = (base[:-1] if inplace else base) + "." + overload
        from ._export_ops import CONCRETE_WHEN_CONSTANT, CONSTANT_OPS, HANDLERS
        handler = HANDLERS.get(key)
        self.check_size(node)
        try:
            if key in CONSTANT_OPS:
                result = self.from_concrete(node)
            elif handler is None or (key in CONCRETE_WHEN_CONSTANT and self.all_const(args, kwargs)):
                if self.all_const(args, kwargs):
                    result = self.from_concrete(node)
                else:
                    opaque = self.first_opaque(args)
                    raise self.unsupported(
                        f"uses an integer tensor computed from the inputs ({opaque.what})" if opaque else "")
            else:
                result = handler(self, *args, **kwargs)
        except _NotReal as e:
            what = ("a comparison result (bool tensor)" if isinstance(e.element, Cond)
                    else f"an integer tensor computed from the inputs ({e.element.what})"
                    if isinstance(e.element, Opaque) else repr(e.element))
            raise self.unsupported(f"uses {what} as a number") from None
        result = _normalize(result)
        if inplace and node.args and hasattr(node.args[0], "name"):
            self.env[node.args[0].name] = result
        self.check_shape(node, result)
        return result

    def check_size(self, node):
        metas = node.meta.get("tensor_meta")
        # one TensorMetadata (itself a NamedTuple), or a tuple of them for a multi-output op
        metas = [metas] if hasattr(metas, "shape") else metas if isinstance(metas, (list, tuple)) else []
        for meta in metas:
            shape = getattr(meta, "shape", None)
            if shape is None or self.max_elements is None:
                continue
            numel = 1
            for d in shape:
                numel *= int(d)
            if numel > self.max_elements:
                raise OverflowError(f"{node.target} at {self.source(node) or node.name} makes a tensor of "
                                    f"{numel} elements, more than the cap {self.max_elements} (max_nodes)")

    def check_shape(self, node, result):
        meta = node.meta.get("tensor_meta")
        if meta is not None and isinstance(result, np.ndarray) and hasattr(meta, "shape"):
            if tuple(meta.shape) != result.shape:
                raise AssertionError(f"internal error: {node.target} gave shape {result.shape}, "
                                     f"torch says {tuple(meta.shape)}")

    def first_opaque(self, v):
        if isinstance(v, np.ndarray):
            return next((e for e in v.flat if isinstance(e, Opaque)), None)
        if isinstance(v, (list, tuple)):
            for u in v:
                o = self.first_opaque(u)
                if o is not None:
                    return o
        return None

    def all_const(self, args, kwargs) -> bool:
        def ok(v):
            if isinstance(v, np.ndarray):
                return all(isinstance(e, Aff) and e.is_const() for e in v.flat)
            if isinstance(v, (list, tuple)):
                return all(ok(u) for u in v)
            if isinstance(v, dict):
                return all(ok(u) for u in v.values())
            return True
        return ok(args) and ok(kwargs)

    def from_concrete(self, node):
        import torch
        value = self.concrete[node.name]

        def conv(v):
            if isinstance(v, torch.Tensor):
                return const_array(v)
            if isinstance(v, (tuple, list)):
                return _Tuple(conv(u) for u in v)
            return v
        return conv(value)

    # --- shared pieces of handlers -----------------------------------------------------------
    def opaque_like(self, shape, what) -> np.ndarray:
        out = _obj(shape)
        for idx in np.ndindex(shape):
            out[idx] = Opaque(what)
        return out

    def torch_indices(self, k: int = 1) -> np.ndarray:
        """The index tensor torch returned at the example input (output k of this node)."""
        value = self.concrete[self.node.name]
        return value[k].detach().cpu().numpy()

    def concrete_arg(self, i: int = 0) -> np.ndarray:
        a = self.node.args[i]
        return self.concrete[a.name].detach().to(dtype=__import__("torch").float64).cpu().numpy()

    def order_extremum(self, vals: List[Aff], conc: Sequence[float], torch_index: int,
                       largest: bool) -> List[Aff]:
        """Arguments for a `max/min ... @first` that picks torch's index at the example input:
        natural order when torch's index is the first extremal one (what CPU torch 1.13 does),
        otherwise torch's index moved first (and a note)."""
        best = max(conc) if largest else min(conc)
        first = next(i for i, v in enumerate(conc) if v == best)
        if first == torch_index:
            return vals
        self.notes.append(f"{self.node.target} at {self.source() or self.node.name}: torch returned "
                          f"index {torch_index} among equal values, not the first ({first}); "
                          "that argument is written first")
        return [vals[torch_index]] + [v for i, v in enumerate(vals) if i != torch_index]

    def extremum(self, op: str, vals: List[Aff], idx, rule: str) -> Aff:
        vals = [self.real(v) for v in vals]
        if len(vals) == 1:
            return vals[0]
        if all(v.is_const() for v in vals):
            return Aff((max if op == "max" else min)(v.c for v in vals))
        return self.nary(op, vals, idx, rule)

    def sorted_by_torch(self, vals: List[Aff], conc: Sequence[float], torch_perm: Sequence[int],
                        descending: bool, idx) -> List[Aff]:
        """Values in the order of torch's permutation `torch_perm` (a prefix of positions, for
        topk), from a `sort @stable` node whose argument order reproduces that permutation at the
        example input. The natural order (stable: the lower position first among equal values)
        is used when it does; otherwise the arguments are written in torch's order (with a note):
        torch's order among equal values comes from its selection algorithm, not a rule."""
        vals = [self.real(v) for v in vals]
        n = len(vals)
        torch_perm = [int(i) for i in torch_perm]
        if n == 1:
            return [vals[0]]
        stable = sorted(range(n), key=(lambda i: -conc[i]) if descending else (lambda i: conc[i]))
        if all(v.is_const() for v in vals):
            return [vals[i] for i in torch_perm]
        if stable[:len(torch_perm)] == torch_perm:
            base = list(range(n))
        else:
            rest = [i for i in stable if i not in set(torch_perm)]
            base = torch_perm + rest
            self.notes.append(f"{self.node.target} at {self.source() or self.node.name}: torch's order "
                              f"among equal values {torch_perm} is not the stable one "
                              f"{stable[:len(torch_perm)]}; the sort's arguments are written in "
                              "torch's order, which reproduces it at the example input")
        hint = self.h(idx) + "_s" if idx else self.hint + "_s"
        if descending:
            names = self.w.sort_node([self.w.ref(vals[i]) for i in base], hint)
            out = [Aff.name(nm) for nm in names]
        else:
            # Ascending with the lower base position first among ties: sort the reversed
            # arguments decreasingly (the higher reversed position first) and reverse.
            names = self.w.sort_node([self.w.ref(vals[i]) for i in reversed(base)], hint)
            out = [Aff.name(nm) for nm in reversed(names)]
        return out[:len(torch_perm)] if len(torch_perm) < n else out
