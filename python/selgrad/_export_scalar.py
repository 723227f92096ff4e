"""Scalar terms of an exported program and the writer that turns them into `.sgp` lines.

A traced tensor is scalarized: every element is an `Aff`, an affine form
``c + sum_i coef_i * name_i`` with exact rational coefficients (`fractions.Fraction`) over node
names of the program being written. A literal is an `Aff` without terms. Affine forms compose
exactly, so a chain of affine ATen ops (a linear layer, a sum, a mean, a difference) becomes one
`lin` node, written only when a non-affine op (relu, a product of two non-literals, exp, an
output...) needs the value as a name.

Comparison results are `Cond` elements (`u CMP v`, kept symbolic until a `where` consumes them
as a `select` node); integer tensors computed from traced values (the indices of `max.dim`,
`sort`, `topk`, ...) are `Opaque`: they may be returned by an op but never used.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


def frac_text(value: Fraction) -> str:
    """The exact `.sgp` literal of a rational: "p/q" or "p" (`fractions.Fraction`'s text)."""
    return str(Fraction(value))


def exact(value) -> Fraction:
    """A Python number (int, float, bool, Fraction) as an exact rational; a float is read as the
    double it is (never as its shortest decimal). Non-finite floats are rejected."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"the value {value!r} is not finite; a program literal must be a finite number")
        return Fraction(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


class Aff:
    """An affine form c + sum coef * name over program names; immutable by convention."""

    __slots__ = ("c", "terms", "origin")

    def __init__(self, c: Fraction = Fraction(0), terms: Optional[Dict[str, Fraction]] = None, origin=None):
        self.c = c
        self.terms = terms if terms is not None else {}
        # (hint, fx node) naming the node written if this form is ever materialized.
        self.origin = origin

    @staticmethod
    def const(value) -> "Aff":
        return Aff(exact(value))

    @staticmethod
    def name(name: str) -> "Aff":
        return Aff(Fraction(0), {name: Fraction(1)})

    def is_const(self) -> bool:
        return not self.terms

    def key(self):
        return (self.c, tuple(self.terms.items()))

    def __repr__(self) -> str:
        parts = [frac_text(self.c)] + [f"{frac_text(k)}*{n}" for n, k in self.terms.items()]
        return "Aff(" + " + ".join(parts) + ")"


class AffSum:
    """An accumulator of scaled affine forms (one dict, so long sums stay linear in size)."""

    __slots__ = ("c", "terms")

    def __init__(self):
        self.c = Fraction(0)
        self.terms: Dict[str, Fraction] = {}

    def add(self, a: Aff, scale: Fraction = Fraction(1)) -> None:
        if scale == 0:
            return
        self.c += scale * a.c
        for n, k in a.terms.items():
            v = self.terms.get(n, Fraction(0)) + scale * k
            if v == 0:
                self.terms.pop(n, None)
            else:
                self.terms[n] = v

    def result(self, origin=None) -> Aff:
        return Aff(self.c, dict(self.terms), origin)


@dataclass(frozen=True)
class Cond:
    """The comparison `u CMP v` (CMP in lt le gt ge) of two traced scalars."""

    cmp: str
    u: Aff
    v: Aff


NEGATED_CMP = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}


def decide(cmp: str, a: Fraction, b: Fraction) -> bool:
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[cmp]


@dataclass(frozen=True)
class Opaque:
    """An integer tensor element computed from traced values (an index returned by an op)."""

    what: str


@dataclass
class NodeInfo:
    """Where an exported node comes from: its ATen op and the user's source line."""

    aten: str
    source: str


class Writer:
    """Writes program lines, with names made unique, literals exact, and common nodes shared
    (an identical op with identical arguments and rule is written once)."""

    def __init__(self, max_nodes: Optional[int] = None):
        self.lines: List[str] = []
        self.inputs: List[str] = []
        self.names: set = set()
        self.memo: Dict[tuple, str] = {}
        self.info: Dict[str, NodeInfo] = {}
        self.max_nodes = max_nodes
        self.node_count = 0
        self.current: Optional[NodeInfo] = None  # the ATen node being exported

    # --- names -------------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_.]", "_", hint) or "v"
        if not re.match(r"[A-Za-z_]", base):
            base = "v" + base
        name = base
        k = 2
        while name in self.names:
            name = f"{base}.{k}"
            k += 1
        self.names.add(name)
        return name

    def add_input(self, hint: str) -> str:
        name = self.fresh(hint)
        self.inputs.append(name)
        self.info[name] = NodeInfo("input", "")
        return name

    # --- nodes -------------------------------------------------------------------------------
    def _count(self) -> None:
        self.node_count += 1
        if self.max_nodes is not None and self.node_count > self.max_nodes:
            raise OverflowError(
                f"the exported program would have more than {self.max_nodes} nodes "
                "(raise max_nodes, or export a smaller model)")

    def node(self, op: str, args: Sequence[str], hint: str, rule: Optional[str] = None) -> str:
        key = (op, tuple(args), rule)
        if key in self.memo:
            return self.memo[key]
        self._count()
        name = self.fresh(hint)
        line = f"{name} = {op} {' '.join(args)}"
        if rule is not None:
            line += f" @{rule}"
        self.lines.append(line)
        self.memo[key] = name
        if self.current is not None:
            self.info[name] = self.current
        return name

    def sort_node(self, args: Sequence[str], hint: str) -> List[str]:
        key = ("sort", tuple(args), "stable")
        if key in self.memo:
            return list(self.memo[key])
        self._count()
        names = [self.fresh(f"{hint}_{i}") for i in range(len(args))]
        self.lines.append(f"{' '.join(names)} = sort {' '.join(args)} @stable")
        self.memo[key] = tuple(names)
        if self.current is not None:
            for n in names:
                self.info[n] = self.current
        return names

    def ref(self, a: Aff, hint: str = "v") -> str:
        """An argument naming the value of `a`: a literal, an existing name, or a new node."""
        if a.is_const():
            return frac_text(a.c)
        items = list(a.terms.items())
        if a.c == 0 and len(items) == 1 and items[0][1] == 1:
            return items[0][0]
        if a.origin is not None:
            hint = a.origin[0]
        key = ("aff",) + a.key()
        if key in self.memo:
            return self.memo[key]
        saved = self.current
        if a.origin is not None and a.origin[1] is not None:
            self.current = a.origin[1]
        try:
            if a.c == 0 and len(items) == 1 and items[0][1] == -1:
                name = self.node("neg", [items[0][0]], hint)
            elif a.c == 0 and all(k == 1 for _, k in items):
                name = self.node("add", [n for n, _ in items], hint)
            else:
                args = [frac_text(a.c)]
                for n, k in items:
                    args += [frac_text(k), n]
                name = self.node("lin", args, hint)
        finally:
            self.current = saved
        self.memo[key] = name
        return name

    def output_name(self, a: Aff, hint: str) -> str:
        """A name for an output (a constant output needs a node: `add c`)."""
        if a.is_const():
            return self.node("add", [frac_text(a.c)], hint)
        return self.ref(a, hint)

    def text(self, outputs: Sequence[str], header: Sequence[str] = ()) -> str:
        out = [f"# {h}" for h in header]
        out.append("input " + " ".join(self.inputs))
        out += self.lines
        out.append("output " + " ".join(outputs))
        return "\n".join(out) + "\n"


Shape = Tuple[int, ...]
