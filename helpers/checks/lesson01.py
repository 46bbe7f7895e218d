"""Lesson 01's exercises (derivatives and the chain rule) and their common mistakes.

Each `Exercise` holds the reference, the test points and the hint every common mistake gets;
tests/test_factor_hints.py feeds each mistake to its check. A factor hint fires only when the
mistake is that constant times the reference at every test point.
"""
import math

import torch

from helpers.exercises import Exercise, Mistake, seeded_inputs
from helpers.gradients import central_difference

# ---------------------------------------------------------------- Your turn 1: d/dx sin(x²)


def d_sin_x2_numeric(x):
    """The slope of sin(x²) at x by central differences (h = 1e-6, float64)."""
    return central_difference(lambda t: math.sin(t**2), x, 1e-6)


two_link_chain = Exercise(
    what="d_sin_x2",
    reference=d_sin_x2_numeric,
    inputs=seeded_inputs(lambda g: (float(torch.rand(1, generator=g, dtype=torch.float64)) * 4 - 2,), n=3, seed=1),
    rtol=1e-7,
    factor_hints={
        0.5: "the inner derivative of x² is 2x: did you drop the 2?",
        -1: "the derivative of sin is +cos: check the sign of the outer derivative.",
    },
    mistakes=(
        Mistake("x instead of 2x (dropped the 2)", lambda x: math.cos(x**2) * x, "did you drop the 2"),
        Mistake("−cos for the derivative of sin", lambda x: -math.cos(x**2) * 2 * x, "the derivative of sin is +cos"),
        Mistake("forgot the inner derivative", lambda x: math.cos(x**2), None),
        Mistake("outer derivative at x, not at x²", lambda x: math.cos(x) * 2 * x, None),
        Mistake("sin kept instead of cos", lambda x: math.sin(x**2) * 2 * x, None),
        Mistake("cos(2x)·2x: differentiated inside the cos", lambda x: math.cos(2 * x) * 2 * x, None),
    ),
)

# ---------------------------------------------------------------- Your turn 2: σ' from s = σ(z)


def sigmoid_slope_autograd(s):
    """σ'(z) at z = logit(s), by autograd."""
    z = torch.logit(s).requires_grad_()
    return torch.autograd.grad(torch.sigmoid(z).sum(), z)[0]


sigmoid_slope_exercise = Exercise(
    what="sigmoid_slope",
    reference=sigmoid_slope_autograd,
    inputs=seeded_inputs(lambda g: (torch.sigmoid(torch.randn(5, generator=g, dtype=torch.float64) * 3),), n=3, seed=2),
    rtol=1e-9,
    mistakes=(
        Mistake("s·(s − 1): the subtraction reversed", lambda s: s * (s - 1), "off by a sign"),
        Mistake("1 − s", lambda s: 1 - s, None),
        Mistake("s itself", lambda s: s.clone(), None),
        Mistake("σ applied again: σ(s)(1 − σ(s))", lambda s: s.sigmoid() * (1 - s.sigmoid()), None),
        Mistake("s·(1 − s)²", lambda s: s * (1 - s) ** 2, None),
    ),
)

# ---------------------------------------------------------------- Your turn 3: e^{cos 3x}, factor by factor
X3 = 0.4
V3 = 3 * X3
U3 = math.cos(V3)

three_links = Exercise(
    what="(dF_du, du_dv, dv_dx)",
    reference=(central_difference(math.exp, U3), central_difference(math.cos, V3),
               central_difference(lambda t: 3 * t, X3)),
    rtol=1e-7,
    factor_hints={
        -1: "look at the sign of each factor: what is the derivative of cos?",
        1 / 3: "v = 3x: its derivative keeps the 3.",
    },
    mistakes=(
        Mistake("+sin for the derivative of cos", (math.exp(U3), math.sin(V3), 3.0), "the derivative of cos"),
        Mistake("dv/dx = 1 (dropped the 3)", (math.exp(U3), -math.sin(V3), 1.0), "keeps the 3"),
        Mistake("e^u taken at v instead of u", (math.exp(V3), -math.sin(V3), 3.0), None),
        Mistake("e^u taken at x", (math.exp(X3), -math.sin(V3), 3.0), None),
        Mistake("−sin taken at x instead of v", (math.exp(U3), -math.sin(X3), 3.0), None),
        Mistake("−cos instead of −sin", (math.exp(U3), -math.cos(V3), 3.0), None),
    ),
)
