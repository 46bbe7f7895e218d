"""helpers.toy_data: seeded two-moons and spirals."""
import math

import pytest
import torch

from helpers.toy_data import MAX_POINTS, spiral_classes, spirals, two_moons

GENERATORS = [two_moons, spirals]


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_dtype_and_labels(make, n):
    X, y = make(n)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == torch.float32 and y.dtype == torch.float32
    assert int((y == 0).sum()) == n // 2 and int((y == 1).sum()) == n - n // 2
    assert torch.equal(y, torch.sort(y).values)  # class 0 first
    assert torch.isfinite(X).all()


@pytest.mark.parametrize("make", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    X3, _ = make(50, seed=4)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


@pytest.mark.parametrize("make", GENERATORS)
def test_global_rng_untouched(make):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make(20)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("make", GENERATORS)
def test_dtype_float64(make):
    X, y = make(10, dtype=torch.float64)
    assert X.dtype == y.dtype == torch.float64


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = two_moons(100, noise=0.0, dtype=torch.float64)
    upper, lower = X[y == 0], X[y == 1]
    torch.testing.assert_close(upper.norm(dim=1), torch.ones(50, dtype=torch.float64))
    assert (upper[:, 1] >= 0).all()
    centre = torch.tensor([1.0, 0.5], dtype=torch.float64)
    torch.testing.assert_close((lower - centre).norm(dim=1), torch.ones(50, dtype=torch.float64))
    assert (lower[:, 1] <= 0.5).all()


def test_spiral_arms_without_noise_are_point_symmetric():
    """Class 1's arm is class 0's turned by π: the point at radius s and angle θ on one arm has
    a mirror −x on the other arm's curve (same radius, angle θ + π)."""
    turns = 1.5
    X, y = spirals(200, noise=0.0, dtype=torch.float64, turns=turns)
    r = X.norm(dim=1)
    assert (r > 0.04).all() and (r <= 1.0 + 1e-12).all()
    for arm, other in ((0, 1), (1, 0)):
        mirrored = -X[y == arm]  # point symmetry through the origin
        s = mirrored.norm(dim=1)
        angle = 2 * math.pi * turns * s + math.pi * other  # where the other arm is at that radius
        on_other = s[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
        torch.testing.assert_close(mirrored, on_other)
    # and not trivially: the unmirrored points are not on the other arm
    s0 = X[y == 0].norm(dim=1)
    same = s0[:, None] * torch.stack([torch.cos(2 * math.pi * turns * s0 + math.pi),
                                       torch.sin(2 * math.pi * turns * s0 + math.pi)], dim=1)
    assert (X[y == 0] - same).norm(dim=1).min() > 0.05


def test_noise_spreads_points():
    X0, _ = two_moons(200, noise=0.0, dtype=torch.float64)
    X1, _ = two_moons(200, noise=0.3, dtype=torch.float64)
    upper0, upper1 = X0[:100], X1[:100]
    assert (upper1.norm(dim=1) - 1).abs().mean() > 10 * (upper0.norm(dim=1) - 1).abs().mean()


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("kwargs, error, words", [
    ({"n": 1}, ValueError, "at least 2"),
    ({"n": 2.5}, TypeError, "integer"),
    ({"n": True}, TypeError, "integer"),
    ({"noise": -0.1}, ValueError, "≥ 0"),
    ({"noise": math.nan}, ValueError, "finite"),
    ({"noise": "0.1"}, TypeError, "real number"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.0}, TypeError, "seed"),
    ({"dtype": torch.int64}, ValueError, "floating-point"),
])
def test_bad_arguments_are_rejected_with_a_clear_message(make, kwargs, error, words):
    with pytest.raises(error, match=words):
        make(**kwargs)


@pytest.mark.parametrize("turns, error", [(0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                                          ("2", TypeError)])
def test_spirals_rejects_bad_turns(turns, error):
    with pytest.raises(error, match="turns"):
        spirals(10, turns=turns)


@pytest.mark.parametrize("call, name", [
    (lambda: two_moons(10**10), "n"), (lambda: spirals(MAX_POINTS + 1), "n"),
    (lambda: spiral_classes(10**9), "n_per_class"), (lambda: spiral_classes(MAX_POINTS // 2, classes=3), "n_per_class"),
])
def test_a_huge_number_of_points_is_refused_before_allocating(call, name):
    """two_moons(10**10) used to try to allocate about 160 GB; now it is a clear ValueError."""
    with pytest.raises(ValueError, match=rf"^{name} (× classes )?must be at most 1000000 points"):
        call()


def test_the_largest_toy_set_is_allowed():
    X, y = two_moons(MAX_POINTS)
    assert X.shape == (MAX_POINTS, 2) and y.shape == (MAX_POINTS,)
