import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import plotting, show_source
from helpers.widgets import FigureView, status_html
from helpers.widgets.setup_demo import SquareSlider, square_text


def test_finite_clipped_removes_nan_and_inf():
    out = plotting.finite_clipped([1.0, np.nan, np.inf, -np.inf, 1e300])
    assert np.isfinite(out).all() and out.max() == plotting.CLIP and out.min() == -plotting.CLIP


def test_plot_loss_curve_labels_and_log_scale():
    fig, ax = plotting.new_figure()
    line = plotting.plot_loss_curve([4.0, 1.0, np.inf], ax=ax, title="loss falls")
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert np.isfinite(line.get_ydata()).all()


def _losses_kept_as_tensors(steps: int = 3) -> list:
    """The classic mistake: `losses.append(loss)` in a training loop, each loss holding its graph."""
    w = torch.tensor(3.0, requires_grad=True)
    losses = []
    for x, y in zip([1.0, 2.0, 3.0][:steps], [2.0, 4.0, 6.0]):
        loss = (w * x - y) ** 2
        losses.append(loss)
    return losses


def _loss_plots():
    from helpers import classification, decision
    from helpers.toy_data import spiral_classes, two_moons

    Xc, yc = spiral_classes(6, 3, seed=0)
    params = classification.init_params(n_hidden=4)
    Xb, yb = two_moons(20, seed=0)
    return {
        "plotting.plot_loss_curve": lambda losses: plotting.plot_loss_curve(losses),
        "decision.plot_loss_with_title": lambda losses: decision.plot_loss_with_title(losses),
        "decision.training_figure": lambda losses: decision.training_figure(
            {"mine": losses}, lambda pts: torch.sigmoid(pts[:, 0]), Xb, yb, resolution=10),
        "classification.classifier_figure": lambda losses: classification.classifier_figure(
            params, losses, Xc, yc, resolution=10),
    }


@pytest.mark.parametrize("plot", list(_loss_plots()))
def test_loss_tensors_that_require_grad_get_a_pointer_to_item(plot):
    draw = _loss_plots()[plot]
    with pytest.raises(ValueError) as caught:
        draw(_losses_kept_as_tensors())
    message = str(caught.value)
    assert "[0] is a tensor that requires grad" in message and "loss.item()" in message
    assert "numpy" not in message                                  # not torch's "Can't call numpy() on Tensor…"
    with pytest.raises(ValueError, match="loss.item()"):           # the whole list stacked: the same pointer
        draw(torch.stack(_losses_kept_as_tensors()))


@pytest.mark.parametrize("plot", list(_loss_plots()))
def test_plain_numbers_and_detached_loss_tensors_are_plotted_alike(plot):
    draw = _loss_plots()[plot]
    floats = [loss.item() for loss in _losses_kept_as_tensors()]
    for losses in (floats, [loss.detach() for loss in _losses_kept_as_tensors()], torch.tensor(floats),
                   np.array(floats)):
        draw(losses)


def test_plot_loss_curve_draws_the_numbers_of_detached_tensors():
    floats = [loss.item() for loss in _losses_kept_as_tensors()]
    line = plotting.plot_loss_curve([torch.tensor(v) for v in floats])
    assert list(line.get_ydata()) == floats


@pytest.mark.parametrize("call, error", [
    (lambda: plotting.plot_loss_curve([]), ValueError),
    (lambda: plotting.plot_loss_curve([[1.0, 2.0]]), TypeError),              # a list is not a number
    (lambda: plotting.plot_loss_curve("0.5"), TypeError),
    (lambda: plotting.new_figure(ncols=0), ValueError),
    (lambda: plotting.new_figure(width=-1), ValueError),
    (lambda: status_html("fine", "x"), ValueError),
    (lambda: square_text(2.5), TypeError),
    (lambda: show_source(42), TypeError),
])
def test_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_square_slider_updates_its_label_at_every_value():
    demo = SquareSlider()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in range(demo.slider.min, demo.slider.max + 1):
            demo.slider.value = n
            assert demo.label.value == f"{n}² = {n * n}: widgets are live ✓"
    assert "setup-slider" in demo.slider._dom_classes and "setup-label" in demo.label._dom_classes


def test_figure_view_redraws_into_its_output():
    import io

    import PIL.Image

    fig, ax = plotting.new_figure()
    view = FigureView(fig, "some-plot")
    assert "some-plot" in view.output._dom_classes
    assert not view.image.value, "nothing is shown before the first redraw"
    view.redraw()
    png = bytes(view.image.value)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert PIL.Image.open(io.BytesIO(png)).size == (640, 400)  # the whole 6.4 × 4 in figure at 100 dpi
    ax.plot([0, 1], [0, 1], lw=8)
    view.redraw()
    assert bytes(view.image.value) != png, "a redraw shows the figure as it is now"


def test_new_figure_outside_the_inline_backend_is_not_held_by_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, ax = plotting.new_figure()
    plotting.plot_loss_curve([3.0, 2.0, 1.0])
    assert plt.get_fignums() == before
    assert fig.canvas.get_width_height() == (640, 400)


def test_new_figure_under_the_inline_backend_is_pyplots_so_the_cell_shows_it(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plotting, "inline_backend", lambda: True)
    fig, _ = plotting.new_figure()
    try:
        assert fig.number in plt.get_fignums()
    finally:
        plt.close(fig)


def test_axes_for_closes_its_figure_when_drawing_fails(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plotting, "inline_backend", lambda: True)
    before = plt.get_fignums()
    with pytest.raises(ZeroDivisionError):
        with plotting.axes_for() as ax:
            ax.plot([1, 2])
            1 / 0
    assert plt.get_fignums() == before


def test_in_a_notebook_laid_out_figures_are_shown_uncropped_and_others_cropped():
    """Under the inline backend the course skips bbox_inches="tight" (an extra draw per figure)
    for figures with constrained layout, which fit their canvas; a learner's own figure without
    it is still cropped. Run in a fresh interpreter: an IPython shell changes process-wide state."""
    import subprocess
    import sys

    script = """
import base64, io
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import matplotlib.pyplot as plt
from PIL import Image
from helpers import plotting
plotting.inline_backend = lambda: True
plotting.use_house_style()  # as helpers.start_lesson() does
ours, ax = plotting.new_figure()
ax.set_ylabel("y")
theirs, ax2 = plt.subplots(figsize=(6.4, 4.0))
ax2.set_ylabel("y")
png = shell.display_formatter.formatters["image/png"]
for fig in (ours, theirs):
    print(*Image.open(io.BytesIO(base64.b64decode(png(fig)))).size)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=str(Path(plotting.__file__).resolve().parent.parent))
    assert out.returncode == 0, out.stderr
    ours, theirs = out.stdout.splitlines()
    assert ours == "640 400"    # the whole canvas, as drawn
    assert theirs != "640 400"  # cropped to what is drawn


def test_log_axes_are_labelled_in_plain_text_powers_of_ten():
    """No mathtext on log axes (its parsing was half of a log figure's draw), and the labels
    still read as powers of ten."""
    assert [plotting.power_of_ten(v) for v in (1e-4, 1.0, 1e3, 1e-300)] == ["10⁻⁴", "10⁰", "10³", "10⁻³⁰⁰"]
    assert plotting.power_of_ten(0.0) == plotting.power_of_ten(-1.0) == ""
    fig, ax = plotting.new_figure()
    plotting.plot_loss_curve([1e2, 1e-1, 1e-6], ax=ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels and all("$" not in t for t in labels) and "10⁰" in labels
    assert all(t.get_text() == "" for t in ax.yaxis.get_minor_ticks()[:5] for t in [t.label1])


def test_a_short_log_axis_still_has_numbers_and_bad_axes_are_refused():
    fig, ax = plotting.new_figure()
    plotting.plot_loss_curve([0.5, 0.3, 0.2], ax=ax)  # less than a decade: one power of ten or none
    fig.canvas.draw()
    assert any(t.label1.get_text() for t in ax.yaxis.get_minor_ticks())  # matplotlib labels 2, 3, … × 10⁻¹
    with pytest.raises(TypeError, match="axis objects"):
        plotting.plain_log_ticks(ax)
    with pytest.raises(ValueError, match="log-scaled"):
        plotting.plain_log_ticks(ax.xaxis)
    with pytest.raises(ValueError, match="numticks"):
        plotting.plain_log_ticks(ax.yaxis, numticks=0)
