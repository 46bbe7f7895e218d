"""Backward-pass stepper for lesson 06: walk the computational graph of the MLP from J to W1.

At each step the current node is highlighted, the edge(s) along which its upstream gradient
arrives are drawn thick, and the readout shows local gradient × upstream gradient = product,
with the actual values (from `helpers.mlp.backward_steps`). Before pressing Next the learner
may predict one element of the next gradient (`helpers.widgets.predict`): its value, computed
from the factors the readout and the forward pass show; a wrong value that a usual mistake
gives (a share left out, a sign, the wrong slope) gets that mistake's hint. Next never waits.
"""
from __future__ import annotations

import html
import math
from typing import Sequence

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Circle, FancyArrowPatch
from IPython.display import display

from helpers.i18n import label, message, translate
from helpers.mlp import BackwardStep
from helpers.plotting import PALETTE, house_style
from helpers.validation import require_int
from helpers.widgets import CSS, FigureView
from helpers.widgets.predict import REL_TOL, PredictionBox

# Fixed layout: the forward chain along the top, parameters and the regulariser below.
POSITIONS = {"X": (0.0, 2.0), "Z": (1.5, 2.0), "H": (3.0, 2.0), "O": (4.5, 2.0), "L": (6.0, 2.0),
             "J": (7.5, 2.0), "Y": (6.0, 3.1), "W1": (1.5, 0.6), "W2": (4.5, 0.6), "s": (7.5, 0.6)}
EDGES = (("X", "Z"), ("W1", "Z"), ("Z", "H"), ("H", "O"), ("W2", "O"), ("O", "L"), ("Y", "L"),
         ("L", "J"), ("W1", "s"), ("W2", "s"), ("s", "J"))
DATA_NODES = ("X", "Y")  # inputs: backprop needs no gradient for them
# W1 → s curves below W2.
CURVES = {("W1", "s"): "arc3,rad=0.22"}
RADIUS = 0.36
COLOURS = {"pending": "white", "done": "#BFE6D8", "current": PALETTE["orange"], "data": "#EEEEEE",
           "edge": "#999999", "upstream": PALETTE["blue"]}


def _rim(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The points where the segment a → b leaves circle a and enters circle b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / norm * RADIUS, dy / norm * RADIUS
    return (a[0] + ux, a[1] + uy), (b[0] - ux, b[1] - uy)


def _matrix_html(t: torch.Tensor) -> str:
    """A tensor as a small monospace matrix with 4 decimals (enough to compute a product to 3
    significant digits), and its shape."""
    t = t.detach().double()
    rows = t.reshape(1, 1) if t.ndim == 0 else (t.reshape(1, -1) if t.ndim == 1 else t)
    text = "\n".join("  ".join(f"{v:+.4f}" for v in row.tolist()) for row in rows)
    shape = translate("scalar") if t.ndim == 0 else "×".join(map(str, t.shape))
    return (f'<span style="color:#555">({shape})</span>'
            f'<pre style="margin:2px 0 6px 0;line-height:1.25">{html.escape(text)}</pre>')


class BackwardStepper:
    """Step through the backward pass; `.step` (0 … n−1) is the one piece of state.

    Prev/Next move one step and are disabled at the ends; the slider jumps anywhere. With
    predict=True a box asks for the value of one element of the next step's gradient before it
    is shown (`BackwardStep.label` and `.target`), with a hint for each of the step's `mistakes`.
    """

    def __init__(self, steps: Sequence[BackwardStep], predict: bool = True):
        if not isinstance(steps, (list, tuple)) or not steps:
            raise ValueError(message("steps must be a non-empty list of BackwardStep (from helpers.mlp.backward_steps)"))
        for i, st in enumerate(steps):
            if not isinstance(st, BackwardStep):
                raise TypeError(message("steps[{i}] must be a BackwardStep, got {kind}", i=i, kind=type(st).__name__))
            if st.node not in POSITIONS:
                raise ValueError(message("steps[{i}] names node {node!r}, which is not in the graph {nodes}",
                                         i=i, node=st.node, nodes=sorted(POSITIONS)))
        self.steps = list(steps)
        self._build_figure_in_house_style()
        self.view = FigureView(self.fig, CSS["stepper_plot"])
        self._pngs: dict[int, bytes] = {}
        self.prev = W.Button(description=translate("◀ Prev"), tooltip=translate("previous step (towards J)"))
        self.prev.add_class(CSS["stepper_prev"])
        self.next = W.Button(description=translate("Next ▶"), tooltip=translate("next step (towards W1)"))
        self.next.add_class(CSS["stepper_next"])
        self.slider = W.IntSlider(value=0, min=0, max=len(self.steps) - 1, description=translate("step"),
                                  continuous_update=False)
        self.slider.add_class(CSS["stepper_step"])
        self.readout = W.HTML()
        self.readout.add_class(CSS["stepper_readout"])
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(+1))
        self.slider.observe(lambda _: self.update(), names="value")
        controls = W.HBox([self.prev, self.next, self.slider])
        self.predict = PredictionBox() if predict else None
        rows = [controls] + ([self.predict.widget] if self.predict else []) + [self.view.output, self.readout]
        self.widget = W.VBox(rows)
        self.widget.add_class(CSS["stepper"])
        self.update()

    # ------------------------------------------------------------------ state
    @property
    def step(self) -> int:
        return self.slider.value

    @step.setter
    def step(self, value: int) -> None:
        self.slider.value = require_int("step", value, min=0, max=len(self.steps) - 1)  # the slider's observer calls update()

    @property
    def current(self) -> BackwardStep:
        return self.steps[self.step]

    def go(self, delta: int) -> None:
        """Move by delta steps, stopping at the first and the last step."""
        self.slider.value = min(max(self.step + delta, 0), len(self.steps) - 1)

    # ------------------------------------------------------------------ drawing
    def _build_figure_in_house_style(self) -> None:
        with house_style():  # the whole figure, text included, without changing global settings
            self._build_figure()

    def _build_figure(self) -> None:
        with plt.ioff():
            self.fig = plt.figure(figsize=(8.0, 4.1), layout="none")
            self.ax = self.fig.add_axes((0.01, 0.07, 0.98, 0.84))  # fixed box: no layout shifts between steps
        ax = self.ax
        ax.set_xlim(-0.5, 8.0)
        ax.set_ylim(-0.35, 3.55)
        ax.set_aspect("equal")
        ax.axis("off")
        self.nodes: dict[str, Circle] = {}
        for name, (x, y) in POSITIONS.items():
            circle = Circle((x, y), RADIUS, lw=1.5, ec="black", zorder=3,
                            ls="--" if name in DATA_NODES else "-")
            ax.add_patch(circle)
            ax.text(x, y, name, ha="center", va="center", fontsize=13, zorder=4)
            self.nodes[name] = circle
        self.edges: dict[tuple[str, str], FancyArrowPatch] = {}
        for a, b in EDGES:
            start, end = _rim(POSITIONS[a], POSITIONS[b])
            arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, shrinkA=0, shrinkB=0,
                                    zorder=2, connectionstyle=CURVES.get((a, b), "arc3,rad=0"))
            ax.add_patch(arrow)
            self.edges[(a, b)] = arrow
        self.caption = ax.set_title("")
        ax.text(0.5, -0.06, label("orange: current node  ·  green: gradient known  ·  blue arrow: upstream "
                                  "gradient  ·  dashed: data, no gradient"), ha="center", va="bottom",
                fontsize=9, color="#444", transform=ax.transAxes)

    def _style(self) -> None:
        i = self.step
        done = {st.node for st in self.steps[:i]}
        for name, circle in self.nodes.items():
            kind = ("data" if name in DATA_NODES else "current" if name == self.current.node
                    else "done" if name in done else "pending")
            circle.set_facecolor(COLOURS[kind])
            circle.set_linewidth(3.0 if kind == "current" else 1.5)
        for key, arrow in self.edges.items():
            hot = key in self.current.edges
            arrow.set_color(COLOURS["upstream"] if hot else COLOURS["edge"])
            arrow.set_linewidth(3.0 if hot else 1.2)
        self.caption.set_text(label("step {i} of {n}:  {formula}", i=i + 1, n=len(self.steps),
                                      formula=self.current.product_formula))

    def _readout_html(self) -> str:
        st = self.current
        cols = []
        for title, pairs in ((translate("local gradient"), st.local), (translate("upstream gradient"), st.upstream),
                             (translate("product"), ((st.product_formula, st.product),))):
            if not pairs:
                body = "<i>{}</i>".format(html.escape(translate("none: J is where the backward pass starts, ∂J/∂J = 1")))
            else:
                body = "".join(f"<b>{html.escape(f)}</b> {_matrix_html(v)}" for f, v in pairs)
            cols.append(f'<div style="flex:1;min-width:12em;padding:0 8px"><u>{html.escape(title)}</u><br>{body}</div>')
        head = "<b>{}</b> — {}".format(
            html.escape(message("Step {i} of {n} · node {node}", i=self.step + 1, n=len(self.steps), node=st.node)),
            html.escape(st.product_formula))
        return f'<div>{head}<div style="display:flex;flex-wrap:wrap">{"".join(cols)}</div></div>'

    def update(self) -> None:
        """Redraw for the slider's step: highlight, caption, readout, button states."""
        self._style()
        self.readout.value = self._readout_html()
        self.prev.disabled = self.step == 0
        self.next.disabled = self.step == len(self.steps) - 1
        if self.predict is not None:
            if self.step + 1 < len(self.steps):
                nxt = self.steps[self.step + 1]
                self.predict.ask(nxt.label, nxt.target, explain=self._explain(nxt))
            else:
                self.predict.close(translate("Last step: nothing left to predict."))
        # The steps never change, so each step's picture is rendered once and reused when the
        # learner steps back and forth.
        if self.step not in self._pngs:
            self._pngs[self.step] = self.view.render()
        self.view.show(self._pngs[self.step])

    @staticmethod
    def _explain(step: BackwardStep):
        """The hint for a predicted value that one of the step's usual mistakes gives."""
        def explain(value: float) -> str | None:
            for wrong, hint in step.mistakes:
                if math.isclose(value, wrong, rel_tol=REL_TOL, abs_tol=1e-9) and not \
                        math.isclose(value, step.target, rel_tol=REL_TOL, abs_tol=1e-9):
                    return translate(hint)
            return None
        return explain

    def _ipython_display_(self) -> None:
        display(self.widget)
