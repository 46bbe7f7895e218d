""""Your turn" checks: ✓ with a one-line confirmation, or ✗ with a specific hint.

An exercise cell keeps a placeholder that runs (``answer = None  # your code here``) and ends
with a check::

    check(answer, expected, what="dL/dw", factor_hints={2: "did you forget the 2 from the square?"})
    check_function(my_grad, reference_grad, inputs=[(1.0,), (-0.5,), (2.0,)], what="my_grad")

A check never raises and never prints the expected value: it names what is wrong (placeholder
left, type, shape, dtype, NaN/inf, sign, a constant factor, an exception in the learner's
function, an input on which a function is wrong) and how to look for the mistake.

A lesson declares each exercise once, with its common mistakes, in ``helpers/checks/lessonNN.py``::

    grad_exercise = Exercise(what="dL_dw", reference=dL_dw, inputs=[(1.0,), (-0.5,), (2.0,)],
                             factor_hints={2: "the square brings a factor 2 down"},
                             mistakes=(Mistake("forgot the 2", lambda w: dL_dw(w) / 2, "factor 2 down"),))
    grad_exercise.check(my_grad)          # in the notebook

A factor or sign hint is given only when the answer is the same constant times the reference
on every element and every input: a ratio that holds by coincidence on one input never fires.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from helpers.validation import require_callable, require_int, require_real

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


Leaf = tuple  # (label, got array, want array, rtol, atol): one numeric part of an answer


def _factor_name(k: float) -> str:
    return f"{k:g}" if k >= 1 else f"1/{1 / k:g}"


def _hint_text(factor_hints: Mapping[float, str] | None, k: float) -> str | None:
    """The lesson's hint for factor k (matched with a tolerance, so 1/3 finds 0.333…)."""
    return next((v for f, v in (factor_hints or {}).items() if math.isclose(float(f), k, rel_tol=1e-9)), None)


def _factor_hint(pairs: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
                 factor_hints: Mapping[float, str] | None) -> str | None:
    """Say 'off by a sign' or 'off by a factor of k' only when ONE constant k explains every pair.

    `pairs` holds (answer, reference, rtol, atol) for every input a function was tried on (one
    pair for a plain value). The ratio must be the same constant elementwise and on every
    input: a formula that is right at x = 1 and off by 1/2 at x = 2 has no constant factor, so
    it gets no factor hint (the hint would name a mistake the learner did not make).
    """
    if not pairs or not any(np.any(np.abs(want) > atol) for _, want, _, atol in pairs):
        return None

    def explains(k: float) -> bool:
        return all(_close(got, k * want, rtol, atol) for got, want, rtol, atol in pairs)

    if explains(-1.0):
        return "off by a sign: " + (_hint_text(factor_hints, -1.0) or "check the order of a subtraction, "
                                    "or whether you step with + instead of −.")
    extra_factors = [abs(float(k)) for k in (factor_hints or {}) if abs(float(k)) not in (0.0, 1.0)]
    for k in dict.fromkeys([*extra_factors, *COMMON_FACTORS]):
        if explains(k):
            extra = _hint_text(factor_hints, k) or _hint_text(factor_hints, -k)
            return f"off by a factor of {_factor_name(k)}" + (f": {extra}" if extra else ": look for a constant you dropped or added.")
        if explains(-k):
            extra = _hint_text(factor_hints, -k)
            return f"off by a factor of −{_factor_name(k)}" + (f": {extra}" if extra else ": a sign and a constant are both off.")
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
    leaves = _leaves(answer, expected, what, rtol, atol)
    if isinstance(leaves, Feedback):
        return leaves
    for leaf in leaves:
        if not _leaf_close(leaf):
            return _mismatch(leaf, _factor_hint([leaf[1:]], factor_hints))
    return _pass(success or f"{what} is right.")


def _leaf_close(leaf: Leaf) -> bool:
    _, got, want, rtol, atol = leaf
    return _close(got, want, rtol, atol)


def _mismatch(leaf: Leaf, hint: str | None) -> Feedback:
    label, got, want, rtol, atol = leaf
    if hint:
        return _fail(f"{label} is {hint}")
    if want.size > 1:
        wrong = int((~np.isclose(got, want, rtol=rtol, atol=atol)).sum())
        return _fail(f"{label} is not right yet: {wrong} of {want.size} elements differ. Re-derive it step by step.")
    return _fail(f"{label} is not right yet. Re-derive it step by step and check each factor.")


def _leaves(answer, expected, what, rtol, atol) -> Feedback | list[Leaf]:
    """Check everything but the numbers (placeholder, type, shape, dtype, NaN, bools, keys).

    Returns a failing Feedback, or the numeric parts still to compare, one Leaf each.
    """
    if any(answer is p for p in PLACEHOLDERS):
        return _fail(f"{what} is still the placeholder ({answer!r}): replace it with your code, then run the cell again.")
    want_kind, got_kind = _kind(expected), _kind(answer)
    if want_kind in ("dict", "sequence"):
        return _collection_leaves(answer, expected, what, rtol, atol)
    if want_kind == "bool":
        if got_kind != "bool":
            return _fail(f"{what} should be True or False, got {_describe_kind(got_kind)}.")
        return [] if answer == expected else _fail(f"{what} is not right: think again about the condition.")
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
    got = got.reshape(want.shape)
    if np.isnan(got).any():
        return _fail(f"{what} contains NaN: look for 0/0, a log of a negative number, or an overflow earlier on.")
    if np.isinf(got).any():
        return _fail(f"{what} contains inf: something overflowed or divided by zero.")
    return [(what, got, want, *_tolerance(expected, rtol, atol))]


def _collection_leaves(answer, expected, what, rtol, atol) -> Feedback | list[Leaf]:
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
    leaves: list[Leaf] = []
    for label, a, e in items:
        part = _leaves(a, e, label, rtol, atol)
        if isinstance(part, Feedback):
            return part
        leaves.extend(part)
    return leaves


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
    label = f"{what}'s result"
    results: list[Feedback | list[Leaf]] = []
    for i, args in enumerate(cases):
        try:
            want = reference(*_copy(args))
        except Exception as exc:
            return _fail(f"the reference failed on input {i + 1} ({_one_line(exc)}): please report this.")
        try:
            got = fn(*_copy(args))
        except Exception as exc:
            results.append(_fail(f"{what} raised {_one_line(exc)} on input {i + 1} of {len(cases)}{_describe_args(args)}."))
            break  # the message names this input; later inputs are not needed
        try:
            results.append(_leaves(got, want, label, rtol, atol))
        except Exception as exc:
            results.append(_fail(f"could not compare {label} with the reference ({_one_line(exc)})."))
    for i, result in enumerate(results):
        if isinstance(result, Feedback):
            failure = result
        else:
            bad = next((j for j, leaf in enumerate(result) if not _leaf_close(leaf)), None)
            if bad is None:
                continue
            failure = _mismatch(result[bad], _consistent_hint(results, bad, factor_hints))
        if failure.message.startswith(f"✗ {what} raised"):
            return failure
        where = (f"right for the first {i} input(s) but not for input {i + 1}" if i > 0 else "on input 1") \
            + _describe_args(cases[i])
        return _fail(f"{where}: " + failure.message[2:])
    return _pass(success or f"{what} is right on all {len(cases)} test inputs.")


def _consistent_hint(results: list, leaf: int, factor_hints: Mapping[float, str] | None) -> str | None:
    """The factor hint for part `leaf` of the result, judged on every input at once (None if any
    input could not be compared: then no single constant can be said to explain the mistake)."""
    if any(isinstance(r, Feedback) or len(r) <= leaf for r in results):
        return None
    return _factor_hint([r[leaf][1:] for r in results], factor_hints)


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
    require_callable("make", make, "a function of a torch.Generator")
    n = require_int("n", n, min=1, what="a positive integer")
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        args = make(gen)
        out.append(tuple(args) if isinstance(args, (tuple, list)) else (args,))
    return out


# --------------------------------------------------------------------------- exercise specs
@dataclass(frozen=True)
class Mistake:
    """A common wrong answer to an exercise, and what its check must say about it.

    `answer` is the wrong value (or a wrong function with the learner's signature). `hint` is
    text the check's message must contain; None means the message must carry no factor or sign
    hint at all (only the generic ✗), because no single constant explains this mistake.
    tests/test_factor_hints.py feeds every Mistake to its Exercise's check.
    """

    name: str
    answer: Any
    hint: str | None


@dataclass(frozen=True)
class Exercise:
    """One "Your turn" check: the reference answer, how it is compared, and its common mistakes.

    With `inputs` the learner's answer is a function, called on every argument tuple and
    compared with `reference` (a function too); without, it is a value. `factor_hints` maps a
    factor (2, 0.5, −1 for a sign, …) to a hint that is shown only when the answer is that
    constant times the reference on every input and element. Every hint names a mistake in
    `mistakes` that really produces its factor.

    Some likely mistakes are no constant factor (J v instead of vᵀJ, a forgotten `zero_()`, a
    missing path). List them in `recognised` too (each with a hint text): when a wrong answer
    equals such a mistake's answer (same comparison and tolerances as the check), the check
    shows ``✗ <what> is not right yet: <hint>.`` instead of the generic ✗.
    """

    what: str
    reference: Any
    inputs: Sequence[tuple] | None = None
    factor_hints: Mapping[float, str] = field(default_factory=dict)
    mistakes: tuple[Mistake, ...] = ()
    rtol: float | None = None
    atol: float | None = None
    success: str = ""
    recognised: tuple[Mistake, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.what, str) or not self.what:
            raise TypeError(f"what must be a non-empty string naming the answer, got {self.what!r}")
        if self.inputs is not None:
            if not callable(self.reference):
                raise TypeError(f"with inputs, reference must be a function, got {type(self.reference).__name__}")
            inputs = tuple(tuple(a) if isinstance(a, (tuple, list)) else (a,) for a in self.inputs)
            if not inputs:
                raise ValueError("inputs must hold at least one argument tuple")
            object.__setattr__(self, "inputs", inputs)
        if not isinstance(self.factor_hints, Mapping):
            raise TypeError(f"factor_hints must map a factor to a hint, got {type(self.factor_hints).__name__}")
        for k, text in self.factor_hints.items():
            k = require_real("a factor_hints key", k, example="2, 0.5 or -1 (a sign)")
            if k in (0.0, 1.0) or not isinstance(text, str):
                raise ValueError(f"factor_hints needs factors other than 0 and 1 mapped to text, got {k!r}: {text!r}")
        mistakes = tuple(self.mistakes)
        bad = [m for m in mistakes if not isinstance(m, Mistake)]
        if bad:
            raise TypeError(f"mistakes must be Mistake objects, got {type(bad[0]).__name__}")
        object.__setattr__(self, "mistakes", mistakes)
        recognised = tuple(self.recognised)
        if not all(isinstance(m, Mistake) and isinstance(m.hint, str) and m.hint for m in recognised):
            raise TypeError("recognised must hold Mistake objects, each with a hint text")
        missing = [m.name for m in recognised if m not in mistakes]
        if missing:
            raise ValueError(f"recognised mistakes must also be listed in mistakes: {missing}")
        object.__setattr__(self, "recognised", recognised)

    def _compare(self, answer: Any, reference: Any, **options: Any) -> Feedback:
        options = dict(what=self.what, rtol=self.rtol, atol=self.atol) | options
        if self.inputs is None:
            return evaluate(answer, reference, **options)
        return evaluate_function(answer, reference, self.inputs, **options)

    def evaluate(self, answer: Any) -> Feedback:
        """✓ or ✗ with a hint for `answer`, without printing."""
        result = self._compare(answer, self.reference, factor_hints=self.factor_hints, success=self.success)
        if result.ok:
            return result
        for mistake in self.recognised:
            if self._compare(answer, mistake.answer).ok:
                return _fail(f"{self.what} is not right yet: {mistake.hint.rstrip('.')}.")
        return result

    def check(self, answer: Any) -> Feedback:
        """Print ✓ or ✗ with a hint for `answer` (like `check`/`check_function`) and return it."""
        result = self.evaluate(answer)
        print(result.message)
        return result
