"""The results of selgrad's functions, as plain dataclasses.

Exact numbers are ``fractions.Fraction``; MPFR and double values are Python floats; batches are
numpy arrays. Each result's ``repr`` reads like the command line's text output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import List, Optional, Sequence, Tuple, Union

import numpy

__all__ = ["Branch", "GradResult", "ClosureResult", "BatchResult", "GradientCheck"]

Number = Union[Fraction, float]


def _number(x: Number) -> str:
    """An exact number as "p/q" or "p", a float as its shortest round-trip decimal."""
    return str(x) if isinstance(x, Fraction) else repr(x)


def _row(values: Sequence[Number]) -> str:
    return "[" + ", ".join(_number(v) for v in values) + "]"


def _matrix_lines(row_names: Sequence[str], matrix: Sequence[Sequence[Number]], indent: str) -> List[str]:
    return [f"{indent}{name}: {_row(row)}" for name, row in zip(row_names, matrix)]


@dataclass(frozen=True)
class Branch:
    """The decision of one selection node at the point.

    Attributes:
        node: the node's name.
        op: its op ("relu", "max", "select", ...).
        line: its source line (0 when the program was built in code).
        piece: the piece taken, named as the command line names it ("0", "a", "arg 2", "b").
        piece_index: the piece's number in the op's numbering (program/op_rules.hpp).
        tie: whether the decision was taken at a tie (several pieces take the node's value).
        certainty: how the reference decided it: "exact", "certified" or "uncertified" (the
            tie rule's piece taken at the precision cap); None for the double engine.
    """

    node: str
    op: str
    line: int
    piece: str
    piece_index: int
    tie: bool
    certainty: Optional[str]

    def __str__(self) -> str:
        notes = (", tie" if self.tie else "") + (f", {self.certainty}" if self.certainty else "")
        return f"{self.node} = {self.op} (line {self.line}): piece {self.piece}{notes}"


def _branch_lines(branches: Sequence[Branch], indent: str) -> List[str]:
    if not branches:
        return [f"{indent}(no selection nodes)"]
    return [indent + str(b) for b in branches]


@dataclass(frozen=True)
class GradResult:
    """Outputs, selection Jacobian and branch signature at one point (selgrad.grad).

    Attributes:
        outputs: the q output values.
        jacobian: the q x p selection Jacobian (D4), a list of rows (one per output).
        branches: one Branch per selection node, in node order.
        engine: "reference" or "fast".
        arithmetic: "exact" (Fractions), "mpfr" (floats rounded from certified MPFR values) or
            "double" (the double engine).
        mode: the sweeps that ran: "backward" (one per output) or "forward" (one per input).
        input_names, output_names: the Jacobian's column and row names.
        precision: MPFR only: the bits of the decisive pass.
        all_certified: MPFR only: whether every branch decision was certified.
        output_enclosures, jacobian_enclosures: MPFR only: (lower, upper) floats, rounded
            outward, that contain the exact values.
        point_rounded: double engine only: whether the point had to be rounded to doubles.
    """

    outputs: List[Number]
    jacobian: List[List[Number]]
    branches: List[Branch]
    engine: str
    arithmetic: str
    mode: str
    input_names: List[str]
    output_names: List[str]
    precision: Optional[int] = None
    all_certified: Optional[bool] = None
    output_enclosures: Optional[List[Tuple[float, float]]] = None
    jacobian_enclosures: Optional[List[List[Tuple[float, float]]]] = None
    point_rounded: bool = False

    def __repr__(self) -> str:
        how = {"exact": "exact rational", "mpfr": f"MPFR, {self.precision} bits", "double": "double"}
        lines = [f"<selgrad.GradResult: {self.engine} engine, {how.get(self.arithmetic, self.arithmetic)}, "
                 f"{self.mode} mode" + ("; the point was rounded to doubles" if self.point_rounded else "")]
        lines.append("outputs:")
        lines += [f"  {n} = {_number(v)}" for n, v in zip(self.output_names, self.outputs)]
        lines.append(f"jacobian (rows: outputs, columns: {' '.join(self.input_names)}):")
        lines += _matrix_lines(self.output_names, self.jacobian, "  ")
        if self.all_certified is False:
            lines.append("branch decisions NOT all certified")
        lines.append("branches:")
        lines += _branch_lines(self.branches, "  ")
        return "\n".join(lines) + ">"


@dataclass(frozen=True)
class ClosureResult:
    """The tie closure at a point (selgrad.closure): every selection Jacobian AD can return over
    the representations that differ only at ties (D5 restricted to ties), and 0 in its hull.

    Attributes:
        outputs, jacobian, branches: AD at the point with the tie rules' branches.
        jacobians: the distinct selection Jacobians (q x p matrices of Fractions); the first is
            ``jacobian``.
        zero_in_hull: for one output, whether 0 lies in the convex hull of the gradients
            (selection critical, D5); None for several outputs.
        tied: names of the selection nodes whose choice varies.
        complete: whether ``jacobians`` lists the whole closure (False past the combination cap,
            when H1 still decides the hull: then only AD's Jacobian is listed).
        combinations: the number of branch combinations, or None beyond 2^64 - 1.
        combinations_text: the same count as text ("12", "2^512", "about 2^61.3").
        enumerated: the combinations run through the backward sweep.
        hull_method: "none", "enumeration" or "antichain LP (H1)".
        nesting: (upstream, downstream) names of two tied nodes on one path, or None when the
            ties form an antichain (H1 applies).
    """

    outputs: List[Fraction]
    jacobian: List[List[Fraction]]
    branches: List[Branch]
    jacobians: List[List[List[Fraction]]]
    zero_in_hull: Optional[bool]
    tied: List[str]
    complete: bool
    combinations: Optional[int]
    combinations_text: str
    enumerated: int
    hull_method: str
    nesting: Optional[Tuple[str, str]]
    input_names: List[str]
    output_names: List[str]

    def __repr__(self) -> str:
        lines = ["<selgrad.ClosureResult: outputs " +
                 ", ".join(f"{n} = {_number(v)}" for n, v in zip(self.output_names, self.outputs))]
        lines.append("tied nodes: " + (" ".join(self.tied) if self.tied else "(none)"))
        if self.nesting:
            lines.append(f"ties nest: {self.nesting[0]} feeds {self.nesting[1]}")
        n = len(self.jacobians)
        if self.complete:
            lines.append(f"{n} distinct selection Jacobian{'' if n == 1 else 's'} over "
                         f"{self.combinations_text} branch combination{'' if self.combinations == 1 else 's'}:")
        else:
            lines.append(f"{self.combinations_text} branch combinations, above the cap: "
                         "the list is INCOMPLETE, only AD's Jacobian is shown:")
        for i, m in enumerate(self.jacobians):
            lines.append(f"  #{i + 1}")
            lines += _matrix_lines(self.output_names, m, "    ")
        if self.zero_in_hull is not None:
            lines.append(f"0 in the convex hull: {'yes (selection critical)' if self.zero_in_hull else 'no'}"
                         f" (decided by {self.hull_method})")
        return "\n".join(lines) + ">"


@dataclass(eq=False)
class BatchResult:
    """The double engine over N points (selgrad.batch), as numpy arrays.

    Attributes:
        outputs: (N, q) float64.
        jacobian: (N, q, p) float64, or None when the gradient was not asked for.
        pieces: (N, S) uint32: the piece each of the S selection nodes took (column s is node
            ``selection_nodes[s]``; the numbering of program/op_rules.hpp).
        ties: (N, S) bool: whether that decision was taken at a tie.
        tied_lanes: (S,) uint64: tie telemetry, the number of lanes without an error whose
            decision at selection node s was taken at a tie (``ties[ok].sum(axis=0)``, counted by
            the engine as it goes).
        error_node: (N,) int32: -1 for a lane that evaluated, else the index of the first node
            where it failed.
        ok: (N,) bool: the lanes that evaluated. The other lanes' entries are not meaningful.
        errors: (lane, node name, reason) for every failing lane, in lane order.
        selection_nodes: names of the S selection nodes.
        input_names, output_names: the program's inputs and outputs.
    """

    outputs: numpy.ndarray
    jacobian: Optional[numpy.ndarray]
    pieces: numpy.ndarray
    ties: numpy.ndarray
    tied_lanes: numpy.ndarray
    error_node: numpy.ndarray
    ok: numpy.ndarray
    errors: List[Tuple[int, str, str]]
    selection_nodes: List[str]
    input_names: List[str]
    output_names: List[str]

    def __len__(self) -> int:
        return len(self.outputs)

    def __repr__(self) -> str:
        n, q = self.outputs.shape
        failed = len(self.errors)
        text = (f"<selgrad.BatchResult: {n} point{'' if n == 1 else 's'}, outputs {' '.join(self.output_names)}, "
                f"inputs {' '.join(self.input_names)}, {len(self.selection_nodes)} selection nodes, "
                f"{'with' if self.jacobian is not None else 'without'} Jacobians, {failed} failed lane"
                f"{'' if failed == 1 else 's'}")
        if failed:
            lane, node, reason = self.errors[0]
            text += f" (first: lane {lane}, node {node}: {reason})"
        return text + ">"


@dataclass(frozen=True)
class GradientCheck:
    """Whether a claimed Jacobian is one selgrad's theory admits at a point (selgrad.check_gradient).

    Attributes:
        verdict: "closure" (AD along some choice of tied pieces returns it), "hull" (in the
            convex hull of the closure but none of its elements: a splitting convention's answer),
            "outside" (neither: a finding) or "undecided" (see ``reason``).
        reason: why the verdict is "undecided" (empty otherwise).
        bifurcation: whether the closure holds two or more distinct Jacobians, i.e. the gradient
            at the point depends on the tie conventions.
        tied: names of the closure's tied selection nodes.
        closure_size: the distinct Jacobians listed.
        closure_complete: whether they are the whole closure.
        closure_index: for "closure", the index of the listed Jacobian equal to the claim.
    """

    verdict: str
    reason: str
    bifurcation: bool
    tied: List[str]
    closure_size: int
    closure_complete: bool
    closure_index: Optional[int] = field(default=None)

    def __repr__(self) -> str:
        text = f"<selgrad.GradientCheck: {self.verdict}"
        if self.reason:
            text += f" ({self.reason})"
        text += (f"; closure of {self.closure_size}{'' if self.closure_complete else '+'} Jacobian"
                 f"{'' if self.closure_size == 1 else 's'}, tied: {' '.join(self.tied) if self.tied else '(none)'}")
        if self.bifurcation:
            text += ", the gradient depends on the tie conventions"
        return text + ">"
