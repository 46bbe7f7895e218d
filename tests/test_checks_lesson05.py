"""Lesson 05's exercise references are what PyTorch computes, and each check tells the answers
a learner is likely to write apart (tests/test_factor_hints.py feeds every declared mistake)."""
import math

import pytest
import torch
import sympy
import torch.nn.functional as F

from helpers.checks import lesson05 as L

pytestmark = pytest.mark.timeout(120)


def test_mse_reference_is_pytorchs_loss_on_matching_shapes():
    for pred, y in L.mse_exercise.inputs:
        assert torch.equal(L.mse_reference(pred, y), F.mse_loss(pred.squeeze(1), y))


@pytest.mark.parametrize("right", [
    lambda pred, y: ((pred.squeeze(1) - y) ** 2).mean(),
    lambda pred, y: ((pred - y.unsqueeze(1)) ** 2).mean(),
    lambda pred, y: F.mse_loss(pred, y.reshape(-1, 1)),
], ids=["squeeze", "unsqueeze", "mse_loss"])
def test_mse_accepts_every_way_of_matching_the_shapes(right):
    assert L.mse_exercise.evaluate(right).ok


def test_scale_grad_reference_is_autograds_gradient():
    for X, G_Y in L.scale_grad_exercise.inputs:
        c = torch.randn(1, X.shape[1], dtype=X.dtype, requires_grad=True)
        (X * c).backward(gradient=G_Y)
        torch.testing.assert_close(c.grad, L.scale_grad_reference(X, G_Y), rtol=1e-12, atol=1e-12)


def test_scale_grad_inputs_have_several_sizes():
    """A mean for a sum is then no constant factor, and N ≠ n_in keeps the two sums apart."""
    sizes = {X.shape[0] for X, _ in L.scale_grad_exercise.inputs}
    assert len(sizes) > 1 and all(X.shape[0] != X.shape[1] for X, _ in L.scale_grad_exercise.inputs)


def _exact_bce(z: float, y: float) -> float:
    p = 1 / (1 + sympy.exp(-sympy.Float(z, 400)))
    return float(-(y * sympy.log(p) + (1 - y) * sympy.log(1 - p)))


def test_bce_reference_is_exact_and_agrees_with_pytorch():
    for z, y in (*L.bce_exercise.inputs, *L.bce_exercise.far_inputs):
        ours = L.bce_reference(z, y)
        for zi, yi, oi in zip(z.tolist(), y.tolist(), ours.tolist()):
            assert math.isclose(oi, _exact_bce(zi, yi), rel_tol=1e-14, abs_tol=1e-300)
        torch.testing.assert_close(ours, F.binary_cross_entropy_with_logits(z, y, reduction="none"),
                                   rtol=1e-6, atol=1e-6)


def test_bce_overflow_logits_catch_the_one_case_form_only_there():
    """(1 − y)·z + log(1 + e^(−z)) is right until e^(−z) overflows: it passes the moderate logits and
    fails only on the input at z = ±800, so that input is what makes the check catch it."""
    one_case = next(m.answer for m in L.bce_exercise.mistakes if m.name.startswith("(1 − y)"))
    ((far, y_far),) = L.bce_exercise.far_inputs
    assert far.tolist() == list(L.OVERFLOW_LOGITS)
    assert not torch.isfinite(one_case(far, y_far)).all() and torch.isfinite(L.bce_reference(far, y_far)).all()
    for z, y in L.bce_exercise.inputs:
        torch.testing.assert_close(one_case(z, y), L.bce_reference(z, y), rtol=1e-6, atol=1e-6 * 34)
    result = L.bce_exercise.evaluate(one_case)
    assert not result.ok and L.ONE_CASE_HINT in result.message


def test_bce_far_stage_fails_a_near_miss_there_only():
    """An answer right on the moderate logits but 1 % off at z = ±800 fails; the reference passes."""
    def off_far_out(z, y):
        out = L.bce_reference(z, y)
        return out * 1.01 if z.abs().max() > 100 else out

    assert L.bce_exercise.evaluate(L.bce_reference).ok
    assert not L.bce_exercise.evaluate(off_far_out).ok


def test_bce_logits_are_where_the_naive_form_loses_digits_but_stays_finite():
    z = torch.tensor(L.BCE_LOGITS, dtype=torch.float64)
    naive = L._bce_naive(z, torch.zeros_like(z))
    assert torch.isfinite(naive).all()
    assert not torch.allclose(naive, L.bce_reference(z, torch.zeros_like(z)), rtol=1e-6, atol=1e-6 * 34)
    assert torch.sigmoid(torch.tensor(37.0, dtype=torch.float64)) == 1.0  # why the logits stop at 34


def test_bce_wrong_answers_near_the_reference_fail():
    for wrong in (lambda z, y: L.bce_reference(z, y) * (1 + 1e-3),
                  lambda z, y: L.bce_reference(z, y) + 1e-3,
                  lambda z, y: L.bce_reference(z, 1 - y),
                  # the shared near misses of tests/test_factor_hints.py, which skips this custom check
                  lambda z, y: L.bce_reference(z, y) * 1.01,
                  lambda z, y: -L.bce_reference(z, y),
                  lambda z, y: L.bce_reference(z, y) + 1):
        assert not L.bce_exercise.evaluate(wrong).ok
