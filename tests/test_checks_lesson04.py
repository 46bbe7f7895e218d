"""Lesson 04's exercise specs: recognised mistakes get their hint, other wrong answers stay generic.
(tests/test_factor_hints.py feeds every declared mistake to its check; tests/test_exercises.py
tests `Exercise.recognised` itself; this file tests lesson 04's specs and references.)"""
import pytest
import torch

from helpers.checks import lesson04 as L
from helpers.exercises import Exercise, Mistake

pytestmark = pytest.mark.timeout(120)


def test_recognised_mistake_gets_its_hint_and_others_stay_generic():
    ex = L.vjp_exercise
    assert "this is J v" in ex.evaluate(L._J @ L._v).message
    other = ex.evaluate(torch.tensor([7.0, -5.0])).message
    assert other.startswith("✗") and all(m.hint not in other for m in ex.mistakes if m.hint)


def test_reference_is_not_mistaken_for_a_mistake():
    assert L.vjp_exercise.check(L.vjp_exercise.reference).ok


def test_vjp_reference_is_what_backward_computes():
    x = torch.tensor(L.VJP_X, requires_grad=True)
    torch.stack([x[0] ** 2, x[0] * x[1]]).backward(gradient=torch.tensor(L.VJP_V))
    assert torch.equal(x.grad, L.vjp_exercise.reference)


def test_lesson_exercises_recognise_only_declared_mistakes():
    for ex in (L.train_no_grad_exercise, L.vjp_exercise, L.tiny_backward_exercise):
        assert isinstance(ex, Exercise) and ex.recognised
        assert all(m in ex.mistakes for m in ex.recognised)


def test_tiny_backward_by_hand_equals_autograd_and_three_calls_reference():
    for args in L.TINY_INPUTS:
        hand, auto = L._tiny_by_hand(*args), L.tiny_backward_autograd(*args)
        for key in auto:
            torch.testing.assert_close(hand[key], auto[key])
    w = torch.tensor([3.0], requires_grad=True)
    for _ in range(3):
        ((w * 2.0 - 4.0) ** 2).backward()
    assert w.grad.item() == L.grad_after_three_calls.reference


def test_original_loop_matches_a_no_grad_loop():
    w = torch.tensor([3.0], requires_grad=True)
    for _ in range(5):
        for x, y in zip(L.X_DATA, L.Y_DATA):
            ((w * x - y) ** 2).backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
            w.grad.zero_()
    assert w.item() == L.original_loop(3.0, 0.01, 5)
