"""The depth explorer without a browser: set the controls, check status, plotted data, redraws."""
import math
import warnings

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers.depth import SCHEMES, gradient_profile
from helpers.widgets import CSS, FigureView
from helpers.widgets.depth_explorer import DEPTH_RANGE, GAIN_EXPONENTS, DepthExplorer


pytestmark = pytest.mark.filterwarnings("error")  # every warning fails a test


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = DepthExplorer()
    yield e
    plt.close(e.fig)


def finite_plot_data(e):
    for line in (e.line, e.last_dot):
        for data in (line.get_xdata(), line.get_ydata()):
            arr = np.asarray(data, dtype=float)
            assert arr.size and np.all(np.isfinite(arr))
    y = np.asarray(e.line.get_ydata(), dtype=float)
    lo, hi = e.ax.get_ylim()
    assert np.all(y > 0) and np.all((y >= lo * 0.999) & (y <= hi * 1.001))  # on the log axis, in view


def setting(e, depth=None, activation=None, init=None, gain=None, residual=None):
    if depth is not None:
        e.depth.value = depth
    if activation is not None:
        e.activation.value = activation
    if init is not None:
        e.init.value = init
    if gain is not None:
        e.gain.value = gain
    if residual is not None:
        e.residual.value = residual
    return e.profile


def test_structure_css_and_keyboard_controls(explorer):
    e = explorer
    assert isinstance(e.widget, W.VBox) and CSS["depth_explorer"] in e.widget._dom_classes
    for control, css in ((e.depth, "depth_depth"), (e.activation, "depth_activation"), (e.init, "depth_init"),
                         (e.gain, "depth_gain"), (e.residual, "depth_residual"), (e.status, "depth_status")):
        assert CSS[css] in control._dom_classes
    # every control is a native, focusable ipywidget (arrow keys, Home/End, Tab, Space)
    assert isinstance(e.depth, W.IntSlider) and (e.depth.min, e.depth.max) == DEPTH_RANGE
    assert isinstance(e.gain, W.FloatLogSlider) and (e.gain.min, e.gain.max) == GAIN_EXPONENTS
    assert isinstance(e.activation, W.ToggleButtons) and isinstance(e.init, W.Dropdown)
    assert isinstance(e.view, FigureView) and CSS["depth_plot"] in e.view.output._dom_classes
    assert e.view.render()[:8] == b"\x89PNG\r\n\x1a\n"


def test_default_is_healthy_tanh(explorer):
    p = setting(explorer, depth=20, activation="tanh", init="Xavier", residual=False)
    ref = gradient_profile(20, "tanh", 1.0)
    np.testing.assert_array_equal(p.norms, ref.norms)
    assert "healthy" in explorer.status.value and f"{ref.ratio:.2g}" in explorer.status.value
    np.testing.assert_allclose(explorer.line.get_ydata(), ref.norms / ref.norms[-1])


def test_scheme_and_gain_stay_in_step(explorer):
    setting(explorer, init="Kaiming")
    assert explorer.gain.value == pytest.approx(math.sqrt(2))
    setting(explorer, gain=3.0)
    assert explorer.init.value == "custom" and explorer.profile.gain == pytest.approx(3.0, rel=1e-9)
    setting(explorer, gain=2.0)
    assert explorer.init.value == "too large"
    setting(explorer, init="custom")
    assert explorer.gain.value == pytest.approx(2.0)  # custom keeps the slider where it is


def test_one_update_per_change(explorer, monkeypatch):
    calls = []
    original = explorer.update
    monkeypatch.setattr(explorer, "update", lambda: (calls.append(1), original()))
    setting(explorer, init="Xavier")
    setting(explorer, gain=5.0)
    assert len(calls) == 2


@pytest.mark.parametrize("activation,init,status", [
    ("sigmoid", "Xavier", "vanishing"), ("tanh", "Xavier", "healthy"), ("relu", "Kaiming", "healthy"),
    ("relu", "too large", "exploding"), ("tanh", "too small", "vanishing"),
])
def test_statuses(explorer, activation, init, status):
    p = setting(explorer, depth=50, activation=activation, init=init, residual=False)
    assert p.status == status and status in explorer.status.value and status in explorer.ax.get_title()
    finite_plot_data(explorer)


def test_extremes_of_every_slider(explorer):
    for depth in DEPTH_RANGE:
        for activation in ("sigmoid", "tanh", "relu"):
            for gain in (10 ** GAIN_EXPONENTS[0], 10 ** GAIN_EXPONENTS[1]):
                for residual in (False, True):
                    p = setting(explorer, depth=depth, activation=activation, gain=gain, residual=residual)
                    assert p.depth == depth and p.status in explorer.status.value
                    assert "nan" not in explorer.status.value.lower()
                    finite_plot_data(explorer)


def test_blit_unless_the_axis_changes(explorer):
    setting(explorer, depth=20, activation="tanh", init="Xavier", residual=False)
    before = explorer.view.full_redraws
    setting(explorer, depth=21)
    assert explorer.view.full_redraws == before
    setting(explorer, depth=50, activation="sigmoid")
    assert explorer.view.full_redraws == before + 1  # 1e-31 needs a wider y axis


def test_bad_arguments():
    for kwargs, error in (({"depth": 0}, ValueError), ({"depth": 2.0}, TypeError), ({"activation": "gelu"}, ValueError),
                          ({"init": "He"}, ValueError), ({"residual": 1}, TypeError)):
        with pytest.raises(error):
            DepthExplorer(**kwargs)


@settings(max_examples=25, deadline=None)
@given(depth=st.integers(*DEPTH_RANGE), activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
       log_gain=st.floats(*GAIN_EXPONENTS), residual=st.booleans(),
       init=st.sampled_from([*SCHEMES, "custom"]))
def test_random_settings(explorer, depth, activation, log_gain, residual, init):
    setting(explorer, depth=depth, activation=activation, gain=10 ** log_gain, residual=residual, init=init)
    assert explorer.profile.status in ("vanishing", "healthy", "exploding")
    assert explorer.profile.status in explorer.status.value
    finite_plot_data(explorer)


@pytest.mark.parametrize("depth", [1, 2, 10, 25, DEPTH_RANGE[1]])
def test_every_gain_slider_position_stays_inside_float64(depth):
    """Lesson 08 checks the gain slider's two ends at 50 layers and says every position in between
    stays inside float64 too: here is every position, for every activation, plain and residual,
    at several depths; at 50 layers the ends are the extremes (so the lesson's range, about
    1e-79 … 1e42, is the whole slider's)."""
    from helpers.depth import ACTIVATIONS, gradient_profiles
    from helpers.widgets.depth_explorer import GAIN_STEP

    n_steps = round((GAIN_EXPONENTS[1] - GAIN_EXPONENTS[0]) / GAIN_STEP)
    gains = [10 ** (GAIN_EXPONENTS[0] + k * GAIN_STEP) for k in range(n_steps + 1)]
    for activation in ACTIVATIONS:
        for residual in (False, True):
            ratios = []
            for p in gradient_profiles(depth, activation, gains, residual=residual):
                assert p.note == "" and math.isfinite(p.ratio) and p.ratio > 0
                ratios.append(p.ratio)
            if depth == DEPTH_RANGE[1]:  # at the lesson's 50 layers, the slider's ends are its extremes
                assert ratios[0] == min(ratios) and ratios[-1] == max(ratios)
