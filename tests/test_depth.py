"""helpers.depth: gradient norms through a deep stack, checked against autograd and the bound."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import depth as D


pytestmark = pytest.mark.filterwarnings("error")  # every warning fails a test


@pytest.mark.parametrize("activation", D.ACTIVATIONS)
@pytest.mark.parametrize("residual", [False, True])
def test_hand_written_backward_matches_autograd(activation, residual):
    p = D.gradient_profile(30, activation, "Kaiming", residual=residual)
    auto = D.autograd_norms(30, activation, "Kaiming", residual=residual)
    np.testing.assert_allclose(p.norms, auto, rtol=1e-12)
    assert p.norms.shape == (30,) and p.ratio == pytest.approx(p.norms[0] / p.norms[-1])


@pytest.mark.parametrize("activation", D.ACTIVATIONS)
@pytest.mark.parametrize("residual", [False, True])
def test_a_sweep_is_each_profile_bit_for_bit(activation, residual):
    """gradient_profiles runs the gains as one batch; each result is gradient_profile's exactly,
    the overflowing and the underflowing ones included."""
    gains = [1e-200, 0.1, 0.5, "Xavier", "Kaiming", 2.0, 10.0, 1e150]
    swept = D.gradient_profiles(50, activation, gains, residual=residual)
    for gain, p in zip(gains, swept):
        one = D.gradient_profile(50, activation, gain, residual=residual)
        np.testing.assert_array_equal(p.norms, one.norms)
        assert (p.gain, p.status, p.note) == (one.gain, one.status, one.note)
        assert p.ratio == one.ratio or (math.isnan(p.ratio) and math.isnan(one.ratio))
    assert len({p.status for p in swept}) >= 2 and any(p.note for p in swept)


def test_stacks_deeper_than_the_cache_continue_its_draws():
    """Draws for up to CACHED_DEPTH layers are kept, deeper stacks draw theirs anew: the same numbers,
    since a stack of L layers uses the first L matrices of one seeded stream."""
    deep, cached = D.weights(D.MAX_DEPTH, 1.5), D.weights(D.CACHED_DEPTH, 1.5)
    np.testing.assert_array_equal(deep[:D.CACHED_DEPTH], cached)
    np.testing.assert_array_equal(D.base_draws()[2][:D.CACHED_DEPTH + 1] * (2.0 / math.sqrt(D.WIDTH)),
                                  D.weights(D.CACHED_DEPTH + 1, 2.0))
    assert not D.base_draws()[2].flags.writeable and not D.base_draws()[0].flags.writeable
    p = D.gradient_profile(D.CACHED_DEPTH + 10, "tanh", 1.0)
    np.testing.assert_allclose(p.norms, D.autograd_norms(D.CACHED_DEPTH + 10, "tanh", 1.0), rtol=1e-12)


def test_named_schemes_at_depth_20():
    table = {(act, name): status for act, name, _, status in D.scheme_table(20)}
    assert all(table[("sigmoid", name)] == "vanishing" for name in D.SCHEMES)
    assert table[("tanh", "Xavier")] == table[("tanh", "Kaiming")] == "healthy"
    assert table[("relu", "Kaiming")] == "healthy" and table[("relu", "Xavier")] == "vanishing"
    assert table[("tanh", "too large")] == table[("relu", "too large")] == "exploding"
    assert all(table[(act, "too small")] == "vanishing" for act in D.ACTIVATIONS)


def test_sigmoid_bound_per_layer():
    factors, bounds = D.factor_bounds(20, "sigmoid", "Xavier", spectral_norm=1.0)
    np.testing.assert_allclose(bounds, 0.25)
    assert np.all(factors <= bounds)
    factors, bounds = D.factor_bounds(20, "tanh", 3.0)
    assert np.all(factors <= bounds * (1 + 1e-12))


def test_residual_keeps_norms_level():
    plain = D.gradient_profile(50, "sigmoid", "Xavier")
    res = D.gradient_profile(50, "sigmoid", "Xavier", residual=True)
    assert plain.status == "vanishing" and plain.ratio < 1e-20
    assert res.status == "healthy" and 0.5 < res.ratio < 2


def test_gradient_status():
    assert D.gradient_status([1.0]) == ("healthy", 1.0, "")
    assert D.gradient_status([0.05, 1.0])[0] == "vanishing"
    assert D.gradient_status([20.0, 1.0])[0] == "exploding"
    assert D.gradient_status([10.0, 1.0])[0] == "healthy" and D.gradient_status([0.1, 1.0])[0] == "healthy"
    assert D.gradient_status([0.0, 1.0])[:2] == ("vanishing", 0.0)
    assert D.gradient_status([math.inf, 1.0])[:2] == ("exploding", math.inf)
    assert D.gradient_status([0.0, 0.0])[0] == "vanishing"
    for bad, error in (([], ValueError), ([[1.0]], TypeError), ([-1.0, 1.0], ValueError), ("1", TypeError)):
        with pytest.raises(error, match="norms"):
            D.gradient_status(bad)


@pytest.mark.parametrize("gain", [1e-6, 1e-3, 1e3, 1e6, 1e150, 1e300])
@pytest.mark.parametrize("activation", D.ACTIVATIONS)
def test_extremes_give_a_status_not_a_warning(gain, activation):
    p = D.gradient_profile(50, activation, gain)
    assert p.status in ("vanishing", "exploding")
    y = p.plotted()
    assert np.all(np.isfinite(y)) and np.all(y > 0)
    assert "nan" not in p.summary().lower()


def test_overflow_is_named():
    p = D.gradient_profile(50, "relu", 1e150)
    assert p.status == "exploding" and "overflow" in p.note


@pytest.mark.parametrize("call,error", [
    (lambda: D.gradient_profile(0, "tanh", 1.0), ValueError),
    (lambda: D.gradient_profile(2.0, "tanh", 1.0), TypeError),
    (lambda: D.gradient_profile(5, "gelu", 1.0), ValueError),
    (lambda: D.gradient_profile(5, "tanh", -1.0), ValueError),
    (lambda: D.gradient_profile(5, "tanh", math.nan), ValueError),
    (lambda: D.gradient_profile(5, "tanh", "He"), TypeError),
    (lambda: D.gradient_profile(5, "tanh", 1.0, residual="yes"), TypeError),
    (lambda: D.factor_bounds(1, "tanh", 1.0), ValueError),
    (lambda: D.gradient_profiles(5, "tanh", 1.0), TypeError),
    (lambda: D.gradient_profiles(5, "tanh", "Xavier"), TypeError),
    (lambda: D.gradient_profiles(5, "tanh", []), ValueError),
    (lambda: D.gradient_profiles(5, "tanh", [1.0, -1.0]), ValueError),
    (lambda: D.gradient_profiles(5, "tanh", np.float64(1.0)), TypeError),
    (lambda: D.gradient_profiles(5, "tanh", np.array(1.0)), TypeError),
    (lambda: D.gradient_profiles(5, "tanh", [1.0] * (D.MAX_GAINS + 1)), ValueError),
    (lambda: D.weights(5, 1.0, width=0), ValueError),
])
def test_bad_input_is_named(call, error):
    with pytest.raises(error):
        call()


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 60), activation=st.sampled_from(list(D.ACTIVATIONS)),
       log_gain=st.floats(-4, 4), residual=st.booleans())
def test_any_setting_is_finite_and_classified(depth, activation, log_gain, residual):
    p = D.gradient_profile(depth, activation, 10 ** log_gain, residual=residual)
    assert p.status in ("vanishing", "healthy", "exploding")
    assert np.all(np.isfinite(p.plotted())) and p.summary()


def test_normalisation_removes_the_gain():
    for act in D.ACTIVATIONS:
        ratios = [D.normalised_ratio(10, act, g) for g in (0.5, 1.0, 2.0)]
        np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert D.normalised_ratio(20, "sigmoid", 1.0) < 1 / D.BAND  # the activation's own share stays


def test_figures():
    import matplotlib.pyplot as plt

    fig = D.profiles_figure(depth=6)
    assert len(fig.axes) == 3 and all(len(ax.get_lines()) == len(D.SCHEMES) for ax in fig.axes)
    assert fig.axes[0].get_title().startswith("sigmoid: every init vanishes")
    assert all(ax.get_yscale() == "log" and ax.get_xlabel() for ax in fig.axes)
    plt.close(fig)
    fig = D.residual_figure(depth=30)
    assert "residual" in fig.axes[0].get_title() and len(fig.axes[0].get_lines()) == 2
    for line in fig.axes[0].get_lines():
        assert np.all(np.isfinite(line.get_ydata()))
    plt.close(fig)
    with pytest.raises(ValueError):
        D.profiles_figure(depth=1)


# --------------------------------------------------------------------------- the forward pass, tables, a torch stack
def test_activation_stats_match_a_forward_pass_by_hand():
    X = D.base_draws()[0]
    W = D.weights(5, 2.0)
    H = X
    for l in range(5):
        H = np.tanh(H @ W[l].T)
    stats = D.activation_stats(5, "tanh", 2.0)
    assert stats.spread.shape == stats.saturated.shape == (5,)
    assert stats.spread[-1] == pytest.approx(np.std(H), rel=1e-12)
    assert stats.saturated[-1] == pytest.approx(np.mean(np.abs(H) > math.sqrt(1 - D.SATURATION)), abs=1e-12)
    relu = D.activation_stats(3, "relu", "Kaiming")
    assert 0.3 < relu.saturated[0] < 0.7  # a ReLU unit is "saturated" when it is off: about half of them


def test_forward_statistics_tell_the_gains_apart():
    small, large = D.activation_stats(20, "tanh", 0.5), D.activation_stats(20, "tanh", 2.0)
    assert small.spread[-1] < 1e-3 and small.saturated[-1] == 0.0
    assert large.saturated[-1] > 0.1 and large.spread[-1] > 0.5


def test_tables_print_every_setting(capsys):
    D.show_scheme_table(20)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + len(D.ACTIVATIONS) * len(D.SCHEMES)
    assert lines[6].split()[-1] == "healthy" and lines[6].startswith("tanh")
    D.show_forward_backward(20, "tanh", [0.5, 2.0])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[2].split()[-1] == "16" and "%" in lines[2]


@pytest.mark.parametrize("ratio, text", [(0.15, "0.15"), (1.83, "1.8"), (105.3, "105"), (1534.0, "1534"),
                                         (1.9e-31, "1.9e-31"), (7.1e5, "7.1e+05"), (math.inf, "an overflowing multiple")])
def test_ratio_text(ratio, text):
    assert D.ratio_text(ratio) == text


def test_deep_relu_net_is_seeded_and_scaled():
    import torch

    net = D.deep_relu_net(3, 2.0, seed=1)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [m.weight.shape for m in linears] == [(64, 2), (64, 64), (64, 64), (3, 64)]
    assert all(m.weight.dtype == torch.float64 and not m.bias.any() for m in linears)
    assert linears[1].weight.std().item() == pytest.approx(2.0 / 8, rel=0.05)
    again = D.deep_relu_net(3, 2.0, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), again.parameters()))
    assert not torch.equal(linears[0].weight, D.deep_relu_net(3, 2.0, seed=2)[0].weight)
    with pytest.raises(ValueError):
        D.deep_relu_net(0)
    with pytest.raises(ValueError):
        D.deep_relu_net(3, -1.0)
