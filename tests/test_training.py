"""Tests of helpers.training: both back-ends, the stability formulas, divergence without warnings."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers.training import (DATA_X, DATA_Y, DIVERGENCE_BOUND, Trajectory, cost, divergence_lr, epoch_factor,
                              sgd_trajectory, stability_threshold, step_factors, trajectory_status)


pytestmark = pytest.mark.filterwarnings("error")  # every warning fails a test


def test_source_program_numbers():
    t = sgd_trajectory(3.0, 0.01, 100)
    assert isinstance(t, Trajectory)
    assert t.ws.shape == (101,) and t.losses.shape == (100,) and t.costs.shape == (101,)
    assert t.ws[0] == 3.0 and 3.0 * 4 == 12.0
    assert t.prediction(4) == pytest.approx(8.0, abs=1e-9)
    assert t.status == "converged" and t.final_w == pytest.approx(2.0, abs=1e-12)
    # first epoch, by hand: the last sample (x=3, y=6) is seen at w after two steps
    w = 3.0
    for x, y in zip(DATA_X[:2], DATA_Y[:2]):
        w -= 0.01 * 2 * x * (x * w - y)
    assert t.losses[0] == pytest.approx((3 * w - 6) ** 2, rel=1e-15)
    assert np.all(np.diff(t.losses) < 0)


@pytest.mark.parametrize("mode", ["per_sample", "batch"])
@pytest.mark.parametrize("lr,w0,epochs", [(0.01, 3.0, 100), (0.1, -10.0, 30), (0.2, 7.0, 50), (0.3, -10.0, 400),
                                         (1e-4, 10.0, 5)])
def test_autograd_agrees_with_closed_form(mode, lr, w0, epochs):
    a = sgd_trajectory(w0, lr, epochs, mode=mode)
    b = sgd_trajectory(w0, lr, epochs, mode=mode, backend="autograd")
    assert a.status == b.status and a.diverged_at == b.diverged_at
    for name in ("ws", "losses", "costs", "step_ws"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(np.isfinite(x), np.isfinite(y)), name
        ok = np.isfinite(x)
        np.testing.assert_allclose(x[ok], y[ok], rtol=1e-12, atol=1e-300, err_msg=name)


def test_per_sample_autograd_is_bit_identical():
    a, b = sgd_trajectory(3.0, 0.05, 50), sgd_trajectory(3.0, 0.05, 50, backend="autograd")
    assert np.array_equal(a.step_ws, b.step_ws) and np.array_equal(a.losses, b.losses)


def test_batch_is_gradient_descent_on_cost():
    t = sgd_trajectory(3.0, 0.01, 3, mode="batch")
    w = 3.0
    for k in range(3):
        grad = sum(2 * x * (x * w - y) for x, y in zip(DATA_X, DATA_Y)) / 3
        assert t.losses[k] == pytest.approx(cost(w))
        w -= 0.01 * grad
        assert t.ws[k + 1] == pytest.approx(w, rel=1e-14)
    assert t.step_ws.shape == (4,)


def test_step_and_epoch_factors():
    lr = 0.03
    a = step_factors(lr)
    assert a == pytest.approx(tuple(1 - 2 * lr * x * x for x in DATA_X))
    w = 5.0
    for x, y, f in zip(DATA_X, DATA_Y, a):
        new = w - lr * 2 * x * (x * w - y)
        assert new - 2 == pytest.approx(f * (w - 2))
        w = new
    t = sgd_trajectory(5.0, lr, 4)
    assert (t.ws[1:] - 2) / (t.ws[:-1] - 2) == pytest.approx(epoch_factor(lr))
    assert epoch_factor(lr, mode="batch") == pytest.approx(1 - 2 * lr * 14 / 3)


def test_thresholds():
    assert stability_threshold() == pytest.approx(1 / 9)
    assert stability_threshold([0.5, -4.0]) == pytest.approx(1 / 16)
    assert divergence_lr(mode="batch") == pytest.approx(3 / 14)
    edge = divergence_lr()
    assert abs(epoch_factor(edge)) == pytest.approx(1.0)
    assert abs(epoch_factor(edge * 0.99)) < 1 < abs(epoch_factor(edge * 1.01))
    assert stability_threshold() < edge


def test_status_each_kind():
    assert sgd_trajectory(3.0, 0.01, 100).status == "converged"
    assert sgd_trajectory(-10.0, 1e-4, 100).status == "slow"
    assert sgd_trajectory(-10.0, 0.2, 20).status == "oscillating"
    assert sgd_trajectory(-10.0, 0.3, 5).status == "diverged"
    assert sgd_trajectory(2.0, 0.3, 100).status == "converged"  # w0 is the answer: nothing moves


def test_divergence_stops_at_bound_without_warnings():
    t = sgd_trajectory(-10.0, 0.3, 2000)
    assert t.status == "diverged" and t.diverged_at is not None
    k = t.diverged_at
    assert np.all(np.isfinite(t.ws[:k])) and np.all(np.isnan(t.ws[k + 1:]))
    assert abs(t.ws[k - 1]) <= DIVERGENCE_BOUND < abs(t.ws[k])
    assert math.isnan(t.final_w) and math.isnan(t.prediction(4))
    huge = sgd_trajectory(1.0, 1e6, 50, x=[1e100], y=[1.0])
    assert huge.status == "diverged"


def test_trajectory_status_precedence():
    ws = np.array([3.0, 2.0])
    assert trajectory_status(ws, ws, 0.5, 2.0, diverged=True) == "diverged"
    assert trajectory_status(ws, ws, 0.5, 2.0, diverged=False) == "converged"
    assert trajectory_status(np.array([3.0, 2.5]), np.array([3.0, 1.0, 2.5]), 0.5, 2.0, False) == "oscillating"
    assert trajectory_status(np.array([3.0, 2.5]), np.array([3.0, 2.7, 2.5]), 0.5, 2.0, False) == "slow"


def test_cost_vectorised():
    assert cost(2.0) == 0.0
    assert cost(3.0) == pytest.approx((1 + 4 + 9) / 3)
    np.testing.assert_allclose(cost(np.array([2.0, 3.0])), [0.0, 14 / 3])
    assert math.isnan(cost(1e200))


@pytest.mark.parametrize("kwargs,error", [
    (dict(w0="3"), TypeError), (dict(w0=math.nan), ValueError), (dict(lr=0.0), ValueError),
    (dict(lr=-0.1), ValueError), (dict(lr=True), TypeError), (dict(epochs=0), ValueError),
    (dict(epochs=2.5), TypeError), (dict(x=[1.0], y=[1.0, 2.0]), ValueError), (dict(x=[], y=[]), ValueError),
    (dict(x="123"), TypeError), (dict(mode="minibatch"), ValueError), (dict(backend="jax"), ValueError),
])
def test_bad_input(kwargs, error):
    args = dict(w0=3.0, lr=0.01, epochs=10) | kwargs
    with pytest.raises(error):
        sgd_trajectory(**args)


def test_bad_input_helpers():
    with pytest.raises(ValueError):
        stability_threshold([0.0, 0.0])
    with pytest.raises(TypeError):
        stability_threshold(3.0)
    with pytest.raises(ValueError):
        divergence_lr(mode="nope")
    with pytest.raises(ValueError):
        step_factors(-1.0)
    with pytest.raises(ValueError):
        epoch_factor(0.1, mode="nope")
    with pytest.raises(TypeError):
        sgd_trajectory(3.0, 0.01, 5).prediction("4")


@settings(max_examples=60, deadline=None)
@given(w0=st.floats(-10, 10), log_lr=st.floats(-4, math.log10(0.3)), epochs=st.integers(1, 300),
       mode=st.sampled_from(["per_sample", "batch"]))
def test_any_setting_is_handled(w0, log_lr, epochs, mode):
    t = sgd_trajectory(w0, 10 ** log_lr, epochs, mode=mode)
    # the status must agree with what the run did: the factor A and the distance to w*
    e0, e_n = abs(t.ws[0] - t.fixed_point), abs(t.ws[-1] - t.fixed_point)
    if t.status == "diverged":
        assert t.diverged_at is not None or (abs(t.epoch_factor) > 1 and e_n > e0)
    elif t.status == "converged":
        assert e_n <= 1e-6 * max(1.0, abs(t.fixed_point))
    else:
        assert t.status in ("slow", "oscillating") and e_n > 1e-6 * max(1.0, abs(t.fixed_point))
        crosses = np.any(np.diff(np.sign(t.step_ws - t.fixed_point)) != 0)
        assert crosses == (t.status == "oscillating")
    assert t.ws.size == epochs + 1 and t.losses.size == epochs
    if t.status != "diverged":
        assert np.all(np.isfinite(t.ws)) and np.all(np.isfinite(t.losses))


@pytest.mark.parametrize("lr, epochs, status", [(0.01, 1000, "converged"), (1e-4, 10, "slow"),
                                                (0.15, 3, "oscillating"), (0.3, 50, "diverged")])
def test_each_status_names_what_the_run_did(lr, epochs, status):
    t = sgd_trajectory(3.0, lr, epochs)
    assert t.status == status
    steps = t.step_ws[np.isfinite(t.step_ws)] - t.fixed_point
    crosses = bool(np.any(np.sign(steps[1:]) != np.sign(steps[:-1])))
    assert crosses == (status in ("oscillating", "diverged"))  # lr > 1/18: the x = 3 step overshoots w*


@pytest.mark.parametrize("scale", [1e-200, 1e-150, 1e-100, 1e-5, 1e5, 1e100, 1e150])
@pytest.mark.parametrize("mode", ["per_sample", "batch"])
def test_thresholds_scale_as_one_over_x_squared_for_tiny_and_huge_x(scale, mode):
    """divergence_lr((1e-200,)) used to stop in NumPy's zero-size reduction: x² underflowed to 0.
    The thresholds are lr·x² invariants, so scaling x by c divides them by c²."""
    x = tuple(scale * v for v in DATA_X)
    expected = divergence_lr(DATA_X, mode) / scale / scale
    got = divergence_lr(x, mode)
    assert got == expected if math.isinf(expected) or expected == 0 else math.isclose(got, expected, rel_tol=1e-9)
    expected = stability_threshold(DATA_X) / scale / scale
    assert stability_threshold(x) == expected if math.isinf(expected) or expected == 0 else math.isclose(
        stability_threshold(x), expected, rel_tol=1e-12)


@pytest.mark.parametrize("x, lr", [((1e-200,), math.inf), ((1e200,), 0.0), ((0.0, 1e-200), math.inf)])
def test_thresholds_beyond_float64_are_inf_or_zero(x, lr):
    for mode in ("per_sample", "batch"):
        assert divergence_lr(x, mode) == lr
    assert stability_threshold(x) == lr


def test_thresholds_of_the_course_data_are_unchanged():
    assert divergence_lr(DATA_X) == 0.20401793840035706
    assert divergence_lr(DATA_X, "batch") == 3 / 14
    assert stability_threshold(DATA_X) == 1 / 9
