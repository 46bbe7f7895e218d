"""One house style for every lesson's plots (after d2l's `set_figsize`/`plot`): lessons stay
about the idea, not about matplotlib boilerplate.

Colours are the Okabe–Ito palette, safe for colour-blind readers.

Where a plot lives. This module holds the house style, `new_figure` (which makes the figure of
every helper that draws one) and the plots that more than one idea uses: `plot_loss_curve`.
A plot of one idea stays beside that idea, so a learner reads the computation and its picture
together:
  derivatives.plot_error_vs_h, derivatives.plot_tangent       the step h of a finite difference
  graph.draw_graph, graph.draw_autograd_graph                 an autograd graph
  decision.plot_decision_boundary, decision.training_figure   a trained 2-D binary classifier
  classification.plot_decision_regions                        a trained multi-class classifier
  widgets.*                                                   the live explorers' figures (each
                                                              built once, then owned by its
                                                              widgets.FigureView, not by pyplot)

Figures and pyplot. With the inline backend (a notebook) a figure made through pyplot is shown
at the end of its cell and then closed: that is how lessons display them. Anywhere else (a
script, a test, a teacher's tool) pyplot would keep every figure open for ever, so `new_figure`
then makes a figure pyplot does not know about. A helper that fails half-way through drawing
closes the figure it made (`axes_for`, `closed_on_error`): no half-drawn figure is shown.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator, Sequence

import matplotlib
import matplotlib.axes
import matplotlib.axis
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from helpers import i18n
from helpers.i18n import message
from helpers.kernel import in_kernel
from helpers.validation import require_axes, require_bool, require_int, require_numbers, require_real, require_text

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "red", "purple", "sky", "black")]
FIGSIZE = (6.4, 4.0)
# Plotted values are clipped to this magnitude so a diverging run never sends inf/NaN to matplotlib.
CLIP = 1e12

STYLE = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 11,
}


def use_house_style() -> None:
    """Apply the course style to every later figure of this process, and in a notebook show laid-out
    figures uncropped (called by `helpers.start_lesson()`, the visible first-cell call)."""
    matplotlib.rcParams.update(STYLE)
    if inline_backend():
        _show_inline_figures_uncropped()


def _show_inline_figures_uncropped() -> None:
    """The inline backend crops every figure it shows (`bbox_inches="tight"`), which costs a
    whole extra draw to find the crop: 13–31 % of the time to show one of the lessons' figures.
    A figure with constrained layout (every figure the course makes) already fits its canvas, so
    it is shown as drawn; any other figure (a learner's own `plt.subplots()`) is still cropped."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # not in IPython after all: nothing shows figures inline
        return
    import matplotlib_inline.backend_inline  # noqa: F401  (loading the backend registers its figure display)

    png = shell.display_formatter.formatters["image/png"]

    def wrap() -> None:
        try:
            show = png.lookup_by_type(Figure)
        except KeyError:  # PNG display of figures is off: nothing to change
            return
        if getattr(show, "uncropped_when_laid_out", False):
            return

        def show_uncropped_when_laid_out(fig):
            if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
                return show(fig, bbox_inches=None)
            return show(fig)

        show_uncropped_when_laid_out.uncropped_when_laid_out = True
        png.for_type(Figure, show_uncropped_when_laid_out)

    def again_when_the_cell_ends(*_result) -> None:
        # matplotlib-inline may defer its own set-up to the end of the cell that imported pyplot,
        # and that set-up registers its plain display again: wrap that one too, once.
        shell.events.unregister("post_run_cell", again_when_the_cell_ends)
        wrap()

    wrap()
    shell.events.register("post_run_cell", again_when_the_cell_ends)


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None):
    """A figure and its axes in house style; width/height in inches, default 6.4 × 4 per row.

    Under the inline backend the figure is pyplot's (shown at the end of the cell, then closed);
    elsewhere it is a plain Figure on an Agg canvas, which pyplot never holds on to. The figure and
    its axes take the house style even where `use_house_style` was never called, without changing
    matplotlib's settings for anything else.
    """
    ncols, nrows = require_int("ncols", ncols, min=1, max=20), require_int("nrows", nrows, min=1, max=20)
    w = min(FIGSIZE[0] * ncols, 12.8) if width is None else require_real("width", width, above=0, max=100)
    h = FIGSIZE[1] * nrows if height is None else require_real("height", height, above=0, max=100)
    with house_style():
        if inline_backend():
            return plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained")
        fig = Figure(figsize=(w, h), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(nrows, ncols)


def house_style():
    """A context in which new figures and axes take the house style; matplotlib's global settings
    are left as they were (for widgets and helpers that build their own figures)."""
    return matplotlib.rc_context(STYLE)


def inline_backend() -> bool:
    """True in a notebook kernel whose figures the inline backend shows (and closes) at the end
    of each cell. The backend's name alone is not enough: outside a kernel nothing closes them."""
    return "inline" in str(matplotlib.rcParams["backend"]).lower() and in_kernel()


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, _pos=None) -> str:
    """A log-axis tick label as plain text, 10⁻⁴. matplotlib's default is mathtext ($10^{-4}$),
    whose parsing and layout were half of the time to draw a figure with log axes."""
    value = require_real("value", value, finite=False)
    if not value > 0 or math.isinf(value):
        return ""
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)


def plain_log_ticks(*axes, numticks: int | None = None, minor: bool = False) -> None:
    """Label each log `axis` (e.g. `ax.yaxis`, after `ax.set_yscale("log")`) with powers of ten
    in plain text, at most `numticks` of them if given. `minor=False` removes the minor ticks
    (2, 3, … × 10ⁿ): on an axis spanning many decades they are clutter, and every tick costs a
    text layout on each draw. `minor=True` keeps them as matplotlib labels them (only when the
    axis spans about a decade or less, so a short axis still has numbers on it)."""
    if numticks is not None:
        numticks = require_int("numticks", numticks, min=2, max=50)
    require_bool("minor", minor)
    for axis in axes:
        if not isinstance(axis, matplotlib.axis.Axis):
            raise TypeError(message("plain_log_ticks takes axes' axis objects (ax.xaxis, ax.yaxis), "
                                    "got {kind}", kind=type(axis).__name__))
        if axis.get_scale() != "log":
            raise ValueError(message("plain_log_ticks labels powers of ten, so the axis must be "
                                     "log-scaled (set_yscale('log') first), got scale {scale!r}",
                                     scale=axis.get_scale()))
        if numticks is not None:
            axis.set_major_locator(LogLocator(numticks=numticks))
        axis.set_major_formatter(FuncFormatter(power_of_ten))
        if not minor:
            axis.set_minor_locator(NullLocator())


def close_figure(fig) -> None:
    """Forget a figure: pyplot no longer holds it and the inline backend will not show it."""
    plt.close(fig)


@contextmanager
def closed_on_error(fig) -> Iterator:
    """Run the drawing of `fig`; if it raises, close the figure before the error goes on."""
    if not isinstance(fig, Figure):
        raise TypeError(message("fig must be a matplotlib Figure, e.g. from new_figure(), got {kind}",
                                kind=type(fig).__name__))
    try:
        yield fig
    except BaseException:
        close_figure(fig)
        raise


@contextmanager
def axes_for(ax=None, **figure_kw) -> Iterator:
    """`ax` itself, or the axes of a `new_figure(**figure_kw)` that is closed if drawing fails."""
    if ax is not None:
        yield require_axes("ax", ax)
        return
    fig, new_ax = new_figure(**figure_kw)
    with closed_on_error(fig):
        yield new_ax


def finite_clipped(values: Sequence[float], limit: float = CLIP) -> np.ndarray:
    """Values as a float array with NaN → limit and ±inf/overflow → ±limit, for plotting only."""
    arr = require_numbers("values", values, ndim=None)
    limit = require_real("limit", limit, above=0)
    return np.clip(np.nan_to_num(arr, nan=limit, posinf=limit, neginf=-limit), -limit, limit)


def plot_loss_curve(losses: Sequence[float], ax=None, label: str | None = None, title: str | None = None,
                    logy: bool = True):
    """Loss against epoch (1-based), log scale by default; returns the Line2D.

    `losses` holds plain numbers (or tensors that do not require grad, on any device). A loss
    tensor that still requires grad is refused with a pointer to `loss.item()`: silently
    detaching it would hide the classic `losses.append(loss)` mistake, which keeps every
    step's autograd graph in memory (see `helpers.validation.require_numbers`)."""
    arr = require_numbers("losses", losses)
    label, title = require_text("label", label), require_text("title", title)
    require_bool("logy", logy)
    with axes_for(ax) as ax:
        epochs = np.arange(1, arr.size + 1)
        values = finite_clipped(arr)
        if logy:
            values = np.clip(values, 1e-300, None)
            ax.set_yscale("log")
            plain_log_ticks(ax.yaxis, minor=True)
        (line,) = ax.plot(epochs, values, label=label, lw=2)
        ax.set_xlabel(i18n.label("epoch"))
        ax.set_ylabel(i18n.label("loss (squared error)"))
        if title:
            ax.set_title(title)
        if label:
            ax.legend()
    return line
