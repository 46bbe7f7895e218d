"""helpers.validation: the shared argument checks say what was wrong and what was expected."""
import math

import numpy as np
import pytest
import torch

from helpers.validation import (SEED_MAX, require_axes, require_bool, require_callable, require_choice,
                                require_float_dtype, require_int, require_numbers, require_point, require_real,
                                require_same_dtype_and_device, require_scalar_output, require_seed, require_step,
                                require_tensor, require_text)

pytestmark = pytest.mark.timeout(60)


def test_require_int_accepts_integers_and_returns_an_int():
    assert require_int("n", 3) == 3
    value = require_int("n", np.int64(4), min=1, max=4)
    assert value == 4 and type(value) is int


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_require_int_rejects_other_kinds_naming_both(value):
    with pytest.raises(TypeError, match=rf"^n must be an integer, got {type(value).__name__}$"):
        require_int("n", value)


@pytest.mark.parametrize("kwargs, value, words", [
    ({"min": 2}, 1, r"n must be ≥ 2, got 1"),
    ({"max": 10}, 11, r"n must be ≤ 10, got 11"),
    ({"min": 2, "max": 2000}, 5000, r"n must be between 2 and 2000, got 5000"),
    ({"min": 1, "example": "100"}, 0, r"n must be ≥ 1 such as 100, got 0"),
])
def test_require_int_bounds(kwargs, value, words):
    with pytest.raises(ValueError, match=f"^{words}$"):
        require_int("n", value, **kwargs)


def test_require_real_returns_a_float():
    value = require_real("lr", 1)
    assert value == 1.0 and type(value) is float
    assert require_real("x", np.float32(0.5)) == 0.5
    assert require_real("x", math.inf, finite=False) == math.inf


@pytest.mark.parametrize("value", [True, "0.1", None, [1.0], torch.tensor(1.0)])
def test_require_real_rejects_other_kinds(value):
    with pytest.raises(TypeError, match=rf"^h must be a real number such as 1e-5, got {type(value).__name__}$"):
        require_real("h", value, example="1e-5")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_require_real_rejects_non_finite(value):
    with pytest.raises(ValueError, match=r"h must be a finite number, got"):
        require_real("h", value)


def test_require_real_nan_is_rejected_even_when_inf_is_allowed():
    with pytest.raises(ValueError, match="^x must be a number, got nan$"):
        require_real("x", math.nan, finite=False)


@pytest.mark.parametrize("kwargs, value, words", [
    ({"above": 0}, 0.0, r"h must be positive \(> 0\) such as 1e-5, got 0.0"),
    ({"above": 0.5}, 0.25, "h must be > 0.5 such as 1e-5, got 0.25"),
    ({"min": 0}, -0.5, "h must be ≥ 0 such as 1e-5, got -0.5"),
    ({"min": 0, "max": 1}, 1.5, "h must be between 0 and 1 such as 1e-5, got 1.5"),
])
def test_require_real_bounds(kwargs, value, words):
    with pytest.raises(ValueError, match=f"^{words}$"):
        require_real("h", value, example="1e-5", **kwargs)
    assert require_real("h", 0.75, **kwargs) == 0.75


def test_require_choice():
    assert require_choice("mode", "batch", ("per_sample", "batch")) == "batch"
    with pytest.raises(ValueError, match=r"^mode must be one of 'per_sample', 'batch', got 'minibatch'$"):
        require_choice("mode", "minibatch", ("per_sample", "batch"))


def test_what_names_the_expected_kind():
    with pytest.raises(TypeError, match="^n must be an integer number of points, got str$"):
        require_int("n", "3", what="an integer number of points")
    with pytest.raises(TypeError, match="^x must be a float or a tensor, got str$"):
        require_real("x", "3", what="a float or a tensor")


def test_require_callable():
    assert require_callable("f", abs) is abs
    with pytest.raises(TypeError, match=r"^f must be a function of a tensor, got int$"):
        require_callable("f", 3, "a function of a tensor")


def test_require_tensor():
    t = torch.zeros(2)
    assert require_tensor("x", t, floating=True) is t
    with pytest.raises(TypeError, match=r"^x must be a torch.Tensor, got list$"):
        require_tensor("x", [1.0])
    with pytest.raises(ValueError, match=r"^x must be a floating-point tensor, got dtype torch.int64; use x.double\(\)$"):
        require_tensor("x", torch.zeros(2, dtype=torch.int64), floating=True, hint="use x.double()")
    assert require_tensor("x", torch.zeros(2, dtype=torch.int64)).dtype == torch.int64


def test_require_float_dtype():
    assert require_float_dtype("dtype", torch.float32) is torch.float32
    with pytest.raises(TypeError, match="torch dtype"):
        require_float_dtype("dtype", "float64")
    with pytest.raises(ValueError, match="floating-point dtype"):
        require_float_dtype("dtype", torch.int64)
    assert require_float_dtype("dtype", torch.float64, allowed=(torch.float32, torch.float64)) is torch.float64
    with pytest.raises(ValueError, match="^dtype must be one of torch.float32, torch.float64, got torch.float16$"):
        require_float_dtype("dtype", torch.float16, allowed=(torch.float32, torch.float64))


def test_require_tensor_ndim():
    with pytest.raises(ValueError, match=r"^X must be a 2-D tensor, got shape \(3,\)$"):
        require_tensor("X", torch.zeros(3), ndim=2)


def test_require_seed():
    assert require_seed("seed", 0) == 0 and require_seed("seed", SEED_MAX) == SEED_MAX
    with pytest.raises(TypeError, match="^seed must be an integer ≥ 0 such as 0, got float$"):
        require_seed("seed", 1.5)
    with pytest.raises(ValueError, match="^seed must be between 0 and 18446744073709551615 such as 0, got -1$"):
        require_seed("seed", -1)


def test_require_step_and_point():
    assert require_step("h", 1e-5) == 1e-5
    with pytest.raises(ValueError, match=r"^h must be positive \(> 0\) such as 1e-5, got 0.0$"):
        require_step("h", 0.0)
    assert require_point("x0", torch.tensor([0.5], dtype=torch.float64)) == 0.5
    with pytest.raises(ValueError, match="^x0 must be a float or a floating-point tensor, got a tensor of dtype"):
        require_point("x0", torch.tensor(2))
    with pytest.raises(ValueError, match=r"^x0 must be one number, got a tensor of shape \(2,\)$"):
        require_point("x0", torch.zeros(2))


def test_require_scalar_output():
    assert require_scalar_output("f", torch.tensor([[2.0]])) == 2.0 and require_scalar_output("f", math.inf) == math.inf
    with pytest.raises(ValueError, match=r"^f must return a scalar, got a tensor of shape \(2,\)$"):
        require_scalar_output("f", torch.zeros(2))
    with pytest.raises(ValueError, match=r"^f must return a scalar \(a float or a one-element tensor\), got str$"):
        require_scalar_output("f", "1")
    for nan in (math.nan, torch.tensor(math.nan)):          # the same for a float and a tensor
        with pytest.raises(ValueError, match=r"^f returned NaN \(not a number\)$"):
            require_scalar_output("f", nan)


def test_require_same_dtype_and_device():
    a, b = torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float32)
    assert require_same_dtype_and_device({"X": a, "Y": a}) == (torch.float64, torch.device("cpu"))
    with pytest.raises(ValueError, match=r"^Y is torch.float32 on cpu but X is torch.float64 on cpu: .*Y.to\(X.device, "
                                         r"X.dtype\)$"):
        require_same_dtype_and_device({"X": a, "Y": b})


def test_require_numbers():
    assert require_numbers("losses", [1, 2.5, np.float32(0.5), torch.tensor(4.0)]).tolist() == [1.0, 2.5, 0.5, 4.0]
    assert require_numbers("losses", torch.tensor([1.0, math.inf])).tolist() == [1.0, math.inf]
    assert require_numbers("values", np.zeros((2, 2)), ndim=None).shape == (2, 2)
    with pytest.raises(ValueError, match=r"^losses\[1\] is a tensor that requires grad: .*loss.item\(\)"):
        require_numbers("losses", [1.0, torch.tensor(1.0, requires_grad=True) * 2])
    with pytest.raises(TypeError, match=r"^losses\[0\] must be a number, got bool$"):
        require_numbers("losses", [True])
    with pytest.raises(TypeError, match=r"^losses must be a sequence of numbers such as \[0.5, 0.25\], got dict$"):
        require_numbers("losses", {"a": 1.0})
    with pytest.raises(ValueError, match=r"^losses must be a non-empty sequence of numbers, got shape \(0,\)$"):
        require_numbers("losses", [])


def test_require_choice_of_the_wrong_kind():
    assert require_choice("activation", "tanh", ("sigmoid", "tanh")) == "tanh"
    for wrong in (["tanh"], np.array(["tanh", "x"]), torch.zeros(2)):      # unhashable or ambiguous, once
        with pytest.raises(TypeError, match=r"^activation must be one of 'sigmoid', 'tanh' \(a string\), got"):
            require_choice("activation", wrong, ("sigmoid", "tanh"))
    with pytest.raises(ValueError, match="^k must be one of 1, 2, got True$"):  # True is not 1
        require_choice("k", True, (1, 2))


def test_require_bool_text_and_axes():
    assert require_bool("residual", np.bool_(True)) is True
    with pytest.raises(TypeError, match="^residual must be True or False, got int$"):
        require_bool("residual", 1)
    assert require_text("title", None) is None and require_text("title", "t") == "t"
    with pytest.raises(TypeError, match="^title must be a string or None, got Tensor$"):
        require_text("title", torch.zeros(2))
    with pytest.raises(TypeError, match="^ylabel must be a string, got NoneType$"):
        require_text("ylabel", None, optional=False)
    from helpers.plotting import new_figure

    _, ax = new_figure()
    assert require_axes("ax", ax) is ax
    with pytest.raises(TypeError, match="^ax must be a matplotlib Axes, e.g. from fig, ax = new_figure\\(\\), got str$"):
        require_axes("ax", "ax")

