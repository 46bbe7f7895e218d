"""The learning-rate explorer (lessons 02 and 04): drag lr, w0 and epochs, watch SGD on ŷ = w·x.

Three panels, built once and updated in place: the loss the original program prints against
epoch (log scale), the path of w on the cost curve J(w) (a parabola), and the factor |A(lr)| by
which one epoch multiplies the distance w − w*, against lr, with the stability threshold 1/max x²
and the divergence edge marked. Each slider change recomputes the path with the hand-derived update rule
(`helpers.training.sgd_trajectory`, a few hundred float operations) and redraws.

Every slider position is valid: a diverging run is a status line and a clipped plot. Starting
values outside the sliders' ranges are refused with a ValueError (a slider would clamp them
silently and show another run than the one asked for).

An update computes the trajectory, derives what each panel shows (`PlotData`) and the axis
limits that needs (`AxisLimits`); only when those limits differ from the ones on screen is the
background redrawn (a full redraw), otherwise only the moving artists are (a blit).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers.i18n import N_, label, message, translate
from helpers.plotting import PALETTE, new_figure, plain_log_ticks
from helpers.validation import require_int, require_real
from helpers.training import (BACKENDS, DATA_X, DATA_Y, DIVERGENCE_BOUND, Trajectory, cost, divergence_lr,
                              epoch_factor, sgd_trajectory, stability_threshold)
from helpers.widgets import CSS, BlitFigureView, quiet_numerics, status_html

LR_RANGE = (1e-4, 0.3)  # crosses 1/9 and the divergence edge ≈ 0.204
LR_STEP = 0.05  # log10 units: one arrow-key press multiplies lr by 10**0.05 ≈ 1.12
W0_RANGE = (-10.0, 10.0)
EPOCH_RANGE = (1, 300)
LOSS_FLOOR, LOSS_CEIL = 1e-32, 1e12  # plotted losses are clipped to this band (log axis)
PATH_ZOOMS = (1.25, 2.5, 5.0, 14.0)  # half-widths of the w axis around the best w: the path always shows
LR_FACTOR_LIM = (1e-3, 1e1)  # y range of the |A| panel
STATUS_KIND = {"converged": "ok", "shrinking": "info", "alternating": "info", "constant": "warn", "diverged": "error"}
PREDICT_AT = 4.0
# 12.8 in × 86 dpi = 1100 px: the width JupyterLab's notebook column gives the plot in a 1280 px
# wide window. Rendered at the size it is shown, text stays sharp (no downscaling in the browser)
# and each update encodes and sends 26 % fewer pixels than at 100 dpi.
LIVE_DPI = 86
PANEL_TITLES = (N_("loss, epoch by epoch"), N_("w on the cost curve J(w)"),
                N_("factor on w − w* per epoch, by learning rate"))
# The status line: one whole sentence per state of the run, named by what w − w* does.
STATUS_TEMPLATES = {
    "converged": N_("converged: w = {w} after {epochs} epochs"),
    "shrinking": N_("shrinking: w − w* shrinks ×{factor:+.3g} per epoch, keeping its sign, but {epochs} epochs "
                    "are not enough to reach w*"),
    "alternating": N_("alternating: w − w* shrinks ×{factor:+.3g} per epoch while alternating sign (w ends each "
                      "epoch on the other side of w*), but {epochs} epochs are not enough to reach w*"),
    "constant": N_("constant: each epoch multiplies w − w* by {factor:+.3g}, so its size never changes"),
    "diverged": N_("diverged: |w − w*| grows ×{size:.3g} per epoch (lr = {lr:.3g} is above the edge {edge:.3g})"),
}
DIVERGED_PAST_BOUND = N_("diverged: |w| passed {bound:.0e} in epoch {epoch} (lr = {lr:.3g} is above the edge {edge:.3g})")


def _snap_epochs(epochs: int) -> float:
    """The epoch axis's right end, snapped up to 5, 10, 20, 50 or a multiple of 50 (changes rarely)."""
    return float(next((v for v in (5, 10, 20, 50) if epochs <= v), -(-epochs // 50) * 50)) + 0.5


def _snap_decades(low: float, high: float, every: int = 4) -> tuple[float, float]:
    """Log-axis limits snapped outward to multiples of `every` decades: they change rarely."""
    lo = math.floor(math.log10(low) / every) * every
    hi = math.ceil(math.log10(high) / every) * every
    return 10.0 ** lo, 10.0 ** max(hi, lo + every)


# The axis ranges are sticky: a range on screen is kept while the new run still fits in it and
# it is not much too wide. Without this, arrow-key presses back and forth around the default
# (lr 0.01 ↔ 0.0112, epochs 100 ↔ 101) crossed a snapping boundary on every press, and every
# press paid a full redraw (all tick labels and legends: about 6× a blit) instead of a blit.
def _epoch_end(epochs: int, current: float | None) -> float:
    """The epoch axis's right end for `epochs`: the one on screen while it still shows every epoch
    and is at most twice the snapped end."""
    needed = _snap_epochs(epochs)
    return current if current is not None and epochs < current <= 2 * needed else needed


def _loss_range(low: float, high: float, current: tuple[float, float] | None,
                slack_decades: int = 8) -> tuple[float, float]:
    """Log-axis limits holding [low, high]: the ones on screen while they hold it and are at most
    `slack_decades` wider than the snapped range."""
    needed = _snap_decades(low, high)
    if current is not None and current[0] <= low and high <= current[1]:
        extra = math.log10(current[1] / current[0]) - math.log10(needed[1] / needed[0])
        if extra <= slack_decades:
            return current
    return needed


def _path_zoom(reach: float, current: float | None) -> float:
    """Half-width of the w axis that shows a path reaching `reach` from the best w: the one on
    screen while the path fits and it is at most one zoom step wider than needed."""
    needed = next((z for z in PATH_ZOOMS if reach <= z / 1.1), PATH_ZOOMS[-1])
    if current is not None and reach <= current / 1.1:
        looser = PATH_ZOOMS[min(PATH_ZOOMS.index(needed) + 1, len(PATH_ZOOMS) - 1)]
        if current <= looser:
            return current
    return needed


def _fmt(value: float) -> str:
    """A readable number: fixed point near 1, scientific when huge or tiny."""
    if not math.isfinite(value):
        return "±∞"
    return f"{value:.6f}" if value == 0 or 1e-4 <= abs(value) < 1e6 else f"{value:.3e}"


class AxisLimits(NamedTuple):
    """The axis ranges of the two panels whose ranges follow the run (the lr panel's are fixed)."""
    loss_x: tuple[float, float]
    loss_y: tuple[float, float]
    path_x: tuple[float, float]
    path_y: tuple[float, float]
    path_half: float  # path_x is best w ± path_half (one of PATH_ZOOMS)


@dataclass(frozen=True)
class PlotData:
    """What the moving artists show for one trajectory, already clipped to finite, plotted values."""
    loss_epochs: np.ndarray  # 1, 2, … for the plotted losses
    losses: np.ndarray  # the last sample's loss per epoch, clipped to the log axis's band
    final_loss: float | None  # the last finite loss (None if the first epoch already overflowed)
    reach: float  # how far the path goes from the best w (finite steps only)
    steps: np.ndarray  # w after every step (clipped near the chart)
    epoch_ends: np.ndarray  # w at the start and the end of every epoch (clipped near the chart)
    factor_shown: float  # |A|, the factor per epoch, clipped to the lr panel's y range


def check_start(lr: object, w0: object, epochs: object) -> tuple[float, float, int]:
    """The explorer's starting values, each inside its slider's range, or a ValueError/TypeError
    saying which one is outside and what the range is."""
    lr = require_real("lr", lr, min=LR_RANGE[0], max=LR_RANGE[1], example="0.01",
                      what=N_("a learning rate (a real number)"))
    w0 = require_real("w0", w0, min=W0_RANGE[0], max=W0_RANGE[1], example="3.0")
    epochs = require_int("epochs", epochs, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], example="100")
    return lr, w0, epochs


class LearningRateExplorer:
    """Sliders for learning rate (log scale), initial w and epochs; live plots and a status line.

    `update()` reads the sliders, so tests set `explorer.lr.value = …` and inspect
    `explorer.trajectory`, `explorer.status.value` and the artists in `explorer.lines`.
    """

    def __init__(self, backend: str = "closed_form", show_backend_toggle: bool = False,
                 x: Sequence[float] = DATA_X, y: Sequence[float] = DATA_Y, w0: float = 3.0,
                 lr: float = 0.01, epochs: int = 100):
        if backend not in BACKENDS:
            raise ValueError(message("{name} must be one of {listed}, got {value!r}", name="backend",
                                     listed=", ".join(map(repr, BACKENDS)), value=backend))
        if not isinstance(show_backend_toggle, bool):
            raise TypeError(message("{name} must be True or False, got {kind}", name="show_backend_toggle",
                                    kind=type(show_backend_toggle).__name__))
        lr, w0, epochs = check_start(lr, w0, epochs)
        sgd_trajectory(w0, lr, epochs, x, y)  # validates the data
        self.x, self.y = tuple(float(v) for v in x), tuple(float(v) for v in y)
        self.threshold = stability_threshold(self.x)
        self.edge = divergence_lr(self.x)
        self.center = sum(a * b for a, b in zip(self.x, self.y)) / max(sum(a * a for a in self.x), 1e-300)
        self.trajectory: Trajectory | None = None
        self.limits: AxisLimits | None = None  # the axis ranges on screen

        self._build_controls(backend, lr, w0, epochs)
        self._build_figure()
        self.view = BlitFigureView(self.fig, CSS["explorer_plot"], dynamic_artists=self.lines.values())
        controls = [W.HBox([self.lr, self.w0, self.epochs])]
        if show_backend_toggle:
            controls.append(self.backend)
        self.widget = W.VBox([*controls, self.status, self.view.output])
        self.widget.add_class(CSS["explorer"])
        self.update()

    # ------------------------------------------------------------------ controls
    def _build_controls(self, backend: str, lr: float, w0: float, epochs: int) -> None:
        """The sliders, the back-end toggle and the status line, with their CSS classes; every
        control calls `update` when its value changes."""
        lo, hi = (math.log10(v) for v in LR_RANGE)
        self.lr = W.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=LR_STEP, description=translate("learning rate"),
                                   readout_format=".3g", continuous_update=True, style={"description_width": "initial"})
        self.w0 = W.FloatSlider(value=w0, min=W0_RANGE[0], max=W0_RANGE[1], step=0.1, description=translate("initial w"),
                                readout_format=".1f", continuous_update=True)
        self.epochs = W.IntSlider(value=epochs, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], step=1,
                                  description=translate("epochs"), continuous_update=True)
        self.backend = W.ToggleButtons(options=[(translate("closed form"), "closed_form"), ("autograd", "autograd")],
                                       value=backend, description=translate("gradient by"))
        self.status = W.HTML()
        for widget, css in ((self.lr, "explorer_lr"), (self.w0, "explorer_w0"), (self.epochs, "explorer_epochs"),
                            (self.backend, "explorer_backend")):
            widget.add_class(CSS[css])
            widget.observe(self._on_change, names="value")
        self.status.add_class(CSS["explorer_status"])

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self) -> None:
        """Three panels with their static parts and (empty) moving artists, laid out once."""
        with plt.ioff():
            self.fig, (ax_loss, ax_path, ax_lr) = new_figure(ncols=3, width=12.8, height=3.7)
        self.fig.set_dpi(LIVE_DPI)
        self.axes = {"loss": ax_loss, "path": ax_path, "lr": ax_lr}
        self.lines = {**self._loss_panel(ax_loss), **self._path_panel(ax_path), **self._lr_panel(ax_lr)}
        plain_log_ticks(ax_loss.yaxis, ax_lr.xaxis, ax_lr.yaxis, numticks=6)  # each label costs a text render
        self._freeze_layout()

    def _loss_panel(self, ax) -> dict:
        (loss_line,) = ax.plot([], [], color=PALETTE["blue"], lw=2)
        ax.set(yscale="log", xlabel=label("epoch"), ylabel=label("loss of the last sample"))
        return {"loss": loss_line}

    def _path_panel(self, ax) -> dict:
        c = PALETTE
        grid = np.linspace(self.center - 1.1 * PATH_ZOOMS[-1], self.center + 1.1 * PATH_ZOOMS[-1], 1201)
        ax.plot(grid, cost(grid, self.x, self.y), color=c["black"], lw=1.2, alpha=0.5, label="J(w)")
        (path_line,) = ax.plot([], [], color=c["orange"], lw=1, alpha=0.8, label=label("every step"))
        (epoch_dots,) = ax.plot([], [], "o", color=c["orange"], ms=3, label=label("end of epoch"))
        (start_dot,) = ax.plot([], [], "s", color=c["blue"], ms=7, label=label("start w0"))
        (end_dot,) = ax.plot([], [], "*", color=c["green"], ms=12, label=label("final w"))
        ax.set(xlabel="w", ylabel=label("cost J(w) (mean squared error)"))
        ax.legend(loc="upper center", fontsize=8, ncols=2)
        return {"path": path_line, "epochs": epoch_dots, "start": start_dot, "end": end_dot}

    def _lr_panel(self, ax) -> dict:
        c = PALETTE
        lrs = np.logspace(*np.log10(LR_RANGE), 300)
        factors = np.array([abs(epoch_factor(v, self.x)) for v in lrs])
        ax.plot(lrs, np.clip(factors, LR_FACTOR_LIM[0], LR_FACTOR_LIM[1]), color=c["purple"], lw=2)
        ax.axhline(1.0, color=c["black"], lw=0.8, ls=":")
        ax.axvline(self.threshold, color=c["orange"], ls="--", lw=1.5,
                   label=label("stability threshold 1/max x² = {threshold:.3g}", threshold=self.threshold))
        ax.axvspan(self.edge, LR_RANGE[1] * 1.2, color=c["red"], alpha=0.12,
                   label=label("diverges above {edge:.3g}", edge=self.edge))
        (lr_dot,) = ax.plot([], [], "o", color=c["red"], ms=8, label=label("this lr"))
        ax.set(xscale="log", yscale="log", xlim=(LR_RANGE[0] * 0.8, LR_RANGE[1] * 1.2), ylim=LR_FACTOR_LIM,
               xlabel=label("learning rate (log scale)"), ylabel=label("|A|, the factor on w − w* per epoch"))
        ax.legend(loc="lower left", fontsize=8)
        return {"lr": lr_dot}

    def _freeze_layout(self) -> None:
        """Lay out once with typical limits, then freeze it: updates only move data. The titles
        are fixed (part of the background): the numbers of a run are in the status line, which
        the browser renders, because drawing three changing titles took half of an update."""
        for ax, title in zip(self.axes.values(), PANEL_TITLES):
            ax.set_title(label(title), fontsize=11)
        self.axes["loss"].set(xlim=(0, EPOCH_RANGE[1]), ylim=(LOSS_FLOOR, LOSS_CEIL))
        self.axes["path"].set(xlim=(self.center - PATH_ZOOMS[-1], self.center + PATH_ZOOMS[-1]))
        self.fig.get_layout_engine().execute(self.fig)  # the layout a draw would compute, without the
        self.fig.set_layout_engine("none")              # drawing (a third of the build; same pixels)

    # ------------------------------------------------------------------ callbacks
    def _on_change(self, change=None) -> None:
        self.update()

    def compute(self) -> Trajectory:
        """The trajectory for the current slider values (no drawing)."""
        with quiet_numerics():
            return sgd_trajectory(float(self.w0.value), float(self.lr.value), int(self.epochs.value),
                                  self.x, self.y, backend=self.backend.value)

    def update(self) -> None:
        """Recompute for the sliders' values and show it: the plot first, then the status line.

        A full redraw (background included) happens exactly when the axis limits change;
        otherwise only the moving artists are redrawn over the cached background."""
        t = self.trajectory = self.compute()
        with quiet_numerics():
            data = self.plot_data(t)
            limits = self.axis_limits(t, data, current=self.limits)
            full_redraw = limits != self.limits
            if full_redraw:
                self._set_limits(limits)
            self._move_artists(data, t.lr)
            self.view.redraw(full=full_redraw)
            self.status.value = self._status_text(t, data.final_loss)

    # ------------------------------------------------------------------ update, step by step
    def plot_data(self, t: Trajectory) -> PlotData:
        """What the artists show for `t`: finite values only, clipped near the visible ranges."""
        losses = t.losses[np.isfinite(t.losses)]
        over = np.flatnonzero(losses > LOSS_CEIL)
        shown = losses[: over[0] + 1] if over.size else losses  # the line leaves the frame at the top
        shown = np.clip(shown, LOSS_FLOOR, 10 * LOSS_CEIL)

        steps = t.step_ws[np.isfinite(t.step_ws)]
        reach = float(np.max(np.abs(steps - self.center))) if steps.size else 0.0
        far = 3 * PATH_ZOOMS[-1]  # off the chart, but finite and near
        lo, hi = self.center - far, self.center + far
        factor = abs(t.epoch_factor)
        factor_shown = (min(max(factor, LR_FACTOR_LIM[0]), LR_FACTOR_LIM[1]) if math.isfinite(factor)
                        else LR_FACTOR_LIM[1])
        return PlotData(loss_epochs=np.arange(1, shown.size + 1), losses=shown,
                        final_loss=float(losses[-1]) if losses.size else None, reach=reach,
                        steps=np.clip(steps, lo, hi), epoch_ends=np.clip(t.ws[np.isfinite(t.ws)], lo, hi),
                        factor_shown=factor_shown)

    def axis_limits(self, t: Trajectory, data: PlotData, current: AxisLimits | None = None) -> AxisLimits:
        """Axis ranges that show `data`: snapped, and the `current` ones (on screen) kept while
        they still fit, so that they change rarely (each change is a full redraw)."""
        shown = data.losses if data.losses.size else np.array([1.0])
        loss_y = _loss_range(max(shown.min() / 10, LOSS_FLOOR), min(shown.max() * 10, LOSS_CEIL),
                             current.loss_y if current else None)
        end = _epoch_end(t.epochs, current.loss_x[1] if current else None)
        half = _path_zoom(data.reach, current.path_half if current else None)
        j_edge = float(max(cost(self.center - half, self.x, self.y), cost(self.center + half, self.x, self.y)))
        return AxisLimits(loss_x=(0, end), loss_y=loss_y, path_x=(self.center - half, self.center + half),
                          path_y=(-0.05 * j_edge, 1.15 * j_edge), path_half=half)

    def _set_limits(self, limits: AxisLimits) -> None:
        self.axes["loss"].set(xlim=limits.loss_x, ylim=limits.loss_y)
        self.axes["path"].set(xlim=limits.path_x, ylim=limits.path_y)
        self.limits = limits

    def _move_artists(self, data: PlotData, lr: float) -> None:
        self.lines["loss"].set_data(data.loss_epochs, data.losses)
        steps, ends = data.steps, data.epoch_ends
        self.lines["path"].set_data(steps, cost(steps, self.x, self.y))
        self.lines["epochs"].set_data(ends[1:], cost(ends[1:], self.x, self.y))
        self.lines["start"].set_data([ends[0]], [cost(ends[0], self.x, self.y)])
        self.lines["end"].set_data([ends[-1]], [cost(ends[-1], self.x, self.y)])
        self.lines["lr"].set_data([lr], [data.factor_shown])

    @staticmethod
    def _loss_text(t: Trajectory, final_loss: float | None) -> str:
        if t.diverged_at is not None:
            return message("loss blew up: |w| > {bound:.0e} in epoch {epoch}", bound=DIVERGENCE_BOUND,
                           epoch=t.diverged_at)
        if final_loss is None:
            return message("loss overflowed in the first epoch")
        return message("loss after {epochs} epoch(s): {loss:.2g}", epochs=t.epochs, loss=final_loss)

    @staticmethod
    def _path_text(t: Trajectory) -> str:
        end = t.final_w
        if not math.isfinite(end) or abs(end) > 1e6:
            return message("w ran off the chart from w0 = {w0:g}", w0=t.w0)
        return message("w: {w0:g} → {end:.4g} (w* = {best:.4g})", w0=t.w0, end=end, best=t.fixed_point)

    def _status_text(self, t: Trajectory, final_loss: float | None) -> str:
        """Three lines: the coloured status, named by what w − w* does from epoch to epoch; the run
        (loss, path of w, factor per epoch, one per panel); the prediction and the threshold."""
        word = t.status
        if word == "diverged" and t.diverged_at is not None:
            detail = message(DIVERGED_PAST_BOUND, bound=DIVERGENCE_BOUND, epoch=t.diverged_at, lr=t.lr, edge=self.edge)
        else:
            detail = message(STATUS_TEMPLATES[word], w=_fmt(t.final_w), epochs=t.epochs, factor=t.epoch_factor,
                             size=abs(t.epoch_factor), lr=t.lr, edge=self.edge)
        run = " · ".join((self._loss_text(t, final_loss), self._path_text(t),
                          message("one epoch multiplies w − w* by A = {factor:+.3g}", factor=t.epoch_factor)))
        readout = " · ".join((message("prediction at x = {x:g}: {prediction}", x=PREDICT_AT,
                                      prediction=_fmt(t.prediction(PREDICT_AT))),
                              message("stability threshold 1/max x² = {threshold:.4g}", threshold=self.threshold)))
        return f"{status_html(STATUS_KIND[word], detail)}<br><span>{run}</span><br><span>{readout}</span>"

    def _ipython_display_(self) -> None:
        display(self.widget)
