"""BackwardStepper: stepping, the ends, highlight and readout, value predictions with hints, a sweep
of the step slider, buttons and typed predictions."""
import warnings

import matplotlib.colors as mcolors
import pytest
import torch
from hypothesis import given, settings
from tests import stepper_moves

from helpers import mlp
from helpers.widgets import CSS
from helpers.widgets.predict import REL_TOL
from helpers.widgets.stepper import COLOURS, EDGES, POSITIONS, BackwardStepper

ORDER = ["J", "L", "s", "O", "W2", "H", "Z", "W1"]


def make_stepper(lam: float = 0.1) -> BackwardStepper:
    p = mlp.init_params(bias=False)
    X, Y = mlp.make_data()
    return BackwardStepper(mlp.backward_steps(p, X[:1], Y[:1], lam))


@pytest.fixture(scope="module")
def stepper():
    return make_stepper()


def _is(colour, name):
    return mcolors.same_color(colour, COLOURS[name])


def test_css_classes(stepper):
    assert CSS["stepper"] in stepper.widget._dom_classes
    for widget, key in ((stepper.prev, "stepper_prev"), (stepper.next, "stepper_next"),
                        (stepper.slider, "stepper_step"), (stepper.readout, "stepper_readout"),
                        (stepper.view.output, "stepper_plot")):
        assert CSS[key] in widget._dom_classes


def test_starts_at_J_with_prev_disabled():
    s = make_stepper()
    assert s.step == 0 and s.current.node == "J"
    assert s.prev.disabled and not s.next.disabled
    assert "node J" in s.readout.value and "∂J/∂J = 1" in s.readout.value
    assert _is(s.nodes["J"].get_facecolor(), "current")


def test_next_to_the_last_node_and_back():
    s = make_stepper()
    seen = [s.current.node]
    for _ in range(len(s.steps) - 1):
        s.next.click()
        seen.append(s.current.node)
    assert seen == ORDER
    assert s.next.disabled and not s.prev.disabled
    assert "node W1" in s.readout.value and "G_Zᵀ X + λW1" in s.readout.value
    s.next.click()  # disabled in the browser; a programmatic click must not error or move
    assert s.step == len(ORDER) - 1
    back = []
    for _ in range(len(s.steps) - 1):
        s.prev.click()
        back.append(s.current.node)
    assert back == ORDER[-2::-1]
    assert s.prev.disabled
    s.prev.click()
    assert s.step == 0


def test_highlight_and_upstream_edges():
    s = make_stepper()
    s.step = ORDER.index("W2")
    assert _is(s.nodes["W2"].get_facecolor(), "current")
    for name in ("J", "L", "s", "O"):
        assert _is(s.nodes[name].get_facecolor(), "done")
    for name in ("H", "Z", "W1"):
        assert _is(s.nodes[name].get_facecolor(), "pending")
    hot = {k for k, a in s.edges.items() if _is(a.get_edgecolor(), "upstream")}
    assert hot == {("W2", "O"), ("W2", "s")}
    assert "G_O" in s.readout.value and "<b>H</b>" in s.readout.value and "(2×4)" in s.readout.value
    assert "step 5 of 8" in s.caption.get_text()


def test_readout_values_are_the_products():
    s = make_stepper(lam=0.0)
    s.step = ORDER.index("Z")
    product = s.current.product
    assert product.shape == (1, 4)
    assert f"{product[0, 0].item():+.4f}" in s.readout.value


def test_step_setter_validates(stepper):
    with pytest.raises(ValueError, match="between 0 and 7"):
        stepper.step = 8
    with pytest.raises(TypeError, match="integer"):
        stepper.step = 1.5


def test_constructor_validates():
    with pytest.raises(ValueError, match="non-empty"):
        BackwardStepper([])
    with pytest.raises(TypeError, match="BackwardStep"):
        BackwardStepper(["J"])
    bad = mlp.BackwardStep("q", (), (), "", torch.zeros(()), ())
    with pytest.raises(ValueError, match="not in the graph"):
        BackwardStepper([bad])


def test_graph_layout_is_complete():
    assert {a for e in EDGES for a in e} == set(POSITIONS)
    assert set(ORDER) | {"X", "Y"} == set(POSITIONS)


def test_predicts_a_value_of_the_next_gradient_with_hints():
    s = make_stepper()
    assert CSS["predict"] in s.predict.widget._dom_classes
    assert CSS["predict_input"] in s.predict.text._dom_classes
    s.step = ORDER.index("O")  # next: W2, a 2×4 matrix; the box asks for one element of it
    nxt = s.steps[s.step + 1]
    assert nxt.label in s.predict.label.value and nxt.label.startswith("G_W2[") and not s.predict.text.disabled
    s.predict.text.value = f"{nxt.target:.4g}"
    assert s.predict.verdict == "right" and "✓" in s.predict.feedback.value
    without_lambda = nxt.mistakes[0][0]                 # the regulariser's share λW2 left out
    s.predict.text.value = f"{without_lambda:.5g}"
    assert s.predict.verdict == "wrong" and "W2 also feeds s" in s.predict.feedback.value
    s.predict.text.value = f"{-nxt.target:.4g}"          # wrong, but no usual mistake: no hint
    assert s.predict.verdict == "wrong" and "feeds" not in s.predict.feedback.value
    s.predict.text.value = "two by four"
    assert s.predict.verdict == "unreadable" and "✗" not in s.predict.feedback.value
    s.next.click()  # revealing never needs a prediction; the box then asks about the next node
    assert s.current.node == "W2" and s.predict.text.value == "" and "G_H[" in s.predict.label.value
    s.step = 0  # next: L, whose gradient is 1
    s.predict.text.value = "1"
    assert s.predict.verdict == "right"
    s.predict.text.value = "0.5"
    assert s.predict.verdict == "wrong" and "weight 1" in s.predict.feedback.value
    s.step = len(ORDER) - 1
    assert s.predict.text.disabled and s.predict.button.disabled


@pytest.mark.parametrize("node, hint", [("O", "a sign"), ("H", "every output"), ("Z", "slope"),
                                        ("W1", "W1 also feeds s")])
def test_each_usual_mistake_gets_its_hint(node, hint):
    s = make_stepper()
    s.step = ORDER.index(node) - 1
    step = s.steps[s.step + 1]
    assert step.mistakes, node
    s.predict.text.value = f"{step.mistakes[0][0]:.6g}"
    assert s.predict.verdict == "wrong" and hint in s.predict.feedback.value


def test_every_step_asks_for_an_element_that_three_digits_can_give():
    """The element asked is the largest of its gradient, so its value is not tiny, and no usual
    mistake gives the right value (its hint would never show)."""
    for st in make_stepper().steps[1:]:
        assert abs(st.target) > 0.05, st.node
        assert all(abs(wrong - st.target) > REL_TOL * abs(st.target) for wrong, _ in st.mistakes), st.node


def test_three_significant_digits_are_enough():
    """The lesson says 3 significant digits are enough: each step's value, rounded so, is judged right."""
    s = make_stepper()
    for i in range(len(s.steps) - 1):
        s.step = i
        s.predict.text.value = f"{s.steps[i + 1].target:.3g}"
        assert s.predict.verdict == "right", (s.steps[i + 1].label, s.predict.text.value)


def test_prediction_box_can_be_left_out():
    p = mlp.init_params(bias=False)
    X, Y = mlp.make_data()
    s = BackwardStepper(mlp.backward_steps(p, X[:1], Y[:1], 0.1), predict=False)
    assert s.predict is None and len(s.widget.children) == 3
    s.next.click()
    assert s.current.node == "L"


@settings(max_examples=40, deadline=None)
@given(stepper_moves.moves(last_step=7, max_text=8, max_size=6))
def test_sweep_of_slider_and_buttons(moves):
    s = SWEEP
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for move in moves:
            stepper_moves.apply_move(s, move)
            i = s.step
            assert 0 <= i <= 7
            assert s.current.node == ORDER[i]
            assert f"Step {i + 1} of 8 · node {ORDER[i]}" in s.readout.value
            assert s.prev.disabled == (i == 0) and s.next.disabled == (i == 7)
            assert sum(_is(c.get_facecolor(), "current") for c in s.nodes.values()) == 1


SWEEP = make_stepper()


def test_every_slider_position():
    s = make_stepper()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in [*range(8), *range(7, -1, -1)]:
            s.slider.value = i
            assert _is(s.nodes[ORDER[i]].get_facecolor(), "current")
