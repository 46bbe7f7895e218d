"""The learning-rate explorer without a browser: set sliders, check status, plotted data, final w."""
import math
import warnings

import ipywidgets as W
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers.training import sgd_trajectory
from helpers.widgets import CSS, FigureView
from helpers.widgets.explorer import LR_RANGE, LearningRateExplorer


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return LearningRateExplorer()


def finite_plot_data(e):
    for name, line in e.lines.items():
        for data in (line.get_xdata(), line.get_ydata()):
            assert np.all(np.isfinite(np.asarray(data, dtype=float))), name


def set_sliders(e, lr, w0, epochs):
    e.lr.value, e.w0.value, e.epochs.value = lr, w0, epochs


def test_structure_and_css(explorer):
    e = explorer
    assert isinstance(e.widget, W.VBox) and "explorer" in e.widget._dom_classes
    assert isinstance(e.lr, W.FloatLogSlider) and CSS["explorer_lr"] in e.lr._dom_classes
    assert isinstance(e.w0, W.FloatSlider) and CSS["explorer_w0"] in e.w0._dom_classes
    assert isinstance(e.epochs, W.IntSlider) and CSS["explorer_epochs"] in e.epochs._dom_classes
    assert CSS["explorer_status"] in e.status._dom_classes
    assert isinstance(e.view, FigureView) and CSS["explorer_plot"] in e.view.output._dom_classes
    assert e.backend not in e.widget.children  # toggle hidden by default
    assert e.lr.min <= math.log10(1 / 9) <= e.lr.max and 0 < e.lr.step <= 0.1


def test_default_is_the_source_program(explorer):
    set_sliders(explorer, 0.01, 3.0, 100)
    t = explorer.trajectory
    assert t.status == "converged" and t.final_w == pytest.approx(2.0)
    assert "converged" in explorer.status.value and "8.000000" in explorer.status.value
    np.testing.assert_allclose(explorer.lines["loss"].get_ydata(), t.losses)
    np.testing.assert_allclose(explorer.lines["epochs"].get_xdata(), t.ws[1:])
    assert explorer.lines["lr"].get_xdata()[0] == pytest.approx(0.01)


def test_slider_change_updates_without_full_redraw(explorer):
    set_sliders(explorer, 0.01, 3.0, 100)
    explorer.lr.value = 0.011
    assert explorer.trajectory.lr == pytest.approx(0.011)
    before = explorer.view.full_redraws
    explorer.update()
    assert explorer.view.full_redraws == before  # limits unchanged: blit only
    explorer.epochs.value = 50
    assert explorer.view.full_redraws == before + 1  # new epoch axis: background redrawn
    assert explorer.view.render()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lr,w0,epochs,status", [
    (0.01, 3.0, 100, "converged"), (1e-4, -10.0, 100, "slow"), (0.2, -10.0, 20, "oscillating"),
    (0.3, -10.0, 300, "diverged"), (0.3, 10.0, 1, "diverged"),
])
def test_status_line(explorer, lr, w0, epochs, status):
    set_sliders(explorer, lr, w0, epochs)
    assert explorer.trajectory.status == status
    assert explorer.status.value.count(status) >= 1
    finite_plot_data(explorer)


def test_diverged_run_is_clipped(explorer):
    set_sliders(explorer, 0.3, -10.0, 300)
    t = explorer.trajectory
    assert t.diverged_at is None and abs(t.final_w) > 1e100  # 2.46× per epoch: not yet past the bound
    assert "diverged" in explorer.status.value and "nan" not in explorer.status.value.lower()
    loss_y = explorer.lines["loss"].get_ydata()
    assert loss_y.size < t.epochs and np.all(np.isfinite(loss_y))
    finite_plot_data(explorer)


@pytest.mark.parametrize("lr", [LR_RANGE[0], LR_RANGE[1]])
@pytest.mark.parametrize("w0", [-10.0, 2.0, 10.0])
@pytest.mark.parametrize("epochs", [1, 300])
def test_every_extreme(explorer, lr, w0, epochs):
    set_sliders(explorer, lr, w0, epochs)
    t = explorer.trajectory
    ref = sgd_trajectory(w0, explorer.lr.value, epochs)
    assert t.status == ref.status
    np.testing.assert_array_equal(t.ws, ref.ws)
    finite_plot_data(explorer)


def test_backend_toggle():
    e = LearningRateExplorer(backend="autograd", show_backend_toggle=True)
    assert e.backend in e.widget.children and CSS["explorer_backend"] in e.backend._dom_classes
    auto = e.trajectory
    e.backend.value = "closed_form"
    np.testing.assert_array_equal(e.trajectory.ws, auto.ws)


def test_bad_arguments():
    with pytest.raises(ValueError):
        LearningRateExplorer(backend="numpy")
    with pytest.raises(TypeError):
        LearningRateExplorer(show_backend_toggle="yes")
    with pytest.raises(ValueError):
        LearningRateExplorer(x=[1.0, 2.0], y=[1.0])


@settings(max_examples=20, deadline=None)
@given(log_lr=st.floats(math.log10(LR_RANGE[0]), math.log10(LR_RANGE[1])), w0=st.floats(-10, 10),
       epochs=st.integers(1, 300))
def test_random_settings(explorer, log_lr, w0, epochs):
    set_sliders(explorer, 10 ** log_lr, w0, epochs)
    assert explorer.trajectory.status in ("converged", "slow", "oscillating", "diverged")
    finite_plot_data(explorer)
