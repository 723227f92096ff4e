"""The exceptions of selgrad.

Every failure the C++ library reports (``selgrad::Error``) arrives as an instance of
:class:`Error`, of the subclass of its kind, with the kind, the reason and the location as
attributes. The message is the library's own, formatted one way::

    log (line 7, node y): argument is -1, must be > 0
    line 3, column 9: unknown name 'q'

A malformed program text is a :class:`ParseError` and an inconsistent call (a point of the wrong
length) a :class:`UsageError`; both are also ``ValueError``\\ s.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "Error",
    "ParseError",
    "ProgramError",
    "DomainError",
    "ContinuityError",
    "ResourceError",
    "UnsupportedError",
    "UsageError",
    "error_class",
]


class Error(Exception):
    """A failure reported by selgrad.

    Attributes:
        kind: "parse", "program", "domain", "continuity", "resource", "unsupported" or "usage".
        reason: the message without its location prefix.
        line: the source line of the program text, or None when not known.
        column: the column (parse errors), or None.
        node: the name of the program node the error is about, or None.
        op: the op whose rule failed (domain errors), or None.
    """

    kind: str = "unknown"

    def __init__(
        self,
        message: str,
        kind: Optional[str] = None,
        reason: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        node: Optional[str] = None,
        op: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.reason = message if reason is None else reason
        self.line = line
        self.column = column
        self.node = node
        self.op = op


class ParseError(Error, ValueError):
    """The program text is malformed (line and column known)."""

    kind = "parse"


class ProgramError(Error):
    """A program violates an invariant of the IR."""

    kind = "program"


class DomainError(Error):
    """An op was applied outside its domain (division by zero, log of x <= 0, ...)."""

    kind = "domain"


class ContinuityError(Error):
    """A select is discontinuous at the point: its branches differ where its comparison ties (D3)."""

    kind = "continuity"


class ResourceError(Error):
    """A configured cap (operand size, precision, closure size) would be exceeded."""

    kind = "resource"


class UnsupportedError(Error):
    """The request is valid, but this engine or build cannot do it (exact arithmetic with exp/log)."""

    kind = "unsupported"


class UsageError(Error, ValueError):
    """The call is inconsistent (a point of the wrong dimension, an unreadable file)."""

    kind = "usage"


_BY_KIND = {
    cls.kind: cls
    for cls in (
        ParseError,
        ProgramError,
        DomainError,
        ContinuityError,
        ResourceError,
        UnsupportedError,
        UsageError,
    )
}


def error_class(kind: str) -> type:
    """The exception class of an error kind (:class:`Error` itself for an unknown kind)."""
    return _BY_KIND.get(kind, Error)
