"""Every exercise hint names a mistake that really produces it (issue 15's factor-hint rule).

Each lesson declares its exercises in helpers/checks/lessonNN.py as `Exercise` objects with
their common `Mistake`s. This test feeds the reference and every declared mistake to the
exercise's own check: the reference passes, each mistake fails and gets exactly its hint (or,
when the mistake is not a constant factor, no factor/sign hint at all), and no factor hint is
left that no mistake produces.
"""
import importlib
import pkgutil
import re

import pytest

import helpers.checks
from helpers.exercises import Exercise, Mistake

pytestmark = pytest.mark.timeout(120)

LESSON_MODULE = re.compile(r"lesson\d\d$")
GENERIC_HINTS = ("off by a factor", "off by a sign")


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
    """The package is not empty by accident (lessons 00–02 declare theirs)."""
    names = {p.id.split(".")[0] for p in EXERCISES}
    assert {"lesson00", "lesson01", "lesson02"} <= names, names


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_passes(exercise):
    result = exercise.evaluate(exercise.reference)
    assert result.ok, result.message


@pytest.mark.parametrize("exercise, mistake", MISTAKES)
def test_mistake_fails_with_its_hint(exercise, mistake):
    result = exercise.evaluate(mistake.answer)
    assert not result.ok, f"{mistake.name!r} passes the check"
    if mistake.hint is None:
        shown = [h for h in (*GENERIC_HINTS, *exercise.factor_hints.values()) if h in result.message]
        assert not shown, f"{mistake.name!r} gets a misleading hint: {result.message}"
    else:
        assert mistake.hint in result.message, f"{mistake.name!r}: {result.message}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_factor_hint_is_named_by_a_mistake(exercise):
    for factor, text in exercise.factor_hints.items():
        assert any(m.hint and m.hint in text for m in exercise.mistakes), (
            f"factor {factor}: no Mistake produces the hint {text!r}")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_declares_its_mistakes(exercise):
    assert exercise.mistakes and all(isinstance(m, Mistake) for m in exercise.mistakes)
