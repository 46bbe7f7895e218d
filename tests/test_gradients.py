import math
import warnings

import pytest
import torch

from helpers import gradients as g


def cube(x):
    return x**3


def test_central_difference_is_second_order_accurate():
    assert g.central_difference(cube, 2.0, h=1e-5) == pytest.approx(12.0, rel=1e-9)
    # forward difference carries an O(h) error: 3·x·h = 6e-5 at h = 1e-5
    assert g.forward_difference(cube, 2.0, h=1e-5) - 12.0 == pytest.approx(6e-5, rel=1e-3)


def test_tensor_difference_gives_every_element_and_keeps_input():
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    before = x.clone()
    grad = g.central_difference(lambda t: (t**2).sum(), x)
    torch.testing.assert_close(grad, 2 * x)
    torch.testing.assert_close(x, before)


def test_numeric_grad_matches_autograd_and_restores_parameters():
    torch.manual_seed(0)
    W = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, dtype=torch.float64, requires_grad=True)
    x = torch.randn(4, 3, dtype=torch.float64)
    loss = lambda: torch.tanh(x @ W + b).pow(2).sum()
    snapshot = W.detach().clone()
    numeric = g.numeric_grad(loss, {"W": W, "b": b})
    loss().backward()
    assert g.rel_error(numeric["W"], W.grad) < 1e-8
    assert g.rel_error(numeric["b"], b.grad) < 1e-8
    torch.testing.assert_close(W.detach(), snapshot)


def test_rel_error_is_the_cs231n_notes_definition():
    """|a − b| / max(|a|, |b|), worst element; not the assignments' |a − b| / (|a| + |b|)."""
    assert g.rel_error(1.0, 1.0) == 0.0
    assert g.rel_error(0.0, 0.0) == 0.0  # both zero: they agree
    assert g.rel_error(1.0, 3.0) == pytest.approx(2 / 3)
    assert g.rel_error(-1.0, 1.0) == pytest.approx(2.0)
    assert g.rel_error(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 2.2])) == pytest.approx(0.2 / 2.2)
    assert g.rel_error(0.0, 1e-10) == pytest.approx(1.0)  # no floor: a tiny gradient against 0 disagrees
    assert g.rel_error([1.0, 100.0], [1.0 + 1e-6, 100.0]) == pytest.approx(1e-6 / (1 + 1e-6))


@pytest.mark.parametrize("error, band", [(0.0, "good"), (5e-8, "good"), (1e-7, "acceptable with kinks"),
                                         (5e-5, "acceptable with kinks"), (5e-3, "suspicious"), (1e-2, "wrong"), (1.0, "wrong")])
def test_verdict_bands(error, band):
    assert g.verdict(error) == band


def _grads(scale=1.0, dtype=torch.float64):
    return {"W1": torch.ones(2, 3, dtype=dtype) * scale, "b": torch.ones(3, dtype=dtype)}


def test_compare_gradients_table_and_wrong_names():
    table = g.compare_gradients(manual=_grads(), autograd=_grads(), numeric=_grads(1.0 + 1e-9))
    assert table.all_good and table.wrong() == []
    text = str(table)
    assert "W1" in text and "2×3" in text and "manual–autograd" in text and "good" in text and "< 1e-7" in text
    assert "<table>" in table._repr_html_()
    bad = g.compare_gradients(manual=_grads(2.0), autograd=_grads())
    assert bad.wrong() == ["W1"] and not bad.all_good


def test_compare_gradients_warns_on_float32():
    with pytest.warns(g.LowPrecisionWarning, match="float64"):
        g.compare_gradients(manual=_grads(dtype=torch.float32), autograd=_grads(dtype=torch.float32))


def _square_sum(x):
    return (x ** 2).sum()


LOW_PRECISION_CALLS = {  # every gradient check, one rule: below float64 precision it warns
    "central_difference": (lambda x: g.central_difference(_square_sum, x), "x", "x.double()"),
    "forward_difference": (lambda x: g.forward_difference(_square_sum, x), "x", "x.double()"),
    "numeric_grad": (lambda x: g.numeric_grad(lambda: _square_sum(x), {"w": x}), "params['w']",
                     "params['w'].double()"),
    "compare_gradients": (lambda x: g.compare_gradients(manual={"w": 2 * x}, autograd={"w": 2 * x}),
                          "the gradients of 'w'", "each tensor's .double()"),
}


@pytest.mark.parametrize("check", LOW_PRECISION_CALLS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_every_gradient_check_warns_below_float64_with_one_message(check, dtype):
    """float32 gives 2.0027 for the slope 2 of x² at 1 (h = 1e-5): the learner must hear why."""
    call, what, fix = LOW_PRECISION_CALLS[check]
    with pytest.warns(g.LowPrecisionWarning) as caught:
        call(torch.tensor([1.0], dtype=dtype))
    assert len(caught) == 1 and caught[0].filename == __file__       # it points at the caller's line
    name = str(dtype).replace("torch.", "")
    assert str(caught[0].message) == g.LOW_PRECISION.format(what=what, dtype=name, eps=torch.finfo(dtype).eps, fix=fix)
    assert str(caught[0].message).startswith(f"{what} in {name}: its round-off (ε = ")


@pytest.mark.parametrize("check", LOW_PRECISION_CALLS)
def test_float64_gradient_checks_do_not_warn(check):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LOW_PRECISION_CALLS[check][0](torch.tensor([1.0], dtype=torch.float64))


def test_the_float32_slope_that_warns_is_the_one_from_the_issue():
    with pytest.warns(g.LowPrecisionWarning):
        slope = g.central_difference(_square_sum, torch.tensor([1.0])).item()
    assert abs(slope - 2.0) > 1e-3                                    # 2.0027: visibly off, hence the warning


@pytest.mark.parametrize("call, error, match", [
    (lambda: g.central_difference(cube, 1.0, h=0), ValueError, "positive"),
    (lambda: g.central_difference(cube, 1.0, h=-1e-3), ValueError, "positive"),
    (lambda: g.central_difference(cube, 1.0, h=float("nan")), ValueError, "finite"),
    (lambda: g.central_difference(cube, 1.0, h="1e-5"), TypeError, "real number"),
    (lambda: g.central_difference(42, 1.0), TypeError, "function"),
    (lambda: g.central_difference(cube, "1.0"), TypeError, "float or a floating-point tensor"),
    (lambda: g.central_difference(cube, torch.tensor([1, 2])), ValueError, "floating-point"),
    (lambda: g.central_difference(lambda t: t * 2, torch.ones(2, dtype=torch.float64)), ValueError, "scalar"),
    (lambda: g.forward_difference(lambda x: "a", 1.0), ValueError, "scalar"),
    (lambda: g.numeric_grad(lambda: 0.0, {}), ValueError, "empty"),
    (lambda: g.numeric_grad(lambda: 0.0, [torch.ones(1)]), TypeError, "dict"),
    (lambda: g.numeric_grad(lambda: 0.0, {"w": torch.ones(2, dtype=torch.int64)}), ValueError, "floating-point"),
    (lambda: g.rel_error(torch.ones(2), torch.ones(3)), ValueError, "same shape"),
    (lambda: g.rel_error(torch.tensor([]), torch.tensor([])), ValueError, "empty"),
    (lambda: g.rel_error(float("nan"), 1.0), ValueError, "NaN"),
    (lambda: g.rel_error(None, 1.0), TypeError, "numbers or a tensor"),
    (lambda: g.rel_error("a", 1.0), TypeError, "number"),
    (lambda: g.verdict(-1.0), ValueError, "≥ 0"),
    (lambda: g.verdict(math.nan), ValueError, "a number, got nan"),
    (lambda: g.verdict("small"), TypeError, "real number"),
    (lambda: g.compare_gradients(manual=_grads()), ValueError, "two methods"),
    (lambda: g.compare_gradients(manual=_grads(), autograd={"W1": torch.ones(2, 3, dtype=torch.float64)}),
     ValueError, "different parameters"),
    (lambda: g.compare_gradients(manual=_grads(), autograd={**_grads(), "W1": torch.ones(3, 2, dtype=torch.float64)}),
     ValueError, "different shapes"),
    (lambda: g.compare_gradients(manual=_grads(), autograd={**_grads(), "b": torch.ones(3)}), ValueError, "dtypes"),
    (lambda: g.compare_gradients(manual=_grads(), autograd={**_grads(), "b": torch.tensor([1.0, math.nan, 1.0], dtype=torch.float64)}),
     ValueError, "NaN"),
    (lambda: g.compare_gradients(manual=_grads(), autograd="W1"), TypeError, "dict"),
])
def test_bad_input_is_rejected_clearly(call, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=match):
            call()


@pytest.mark.parametrize("error, label", [(0.0, "< 1e-12"), (9.9e-13, "< 1e-12"), (1e-12, "< 1e-7"),
                                          (5e-5, "< 1e-4"), (5e-3, "< 1e-2"), (1e-2, "≥ 1e-2"), (2.0, "≥ 1e-2")])
def test_error_class(error, label):
    assert g.error_class(error) == label


@pytest.mark.parametrize("bad, error", [(-1e-3, ValueError), (float("nan"), ValueError), ("1e-3", TypeError),
                                        (True, TypeError)])
def test_error_class_rejects_bad_input(bad, error):
    with pytest.raises(error, match="relative error"):
        g.error_class(bad)


def test_comparison_tables_do_not_depend_on_round_off_digits():
    """Two machines whose round-off differs (even in its power of ten) print the same table."""
    def table(e_round, e_numeric):
        errs = {"manual–autograd": e_round, "manual–numeric": e_numeric}
        return g.GradientComparison(("manual", "autograd", "numeric"), (("W", (2, 3), errs, "good"),))

    same = table(1.1e-16, 3e-10), table(9e-14, 8e-9)
    assert str(same[0]) == str(same[1]) and same[0]._repr_html_() == same[1]._repr_html_()
    assert "< 1e-12" in str(same[0]) and "e-16" not in str(same[0])
    assert str(table(1e-16, 3e-10)) != str(table(1e-16, 3e-3))


@pytest.mark.parametrize("bad_f, error", [
    (lambda W: 1 / 0 if W[0, 1] != 1.0 else W.sum(), ZeroDivisionError),  # raises once nudged
    (lambda W: W * 2 if W[0, 1] != 1.0 else W.sum(), ValueError),  # a non-scalar once nudged
])
def test_numeric_grad_restores_the_parameter_when_f_fails(bad_f, error):
    W = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(error):
        g.numeric_grad(lambda: bad_f(W), {"W": W})
    torch.testing.assert_close(W.detach(), torch.ones(2, 2, dtype=torch.float64), rtol=0, atol=0)


def test_numeric_grad_supports_non_contiguous_tensors():
    torch.manual_seed(1)
    base = torch.randn(3, 2, dtype=torch.float64)
    Wt = base.t()  # a transposed view: not contiguous, .view(-1) would fail
    assert not Wt.is_contiguous()
    x = torch.randn(4, 3, dtype=torch.float64)
    numeric = g.numeric_grad(lambda: torch.tanh(x @ Wt.t()).sum(), {"Wt": Wt})
    W = Wt.detach().clone().requires_grad_(True)
    torch.tanh(x @ W.t()).sum().backward()
    assert g.rel_error(numeric["Wt"], W.grad) < 1e-8
    grad = g.central_difference(lambda t: (t ** 3).sum(), Wt)
    torch.testing.assert_close(grad, 3 * Wt ** 2)


def test_comparison_html_escapes_names():
    grads = {"<b>w</b>": torch.ones(2, dtype=torch.float64)}
    html = g.compare_gradients(manual=grads, autograd=grads)._repr_html_()
    assert "<b>" not in html and "&lt;b&gt;w&lt;/b&gt;" in html


def test_text_and_html_tables_have_one_layout():
    text = g.text_table(["name", "v"], [["a", "1.5"], ["long name", "2"]])
    assert text.splitlines() == ["name       v", "---------  ---", "a          1.5", "long name  2"]
    assert g.html_table(["a&b"], [["<1"]]) == ("<table><thead><tr><th>a&amp;b</th></tr></thead>"
                                               "<tbody><tr><td>&lt;1</td></tr></tbody></table>")


@pytest.mark.parametrize("error, limit", [(0.0, 1e-7), (1e-7, 1e-4), (5e-3, 1e-2), (1e-2, math.inf)])
def test_band_limit_is_the_verdicts_upper_limit(error, limit):
    assert g.band_limit(error) == limit


def test_comparison_cells_show_error_classes():
    table = g.compare_gradients(manual=_grads(), autograd=_grads(2.0))
    assert table.header() == ["parameter", "shape", "rel. error manual–autograd", "verdict"]
    assert table.cells() == [["W1", "2×3", "≥ 1e-2", "wrong"], ["b", "3", "< 1e-12", "good"]]


def test_confirm_gradient_prints_one_line_and_fails_with_the_claim(capsys):
    from helpers.claims import ClaimError

    a = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    g.confirm_gradient("∂J/∂W", a, a * (1 + 1e-14))
    assert capsys.readouterr().out == "✓ ∂J/∂W (shape 1×2) matches autograd: relative error below 1e-12\n"
    g.confirm_gradient("∂L/∂z", 0.25, torch.tensor(0.25, dtype=torch.float64), against="a − y")
    assert capsys.readouterr().out == "✓ ∂L/∂z (shape scalar) matches a − y: relative error below 1e-12\n"
    with pytest.raises(ClaimError, match="∂J/∂W \\(shape 1×2\\) matches autograd"):
        g.confirm_gradient("∂J/∂W", a, a * (1 + 1e-9))
    g.confirm_gradient("∂J/∂W", a, a * (1 + 1e-9), below=1e-7)   # a looser bound can be asked for


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: g.confirm_gradient("", 1.0, 1.0), TypeError, "name must be a non-empty str"),
    (lambda: g.confirm_gradient("w", 1.0, 1.0, against=None), TypeError, "against must be"),
    (lambda: g.confirm_gradient("w", torch.ones(2), torch.ones(3)), ValueError, "same shape"),
    (lambda: g.confirm_gradient("w", 1.0, 1.0, below=0), ValueError, "below"),
    (lambda: g.confirm_gradient("w", "1", 1.0), TypeError, "mine must be"),
])
def test_confirm_gradient_rejects_bad_input(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
def test_warn_false_is_for_showing_round_off_on_purpose():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slope = g.central_difference(_square_sum, torch.tensor([1.0]), warn=False).item()
        g.forward_difference(_square_sum, torch.tensor([1.0]), warn=False)
    assert abs(slope - 2.0) > 1e-3
    with pytest.raises(TypeError, match="^warn must be True or False, got str$"):
        g.central_difference(_square_sum, torch.tensor([1.0], dtype=torch.float64), warn="no")

