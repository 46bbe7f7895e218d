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


def test_rel_error_definition():
    assert g.rel_error(1.0, 1.0) == 0.0
    assert g.rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert g.rel_error(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 2.2])) == pytest.approx(0.2 / 4.2)
    assert g.rel_error(0.0, 1e-10) == pytest.approx(1e-10 / 1e-8)  # the 1e-8 floor


@pytest.mark.parametrize("error, band", [(0.0, "good"), (5e-8, "good"), (1e-7, "acceptable"),
                                         (5e-5, "acceptable"), (5e-3, "suspicious"), (1e-2, "wrong"), (1.0, "wrong")])
def test_verdict_bands(error, band):
    assert g.verdict(error) == band


def _grads(scale=1.0, dtype=torch.float64):
    return {"W1": torch.ones(2, 3, dtype=dtype) * scale, "b": torch.ones(3, dtype=dtype)}


def test_compare_gradients_table_and_wrong_names():
    table = g.compare_gradients(manual=_grads(), autograd=_grads(), numeric=_grads(1.0 + 1e-9))
    assert table.all_good and table.wrong() == []
    text = str(table)
    assert "W1" in text and "2×3" in text and "manual–autograd" in text and "good" in text and "≤ 1e-" in text
    assert "<table>" in table._repr_html_()
    bad = g.compare_gradients(manual=_grads(2.0), autograd=_grads())
    assert bad.wrong() == ["W1"] and not bad.all_good


def test_compare_gradients_warns_on_float32():
    with pytest.warns(UserWarning, match="float64"):
        g.compare_gradients(manual=_grads(dtype=torch.float32), autograd=_grads(dtype=torch.float32))


@pytest.mark.parametrize("call, error, match", [
    (lambda: g.central_difference(cube, 1.0, h=0), ValueError, "positive"),
    (lambda: g.central_difference(cube, 1.0, h=-1e-3), ValueError, "positive"),
    (lambda: g.central_difference(cube, 1.0, h=float("nan")), ValueError, "positive"),
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
    (lambda: g.rel_error(None, 1.0), TypeError, "number or a tensor"),
    (lambda: g.rel_error("a", 1.0), TypeError, "number"),
    (lambda: g.verdict(-1.0), ValueError, "non-negative"),
    (lambda: g.verdict(math.nan), ValueError, "non-negative"),
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


@pytest.mark.parametrize("error, text", [(0.0, "0"), (3.2e-11, "≤ 1e-10"), (1e-7, "≤ 1e-7"), (0.5, "≤ 1e0")])
def test_error_bound_is_a_power_of_ten(error, text):
    assert g.error_bound(error) == text
