""""Your turn" checks: ✓ with a one-line confirmation, or ✗ with a specific hint.

An exercise cell keeps a placeholder that runs (``answer = None  # your code here``) and ends
with a check. A lesson declares each exercise once, with its common mistakes, in
``helpers/checks/lessonNN.py``::

    grad_exercise = Exercise(what="dL/dw", reference=dL_dw, inputs=[(1.0,), (-0.5,), (2.0,)],
                             factor_hints={0.5: "the square brings a factor 2 down"},
                             mistakes=(Mistake("forgot the 2", lambda w: dL_dw(w) / 2,
                                               "the square brings a factor 2 down"),))
    grad_exercise.check(my_grad)          # in the notebook

A check never raises and never prints the expected value: it names what is wrong (placeholder
left, type, shape, dtype, NaN/inf, sign, a constant factor, an exception in the learner's
function, an input the function changed in place, an input on which it is wrong) and how to
look for the mistake. Every declared `Mistake` must get its own hint (tests/test_factor_hints.py
feeds each one to its check).

How close is right. An answer is compared with the reference element by element:
|answer − reference| ≤ rtol·|reference| + atol, where rtol is set by the reference's dtype
(float64 1e-6, float32 1e-4: room for a formula written in another order, but a 1 % or even a
0.1 % slip fails) and atol is rtol times the largest |reference| element of that part of the
answer, so an element that should be 0 may be off by round-off of the others, while a tiny
reference (1e-12) is not matched by any other tiny number. Only a reference that is all zeros
uses a fixed floor (1e-12 in float64, 1e-6 in float32).

A factor or sign hint is given only when the answer is the same constant times the reference
on every element and every input: a ratio that holds by coincidence on one input never fires.

Every sentence is one template with named fields, translated by `helpers.i18n` (the `what`,
the hints and the success line too) before it is filled in.
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from helpers.i18n import N_, message, translate
from helpers.validation import require_callable, require_int, require_real

PLACEHOLDERS = (None, Ellipsis)
COMMON_FACTORS = (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, 10.0, 0.1)
# (rtol, absolute floor for an all-zero reference) by the reference's dtype.
TOLERANCES = {torch.float64: (1e-6, 1e-12), torch.float32: (1e-4, 1e-6), torch.float16: (1e-2, 1e-3),
              torch.bfloat16: (2e-2, 1e-2)}


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: `ok`, and the message the learner sees (✓ or ✗ and one sentence).
    `raised` marks a failure where the learner's function raised an exception."""

    ok: bool
    message: str
    raised: bool = False

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    @property
    def text(self) -> str:
        """The message without its ✓/✗ mark."""
        return self.message[2:] if self.message[:2] in ("✓ ", "✗ ") else self.message

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's last value: `check` has printed the message already."""


def passed(template: str, /, **values: Any) -> Feedback:
    """A ✓ Feedback: `template` translated and filled in."""
    return Feedback(True, "✓ " + message(template, **values))


def failed(template: str, /, *, raised: bool = False, **values: Any) -> Feedback:
    """A ✗ Feedback: `template` translated and filled in."""
    return Feedback(False, "✗ " + message(template, **values), raised)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --------------------------------------------------------------------------- value checks
@dataclass(frozen=True)
class Part:
    """One numeric part of an answer (a number, or one tensor of a tuple), ready to compare."""

    label: str
    got: np.ndarray
    want: np.ndarray
    rtol: float
    atol: float

    def close(self, scale: float = 1.0) -> bool:
        return _close(self.got, scale * self.want, self.rtol, self.atol)


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
    return "other"


KIND_NAMES = {"tensor": N_("a torch tensor"), "array": N_("a NumPy array"), "number": N_("a number"),
              "dict": N_("a dict"), "sequence": N_("a tuple or list"), "bool": N_("True or False")}


def _describe_kind(value: Any) -> str:
    kind = _kind(value)
    if kind == "other":
        return message("a {type_name}", type_name=type(value).__name__)
    return translate(KIND_NAMES[kind])


def _to_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=float)


def _tolerance(expected: Any, want: np.ndarray, rtol: float | None, atol: float | None) -> tuple[float, float]:
    """(rtol, atol) for one part: see "How close is right" in the module docstring."""
    dtype = expected.dtype if isinstance(expected, torch.Tensor) else torch.float64
    default_rtol, floor = TOLERANCES.get(dtype, TOLERANCES[torch.float64])
    rtol = default_rtol if rtol is None else rtol
    if atol is None:
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        atol = rtol * scale if scale > 0 else floor
    return rtol, atol


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _factor_name(k: float) -> str:
    return f"{k:g}" if k >= 1 else f"1/{1 / k:g}"


def _hint_text(factor_hints: Mapping[float, str] | None, k: float) -> str | None:
    """The lesson's hint for factor k (matched with a tolerance, so 1/3 finds 0.333…), translated."""
    text = next((v for f, v in (factor_hints or {}).items() if math.isclose(float(f), k, rel_tol=1e-9)), None)
    return None if text is None else translate(text)


def _factor_hint(parts: Sequence[Part], factor_hints: Mapping[float, str] | None, what: str) -> Feedback | None:
    """'off by a sign' or 'off by a factor of k', only when ONE constant k explains every part.

    `parts` holds one Part for every input a function was tried on (one for a plain value). The
    ratio must be the same constant elementwise and on every input: a formula that is right at
    x = 1 and off by 1/2 at x = 2 has no constant factor, so it gets no factor hint (the hint
    would name a mistake the learner did not make).
    """
    if not parts or not any(np.any(np.abs(p.want) > p.atol) for p in parts):
        return None

    def explains(k: float) -> bool:
        return all(p.close(k) for p in parts)

    if explains(-1.0):
        hint = _hint_text(factor_hints, -1.0) or translate("look for a minus sign that was dropped or added.")
        return failed("{what} is off by a sign: {hint}", what=what, hint=hint)
    extra_factors = [abs(float(k)) for k in (factor_hints or {}) if abs(float(k)) not in (0.0, 1.0)]
    for k in dict.fromkeys([*extra_factors, *COMMON_FACTORS]):
        if explains(k):
            hint = (_hint_text(factor_hints, k) or _hint_text(factor_hints, -k)
                    or translate("look for a constant that was dropped or added."))
            return failed("{what} is off by a factor of {factor}: {hint}", what=what, factor=_factor_name(k), hint=hint)
        if explains(-k):
            hint = _hint_text(factor_hints, -k) or translate("a sign and a constant are both off.")
            return failed("{what} is off by a factor of −{factor}: {hint}", what=what, factor=_factor_name(k), hint=hint)
    return None


def evaluate(answer: Any, expected: Any, *, what: str = N_("your answer"), rtol: float | None = None,
             atol: float | None = None, factor_hints: Mapping[float, str] | None = None,
             success: str = "", parts: Sequence[str] | None = None) -> Feedback:
    """Compare a learner's value with the reference; see `check` for the arguments."""
    what = translate(what)
    try:
        return _evaluate(answer, expected, what, rtol, atol, factor_hints, success, parts)
    except Exception as exc:  # a check must never raise out of the learner's cell
        return failed("could not compare {what} with the reference ({error}).", what=what, error=_one_line(exc))


def _evaluate(answer, expected, what, rtol, atol, factor_hints, success, parts) -> Feedback:
    leaves = _parts(answer, expected, what, rtol, atol, parts)
    if isinstance(leaves, Feedback):
        return leaves
    for part in leaves:
        if not part.close():
            hinted = _factor_hint([part], factor_hints, part.label)
            return _mismatch(part) if hinted is None else hinted
    return Feedback(True, "✓ " + translate(success)) if success else passed("{what} is right.", what=what)


def _mismatch(part: Part) -> Feedback:
    if part.want.size > 1:
        wrong = int((~np.isclose(part.got, part.want, rtol=part.rtol, atol=part.atol)).sum())
        return failed("{what} is not right yet: {wrong} of {size} elements differ. Re-derive it step by step.",
                      what=part.label, wrong=wrong, size=part.want.size)
    return failed("{what} is not right yet. Re-derive it step by step and check each factor.", what=part.label)


def _parts(answer, expected, what, rtol, atol, names=None) -> Feedback | list[Part]:
    """Check everything but the numbers (placeholder, type, shape, dtype, NaN, bools, keys).

    Returns a failing Feedback, or the numeric parts still to compare.
    """
    if any(answer is p for p in PLACEHOLDERS):
        return failed("{what} is still the placeholder ({answer!r}): replace it with your code, then run the cell again.",
                      what=what, answer=answer)
    want_kind, got_kind = _kind(expected), _kind(answer)
    if want_kind in ("dict", "sequence"):
        return _collection_parts(answer, expected, what, rtol, atol, names)
    if want_kind == "bool":
        if got_kind != "bool":
            return failed("{what} should be True or False, got {kind}.", what=what, kind=_describe_kind(answer))
        return [] if answer == expected else failed("{what} is not right: think again about the condition.", what=what)
    if got_kind not in ("tensor", "array", "number"):
        return failed("{what} should be {want_kind}, got {kind} ({type_name}).", what=what,
                      want_kind=_describe_kind(expected), kind=_describe_kind(answer), type_name=type(answer).__name__)
    if want_kind == "tensor" and got_kind != "tensor":
        return failed("{what} should be a torch tensor, got {kind}: build it with torch operations.",
                      what=what, kind=_describe_kind(answer))
    if want_kind == "tensor":
        if tuple(answer.shape) != tuple(expected.shape):
            return failed("{what} has shape {got}, but shape {want} is expected: check for a missing transpose, "
                          "sum or reshape.", what=what, got=tuple(answer.shape), want=tuple(expected.shape))
        if answer.dtype != expected.dtype:
            return failed("{what} has dtype {got}, but {want} is expected: create it with dtype={want} or convert "
                          "it with .to({want}).", what=what, got=answer.dtype, want=expected.dtype)
    got, want = _to_array(answer), _to_array(expected)
    if got.shape != want.shape and not (got.size == 1 and want.size == 1):
        return failed("{what} has shape {got}, but shape {want} is expected.", what=what, got=got.shape, want=want.shape)
    got = got.reshape(want.shape)
    if np.isnan(got).any():
        return failed("{what} contains NaN: look for 0/0, a log of a negative number, or an overflow earlier on.", what=what)
    if np.isinf(got).any():
        return failed("{what} contains inf: something overflowed or divided by zero.", what=what)
    return [Part(what, got, want, *_tolerance(expected, want, rtol, atol))]


def _collection_parts(answer, expected, what, rtol, atol, names) -> Feedback | list[Part]:
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            return failed("{what} should be a dict with keys {keys}, got {type_name}.", what=what,
                          keys=sorted(expected), type_name=type(answer).__name__)
        missing = [k for k in expected if k not in answer]
        if missing:
            return failed("{what} is missing the key(s) {keys}.", what=what, keys=missing)
        items = [(f"{what}[{k!r}]", answer[k], expected[k]) for k in expected]
    else:
        if not isinstance(answer, (tuple, list)):
            return failed("{what} should be a tuple of {n} values, got {type_name}.", what=what, n=len(expected),
                          type_name=type(answer).__name__)
        if len(answer) != len(expected):
            return failed("{what} should hold {n} values, got {got}.", what=what, n=len(expected), got=len(answer))
        labels = [translate(n) for n in names] if names else [f"{what}[{i}]" for i in range(len(expected))]
        items = list(zip(labels, answer, expected))
    leaves: list[Part] = []
    for label, a, e in items:
        part = _parts(a, e, label, rtol, atol)
        if isinstance(part, Feedback):
            return part
        leaves.extend(part)
    return leaves


def check(answer: Any, expected: Any, *, what: str = N_("your answer"), rtol: float | None = None,
          atol: float | None = None, factor_hints: Mapping[float, str] | None = None,
          success: str = "", parts: Sequence[str] | None = None) -> Feedback:
    """Print ✓ or ✗ with a hint for a value (number, tensor, array, or a tuple/dict of them).

    factor_hints maps a factor (2, 0.5, −1 for a sign, …) to a lesson-specific hint. `parts`
    names the elements of a tuple answer (``("a.grad", "b.grad")``) in messages, instead of
    ``what[0]``. Tolerances: see the module docstring. Returns the Feedback (truthy when right)
    for use in code; notebooks ignore it.
    """
    result = evaluate(answer, expected, what=what, rtol=rtol, atol=atol, factor_hints=factor_hints,
                      success=success, parts=parts)
    print(result.message)
    return result


# --------------------------------------------------------------------------- function checks
def evaluate_function(fn: Any, reference: Callable, inputs: Iterable[Sequence[Any]], *,
                      what: str = N_("your function"), rtol: float | None = None, atol: float | None = None,
                      factor_hints: Mapping[float, str] | None = None, success: str = "",
                      parts: Sequence[str] | None = None, arg_names: Sequence[str] | None = None,
                      error_hints: Sequence[tuple[str, str]] = (), may_change_inputs: bool = False) -> Feedback:
    """Call `fn(*args)` and `reference(*args)` on every input and compare; see `check_function`."""
    what = translate(what)
    if any(fn is p for p in PLACEHOLDERS):
        return failed("{what} is still the placeholder ({answer!r}): write the function, then run the cell again.",
                      what=what, answer=fn)
    if not callable(fn):
        return failed("{what} should be a function, got {type_name}.", what=what, type_name=type(fn).__name__)
    try:
        cases = [tuple(args) if isinstance(args, (tuple, list)) else (args,) for args in inputs]
    except Exception as exc:
        return failed("the check's inputs could not be read ({error}).", error=_one_line(exc))
    # The default name has its own whole template: a translation may join a name and "result" differently.
    label = translate("your function's result") if what == translate("your function") else \
        message("{what}'s result", what=what)
    results: list[Feedback | list[Part]] = []
    for i, args in enumerate(cases):
        where = describe_args(args, arg_names)
        try:
            want = reference(*_copy(args))
        except Exception as exc:
            return failed("the reference failed on input {n} ({error}): please report this.", n=i + 1, error=_one_line(exc))
        given = _copy(args)
        snapshot = tuple(a.detach().clone() if isinstance(a, torch.Tensor) else None for a in given)
        try:
            got = fn(*given)
        except Exception as exc:
            return _raised(what, exc, i, len(cases), where, error_hints)
        if not may_change_inputs:
            changed = _changed_argument(snapshot, given, arg_names)
            if changed:
                return failed("{what} changed its argument {name} in place on input {n}{args}. A function like this "
                              "must leave its inputs as they were: compute a new tensor (or .clone() first) instead "
                              "of modifying one in place.", what=what, name=changed, n=i + 1, args=where)
        try:
            results.append(_parts(got, want, label, rtol, atol, parts))
        except Exception as exc:
            results.append(failed("could not compare {what} with the reference ({error}).", what=label,
                                  error=_one_line(exc)))
    for i, result in enumerate(results):
        if isinstance(result, Feedback):
            problem = result
        else:
            bad = next((j for j, part in enumerate(result) if not part.close()), None)
            if bad is None:
                continue
            problem = _consistent_hint(results, bad, factor_hints)
            if problem is None:
                problem = _mismatch(result[bad])
        where = describe_args(cases[i], arg_names)
        if i > 0:
            return failed("right for the first {good} input(s) but not for input {n}{args}: {problem}",
                          good=i, n=i + 1, args=where, problem=problem.text)
        return failed("on input 1{args}: {problem}", args=where, problem=problem.text)
    return Feedback(True, "✓ " + translate(success)) if success else \
        passed("{what} is right on all {n} test inputs.", what=what, n=len(cases))


def _raised(what: str, exc: Exception, i: int, n: int, where: str, error_hints: Sequence[tuple[str, str]]) -> Feedback:
    """The learner's function raised: name the exception in one line, and the lesson's hint for it."""
    error = _one_line(exc)
    hint = next((translate(h) for pattern, h in error_hints if re.search(pattern, error)), None)
    if hint:
        return failed("{what} raised {error} on input {n} of {total}{args}: {hint}", raised=True, what=what,
                      error=error, n=i + 1, total=n, args=where, hint=hint)
    return failed("{what} raised {error} on input {n} of {total}{args}.", raised=True, what=what, error=error,
                  n=i + 1, total=n, args=where)


def _changed_argument(snapshot: tuple, given: tuple, arg_names: Sequence[str] | None) -> str | None:
    """The name of the first tensor argument whose values the learner's function changed in place
    (`snapshot` holds copies taken before the call)."""
    for i, (before, after) in enumerate(zip(snapshot, given)):
        if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor):
            after = after.detach()
            same = before.shape == after.shape and before.dtype == after.dtype and bool(
                ((before == after) | (before.isnan() & after.isnan())).all() if before.is_floating_point()
                else torch.equal(before, after))
            if not same:
                return arg_names[i] if arg_names and i < len(arg_names) else f"#{i + 1}"
    return None


def _consistent_hint(results: list, part: int, factor_hints: Mapping[float, str] | None) -> Feedback | None:
    """The factor hint for part `part` of the result, judged on every input at once (None if any
    input could not be compared: then no single constant can be said to explain the mistake)."""
    if any(isinstance(r, Feedback) or len(r) <= part for r in results):
        return None
    return _factor_hint([r[part] for r in results], factor_hints, results[0][part].label)


def _copy(args: tuple) -> tuple:
    """Fresh copies of tensor inputs, so a function that modifies its input cannot fool the check."""
    return tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor) and a.is_leaf
                 else a for a in args)


def describe_args(args: tuple, names: Sequence[str] | None = None) -> str:
    """' (2, −3)' or ' (a = 2, b = −3)' for a message ('（a = 2，b = −3）' in Chinese); '' when an
    argument is not a number or tensor."""
    parts = []
    for i, a in enumerate(args):
        if isinstance(a, torch.Tensor):
            text = message("a tensor of shape {shape}", shape=tuple(a.shape)) if a.numel() > 1 else f"{a.item():.3g}"
        elif isinstance(a, numbers.Real) and not isinstance(a, bool):
            text = f"{a:.3g}"
        else:
            return ""
        parts.append(f"{names[i]} = {text}" if names and i < len(names) else text)
    if not parts:
        return ""
    listed = parts[0]
    for part in parts[1:]:  # the comma is a template: Chinese separates the arguments with "，"
        listed = message("{arguments}, {argument}", arguments=listed, argument=part)
    return message(" ({arguments})", arguments=listed)



def check_function(fn: Any, reference: Callable, inputs: Iterable[Sequence[Any]], *,
                   what: str = N_("your function"), rtol: float | None = None, atol: float | None = None,
                   factor_hints: Mapping[float, str] | None = None, success: str = "",
                   parts: Sequence[str] | None = None, arg_names: Sequence[str] | None = None,
                   error_hints: Sequence[tuple[str, str]] = (), may_change_inputs: bool = False) -> Feedback:
    """Print ✓ or ✗ for a learner's function, compared with `reference` on several inputs.

    `inputs` is a list of argument tuples (seeded by the lesson); the learner's function is called
    on copies of them, and must not change them (unless `may_change_inputs`). An exception inside
    it is reported in one line, with the hint of the first `error_hints` pattern (a regex searched
    in "ExceptionType: message") that matches. `arg_names` names the arguments in messages.
    """
    result = evaluate_function(fn, reference, inputs, what=what, rtol=rtol, atol=atol, factor_hints=factor_hints,
                               success=success, parts=parts, arg_names=arg_names, error_hints=error_hints,
                               may_change_inputs=may_change_inputs)
    print(result.message)
    return result


def seeded_inputs(make: Callable[[torch.Generator], Sequence[Any]], n: int = 3, seed: int = 0) -> list[tuple]:
    """n argument tuples from `make(generator)`, reproducible from `seed`."""
    require_callable("make", make, N_("a function of a torch.Generator"))
    n = require_int("n", n, min=1, what=N_("a positive integer"))
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        args = make(gen)
        out.append(tuple(args) if isinstance(args, (tuple, list)) else (args,))
    return out


# --------------------------------------------------------------------------- exercise specs
@dataclass(frozen=True)
class Mistake:
    """A common wrong answer to an exercise, and the hint its check must give for it.

    `answer` is the wrong value (or a wrong function with the learner's signature; it may raise).
    `hint` is text the check's message must contain: every declared mistake gets its own hint,
    through a factor hint, a `recognised` entry or an `error_hints` pattern of its Exercise.
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
    shows ``✗ <what> is not right yet: <hint>.`` instead of the generic ✗. A mistake that raises
    gets its hint from `error_hints` ((regex, hint) pairs). `parts` names the elements of a tuple
    answer, `arg_names` the arguments of a function answer, in messages.
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
    parts: tuple[str, ...] | None = None
    arg_names: tuple[str, ...] | None = None
    error_hints: tuple[tuple[str, str], ...] = ()
    may_change_inputs: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.what, str) or not self.what:
            raise TypeError(message("what must be a non-empty string naming the answer, got {what!r}",
                                    what=self.what))
        if self.inputs is not None:
            if not callable(self.reference):
                raise TypeError(message("with inputs, reference must be a function, got {kind}",
                                        kind=type(self.reference).__name__))
            inputs = tuple(tuple(a) if isinstance(a, (tuple, list)) else (a,) for a in self.inputs)
            if not inputs:
                raise ValueError(message("inputs must hold at least one argument tuple"))
            object.__setattr__(self, "inputs", inputs)
        if not isinstance(self.factor_hints, Mapping):
            raise TypeError(message("factor_hints must map a factor to a hint, got {kind}",
                                    kind=type(self.factor_hints).__name__))
        for k, text in self.factor_hints.items():
            k = require_real(translate("a factor_hints key"), k, example=translate("2, 0.5 or -1 (a sign)"))
            if k in (0.0, 1.0) or not isinstance(text, str):
                raise ValueError(message("factor_hints needs factors other than 0 and 1 mapped to "
                                         "text, got {k!r}: {text!r}", k=k, text=text))
        mistakes = tuple(self.mistakes)
        bad = [m for m in mistakes if not isinstance(m, Mistake)]
        if bad:
            raise TypeError(message("mistakes must be Mistake objects, got {kind}", kind=type(bad[0]).__name__))
        object.__setattr__(self, "mistakes", mistakes)
        recognised = tuple(self.recognised)
        if not all(isinstance(m, Mistake) and isinstance(m.hint, str) and m.hint for m in recognised):
            raise TypeError(message("recognised must hold Mistake objects, each with a hint text"))
        missing = [m.name for m in recognised if m not in mistakes]
        if missing:
            raise ValueError(message("recognised mistakes must also be listed in mistakes: {missing}",
                                     missing=missing))
        object.__setattr__(self, "recognised", recognised)
        for name in ("parts", "arg_names"):
            names = getattr(self, name)
            if names is not None:
                names = tuple(names)
                if not names or not all(isinstance(n, str) and n for n in names):
                    raise TypeError(message("{name} must be a tuple of non-empty strings, got {value!r}",
                                            name=name, value=getattr(self, name)))
                object.__setattr__(self, name, names)
        hints = tuple(tuple(pair) for pair in self.error_hints)
        for pair in hints:
            if len(pair) != 2 or not all(isinstance(s, str) and s for s in pair):
                raise TypeError(message("error_hints must hold (regex, hint) pairs of strings, got {pair!r}",
                                        pair=pair))
            re.compile(pair[0])
        object.__setattr__(self, "error_hints", hints)

    def _compare(self, answer: Any, reference: Any, **options: Any) -> Feedback:
        options = dict(what=self.what, rtol=self.rtol, atol=self.atol, parts=self.parts) | options
        if self.inputs is None:
            return evaluate(answer, reference, **options)
        return evaluate_function(answer, reference, self.inputs, arg_names=self.arg_names,
                                 error_hints=self.error_hints, may_change_inputs=self.may_change_inputs, **options)

    def evaluate(self, answer: Any) -> Feedback:
        """✓ or ✗ with a hint for `answer`, without printing."""
        result = self._compare(answer, self.reference, factor_hints=self.factor_hints, success=self.success)
        if result.ok or result.raised:
            return result
        for mistake in self.recognised:
            if self._compare(answer, mistake.answer).ok:
                return failed("{what} is not right yet: {hint}.", what=translate(self.what),
                              hint=translate(mistake.hint).rstrip("."))
        return result

    def check(self, answer: Any) -> Feedback:
        """Print ✓ or ✗ with a hint for `answer` (like `check`/`check_function`) and return it."""
        result = self.evaluate(answer)
        print(result.message)
        return result
