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
    for X, G in L.scale_grad_exercise.inputs:
        s = torch.randn(1, X.shape[1], dtype=X.dtype, requires_grad=True)
        (X * s).backward(gradient=G)
        torch.testing.assert_close(s.grad, L.scale_grad_reference(X, G), rtol=1e-12, atol=1e-12)


def test_scale_grad_inputs_have_several_sizes():
    """A mean for a sum is then no constant factor, and N ≠ n_in keeps the two sums apart."""
    sizes = {X.shape[0] for X, _ in L.scale_grad_exercise.inputs}
    assert len(sizes) > 1 and all(X.shape[0] != X.shape[1] for X, _ in L.scale_grad_exercise.inputs)


def _exact_bce(z: float, t: float) -> float:
    p = 1 / (1 + sympy.exp(-sympy.Float(z, 40)))
    return float(-(t * sympy.log(p) + (1 - t) * sympy.log(1 - p)))


def test_bce_reference_is_exact_and_agrees_with_pytorch():
    for z, t in L.bce_exercise.inputs:
        ours = L.bce_reference(z, t)
        for zi, ti, oi in zip(z.tolist(), t.tolist(), ours.tolist()):
            assert math.isclose(oi, _exact_bce(zi, ti), rel_tol=1e-14, abs_tol=1e-300)
        torch.testing.assert_close(ours, F.binary_cross_entropy_with_logits(z, t, reduction="none"),
                                   rtol=1e-6, atol=1e-6)


def test_bce_logits_are_where_the_naive_form_loses_digits_but_stays_finite():
    z = torch.tensor(L.BCE_LOGITS, dtype=torch.float64)
    naive = L._bce_naive(z, torch.zeros_like(z))
    assert torch.isfinite(naive).all()
    assert not torch.allclose(naive, L.bce_reference(z, torch.zeros_like(z)), rtol=1e-6, atol=1e-6 * 34)
    assert torch.sigmoid(torch.tensor(37.0, dtype=torch.float64)) == 1.0  # why the logits stop at 34


def test_bce_wrong_answers_near_the_reference_fail():
    for wrong in (lambda z, t: L.bce_reference(z, t) * (1 + 1e-3),
                  lambda z, t: L.bce_reference(z, t) + 1e-3,
                  lambda z, t: L.bce_reference(z, 1 - t)):
        assert not L.bce_exercise.evaluate(wrong).ok
