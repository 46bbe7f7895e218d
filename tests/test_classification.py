"""helpers.classification (softmax, cross-entropy, the spiral classifier) and toy_data.spiral_classes."""
import math

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from torch.autograd import gradcheck

from helpers import classification as C
from helpers.toy_data import spiral_classes


pytestmark = pytest.mark.filterwarnings("error")  # every warning fails a test


def logits(*shape, seed=0, scale=3.0):
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_softmax_matches_torch_and_sums_to_one():
    Z = logits(5, 4)
    P = C.softmax(Z)
    torch.testing.assert_close(P, torch.softmax(Z, dim=-1), rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(P.sum(dim=1), torch.ones(5, dtype=torch.float64))
    torch.testing.assert_close(C.softmax(Z[0]), torch.softmax(Z[0], dim=0))
    torch.testing.assert_close(C.log_softmax(Z), torch.log_softmax(Z, dim=-1), rtol=1e-14, atol=1e-14)


def test_softmax_is_stable_for_huge_logits():
    z = torch.tensor([1000.0, 999.0, -1000.0], dtype=torch.float64)
    naive = torch.exp(z) / torch.exp(z).sum()
    assert torch.isnan(naive).any()  # the problem the stable form solves
    p = C.softmax(z)
    assert torch.isfinite(p).all()
    torch.testing.assert_close(p, torch.softmax(z, dim=0))
    assert math.isfinite(float(C.cross_entropy(z, torch.tensor(2))))


def test_cross_entropy_matches_F_cross_entropy():
    Z, y = logits(6, 3), torch.tensor([0, 2, 1, 1, 0, 2])
    torch.testing.assert_close(C.cross_entropy(Z, y), F.cross_entropy(Z, y), rtol=1e-14, atol=1e-15)
    z0 = Z[0]
    torch.testing.assert_close(C.cross_entropy(z0, y[0]), -torch.log_softmax(z0, 0)[0])


def test_gradient_is_softmax_minus_onehot_over_n():
    Z, y = logits(6, 3).requires_grad_(), torch.tensor([0, 2, 1, 1, 0, 2])
    (auto,) = torch.autograd.grad(F.cross_entropy(Z, y), Z)
    torch.testing.assert_close(C.cross_entropy_grad(Z.detach(), y), auto, rtol=1e-13, atol=1e-15)
    # forgetting /N gives exactly N × the right answer
    torch.testing.assert_close(C.softmax(Z.detach()) - C.one_hot(y, 3), 6 * auto)
    z = Z.detach()[1].clone().requires_grad_()
    (g1,) = torch.autograd.grad(C.cross_entropy(z, y[1]), z)
    torch.testing.assert_close(C.cross_entropy_grad(z.detach(), y[1]), g1)
    assert gradcheck(lambda t: C.cross_entropy(t, y), (Z,))


def test_one_hot():
    y = torch.tensor([2, 0])
    assert C.one_hot(y, 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert C.one_hot(y, 3, dtype=torch.float32).dtype == torch.float32


@pytest.mark.parametrize("call, error, name", [
    (lambda: C.softmax([1.0, 2.0]), TypeError, "O"),
    (lambda: C.softmax(torch.tensor([1, 2])), ValueError, "O"),          # a wrong dtype is a wrong value
    (lambda: C.softmax(torch.zeros(2, 3, 4)), ValueError, "O"),
    (lambda: C.cross_entropy(torch.zeros(2, 3), torch.tensor([0.0, 1.0])), ValueError, "y"),
    (lambda: C.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 3])), ValueError, "y"),
    (lambda: C.cross_entropy(torch.zeros(2, 3), torch.tensor([0])), ValueError, "y"),
    (lambda: C.cross_entropy_grad(torch.zeros(2, 3), [0, 1]), TypeError, "y"),
    (lambda: C.one_hot([0, 1], 2), TypeError, "y"),
    (lambda: C.one_hot(torch.tensor([0]), 0), ValueError, "num_classes"),
    (lambda: C.one_hot(torch.tensor([0]), 2, dtype=torch.int64), ValueError, "dtype"),
    (lambda: C.init_params(n_classes=1), ValueError, "n_classes"),
    (lambda: C.init_params(n_hidden=2.5), TypeError, "n_hidden"),
    (lambda: C.init_params(dtype=torch.int64), ValueError, "dtype"),
    (lambda: C.init_params(dtype="float64"), TypeError, "dtype"),
    (lambda: C.forward({"W1": torch.zeros(2, 2)}, torch.zeros(1, 2), torch.tensor([0])), ValueError, "params"),
    (lambda: C.forward(C.init_params(), torch.zeros(3, 5, dtype=torch.float64), torch.tensor([0, 1, 2])),
     ValueError, "X"),
    (lambda: C.forward(C.init_params(), torch.zeros(3, 2), torch.tensor([0, 1, 2])), ValueError, "X"),
    (lambda: C.backward(C.init_params(), "cache"), TypeError, "fwd"),
    (lambda: C.train_classifier(torch.zeros(3, 2), torch.tensor([0, 1, 2]), lr=-1.0), ValueError, "lr"),
    (lambda: C.train_classifier(torch.zeros(3, 2), torch.tensor([0.0, 1.0, 2.0])), ValueError, "y"),
    (lambda: C.train_classifier(torch.zeros(3, 2), [0, 1, 2]), TypeError, "y"),
    (lambda: C.train_classifier(torch.zeros(3, 2), torch.tensor([0, 1, 9999])), ValueError, "y"),
    (lambda: C.accuracy(C.init_params(), torch.zeros(3, 2), [0, 1, 2]), TypeError, "y"),
    (lambda: C.train_classifier(torch.zeros(3, 2, dtype=torch.float64), torch.tensor([0, 1, 2]),
                                params={"W1": torch.zeros(2, 2)}), ValueError, "params"),
    (lambda: C.train_classifier(torch.zeros(3, 5, dtype=torch.float64), torch.tensor([0, 1, 2]),
                                params=C.init_params()), ValueError, "X"),
    (lambda: C.train_classifier(torch.zeros(3, 2, dtype=torch.float64), torch.tensor([0, 1, 5]),
                                params=C.init_params()), ValueError, "y"),
])
def test_bad_input_is_named(call, error, name):
    with pytest.raises(error, match=rf"(?<![\w']){name}(?![\w'])"):
        call()


# --------------------------------------------------------------------------- data
def test_spiral_classes_is_seeded_and_labelled():
    X, y = spiral_classes(50, 3, seed=1)
    assert X.shape == (150, 2) and X.dtype == torch.float64 and y.dtype == torch.long
    assert y.tolist() == [0] * 50 + [1] * 50 + [2] * 50
    X2, _ = spiral_classes(50, 3, seed=1)
    assert torch.equal(X, X2)
    assert not torch.equal(X, spiral_classes(50, 3, seed=2)[0])
    assert X.norm(dim=1).max() <= 1 + 1e-12  # radius s ≤ 1, noise only on the angle
    assert spiral_classes(10, 4, dtype=torch.float32)[0].dtype == torch.float32


@pytest.mark.parametrize("kwargs", [{"classes": 1}, {"classes": 2.5}, {"noise": -0.1}, {"turns": 0},
                                    {"n_per_class": 1}, {"seed": -1}])
def test_spiral_classes_rejects_bad_arguments(kwargs):
    with pytest.raises((TypeError, ValueError)):
        spiral_classes(**kwargs)


# --------------------------------------------------------------------------- the classifier
def test_hand_written_backward_matches_autograd_to_1e12():
    X, y = spiral_classes(40, 3, seed=0)
    params = C.init_params(n_hidden=16, seed=3)
    params = {k: v + 0.1 * logits(*v.shape, seed=i) for i, (k, v) in enumerate(params.items())}  # nonzero biases
    ours = C.backward(params, C.forward(params, X, y))
    auto = C.autograd_grads(params, X, y)
    for k in C.PARAM_NAMES:
        err = float((ours[k] - auto[k]).abs().max() / auto[k].abs().max())
        assert err < 1e-12, (k, err)
    # a wrong backward (no /N) is caught by the same comparison
    wrong = (C.softmax(C.forward(params, X, y).O) - C.one_hot(y, 3)).T @ C.forward(params, X, y).H
    assert not torch.allclose(wrong, auto["W2"])


def test_training_learns_the_spiral():
    X, y = spiral_classes(100, 3, seed=0)
    params, losses = C.train_classifier(X, y, n_hidden=32, steps=400, lr=0.5, seed=0)
    assert len(losses) == 400 and losses[-1] < 0.5 * losses[0]
    assert all(b <= a * 1.05 for a, b in zip(losses, losses[1:]))  # no blow-ups at this lr
    assert C.accuracy(params, X, y) > 0.7
    p2, l2 = C.train_classifier(X, y, n_hidden=32, steps=400, lr=0.5, seed=0)
    assert l2 == losses  # seeded: the same run twice
    assert torch.get_num_threads() >= 1


def test_training_from_given_parameters():
    """params= starts from them (and leaves them as they were): the seeded start gives the same run;
    an all-zero start never moves, since tanh(0) = 0 and W2 = 0 block every weight's gradient."""
    X, y = spiral_classes(30, 3, seed=0)
    start = C.init_params(n_in=2, n_hidden=8, n_classes=3, seed=4)
    kept = {k: v.clone() for k, v in start.items()}
    params, losses = C.train_classifier(X, y, params=start, steps=30, lr=0.5)
    assert all(torch.equal(start[k], kept[k]) for k in start)
    assert losses == C.train_classifier(X, y, n_hidden=8, steps=30, lr=0.5, seed=4)[1]
    zeros = {k: torch.zeros_like(v) for k, v in start.items()}
    params, losses = C.train_classifier(X, y, params=zeros, steps=50, lr=0.5)
    assert all(torch.equal(params[k], zeros[k]) for k in ("W1", "b1", "W2"))
    assert losses[-1] == pytest.approx(math.log(3), rel=1e-12)             # balanced classes: b2 stays ~0


def test_predictions_in_chunks_are_those_of_the_whole_batch():
    """predict_classes runs a long X in chunks of rows (a plot's grid): the classes are those of one
    pass over every row, and a chunk boundary changes nothing."""
    params = C.init_params(n_in=2, n_hidden=16, n_classes=3, seed=1)
    X = 3 * torch.randn(2 * C.PREDICT_CHUNK + 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    whole = (torch.tanh(X @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]).argmax(dim=1)
    assert torch.equal(C.predict_classes(params, X), whole)
    assert len(set(C.predict_classes(params, X).tolist())) == 3


def test_plots():
    X, y = spiral_classes(30, 3, seed=0)
    params, losses = C.train_classifier(X, y, n_hidden=8, steps=20, lr=0.5)
    fig = C.classifier_figure(params, losses, X, y, resolution=40)
    ax_loss, ax_map = fig.axes
    assert ax_loss.get_yscale() == "log" and "cross-entropy" in ax_loss.get_ylabel()
    assert "%" in ax_map.get_title() and ax_map.get_xlabel()
    assert len(ax_map.get_legend().get_texts()) == 3
    plt.close(fig)
    with pytest.raises(ValueError):
        C.plot_decision_regions(params, torch.zeros(3, 3), y[:3])


def test_regions_that_fail_leave_no_half_drawn_figure(monkeypatch):
    """Under the inline backend a figure left open would be shown half-drawn under the error."""
    from helpers import plotting

    monkeypatch.setattr(plotting, "inline_backend", lambda: True, raising=False)  # via pyplot
    X, y = spiral_classes(20, 3, seed=0)
    params = C.init_params()
    with pytest.raises(ValueError, match="one label per row"):  # caught before any figure is made
        C.plot_decision_regions(params, X, y[:-1], resolution=10)

    def broken(*args):
        raise RuntimeError("accuracy failed")
    monkeypatch.setattr(C, "accuracy", broken)  # fails after the regions are drawn
    before = plt.get_fignums()
    with pytest.raises(RuntimeError, match="accuracy failed"):
        C.plot_decision_regions(params, X, y, resolution=10)
    with pytest.raises(RuntimeError, match="accuracy failed"):
        C.classifier_figure(params, [1.0, 0.5], X, y, resolution=10)
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------- infinite logits
INF = math.inf


@pytest.mark.parametrize("row, probabilities", [
    ([INF, 0.0, 1.0], [1.0, 0.0, 0.0]),             # the limit as z₀ → ∞
    ([INF, INF, 0.0], [0.5, 0.5, 0.0]),             # two logits growing together share the probability
    ([-INF, 0.0, 0.0], [0.0, 0.5, 0.5]),
    ([1e308, -1e308, 0.0], [1.0, 0.0, 0.0]),        # huge but finite: no overflow either
])
def test_softmax_of_infinite_logits_is_the_limit_not_nan(row, probabilities):
    O = torch.tensor([row, [0.0, 0.0, 0.0]], dtype=torch.float64)
    P = C.softmax(O)
    assert P[0].tolist() == probabilities and torch.isfinite(P).all()
    torch.testing.assert_close(C.log_softmax(O).exp(), P)
    assert C.softmax(O[0]).tolist() == probabilities                      # one sample, shape (K,)


def test_cross_entropy_and_its_gradient_at_an_infinite_logit():
    O = torch.tensor([[INF, 0.0, 1.0]], dtype=torch.float64)
    assert C.cross_entropy(O, torch.tensor([0])).item() == 0.0            # certain and right: no loss
    assert C.cross_entropy(O, torch.tensor([1])).item() == INF            # certain and wrong: infinite loss
    assert C.cross_entropy_grad(O, torch.tensor([0])).tolist() == [[0.0, 0.0, 0.0]]
    assert C.cross_entropy_grad(O, torch.tensor([2])).tolist() == [[1.0, 0.0, -1.0]]


@pytest.mark.parametrize("O, words", [
    (torch.tensor([[math.nan, 0.0]]), "^O contains NaN"),
    (torch.tensor([[-INF, -INF], [0.0, 1.0]]), "^O has a row whose every logit is −inf"),
])
@pytest.mark.parametrize("function", [C.softmax, C.log_softmax, lambda O: C.cross_entropy(O, torch.zeros(
    O.shape[0], dtype=torch.long)), lambda O: C.cross_entropy_grad(O, torch.zeros(O.shape[0], dtype=torch.long))])
def test_logits_without_a_softmax_are_named(function, O, words):
    with pytest.raises(ValueError, match=words):
        function(O)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_the_classifier_trains_and_draws_on_the_gpu():
    X, y = spiral_classes(20, 3, seed=0)
    params, losses = C.train_classifier(X.cuda(), y.cuda(), n_hidden=8, steps=20, lr=0.5, seed=0)
    assert all(p.device.type == "cuda" for p in params.values())
    cpu_params, cpu_losses = C.train_classifier(X, y, n_hidden=8, steps=20, lr=0.5, seed=0)
    assert losses == pytest.approx(cpu_losses, rel=1e-9)
    assert 0.0 <= C.accuracy(params, X.cuda(), y.cuda()) <= 1.0
    C.classifier_figure(params, losses, X.cuda(), y.cuda(), resolution=10)
    with pytest.raises(ValueError, match="^X is torch.float64 on cpu but"):        # the data on another device
        C.forward(params, X, y)


def test_training_checks_its_inputs_once_and_runs_the_same_steps():
    """train_classifier checks everything on its first step and skips the repeated checks after;
    the path is bit for bit that of forward/backward called by hand, and checks are back on after."""
    X, y = spiral_classes(10, 3, seed=0)
    params, losses = C.train_classifier(X, y, n_hidden=8, steps=5, lr=0.5, seed=0)
    p = C.init_params(2, 8, 3, seed=0)
    by_hand = []
    for _ in range(5):
        fwd = C.forward(p, X, y)
        grads = C.backward(p, fwd)
        by_hand.append(float(fwd.J))
        p = {k: p[k] - 0.5 * grads[k] for k in p}
    assert losses == by_hand and all(torch.equal(params[k], p[k]) for k in p)
    with pytest.raises(ValueError, match=r"^y must hold class labels 0, 1, 2, … \(at most 4096 classes\), "
                                         r"got -1 … 1$"):
        C.train_classifier(X, torch.where(y == 2, -1, y), steps=3)       # checked: the label -1 is caught
    with pytest.raises(ValueError, match="^O must be a floating-point tensor"):
        C.softmax(torch.tensor([1, 2]))                                   # and the checks are on again


def test_checks_are_back_on_after_a_failed_training():
    X, y = spiral_classes(10, 3, seed=0)
    with pytest.raises(ValueError, match="lr"):
        C.train_classifier(X, y, lr=-1.0)
    with pytest.raises(TypeError, match="^params must be a dict"):
        C.backward("params", None)
