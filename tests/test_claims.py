"""helpers.claims: a lesson's claim prints one ✓ line when it holds and stops the notebook with
a clear ClaimError (never a bare assert) when it does not."""
import numpy as np
import pytest
import torch

from helpers.claims import ClaimError, confirm, confirm_close, confirm_equal


def test_a_true_claim_prints_one_line(capsys):
    confirm(2 + 2 == 4, "two and two make {total}", total=4)
    assert capsys.readouterr().out == "✓ two and two make 4\n"


def test_a_false_claim_raises_and_quotes_the_claim(capsys):
    with pytest.raises(ClaimError, match="The lesson claims: two and two make 5") as info:
        confirm(2 + 2 == 5, "two and two make {total}", total=5)
    assert isinstance(info.value, AssertionError)  # nbval and pytest see a failure
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("condition", [0.3, 1, None, "yes", torch.tensor([True, False])])
def test_the_condition_must_be_a_truth_value(condition):
    """confirm(error, …) with a float would pass for every non-zero error: refused."""
    with pytest.raises(TypeError, match="condition"):
        confirm(condition, "a claim")


def test_a_malformed_claim_fails_even_when_the_condition_holds():
    with pytest.raises(KeyError):
        confirm(True, "the slope is {slope}")


def test_close_values_pass_and_the_worst_element_is_shown(capsys):
    a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    confirm_close(a * (1 + 1e-12), a, "autograd equals the formula")
    assert capsys.readouterr().out.startswith("✓ autograd equals the formula")
    with pytest.raises(ClaimError, match=r"3\.3 against 3\.0"):
        confirm_close(torch.tensor([1.0, 2.0, 3.3], dtype=torch.float64), a, "autograd equals the formula")
    with pytest.raises(ClaimError, match="shapes differ"):
        confirm_close(a[:2], a, "same shape")
    confirm_close(0.1 + 0.2, 0.3, "close enough", rtol=1e-15)
    confirm_close(np.array([1e-20]), np.array([0.0]), "tiny", atol=1e-15)


def test_nan_and_inf_are_never_close_to_a_number():
    with pytest.raises(ClaimError, match="NaN"):
        confirm_close(float("nan"), 1.0, "a number")
    confirm_close(float("inf"), float("inf"), "both overflow")


def test_bit_for_bit_means_equal_dtype_and_values(capsys):
    x = torch.tensor([0.1, 0.2], dtype=torch.float32)
    confirm_equal(x, x.clone(), "the same numbers, bit for bit")
    with pytest.raises(ClaimError, match="dtypes differ"):
        confirm_equal(x, x.double(), "the same numbers")
    with pytest.raises(ClaimError, match="not identical"):
        confirm_equal(x, x + 1e-8 * 0 + torch.tensor([0.0, 1e-7]), "the same numbers")


@pytest.mark.parametrize("kwargs", [dict(rtol=-1.0), dict(atol=float("nan")), dict(rtol="1e-9")])
def test_tolerances_are_validated(kwargs):
    with pytest.raises((TypeError, ValueError), match="tol"):
        confirm_close(1.0, 1.0, "x", **kwargs)


def test_non_numbers_are_refused_by_name():
    with pytest.raises(TypeError, match="actual"):
        confirm_close("1.0", 1.0, "x")
