"""The learning-rate explorer (lessons 02 and 04): drag lr, w0 and epochs, watch SGD on ŷ = w·x.

Three panels, built once and updated in place: the loss the source program prints against
epoch (log scale), the path of w on the cost curve J(w) (a parabola), and the error factor
per epoch |A(lr)| against lr, with the stability threshold 1/max x² and the divergence edge
marked. Each slider change recomputes the path with the hand-derived update rule
(`helpers.training.sgd_trajectory`, a few hundred float operations) and redraws.

Every slider position is valid: a diverging run is a status line and a clipped plot.
"""
from __future__ import annotations

import math
from typing import Sequence

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.ticker import LogLocator, NullLocator

from helpers.plotting import PALETTE, new_figure
from helpers.training import (BACKENDS, DATA_X, DATA_Y, DIVERGENCE_BOUND, Trajectory, cost, divergence_lr,
                              epoch_factor, sgd_trajectory, stability_threshold)
from helpers.widgets import CSS, BlitFigureView, quiet_numerics, status_html

LR_RANGE = (1e-4, 0.3)  # crosses 1/9 and the divergence edge ≈ 0.204
LR_STEP = 0.05  # log10 units: one arrow-key press multiplies lr by 10**0.05 ≈ 1.12
W0_RANGE = (-10.0, 10.0)
EPOCH_RANGE = (1, 300)
LOSS_FLOOR, LOSS_CEIL = 1e-32, 1e12  # plotted losses are clipped to this band (log axis)
PATH_ZOOMS = (1.25, 2.5, 5.0, 14.0)  # half-widths of the w axis around the best w: the path always shows
LR_FACTOR_LIM = (1e-3, 1e1)  # y range of the |error factor| panel
STATUS_KIND = {"converged": "ok", "slow": "info", "oscillating": "warn", "diverged": "error"}
PREDICT_AT = 4.0


def _snap_epochs(epochs: int) -> float:
    """The epoch axis's right end, snapped up to 5, 10, 20, 50 or a multiple of 50 (changes rarely)."""
    return float(next((v for v in (5, 10, 20, 50) if epochs <= v), -(-epochs // 50) * 50)) + 0.5


def _snap_decades(low: float, high: float, every: int = 4) -> tuple[float, float]:
    """Log-axis limits snapped outward to multiples of `every` decades: they change rarely."""
    lo = math.floor(math.log10(low) / every) * every
    hi = math.ceil(math.log10(high) / every) * every
    return 10.0 ** lo, 10.0 ** max(hi, lo + every)


def _fmt(value: float) -> str:
    """A readable number: fixed point near 1, scientific when huge or tiny."""
    if not math.isfinite(value):
        return "±∞"
    return f"{value:.6f}" if value == 0 or 1e-4 <= abs(value) < 1e6 else f"{value:.3e}"


class LearningRateExplorer:
    """Sliders for learning rate (log scale), initial w and epochs; live plots and a status line.

    `update()` reads the sliders, so tests set `explorer.lr.value = …` and inspect
    `explorer.trajectory`, `explorer.status.value` and the artists in `explorer.lines`.
    """

    def __init__(self, backend: str = "closed_form", show_backend_toggle: bool = False,
                 x: Sequence[float] = DATA_X, y: Sequence[float] = DATA_Y, w0: float = 3.0,
                 lr: float = 0.01, epochs: int = 100):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
        if not isinstance(show_backend_toggle, bool):
            raise TypeError(f"show_backend_toggle must be True or False, got {type(show_backend_toggle).__name__}")
        sgd_trajectory(w0, lr, epochs, x, y)  # validates the data and starting values
        self.x, self.y = tuple(float(v) for v in x), tuple(float(v) for v in y)
        self.threshold = stability_threshold(self.x)
        self.edge = divergence_lr(self.x)
        self.trajectory: Trajectory | None = None

        lo, hi = (math.log10(v) for v in LR_RANGE)
        self.lr = W.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=LR_STEP, description="learning rate",
                                   readout_format=".3g", continuous_update=True, style={"description_width": "initial"})
        self.w0 = W.FloatSlider(value=w0, min=W0_RANGE[0], max=W0_RANGE[1], step=0.1, description="initial w",
                                readout_format=".1f", continuous_update=True)
        self.epochs = W.IntSlider(value=epochs, min=EPOCH_RANGE[0], max=EPOCH_RANGE[1], step=1,
                                  description="epochs", continuous_update=True)
        self.backend = W.ToggleButtons(options=[("closed form", "closed_form"), ("autograd", "autograd")],
                                       value=backend, description="gradient by")
        self.status = W.HTML()
        self._build_figure()
        self._limits = None
        self.view = BlitFigureView(self.fig, CSS["explorer_plot"], dynamic_artists=[
            *self.lines.values(), *(ax.title for ax in self.axes.values())])

        for widget, css in ((self.lr, "explorer_lr"), (self.w0, "explorer_w0"), (self.epochs, "explorer_epochs"),
                            (self.backend, "explorer_backend"), (self.status, "explorer_status")):
            widget.add_class(CSS[css])
            if widget is not self.status:
                widget.observe(self._on_change, names="value")
        controls = [W.HBox([self.lr, self.w0, self.epochs])]
        if show_backend_toggle:
            controls.append(self.backend)
        self.widget = W.VBox([*controls, self.status, self.view.output])
        self.widget.add_class(CSS["explorer"])
        self.update()

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self) -> None:
        with plt.ioff():
            self.fig, (ax_loss, ax_path, ax_lr) = new_figure(ncols=3, width=12.8, height=3.7)
        self.axes = {"loss": ax_loss, "path": ax_path, "lr": ax_lr}
        c = PALETTE
        (loss_line,) = ax_loss.plot([], [], color=c["blue"], lw=2)
        ax_loss.set(yscale="log", xlabel="epoch", ylabel="loss of the last sample")

        self.center = sum(a * b for a, b in zip(self.x, self.y)) / max(sum(a * a for a in self.x), 1e-300)
        grid = np.linspace(self.center - 1.1 * PATH_ZOOMS[-1], self.center + 1.1 * PATH_ZOOMS[-1], 1201)
        ax_path.plot(grid, cost(grid, self.x, self.y), color=c["black"], lw=1.2, alpha=0.5, label="J(w)")
        (path_line,) = ax_path.plot([], [], color=c["orange"], lw=1, alpha=0.8, label="every step")
        (epoch_dots,) = ax_path.plot([], [], "o", color=c["orange"], ms=3, label="end of epoch")
        (start_dot,) = ax_path.plot([], [], "s", color=c["blue"], ms=7, label="start w0")
        (end_dot,) = ax_path.plot([], [], "*", color=c["green"], ms=12, label="final w")
        ax_path.set(xlabel="w", ylabel="cost J(w) (mean squared error)")
        ax_path.legend(loc="upper center", fontsize=8, ncols=2)

        lrs = np.logspace(*np.log10(LR_RANGE), 300)
        factors = np.array([abs(epoch_factor(v, self.x)) for v in lrs])
        ax_lr.plot(lrs, np.clip(factors, LR_FACTOR_LIM[0], LR_FACTOR_LIM[1]), color=c["purple"], lw=2)
        ax_lr.axhline(1.0, color=c["black"], lw=0.8, ls=":")
        ax_lr.axvline(self.threshold, color=c["orange"], ls="--", lw=1.5,
                      label=f"stability threshold 1/max x² = {self.threshold:.3g}")
        ax_lr.axvspan(self.edge, LR_RANGE[1] * 1.2, color=c["red"], alpha=0.12,
                      label=f"diverges above {self.edge:.3g}")
        (lr_dot,) = ax_lr.plot([], [], "o", color=c["red"], ms=8, label="this lr")
        ax_lr.set(xscale="log", yscale="log", xlim=(LR_RANGE[0] * 0.8, LR_RANGE[1] * 1.2), ylim=LR_FACTOR_LIM,
                  xlabel="learning rate (log scale)", ylabel="|error factor| per epoch")
        ax_lr.legend(loc="lower left", fontsize=8)
        for axis in (ax_loss.yaxis, ax_lr.xaxis, ax_lr.yaxis):  # fewer tick labels: each costs a text render
            axis.set_major_locator(LogLocator(numticks=6))
            axis.set_minor_locator(NullLocator())
        self.lines = {"loss": loss_line, "path": path_line, "epochs": epoch_dots, "start": start_dot,
                      "end": end_dot, "lr": lr_dot}
        # Lay out once with typical limits and titles, then freeze it: updates only move data.
        for ax in self.axes.values():
            ax.set_title("one epoch multiplies the error by +0.739", fontsize=11)
        ax_loss.set(xlim=(0, EPOCH_RANGE[1]), ylim=(LOSS_FLOOR, LOSS_CEIL))
        ax_path.set(xlim=(self.center - PATH_ZOOMS[-1], self.center + PATH_ZOOMS[-1]))
        self.fig.canvas.draw()
        self.fig.set_layout_engine("none")

    # ------------------------------------------------------------------ callbacks
    def _on_change(self, change=None) -> None:
        self.update()

    def compute(self) -> Trajectory:
        """The trajectory for the current slider values (no drawing)."""
        with quiet_numerics():
            return sgd_trajectory(float(self.w0.value), float(self.lr.value), int(self.epochs.value),
                                  self.x, self.y, backend=self.backend.value)

    def update(self) -> None:
        """Recompute for the sliders' values, move the artists, set the status, redraw."""
        traj = self.trajectory = self.compute()
        with quiet_numerics():
            limits = self._update_artists(traj)
            self.status.value = self._status_text(traj)
            self.view.redraw(full=limits != self._limits)
        self._limits = limits

    def _update_artists(self, t: Trajectory) -> tuple:
        """Move every dynamic artist to the trajectory `t`; returns the axis limits it set."""
        ax = self.axes
        losses = t.losses[np.isfinite(t.losses)]
        over = np.flatnonzero(losses > LOSS_CEIL)
        shown = losses[: over[0] + 1] if over.size else losses  # the line leaves the frame at the top
        shown = np.clip(shown, LOSS_FLOOR, 10 * LOSS_CEIL)
        self.lines["loss"].set_data(np.arange(1, shown.size + 1), shown)
        loss_lim = ((0, _snap_epochs(t.epochs)), _snap_decades(max(shown.min() / 10, LOSS_FLOOR),
                                                     min(shown.max() * 10, LOSS_CEIL)))
        ax["loss"].set(xlim=loss_lim[0], ylim=loss_lim[1])
        ax["loss"].set_title(self._loss_title(t, losses), fontsize=11)

        steps = t.step_ws[np.isfinite(t.step_ws)]
        reach = float(np.max(np.abs(steps - self.center))) if steps.size else 0.0
        half = next((z for z in PATH_ZOOMS if reach <= z / 1.1), PATH_ZOOMS[-1])
        lo, hi = self.center - 3 * half, self.center + 3 * half  # off the chart, but finite and near
        j_edge = float(max(cost(self.center - half, self.x, self.y), cost(self.center + half, self.x, self.y)))
        path_lim = ((self.center - half, self.center + half), (-0.05 * j_edge, 1.15 * j_edge))
        ax["path"].set(xlim=path_lim[0], ylim=path_lim[1])
        steps = np.clip(steps, lo, hi)
        ends = np.clip(t.ws[np.isfinite(t.ws)], lo, hi)
        self.lines["path"].set_data(steps, cost(steps, self.x, self.y))
        self.lines["epochs"].set_data(ends[1:], cost(ends[1:], self.x, self.y))
        self.lines["start"].set_data([ends[0]], [cost(ends[0], self.x, self.y)])
        self.lines["end"].set_data([ends[-1]], [cost(ends[-1], self.x, self.y)])
        ax["path"].set_title(self._path_title(t), fontsize=11)

        factor = abs(t.epoch_factor)
        shown_factor = min(max(factor, LR_FACTOR_LIM[0]), LR_FACTOR_LIM[1]) if math.isfinite(factor) else LR_FACTOR_LIM[1]
        self.lines["lr"].set_data([t.lr], [shown_factor])
        ax["lr"].set_title(f"one epoch multiplies the error by {t.epoch_factor:+.3g}", fontsize=11)
        return loss_lim, path_lim

    @staticmethod
    def _loss_title(t: Trajectory, finite_losses: np.ndarray) -> str:
        if t.diverged_at is not None:
            return f"loss blew up: |w| > {DIVERGENCE_BOUND:.0e} in epoch {t.diverged_at}"
        return f"loss after {t.epochs} epochs: {finite_losses[-1]:.2g}"

    @staticmethod
    def _path_title(t: Trajectory) -> str:
        end = t.final_w
        if not math.isfinite(end) or abs(end) > 1e6:
            return f"w ran off the chart from w0 = {t.w0:g}"
        return f"w: {t.w0:g} → {end:.4g} (best w = {t.fixed_point:.4g})"

    def _status_text(self, t: Trajectory) -> str:
        word = t.status
        if word == "diverged":
            why = (f"|w| passed {DIVERGENCE_BOUND:.0e} in epoch {t.diverged_at}" if t.diverged_at is not None
                   else f"the error grows ×{abs(t.epoch_factor):.3g} per epoch")
            detail = f"diverged: {why} (lr = {t.lr:.3g} is above the edge {self.edge:.3g})"
        elif word == "converged":
            detail = f"converged: w = {_fmt(t.final_w)} after {t.epochs} epochs"
        elif word == "oscillating":
            detail = (f"oscillating: the steps jump across the minimum; not settled after {t.epochs} epochs "
                      f"(error ×{t.epoch_factor:+.3g} per epoch)")
        else:
            detail = (f"slow: still approaching after {t.epochs} epochs "
                      f"(error ×{t.epoch_factor:+.3g} per epoch)")
        prediction = t.prediction(PREDICT_AT)
        readout = (f"final w = {_fmt(t.final_w)} · prediction at x = {PREDICT_AT:g}: {_fmt(prediction)}"
                   f" · stability threshold 1/max x² = {self.threshold:.4g}")
        return f"{status_html(STATUS_KIND[word], detail)}<br><span>{readout}</span>"

    def _ipython_display_(self) -> None:
        display(self.widget)
