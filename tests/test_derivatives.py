"""helpers.derivatives: the three-way table, error against h, and the tangent plot."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp
import torch

from helpers.derivatives import (CentralErrorModel, ErrorVsH, central_error_model, error_vs_h, estimate_slope,
                                 exact_slope, line_through, plot_error_vs_h, plot_tangent, three_way)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- three_way
def test_three_way_matches_the_closed_form():
    table = three_way("sin(x**2)", 0.7)
    (row,) = table.rows
    assert row.wrt == "x"
    assert row.sympy == pytest.approx(2 * 0.7 * math.cos(0.49), rel=1e-14)
    assert row.autograd == pytest.approx(row.sympy, rel=1e-14)
    assert row.numeric == pytest.approx(row.sympy, rel=1e-8)
    assert table.all_good and table.worst < 1e-7 and row.verdict == "good"


def test_three_way_accepts_sympy_expressions_lambdas_and_dicts():
    x = sp.Symbol("x")
    table = three_way({"expr": sp.exp(sp.sin(x)), "lambda": sp.Lambda(x, x**3), "string": "tanh(x)"}, 0.5)
    assert [r.function for r in table.rows] == ["expr", "lambda", "string"]
    expected = [math.exp(math.sin(0.5)) * math.cos(0.5), 3 * 0.25, 1 - math.tanh(0.5) ** 2]
    for row, want in zip(table.rows, expected):
        assert row.autograd == pytest.approx(want, rel=1e-12)


def test_three_way_several_variables_gives_one_row_per_wrt():
    loss = "-(y*log(1/(1+exp(-(w*x+b)))) + (1-y)*log(1-1/(1+exp(-(w*x+b)))))"
    at = {"w": 0.5, "b": -0.3, "x": 1.5, "y": 1.0}
    table = three_way(loss, at, wrt=["w", "b"])
    a = 1 / (1 + math.exp(-(0.5 * 1.5 - 0.3)))
    assert [r.wrt for r in table.rows] == ["w", "b"]
    assert table.rows[0].sympy == pytest.approx((a - 1) * 1.5, rel=1e-12)
    assert table.rows[1].sympy == pytest.approx(a - 1, rel=1e-12)
    assert table.all_good


def test_three_way_constant_in_wrt_gives_zero():
    (row,) = three_way("y**2", {"x": 1.0, "y": 2.0}, wrt="x").rows
    assert (row.sympy, row.numeric, row.autograd) == (0.0, 0.0, 0.0)


def test_three_way_text_and_html_reprs():
    table = three_way({"f(g(x))": "sin(x**2)"}, 0.7)
    text = str(table)
    assert text.splitlines()[0].split() == ["f", "d/d", "derivative", "(sympy)", "at", "sympy", "numeric",
                                            "autograd", "agreement"]
    assert "2·x·cos(x^2)" in text and "1.235266" in text and "good (< 1e-07)" in text
    assert repr(table) == text
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 2 and "1.235266" in html


@pytest.mark.parametrize("expr, at, kwargs, match", [
    (sp.Matrix([sp.Symbol("x"), 1]), 1.0, {}, "scalar"),
    ("sin(x**2)", 1.0, {"h": 0.0}, "positive"),
    ("sin(x**2)", 1.0, {"h": -1e-5}, "positive"),
    ("sin(x**2)", torch.tensor(2), {}, "floating-point"),
    ("sin(x**2)", torch.tensor([1.0, 2.0]), {}, "one number"),
    ("sin(x**2)", math.inf, {}, "finite"),
    ("log(x)", 0.0, {}, "pick another point"),
    ("x*y", 1.0, {}, "dict"),
    ("x*y", {"x": 1.0}, {}, "missing"),
    ("x*y", {"x": 1.0, "y": 2.0}, {"wrt": "z"}, "wrt"),
    ("sin(x", 1.0, {}, "expr could not be read"),
    ({}, 1.0, {}, "empty"),
])
def test_three_way_rejects_bad_input(expr, at, kwargs, match):
    with pytest.raises(ValueError, match=match):
        three_way(expr, at, **kwargs)


@pytest.mark.parametrize("expr, at", [(42, 1.0), ("x", "1.0"), ("x", True)])
def test_three_way_rejects_wrong_types(expr, at):
    with pytest.raises(TypeError):
        three_way(expr, at)


# --------------------------------------------------------------------------- error against h
def test_error_vs_h_has_the_u_shape():
    r64 = error_vs_h(torch.sin, torch.cos, 1.0)
    r32 = error_vs_h(torch.sin, torch.cos, 1.0, dtype=torch.float32)
    assert isinstance(r64, ErrorVsH) and r64.dtype == "float64" and r32.dtype == "float32"
    assert r64.slope == pytest.approx(math.cos(1.0))
    assert r64.hs.shape == r64.forward.shape == r64.central.shape
    assert 1e-7 <= r64.best_h("central") <= 1e-3  # the bottom of the U, near ∛ε ≈ 6e-6
    assert 1e-10 <= r64.best_h("forward") <= 1e-6  # near √ε ≈ 1.5e-8
    assert r64.min_error("central") < 1e-9 < r64.min_error("forward")
    assert r32.min_error("central") > 100 * r64.min_error("central")
    # both ends of the U are high: truncation at h = 1, round-off at h = 1e-15
    assert r64.central[-1] > 1e-2 and r64.central[0] > 1e-4
    # float32 at tiny h: x ± h rounds to x, the estimate is 0 and the error is |f′(x)|
    assert r32.central[0] == pytest.approx(math.cos(1.0))


def test_error_vs_h_takes_a_number_as_derivative_and_custom_steps():
    r = error_vs_h(lambda t: t**3, 3.0, 1.0, hs=[1e-1, 1e-2])
    assert r.central == pytest.approx([1e-2, 1e-4], rel=1e-6)  # central error of x³ is exactly h²
    assert r.forward == pytest.approx([0.31, 0.0301], rel=1e-6)  # 3h + h²


@pytest.mark.parametrize("kwargs, match", [
    ({"f": lambda t: torch.stack([t, t])}, "scalar"),
    ({"hs": [1e-3, 0.0]}, "h > 0"),
    ({"hs": [-1e-3]}, "h > 0"),
    ({"hs": []}, "non-empty"),
    ({"dtype": torch.int64}, "floating-point dtype"),
    ({"x0": torch.tensor(1)}, "floating-point"),
    ({"df": math.nan}, "finite"),
    ({"df": lambda t: torch.ones(3)}, "scalar"),
])
def test_error_vs_h_rejects_bad_input(kwargs, match):
    args = {"f": torch.sin, "df": torch.cos, "x0": 1.0, "hs": None, "dtype": torch.float64, **kwargs}
    with pytest.raises(ValueError, match=match):
        error_vs_h(**args)


def test_error_vs_h_rejects_wrong_types():
    with pytest.raises(TypeError):
        error_vs_h("sin", torch.cos, 1.0)
    with pytest.raises(TypeError):
        error_vs_h(torch.sin, torch.cos, 1.0, dtype="float64")


# --------------------------------------------------------------------------- the error model
def test_error_model_reads_f_and_its_derivatives_by_autograd():
    m = central_error_model(lambda t: t**3, 2.0)
    assert (m.x0, m.f0, m.df0, m.d3f0) == (2.0, 8.0, 12.0, 6.0)
    assert m.eps == torch.finfo(torch.float64).eps
    assert central_error_model(torch.sin, 1.0, torch.float32).eps == torch.finfo(torch.float32).eps
    # the point as the dtype stores it: 0.1 is not a float32 number
    assert central_error_model(torch.sin, 0.1, torch.float32).x0 == float(torch.tensor(0.1, dtype=torch.float32))


def test_error_model_terms_and_best_step():
    m = CentralErrorModel(x0=2.0, f0=8.0, df0=12.0, d3f0=6.0, eps=1e-16)
    assert m.truncation([1e-2]) == pytest.approx([1e-4])  # h²·6/6: exactly the central error of x³
    assert m.roundoff([1e-5]) == pytest.approx([1e-16 * (8 + 24) / 2e-5])
    assert m.roundoff([1e-5], include_points=False) == pytest.approx([1e-16 * 8 / 2e-5])
    assert m.best_h == pytest.approx((3 * 1e-16 * 32 / 12) ** (1 / 3))
    near = m.best_h * np.array([0.9, 0.99, 1.01, 1.1])
    assert np.all(m.total(near) > m.best_error)  # h* minimises the model
    assert m.best_error == pytest.approx(float(m.total([m.best_h])[0]))


def test_error_model_of_a_line_has_no_best_step():
    m = central_error_model(lambda t: 3 * t + 1, 2.0)
    assert m.d3f0 == 0.0 and m.best_h == math.inf and m.best_error == math.inf
    assert central_error_model(lambda t: torch.tensor(5.0, dtype=torch.float64), 1.0).df0 == 0.0


@pytest.mark.parametrize("x0", [1.0, 1000.0])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_measured_errors_stay_below_the_model(x0, dtype):
    """The bound lesson 01 relies on: both rounding terms, all 61 steps, both dtypes."""
    m = central_error_model(torch.sin, x0, dtype)
    r = error_vs_h(torch.sin, torch.cos, x0, dtype=dtype)
    assert np.all(r.central <= m.total(r.hs))
    assert 0.05 < r.best_h("central") / m.best_h < 20  # an order-of-magnitude estimate


def test_forgetting_the_rounding_of_the_points_underestimates_far_from_zero():
    m = central_error_model(torch.sin, 1000.0)
    r = error_vs_h(torch.sin, torch.cos, 1000.0)
    assert np.max(r.central / m.total(r.hs, include_points=False)) > 100


@pytest.mark.parametrize("kwargs, error", [
    ({"f": "sin"}, TypeError),
    ({"x0": math.nan}, ValueError),
    ({"dtype": torch.int64}, ValueError),
    ({"dtype": "float64"}, TypeError),
    ({"f": lambda t: torch.stack([t, t])}, ValueError),
    ({"f": lambda t: 1 / (t - 1)}, ValueError),  # f(1) is infinite
])
def test_error_model_rejects_bad_input(kwargs, error):
    args = {"f": torch.sin, "x0": 1.0, "dtype": torch.float64, **kwargs}
    with pytest.raises(error):
        central_error_model(**args)


def test_error_model_rejects_bad_steps():
    m = central_error_model(torch.sin, 1.0)
    with pytest.raises(ValueError, match="h > 0"):
        m.total([1e-3, -1e-3])


def test_estimate_slope_rounds_like_the_dtype():
    assert estimate_slope(torch.sin, 1.0, 1e-12, torch.float32) == 0.0
    assert estimate_slope(torch.sin, 1.0, 1e-5) == pytest.approx(math.cos(1.0), rel=1e-9)
    assert estimate_slope(torch.sin, 1.0, 1e-5, method="forward") == pytest.approx(math.cos(1.0), rel=1e-4)
    with pytest.raises(ValueError, match="method"):
        estimate_slope(torch.sin, 1.0, 1e-5, method="backward")
    with pytest.raises(ValueError, match="positive"):
        estimate_slope(torch.sin, 1.0, 0.0)


def test_exact_slope_accepts_numbers_and_functions():
    assert exact_slope(torch.cos, 0.0) == 1.0
    assert exact_slope(2.5, 0.0) == 2.5


def test_plot_error_vs_h_draws_finite_log_log_lines():
    results = [error_vs_h(torch.sin, torch.cos, 1.0, dtype=d) for d in (torch.float64, torch.float32)]
    ax = plot_error_vs_h(results, title="U")
    lines = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
    assert [ln.get_label() for ln in lines] == ["float64, central", "float64, forward", "float32, central",
                                               "float32, forward"]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title() == "U"
    for ln in ax.get_lines():
        y = np.asarray(ln.get_ydata(), dtype=float)
        assert np.all(np.isfinite(y)) and np.all(y > 0)
    with pytest.raises(TypeError):
        plot_error_vs_h([])
    with pytest.raises(TypeError):
        plot_error_vs_h([1, 2])


def test_the_error_curves_legend_names_the_method_in_the_figures_language(monkeypatch):
    from helpers import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    monkeypatch.setattr(i18n, "cjk_font", lambda: "WenQuanYi Micro Hei")  # a figure that can draw Chinese
    ax = plot_error_vs_h(error_vs_h(torch.sin, torch.cos, 1.0, hs=[1e-3, 1e-2]))
    labels = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert labels == ["float64，中心差分", "float64，前向差分"]
    plt.close(ax.figure)
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)  # no CJK font: the figure stays English
    ax = plot_error_vs_h(error_vs_h(torch.sin, torch.cos, 1.0, hs=[1e-3, 1e-2]))
    assert [ln.get_label() for ln in ax.get_lines()][::2] == ["float64, central", "float64, forward"]
    plt.close(ax.figure)


# --------------------------------------------------------------------------- tangent
def test_plot_tangent_draws_curve_tangent_and_secants():
    ax = plot_tangent(torch.sin, 1.0, torch.cos, h=0.5)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels[0] == "f(x)" and labels[1].startswith("tangent, slope 0.540")
    assert any(lab.startswith("forward secant") for lab in labels)
    assert any(lab.startswith("central secant") for lab in labels)
    tangent = ax.get_lines()[1]
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(math.cos(1.0))
    # without df, autograd gives the slope
    ax2 = plot_tangent(lambda t: t**2, 1.0)
    assert ax2.get_lines()[1].get_label() == "tangent, slope 2.000"


@pytest.mark.parametrize("kwargs, error", [
    ({"x0": 5.0}, ValueError),
    ({"h": 0.0}, ValueError),
    ({"x0": torch.tensor(1)}, ValueError),
    ({"f": "sin"}, TypeError),
])
def test_plot_tangent_rejects_bad_input(kwargs, error):
    args = {"f": torch.sin, "x0": 1.0, **kwargs}
    with pytest.raises(error):
        plot_tangent(**args)


def test_line_through_is_finite_and_has_the_slope():
    xs, ys = line_through(1.0, 2.0, 3.0, 0.5)
    assert list(xs) == [0.5, 1.5] and list(ys) == [0.5, 3.5]
    _, ys = line_through(0.0, 0.0, math.inf, 1.0)
    assert np.all(np.isfinite(ys))


# --------------------------------------------------------------------------- the sympy-to-torch bridge
def test_three_way_constants_reach_torch_as_tensors():
    (row,) = three_way("sqrt(2)*x", 1.0).rows
    assert row.sympy == row.autograd == pytest.approx(math.sqrt(2), rel=1e-15)
    assert row.verdict == "good"
    (row,) = three_way("exp(2)*sin(x) + log(3)", 0.5).rows
    assert row.autograd == pytest.approx(math.exp(2) * math.cos(0.5), rel=1e-14)


def test_three_way_infinite_derivative_gives_the_friendly_message():
    with pytest.raises(ValueError, match=r"d/dx = .* is not a finite real number at x=0 .*pick another point"):
        three_way("sqrt(x)", 0.0)


def test_three_way_numeric_step_outside_the_domain_names_the_learners_point_and_h():
    # sqrt at 1e-7: x − h is negative, where math.sqrt cannot go; the learner typed 1e-7, not −9e-7
    with pytest.raises(ValueError) as caught:
        three_way("sqrt(x)", 1e-7)
    message = str(caught.value)
    assert message == ("the numeric derivative evaluates the function at x ± h, with x=1e-07 and h=1e-06, and it "
                       "cannot be evaluated at x − h (math domain error): pick a point farther than h from where "
                       "the function stops being defined, or a smaller h")
    assert "9e-07" not in message
    (row,) = three_way("sqrt(x)", 1e-7, h=1e-9).rows                  # the smaller h the message suggests
    assert row.verdict in ("good", "acceptable with kinks")


@pytest.mark.parametrize("formula, at, slope", [("abs(x)", 1.0, 1.0), ("Abs(x)", -2.0, -1.0),
                                                ("abs(x**3 - 2)", 1.0, -3.0), ("sqrt(x**2)", -3.0, -1.0)])
def test_three_way_differentiates_abs_as_a_real_function(formula, at, slope):
    """sympy's symbols are complex by default, where d|x|/dx is not sign(x): three_way uses real ones."""
    (row,) = three_way(formula, at).rows
    assert row.sympy == row.numeric == row.autograd or row.verdict == "good"
    assert row.sympy == pytest.approx(slope, rel=1e-15)


def test_three_way_lives_in_symbolic_and_is_offered_by_derivatives():
    import helpers.derivatives
    import helpers.symbolic

    assert helpers.derivatives.three_way is helpers.symbolic.three_way


def test_importing_derivatives_does_not_import_sympy():
    import subprocess
    import sys

    code = "import sys, helpers.derivatives, helpers.widgets.slope; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


def test_every_name_lesson_01_imports_from_derivatives_exists():
    import json
    import pathlib
    import re

    import helpers.derivatives

    lesson = pathlib.Path(__file__).parent.parent / "notebooks" / "01_chain_rule.ipynb"
    sources = ["".join(c["source"]) for c in json.loads(lesson.read_text())["cells"] if c["cell_type"] == "code"]
    names = [n.strip() for src in sources for m in re.finditer(r"from helpers\.derivatives import ([\w, ]+)", src)
             for n in m.group(1).split(",")]
    assert "three_way" in names
    assert [n for n in names if not hasattr(helpers.derivatives, n)] == []


def test_plots_are_not_kept_by_pyplot_outside_the_inline_backend():
    before = plt.get_fignums()
    plot_tangent(torch.sin, 1.0, torch.cos, h=0.5)
    plot_error_vs_h(error_vs_h(torch.sin, torch.cos, 1.0, hs=[1e-3, 1e-2]))
    assert plt.get_fignums() == before


def test_plot_tangent_that_fails_while_drawing_closes_its_figure(monkeypatch):
    from helpers import plotting

    monkeypatch.setattr(plotting, "inline_backend", lambda: True, raising=False)
    before = plt.get_fignums()

    def f(t):  # fine at a point, fails on the 400-point curve
        if t.numel() > 1:
            raise RuntimeError("boom")
        return torch.sin(t)

    with pytest.raises(RuntimeError, match="boom"):
        plot_tangent(f, 1.0, torch.cos)
    assert plt.get_fignums() == before
