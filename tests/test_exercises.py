"""Every wrong-answer kind gets its own message; the reference passes; a check never raises."""
import numpy as np
import pytest
import torch

from helpers import exercises as ex


def msg(answer, expected, **kw):
    result = ex.evaluate(answer, expected, what="dL/dw", **kw)
    return result.ok, result.message


def test_reference_passes_and_hint_never_reveals_the_answer():
    ok, text = msg(12.0, 12.0)
    assert ok and text.startswith("✓")
    for wrong in (None, "x", 24.0, -12.0, 7.0, float("nan")):
        ok, text = msg(wrong, 12.0)
        assert not ok and text.startswith("✗") and "12" not in text


@pytest.mark.parametrize("answer, expected, fragment", [
    (None, 1.0, "placeholder"),
    (..., 1.0, "placeholder"),
    ("1.0", 1.0, "should be a number"),
    ([1.0], torch.ones(1, dtype=torch.float64), "should be a torch tensor"),
    (torch.ones(3, dtype=torch.float64), torch.ones(2, 3, dtype=torch.float64), "shape (3,)"),
    (torch.ones(2, dtype=torch.float32), torch.ones(2, dtype=torch.float64), "dtype torch.float32"),
    (float("nan"), 1.0, "NaN"),
    (float("inf"), 1.0, "inf"),
    (-3.0, 3.0, "off by a sign"),
    (6.0, 3.0, "off by a factor of 2"),
    (1.5, 3.0, "off by a factor of 1/2"),
    (-6.0, 3.0, "factor of −2"),
    (4.0, 3.0, "not right yet"),
    (torch.tensor([1.0, 5.0], dtype=torch.float64), torch.tensor([1.0, 2.0], dtype=torch.float64), "1 of 2 elements"),
    (3, True, "True or False"),
    (False, True, "not right"),
    ({"a": 1.0}, {"a": 1.0, "b": 2.0}, "missing the key"),
    ([1.0], (1.0, 2.0), "hold 2 values"),
    (1.0, (1.0, 2.0), "tuple of 2"),
])
def test_each_wrong_answer_kind_has_its_message(answer, expected, fragment):
    ok, text = msg(answer, expected)
    assert not ok and fragment in text, text


def test_factor_hint_is_lesson_specific():
    ok, text = msg(6.0, 3.0, factor_hints={2: "did you forget the 2 from the square?"})
    assert "did you forget the 2 from the square?" in text


def test_dtype_tolerance():
    want = torch.tensor([1.0], dtype=torch.float32)
    assert ex.evaluate(want * (1 + 5e-6), want).ok          # float32 round-off is fine
    want64 = want.double()
    assert not ex.evaluate(want64 * (1 + 5e-5), want64).ok  # but not in float64


def test_collections_and_arrays():
    assert ex.evaluate((1.0, torch.ones(2)), (1.0, torch.ones(2))).ok
    assert ex.evaluate({"W": np.ones(3)}, {"W": np.ones(3)}).ok
    ok, text = msg({"W": 2 * np.ones(3)}, {"W": np.ones(3)})
    assert "dL/dw['W']" in text and "factor of 2" in text


def test_check_function_right_for_one_input_but_not_another():
    reference = lambda x: 2 * x
    learner = lambda x: 2 * x if x > 0 else x
    result = ex.evaluate_function(learner, reference, [(1.0,), (2.0,), (-1.0,)], what="grad")
    assert not result.ok and "right for the first 2 input(s) but not for input 3" in result.message


def test_check_function_reports_a_raising_function_in_one_line():
    def learner(x):
        return x / 0

    result = ex.evaluate_function(learner, lambda x: x, [(1.0,)], what="grad")
    assert not result.ok and "ZeroDivisionError" in result.message and "Traceback" not in result.message
    assert "\n" not in result.message


def test_check_function_placeholder_and_not_callable():
    assert "placeholder" in ex.evaluate_function(None, abs, [(1.0,)]).message
    assert "should be a function" in ex.evaluate_function(3, abs, [(1.0,)]).message


def test_check_function_passes_copies_so_inputs_cannot_be_mutated():
    x = torch.ones(3)
    ex.evaluate_function(lambda t: t.mul_(2), lambda t: t * 2, [(x,)])
    assert torch.equal(x, torch.ones(3))


def test_check_never_raises_even_on_absurd_input(capsys):
    class Weird:
        def __array__(self, *a, **k):
            raise RuntimeError("boom")

    result = ex.check(Weird(), 1.0)
    assert not result.ok
    assert capsys.readouterr().out.startswith("✗")
    assert not ex.evaluate(torch.ones(2), object()).ok


def test_check_prints_and_returns_feedback(capsys):
    result = ex.check(2.0, 2.0, what="x", success="x is right: nice.")
    assert result and capsys.readouterr().out == "✓ x is right: nice.\n"


def test_seeded_inputs_are_reproducible_and_validated():
    make = lambda gen: (torch.randn(2, generator=gen),)
    a, b = ex.seeded_inputs(make, n=3, seed=1), ex.seeded_inputs(make, n=3, seed=1)
    assert len(a) == 3 and all(torch.equal(x[0], y[0]) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="n must be ≥ 1"):
        ex.seeded_inputs(make, n=0)
    with pytest.raises(TypeError, match="positive integer"):
        ex.seeded_inputs(make, n=True)
    with pytest.raises(TypeError, match="function"):
        ex.seeded_inputs(3)


def test_factor_hints_add_lesson_specific_factors():
    ok, text = msg(0.2 * 3.0, 3.0, factor_hints={0.2: "a mean instead of a sum over the batch?"})
    assert not ok and "off by a factor of 1/5" in text and "mean instead of a sum" in text


def test_no_factor_hint_for_a_ratio_that_holds_on_one_input_only():
    """x instead of x² is right at x = 1 and exactly half at x = 2: not a constant factor."""
    reference = lambda x: 2 * x * x
    learner = lambda x: 2 * x
    hints = {0.5: "the square brings a factor 2 down"}
    result = ex.evaluate_function(learner, reference, [(1.0,), (2.0,)], what="grad", factor_hints=hints)
    assert not result.ok and "right for the first 1 input(s)" in result.message
    assert "factor" not in result.message.replace("check each factor", "") and "square" not in result.message
    # the same learner on one input only (x = 2) does look like a constant factor of 1/2
    one = ex.evaluate_function(learner, reference, [(2.0,)], what="grad", factor_hints=hints)
    assert "off by a factor of 1/2: the square brings" in one.message


def test_constant_factor_over_every_input_fires_its_hint():
    reference = lambda x: 2 * x * x
    learner = lambda x: x * x
    result = ex.evaluate_function(learner, reference, [(1.0,), (2.0,), (-3.0,)], what="grad",
                                  factor_hints={0.5: "the square brings a factor 2 down"})
    assert "on input 1 (1): grad's result is off by a factor of 1/2: the square brings" in result.message
    flipped = ex.evaluate_function(lambda x: -reference(x), reference, [(1.0,), (2.0,)], what="grad")
    assert "off by a sign" in flipped.message


def test_array_factor_hint_needs_the_same_ratio_elementwise():
    want = np.array([1.0, 2.0, 3.0])
    assert "factor of 2" in ex.evaluate(2 * want, want).message
    mixed = ex.evaluate(np.array([2.0, 4.0, 3.0]), want).message   # 2, 2, 1: no constant
    assert "factor" not in mixed.replace("check each factor", "") and "2 of 3 elements" in mixed
    # a zero reference element is explained by any factor when the answer is zero there too
    assert "factor of 3" in ex.evaluate(np.array([0.0, 3.0]), np.array([0.0, 1.0])).message


def test_no_hint_when_one_input_cannot_be_compared():
    reference = lambda x: 2 * x
    learner = lambda x: 4 * x if x < 2 else float("nan")
    result = ex.evaluate_function(learner, reference, [(1.0,), (3.0,)], what="grad")
    assert "on input 1" in result.message and "factor" not in result.message.replace("check each factor", "")


def test_exercise_spec_checks_values_and_functions(capsys):
    value = ex.Exercise(what="dL/dw", reference=12.0, factor_hints={2: "the 2 from the square"},
                        mistakes=(ex.Mistake("doubled", 24.0, "the 2 from the square"),))
    assert value.evaluate(12.0).ok and "the 2 from the square" in value.evaluate(24.0).message
    fn = ex.Exercise(what="grad", reference=lambda x: 3 * x, inputs=[(1.0,), [2.0]], success="well done")
    assert fn.inputs == ((1.0,), (2.0,))
    assert fn.check(lambda x: 3 * x).ok and capsys.readouterr().out == "✓ well done\n"
    assert not fn.check(lambda x: x).ok and "factor of 1/3" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, error", [
    (dict(what="", reference=1.0), TypeError),
    (dict(what="f", reference=1.0, inputs=[(1.0,)]), TypeError),
    (dict(what="f", reference=abs, inputs=[]), ValueError),
    (dict(what="f", reference=1.0, factor_hints={1: "x"}), ValueError),
    (dict(what="f", reference=1.0, factor_hints=[2]), TypeError),
    (dict(what="f", reference=1.0, factor_hints={True: "x"}), TypeError),
    (dict(what="f", reference=1.0, mistakes=("wrong",)), TypeError),
])
def test_exercise_spec_is_validated(kwargs, error):
    with pytest.raises(error):
        ex.Exercise(**kwargs)


def test_recognised_mistake_gets_its_hint_for_values_and_functions():
    swapped = ex.Mistake("J v instead of vᵀJ", torch.tensor([12.0, 1.0]), "this is J v")
    value = ex.Exercise(what="v^T J", reference=torch.tensor([11.0, 2.0]), mistakes=(swapped,), recognised=(swapped,))
    assert value.evaluate(torch.tensor([12.0, 1.0])).message == "✗ v^T J is not right yet: this is J v."
    other = value.evaluate(torch.tensor([7.0, -5.0])).message
    assert other.startswith("✗") and "J v" not in other  # an undeclared wrong answer stays generic
    assert value.evaluate(torch.tensor([11.0, 2.0])).ok  # the reference is never taken for a mistake
    x_squared = ex.Mistake("x² instead of 2x", lambda x: x * x, "the derivative of x² is 2x")
    fn = ex.Exercise(what="grad", reference=lambda x: 2 * x, inputs=[(1.0,), (3.0,)],
                     mistakes=(x_squared,), recognised=(x_squared,))
    assert "derivative of x² is 2x" in fn.evaluate(lambda x: x**2).message
    plain = ex.Exercise(what="grad", reference=lambda x: 2 * x, inputs=[(1.0,), (3.0,)], mistakes=(x_squared,))
    assert "derivative" not in plain.evaluate(lambda x: x**2).message  # opt-in: only listed ones


def test_recognised_must_be_listed_and_carry_a_hint():
    m = ex.Mistake("m", 1.0, "hint")
    with pytest.raises(ValueError, match="also be listed"):
        ex.Exercise(what="x", reference=2.0, recognised=(m,))
    no_hint = ex.Mistake("n", 1.0, None)
    with pytest.raises(TypeError, match="hint text"):
        ex.Exercise(what="x", reference=2.0, mistakes=(no_hint,), recognised=(no_hint,))


# ---------------------------------------------------------------- how close is right
def test_tolerance_is_relative_to_the_size_of_the_reference():
    """A tiny reference is not matched by any other tiny number (an absolute 1e-9 once let
    5e-10 pass for 1e-12), while round-off in an element that should be 0 still passes."""
    assert not ex.evaluate(5e-10, 1e-12).ok
    assert ex.evaluate(1e-12 * (1 + 1e-9), 1e-12).ok
    want = torch.tensor([3.0, 0.0], dtype=torch.float64)
    assert ex.evaluate(torch.tensor([3.0, 1e-15], dtype=torch.float64), want).ok
    assert not ex.evaluate(torch.tensor([3.0, 1e-3], dtype=torch.float64), want).ok
    assert ex.evaluate(0.0, 0.0).ok and not ex.evaluate(1e-9, 0.0).ok


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("slip", [1e-2, 1e-3])
def test_a_one_percent_or_a_one_permille_slip_fails_in_every_dtype(dtype, slip):
    want = torch.tensor([1.5, -2.0, 0.25], dtype=dtype)
    assert ex.evaluate(want * (1 + 3e-7), want).ok                  # round-off passes
    wrong = want.clone()
    wrong[1] *= 1 + slip
    assert not ex.evaluate(wrong, want).ok, (dtype, slip)


def test_generic_hints_name_nothing_an_exercise_may_not_have():
    """The fallback sign/factor texts are read under every exercise: they may not mention a
    step, a learning rate or a subtraction, which many exercises do not have."""
    texts = [ex.evaluate(v, 3.0).message for v in (-3.0, 6.0, -6.0)]
    for text in texts:
        assert not any(word in text for word in ("step", "learning rate", "lr", "subtraction")), text


# ---------------------------------------------------------------- function checks say more
def test_a_function_that_changes_its_input_in_place_fails_with_an_explanation():
    def relu_backward(x, grad):
        grad[x < 0] = 0     # the right numbers, but the caller's tensor is modified
        return grad

    reference = lambda x, grad: grad * (x > 0)
    inputs = [(torch.tensor([-1.0, 2.0]), torch.tensor([3.0, 4.0]))]
    result = ex.evaluate_function(relu_backward, reference, inputs, what="backward", arg_names=("x", "grad_output"))
    assert not result.ok and "changed its argument grad_output in place" in result.message
    assert ex.evaluate_function(relu_backward, reference, inputs, may_change_inputs=True).ok
    assert ex.evaluate_function(lambda x, g: g.clone().masked_fill(x < 0, 0), reference, inputs).ok


def test_error_hints_explain_a_known_exception():
    def update(w):
        w -= 0.1            # in place on a leaf that requires grad
        return w

    reference = lambda w: w.detach() - 0.1
    inputs = [(torch.tensor(1.0, requires_grad=True),)]
    hints = (("leaf Variable that requires grad", "update w inside torch.no_grad()"),)
    result = ex.evaluate_function(update, reference, inputs, what="update", error_hints=hints)
    assert not result.ok and result.raised
    assert "RuntimeError" in result.message and "update w inside torch.no_grad()" in result.message
    plain = ex.evaluate_function(update, reference, inputs, what="update")
    assert "no_grad" not in plain.message


def test_parts_and_arguments_are_named_in_messages():
    text = ex.evaluate((1.0, 4.0), (1.0, 2.0), what="grads", parts=("a.grad", "b.grad")).message
    assert "b.grad is off by a factor of 2" in text and "[1]" not in text
    result = ex.evaluate_function(lambda a, b: a, lambda a, b: b, [(2.0, -3.0)], arg_names=("a", "b"))
    assert "(a = 2, b = -3)" in result.message


def test_exercise_spec_validates_the_new_fields():
    with pytest.raises(TypeError):
        ex.Exercise(what="f", reference=1.0, parts=("a", ""))
    with pytest.raises(TypeError):
        ex.Exercise(what="f", reference=1.0, error_hints=(("only a pattern",),))


# --------------------------------------------------------------------------- in the Chinese edition
@pytest.fixture
def chinese(monkeypatch):
    from helpers import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    return monkeypatch


def test_arguments_are_listed_with_the_languages_punctuation(chinese):
    two = (torch.tensor(2.0), -3)
    assert ex.describe_args(two, ["a", "b"]) == "（a = 2，b = -3）"
    assert ex.describe_args((1.5,)) == "（1.5）"
    assert ex.describe_args(("text",)) == ""
    chinese.setenv("COURSE_LANG", "en")
    assert ex.describe_args(two, ["a", "b"]) == " (a = 2, b = -3)"


def test_a_chinese_function_check_reads_without_stray_spaces(chinese):
    wrong = ex.evaluate_function(lambda a, b: 2 * a * b, lambda a, b: a * b, [(1.0, 2.0), (3.0, 4.0)],
                                 arg_names=["a", "b"])
    assert wrong.message.startswith("✗ 在输入 1（a = 1，b = 2）上：你的函数的结果是正确值的 2 倍"), wrong.message
    raised = ex.evaluate_function(lambda a, b: 1 / 0, lambda a, b: a * b, [(1.0, 2.0)], arg_names=["a", "b"])
    assert raised.message.startswith("✗ 你的函数在 1 个输入中的第 1 个（a = 1，b = 2）上抛出了"), raised.message
    named = ex.evaluate_function(lambda x: 2 * x, lambda x: x, [(1.0,)], what="sigmoid", arg_names=["x"])
    assert "sigmoid(...) 是正确值的 2 倍" in named.message, named.message
