"""Lesson 08's two checks with their own `evaluate` (tests/test_factor_hints.py skips their near
misses), and the inputs that make the declared mistakes show."""
import math

import numpy as np
import pytest
import torch

from helpers import depth as D
from helpers.checks import lesson08 as L

pytestmark = pytest.mark.timeout(120)

NEAR_MISSES = {
    "1 % too large": lambda v: v * 1.01,
    "sign flipped": lambda v: -v,
    "shifted by one": lambda v: v + 1,
    "transposed": lambda v: v.T.contiguous(),
}


@pytest.mark.parametrize("how", NEAR_MISSES)
def test_softmax_near_misses_fail(how):
    change = NEAR_MISSES[how]
    result = L.stable_softmax.evaluate(lambda O: change(torch.softmax(O, dim=1)))
    assert not result.ok, result.message


@pytest.mark.parametrize("right", [
    lambda O: torch.softmax(O, dim=1),
    lambda O: torch.exp(O - torch.logsumexp(O, dim=1, keepdim=True)),
    lambda O: (lambda E: E / E.sum(dim=1, keepdim=True))(torch.exp(O - O.max(dim=1, keepdim=True).values)),
    lambda O: (lambda E: E / E.sum(1, keepdim=True))(torch.exp(O - O.max(1)[0][:, None])),
])
def test_softmax_right_answers_pass(right):
    assert L.stable_softmax.evaluate(right).ok


def test_softmax_inputs_catch_each_way_to_shift():
    """Square inputs (a maximum without keepdim broadcasts silently); a row whose own spread
    exceeds float64's exponent range (the minimum is no safe shift); rows far apart (one
    maximum for the batch is none)."""
    assert all(O.shape[0] == O.shape[1] for (O,) in L.SOFTMAX_INPUTS)
    spreads = [float((O.max(dim=1).values - O.min(dim=1).values).max()) for (O,) in L.SOFTMAX_INPUTS]
    assert max(spreads) > math.log(torch.finfo(torch.float64).max)
    row_max = [O.max(dim=1).values for (O,) in L.SOFTMAX_INPUTS]
    assert max(float(m.max() - m.min()) for m in row_max) > 745  # e^-745 underflows to 0 in float64


def test_a_symptom_keeps_its_diagnosis():
    """The learner sees where it went wrong (the input, NaN) and then the lesson's hint."""
    text = L.stable_softmax.evaluate(L._naive).message
    assert "input 2" in text and "NaN" in text and L.OVERFLOW in text


def test_softmax_unrecognised_mistake_gets_the_common_message():
    result = L.stable_softmax.evaluate(lambda O: torch.softmax(O, dim=1) ** 2)
    assert not result.ok and "Hint" not in result.message


# --------------------------------------------------------------------------- the gain
def _within_two(gain: float) -> bool:
    """The verdict from autograd's norms, not from the check's own helper."""
    norms = D.autograd_norms(L.DEPTH, L.ACTIVATION, gain)
    return L.LOW <= norms[0] / norms[-1] <= L.HIGH


@pytest.mark.parametrize("gain", [0.5, 0.9, 1.0, 1.05, 1.08, 1.1, 1.12, 1.15, 1.19, 1.25, 1.3, math.sqrt(2),
                                  5 / 3, 3.0])
def test_gain_verdict_agrees_with_autograd(gain):
    assert L.tanh_gain.evaluate(gain).ok == _within_two(gain)


def test_gain_near_misses_fail():
    """The accepted gains form a narrow range: 1 % beyond its ends fails, and so do the schemes
    a learner could read off lesson 08's table (they keep 20 layers within 10×, not 50 within 2×)."""
    grid = np.linspace(1.0, 1.35, 141)
    accepted = [g for g in grid if L.tanh_gain.evaluate(float(g)).ok]
    assert accepted and L.tanh_gain.evaluate(L.tanh_gain.reference).ok
    lo, hi = min(accepted), max(accepted)
    assert not L.tanh_gain.evaluate(lo / 1.01).ok and not L.tanh_gain.evaluate(hi * 1.01).ok
    for scheme in D.SCHEMES.values():
        assert not L.tanh_gain.evaluate(scheme).ok
    assert not L.tanh_gain.evaluate(-L.tanh_gain.reference).ok
    assert not L.tanh_gain.evaluate(L.tanh_gain.reference + 1).ok


def test_a_slider_position_passes():
    """The explorer's gain slider (10^(−1 + 0.05 k)) can reach an accepted gain."""
    from helpers.widgets.depth_explorer import GAIN_EXPONENTS, GAIN_STEP

    positions = 10 ** np.arange(GAIN_EXPONENTS[0], GAIN_EXPONENTS[1] + 1e-9, GAIN_STEP)
    assert any(L.tanh_gain.evaluate(float(g)).ok for g in positions)


@pytest.mark.parametrize("answer", [None, ..., "1.1", True, math.nan, math.inf])
def test_gain_odd_answers_get_a_message(answer):
    result = L.tanh_gain.evaluate(answer)
    assert not result.ok and result.message.startswith("✗")


# --------------------------------------------------------------------------- the inputs of the other checks
def test_batch_inputs():
    assert all(O.shape == (L.N_BATCH, L.N_CLASSES) for O, _ in L.CE_INPUTS)
    assert [int(y.max()) for _, y in L.CE_INPUTS] == [2, 1, 2]  # input 2: F.one_hot(y) is a column short


def test_embedding_inputs_repeat_rows_and_leave_one_unused():
    for G_E, idx, V in L.EMBEDDING_INPUTS:
        counts = torch.bincount(idx, minlength=V)
        assert counts.max() > 1 and (counts == 0).any() and G_E.shape[0] == idx.shape[0]


def test_embedding_reference_is_the_scatter_add():
    for G_E, idx, V in L.EMBEDDING_INPUTS:
        by_hand = torch.zeros(V, G_E.shape[1], dtype=G_E.dtype).index_add_(0, idx, G_E)
        torch.testing.assert_close(L.autograd_embedding_grad(G_E, idx, V), by_hand, rtol=0, atol=0)
