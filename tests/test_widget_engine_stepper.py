"""EngineStepper (lesson 03) and the shared PredictionBox: one _backward per click, highlight,
readout, predictions with targeted hints, every order of clicks and any typed text."""
import warnings

import matplotlib.colors as mcolors
import pytest
from hypothesis import given, settings
from tests import stepper_moves

from helpers.engine import Value
from helpers.widgets import CSS
from helpers.widgets.engine_stepper import COLOURS, MAX_NODES, EngineStepper
from helpers.widgets.predict import PredictionBox, parse_shape, parse_value

pytestmark = pytest.mark.timeout(300)

ORDER = ["L", "d", "c", "b", "a"]
FINAL = {"L": 1.0, "d": -8.0, "c": -8.0, "b": -16.0, "a": 16.0}


def make_graph():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d ** 2
    return L, {"a": a, "b": b, "c": c, "d": d, "L": L}


def make_stepper() -> EngineStepper:
    L, names = make_graph()
    return EngineStepper(L, names=names)


def _face(s, name):
    return s.boxes[s.labels.index(name)].get_bbox_patch().get_facecolor()


def _is(colour, kind):
    return mcolors.same_color(colour, COLOURS[kind])


# --------------------------------------------------------------------------- the stepper
def test_css_classes():
    s = make_stepper()
    assert CSS["engine_stepper"] in s.widget._dom_classes
    for widget, key in ((s.prev, "engine_prev"), (s.next, "engine_next"), (s.slider, "engine_step"),
                        (s.readout, "engine_readout"), (s.view.output, "engine_plot"),
                        (s.predict.widget, "predict"), (s.predict.text, "predict_input"),
                        (s.predict.button, "predict_check"), (s.predict.feedback, "predict_feedback")):
        assert CSS[key] in widget._dom_classes


def test_starts_before_the_first_call():
    s = make_stepper()
    assert s.labels == ORDER and s.position == 0
    assert s.prev.disabled and not s.next.disabled
    assert "L.grad = 1" in s.readout.value and "Next: <b>L._backward()" in s.readout.value
    # backward() has set L.grad = 1 and the readout says so: the box asks for what L._backward() sends d
    assert "<b>L._backward()</b> adds to <b>d.grad</b>" in s.predict.label.value and not s.predict.text.disabled
    assert "Predict <b>L.grad</b>" not in s.predict.label.value
    assert all("grad ?" in box.get_text() for box in s.boxes)


def test_the_box_never_asks_for_what_a_readout_has_shown():
    """The output's grad is the 1 backward() sets; a node used once got its whole grad as one product
    in the readout of its user's call. Those are never asked: what the next call sends is, and a
    leaf used once gets nothing to predict. Only a node whose uses add up (a) is asked for its grad."""
    s = make_stepper()
    asked = [(q.kind, s.labels[q.node], None if q.parent is None else s.labels[q.parent], q.target)
             for q in s.questions]
    assert asked == [("product", "L", "d", -8.0), ("product", "d", "c", -8.0), ("product", "c", "a", 24.0),
                     ("none", "b", None, None), ("grad", "a", None, 16.0)]
    shown = {"L": 1.0}  # what the readouts have shown before each question: every product so far
    for k, q in enumerate(s.questions):
        if k:
            shown.update({s.labels[s.index[id(p)]]: added for p, added in zip(s.steps[k - 1].parents,
                                                                                s.steps[k - 1].added)})
        if q.kind == "grad":
            assert all(v != q.target for v in shown.values())  # a.grad = 16 is −8 + 24, never shown as such
    s.position = 3
    assert s.predict.text.disabled and "Nothing to predict" in s.predict.label.value
    assert "b is a leaf used once" in s.readout.value


def test_product_predictions_and_their_hints():
    s = make_stepper()
    s.position = 2  # next: c._backward(), which sends ∂c/∂a × c.grad = (−3)(−8) = 24 to a
    s.predict.text.value = "24"
    assert s.predict.verdict == "right" and "✓" in s.predict.feedback.value
    s.predict.text.value = "-3"
    assert s.predict.verdict == "wrong" and "local gradient ∂c/∂a alone" in s.predict.feedback.value
    s.predict.text.value = "-8"
    assert "upstream gradient c.grad alone" in s.predict.feedback.value
    s.position = 0
    s.predict.text.value = "1"
    assert "upstream gradient L.grad alone" in s.predict.feedback.value


def test_each_click_runs_one_backward_in_reverse_topological_order():
    s = make_stepper()
    for k, name in enumerate(ORDER, start=1):
        s.next.click()
        assert s.position == k
        assert f"Call {k} of 5: {name}._backward()" in s.readout.value
        assert _is(_face(s, name), "current")
        assert f"grad {FINAL[name]:g}" in s.boxes[k - 1].get_text().replace(".0", "")
    assert s.next.disabled and s.predict.text.disabled
    s.next.click()  # disabled in the browser; a programmatic click must not error or move
    assert s.position == 5
    for k in range(4, -1, -1):
        s.prev.click()
        assert s.position == k
    s.prev.click()
    assert s.position == 0


def test_highlight_local_gradients_and_products():
    s = make_stepper()
    s.position = 3  # c._backward has just run: it sends 24 to a and -16 to b
    assert _is(_face(s, "c"), "current")
    assert _is(_face(s, "L"), "done") and _is(_face(s, "d"), "done")
    assert _is(_face(s, "b"), "next") and s.boxes[3].get_bbox_patch().get_linestyle() == "--"
    labels = {s.labels[p]: t.get_text() for (i, p), t in s.edge_labels.items() if i == 2}
    assert labels == {"a": "× -3.0 = 24.0", "b": "× 2.0 = -16.0"}
    assert all(t.get_text() == "" for (i, _), t in s.edge_labels.items() if i != 2)
    hot = {k for k, arrow in s.edges.items() if _is(arrow.get_edgecolor(), "hot")}
    assert hot == {(2, 4), (2, 3)}
    assert "∂c/∂a = -3.0" in s.readout.value and "<b>24.0</b> added to a.grad" in s.readout.value
    assert "upstream gradient <b>c.grad = -8.0</b>" in s.readout.value
    assert "grad ?" in s.boxes[4].get_text()  # a: not revealed before its own turn


def test_predictions_right_wrong_and_hints():
    s = make_stepper()
    s.position = 4  # next: a, which c and d both use
    s.predict.text.value = "16"
    assert s.predict.verdict == "right" and "✓" in s.predict.feedback.value
    s.predict.text.value = "24"
    assert s.predict.verdict == "wrong" and "one use only" in s.predict.feedback.value
    s.predict.text.value = "-3"
    assert "local gradient alone" in s.predict.feedback.value
    s.predict.text.value = "17"
    assert s.predict.verdict == "wrong" and "✗ not 17" in s.predict.feedback.value
    s.predict.text.value = "sixteen"
    assert s.predict.verdict == "unreadable" and "type a number" in s.predict.feedback.value
    s.next.click()  # revealing never needs a prediction
    assert "Your predictions: 0 ✓, 1 ✗" in s.readout.value  # the last verdict at a counts


def test_the_stepper_leaves_the_graph_as_it_found_it():
    L, names = make_graph()
    names["a"].grad = 0.25
    EngineStepper(L, names=names).position = 5
    assert names["a"].grad == 0.25 and L.grad == 0.0


def test_pictures_are_rendered_once_per_position():
    s = make_stepper()
    for k in (1, 2, 1, 0, 2):
        s.position = k
    assert sorted(s._pngs) == [0, 1, 2]


def test_constructor_and_setter_validate():
    with pytest.raises(TypeError, match="must be a Value"):
        EngineStepper(3.0)
    big = Value(1.0)
    for _ in range(MAX_NODES):
        big = big + 1.0
    with pytest.raises(ValueError, match="at most"):
        EngineStepper(big)
    s = make_stepper()
    with pytest.raises(ValueError, match="between 0 and 5"):
        s.position = 6
    with pytest.raises(TypeError, match="integer"):
        s.position = 1.5


def test_works_with_another_value_class():
    """The learner's own class: anything with data, grad, _prev, _op and _backward."""

    class Mini:
        def __init__(self, data, prev=()):
            self.data, self.grad, self._prev, self._op = data, 0.0, tuple(prev), "*" if prev else ""
            self._backward = lambda: None

    x, y = Mini(3.0), Mini(4.0)
    out = Mini(12.0, (x, y))

    def backward():
        x.grad += y.data * out.grad
        y.grad += x.data * out.grad
    out._backward = backward
    s = EngineStepper(out)
    s.position = 3
    assert s.final == (1.0, 3.0, 4.0) and s.labels == ["v3", "v2", "v1"]


SWEEP = make_stepper()


@settings(max_examples=60, deadline=None)
@given(stepper_moves.moves(last_step=5, max_text=10, max_size=8))
def test_sweep_of_clicks_slider_and_typed_text(moves):
    s = SWEEP
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for move in moves:
            stepper_moves.apply_move(s, move)
            k = s.position
            assert 0 <= k <= 5
            assert s.prev.disabled == (k == 0) and s.next.disabled == (k == 5)
            assert sum(_is(b.get_bbox_patch().get_facecolor(), "current") for b in s.boxes) == (k > 0)
            assert ("Call" in s.readout.value) == (k > 0)


# --------------------------------------------------------------------------- the prediction box
@pytest.mark.parametrize("text, value", [("-8", -8.0), ("−8", -8.0), (" 0.25 ", 0.25), ("1e-3", 1e-3),
                                         ("1/3", 1 / 3), ("-2/3", -2 / 3), (".5", 0.5)])
def test_parse_value(text, value):
    assert parse_value(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "nan", "inf", "1//2", "2x4", None])
def test_parse_value_rejects(text):
    assert parse_value(text) is None


@pytest.mark.parametrize("text, shape", [("2x4", (2, 4)), ("2×4", (2, 4)), ("(2, 4)", (2, 4)), ("4", (4,)),
                                         ("[4, 1]", (4, 1)), ("scalar", ()), ("()", ()), ("2 * 4", (2, 4))])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["", "two", "2x", "2.5x4", None])
def test_parse_shape_rejects(text):
    assert parse_shape(text) is None


def test_box_value_tolerance_and_close():
    box = PredictionBox()
    assert box.text.disabled  # nothing asked yet
    box.ask("x.grad", 1 / 3)
    box.text.value = "0.333"
    assert box.verdict == "right"
    box.text.value = "0.33"
    assert box.verdict == "wrong" and "3 significant digits" in box.feedback.value
    box.close("done")
    assert box.text.disabled and box.button.disabled and box.text.value == "" and box.verdict is None
    box.button.click()  # a click on a closed box does nothing
    assert box.verdict is None


def test_box_check_button_and_explain():
    box = PredictionBox()
    box.ask("a.grad", 16.0, explain=lambda v: "half of it" if v == 8 else None)
    box.text.value = "8"
    assert "half of it" in box.feedback.value
    box.button.click()  # judged again: same verdict
    assert box.verdict == "wrong"


def test_box_ask_validates():
    box = PredictionBox()
    with pytest.raises(ValueError, match="kind"):
        box.ask("x", 1.0, kind="colour")
    with pytest.raises(ValueError, match="finite"):
        box.ask("x", float("nan"))
    with pytest.raises(ValueError, match="tuple of ints"):
        box.ask("x", [2, 4], kind="shape")
