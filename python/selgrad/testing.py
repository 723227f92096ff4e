"""Test helpers for users of selgrad.torch (pytest-friendly: plain assertions and warnings)."""

from __future__ import annotations

import warnings


class UndecidedWarning(UserWarning):
    """selgrad could not decide whether torch's gradient is conservative at the point."""


def assert_conservative(fn, inputs, strict: bool = False, params_as_inputs: bool = False):
    """Assert that torch's gradient of `fn` at `inputs` is one selgrad's theory admits: in the
    tie closure or its convex hull (`selgrad.torch.check`'s verdict "closure" or "hull").

    Raises AssertionError with the verdict, both gradients and the tied nodes (ATen op and
    source line) when the verdict is "outside". An "undecided" verdict (e.g. a program with
    exp/log, which the exact check does not decide) passes with an `UndecidedWarning`, or
    fails when `strict=True`. Returns the `CheckResult`."""
    from . import torch as sgt

    result = sgt.check(fn, inputs, params_as_inputs=params_as_inputs)
    if result.verdict in ("closure", "hull"):
        return result
    if result.verdict == "undecided":
        message = f"selgrad could not decide torch's gradient: {result.reason}\n{result!r}"
        if strict:
            raise AssertionError(message)
        warnings.warn(message, UndecidedWarning, stacklevel=2)
        return result
    raise AssertionError("torch's gradient is outside the convex hull of the selection Jacobians "
                         f"at this point: no choice of pieces at the ties gives it\n{result!r}")
