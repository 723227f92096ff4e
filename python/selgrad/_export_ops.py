"""ATen op handlers of the exporter (`_export.Exporter`): one function per op, registered by
its "name.overload" key (in-place variants map to their functional op). Each takes the Exporter
and the op's arguments (object arrays of scalar terms, or Python values) and returns the op's
result the same way; the tie rule each selection handler writes is PyTorch's (docstring of
`_export`, evidence in docs/python-torch.md)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any, Dict, List, Optional

import numpy as np

from ._export import ExportError, _norm_dim, _obj, _Tuple
from ._export_scalar import NEGATED_CMP, Aff, AffSum, Cond, decide, exact, frac_text

# ------------------------------------------------------------------------------------------------
# ATen handlers: key "name.overload" (in-place variants map to their functional op)
# ------------------------------------------------------------------------------------------------

HANDLERS: Dict[str, Any] = {}
# Ops whose handler is used only for traced values; on constants torch's own value is taken.
CONCRETE_WHEN_CONSTANT = {"_to_copy.default"}


def handles(*keys):
    def deco(f):
        for k in keys:
            HANDLERS[k] = f
        return f
    return deco


# --- identity and dtype ---------------------------------------------------------------------------
@handles("detach.default")
def _detach(ex, x):
    if all(isinstance(e, Aff) and e.is_const() for e in x.flat):
        return x
    raise ex.unsupported("detach of a traced value stops torch's gradient there; a program has no "
                         "stop-gradient: pass the value as a constant or as an extra input instead")


@handles("clone.default", "alias.default", "lift_fresh_copy.default",
         "lift_fresh.default", "contiguous.default", "positive.default")
def _identity(ex, x, *args, **kwargs):
    return x


@handles("_to_copy.default")
def _to_copy(ex, x, dtype=None, **kwargs):
    import torch
    if dtype is not None and dtype != torch.float64:
        raise ex.unsupported(f"conversion of a traced tensor to {dtype}; selgrad programs are float64")
    return x


# --- arithmetic ------------------------------------------------------------------------------------
@handles("add.Tensor", "add.Scalar")
def _add(ex, a, b, alpha=1):
    al = exact(alpha)
    return ex.elementwise(lambda i, x, y: ex.add(ex.real(x), ex.real(y), Fraction(1), al, i), a, b)


@handles("sub.Tensor", "sub.Scalar")
def _sub(ex, a, b, alpha=1):
    al = exact(alpha)
    return ex.elementwise(lambda i, x, y: ex.add(ex.real(x), ex.real(y), Fraction(1), -al, i), a, b)


@handles("rsub.Scalar", "rsub.Tensor")
def _rsub(ex, a, b, alpha=1):
    al = exact(alpha)
    return ex.elementwise(lambda i, x, y: ex.add(ex.real(y), ex.real(x), Fraction(1), -al, i), a, b)


@handles("mul.Tensor", "mul.Scalar")
def _mul(ex, a, b):
    return ex.elementwise(lambda i, x, y: ex.mul(ex.real(x), ex.real(y), i), a, b)


@handles("div.Tensor", "div.Scalar")
def _div(ex, a, b):
    return ex.elementwise(lambda i, x, y: ex.div(ex.real(x), ex.real(y), i), a, b)


@handles("reciprocal.default")
def _reciprocal(ex, a):
    return ex.elementwise(lambda i, x: ex.div(Aff(Fraction(1)), ex.real(x), i), a)


@handles("neg.default")
def _neg(ex, a):
    return ex.elementwise(lambda i, x: ex.scale(ex.real(x), Fraction(-1), i), a)


def _pow_int(ex, i, x: Aff, k: int) -> Aff:
    if x.is_const():
        if x.c == 0 and k < 0:
            raise ExportError(f"0 to a negative power at {ex.source()}")
        return Aff(x.c ** k)
    if k == 0:
        return Aff(Fraction(1))
    if k == 1:
        return x
    return Aff.name(ex.w.node("powi", [ex.w.ref(x), str(k)], ex.h(i)))


@handles("pow.Tensor_Scalar")
def _pow(ex, a, e):
    e = exact(e)
    if e.denominator == 1:
        return ex.elementwise(lambda i, x: _pow_int(ex, i, ex.real(x), int(e)), a)
    if e == Fraction(1, 2):
        return ex.elementwise(lambda i, x: ex.unary("sqrt", ex.real(x), i), a)
    raise ex.unsupported(f"power {e} (integer powers and 1/2 are supported)")


def _smooth(op):
    def handler(ex, a):
        def f(i, x):
            x = ex.real(x)
            if op == "exp" and x.is_const() and x.c == 0:
                return Aff(Fraction(1))
            if op == "log" and x.is_const() and x.c == 1:
                return Aff(Fraction(0))
            return ex.unary(op, x, i)
        return ex.elementwise(f, a)
    return handler


for _op in ("exp", "log", "sqrt", "tanh", "sigmoid"):
    HANDLERS[f"{_op}.default"] = _smooth(_op)


# --- selections ------------------------------------------------------------------------------------
@handles("relu.default")
def _relu(ex, a):
    def f(i, x):
        x = ex.real(x)
        if x.is_const():
            return Aff(max(x.c, Fraction(0)))
        return ex.unary("relu", x, i, "default")  # torch: relu'(0) = 0 (threshold_backward)
    return ex.elementwise(f, a)


@handles("abs.default")
def _abs(ex, a):
    def f(i, x):
        x = ex.real(x)
        if x.is_const():
            return Aff(abs(x.c))
        return ex.unary("abs", x, i, "default")  # torch: abs'(0) = sgn(0) = 0
    return ex.elementwise(f, a)


@handles("leaky_relu.default")
def _leaky_relu(ex, a, slope=0.01):
    s = exact(slope)

    def f(i, x):
        x = ex.real(x)
        if x.is_const():
            return Aff(x.c if x.c > 0 else s * x.c)
        if s == 1:
            return x
        # torch gives the slope at 0: the scaled piece is written first, @first.
        sx = ex.scale(x, s, i)
        return ex.nary("max" if s < 1 else "min", [sx, x], i, "first")
    return ex.elementwise(f, a)


def _bounded(ex, x: Aff, lo: Optional[Fraction], hi: Optional[Fraction], i) -> Aff:
    """torch's clamp: 1 at a bound (clamp_backward keeps lo <= x <= hi)."""
    if lo is not None and hi is not None and lo > hi:
        return Aff(hi)  # torch: the value hi everywhere, gradient 0
    if x.is_const():
        v = x.c
        if lo is not None:
            v = max(v, lo)
        if hi is not None:
            v = min(v, hi)
        return Aff(v)
    if lo is not None and hi is not None:
        return Aff.name(ex.w.node("clamp", [ex.w.ref(x), frac_text(lo), frac_text(hi)], ex.h(i), "a"))
    if lo is not None:
        return ex.nary("max", [x, Aff(lo)], i, "first")
    if hi is not None:
        return ex.nary("min", [x, Aff(hi)], i, "first")
    return x


@handles("clamp.default")
def _clamp(ex, a, lo=None, hi=None):
    lo = None if lo is None else exact(lo)
    hi = None if hi is None else exact(hi)
    return ex.elementwise(lambda i, x: _bounded(ex, ex.real(x), lo, hi, i), a)


@handles("clamp_min.default")
def _clamp_min(ex, a, lo):
    return _clamp(ex, a, lo, None)


@handles("clamp_max.default")
def _clamp_max(ex, a, hi):
    return _clamp(ex, a, None, hi)


def _bound_tensor(ex, x: Aff, lo, hi, i) -> Aff:
    x = ex.real(x)
    lo = None if lo is None else ex.real(lo)
    hi = None if hi is None else ex.real(hi)
    if (lo is None or lo.is_const()) and (hi is None or hi.is_const()):
        return _bounded(ex, x, None if lo is None else lo.c, None if hi is None else hi.c, i)
    if lo is not None and hi is not None:
        raise ex.unsupported("clamp with both bounds tensors computed from the inputs")
    # torch: clamp_min.Tensor gives x the gradient where x >= lo (x first, @first).
    if lo is not None:
        return ex.nary("max", [x, lo], i, "first")
    return ex.nary("min", [x, hi], i, "first")


@handles("clamp.Tensor")
def _clamp_t(ex, a, lo=None, hi=None):
    if lo is None:
        return ex.elementwise(lambda i, x, h: _bound_tensor(ex, x, None, h, i), a, hi)
    if hi is None:
        return ex.elementwise(lambda i, x, l: _bound_tensor(ex, x, l, None, i), a, lo)
    return ex.elementwise(lambda i, x, l, h: _bound_tensor(ex, x, l, h, i), a, lo, hi)


@handles("clamp_min.Tensor")
def _clamp_min_t(ex, a, lo):
    return ex.elementwise(lambda i, x, l: _bound_tensor(ex, x, l, None, i), a, lo)


@handles("clamp_max.Tensor")
def _clamp_max_t(ex, a, hi):
    return ex.elementwise(lambda i, x, h: _bound_tensor(ex, x, None, h, i), a, hi)


@handles("maximum.default", "max.other")
def _maximum(ex, a, b):
    # torch: a tie splits the gradient 1/2 - 1/2 (max_backward_binary / masked_fill by 0.5).
    return ex.elementwise(lambda i, x, y: ex.extremum("max", [x, y], i, "split"), a, b)


@handles("minimum.default", "min.other")
def _minimum(ex, a, b):
    return ex.elementwise(lambda i, x, y: ex.extremum("min", [x, y], i, "split"), a, b)


def _full_reduction(op):
    def handler(ex, a):
        # torch: evenly_distribute_backward: 1/k to each of the k tied elements.
        out = _obj(())
        out[()] = ex.extremum(op, list(a.flat), (), "split")
        return out
    return handler


HANDLERS["max.default"] = _full_reduction("max")
HANDLERS["min.default"] = _full_reduction("min")


def _amax(op):
    def handler(ex, a, dim=(), keepdim=False):
        # torch: scale_grad_by_count: 1/k among the k tied of each slice.
        return ex.reduce(a, list(dim), keepdim, lambda i, vals: ex.extremum(op, vals, i, "split"))
    return handler


HANDLERS["amax.default"] = _amax("max")
HANDLERS["amin.default"] = _amax("min")


def _max_dim(op):
    def handler(ex, a, dim, keepdim=False):
        # torch: value_selecting_reduction_backward: all to the returned index, which CPU torch
        # 1.13 makes the first extremal one (measured): @first.
        largest = op == "max"
        if a.ndim == 0:
            return _Tuple((a, ex.opaque_like((), f"indices of {ex.node.target}")))
        d = _norm_dim(dim, a.ndim)
        tidx = np.moveaxis(ex.torch_indices(1).reshape(
            tuple(1 if k == d else a.shape[k] for k in range(a.ndim))), d, -1)
        conc = np.moveaxis(ex.concrete_arg(0), d, -1)

        def f(i, vals):
            vals = ex.order_extremum(vals, list(conc[i]), int(tidx[i][0]), largest)
            return ex.extremum(op, vals, i, "first")
        values = ex.reduce(a, [d], keepdim, f)
        return _Tuple((values, ex.opaque_like(values.shape, f"indices of {ex.node.target}")))
    return handler


HANDLERS["max.dim"] = _max_dim("max")
HANDLERS["min.dim"] = _max_dim("min")


@handles("argmax.default", "argmin.default")
def _argmax(ex, a, dim=None, keepdim=False):
    shape = tuple(ex.node.meta["tensor_meta"].shape)
    return ex.opaque_like(shape, f"result of {ex.node.target}")


# --- comparisons and where -------------------------------------------------------------------------
def _compare(cmp):
    def handler(ex, a, b):
        def f(i, x, y):
            x, y = ex.real(x), ex.real(y)
            if x.is_const() and y.is_const():
                return decide(cmp, x.c, y.c)
            return Cond(cmp, x, y)
        return ex.elementwise(f, a, b)
    return handler


for _cmp in ("gt", "ge", "lt", "le"):
    HANDLERS[f"{_cmp}.Tensor"] = _compare(_cmp)
    HANDLERS[f"{_cmp}.Scalar"] = _compare(_cmp)


@handles("bitwise_not.default", "logical_not.default")
def _not(ex, a):
    def f(i, c):
        if isinstance(c, Cond):
            return Cond(NEGATED_CMP[c.cmp], c.u, c.v)
        if isinstance(c, bool):
            return not c
        if isinstance(c, Aff) and c.is_const():
            return c.c == 0
        raise ex.unsupported("negation of something that is not a comparison")
    return ex.elementwise(f, a)


@handles("where.self")
def _where(ex, cond, a, b):
    def f(i, c, x, y):
        x, y = ex.real(x), ex.real(y)
        if isinstance(c, Aff):
            if not c.is_const():
                raise ex.unsupported("a condition that is not a comparison")
            c = c.c != 0
        if isinstance(c, (bool, np.bool_)):
            return x if c else y
        if not isinstance(c, Cond):
            raise ex.unsupported("a condition that is not a comparison of traced values")
        if x.key() == y.key():
            return x
        w = ex.w
        return Aff.name(w.node("select", [c.cmp, w.ref(c.u), w.ref(c.v), w.ref(x), w.ref(y)], ex.h(i)))
    return ex.elementwise(f, cond, a, b)


# --- reductions ------------------------------------------------------------------------------------
@handles("sum.default")
def _sum(ex, a, dtype=None):
    out = _obj(())
    out[()] = ex.sum_of([ex.real(v) for v in a.flat])
    return out


@handles("sum.dim_IntList")
def _sum_dim(ex, a, dim=None, keepdim=False, dtype=None):
    return ex.reduce(a, dim, keepdim, lambda i, vals: ex.sum_of([ex.real(v) for v in vals], i))


@handles("mean.default")
def _mean(ex, a, dtype=None):
    out = _obj(())
    n = a.size
    out[()] = ex.sum_of([ex.real(v) for v in a.flat], (), Fraction(1, n)) if n else None
    if n == 0:
        raise ExportError("the mean of an empty tensor is nan")
    return out


@handles("mean.dim")
def _mean_dim(ex, a, dim=None, keepdim=False, dtype=None):
    return ex.reduce(a, dim, keepdim, lambda i, vals: ex.sum_of([ex.real(v) for v in vals], i, Fraction(1, len(vals))))


def _exps(ex, vals: List[Aff], i) -> List[Aff]:
    out = []
    for j, v in enumerate(vals):
        if v.is_const() and v.c == 0:
            out.append(Aff(Fraction(1)))
        else:
            out.append(Aff.name(ex.w.node("exp", [ex.w.ref(v)], f"{ex.h(i)}_exp{j}")))
    return out


def _lse(ex, vals: List[Aff], i) -> Aff:
    """log(sum exp(v)): the plain formula (torch's max shift changes no value and no gradient,
    and would add a selection node whose ties never matter)."""
    vals = [ex.real(v) for v in vals]
    if len(vals) == 1:
        return vals[0]
    s = ex.sum_of(_exps(ex, vals, i))
    s.origin = (f"{ex.h(i)}_sum", ex.w.current)
    return Aff.name(ex.w.node("log", [ex.w.ref(s)], f"{ex.h(i)}_lse"))


@handles("logsumexp.default")
def _logsumexp(ex, a, dim, keepdim=False):
    return ex.reduce(a, dim, keepdim, lambda i, vals: _lse(ex, vals, i))


@handles("_log_softmax.default")
def _log_softmax(ex, a, dim, half_to_float=False):
    def f(i, vals):
        vals = [ex.real(v) for v in vals]
        lse = _lse(ex, vals, i)
        return [ex.add(v, lse, Fraction(1), Fraction(-1), i + (j,)) for j, v in enumerate(vals)]
    return ex.along(a, dim, f)


@handles("_softmax.default")
def _softmax(ex, a, dim, half_to_float=False):
    def f(i, vals):
        vals = [ex.real(v) for v in vals]
        if len(vals) == 1:
            return [Aff(Fraction(1))]
        exps = _exps(ex, vals, i)
        s = ex.sum_of(exps)
        s.origin = (f"{ex.h(i)}_sum", ex.w.current)
        return [ex.div(e, s, i + (j,)) for j, e in enumerate(exps)]
    return ex.along(a, dim, f)


def _reduction(ex, vals: np.ndarray, reduction: int):
    if reduction == 0:
        return vals
    out = _obj(())
    items = [ex.real(v) for v in vals.flat]
    if reduction == 1:
        if not items:
            raise ExportError("the mean of an empty loss is nan")
        out[()] = ex.sum_of(items, (), Fraction(1, len(items)))
    elif reduction == 2:
        out[()] = ex.sum_of(items)
    else:
        raise ex.unsupported(f"reduction {reduction}")
    return out


@handles("mse_loss.default")
def _mse_loss(ex, a, target, reduction=1):
    sq = ex.elementwise(lambda i, x, y: _pow_int(ex, i, ex.add(ex.real(x), ex.real(y), Fraction(1), Fraction(-1), i), 2),
                        a, target)
    return _reduction(ex, sq, reduction)


@handles("nll_loss_forward.default")
def _nll_loss(ex, logp, target, weight, reduction, ignore_index):
    if not all(isinstance(t, Aff) and t.is_const() for t in target.flat):
        raise ex.unsupported("targets computed from the inputs (nll_loss targets must be constants)")
    if logp.ndim not in (1, 2):
        raise ex.unsupported(f"nll_loss on a {logp.ndim}-d input (1-d or 2-d supported)")
    x = logp.reshape((1,) + logp.shape) if logp.ndim == 1 else logp
    t = target.reshape((1,)) if target.ndim == 0 else target
    n, c = x.shape
    w = [Fraction(1)] * c if weight is None else [ex.real(v) for v in weight.flat]
    if weight is not None and not all(v.is_const() for v in w):
        raise ex.unsupported("class weights computed from the inputs")
    w = [v if isinstance(v, Fraction) else v.c for v in w]
    losses = _obj((n,))
    total = Fraction(0)
    for k in range(n):
        cls = int(t[k].c)
        if cls == ignore_index:
            losses[k] = Aff(Fraction(0))
            continue
        if not 0 <= cls < c:
            raise ExportError(f"nll_loss target {cls} out of range for {c} classes at {ex.source()}")
        losses[k] = ex.scale(ex.real(x[k, cls]), -w[cls], (k,))
        total += w[cls]
    if reduction == 0:
        out = losses if logp.ndim == 2 else losses.reshape(())
    elif reduction == 2:
        out = _reduction(ex, losses, 2)
    elif reduction == 1:
        if total == 0:
            raise ExportError(f"nll_loss with mean reduction and total weight 0 is nan at {ex.source()}")
        out = _obj(())
        out[()] = ex.sum_of(list(losses.flat), (), 1 / total)
    else:
        raise ex.unsupported(f"reduction {reduction}")
    tw = _obj(())
    tw[()] = Aff(total)
    return _Tuple((out, tw))


@handles("native_batch_norm.default")
def _batch_norm(ex, x, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch norm in eval mode: (x - mean) * invstd * w + b per channel (dimension 1), with
    torch's own double invstd = 1 / sqrt(var + eps) (a constant-only subexpression, evaluated by
    torch like every other)."""
    import torch
    if training:
        raise ex.unsupported("batch norm in training mode (batch statistics): call model.eval()")
    if running_mean is None or running_var is None:
        raise ex.unsupported("batch norm without running statistics")
    for what, t in (("running mean", running_mean), ("running var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and not all(isinstance(e, Aff) and e.is_const() for e in t.flat):
            raise ex.unsupported(f"batch norm with a traced {what}")
    var = torch.tensor([float(e.c) for e in running_var.flat], dtype=torch.float64)
    invstd = (1 / torch.sqrt(var + float(eps))).tolist()
    out = _obj(x.shape)
    for idx in np.ndindex(x.shape):
        ch = idx[1]
        k = Fraction(invstd[ch]) * (weight[ch].c if weight is not None else 1)
        acc = AffSum()
        acc.add(ex.real(x[idx]), k)
        acc.add(running_mean[ch], -k)
        if bias is not None:
            acc.add(bias[ch])
        out[idx] = acc.result(ex.origin(idx))
    empty = _obj((0,))
    return _Tuple((out, empty, empty))


# --- linear algebra --------------------------------------------------------------------------------
def _matmul(ex, a: np.ndarray, b: np.ndarray, start=None, alpha=Fraction(1), beta=Fraction(1)) -> np.ndarray:
    if a.shape[-1] != b.shape[0]:
        raise ExportError(f"matrix shapes {a.shape} and {b.shape} do not match at {ex.source()}")
    rows = a.shape[0] if a.ndim == 2 else None
    cols = b.shape[1] if b.ndim == 2 else None
    shape = tuple(s for s in (rows, cols) if s is not None)
    out = _obj(shape)
    for idx in np.ndindex(shape):
        i = idx[0] if rows is not None else None
        j = idx[-1] if cols is not None else None
        arow = a[i] if rows is not None else a
        bcol = b[:, j] if cols is not None else b
        st = None
        if start is not None:
            acc = AffSum()
            acc.add(ex.real(start[idx]), beta)
            st = acc.result()
        out[idx] = ex.dot(zip(arow, bcol), idx, st, alpha)
    return out


@handles("mm.default")
def _mm(ex, a, b):
    return _matmul(ex, a, b)


@handles("mv.default")
def _mv(ex, a, b):
    return _matmul(ex, a, b)


@handles("dot.default")
def _dot(ex, a, b):
    return _matmul(ex, a, b)


@handles("addmm.default")
def _addmm(ex, bias, a, b, beta=1, alpha=1):
    shape = (a.shape[0], b.shape[1])
    return _matmul(ex, a, b, np.broadcast_to(ex.arr(bias), shape), exact(alpha), exact(beta))


@handles("addmv.default")
def _addmv(ex, bias, a, b, beta=1, alpha=1):
    return _matmul(ex, a, b, np.broadcast_to(ex.arr(bias), (a.shape[0],)), exact(alpha), exact(beta))


@handles("bmm.default")
def _bmm(ex, a, b):
    if a.shape[0] != b.shape[0]:
        raise ExportError(f"bmm batch sizes {a.shape[0]} and {b.shape[0]} differ at {ex.source()}")
    out = _obj((a.shape[0], a.shape[1], b.shape[2]))
    for k in range(a.shape[0]):
        hint = ex.hint
        ex.hint = f"{hint}_{k}"
        try:
            out[k] = _matmul(ex, a[k], b[k])
        finally:
            ex.hint = hint
    return out


@handles("convolution.default")
def _convolution(ex, x, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        raise ex.unsupported("transposed convolution")
    nsp = weight.ndim - 2
    if x.ndim != nsp + 2:
        raise ExportError(f"convolution input of shape {x.shape} for a weight of shape {weight.shape} at {ex.source()}")
    stride = list(stride) * (nsp if len(stride) == 1 else 1)
    padding = list(padding) * (nsp if len(padding) == 1 else 1)
    dilation = list(dilation) * (nsp if len(dilation) == 1 else 1)
    n, cin = x.shape[:2]
    cout, cg = weight.shape[:2]
    ksize = weight.shape[2:]
    if cin != cg * groups or cout % groups:
        raise ExportError(f"convolution channels {cin} -> {cout} with groups {groups} at {ex.source()}")
    og = cout // groups
    spatial = x.shape[2:]
    out_sp = tuple((spatial[d] + 2 * padding[d] - dilation[d] * (ksize[d] - 1) - 1) // stride[d] + 1
                   for d in range(nsp))
    if any(s <= 0 for s in out_sp):
        raise ExportError(f"convolution output would be empty at {ex.source()}")
    out = _obj((n, cout) + out_sp)
    for b in range(n):
        for o in range(cout):
            g = o // og
            for p in np.ndindex(out_sp):
                pairs = []
                for c in range(cg):
                    for k in np.ndindex(tuple(ksize)):
                        pos = tuple(p[d] * stride[d] + k[d] * dilation[d] - padding[d] for d in range(nsp))
                        if all(0 <= pos[d] < spatial[d] for d in range(nsp)):
                            pairs.append((weight[(o, c) + k], x[(b, g * cg + c) + pos]))
                idx = (b, o) + p
                out[idx] = ex.dot(pairs, idx, None if bias is None else ex.real(bias[o]))
    return out


@handles("max_pool2d_with_indices.default")
def _max_pool2d(ex, x, kernel, stride=(), padding=0, dilation=1, ceil_mode=False):
    def pair(v, default=None):
        if v is None or (isinstance(v, (list, tuple)) and len(v) == 0):
            v = default
        v = list(v) if isinstance(v, (list, tuple)) else [v]
        return v * 2 if len(v) == 1 else v
    kernel = pair(kernel)
    stride = pair(stride, kernel)
    padding = pair(padding)
    dilation = pair(dilation)
    batched = x.ndim == 4
    xs = x if batched else x.reshape((1,) + x.shape)
    n, c, hh, ww = xs.shape
    sizes = []
    for d, L in enumerate((hh, ww)):
        num = L + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1
        o = (-(-num // stride[d]) if ceil_mode else num // stride[d]) + 1
        if ceil_mode and (o - 1) * stride[d] >= L + padding[d]:
            o -= 1
        sizes.append(o)
    tidx = ex.torch_indices(1)
    tidx = tidx if batched else tidx.reshape((1,) + tidx.shape)
    conc = ex.concrete_arg(0)
    conc = conc if batched else conc.reshape((1,) + conc.shape)
    out = _obj((n, c, sizes[0], sizes[1]))
    for idx in np.ndindex(out.shape):
        b, ch, i, j = idx
        vals, cvals, flat = [], [], []
        for ki in range(kernel[0]):
            for kj in range(kernel[1]):
                r = i * stride[0] - padding[0] + ki * dilation[0]
                s = j * stride[1] - padding[1] + kj * dilation[1]
                if 0 <= r < hh and 0 <= s < ww:
                    vals.append(xs[b, ch, r, s])
                    cvals.append(conc[b, ch, r, s])
                    flat.append(r * ww + s)
        # torch scans the window row by row and keeps the first maximum (measured): @first.
        vals = ex.order_extremum(vals, cvals, flat.index(int(tidx[idx])), True)
        out[idx] = ex.extremum("max", vals, idx, "first")
    if not batched:
        out = out.reshape(out.shape[1:])
    return _Tuple((out, ex.opaque_like(out.shape, "indices of max_pool2d_with_indices")))


# --- sort, topk, kthvalue --------------------------------------------------------------------------
def _sort_impl(ex, a, dim, descending):
    if a.ndim == 0:
        return _Tuple((a, ex.opaque_like((), "indices of sort")))
    d = _norm_dim(dim, a.ndim)
    tperm = np.moveaxis(ex.torch_indices(1), d, -1)
    conc = np.moveaxis(ex.concrete_arg(0), d, -1)
    values = ex.along(a, d, lambda i, vals: ex.sorted_by_torch(vals, list(conc[i]), list(tperm[i]), descending, i))
    return _Tuple((values, ex.opaque_like(values.shape, "indices of sort")))


@handles("sort.default")
def _sort(ex, a, dim=-1, descending=False):
    return _sort_impl(ex, a, dim, descending)


@handles("sort.stable")
def _sort_stable(ex, a, stable=None, dim=-1, descending=False):
    return _sort_impl(ex, a, dim, descending)


@handles("topk.default")
def _topk(ex, a, k, dim=-1, largest=True, sorted=True):
    if not sorted:
        raise ex.unsupported("topk with sorted=False (its output order is torch's internal one)")
    if a.ndim == 0:
        return _Tuple((a, ex.opaque_like((), "indices of topk")))
    d = _norm_dim(dim, a.ndim)
    tperm = np.moveaxis(ex.torch_indices(1), d, -1)
    conc = np.moveaxis(ex.concrete_arg(0), d, -1)
    moved = np.moveaxis(a, d, -1)
    out = _obj(moved.shape[:-1] + (k,))
    for i in np.ndindex(moved.shape[:-1]):
        vals = ex.sorted_by_torch(list(moved[i]), list(conc[i]), list(tperm[i]), largest, i)
        for j in range(k):
            out[i + (j,)] = vals[j]
    values = np.moveaxis(out, -1, d)
    return _Tuple((values, ex.opaque_like(values.shape, "indices of topk")))


@handles("kthvalue.default")
def _kthvalue(ex, a, k, dim=-1, keepdim=False):
    if a.ndim == 0:
        return _Tuple((a, ex.opaque_like((), "indices of kthvalue")))
    d = _norm_dim(dim, a.ndim)
    tidx = np.moveaxis(ex.torch_indices(1).reshape(
        tuple(1 if q == d else a.shape[q] for q in range(a.ndim))), d, -1)
    conc = np.moveaxis(ex.concrete_arg(0), d, -1)

    def f(i, vals):
        c = list(conc[i])
        j = int(tidx[i][0])
        # A permutation sorting the example's values ascending with torch's index at k-1:
        # the stable order, with j swapped into position k-1 (it ties with the k-th value).
        order = sorted(range(len(vals)), key=lambda q: c[q])
        if order[k - 1] != j:
            p = order.index(j)
            order[k - 1], order[p] = order[p], order[k - 1]
        return ex.sorted_by_torch(vals, c, order, False, i)[k - 1]
    values = ex.reduce(a, [d], keepdim, f)
    return _Tuple((values, ex.opaque_like(values.shape, "indices of kthvalue")))


# --- views -----------------------------------------------------------------------------------------
@handles("view.default", "_unsafe_view.default", "reshape.default", "_reshape_alias.default")
def _view(ex, a, size, *stride):
    return np.reshape(a, tuple(size))


@handles("t.default")
def _t(ex, a):
    return a.T if a.ndim == 2 else a


@handles("transpose.int")
def _transpose(ex, a, d0, d1):
    if a.ndim == 0:
        return a
    return np.swapaxes(a, _norm_dim(d0, a.ndim), _norm_dim(d1, a.ndim))


@handles("permute.default")
def _permute(ex, a, dims):
    return np.transpose(a, [_norm_dim(d, a.ndim) for d in dims])


@handles("expand.default")
def _expand(ex, a, size, implicit=False):
    lead = len(size) - a.ndim
    shape = tuple(a.shape[k - lead] if s == -1 else s for k, s in enumerate(size))
    return np.broadcast_to(a, shape)


@handles("squeeze.default")
def _squeeze(ex, a):
    return a.reshape(tuple(s for s in a.shape if s != 1))


@handles("squeeze.dim")
def _squeeze_dim(ex, a, dim):
    if a.ndim == 0:
        return a
    d = _norm_dim(dim, a.ndim)
    return np.squeeze(a, d) if a.shape[d] == 1 else a


@handles("unsqueeze.default")
def _unsqueeze(ex, a, dim):
    return np.expand_dims(a, _norm_dim(dim, a.ndim + 1))


@handles("cat.default")
def _cat(ex, tensors, dim=0):
    parts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    if not parts:
        return tensors[0]
    return np.concatenate(parts, axis=_norm_dim(dim, parts[0].ndim))


@handles("stack.default")
def _stack(ex, tensors, dim=0):
    return np.stack(tensors, axis=_norm_dim(dim, tensors[0].ndim + 1))


@handles("slice.Tensor")
def _slice(ex, a, dim=0, start=None, end=None, step=1):
    d = _norm_dim(dim, a.ndim)
    sl = [slice(None)] * a.ndim
    sl[d] = slice(start, end, step)
    return a[tuple(sl)]


@handles("select.int")
def _select(ex, a, dim, index):
    d = _norm_dim(dim, a.ndim)
    if not -a.shape[d] <= index < a.shape[d]:
        raise IndexError(f"index {index} out of range for dimension {d} of size {a.shape[d]}")
    return np.take(a, index, axis=d)


@handles("split.Tensor")
def _split(ex, a, size, dim=0):
    d = _norm_dim(dim, a.ndim)
    n = a.shape[d]
    return _Tuple(_slice(ex, a, d, s, min(s + size, n)) for s in range(0, n, size))


@handles("split_with_sizes.default")
def _split_sizes(ex, a, sizes, dim=0):
    d = _norm_dim(dim, a.ndim)
    starts = [0] + list(itertools.accumulate(sizes))
    return _Tuple(_slice(ex, a, d, starts[k], starts[k + 1]) for k in range(len(sizes)))


@handles("unbind.int")
def _unbind(ex, a, dim=0):
    d = _norm_dim(dim, a.ndim)
    return _Tuple(np.take(a, k, axis=d) for k in range(a.shape[d]))


@handles("index.Tensor")
def _index(ex, a, indices):
    idx = []
    for t in indices:
        if t is None:
            idx.append(slice(None))
            continue
        if not all(isinstance(e, Aff) and e.is_const() for e in t.flat):
            raise ex.unsupported("indexing with indices computed from the inputs")
        arr = np.vectorize(lambda e: int(e.c), otypes=[np.int64])(t) if t.size else np.zeros(t.shape, np.int64)
        idx.append(arr)
    return a[tuple(idx)]


@handles("constant_pad_nd.default")
def _pad(ex, a, pad, value=0):
    v = Aff.const(value)
    out = a
    for k in range(len(pad) // 2):
        d = a.ndim - 1 - k
        lo, hi = pad[2 * k], pad[2 * k + 1]
        if lo < 0:
            out = _slice(ex, out, d, -lo, None)
        if hi < 0:
            out = _slice(ex, out, d, 0, out.shape[d] + hi)
        parts = []
        for m in (max(lo, 0), None, max(hi, 0)):
            if m is None:
                parts.append(out)
            elif m:
                shape = list(out.shape)
                shape[d] = m
                fill = _obj(tuple(shape))
                for i in np.ndindex(fill.shape):
                    fill[i] = v
                parts.append(fill)
        out = np.concatenate(parts, axis=d)
    return out


# Factory ops: their value does not depend on the values of their arguments; torch's is taken.
CONSTANT_OPS = {"ones.default", "zeros.default", "full.default", "scalar_tensor.default",
                "arange.default", "arange.start", "arange.start_step", "ones_like.default",
                "zeros_like.default", "full_like.default", "eye.default", "eye.m",
                "new_ones.default", "new_zeros.default", "new_full.default"}
