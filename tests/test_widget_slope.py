"""helpers.widgets.slope: the slope explorer, driven without a browser."""
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.widgets import CSS
from helpers.widgets.slope import H_EXPONENTS, SlopeExplorer


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = SlopeExplorer()
    yield e
    plt.close(e.view.fig)


def _set(e, x=None, h=None, dtype=None, method=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if x is not None:
            e.x_slider.value = x
        if h is not None:
            e.h_slider.value = h
        if dtype is not None:
            e.dtype.value = dtype
        if method is not None:
            e.method.value = method
        e.update()  # also when no value changed
    return e.state()


def _assert_finite_plot(e):
    for line in e.ax.get_lines() + e.ax_err.get_lines():
        for data in (line.get_xdata(), line.get_ydata()):
            assert np.all(np.isfinite(np.asarray(data, dtype=float))), line.get_label()
    y = np.asarray(e.error_curve.get_ydata(), dtype=float)
    assert np.all(y > 0)  # drawable on log axes


def test_css_classes_and_root(explorer):
    assert CSS["slope_x"] in explorer.x_slider._dom_classes
    assert CSS["slope_h"] in explorer.h_slider._dom_classes
    assert CSS["slope_readout"] in explorer.readout._dom_classes
    assert CSS["slope_plot"] in explorer.view.output._dom_classes
    assert explorer.view.output in explorer.widget.children
    assert (explorer.h_slider.min, explorer.h_slider.max) == H_EXPONENTS


def test_readout_shows_estimate_true_slope_and_error(explorer):
    s = _set(explorer, x=1.0, h=1e-2, dtype="float64", method="central")
    assert s["true"] == pytest.approx(math.cos(1.0))
    assert s["error"] == pytest.approx(math.cos(1.0) * 1e-4 / 6, rel=1e-3)  # h²·|f‴|/6
    text = explorer.readout.value
    assert f"{s['estimate']:.10g}" in text and "0.5403023059" in text and f"{s['error']:.2e}" in text
    assert "truncation error dominates" in text


def test_secant_and_tangent_follow_the_controls(explorer):
    s = _set(explorer, x=0.5, h=0.5, dtype="float64", method="central")
    xs, ys = explorer.secant.get_xdata(), explorer.secant.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(s["estimate"])
    assert list(explorer.points.get_xdata()) == pytest.approx([0.0, 1.0])
    xs, ys = explorer.tangent.get_xdata(), explorer.tangent.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(math.cos(0.5))
    s = _set(explorer, method="forward")
    assert list(explorer.points.get_xdata()) == pytest.approx([0.5, 1.0])
    assert list(explorer.error_dot.get_xdata()) == pytest.approx([0.5])


def test_float32_tiny_h_is_a_message_not_a_crash(explorer):
    s = _set(explorer, x=1.0, h=1e-12, dtype="float32", method="central")
    assert s["estimate"] == 0.0 and s["status"][0] == "warn"
    assert "x + h rounds back to x" in explorer.readout.value
    s = _set(explorer, dtype="float64")
    assert s["estimate"] != 0.0 and "round-off error dominates" in explorer.readout.value
    _assert_finite_plot(explorer)


def test_sweet_spot_status(explorer):
    _set(explorer, x=1.0, h=10 ** -5.25, dtype="float64", method="central")
    assert "near the sweet spot" in explorer.readout.value


def test_bad_construction_arguments():
    with pytest.raises(TypeError):
        SlopeExplorer(f="sin")
    with pytest.raises(ValueError, match="x_range"):
        SlopeExplorer(x_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="x must lie"):
        SlopeExplorer(x=5.0)
    with pytest.raises(ValueError, match="h must lie"):
        SlopeExplorer(h=0.0)


def _check_state(e, s):
    if math.isfinite(s["estimate"]):
        assert math.isfinite(s["error"])
    else:
        assert s["status"][0] == "error" and "overflow" in e.readout.value
    assert s["status"][1] in e.readout.value
    _assert_finite_plot(e)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("method", ["central", "forward"])
def test_every_slider_endpoint(explorer, dtype, method):
    for x in (explorer.x_slider.min, 0.0, explorer.x_slider.max):
        for h in (10.0 ** H_EXPONENTS[0], 10.0 ** H_EXPONENTS[1]):
            _check_state(explorer, _set(explorer, x=x, h=h, dtype=dtype, method=method))


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-3.0, 3.0), exponent=st.floats(H_EXPONENTS[0], H_EXPONENTS[1]),
       dtype=st.sampled_from(["float64", "float32"]), method=st.sampled_from(["central", "forward"]))
def test_hypothesis_sweep_of_every_control(explorer, x, exponent, dtype, method):
    s = _set(explorer, x=x, h=10.0 ** exponent, dtype=dtype, method=method)
    _check_state(explorer, s)


def test_a_steep_function_keeps_the_plot_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = SlopeExplorer(lambda t: torch.exp(t * 30), lambda t: 30 * torch.exp(t * 30), label="exp(30x)")
        try:
            for x in (-3.0, 3.0):
                for h in (1e-12, 1.0):
                    _check_state(e, _set(e, x=x, h=h, dtype="float32"))
            assert "f overflows in float32" in e.readout.value  # x = 3, h = 1: exp(120) > 3e38
        finally:
            plt.close(e.view.fig)


def test_the_methods_are_named_in_the_learners_language(monkeypatch):
    from helpers import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    monkeypatch.setattr(i18n, "cjk_font", lambda: "WenQuanYi Micro Hei")  # a figure that can draw Chinese
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the glyphs themselves: tests/test_translation.py draws them
        e = SlopeExplorer(h=1e-2)
        try:
            assert e.method.options == (("中心差分", "central"), ("前向差分", "forward")) and e.method.value == "central"
            assert e.method.description == "方法"
            assert "（float64，中心差分）" in e.readout.value
            assert "中心差分" in e.ax_err.get_title()
            e.method.value = "forward"
            assert e.state()["method"] == "forward" and "（float64，前向差分）" in e.readout.value
            assert "前向差分" in e.ax_err.get_title() and "forward" not in e.ax_err.get_title()
        finally:
            plt.close(e.view.fig)
