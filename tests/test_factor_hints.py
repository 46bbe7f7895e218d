"""Every exercise hint fires on the very mistake it names, and no wrong answer passes.

Each lesson declares its exercises in helpers/checks/lessonNN.py as `Exercise` objects with
their common `Mistake`s. This test feeds the reference and every declared mistake to the
exercise's own check:
- the reference passes;
- each declared mistake fails and its message contains that mistake's own hint (never only the
  generic "not right yet");
- answers near the reference but wrong (1 % off, the opposite sign, shifted by one) fail too;
- every factor hint and every error hint is produced by some declared mistake, so no hint names
  a mistake that cannot happen.
"""
import importlib
import numbers
import pkgutil
import re

import numpy as np
import pytest
import torch

import helpers.checks
from helpers import exercises
from helpers.exercises import Exercise, Mistake

pytestmark = pytest.mark.timeout(120)

LESSON_MODULE = re.compile(r"lesson\d\d$")


def _lesson_modules():
    names = sorted(m.name for m in pkgutil.iter_modules(helpers.checks.__path__) if LESSON_MODULE.match(m.name))
    return [importlib.import_module(f"helpers.checks.{name}") for name in names]


def _exercises():
    found = []
    for module in _lesson_modules():
        for attr, value in vars(module).items():
            if isinstance(value, Exercise):
                found.append(pytest.param(value, id=f"{module.__name__.rsplit('.', 1)[1]}.{attr}"))
    return found


EXERCISES = _exercises()
MISTAKES = [pytest.param(p.values[0], m, id=f"{p.id}:{m.name}") for p in EXERCISES for m in p.values[0].mistakes]


def test_lesson_modules_declare_exercises():
    """The package is not empty by accident (every lesson declares its exercises)."""
    names = {p.id.split(".")[0] for p in EXERCISES}
    assert {"lesson00", "lesson01", "lesson02", "lesson03"} <= names, names


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_passes(exercise):
    result = exercise.evaluate(exercise.reference)
    assert result.ok, result.message


@pytest.mark.parametrize("exercise, mistake", MISTAKES)
def test_mistake_fails_with_its_own_hint(exercise, mistake):
    assert isinstance(mistake.hint, str) and mistake.hint.strip(), (
        f"{mistake.name!r} declares no hint: every declared mistake must get its own hint")
    result = exercise.evaluate(mistake.answer)
    assert not result.ok, f"{mistake.name!r} passes the check"
    assert mistake.hint in result.message, f"{mistake.name!r} gets another message: {result.message}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_factor_hint_is_named_by_a_mistake(exercise):
    for factor, text in exercise.factor_hints.items():
        assert any(m.hint and m.hint in text for m in exercise.mistakes), (
            f"factor {factor}: no Mistake produces the hint {text!r}")
    for pattern, text in exercise.error_hints:
        assert any(m.hint and m.hint in text for m in exercise.mistakes), (
            f"error pattern {pattern!r}: no Mistake produces the hint {text!r}")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_declares_its_mistakes(exercise):
    assert exercise.mistakes and all(isinstance(m, Mistake) for m in exercise.mistakes)


# ------------------------------------------------------------------ near misses never pass
def _perturb(value, how):
    """`value` (a number, bool, tensor, array, or a tuple/list/dict of them) made wrong by `how`."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, torch.Tensor):
        return how(value) if value.is_floating_point() else value + 1
    if isinstance(value, np.ndarray):
        return how(value)
    if isinstance(value, numbers.Real):
        return float(how(value)) if isinstance(value, float) else value + 1
    if isinstance(value, dict):
        return {k: _perturb(v, how) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_perturb(v, how) for v in value)
    return None  # not something a near miss can be made of


NEAR_MISSES = {
    "1 % too large": lambda v: v * 1.01,
    "sign flipped": lambda v: -v,
    "shifted by one": lambda v: v + 1,
}


def _is_nonzero(value) -> bool:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return bool((abs(value) > 0).any())
    if isinstance(value, bool):
        return True
    if isinstance(value, numbers.Real):
        return value != 0
    if isinstance(value, dict):
        return any(_is_nonzero(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return any(_is_nonzero(v) for v in value)
    return False


@pytest.mark.parametrize("how", list(NEAR_MISSES), ids=list(NEAR_MISSES))
@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_near_miss_never_passes(exercise, how):
    """For an exercise with one right answer. A custom check (a subclass with its own `evaluate`,
    e.g. one that accepts a range, or takes a method of the engine) tests its near misses itself."""
    if type(exercise).evaluate is not Exercise.evaluate:
        pytest.skip(f"{type(exercise).__name__} has its own evaluate")
    change = NEAR_MISSES[how]
    if exercise.inputs is None:
        if how != "shifted by one" and not _is_nonzero(exercise.reference):
            pytest.skip("a zero reference is unchanged by scaling")
        wrong = _perturb(exercise.reference, change)
        if wrong is None:
            pytest.skip(f"the reference is a {type(exercise.reference).__name__}")
    else:
        probe = exercise.reference(*exercises._copy(exercise.inputs[0]))
        if _perturb(probe, change) is None:
            pytest.skip(f"the function returns a {type(probe).__name__}")
        reference = exercise.reference

        def wrong(*args):
            return _perturb(reference(*args), change)
    result = exercise.evaluate(wrong)
    assert not result.ok, f"an answer {how} passes: {result.message}"
