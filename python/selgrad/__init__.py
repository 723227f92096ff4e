"""selgrad: exact, fast and checkable automatic differentiation of nonsmooth programs.

A program is text in the .sgp format (docs/program-format.md)::

    import selgrad
    p = selgrad.Program('''
    input t
    a = neg t
    b = relu a
    y = add b t
    output y
    ''')
    selgrad.grad(p, [0]).jacobian              # [[Fraction(1, 1)]]: relu(-t) + t at 0
    selgrad.grad(p, [0], engine="fast")        # the double engine
    selgrad.closure(p, [0]).jacobians          # every Jacobian AD can return at the tie
    selgrad.batch(p, numpy.zeros((5, 1)))      # many points at once, numpy in and out

Results are exact (``fractions.Fraction``) wherever the reference engine is exact, and every
failure is a :class:`selgrad.Error` naming where it happened.
"""

from . import _selgrad
from .api import batch, check_gradient, closure, grad, load
from .errors import (
    ContinuityError,
    DomainError,
    Error,
    ParseError,
    ProgramError,
    ResourceError,
    UnsupportedError,
    UsageError,
)
from .results import BatchResult, Branch, ClosureResult, GradientCheck, GradResult

Program = _selgrad.Program
__version__ = _selgrad.__version__

__all__ = [
    "Program",
    "load",
    "grad",
    "closure",
    "batch",
    "check_gradient",
    "GradResult",
    "Branch",
    "ClosureResult",
    "BatchResult",
    "GradientCheck",
    "Error",
    "ParseError",
    "ProgramError",
    "DomainError",
    "ContinuityError",
    "ResourceError",
    "UnsupportedError",
    "UsageError",
]
