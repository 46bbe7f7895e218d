"""Tests of helpers.training: both back-ends, the stability formulas, divergence without warnings."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers.training import (DATA_X, DATA_Y, DIVERGENCE_BOUND, Trajectory, cost, divergence_lr, epoch_factor,
                              sgd_trajectory, stability_threshold, step_factors, trajectory_status, STATUSES)


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
    assert sgd_trajectory(-10.0, 1e-4, 100).status == "shrinking"
    assert sgd_trajectory(-10.0, 0.2, 20).status == "shrinking"  # steps cross w*, ends of epochs do not
    assert sgd_trajectory(3.0, 0.105, 50, x=[3.0], y=[6.0]).status == "alternating"
    assert sgd_trajectory(3.0, 1 / 16, 100, x=[4.0], y=[8.0]).status == "constant"  # r = −1 exactly
    assert sgd_trajectory(-10.0, 0.3, 5).status == "diverged"
    assert sgd_trajectory(2.0, 0.3, 100).status == "converged"  # w0 is the answer: nothing moves
    assert set(STATUSES) == {"converged", "shrinking", "alternating", "constant", "diverged"}


def test_the_runs_lesson_02_once_called_oscillating_converge():
    """lr 0.105 and 0.117 (just below and above 1/9) converge with all three samples: the status
    names what w − w* does, so a run that gets there is never called anything else."""
    for lr in (0.105, 0.117):
        t = sgd_trajectory(3.0, lr, 100)
        assert t.status == "converged" and t.epoch_factor < 0


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
    assert trajectory_status(ws, 0.5, 2.0, diverged=True) == "diverged"
    assert trajectory_status(ws, 0.5, 2.0, diverged=False) == "converged"
    assert trajectory_status(ws, 1.5, 2.0, diverged=False) == "converged"  # there already, though |A| > 1
    assert trajectory_status(np.array([3.0, 1.5]), -0.5, 2.0, False) == "alternating"
    assert trajectory_status(np.array([3.0, 2.5]), 0.5, 2.0, False) == "shrinking"
    assert trajectory_status(np.array([3.0, 1.0]), -1.0, 2.0, False) == "constant"
    assert trajectory_status(np.array([3.0, 4.0]), 2.0, 2.0, False) == "diverged"
    assert trajectory_status(np.array([3.0, 5.0]), 1.0, math.nan, False) == "diverged"  # A = 1, B ≠ 0
    assert trajectory_status(np.array([3.0, 3.0]), 1.0, math.nan, False) == "constant"


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
        assert t.status in ("shrinking", "alternating", "constant") and e_n > 1e-6 * max(1.0, abs(t.fixed_point))
        assert (t.status == "alternating") == (t.epoch_factor < 0 and abs(t.epoch_factor) < 1)
        errors = t.ws - t.fixed_point  # the ends of epochs: sign kept, or alternating with A < 0
        visible = errors[np.abs(errors) > 1e-9 * max(1.0, abs(t.fixed_point))]
        signs = np.sign(visible)
        flips = signs[1:] != signs[:-1]
        assert np.all(flips) if t.epoch_factor < 0 else not np.any(flips)
        shrinks = np.abs(visible[1:]) <= np.abs(visible[:-1]) * (1 + 1e-9)
        assert np.all(shrinks)  # never grows (and for "constant" keeps its size)
    assert t.ws.size == epochs + 1 and t.losses.size == epochs
    if t.status != "diverged":
        assert np.all(np.isfinite(t.ws)) and np.all(np.isfinite(t.losses))


@pytest.mark.parametrize("lr, epochs, x, status", [
    (0.01, 1000, DATA_X, "converged"), (1e-4, 10, DATA_X, "shrinking"), (0.15, 3, DATA_X, "shrinking"),
    (0.105, 20, (3.0,), "alternating"), (0.3, 50, DATA_X, "diverged")])
def test_each_status_names_what_the_distance_did(lr, epochs, x, status):
    t = sgd_trajectory(3.0, lr, epochs, x=x, y=[2 * v for v in x])
    assert t.status == status
    ends = t.ws[np.isfinite(t.ws)] - t.fixed_point
    assert bool(np.any(np.sign(ends[1:]) != np.sign(ends[:-1]))) == (status == "alternating")
    grows = bool(np.all(np.abs(ends[1:]) > np.abs(ends[:-1])))
    assert grows == (status == "diverged")
    steps = t.step_ws[np.isfinite(t.step_ws)] - t.fixed_point
    crosses = bool(np.any(np.sign(steps[1:]) != np.sign(steps[:-1])))
    assert crosses == (lr > 1 / (2 * max(x) ** 2))  # a step overshoots w* exactly when lr > 1/(2 max x²)


def test_noisy_data_hover_and_the_order_matters():
    """Per-sample SGD at a fixed lr on noisy y: the steps keep moving (no single w fits every
    sample), and the ends of epochs settle at a point that depends on the order; batch gradient
    descent settles at the least-squares w."""
    y = (2.3, 3.6, 6.4)
    w_ls = sum(a * b for a, b in zip(DATA_X, y)) / sum(a * a for a in DATA_X)
    forward = sgd_trajectory(3.0, 0.05, 300, y=y)
    reverse = sgd_trajectory(3.0, 0.05, 300, x=DATA_X[::-1], y=y[::-1])
    batch = sgd_trajectory(3.0, 0.05, 300, y=y, mode="batch")
    assert forward.status == reverse.status == batch.status == "converged"  # to each one's own w*
    assert forward.epoch_factor == pytest.approx(reverse.epoch_factor, rel=1e-12)  # same A, another w*
    assert abs(forward.fixed_point - reverse.fixed_point) > 1e-3
    assert batch.fixed_point == pytest.approx(w_ls, rel=1e-12) and abs(batch.final_w - w_ls) < 1e-9
    last_epoch = forward.step_ws[-4:]
    assert np.ptp(last_epoch) > 1e-2 and abs(forward.final_w - w_ls) > 1e-3


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
