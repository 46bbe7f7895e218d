""""Your turn" checks: ✓ with a one-line confirmation, or ✗ with a specific hint.

An exercise cell keeps a placeholder that runs (``answer = None  # your code here``) and ends
with a check::

    check(answer, expected, what="dL/dw", factor_hints={2: "did you forget the 2 from the square?"})
    check_function(my_grad, reference_grad, inputs=[(1.0,), (-0.5,), (2.0,)], what="my_grad")

A check never raises and never prints the expected value: it names what is wrong (placeholder
left, type, shape, dtype, NaN/inf, sign, a constant factor, an exception in the learner's
function, an input on which a function is wrong) and how to look for the mistake.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

PLACEHOLDERS = (None, Ellipsis)
COMMON_FACTORS = (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, 10.0, 0.1)
# Tolerances by dtype: a learner's correct formula may order operations differently from the
# reference, so allow a few hundred ulps rather than exact equality.
TOLERANCES = {torch.float64: (1e-6, 1e-9), torch.float32: (1e-4, 1e-6), torch.float16: (1e-2, 1e-3),
              torch.bfloat16: (2e-2, 1e-2)}


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: `ok`, and the message the learner sees."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's last value: `check` has printed the message already."""


def _pass(text: str) -> Feedback:
    return Feedback(True, f"✓ {text}")


def _fail(text: str) -> Feedback:
    return Feedback(False, f"✗ {text}")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --------------------------------------------------------------------------- value checks
def _kind(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, Mapping):
        return "dict"
    if isinstance(value, (tuple, list)):
        return "sequence"
    return type(value).__name__


def _describe_kind(kind: str) -> str:
    return {"tensor": "a torch tensor", "array": "a NumPy array", "number": "a number",
            "dict": "a dict", "sequence": "a tuple or list", "bool": "True or False"}.get(kind, f"a {kind}")


def _to_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _tolerance(expected: Any, rtol: float | None, atol: float | None) -> tuple[float, float]:
    dtype = expected.dtype if isinstance(expected, torch.Tensor) else torch.float64
    default = TOLERANCES.get(dtype, TOLERANCES[torch.float64])
    return (default[0] if rtol is None else rtol, default[1] if atol is None else atol)


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _factor_hint(got: np.ndarray, want: np.ndarray, rtol: float, atol: float,
                 factor_hints: Mapping[float, str] | None) -> str | None:
    """Say 'off by a sign' or 'off by a factor of k' when that explains the difference."""
    if not np.any(np.abs(want) > atol):
        return None
    if _close(got, -want, rtol, atol):
        return (factor_hints or {}).get(-1, "off by a sign: check the order of a subtraction, "
                                            "or whether you step with + instead of −.")
    extra_factors = [abs(float(k)) for k in (factor_hints or {}) if abs(float(k)) not in (0.0, 1.0)]
    for k in dict.fromkeys([*extra_factors, *COMMON_FACTORS]):
        if _close(got, k * want, rtol, atol):
            name = f"{k:g}" if k >= 1 else f"1/{1 / k:g}"
            extra = next((v for f, v in (factor_hints or {}).items() if abs(float(f)) == k), None)
            return f"off by a factor of {name}" + (f": {extra}" if extra else ": look for a constant you dropped or added.")
        if _close(got, -k * want, rtol, atol):
            name = f"{k:g}" if k >= 1 else f"1/{1 / k:g}"
            return f"off by a factor of −{name}: a sign and a constant are both off."
    return None


def evaluate(answer: Any, expected: Any, *, what: str = "your answer", rtol: float | None = None,
             atol: float | None = None, factor_hints: Mapping[float, str] | None = None,
             success: str = "") -> Feedback:
    """Compare a learner's value with the reference; see `check` for the arguments."""
    try:
        return _evaluate(answer, expected, what, rtol, atol, factor_hints, success)
    except Exception as exc:  # a check must never raise out of the learner's cell
        return _fail(f"could not compare {what} with the reference ({_one_line(exc)}).")


def _evaluate(answer, expected, what, rtol, atol, factor_hints, success) -> Feedback:
    if any(answer is p for p in PLACEHOLDERS):
        return _fail(f"{what} is still the placeholder ({answer!r}): replace it with your code, then run the cell again.")
    want_kind, got_kind = _kind(expected), _kind(answer)
    if want_kind in ("dict", "sequence"):
        return _evaluate_collection(answer, expected, what, rtol, atol, factor_hints, success)
    if want_kind == "bool":
        if got_kind != "bool":
            return _fail(f"{what} should be True or False, got {_describe_kind(got_kind)}.")
        return _pass(success or f"{what} is right.") if answer == expected else _fail(f"{what} is not right: think again about the condition.")
    numeric = ("tensor", "array", "number")
    if got_kind not in numeric:
        return _fail(f"{what} should be {_describe_kind(want_kind)}, got {_describe_kind(got_kind)} "
                     f"({type(answer).__name__}).")
    if want_kind == "tensor" and got_kind != "tensor":
        return _fail(f"{what} should be a torch tensor, got {_describe_kind(got_kind)}: build it with torch operations.")
    if want_kind == "tensor":
        if tuple(answer.shape) != tuple(expected.shape):
            return _fail(f"{what} has shape {tuple(answer.shape)}, but shape {tuple(expected.shape)} is expected: "
                         "check for a missing transpose, sum or reshape.")
        if answer.dtype != expected.dtype:
            return _fail(f"{what} has dtype {answer.dtype}, but {expected.dtype} is expected: "
                         f"create it with dtype={expected.dtype} or convert it with .to({expected.dtype}).")
    got, want = _to_array(answer), _to_array(expected)
    if got.shape != want.shape and not (got.size == 1 and want.size == 1):
        return _fail(f"{what} has shape {got.shape}, but shape {want.shape} is expected.")
    got, want = got.reshape(want.shape), want
    if np.isnan(got).any():
        return _fail(f"{what} contains NaN: look for 0/0, a log of a negative number, or an overflow earlier on.")
    if np.isinf(got).any():
        return _fail(f"{what} contains inf: something overflowed or divided by zero.")
    rtol, atol = _tolerance(expected, rtol, atol)
    if _close(got, want, rtol, atol):
        return _pass(success or f"{what} is right.")
    hint = _factor_hint(got, want, rtol, atol, factor_hints)
    if hint:
        return _fail(f"{what} is {hint}")
    if want.size > 1:
        wrong = int((~np.isclose(got, want, rtol=rtol, atol=atol)).sum())
        return _fail(f"{what} is not right yet: {wrong} of {want.size} elements differ. Re-derive it step by step.")
    return _fail(f"{what} is not right yet. Re-derive it step by step and check each factor.")


def _evaluate_collection(answer, expected, what, rtol, atol, factor_hints, success) -> Feedback:
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            return _fail(f"{what} should be a dict with keys {sorted(expected)}, got {type(answer).__name__}.")
        missing = [k for k in expected if k not in answer]
        if missing:
            return _fail(f"{what} is missing the key(s) {missing}.")
        items = [(f"{what}[{k!r}]", answer[k], expected[k]) for k in expected]
    else:
        if not isinstance(answer, (tuple, list)):
            return _fail(f"{what} should be a tuple of {len(expected)} values, got {type(answer).__name__}.")
        if len(answer) != len(expected):
            return _fail(f"{what} should hold {len(expected)} values, got {len(answer)}.")
        items = [(f"{what}[{i}]", a, e) for i, (a, e) in enumerate(zip(answer, expected))]
    for label, a, e in items:
        result = _evaluate(a, e, label, rtol, atol, factor_hints, "")
        if not result.ok:
            return result
    return _pass(success or f"{what} is right.")


def check(answer: Any, expected: Any, *, what: str = "your answer", rtol: float | None = None,
          atol: float | None = None, factor_hints: Mapping[float, str] | None = None,
          success: str = "") -> Feedback:
    """Print ✓ or ✗ with a hint for a value (number, tensor, array, or a tuple/dict of them).

    factor_hints maps a factor (2, 0.5, −1 for a sign, …) to a lesson-specific hint.
    Tolerances default by the expected dtype (float64: rtol 1e-6; float32: 1e-4).
    Returns the Feedback (truthy when right) for use in code; notebooks ignore it.
    """
    result = evaluate(answer, expected, what=what, rtol=rtol, atol=atol, factor_hints=factor_hints, success=success)
    print(result.message)
    return result


# --------------------------------------------------------------------------- function checks
def evaluate_function(fn: Any, reference: Callable, inputs: Iterable[Sequence[Any]], *,
                      what: str = "your function", rtol: float | None = None, atol: float | None = None,
                      factor_hints: Mapping[float, str] | None = None, success: str = "") -> Feedback:
    """Call `fn(*args)` and `reference(*args)` on every input and compare; see `check_function`."""
    if any(fn is p for p in PLACEHOLDERS):
        return _fail(f"{what} is still the placeholder ({fn!r}): write the function, then run the cell again.")
    if not callable(fn):
        return _fail(f"{what} should be a function, got {type(fn).__name__}.")
    try:
        cases = [tuple(args) if isinstance(args, (tuple, list)) else (args,) for args in inputs]
    except Exception as exc:
        return _fail(f"the check's inputs could not be read ({_one_line(exc)}).")
    for i, args in enumerate(cases):
        try:
            want = reference(*_copy(args))
        except Exception as exc:
            return _fail(f"the reference failed on input {i + 1} ({_one_line(exc)}): please report this.")
        try:
            got = fn(*_copy(args))
        except Exception as exc:
            return _fail(f"{what} raised {_one_line(exc)} on input {i + 1} of {len(cases)}{_describe_args(args)}.")
        result = evaluate(got, want, what=f"{what}'s result", rtol=rtol, atol=atol, factor_hints=factor_hints)
        if not result.ok:
            if i > 0:
                return _fail(f"right for the first {i} input(s) but not for input {i + 1}{_describe_args(args)}: "
                             + result.message[2:])
            return _fail(f"on input 1{_describe_args(args)}: " + result.message[2:])
    return _pass(success or f"{what} is right on all {len(cases)} test inputs.")


def _copy(args: tuple) -> tuple:
    """Fresh copies of tensor inputs, so a function that modifies its input cannot fool the check."""
    return tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor) and a.is_leaf
                 else a for a in args)


def _describe_args(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, torch.Tensor):
            parts.append(f"a tensor of shape {tuple(a.shape)}" if a.numel() > 1 else f"{a.item():.3g}")
        elif isinstance(a, numbers.Real) and not isinstance(a, bool):
            parts.append(f"{a:.3g}")
        else:
            return ""
    return f" ({', '.join(parts)})" if parts else ""


def check_function(fn: Any, reference: Callable, inputs: Iterable[Sequence[Any]], *,
                   what: str = "your function", rtol: float | None = None, atol: float | None = None,
                   factor_hints: Mapping[float, str] | None = None, success: str = "") -> Feedback:
    """Print ✓ or ✗ for a learner's function, compared with `reference` on several inputs.

    `inputs` is a list of argument tuples (seeded by the lesson); the learner's function
    is called on copies of them. An exception inside it is reported in one line.
    """
    result = evaluate_function(fn, reference, inputs, what=what, rtol=rtol, atol=atol,
                               factor_hints=factor_hints, success=success)
    print(result.message)
    return result


def seeded_inputs(make: Callable[[torch.Generator], Sequence[Any]], n: int = 3, seed: int = 0) -> list[tuple]:
    """n argument tuples from `make(generator)`, reproducible from `seed`."""
    if not callable(make):
        raise TypeError(f"make must be a function of a torch.Generator, got {type(make).__name__}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        args = make(gen)
        out.append(tuple(args) if isinstance(args, (tuple, list)) else (args,))
    return out
