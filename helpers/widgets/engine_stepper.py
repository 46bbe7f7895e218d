"""Backward-pass stepper for lesson 03's engine: one `_backward` call per click, output first.

Position k (the slider, 0 … n) means "the first k `_backward` calls have run". The node that
just ran is orange, with its upstream gradient (its own .grad), the local gradient on each edge
to a parent and the product it added to that parent's .grad. The node that runs next has a
dashed outline and its gradient still hidden. Before pressing Next the learner may type a
prediction (✓/✗, with a hint for the usual mistakes) of something no readout has shown yet
(`Question`): the next node's gradient when several uses add up to it; otherwise (the output's
gradient is the 1 that backward() sets, and a node used once got its gradient as one product
shown in the readout) what the next `_backward` will add to a parent; nothing for a leaf used once.

The steps come from `helpers.engine.trace_backward`, which runs the nodes' own `_backward`
closures, so the stepper also steps through the learner's own `Value` class.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Mapping

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.patches import FancyArrowPatch

from helpers.engine import node_names, trace_backward, value_graph
from helpers.graph import format_number as fmt
from helpers.graph import layout
from helpers.i18n import label as figure_label, message
from helpers import i18n
from helpers.i18n import message
from helpers.plotting import PALETTE, house_style
from helpers.validation import require_int
from helpers.widgets import CSS, FigureView
from helpers.widgets.predict import PredictionBox

MAX_NODES = 16
COLOURS = {"pending": "white", "done": "#BFE6D8", "current": PALETTE["orange"], "next": "white",
           "edge": "#AAAAAA", "hot": PALETTE["blue"]}


@dataclass(frozen=True)
class Question:
    """What the prediction box asks before the `_backward` of node `node` (an index in the
    stepper's order) runs: "grad" (node's complete gradient, a sum of several uses), "product"
    (what node's `_backward` adds to `parent`'s grad: local gradient × upstream gradient) or
    "none" (a leaf used once: its gradient is the one product its user sent, already shown)."""

    kind: str
    node: int
    target: float | None = None
    parent: int | None = None  # the parent asked about ("product")
    local: float | None = None  # ∂node/∂parent ("product")
    upstream: float | None = None  # node.grad ("product")


class EngineStepper:
    """Step through `root.backward()` one `_backward` at a time; `.position` is the one state."""

    def __init__(self, root, names: Mapping[str, object] | None = None, digits: int = 4):
        self.order, self.steps = trace_backward(root)  # ValueError if a _backward fails
        if len(self.order) > MAX_NODES:
            raise ValueError(message("the graph has {n} nodes; the stepper draws at most {most}: "
                                     "step through a smaller expression", n=len(self.order), most=MAX_NODES))
        self.digits = digits
        label = node_names(root, names)
        self.labels = [label[id(n)] for n in self.order]
        self.index = {id(n): i for i, n in enumerate(self.order)}
        self.final = self.steps[-1].grads
        self.received = self._received()
        self.questions = [self._question(k) for k in range(len(self.steps))]
        self._build_figure_in_house_style(value_graph(root, names, digits))
        self.view = FigureView(self.fig, CSS["engine_plot"])
        self._clip_arrows()
        self._pngs: dict[int, bytes] = {}
        self.predictions: dict[int, str] = {}  # node index → last verdict
        n = len(self.steps)
        self.prev = W.Button(description=message("◀ Back"), tooltip=message("undo the last _backward call"))
        self.prev.add_class(CSS["engine_prev"])
        self.next = W.Button(description=message("Run next _backward ▶"),
                             tooltip=message("run the next node's _backward"), layout=W.Layout(width="14em"))
        self.next.add_class(CSS["engine_next"])
        self.slider = W.IntSlider(value=0, min=0, max=n, description=message("calls run"), continuous_update=False)
        self.slider.add_class(CSS["engine_step"])
        self.readout = W.HTML()
        self.readout.add_class(CSS["engine_readout"])
        self.predict = PredictionBox()
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(+1))
        self.slider.observe(lambda _: self.update(), names="value")
        self.predict.text.observe(lambda _: self._record(), names="value")
        self.widget = W.VBox([W.HBox([self.prev, self.next, self.slider]), self.predict.widget,
                              self.view.output, self.readout])
        self.widget.add_class(CSS["engine_stepper"])
        self.update()

    # ------------------------------------------------------------------ state
    @property
    def position(self) -> int:
        return self.slider.value

    @position.setter
    def position(self, value: int) -> None:
        self.slider.value = require_int("position", value, min=0, max=len(self.steps))

    def go(self, delta: int) -> None:
        """Run (+1) or undo (−1) one _backward call, stopping at both ends."""
        self.slider.value = min(max(self.position + delta, 0), len(self.steps))

    def _received(self) -> list[list[tuple[str, float, float]]]:
        """For every node: (consumer, local gradient, product) for each use of it."""
        got: list[list[tuple[str, float, float]]] = [[] for _ in self.order]
        for st in self.steps:
            for p, local, added in zip(st.parents, st.local, st.added):
                got[self.index[id(p)]].append((self.labels[st.index], local, added))
        return got

    def _question(self, k: int) -> Question:
        """What to ask before call k + 1 (node k's _backward): see `Question`."""
        uses, step = self.received[k], self.steps[k]
        if k > 0 and len(uses) > 1:
            return Question("grad", k, target=self.final[k])
        if not step.parents:
            return Question("none", k)
        j = next((j for j, local in enumerate(step.local) if abs(local) != 1.0), 0)  # not a mere pass-through
        return Question("product", k, target=step.added[j], parent=self.index[id(step.parents[j])],
                        local=step.local[j], upstream=step.upstream)

    def _explain(self, q: Question):
        """A hint for a wrong prediction that matches a usual mistake."""
        near = lambda value, x: math.isclose(value, x, rel_tol=2e-3, abs_tol=1e-9)
        node = self.labels[q.node]
        if q.kind == "product":
            parent = self.labels[q.parent]

            def explain(value: float) -> str | None:
                if near(value, q.local):
                    return message("that is the local gradient ∂{label}/∂{parent} alone: multiply it by the upstream "
                                   "gradient {label}.grad", label=node, parent=parent)
                if near(value, q.upstream):
                    return message("that is the upstream gradient {label}.grad alone: multiply it by the local "
                                   "gradient ∂{label}/∂{parent}", label=node, parent=parent)
                return None
            return explain
        uses = self.received[q.node]

        def explain(value: float) -> str | None:
            if any(near(value, added) for _, _, added in uses):
                users = i18n.join_list(c for c, _, _ in uses)
                return message("that is one use only: {label} is used by {users}, and their products add up",
                               label=node, users=users)
            if any(near(value, local) for _, local, _ in uses):
                return message("that is a local gradient alone: multiply it by the upstream gradient")
            return None
        return explain

    # ------------------------------------------------------------------ drawing
    def _text(self, i: int, show_grad: bool) -> str:
        node = self.order[i]
        op = getattr(node, "_op", "")
        head = f"{self.labels[i]}  ({op})" if node._prev and op else self.labels[i]
        grad = fmt(self.final[i], self.digits) if show_grad else "?"
        return f"{head}\ndata {fmt(node.data, self.digits)}\ngrad {grad}"

    def _build_figure_in_house_style(self, graph) -> None:
        with house_style():  # the whole figure, text included, without changing global settings
            self._build_figure(graph)

    def _build_figure(self, graph) -> None:
        pos = layout(graph)
        xy = [(1.5 * pos[f"n{i}"][0], pos[f"n{i}"][1]) for i in range(len(self.order))]  # wider rows
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        span = max(xs) - min(xs) + 2.0
        with plt.ioff():
            self.fig = plt.figure(figsize=(8.0, 1.5 + 1.1 * (max(ys) - min(ys) + 1)), layout="none")
            self.ax = self.fig.add_axes((0.01, 0.1, 0.98, 0.8))  # fixed box: no layout shifts
        ax = self.ax
        half = max(span / 2, 3.0)  # about 1.3 inches per unit of the layout
        centre = (max(xs) + min(xs)) / 2
        ax.set_xlim(centre - half, centre + half)
        ax.set_ylim(min(ys) - 0.55, max(ys) + 0.45)
        ax.axis("off")
        self.boxes = []
        for i, (x, y) in enumerate(xy):
            self.boxes.append(ax.text(x, y, self._text(i, True), ha="center", va="center", fontsize=9.5,
                                      zorder=3, bbox=dict(boxstyle="round,pad=0.4", fc="white", ec="black", lw=1.2)))
        self.edges: dict[tuple[int, int], FancyArrowPatch] = {}
        self.edge_labels: dict[tuple[int, int], plt.Text] = {}
        for i, node in enumerate(self.order):
            for p in dict.fromkeys(self.index[id(q)] for q in node._prev):
                arrow = FancyArrowPatch(xy[i], xy[p], arrowstyle="-|>", mutation_scale=13, zorder=2,
                                        shrinkA=0, shrinkB=0)
                ax.add_patch(arrow)
                self.edges[(i, p)] = arrow
                dx = xy[p][0] - xy[i][0]
                at = (xy[i][0] + 0.55 * dx + (0.08 if abs(dx) < 0.05 else 0.0), xy[i][1] + 0.55 * (xy[p][1] - xy[i][1]))
                self.edge_labels[(i, p)] = ax.text(*at, "", ha="right" if dx < -0.05 else "left", va="center",
                                                   fontsize=9, zorder=4, color=PALETTE["blue"], fontweight="bold",
                                                   bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none",
                                                             alpha=0.9))
        self.caption = ax.set_title("", fontsize=11)
        ax.text(0.5, -0.1, figure_label("orange: its _backward ran just now  ·  dashed: runs next  ·  green: done\n"
                                        "blue arrow label: × local gradient = product added to the parent's grad"),
                ha="center", va="bottom", fontsize=8.5,
                color="#444", transform=ax.transAxes)

    def _clip_arrows(self) -> None:
        """Start and end every arrow at the rim of its boxes, computed once from a first draw
        (clipping by the box patches at every draw would cost a third of the draw time)."""
        self.view.canvas.draw()
        renderer = self.view.canvas.get_renderer()
        extents = [box.get_bbox_patch().get_window_extent(renderer) for box in self.boxes]
        to_data = self.ax.transData.inverted()

        def rim(bb, towards, pad=3.0):
            cx, cy = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
            dx, dy = towards[0] - cx, towards[1] - cy
            t = min((bb.width / 2 + pad) / abs(dx) if dx else math.inf,
                    (bb.height / 2 + pad) / abs(dy) if dy else math.inf)
            return to_data.transform((cx + t * dx, cy + t * dy))

        for (i, p), arrow in self.edges.items():
            a, b = extents[i], extents[p]
            ca, cb = ((a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2), ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)
            arrow.set_positions(rim(a, cb), rim(b, ca))

    def _style(self) -> None:
        k, n = self.position, len(self.steps)
        for i, box in enumerate(self.boxes):
            kind = ("current" if i == k - 1 else "done" if i < k - 1 else "next" if i == k else "pending")
            box.set_text(self._text(i, i < k))
            patch = box.get_bbox_patch()
            patch.set_facecolor(COLOURS[kind])
            patch.set_linewidth(2.6 if kind in ("current", "next") else 1.2)
            patch.set_linestyle("--" if kind == "next" else "-")
            patch.set_edgecolor(PALETTE["blue"] if kind == "next" else "black")
        for (i, p), arrow in self.edges.items():
            hot = i == k - 1
            arrow.set_color(COLOURS["hot"] if hot else COLOURS["edge"])
            arrow.set_linewidth(2.6 if hot else 1.2)
            label = ""
            if hot:
                st = self.steps[i]
                j = [self.index[id(q)] for q in st.parents].index(p)
                label = f"× {fmt(st.local[j], self.digits)} = {fmt(st.added[j], self.digits)}"
            self.edge_labels[(i, p)].set_text(label)
        if k == 0:
            text = figure_label("backward() set {root}.grad = 1; no _backward has run yet", root=self.labels[0])
        elif k == n:
            text = figure_label("all {n} _backward calls done: every grad is final", n=n)
        else:
            text = figure_label("call {k} of {n}: {node}._backward()", k=k, n=n, node=self.labels[k - 1])
        self.caption.set_text(text)

    def _readout_html(self) -> str:
        k, n = self.position, len(self.steps)
        name = lambda i: html.escape(self.labels[i])
        if k == 0:
            body = message("<b>Start.</b> backward() has sorted the {n} nodes and set <b>{root}.grad = 1</b> "
                           "(∂{root}/∂{root} = 1).", n=n, root=name(0))
        else:
            st = self.steps[k - 1]
            i = st.index
            body = message("<b>Call {k} of {n}: {label}._backward()</b> — upstream gradient "
                           "<b>{label}.grad = {grad}</b>", k=k, n=n, label=name(i), grad=fmt(st.upstream, self.digits))
            if not st.parents:
                body += " " + message("{label} is a leaf: its _backward adds nothing.", label=name(i))
            else:
                rows = "".join(
                    "<tr><td>{parent}</td><td>∂{node}/∂{parent} = {local}</td><td>× {upstream}</td><td>{added}</td></tr>"
                    .format(parent=name(self.index[id(p)]), node=name(i), local=fmt(local, self.digits),
                            upstream=fmt(st.upstream, self.digits),
                            added=message("<b>{product}</b> added to {parent}.grad", product=fmt(added, self.digits),
                                          parent=name(self.index[id(p)])))
                    for p, local, added in zip(st.parents, st.local, st.added))
                head = message("<tr><th>parent</th><th>local gradient</th><th>× upstream</th><th>product</th></tr>")
                body += f"<table style='margin-top:4px'>{head}{rows}</table>"
        if k < n:
            body += "<br>" + self._next_html(self.questions[k])
        else:
            right = sum(v == "right" for v in self.predictions.values())
            wrong = sum(v == "wrong" for v in self.predictions.values())
            body += "<br>" + message("Done: these are the gradients {root}.backward() gives. Your predictions: "
                                     "{right} ✓, {wrong} ✗.", root=name(0), right=right, wrong=wrong)
        return f"<div>{body}</div>"

    def _next_html(self, q: Question) -> str:
        """The readout's last line: which call comes next, and what the box asks about it."""
        name = lambda i: html.escape(self.labels[i])
        node = name(q.node)
        users = [html.escape(c) for c, _, _ in self.received[q.node]]
        if q.kind == "grad":
            return message("Next: <b>{label}._backward()</b>. {label}.grad is complete now: every node that uses {label} "
                           "has run. Type your prediction of {label}.grad above if you like, then press "
                           "<i>Run next _backward</i>.", label=node)
        if q.kind == "none":
            return message("Next: <b>{label}._backward()</b>. {label} is a leaf used once: its grad is the one product "
                           "{user} sent it, and its _backward adds nothing. Press <i>Run next _backward</i>.",
                           label=node, user=users[0] if users else "")
        if q.node == 0:
            return message("Next: <b>{label}._backward()</b>. Type your prediction of what it adds to {parent}.grad "
                           "above if you like, then press <i>Run next _backward</i>.", label=node, parent=name(q.parent))
        return message("Next: <b>{label}._backward()</b>. {label}.grad is complete now: its one user, {user}, has run. "
                       "Type your prediction of what {label}._backward() adds to {parent}.grad above if you like, "
                       "then press <i>Run next _backward</i>.", label=node, user=users[0], parent=name(q.parent))

    def _record(self) -> None:
        k = self.position
        if k < len(self.steps) and self.predict.verdict in ("right", "wrong"):
            self.predictions[k] = self.predict.verdict

    def update(self) -> None:
        """Redraw for the slider's position: highlight, edge labels, readout, buttons, prediction box."""
        k, n = self.position, len(self.steps)
        self.prev.disabled = k == 0
        self.next.disabled = k == n
        q = self.questions[k] if k < n else None
        if q is None:
            self.predict.close(message("All gradients revealed: nothing left to predict."))
        elif q.kind == "grad":
            self.predict.ask(f"{self.labels[k]}.grad", q.target, explain=self._explain(q))
        elif q.kind == "product":
            node, parent = html.escape(self.labels[k]), html.escape(self.labels[q.parent])
            self.predict.ask(f"∂{self.labels[k]}/∂{self.labels[q.parent]} × {self.labels[k]}.grad", q.target,
                             explain=self._explain(q),
                             prompt=message("Predict what <b>{label}._backward()</b> adds to <b>{parent}.grad</b>:",
                                            label=node, parent=parent))
        else:
            self.predict.close(message("Nothing to predict before {label}._backward(): see below.",
                                       label=self.labels[k]))
        self.readout.value = self._readout_html()
        self._style()
        if k not in self._pngs:  # the picture depends on the position only: render it once
            self._pngs[k] = self.view.render()
        self.view.show(self._pngs[k])

    def _ipython_display_(self) -> None:
        display(self.widget)
