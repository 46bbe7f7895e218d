"""A lesson's claims, checked in one readable line: ✓ and the sentence, or a clear failure.

Every formula, number and "equal / faster / bit for bit" in a lesson's text is checked by code
in the same notebook. A learner should read the idea, not tolerance arithmetic, so a check is
one line that prints what was checked::

    confirm_close(autograd_slope, formula_slope, "autograd's slope equals 2x at x = {x}", x=3.0)
    ✓ autograd's slope equals 2x at x = 3.0

When the claim is false the cell fails (so nbval fails the notebook) with a `ClaimError` that
quotes the claim and shows the numbers, never a bare ``AssertionError``. Claims are templates with
named ``{placeholders}``, translated by `helpers.i18n` before they are filled in.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from helpers.i18n import message
from helpers.validation import require_real

__all__ = ["ClaimError", "confirm", "confirm_close", "confirm_equal"]


class ClaimError(AssertionError):
    """A sentence of the lesson does not hold on this run (the lesson or a helper is wrong, or a
    cell above it was changed)."""


def _as_array(value: Any, name: str) -> np.ndarray:
    try:
        import torch
    except ImportError:  # the set-up check may run without torch
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy() if value.is_floating_point() or value.dtype == torch.bool \
            else value.detach().cpu().numpy()
    if isinstance(value, bool) or not isinstance(value, (numbers.Number, np.ndarray, list, tuple, np.generic)):
        raise TypeError(message("{name} must be a number, a tensor or an array, got {kind}",
                                name=name, kind=type(value).__name__))
    return np.asarray(value, dtype=float)


def _fail(claim: str, values: dict, detail: str) -> ClaimError:
    return ClaimError(message("✗ The lesson claims: {claim}. That does not hold here: {detail}.",
                              claim=message(claim, **values), detail=detail))


def _truth(condition: Any) -> bool:
    """True or False, refusing numbers: ``confirm(error, …)`` with a float would pass for any
    non-zero error, the opposite of what was meant."""
    if isinstance(condition, (bool, np.bool_)):
        return bool(condition)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and isinstance(condition, torch.Tensor) and condition.dtype == torch.bool \
            and condition.numel() == 1:
        return bool(condition)
    raise TypeError(message("condition must be True or False (a comparison), got {kind}",
                            kind=type(condition).__name__))


def confirm(condition: Any, claim: str, /, **values: Any) -> None:
    """Print ``✓ <claim>`` when `condition` is true; raise `ClaimError` quoting it otherwise."""
    if not isinstance(claim, str) or not claim:
        raise TypeError(message("claim must be a non-empty sentence (str), got {claim!r}", claim=claim))
    condition = _truth(condition)
    text = message(claim, **values)  # a malformed template fails here, even when the claim holds
    if not condition:
        raise _fail(claim, values, message("the check is false"))
    print(f"✓ {text}")


def confirm_close(actual: Any, expected: Any, claim: str, /, *, rtol: float = 1e-9, atol: float = 0.0,
                  **values: Any) -> None:
    """Print ``✓ <claim>`` when every element satisfies |actual − expected| ≤ atol + rtol·|expected|
    (numbers, tensors or arrays of one shape); raise `ClaimError` with the worst element otherwise.
    The defaults suit float64 results computed two ways; say the tolerance in the claim when it
    is part of what the lesson teaches."""
    rtol = require_real("rtol", rtol, min=0.0)
    atol = require_real("atol", atol, min=0.0)
    text = message(claim, **values)
    got, want = _as_array(actual, "actual"), _as_array(expected, "expected")
    if got.shape != want.shape:
        raise _fail(claim, values, message("the shapes differ, {got} against {want}",
                                           got=tuple(got.shape), want=tuple(want.shape)))
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(want))):
        if not np.array_equal(got, want, equal_nan=True):
            raise _fail(claim, values, message("a value is NaN or infinite"))
    else:
        gap = np.abs(got - want)
        allowed = atol + rtol * np.abs(want)
        if np.any(gap > allowed):
            worst = int(np.argmax(gap - allowed))
            raise _fail(claim, values, message(
                "{got!r} against {want!r} (difference {gap:.3g}, allowed {allowed:.3g})",
                got=float(got.flat[worst]), want=float(want.flat[worst]),
                gap=float(gap.flat[worst]), allowed=float(allowed.flat[worst])))
    print(f"✓ {text}")


def confirm_equal(actual: Any, expected: Any, claim: str, /, **values: Any) -> None:
    """Print ``✓ <claim>`` when the two are equal exactly: same shape and every element the same
    float, bit for bit (tensors: same dtype too). For claims such as "the same numbers, bit for bit"."""
    text = message(claim, **values)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and isinstance(actual, torch.Tensor) and isinstance(expected, torch.Tensor):
        if actual.dtype != expected.dtype:
            raise _fail(claim, values, message("the dtypes differ, {got} against {want}",
                                               got=actual.dtype, want=expected.dtype))
        same = actual.shape == expected.shape and bool(torch.equal(actual.detach().cpu(), expected.detach().cpu()))
    else:
        got, want = _as_array(actual, "actual"), _as_array(expected, "expected")
        same = got.shape == want.shape and bool(np.array_equal(got, want))
    if not same:
        raise _fail(claim, values, message("the values are not identical"))
    print(f"✓ {text}")
