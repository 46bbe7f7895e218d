"""helpers.decision: decision-boundary grid and plots, loss curve with a title."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.decision import (binary_accuracy, boundary_grid, plot_decision_boundary,  # noqa: E402
                              plot_loss_with_title, predict_proba, training_figure)
from helpers.toy_data import two_moons  # noqa: E402


def right_of_zero(points):
    """A perfect classifier for data split at x₁ = 0.5: p = 1 to the right."""
    return (points[:, 0] > 0.5).to(points.dtype)


@pytest.fixture
def data():
    X = torch.tensor([[0.0, 0.0], [0.2, 1.0], [1.0, 0.0], [0.9, 1.0]])
    y = torch.tensor([0.0, 0.0, 1.0, 1.0])
    return X, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_boundary_grid_covers_the_data_with_margin(data):
    X, _ = data
    xx, yy, points = boundary_grid(X, resolution=11, margin=0.5)
    assert xx.shape == yy.shape == (11, 11)
    assert points.shape == (121, 2) and points.dtype == X.dtype
    assert xx.min() == pytest.approx(-0.5) and xx.max() == pytest.approx(1.5)
    assert yy.min() == pytest.approx(-0.5) and yy.max() == pytest.approx(1.5)
    np.testing.assert_allclose(points[:, 0].numpy(), xx.ravel(), rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"resolution": 1}, ValueError, "resolution"), ({"resolution": 2.0}, TypeError, "resolution must be an integer"),
    ({"resolution": 5000}, ValueError, "between 2 and 2000"), ({"margin": -1.0}, ValueError, "margin must be ≥ 0"),
    ({"margin": float("inf")}, ValueError, "margin must be a finite"),
])
def test_boundary_grid_rejects_bad_arguments(data, kwargs, error, words):
    with pytest.raises(error, match=words):
        boundary_grid(data[0], **kwargs)


def test_boundary_grid_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        boundary_grid(torch.zeros(4, 3))


def test_predict_proba_accepts_column_and_checks_range(data):
    X, _ = data
    p = predict_proba(lambda pts: torch.full((len(pts), 1), 0.25), X)
    assert p.shape == (4,) and p.dtype == torch.float64
    with pytest.raises(ValueError, match="sigmoid"):
        predict_proba(lambda pts: torch.full((len(pts),), 3.0), X)
    with pytest.raises(ValueError, match="probabilities"):
        predict_proba(lambda pts: torch.zeros(len(pts), 2), X)
    with pytest.raises(TypeError, match="tensor"):
        predict_proba(lambda pts: [0.5] * len(pts), X)
    with pytest.raises(TypeError, match="function"):
        predict_proba("model", X)


def test_predict_proba_runs_without_grad(data):
    X, _ = data
    w = torch.ones(2, requires_grad=True)
    p = predict_proba(lambda pts: torch.sigmoid(pts @ w), X)
    assert not p.requires_grad


def test_predict_proba_asks_in_chunks_and_gives_the_one_call_answer():
    X = two_moons(50, seed=0)[0]
    _, _, points = boundary_grid(X, resolution=30)            # 900 points
    w = torch.tensor([1.5, -2.0])
    sizes = []

    def predict(pts):
        sizes.append(len(pts))
        return torch.sigmoid(pts @ w)

    p = predict_proba(predict, points, chunk=256)
    assert sizes == [256, 256, 256, 132]
    assert torch.equal(p, torch.sigmoid(points @ w).double())
    with pytest.raises(ValueError, match="chunk"):
        predict_proba(predict, points, chunk=0)
    with pytest.raises(ValueError, match="132 probabilities"):    # a wrong answer in the last chunk is caught
        predict_proba(lambda pts: torch.full((len(pts) if len(pts) == 256 else 1,), 0.5), points, chunk=256)


def test_binary_accuracy(data):
    X, y = data
    assert binary_accuracy(right_of_zero, X, y) == 1.0
    assert binary_accuracy(lambda pts: 1 - right_of_zero(pts), X, y) == 0.0


@pytest.mark.parametrize("X, y, error, words", [
    ([[0.0, 0.0]], torch.zeros(1), TypeError, "tensors"),
    (torch.zeros(3, 2), torch.zeros(2), ValueError, "one label per point"),
    (torch.zeros(3, 1), torch.zeros(3), ValueError, r"\(n, 2\)"),
    (torch.zeros(3, 2), torch.tensor([0.0, 1.0, 2.0]), ValueError, "labels 0 and 1"),
    (torch.tensor([[0.0, float("nan")]]), torch.zeros(1), ValueError, "NaN"),
    (torch.zeros(2, 2, dtype=torch.int64), torch.zeros(2), ValueError, "floating-point"),
])
def test_bad_data_is_rejected(X, y, error, words):
    with pytest.raises(error, match=words):
        binary_accuracy(right_of_zero, X, y)


def test_plot_decision_boundary_draws_regions_line_points_and_title(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_decision_boundary(right_of_zero, X, y, resolution=50)
    assert ax.get_title() == "the boundary puts 100% of 4 points on their side"
    assert "x₁" in ax.get_xlabel() and "x₂" in ax.get_ylabel()
    scatters = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label().startswith("class")}
    assert {k: len(v) for k, v in scatters.items()} == {"class 0": 2, "class 1": 2}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1"]
    assert ax.get_xlim() == pytest.approx((-0.5, 1.5))


def test_plot_decision_boundary_custom_title_and_given_axes(data):
    X, y = data
    fig, ax = plt.subplots()
    out = plot_decision_boundary(right_of_zero, X, y, ax=ax, resolution=10, title="split at 0.5")
    assert out is ax and ax.get_title() == "split at 0.5"


def test_plot_loss_with_title_states_the_finding():
    line = plot_loss_with_title([0.7, 0.3, 0.02])
    ax = line.axes
    assert ax.get_title() == "loss falls from 0.7 to 0.02 in 3 epochs"
    assert ax.get_yscale() == "log" and "cross-entropy" in ax.get_ylabel()
    np.testing.assert_allclose(line.get_ydata(), [0.7, 0.3, 0.02])


def test_plot_loss_with_title_custom_title_and_style():
    line = plot_loss_with_title([1.0, 0.5], title="halved", linestyle="--", ylabel="loss (MSE)")
    assert line.axes.get_title() == "halved" and line.get_linestyle() == "--"
    assert line.axes.get_ylabel() == "loss (MSE)"


def test_plot_loss_with_title_rejects_empty():
    with pytest.raises(ValueError, match="non-empty"):
        plot_loss_with_title([])


def test_training_figure_overlays_curves_and_draws_boundary():
    X, y = two_moons(40, seed=1)
    curves = {"mine": [0.7, 0.2, 0.1], "reference": [0.7, 0.2, 0.1]}
    fig = training_figure(curves, lambda pts: torch.sigmoid(4 * pts[:, 1] - 1), X, y, resolution=30)
    ax_loss, ax_map = fig.axes[:2]
    assert len(ax_loss.get_lines()) == 2
    assert ax_loss.get_lines()[1].get_linestyle() == "--"
    assert ax_loss.get_legend().get_title().get_text() == "the curves overlap"
    assert ax_loss.get_title().startswith("loss falls from 0.7 to 0.1")
    assert "points on their side" in ax_map.get_title()


def test_training_figure_does_not_claim_overlap_when_curves_differ():
    X, y = two_moons(20)
    fig = training_figure({"a": [1.0, 0.5], "b": [1.0, 0.9]}, lambda pts: torch.full((len(pts),), 0.5), X, y,
                          resolution=10)
    assert fig.axes[0].get_legend().get_title().get_text() == ""


def test_training_figure_rejects_empty_curves(data):
    with pytest.raises(ValueError, match="non-empty"):
        training_figure({}, right_of_zero, *data)


def test_training_figure_that_fails_leaves_no_half_drawn_figure(monkeypatch):
    """Under the inline backend a figure left open would be shown half-drawn under the error."""
    from helpers import plotting

    monkeypatch.setattr(plotting, "inline_backend", lambda: True, raising=False)  # via pyplot
    X, y = two_moons(20)
    before = plt.get_fignums()
    with pytest.raises(ValueError, match="sigmoid"):
        training_figure({"a": [1.0, 0.5]}, lambda pts: 3 * pts[:, 0], X, y, resolution=10)  # logits, not p
    assert plt.get_fignums() == before


def test_decision_plots_are_not_kept_by_pyplot_outside_the_inline_backend(data):
    X, y = data
    before = plt.get_fignums()
    plot_decision_boundary(right_of_zero, X, y, resolution=10)
    plot_loss_with_title([1.0, 0.5])
    training_figure({"a": [1.0, 0.5]}, right_of_zero, X, y, resolution=10)
    assert plt.get_fignums() == before


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_model_on_the_gpu_is_asked_on_the_gpu_and_drawn_on_the_cpu():
    """Lesson 04 puts models on default_device(); the grid used to be made on the CPU and the
    points drawn with .numpy() without .cpu(), so a CUDA model hit a device error."""
    model = torch.nn.Linear(2, 1).double().cuda()
    X, y = two_moons(40, seed=1, dtype=torch.float64)
    X, y = X.cuda(), y.cuda()

    def predict(pts):
        assert pts.device == X.device
        return torch.sigmoid(model(pts)).squeeze(1)

    assert boundary_grid(X, 5)[2].device == X.device
    assert 0.0 <= binary_accuracy(predict, X, y) <= 1.0
    plot_decision_boundary(predict, X, y, resolution=10)
    training_figure({"gpu": torch.tensor([0.7, 0.5], device="cuda")}, predict, X, y, resolution=10)
