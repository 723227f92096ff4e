"""selgrad's functions: grad, closure, batch, check_gradient and load.

Points are read exactly: an int as itself, a float as the dyadic rational it is (0.1 is
3602879701896397/36028797018963968, not 1/10), a ``fractions.Fraction`` or ``decimal.Decimal``
as its value, and a str as a number literal of the .sgp format ("1/3", "0.1" = 1/10). A
non-finite value is a ValueError. A whole point may also be one str in the command line's
``--at`` form: "1/2,-3".
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

from . import _selgrad
from .errors import UnsupportedError
from .results import BatchResult, Branch, ClosureResult, GradientCheck, GradResult

__all__ = ["load", "grad", "closure", "batch", "check_gradient"]

Program = _selgrad.Program

_ENGINES = ("reference", "fast")


def _program(program: Any) -> Program:
    if not isinstance(program, Program):
        raise TypeError("program must be a selgrad.Program (selgrad.Program(text) or selgrad.load(path)), "
                        f"got {type(program).__name__}")
    return program


def _with_branches(fields: dict) -> dict:
    fields["branches"] = [Branch(*b) for b in fields["branches"]]
    return fields


def load(path: Union[str, os.PathLike]) -> Program:
    """Reads and parses a .sgp file (selgrad.UsageError if it is not a readable file,
    selgrad.ParseError with line and column if its text is malformed)."""
    return Program.load(os.fspath(path))


def grad(
    program: Program,
    point: Sequence[Any],
    engine: str = "reference",
    conventions: Optional[str] = None,
    mode: Optional[str] = None,
) -> GradResult:
    """Outputs, selection Jacobian (D4) and branch signature of ``program`` at ``point``.

    Args:
        program: a selgrad.Program.
        point: one number per input (see the module documentation: read exactly).
        engine: "reference" evaluates exactly in rationals (results are Fractions) when the
            program has no exp/log, else in MPFR with every branch decision certified (results
            are the nearest floats, with enclosures in ``output_enclosures`` and
            ``jacobian_enclosures``); "fast" runs the double engine (the point rounded to
            doubles; ``point_rounded`` says whether that changed it).
        conventions: None for the program as written, or a profile name ("default", "torch",
            "jax", "tf") applied with Program.with_conventions first.
        mode: "backward" (one sweep per output), "forward" (one per input) or None (forward when
            there are fewer inputs than outputs). Both give the same Jacobian (L1).

    Raises:
        ValueError, TypeError: a point that is not a sequence of finite numbers, an unknown
            engine, profile or mode.
        selgrad.UsageError: a point of the wrong length.
        selgrad.DomainError, selgrad.ContinuityError: the evaluation leaves an op's domain or a
            select is discontinuous at the point (naming the node).
        selgrad.ResourceError: an exact value or the precision exceeds its cap.
    """
    program = _program(program)
    if engine == "reference":
        fields = _selgrad.grad_reference(program, point, conventions, mode)
    elif engine == "fast":
        fields = _selgrad.grad_fast(program, point, conventions, mode)
    else:
        raise ValueError(f"engine must be one of {', '.join(map(repr, _ENGINES))}, got {engine!r}")
    return GradResult(**_with_branches(fields))


def closure(program: Program, point: Sequence[Any], max_combinations: Optional[int] = None) -> ClosureResult:
    """The tie closure of ``program`` at ``point`` (D5 restricted to ties): every distinct
    selection Jacobian AD returns over the representations that differ only at the point's ties,
    and, for one output, whether 0 lies in their convex hull. Exact; programs without exp/log.

    Args:
        program: a selgrad.Program without exp/log (else selgrad.UnsupportedError).
        point: one number per input, read exactly.
        max_combinations: the most branch combinations enumerated (default 2^16). Beyond it the
            hull is still decided when the ties do not nest (H1) and ``complete`` is False;
            otherwise selgrad.ResourceError.
    """
    fields = _selgrad.closure(_program(program), point, max_combinations)
    return ClosureResult(**_with_branches(fields))


def batch(
    program: Program,
    X: Any,
    conventions: Optional[str] = None,
    gradient: bool = True,
    mode: Optional[str] = None,
    threads: int = 0,
) -> BatchResult:
    """The double engine over the N rows of ``X``: values, selection Jacobians and branch
    signatures, as numpy arrays (see BatchResult).

    ``X`` is an (N, p) array of float64 points; a C-contiguous float64 array is read in place,
    anything else (another dtype, a transposed view, nested lists) is converted once. The
    results are numpy views of the engine's own result buffers (no copies). The evaluation runs
    without the GIL, on every core by default (the points are cut into tiles that run on a
    thread pool; the results are the same bits on any number of threads).

    A point the engine cannot evaluate (an input NaN or infinite, division by zero, log of a
    value <= 0, overflow, a discontinuous select) does not raise: its lane is flagged in ``ok``,
    ``error_node`` and ``errors``, and the other lanes are unaffected.

    Args:
        program: a selgrad.Program.
        X: the points, shape (N, p).
        conventions: None or a profile name (see grad).
        gradient: compute the Jacobians (else values and branches only; ``jacobian`` is None).
        mode: "backward", "forward" or None (see grad).
        threads: threads to run on; 0 (the default) for every core, 1 for the calling thread.
    """
    if threads < 0:
        raise ValueError(f"threads must be >= 0, got {threads}")
    return BatchResult(**_selgrad.batch(_program(program), X, conventions, gradient, mode, threads))


def check_gradient(
    program: Program,
    point: Sequence[Any],
    jacobian: Sequence[Any],
    conventions: Optional[str] = None,
    max_combinations: Optional[int] = None,
    tolerance: Optional[Sequence[Any]] = None,
    near_ties: Sequence[str] = (),
) -> GradientCheck:
    """Whether ``jacobian``, claimed for ``program`` at ``point`` (by a framework's autograd, a
    hand derivation), is one selgrad's theory admits there: an element of the tie closure
    ("closure"), in its convex hull only ("hull": what a splitting convention returns), neither
    ("outside"), or "undecided" (closure too large to list and ties nested; see ``reason``).
    Exact for programs without exp/log. With ``tolerance`` (q x p bounds, >= 0, on how far the
    claimed Jacobian may be from the exact one, e.g. a float64 rounding bound), any program: the
    closure's Jacobians are enclosed in MPFI, "closure" means within the tolerance of one of
    them, "hull" within the tolerance (plus the enclosures' width) of their hull, "outside"
    farther than the tolerance from every point of the hull (rigorous).

    Args:
        program: a selgrad.Program (without exp/log unless ``tolerance`` is given).
        point: one number per input, read exactly.
        jacobian: q rows of p numbers (a flat list of p numbers when q = 1), read exactly
            (a float is its dyadic value).
        conventions: None or a profile name applied first (see grad).
        max_combinations: the closure's combination cap (see closure).
        near_ties: names of selection nodes to enumerate over all their pieces although the
            exact point does not tie them: decisions that the computation which produced the
            Jacobian may have taken the other way (a float64 relu input that rounds to 0).
    """
    fields = _selgrad.check_gradient(_program(program), point, jacobian, conventions, max_combinations, tolerance,
                                     list(near_ties))
    return GradientCheck(**fields)
