"""A derived bound on the float64 rounding error of a gradient, for programs with exp/log.

selgrad's reference engine evaluates a program with exp/log in MPFR (256 bits): its Jacobian
is the exact selection derivative to far below double precision. torch computes in float64.
`selgrad.torch.check` accepts torch's Jacobian entry t when |t - g| <= B, with g the reference's
value and B the bound computed here. B is a first-order running-error bound (Wilkinson's
standard model) for evaluating the program and its reverse sweep in float64:

  model: every elementary operation returns its exact result on the computed operands times
  (1 + d), |d| <= eps(op), with u = 2^-53:
    add, sub, neg, mul, div, sqrt, each product and each partial sum of lin/add/mul: u
    (IEEE 754 correct rounding; an n-term sum has n - 1 roundings);
    a program literal converted to double: u;
    exp, log, tanh, sigmoid: 4u (two ulps: glibc and SLEEF document at most one ulp for exp
    and log, and tanh and sigmoid are one more operation on top); powi a k: max(|k|, 4) u;
  forward errors propagate to first order through each op's derivative, and into the local
  partials used by the reverse sweep (exp's partial is its value, log's is 1/a, ...);
  selections are 1-Lipschitz: a selected value's error is at most the largest error among the
  candidates (and, for select, the two branches' difference when the condition is within
  rounding of its boundary).

The first-order bound is doubled to cover the neglected second-order terms (products of two
or more d's, each below 2^-40 relative at any point where the bound is meaningful); the caller
compares torch's value with the reference's MPFR enclosure of the exact entry widened by it.
torch's kernels compute the same
formulas up to the order of summation and log-sum-exp's max shift, so the bound is stated
for them under the same model; it is not a guarantee about a particular kernel, and it is
computed, not chosen. Where a selection node's decision is within rounding of a tie (torch may
then take another branch), `ambiguous` names it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Dict, List, Sequence, Tuple

U = 2.0 ** -53
EPS_LIBM = 4 * U
SELECTIONS = {"relu", "abs", "max", "min", "clamp", "select", "sort"}


class _Node:
    __slots__ = ("names", "op", "args", "rule")

    def __init__(self, names, op, args, rule):
        self.names = names
        self.op = op
        self.args = args
        self.rule = rule


def parse(text: str):
    inputs: List[str] = []
    outputs: List[str] = []
    nodes: List[_Node] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("input "):
            inputs = line.split()[1:]
        elif line.startswith("output "):
            outputs = line.split()[1:]
        else:
            lhs, rhs = line.split("=", 1)
            toks = rhs.split()
            rule = None
            if toks[-1].startswith("@"):
                rule = toks.pop()[1:]
            nodes.append(_Node(lhs.split(), toks[0], toks[1:], rule))
    return inputs, nodes, outputs


def _is_name(tok: str) -> bool:
    return tok[0].isalpha() or tok[0] == "_"


class Bound:
    """Values, forward error bounds and per-output gradient error bounds of one evaluation."""

    def __init__(self, text: str, point: Sequence[float]):
        self.inputs, self.nodes, self.outputs = parse(text)
        if len(point) != len(self.inputs):
            raise ValueError(f"{len(point)} values for {len(self.inputs)} inputs")
        self.v: Dict[str, float] = {}
        self.e: Dict[str, float] = {}
        self.ambiguous: List[str] = []
        for n, x in zip(self.inputs, point):
            self.v[n] = float(x)
            self.e[n] = 0.0
        self.local: Dict[str, List[Tuple[str, float, float]]] = {}  # node -> [(arg, partial, partial error)]
        for node in self.nodes:
            self._forward(node)

    # --- forward -----------------------------------------------------------------------------
    def _arg(self, tok: str) -> Tuple[float, float]:
        if _is_name(tok):
            return self.v[tok], self.e[tok]
        c = Fraction(tok)
        d = float(c)
        return d, (0.0 if Fraction(d) == c else U * abs(d))

    def _forward(self, node: _Node) -> None:
        op = node.op
        name = node.names[0]
        args = node.args
        local: List[Tuple[str, float, float]] = []

        def put(value, err):
            if not math.isfinite(value) or not math.isfinite(err):
                raise OverflowError(f"node {name} is not finite in float64")
            self.v[name] = value
            self.e[name] = err
            self.local[name] = local

        if op in ("add", "lin", "sub", "neg"):
            if op == "lin":
                c0, ce0 = self._arg(args[0])
                terms = [(args[i + 1], self._arg(args[i])) for i in range(1, len(args), 2)]
            else:
                c0, ce0 = 0.0, 0.0
                coef = {"add": [1.0] * len(args), "sub": [1.0, -1.0], "neg": [-1.0]}[op]
                terms = [(a, (k, 0.0)) for a, k in zip(args, coef)]
            value = c0
            mag = abs(c0)
            err = ce0
            for a, (k, ke) in terms:
                x, xe = self._arg(a)
                value += k * x
                mag += abs(k * x)
                err += abs(k) * xe + ke * abs(x)
                if _is_name(a):
                    local.append((a, k, ke))
            rounds = len(terms) + (1 if op == "lin" else 0)  # products and partial sums
            put(value, err + rounds * U * mag)
        elif op == "mul":
            xs = [self._arg(a) for a in args]
            value = math.prod(x for x, _ in xs)
            err = 0.0
            for i, (a, (x, xe)) in enumerate(zip(args, xs)):
                others = [xs[j] for j in range(len(xs)) if j != i]
                partial = math.prod(y for y, _ in others)
                perr = sum(abs(math.prod(z for k, (z, _) in enumerate(others) if k != j)) * ye
                           for j, (_, ye) in enumerate(others)) + max(len(others) - 1, 0) * U * abs(partial)
                err += abs(partial) * xe
                if _is_name(a):
                    local.append((a, partial, perr))
            put(value, err + (len(xs) - 1) * U * abs(value))
        elif op == "div":
            (a, ae), (b, be) = self._arg(args[0]), self._arg(args[1])
            if be >= abs(b):
                raise OverflowError(f"node {name}: the divisor is within rounding of 0")
            value = a / b
            if _is_name(args[0]):
                local.append((args[0], 1 / b, be / b ** 2 + U / abs(b)))
            if _is_name(args[1]):
                local.append((args[1], -a / b ** 2, ae / b ** 2 + 2 * abs(a) * be / abs(b) ** 3 + 2 * U * abs(a) / b ** 2))
            put(value, ae / abs(b) + abs(a) * be / b ** 2 + U * abs(value))
        elif op in ("exp", "log", "sqrt", "tanh", "sigmoid"):
            a, ae = self._arg(args[0])
            if op == "exp":
                value = math.exp(a)
                err = abs(value) * ae + EPS_LIBM * abs(value)
                partial, perr = value, err
            elif op == "log":
                if ae >= a:
                    raise OverflowError(f"node {name}: the argument of log is within rounding of 0")
                value = math.log(a)
                err = ae / a + EPS_LIBM * abs(value)
                partial, perr = 1 / a, ae / a ** 2 + U / a
            elif op == "sqrt":
                if ae >= a:
                    raise OverflowError(f"node {name}: the argument of sqrt is within rounding of 0")
                value = math.sqrt(a)
                err = ae / (2 * value) + U * value
                partial, perr = 1 / (2 * value), err / (2 * value ** 2) + U / (2 * value)
            elif op == "tanh":
                value = math.tanh(a)
                err = (1 - value ** 2) * ae + EPS_LIBM * abs(value)
                partial, perr = 1 - value ** 2, 2 * abs(value) * err + 2 * U
            else:
                value = 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))
                err = value * (1 - value) * ae + EPS_LIBM * abs(value)
                partial = value * (1 - value)
                perr = abs(1 - 2 * value) * err + 2 * U * partial
            if _is_name(args[0]):
                local.append((args[0], partial, perr))
            put(value, err)
        elif op == "powi":
            a, ae = self._arg(args[0])
            k = int(args[1])
            value = a ** k
            err = abs(k) * abs(a) ** (k - 1) * ae + max(abs(k), 4) * U * abs(value) if k != 0 else 0.0
            if _is_name(args[0]) and k != 0:
                partial = k * a ** (k - 1)
                perr = abs(k * (k - 1)) * (abs(a) ** (k - 2) if k != 2 else 1.0) * ae + (abs(k) + 4) * U * abs(partial)
                local.append((args[0], partial, perr))
            put(value, err)
        elif op in ("relu", "abs", "clamp"):
            a, ae = self._arg(args[0])
            if op == "relu":
                take = a > 0 or (a == 0 and node.rule == "a")
                value, partial = (a, 1.0) if take else (0.0, 0.0)
                near = abs(a) <= ae and ae > 0
            elif op == "abs":
                value = abs(a)
                partial = 1.0 if a > 0 else -1.0 if a < 0 else {"a": 1.0, "-a": -1.0}.get(node.rule, 0.0)
                near = abs(a) <= ae and ae > 0
            else:
                lo, hi = float(Fraction(args[1])), float(Fraction(args[2]))
                inside = lo < a < hi or ((a == lo or a == hi) and node.rule == "a")
                value = min(max(a, lo), hi)
                partial = 1.0 if inside else 0.0
                near = ae > 0 and (abs(a - lo) <= ae or abs(a - hi) <= ae)
            if near:
                self.ambiguous.append(name)
            if _is_name(args[0]):
                local.append((args[0], partial, 0.0))
            put(value, ae)
        elif op in ("max", "min"):
            xs = [self._arg(a) for a in args]
            vals = [x for x, _ in xs]
            best = max(vals) if op == "max" else min(vals)
            tied = [i for i, x in enumerate(vals) if x == best]
            err = max(xe for _, xe in xs)
            if any(abs(x - best) <= xe + xs[tied[0]][1] and (x != best or xe + xs[tied[0]][1] > 0) and i != tied[0]
                   for i, (x, xe) in enumerate(xs)):
                self.ambiguous.append(name)
            if node.rule == "split":
                for i in tied:
                    if _is_name(args[i]):
                        local.append((args[i], 1.0 / len(tied), U / len(tied)))
            else:
                if _is_name(args[tied[0]]):
                    local.append((args[tied[0]], 1.0, 0.0))
            put(best, err)
        elif op == "select":
            cmp = args[0]
            (u, ue), (w, we) = self._arg(args[1]), self._arg(args[2])
            (a, ae), (b, be) = self._arg(args[3]), self._arg(args[4])
            holds = {"gt": u > w, "ge": u >= w, "lt": u < w, "le": u <= w}[cmp]
            chosen, cerr, arg = (a, ae, args[3]) if holds else (b, be, args[4])
            err = cerr
            if abs(u - w) <= ue + we:
                err = max(ae, be) + abs(a - b)
                if u != w or ue + we > 0:
                    self.ambiguous.append(name)
            if _is_name(arg):
                local.append((arg, 1.0, 0.0))
            put(chosen, err)
        elif op == "sort":
            xs = [self._arg(a) for a in args]
            order = sorted(range(len(xs)), key=lambda i: -xs[i][0])  # stable: lower position first
            err = max(xe for _, xe in xs)
            vals = sorted((x for x, _ in xs), reverse=True)
            if err > 0 and any(vals[i] - vals[i + 1] <= 2 * err for i in range(len(vals) - 1)):
                self.ambiguous.append(node.names[0])
            for out, i in zip(node.names, order):
                self.v[out] = xs[i][0]
                self.e[out] = err
                self.local[out] = [(args[i], 1.0, 0.0)] if _is_name(args[i]) else []
            return
        else:
            raise ValueError(f"no rounding model for op {op}")

    # --- reverse -----------------------------------------------------------------------------
    def gradient_bound(self, output: str) -> Tuple[List[float], List[float]]:
        """(gradient, error bound) of `output` with respect to the inputs, in float64."""
        adj: Dict[str, float] = {output: 1.0}
        aerr: Dict[str, float] = {output: 0.0}
        mag: Dict[str, float] = {}   # sum of |contributions| (for the accumulation's rounding)
        count: Dict[str, int] = {}
        order = [n for node in self.nodes for n in node.names]
        for name in reversed(order):
            if name not in adj:
                continue
            # finish this node's adjoint: rounding of its accumulated sum
            a = adj[name]
            ae = aerr[name] + max(count.get(name, 1) - 1, 0) * U * mag.get(name, abs(a))
            for arg, partial, perr in self.local.get(name, []):
                contrib = a * partial
                adj[arg] = adj.get(arg, 0.0) + contrib
                aerr[arg] = aerr.get(arg, 0.0) + ae * abs(partial) + abs(a) * perr + U * abs(contrib)
                mag[arg] = mag.get(arg, 0.0) + abs(contrib)
                count[arg] = count.get(arg, 0) + 1
        grad, bound = [], []
        for n in self.inputs:
            g = adj.get(n, 0.0)
            b = aerr.get(n, 0.0) + max(count.get(n, 1) - 1, 0) * U * mag.get(n, abs(g))
            grad.append(g)
            bound.append(2 * b)
        return grad, bound


def jacobian_bounds(text: str, point: Sequence[float]):
    """(B, ambiguous): B[k][i] bounds |torch's J[k][i] - exact J[k][i]| under the model above."""
    b = Bound(text, point)
    rows = [b.gradient_bound(o)[1] for o in b.outputs]
    return rows, list(b.ambiguous)
