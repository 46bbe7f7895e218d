"""Lesson 07's `LinearFunction` and `MyLinear`, run from the notebook's own cells.

`forward(input, weight, bias=None)` promises that the bias may be left out: `apply(X, W)`
must work and its backward must be right (it used to crash in `setup_context`). The cells
are executed as they stand in the notebook, so the test checks the code learners read.
"""
import math
from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn
from torch.autograd import gradcheck

pytestmark = pytest.mark.timeout(120)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_custom_autograd.ipynb"


@pytest.fixture(scope="module")
def lesson():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace = {"torch": torch, "nn": nn, "math": math}
    for marker in ("class LinearFunction(", "class MyLinear("):
        cells = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(marker)]
        assert len(cells) == 1, f"expected one cell defining {marker!r}, found {len(cells)}"
        exec(compile(cells[0].source, str(NOTEBOOK), "exec"), namespace)
    return namespace


def _inputs(seed=0, bias=True):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(5, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    W = torch.randn(4, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, generator=gen, requires_grad=True)
    return (X, W, b) if bias else (X, W)


def test_apply_without_bias_gives_x_wt_and_right_gradients(lesson):
    X, W = _inputs(bias=False)
    out = lesson["LinearFunction"].apply(X, W)
    torch.testing.assert_close(out, X @ W.T)
    G = torch.randn(out.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    gX, gW = torch.autograd.grad((out * G).sum(), (X, W))
    torch.testing.assert_close(gX, G @ W.detach())
    torch.testing.assert_close(gW, G.T @ X.detach())
    assert gradcheck(lesson["LinearFunction"].apply, (X, W))


@pytest.mark.parametrize("args", ["with bias", "bias=None"])
def test_apply_with_a_bias_or_none_passes_gradcheck(lesson, args):
    X, W, b = _inputs()
    assert gradcheck(lesson["LinearFunction"].apply, (X, W, b) if args == "with bias" else (X, W, None))


def test_data_input_gets_no_gradient_without_bias(lesson):
    X, W = _inputs(bias=False)
    out = lesson["LinearFunction"].apply(X.detach(), W)
    (gW,) = torch.autograd.grad(out.sum(), (W,))
    torch.testing.assert_close(gW, torch.ones_like(out).T @ X.detach())


def test_mylinear_without_bias_matches_nn_linear(lesson):
    torch.manual_seed(2)
    ref = nn.Linear(3, 2, bias=False)
    torch.manual_seed(2)
    mine = lesson["MyLinear"](3, 2, bias=False)
    assert mine.bias is None
    torch.testing.assert_close(mine.weight, ref.weight, rtol=0, atol=0)
    x = torch.randn(6, 3)
    mine(x).pow(2).sum().backward()
    ref(x).pow(2).sum().backward()
    torch.testing.assert_close(mine(x), ref(x))
    torch.testing.assert_close(mine.weight.grad, ref.weight.grad)


@pytest.mark.parametrize("shape", [(2, 5, 3), (3,), (2, 1, 4, 3)])
def test_inputs_with_leading_dimensions_match_f_linear(lesson, shape):
    """nn.Linear takes (…, in): every leading position is one more example; so does LinearFunction."""
    gen = torch.Generator().manual_seed(3)
    X = torch.randn(shape, dtype=torch.float64, generator=gen, requires_grad=True)
    W = torch.randn(4, 3, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, generator=gen, requires_grad=True)
    out = lesson["LinearFunction"].apply(X, W, b)
    torch.testing.assert_close(out, torch.nn.functional.linear(X, W, b))
    assert gradcheck(lesson["LinearFunction"].apply, (X, W, b))


def test_mylinear_on_a_batch_of_sequences_matches_nn_linear(lesson):
    torch.manual_seed(4)
    ref = nn.Linear(3, 2)
    torch.manual_seed(4)
    mine = lesson["MyLinear"](3, 2)
    x = torch.randn(2, 5, 3)
    mine(x).pow(2).sum().backward()
    ref(x).pow(2).sum().backward()
    torch.testing.assert_close(mine(x), ref(x))
    torch.testing.assert_close(mine.weight.grad, ref.weight.grad)
    torch.testing.assert_close(mine.bias.grad, ref.bias.grad)
