"""Tests of helpers.graph: the autograd graph as data, its layout, and its drawing."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.graph import (AutogradGraph, autograd_graph, draw_graph, format_tensor, layout,  # noqa: E402
                           node_width, op_name)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def original_loss(w0=3.0, x=1.0, y=2.0):
    """The loss of lesson 04's original program: (w·x − y)²."""
    w = torch.tensor([w0], requires_grad=True)
    return w, (w * x - y) ** 2


def labels(g: AutogradGraph) -> list[str]:
    return [n.label for n in g.nodes]


# --------------------------------------------------------------------------- op_name, format_tensor
def test_op_name_shortens_builtin_nodes():
    w = torch.tensor([2.0], requires_grad=True)
    assert op_name((w * 3).grad_fn) == "mul"
    assert op_name((w ** 2).grad_fn) == "pow"
    assert op_name(w.sigmoid().grad_fn) == "sigmoid"
    assert op_name((w * 3).grad_fn.next_functions[0][0]) == "leaf"


def test_op_name_keeps_custom_function_names():
    class MyDouble(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    w = torch.tensor([2.0], requires_grad=True)
    assert op_name(MyDouble.apply(w).grad_fn) == "MyDouble"


def test_op_name_rejects_none():
    with pytest.raises(TypeError, match="backward node"):
        op_name(None)


@pytest.mark.parametrize("value, text", [
    (torch.tensor([3.0]), "3.0"), (torch.tensor(-0.0), "0.0"), (torch.tensor([2.0, -0.5]), "[2.0, -0.5]"),
    (torch.tensor([1 / 3]), "0.3333"), (torch.zeros(2, 3), "shape 2×3"), (None, "None"),
])
def test_format_tensor(value, text):
    assert format_tensor(value) == text


def test_format_tensor_rejects_bad_input():
    with pytest.raises(TypeError, match="tensor or None"):
        format_tensor(3.0)
    with pytest.raises(ValueError, match="digits"):
        format_tensor(torch.tensor(1.0), digits=0)


# --------------------------------------------------------------------------- autograd_graph
def test_chain_of_the_original_program():
    w, l = original_loss()
    g = autograd_graph(l, names={"w": w, "l": l})
    assert labels(g) == ["l", "pow", "sub", "mul", "w"]
    assert [n.kind for n in g.nodes] == ["output", "op", "op", "op", "leaf"]
    assert g.node("pow").op == "PowBackward0"
    assert [(e.source, e.target) for e in g.edges] == [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "n4")]
    assert [g.layers[n.id] for n in g.nodes] == [0, 1, 2, 3, 4]
    assert g.node("l").value == "1.0"
    assert (g.node("w").value, g.node("w").grad) == ("3.0", "None")


def test_leaf_grad_is_shown_after_backward():
    w, l = original_loss()
    l.backward()
    assert autograd_graph(l, names={"w": w}).node("w").grad == "2.0"  # 2x(xw − y) = 2·1·(3 − 2)


def test_constants_have_no_node():
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([5.0])  # data: no grad
    g = autograd_graph(w * x, names={"w": w})
    assert labels(g) == ["output", "mul", "w"]


def test_branching_two_leaves():
    w = torch.tensor([3.0], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    g = autograd_graph(w * 2 + b, names={"w": w, "b": b})
    add = g.node("add").id
    kids = [g.nodes[int(k[1:])].label for k in g.children(add)]
    assert kids == ["mul", "b"]
    assert sorted(n.label for n in g.nodes if n.kind == "leaf") == ["b", "w"]


def test_tensor_used_twice_gives_two_edges_to_one_node():
    w = torch.tensor([3.0], requires_grad=True)
    g = autograd_graph(w * w, names={"w": w})
    assert labels(g).count("w") == 1
    mul, leaf = g.node("mul").id, g.node("w").id
    assert [(e.target, e.slot) for e in g.edges if e.source == mul] == [(leaf, 0), (leaf, 1)]


def test_reused_intermediate_and_diamond_layers():
    w = torch.tensor([0.3], requires_grad=True)
    a = w * 2
    l = a.exp() + a.sin()  # a feeds two branches that meet again in add
    g = autograd_graph(l, names={"w": w})
    assert labels(g).count("mul") == 1
    mul = g.node("mul").id
    parents = sorted(g.nodes[int(e.source[1:])].label for e in g.edges if e.target == mul)
    assert parents == ["exp", "sin"]
    assert g.layers[mul] == 3 and g.layers[g.node("w").id] == 4
    assert "(again)" in str(g)


def test_named_intermediate_tensor_labels_its_op():
    w = torch.tensor([3.0], requires_grad=True)
    e = w * 2.0 - 4.0
    l = e * e
    g = autograd_graph(l, names={"w": w, "e": e, "l": l})
    assert g.node("e").label == "sub" and g.node("e").tensor == "e"
    assert g.node("l").kind == "output" and g.node("mul").tensor is None  # the output is its own node
    assert "sub → e" in str(g)


def test_unnamed_leaves_are_numbered():
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([2.0], requires_grad=True)
    assert sorted(n.label for n in autograd_graph(a * b).nodes if n.kind == "leaf") == ["leaf", "leaf 2"]


def test_a_leaf_on_its_own():
    w = torch.tensor([1.5], requires_grad=True)
    g = autograd_graph(w, names={"w": w})
    assert labels(g) == ["w", "w"] and [n.kind for n in g.nodes] == ["output", "leaf"]


def test_str_is_an_indented_tree():
    w, l = original_loss()
    assert str(autograd_graph(l, names={"w": w, "l": l})).splitlines() == [
        "l = 1.0", "└─ pow", "   └─ sub", "      └─ mul", "         └─ w = 3.0, grad None"]


def test_node_lookup_error_names_the_labels():
    w, l = original_loss()
    with pytest.raises(KeyError, match="pow"):
        autograd_graph(l).node("exp")


def test_autograd_graph_rejects_bad_input():
    with pytest.raises(TypeError, match="torch.Tensor"):
        autograd_graph([1.0])
    with pytest.raises(ValueError, match="requires_grad=True"):
        autograd_graph(torch.tensor([1.0]) * 2)
    w, l = original_loss()
    with pytest.raises(TypeError, match="names"):
        autograd_graph(l, names=[w])
    with pytest.raises(TypeError, match="str labels"):
        autograd_graph(l, names={"w": 3.0})
    with pytest.raises(ValueError, match="max_nodes"):
        autograd_graph(l, max_nodes=1)
    with pytest.raises(ValueError, match="too many to draw"):
        autograd_graph(l, max_nodes=3)


# --------------------------------------------------------------------------- layout
def _branchy():
    w = torch.tensor([3.0], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    e = w * 2.0 - 4.0
    l = e * e + (w * b).sigmoid()
    l.backward()
    return autograd_graph(l, names={"w": w, "b": b, "l": l})


def test_layout_edges_point_down_and_boxes_do_not_overlap():
    g = _branchy()
    pos = layout(g)
    assert all(pos[e.source][1] > pos[e.target][1] for e in g.edges)
    by_id = {n.id: n for n in g.nodes}
    for depth in set(g.layers.values()):
        row = sorted((pos[i][0], i) for i in pos if g.layers[i] == depth)
        for (x0, a), (x1, b) in zip(row, row[1:]):
            assert x1 - x0 >= max(1.0, (node_width(by_id[a]) + node_width(by_id[b])) / 2) - 1e-9


def test_layout_of_a_chain_is_vertical():
    w, l = original_loss()
    assert {x for x, _ in layout(autograd_graph(l)).values()} == {0.0}


def test_layout_rejects_non_graph():
    with pytest.raises(TypeError, match="AutogradGraph"):
        layout({"n0": 0})


# --------------------------------------------------------------------------- draw_graph
def _arrows(ax):
    return [t for t in ax.texts if isinstance(t, Annotation)]


def test_draw_graph_draws_every_node_and_edge():
    g = _branchy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = torch.tensor([3.0], requires_grad=True)
        b = torch.tensor([0.5], requires_grad=True)
        e = w * 2.0 - 4.0
        l = e * e + (w * b).sigmoid()
        l.backward()
        ax = draw_graph(l, names={"w": w, "b": b, "l": l}, title="reuse")
        ax.figure.canvas.draw()
    arrows = _arrows(ax)
    boxes = [t for t in ax.texts if not isinstance(t, Annotation) and t.get_bbox_patch() is not None]
    assert len(boxes) == len(g.nodes) and len(arrows) == len(g.edges)
    assert "w = 3.0\ngrad 8.075" in [t.get_text() for t in boxes]
    rads = sorted(a.arrow_patch.get_connectionstyle().rad for a in arrows)
    assert rads.count(0.0) == len(arrows) - 2 and rads[0] < 0 < rads[-1]  # e * e: two curved arrows
    assert ax.get_title() == "reuse"


def test_draw_graph_uses_the_given_axes():
    fig, ax = plt.subplots()
    w, l = original_loss()
    assert draw_graph(l, ax=ax, caption=False) is ax
    assert len(_arrows(ax)) == 4 and len(ax.texts) == 9


def test_draw_graph_on_a_graph_without_grad_raises():
    with pytest.raises(ValueError, match="requires_grad"):
        draw_graph(torch.ones(2))


def test_draw_graph_is_not_kept_by_pyplot_outside_the_inline_backend():
    before = plt.get_fignums()
    w, l = original_loss()
    ax = draw_graph(l, names={"w": w})
    assert plt.get_fignums() == before
    assert ax.figure.get_figwidth() > 0  # still a complete figure, sized to the graph


def test_draw_graph_figure_is_the_same_size_as_before():
    """The inline backend prints "<Figure size WxH with 1 Axes>": lessons compare that text."""
    w, l = original_loss()
    fig = draw_graph(l, names={"w": w}).figure
    assert (fig.get_figwidth(), fig.get_figheight()) == pytest.approx((3.6, 1.2 + 1.05 * 5))


def test_edge_curvatures_spread_repeated_edges():
    from helpers.graph import GraphEdge, edge_curvatures

    edges = (GraphEdge("a", "b", 0), GraphEdge("a", "c", 0), GraphEdge("a", "b", 1))
    assert edge_curvatures(edges) == pytest.approx([-0.175, 0.0, 0.175])


def test_the_caption_is_one_translatable_sentence(monkeypatch):
    """The caption under a drawn graph goes through helpers.i18n (`label`: text drawn in a figure),
    like every sentence a learner reads."""
    from helpers import graph as graph_module
    from helpers import i18n

    monkeypatch.setattr(i18n, "label", lambda text, **values: "«" + text + "»")
    w = torch.tensor([1.0], requires_grad=True)
    ax = graph_module.draw_graph(w * 2.0)
    assert any(t.get_text() == "«" + graph_module.CAPTION + "»" for t in ax.texts)
    plt.close(ax.figure)


def test_a_chinese_title_counts_two_columns_per_character():
    """A translated title gets a figure as wide as its glyphs need: a CJK character is drawn about
    twice as wide as a Latin letter."""
    from helpers.graph import text_width

    assert text_width("grad") == 4
    assert text_width("反向传播") == 8
    assert text_width("w·x − y，反向") == 7 + 2 + 4  # "·" and "−" are one column, "，" two


def test_bold_operations_ask_no_bold_of_a_chinese_fallback_font(caplog):
    """With a CJK fallback font after the Latin one (the Chinese edition), drawing a graph logs no
    "Failed to find font weight bold" warning: only the first family is asked for bold."""
    import logging

    import matplotlib

    from helpers import i18n

    font = i18n.cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (CI installs fonts-wqy-microhei)")
    w = torch.tensor([1.0], requires_grad=True)
    with matplotlib.rc_context({"font.family": ["DejaVu Sans", font]}), caplog.at_level(logging.WARNING):
        ax = draw_graph((w * 2.0 - 1.0) ** 2, names={"w": w}, title="反向传播")
        ax.figure.canvas.draw()
    plt.close(ax.figure)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    assert [t.get_fontweight() for t in ax.texts if t.get_text() in ("pow", "sub", "mul")] == ["bold"] * 3
