"""Draw a tensor's autograd graph from its `grad_fn`, with matplotlib alone (no graphviz binary).

During the forward pass PyTorch records, for every operation on tensors that require grad,
a backward node (`MulBackward0`, `PowBackward0`, …). Each node lists in `next_functions`
the nodes that produced its inputs; a leaf tensor appears as an `AccumulateGrad` node whose
`.variable` is the leaf. `backward()` walks these links from the output to the leaves, so the
edges here point the same way: output → operations → leaves.

    g = autograd_graph(loss, names={"w": w})   # nodes and edges, plain data (tested)
    ax = draw_graph(loss, names={"w": w})       # the same graph, drawn in layers

Inputs that do not require grad (constants, data) have no backward node and are not drawn.
"""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import torch

from helpers import i18n
from helpers.columns import text_width
from helpers.i18n import N_, label, message
from helpers.plotting import PALETTE, axes_for
from helpers.validation import require_bool, require_int, require_tensor, require_text

MAX_NODES = 60
CAPTION = N_("arrows: the way backward() sends gradients")  # a learner reads it: translated
NOT_A_GRAPH = N_("graph must be an AutogradGraph (from autograd_graph or value_graph), got {kind}")
_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


@dataclass(frozen=True)
class GraphNode:
    """One box of the drawing: the output tensor, a backward operation, or a leaf tensor."""

    id: str
    kind: str  # "output", "op" or "leaf"
    label: str  # "l", "mul", "w", …
    op: str | None = None  # PyTorch's class name, e.g. "MulBackward0"
    value: str | None = None  # rounded value (output and leaves)
    grad: str | None = None  # rounded .grad of a leaf, "None" before backward()
    tensor: str | None = None  # the name of the intermediate tensor an op produced, if given


@dataclass(frozen=True)
class GraphEdge:
    """A link the backward pass follows: gradient flows from `source` to `target`.

    `slot` is the input position of `target`'s tensor in `source`'s operation: `w * w`
    gives two edges from mul to w, slots 0 and 1 (a tensor used twice).
    """

    source: str
    target: str
    slot: int


@dataclass(frozen=True)
class AutogradGraph:
    """Nodes (discovery order from the output) and edges, with a layer per node (0 = output)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    layers: Mapping[str, int]

    @classmethod
    def from_edges(cls, nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> "AutogradGraph":
        """The graph of these nodes (the output first) and edges, each node placed in its layer:
        the longest path to it from the output, so every edge points down at least one layer."""
        return cls(tuple(nodes), tuple(edges), _layers(list(nodes), list(edges)))

    def node(self, label: str) -> GraphNode:
        """The first node with this label or tensor name (e.g. "mul", "w", or "e" for "sub → e")."""
        for n in self.nodes:
            if label in (n.label, n.tensor):
                return n
        raise KeyError(message("no node labelled {label!r}; labels are {labels}",
                               label=label, labels=[n.label for n in self.nodes]))

    def children(self, node_id: str) -> list[str]:
        """Targets of the edges leaving `node_id`, by slot (repeated for a reused input)."""
        return [e.target for e in self.edges if e.source == node_id]

    def __str__(self) -> str:
        """An indented tree from the output; a node reached a second time is marked (again)."""
        by_id = {n.id: n for n in self.nodes}
        lines: list[str] = []
        seen: set[str] = set()

        def visit(node_id: str, prefix: str, last: bool, top: bool) -> None:
            n = by_id[node_id]
            text = _node_text(n).replace("\n", ", ")
            again = node_id in seen
            lines.append(("" if top else prefix + ("└─ " if last else "├─ "))
                         + (message("{line} (again)", line=text) if again else text))
            if again:
                return
            seen.add(node_id)
            kids = self.children(node_id)
            for i, kid in enumerate(kids):
                visit(kid, "" if top else prefix + ("   " if last else "│  "), i == len(kids) - 1, False)

        visit(self.nodes[0].id, "", True, True)
        return "\n".join(lines)


def op_name(fn: object) -> str:
    """Short name of a backward node: MulBackward0 → "mul", MyLinearBackward → "MyLinear".

    Built-in PyTorch nodes are lower-cased; custom `autograd.Function`s keep their spelling.
    """
    if fn is None:
        raise TypeError(message("fn must be a backward node (a tensor's grad_fn), got None"))
    name = type(fn).__name__
    if name == "AccumulateGrad":
        return "leaf"
    short = _BACKWARD_SUFFIX.sub("", name) or name
    custom = isinstance(fn, torch.autograd.function.BackwardCFunction)
    return short if custom else short.lower()


def format_number(value: float, digits: int = 4) -> str:
    """`value` rounded to `digits` significant digits, always with a decimal point or exponent
    ("3.0", "-0.25", "1e-08"), and never "-0.0": the text of one number in a graph's boxes.
    inf and nan print as such: an engine's arithmetic can produce them."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message("value must be a real number, got {kind}", kind=type(value).__name__))
    digits = require_int("digits", digits, min=1, max=17)
    text = f"{value + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0
    return text + ".0" if re.fullmatch(r"-?\d+", text) else text


def format_tensor(t: torch.Tensor | None, digits: int = 4) -> str:
    """Rounded text of a small tensor ("3.0", "[1.0, -2.5]"); a shape for a large one."""
    if t is None:
        return "None"
    if not isinstance(t, torch.Tensor):
        raise TypeError(message("t must be a tensor or None, got {kind}", kind=type(t).__name__))
    digits = require_int("digits", digits, min=1, max=17)
    flat = t.detach().cpu().reshape(-1)
    if flat.numel() == 1:
        return format_number(float(flat[0]), digits)
    if flat.numel() <= 4:
        return "[" + ", ".join(format_number(float(v), digits) for v in flat) + "]"
    return "shape " + "×".join(map(str, t.shape))


def _check_names(names: Mapping[str, torch.Tensor] | None) -> dict[str, torch.Tensor]:
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(message("names must be a dict of label → tensor, e.g. {{'w': w}}, got {kind}",
                                kind=type(names).__name__))
    for key, t in names.items():
        if not isinstance(key, str) or not isinstance(t, torch.Tensor):
            raise TypeError(message("names must map str labels to tensors, got {key!r} → {kind}",
                                    key=key, kind=type(t).__name__))
    return dict(names)


def _label_for(t: torch.Tensor, names: dict[str, torch.Tensor]) -> str | None:
    return next((k for k, v in names.items() if v is t), None)


def autograd_graph(tensor: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None,
                   output_name: str | None = None, digits: int = 4,
                   max_nodes: int = MAX_NODES) -> AutogradGraph:
    """The graph behind `tensor`, walked from `tensor.grad_fn` through `next_functions`.

    names labels tensors by identity, e.g. {"w": w, "e": e}: leaves and the output by name, an
    intermediate tensor on the op that made it ("sub → e"); unnamed leaves become "leaf",
    "leaf 2", …. Layers are longest-path distances from the output, so every edge
    points down at least one layer.
    """
    require_tensor("tensor", tensor)
    if not tensor.requires_grad:
        raise ValueError(message("this tensor has no autograd graph: it does not require grad. Build "
                                 "it from tensors created with requires_grad=True (and outside "
                                 "torch.no_grad())."))
    max_nodes = require_int("max_nodes", max_nodes, min=2)
    names = _check_names(names)
    format_tensor(tensor, digits)  # validates digits
    walk = _Walk(tensor, names, digits, max_nodes, output_name or _label_for(tensor, names) or "output")
    walk.run()
    return AutogradGraph(tuple(walk.nodes), tuple(walk.edges), _layers(walk.nodes, walk.edges))


class _Walk:
    """A breadth-first walk from the output's grad_fn that numbers each backward node once
    (n0 is the output, then by distance) and records an edge per (node, input slot)."""

    def __init__(self, tensor: torch.Tensor, names: dict[str, torch.Tensor], digits: int, max_nodes: int,
                 output_label: str):
        require_text("output_name", output_label, optional=False)
        self.tensor, self.names, self.digits, self.max_nodes = tensor, names, digits, max_nodes
        self.nodes = [GraphNode("n0", "output", output_label, value=format_tensor(tensor, digits))]
        self.edges: list[GraphEdge] = []
        self.ids: dict[int, str] = {}
        self.keep: list[object] = []  # hold the node objects so id() stays unique while we walk
        self.unnamed = 0

    def run(self) -> None:
        root = self.tensor.grad_fn or _LeafProxy(self.tensor)  # a leaf itself: one box below the output
        self.edges.append(GraphEdge("n0", self.node_for(root)[0], 0))
        queue = [root]
        while queue:
            fn = queue.pop(0)
            for slot, (child, _) in enumerate(fn.next_functions):
                if child is None:
                    continue
                child_id, new = self.node_for(child)
                self.edges.append(GraphEdge(self.ids[id(fn)], child_id, slot))
                if new:
                    queue.append(child)

    def node_for(self, fn) -> tuple[str, bool]:
        """(id, new): the node of backward function `fn`, added on first sight."""
        if id(fn) in self.ids:
            return self.ids[id(fn)], False
        if len(self.nodes) >= self.max_nodes:
            raise ValueError(message("the graph has more than {max_nodes} nodes: too many to draw "
                                     "legibly. Draw a smaller piece, or raise max_nodes.", max_nodes=self.max_nodes))
        node_id = f"n{len(self.nodes)}"
        self.ids[id(fn)] = node_id
        self.keep.append(fn)
        is_leaf = type(fn).__name__ == "AccumulateGrad"
        self.nodes.append(self._leaf(node_id, fn.variable) if is_leaf else self._op(node_id, fn))
        return node_id, True

    def _leaf(self, node_id: str, leaf: torch.Tensor) -> GraphNode:
        label = _label_for(leaf, self.names)
        if label is None:
            self.unnamed += 1
            label = "leaf" if self.unnamed == 1 else f"leaf {self.unnamed}"
        return GraphNode(node_id, "leaf", label, "AccumulateGrad",
                         format_tensor(leaf, self.digits), format_tensor(leaf.grad, self.digits))

    def _op(self, node_id: str, fn) -> GraphNode:
        made = next((k for k, v in self.names.items() if v.grad_fn is fn and v is not self.tensor), None)
        return GraphNode(node_id, "op", op_name(fn), type(fn).__name__, tensor=made)


class _LeafProxy:
    """Stands in for the AccumulateGrad node of a leaf that has not been used in any operation."""

    def __init__(self, variable: torch.Tensor):
        self.variable = variable
        self.next_functions = ()


_LeafProxy.__name__ = "AccumulateGrad"


def _layers(nodes: list[GraphNode], edges: list[GraphEdge]) -> dict[str, int]:
    """Longest-path layer of every node from the output (the graph is acyclic)."""
    children: dict[str, list[str]] = {n.id: [] for n in nodes}
    indegree = {n.id: 0 for n in nodes}
    for e in edges:
        children[e.source].append(e.target)
        indegree[e.target] += 1
    layer = {n.id: 0 for n in nodes}
    ready = [n.id for n in nodes if indegree[n.id] == 0]
    while ready:  # Kahn's topological order
        u = ready.pop(0)
        for v in children[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    return layer


def layout(graph: AutogradGraph) -> dict[str, tuple[float, float]]:
    """(x, y) of every node: y = −layer; in a layer, nodes sit under their parents' mean x,
    sorted by it and pushed apart until boxes clear each other, at least 1 unit (a barycentre
    layout, by hand)."""
    if not isinstance(graph, AutogradGraph):
        raise TypeError(message(NOT_A_GRAPH, kind=type(graph).__name__))
    parents: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for e in graph.edges:
        parents[e.target].append(e.source)
    order = {n.id: i for i, n in enumerate(graph.nodes)}
    widths = {n.id: node_width(n) for n in graph.nodes}
    pos: dict[str, tuple[float, float]] = {}
    for depth in range(max(graph.layers.values()) + 1):
        row = [n.id for n in graph.nodes if graph.layers[n.id] == depth]
        want = {}
        for i, nid in enumerate(row):
            xs = [pos[p][0] for p in parents[nid] if p in pos]
            want[nid] = sum(xs) / len(xs) if xs else i - (len(row) - 1) / 2
        row.sort(key=lambda nid: (want[nid], order[nid]))
        xs: list[float] = []
        for k, nid in enumerate(row):
            gap = max(1.0, (widths[row[k - 1]] + widths[nid]) / 2 + 0.3) if k else 0.0
            xs.append(want[nid] if not xs else max(want[nid], xs[-1] + gap))
        shift = sum(want[nid] - x for nid, x in zip(row, xs)) / len(row)
        for nid, x in zip(row, xs):
            pos[nid] = (x + shift, -float(depth))
    return pos


def node_width(n: GraphNode) -> float:
    """Approximate box width in layout units (1 unit ≈ 1.7 in, 10-pt text ≈ 0.05 unit a character)."""
    if not isinstance(n, GraphNode):
        raise TypeError(message("n must be a GraphNode (one of an AutogradGraph's nodes), got {kind}",
                                kind=type(n).__name__))
    return 0.05 * max(len(line) for line in _node_text(n).splitlines()) + 0.25


def _node_text(n: GraphNode) -> str:
    if n.kind == "op":
        return n.label if n.tensor is None else f"{n.label} → {n.tensor}"
    if n.kind == "output":
        return f"{n.label} = {n.value}"
    return f"{n.label} = {n.value}\ngrad {n.grad}"


_STYLE = {  # face colour, edge colour per kind of node
    "output": (PALETTE["green"], "white"),
    "op": (PALETTE["sky"], "black"),
    "leaf": (PALETTE["orange"], "black"),
}


def draw_graph(tensor: torch.Tensor, ax=None, names: Mapping[str, torch.Tensor] | None = None,
               output_name: str | None = None, title: str | None = None, digits: int = 4,
               caption: bool = True):
    """Draw the autograd graph of `tensor`: output at the top, operations in blue, leaves in
    orange with value and .grad; arrows point the way backward() sends gradients.

    Returns the Axes (a new figure sized to the graph when ax is None).
    """
    graph = autograd_graph(tensor, names=names, output_name=output_name, digits=digits)
    return draw_autograd_graph(graph, ax=ax, title=title, caption=caption)


def draw_autograd_graph(graph: AutogradGraph, ax=None, title: str | None = None, caption: bool = True):
    """Draw an AutogradGraph (from `autograd_graph`, or `helpers.engine.value_graph` for lesson 03's
    engine): the output at the top, arrows the way backward() sends gradients. Returns the Axes."""
    if not isinstance(graph, AutogradGraph):
        raise TypeError(message(NOT_A_GRAPH, kind=type(graph).__name__))
    title = require_text("title", title)
    require_bool("caption", caption)
    pos = layout(graph)
    (left, right), depth = _extent(graph, pos), max(graph.layers.values())
    width = min(max(3.6, 1.7 * (right - left), 0.1 * text_width(title or "") + 0.5), 12.8)
    with axes_for(ax, width=width, height=1.2 + 1.05 * (depth + 1)) as ax:
        ax.set_xlim(left, right)
        ax.set_ylim(-depth - 0.7, 0.45)
        ax.set_axis_off()
        boxes = _draw_nodes(ax, graph, pos)
        _draw_edges(ax, graph, pos, boxes)
        if caption:
            ax.text(0.0, 0.0, i18n.label(CAPTION), transform=ax.transAxes,
                    fontsize=9, color="0.35", ha="left", va="bottom")
        if title:
            ax.set_title(title)
    return ax


def _extent(graph: AutogradGraph, pos: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """(left, right): the x range the boxes cover, with a margin."""
    left = min(pos[n.id][0] - node_width(n) / 2 for n in graph.nodes) - 0.3
    right = max(pos[n.id][0] + node_width(n) / 2 for n in graph.nodes) + 0.3
    return left, right


def _draw_nodes(ax, graph: AutogradGraph, pos: Mapping[str, tuple[float, float]]) -> dict:
    """One text box per node in its kind's style; returns node id → the text artist."""
    artists = {}
    for n in graph.nodes:
        face, font = _STYLE[n.kind]
        style = "round,pad=0.35" if n.kind == "op" else "square,pad=0.35"
        artists[n.id] = ax.text(*pos[n.id], _node_text(n), ha="center", va="center", fontsize=10,
                                color=font if n.kind == "output" else "black", zorder=3,
                                **_node_font(n, _node_text(n)),
                                bbox=dict(boxstyle=style, fc=face, ec="none" if n.kind != "leaf" else "black",
                                          alpha=0.95 if n.kind != "leaf" else 0.6, lw=0.8))
    return artists


def _node_font(n: GraphNode, text: str) -> dict:
    """Operations in bold, in the first font family alone: a fallback font for Chinese (see
    `helpers.i18n.use_figure_fonts`) often has no bold face, and matplotlib warns when it looks for
    one. A label with Chinese characters in it stays in normal weight, with every family."""
    if n.kind != "op" or text_width(text) != len(text):
        return {"fontweight": "normal"}
    import matplotlib

    families = matplotlib.rcParams["font.family"]
    first = families[0] if isinstance(families, list) and families else families
    if first in ("sans-serif", "serif", "monospace", "cursive", "fantasy"):
        return {"fontweight": "bold"}
    return {"fontweight": "bold", "fontfamily": first}


def edge_curvatures(edges: tuple[GraphEdge, ...]) -> list[float]:
    """An arc radius per edge: 0 for a single edge, spread symmetrically (±0.175 for a pair,
    up to ±0.35 for more) when one source feeds the same target several times (w * w), so the
    arrows do not overlap."""
    if not isinstance(edges, (list, tuple)) or not all(isinstance(e, GraphEdge) for e in edges):
        raise TypeError(message("edges must be a list of GraphEdge (an AutogradGraph's edges), got {kind}",
                                kind=type(edges).__name__))
    counts: dict[tuple[str, str], int] = {}
    for e in edges:
        counts[(e.source, e.target)] = counts.get((e.source, e.target), 0) + 1
    seen: dict[tuple[str, str], int] = {}
    rads = []
    for e in edges:
        key = (e.source, e.target)
        k, count = seen.get(key, 0), counts[key]
        seen[key] = k + 1
        rads.append(0.0 if count == 1 else 0.35 * (k - (count - 1) / 2) / max(1, (count - 1) / 2))
    return rads


def _draw_edges(ax, graph: AutogradGraph, pos: Mapping[str, tuple[float, float]], boxes: dict) -> None:
    """An arrow from box to box for every edge, curved apart where edges repeat."""
    for e, rad in zip(graph.edges, edge_curvatures(graph.edges)):
        ax.annotate("", xy=pos[e.target], xytext=pos[e.source], zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color="0.25", lw=1.3, mutation_scale=14,
                                    patchA=boxes[e.source].get_bbox_patch(),
                                    patchB=boxes[e.target].get_bbox_patch(), shrinkA=3, shrinkB=3,
                                    connectionstyle=f"arc3,rad={rad:.3f}"))
