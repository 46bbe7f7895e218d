"""helpers.mlp: forward, manual backward, the buggy variants and the stepper's steps."""
import re

import numpy as np
import pytest
import torch

from helpers import mlp

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def setup():
    return mlp.init_params(), *mlp.make_data()


def test_init_params_shapes_and_seed():
    p = mlp.init_params(3, 4, 2)
    assert {k: tuple(v.shape) for k, v in p.items()} == {"W1": (4, 3), "W2": (2, 4), "b1": (4,), "b2": (2,)}
    assert all(v.dtype == torch.float64 for v in p.values())
    assert torch.equal(p["W1"], mlp.init_params(3, 4, 2)["W1"])
    assert set(mlp.init_params(bias=False)) == {"W1", "W2"}
    assert mlp.init_params(dtype=torch.float32)["W2"].dtype == torch.float32


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"n_in": 0}, ValueError, "n_in must be between 1 and 4096, got 0"), ({"n_hidden": 2.5}, TypeError, "positive integer, got float"),
    ({"n_out": True}, TypeError, "positive integer, got bool"), ({"dtype": torch.int64}, ValueError, "must be")])
def test_init_params_rejects_bad_input(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        mlp.init_params(**kwargs)


def test_make_data_shapes_and_validation():
    X, Y = mlp.make_data(5, 3, 2)
    assert X.shape == (5, 3) and Y.shape == (5, 2)
    assert torch.equal(X, mlp.make_data(5, 3, 2)[0])
    with pytest.raises(ValueError, match="^n must be between 1 and 100000, got 0$"):
        mlp.make_data(n=0)


def test_cast(setup):
    p, _, _ = setup
    p32 = mlp.cast(p, torch.float32)
    assert all(v.dtype == torch.float32 for v in p32.values())
    with pytest.raises(ValueError, match="^dtype must be one of torch.float32, torch.float64, got torch.float16$"):
        mlp.cast(p, torch.float16)


def test_forward_values(setup):
    p, X, Y = setup
    f = mlp.forward(p, X, Y, lam=0.1)
    assert f.Z.shape == (5, 4) and f.H.shape == (5, 4) and f.O.shape == (5, 2)
    assert torch.allclose(f.H, torch.sigmoid(X @ p["W1"].T + p["b1"]))
    assert torch.isclose(f.L, 0.5 * ((f.O - Y) ** 2).sum(dim=1).mean())
    assert torch.isclose(f.s, 0.05 * (p["W1"].pow(2).sum() + p["W2"].pow(2).sum()))
    assert torch.isclose(f.J, f.L + f.s)


@pytest.mark.parametrize("bad, error, match", [
    ("params", TypeError, "dict"),
    ({"W1": torch.zeros(4, 3)}, ValueError, "missing"),
    ({"W1": torch.zeros(4, 3), "W2": torch.zeros(2, 5)}, ValueError, "hidden"),
    ({"W1": torch.zeros(4, 3), "W2": torch.zeros(2, 4), "b1": torch.zeros(4)}, ValueError, "both biases"),
    ({"W1": torch.zeros(4, 3), "W2": torch.zeros(2, 4), "b1": torch.zeros(3), "b2": torch.zeros(2)},
     ValueError, "b1 must have shape"),
    ({"W1": torch.zeros(4, 3, dtype=torch.int64), "W2": torch.zeros(2, 4)}, ValueError,
     r"params\['W1'\] must be a floating-point tensor"),                   # a wrong dtype is a wrong value
])
def test_forward_rejects_bad_params(setup, bad, error, match):
    _, X, Y = setup
    with pytest.raises(error, match=match):
        mlp.forward(bad, X, Y)


def test_forward_rejects_bad_data_lam_activation(setup):
    p, X, Y = setup
    with pytest.raises(ValueError, match="same n"):
        mlp.forward(p, X, Y[:3])
    with pytest.raises(ValueError, match="^X must be a 2-D tensor, got shape"):
        mlp.forward(p, X[0], Y)
    with pytest.raises(TypeError, match="^Y must be a torch.Tensor, got list"):
        mlp.forward(p, X, Y.tolist())
    with pytest.raises(ValueError, match="≥ 0"):
        mlp.forward(p, X, Y, lam=-0.1)
    with pytest.raises(ValueError, match="finite number"):
        mlp.forward(p, X, Y, lam=float("nan"))
    with pytest.raises(TypeError, match="real number"):
        mlp.forward(p, X, Y, lam="0.1")
    with pytest.raises(ValueError, match="activation"):
        mlp.forward(p, X, Y, activation="relu")


@pytest.mark.parametrize("lam", [0.0, 0.3])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("bias", [True, False])
def test_backward_matches_autograd(lam, activation, bias):
    p = mlp.init_params(bias=bias)
    X, Y = mlp.make_data()
    manual = mlp.backward(p, mlp.forward(p, X, Y, lam, activation))
    auto = mlp.autograd_grads(p, X, Y, lam, activation)
    assert list(manual) == list(p)
    for k in p:
        assert torch.allclose(manual[k], auto[k], rtol=1e-12, atol=1e-14), k


def test_activation_derivatives():
    z = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
    for phi, dphi in mlp.ACTIVATIONS.values():
        (g,) = torch.autograd.grad(phi(z).sum(), z)
        assert torch.allclose(dphi(z.detach()), g)


def test_check_backward_float64_good(setup):
    p, X, Y = setup
    table = mlp.check_backward(mlp.backward, p, X, Y, lam=0.1)
    assert table.all_good and table.worst < 1e-7 and table.wrong() == []
    with pytest.raises(TypeError, match="backward_fn"):
        mlp.check_backward("backward", p, X, Y)


def test_numeric_grads_leave_params_untouched(setup):
    p, X, Y = setup
    before = {k: v.clone() for k, v in p.items()}
    mlp.numeric_grads(p, X, Y, 0.1)
    assert all(torch.equal(before[k], p[k]) for k in p)


@pytest.mark.parametrize("bug, lam, flagged", [
    ("missing transpose", 0.1, ["W2"]),
    ("forgotten λ", 0.1, ["W1", "W2"]),
    ("forgotten λ", 0.0, []),          # invisible without regularisation
    ("wrong φ′", 0.0, ["W1", "b1"]),
])
def test_bugs_are_flagged_on_the_right_parameters(setup, bug, lam, flagged):
    p, X, Y = setup
    assert mlp.check_backward(mlp.BUGS[bug], p, X, Y, lam).wrong() == flagged


def test_backward_steps_match_autograd(setup):
    p, X, Y = setup
    p = {k: p[k] for k in ("W1", "W2")}
    steps = mlp.backward_steps(p, X[:1], Y[:1], lam=0.2)
    assert [s.node for s in steps] == ["J", "L", "s", "O", "W2", "H", "Z", "W1"]
    auto = mlp.autograd_grads(p, X[:1], Y[:1], lam=0.2)
    by_node = {s.node: s.product for s in steps}
    assert torch.allclose(by_node["W1"], auto["W1"]) and torch.allclose(by_node["W2"], auto["W2"])
    assert steps[0].upstream == () and all(s.upstream for s in steps[1:])
    # every upstream gradient was produced by an earlier step
    products = {s.product_formula.split(" =")[0] for s in steps}
    for s in steps[1:]:
        assert all(f in products for f, _ in s.upstream), s.node


def test_backward_steps_ask_for_the_largest_element_and_know_the_usual_mistakes(setup):
    p, X, Y = setup
    p = {k: p[k] for k in ("W1", "W2")}
    steps = {s.node: s for s in mlp.backward_steps(p, X[:1], Y[:1], lam=0.1)}
    W2 = steps["W2"]
    assert W2.target == W2.product.abs().max() or W2.target == -W2.product.abs().max()
    assert W2.label == "G_W2[{}, {}]".format(*W2.element)
    # the regulariser's share left out: the element without λW2
    assert W2.mistakes[0][0] == pytest.approx(W2.target - 0.1 * float(p["W2"][W2.element]))
    Z = steps["Z"]
    assert Z.mistakes[0][0] == pytest.approx(float(steps["H"].product[Z.element]))   # φ′ forgotten
    assert steps["L"].label == "∂J/∂L" and steps["L"].target == 1.0


def test_backward_steps_validation(setup):
    p, X, Y = setup
    with pytest.raises(ValueError, match="without biases"):
        mlp.backward_steps(p, X[:1], Y[:1])
    p = {k: p[k] for k in ("W1", "W2")}
    with pytest.raises(ValueError, match="one example as a row"):
        mlp.backward_steps(p, X[:1].T, Y[:1])
    with pytest.raises(ValueError, match="one example as a row"):
        mlp.backward_steps(p, X[:2], Y[:2])
    with pytest.raises(TypeError, match="^Y must be a torch.Tensor, got str"):
        mlp.backward_steps(p, X[:1], "y")


def test_backward_dphi_override_and_validation(setup):
    p, X, Y = setup
    fwd = mlp.forward(p, X, Y, 0.1, "tanh")
    stale = mlp.backward(p, fwd, dphi=mlp.dsigmoid)
    right = mlp.backward(p, fwd, dphi=mlp.dtanh)
    assert all(torch.equal(right[k], mlp.backward(p, fwd)[k]) for k in p)
    assert not torch.allclose(stale["W1"], right["W1"]) and torch.equal(stale["W2"], right["W2"])
    with pytest.raises(TypeError, match="Forward"):
        mlp.backward(p, "fwd")
    with pytest.raises(TypeError, match="dphi"):
        mlp.backward(p, fwd, dphi=3)


def test_show_displays_a_machine_independent_html_table(setup, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    p, X, Y = setup
    table = mlp.check_backward(mlp.backward, p, X, Y, lam=0.1)
    mlp.show(table)
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.HTML)
    html = shown[0].data
    assert html.count("<tr>") == 1 + len(p)                      # header + one row per parameter
    assert "<td>W1</td><td>4×3</td><td>&lt; 1e-12</td><td>&lt; 1e-7</td><td>&lt; 1e-7</td><td>good</td>" in html
    assert "e-15" not in html and "e-16" not in html              # no round-off digits
    with pytest.raises(TypeError, match="GradientComparison"):
        mlp.show("table")


def test_third_derivatives_match_a_closed_form():
    """J in W2 is quadratic (third derivative 0); for a single weight of a 1-1-1 network with
    φ = tanh, o = w2·tanh(w1 x), the third derivative in w1 is checked by finite differences of
    autograd's second derivative."""
    p = mlp.init_params(1, 1, 1, bias=False, seed=3)
    X, Y = mlp.make_data(n=1, n_in=1, n_out=1, seed=2)
    third = mlp.third_derivatives(p, X, Y, lam=0.3, activation="tanh")
    assert third["W2"].abs().max() == 0

    def second(w1):
        t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        J = mlp.forward({"W1": w1 + t, "W2": p["W2"]}, X, Y, 0.3, "tanh").J
        (g,) = torch.autograd.grad(J, t, create_graph=True)
        (g2,) = torch.autograd.grad(g, t)
        return g2

    d = 1e-5
    fd = (second(p["W1"] + d) - second(p["W1"] - d)) / (2 * d)
    assert torch.allclose(third["W1"], fd, rtol=1e-6, atol=1e-9)


def test_difference_errors_explain_the_measured_error(setup):
    p, X, Y = setup
    terms = mlp.difference_errors(p, X, Y, lam=0.1, h=1e-5)
    assert set(terms.truncation) == set(terms.measured) == set(p)
    assert terms.eps == torch.finfo(torch.float64).eps
    # J(θ ± h) each off by up to ε|J|/2: their difference by up to ε|J|, divided by 2h
    assert terms.roundoff == pytest.approx(terms.eps * abs(terms.J) / (2 * 1e-5))
    assert terms.truncation["W2"] == terms.truncation["b2"] == 0 < terms.truncation["W1"]
    for k, measured in terms.measured.items():
        assert 0 < measured < 10 * (terms.roundoff + terms.truncation[k]), k
    # where J is quadratic (W2, b2) the error is round-off alone, and of the modelled size
    assert terms.roundoff / 4 < max(terms.measured["W2"], terms.measured["b2"]) < 4 * terms.roundoff
    # a large step makes truncation the dominant term, and the measurement follows it
    big = mlp.difference_errors(p, X, Y, lam=0.1, h=1e-2)
    assert big.truncation["W1"] > 100 * big.roundoff
    assert big.truncation["W1"] / 3 < big.measured["W1"] < 3 * big.truncation["W1"]


def test_difference_error_curve_follows_its_model(setup):
    p, X, Y = setup
    curve = mlp.difference_error_curve(p, X, Y, lam=0.1, hs=np.logspace(-8, -3, 11))
    assert curve.hs.shape == curve.measured.shape == curve.model.shape == (11,)
    ratio = curve.measured / curve.model
    assert np.all((ratio > 0.25) & (ratio < 4)), ratio
    # the model's best step solves d/dh (h²M/6 + ε|J|/(2h)) = 0
    h = curve.best_h_model
    assert h * curve.third_max / 3 == pytest.approx(curve.eps * abs(curve.J) / (2 * h ** 2))
    assert curve.model_at(h) < curve.model_at(0.8 * h) and curve.model_at(h) < curve.model_at(1.25 * h)
    assert 1e-6 < curve.best_h_measured < 1e-4


def test_difference_error_curve_validates(setup):
    p, X, Y = setup
    with pytest.raises(ValueError, match="at least two steps"):
        mlp.difference_error_curve(p, X, Y, hs=[1e-5])
    with pytest.raises(ValueError, match="float64"):
        mlp.difference_error_curve(mlp.cast(p, torch.float32), X.float(), Y.float(), hs=[1e-5, 1e-4])
    with pytest.raises(TypeError, match="ErrorCurve"):
        mlp.plot_difference_errors("curve")


def test_plot_difference_errors_draws_model_and_measurement(setup):
    import matplotlib.pyplot as plt

    p, X, Y = setup
    curve = mlp.difference_error_curve(p, X, Y, lam=0.1, hs=np.logspace(-8, -3, 6))
    ax = mlp.plot_difference_errors(curve)
    try:
        assert ax.get_xscale() == ax.get_yscale() == "log"
        assert len(ax.lines) == 5 and "h*" in ax.get_legend().get_texts()[-1].get_text()
    finally:
        plt.close(ax.figure)


# --------------------------------------------------------------------------- a learner's mistakes
def test_backward_validates_params_instead_of_a_bare_key_error(setup):
    p, X, Y = setup
    fwd = mlp.forward(p, X, Y)
    with pytest.raises(ValueError, match=r"^params must have keys W1, W2 and optionally b1, b2; missing \['W2'\]"):
        mlp.backward({"W1": p["W1"]}, fwd)
    with pytest.raises(TypeError, match="^params must be a dict"):
        mlp.backward([p["W1"], p["W2"]], fwd)
    with pytest.raises(ValueError, match="^fwd was computed with other parameters"):
        mlp.backward(mlp.init_params(3, 5, 2), fwd)


def test_backward_checks_what_dphi_returns(setup):
    p, X, Y = setup
    fwd = mlp.forward(p, X, Y)
    with pytest.raises(ValueError, match=r"^dphi must return a tensor shaped like z, \(5, 4\), got \(4,\)"):
        mlp.backward(p, fwd, dphi=lambda z: z[0])
    with pytest.raises(ValueError, match=r"^dphi must return a tensor shaped like z, \(5, 4\), got float"):
        mlp.backward(p, fwd, dphi=lambda z: 0.25)


@pytest.mark.parametrize("call, name", [
    (lambda p, X, Y: mlp.forward(p, X.float(), Y), "X"),
    (lambda p, X, Y: mlp.forward(p, X, Y.float()), "Y"),
    (lambda p, X, Y: mlp.forward({**p, "W2": p["W2"].float()}, X, Y), "params['W2']"),
    (lambda p, X, Y: mlp.autograd_grads(p, X.float(), Y), "X"),
    (lambda p, X, Y: mlp.backward_steps({k: p[k] for k in ("W1", "W2")}, X[:1].float(), Y[:1]), "X"),
])
def test_one_dtype_for_every_tensor_as_in_classification(setup, call, name):
    """mlp checks dtype (and device) agreement as classification does, naming the tensor."""
    p, X, Y = setup
    with pytest.raises(ValueError, match=rf"^{re.escape(name)} is torch.float32 on cpu but .* is torch.float64"):
        call(p, X, Y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_tensor_on_another_device_is_named(setup):
    p, X, Y = setup
    with pytest.raises(ValueError, match="^X is torch.float64 on cuda:0 but"):
        mlp.forward(p, X.cuda(), Y)
    grads = mlp.autograd_grads({k: v.cuda() for k, v in p.items()}, X.cuda(), Y.cuda())
    assert all(g.device.type == "cuda" for g in grads.values())
