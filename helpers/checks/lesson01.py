"""Lesson 01's exercises (derivatives and the chain rule) and their common mistakes.

Each `Exercise` holds the reference, the test points and the hint every common mistake gets;
tests/test_factor_hints.py feeds each mistake to its check. A factor hint fires only when the
mistake is that constant times the reference at every test point; a mistake that is no constant
factor is listed in `recognised` and named when the answer equals it.
"""
import math

import torch

from helpers.exercises import Exercise, Mistake, seeded_inputs
from helpers.gradients import central_difference

# ---------------------------------------------------------------- Your turn 1: d/dx cos(x³)


def d_cos_x3_numeric(x):
    """The slope of cos(x³) at x by central differences (h = 1e-6, float64)."""
    return central_difference(lambda t: math.cos(t**3), x, 1e-6)


NO_INNER = Mistake("forgot the inner derivative", lambda x: -math.sin(x**3),
                   "the chain rule also multiplies by the inner derivative, d(x³)/dx = 3x²")
OUTER_AT_X = Mistake("outer derivative at x, not at x³", lambda x: -math.sin(x) * 3 * x**2,
                     "take the outer derivative −sin at the inner value u = x³, not at x")
COS_KEPT = Mistake("cos kept instead of −sin", lambda x: math.cos(x**3) * 3 * x**2,
                   "the outer function cos has the derivative −sin: the first factor is −sin(x³), not cos(x³)")
SIN_3X2 = Mistake("−sin(3x²)·3x²: differentiated inside the sin", lambda x: -math.sin(3 * x**2) * 3 * x**2,
                  "the outer derivative is −sin of the inner value itself, −sin(x³); the 3x² is a separate factor")
THREE_X = Mistake("3x instead of 3x² for the inner derivative", lambda x: -math.sin(x**3) * 3 * x,
                  "the inner derivative of x³ is 3x², not 3x")

two_link_chain = Exercise(
    what="d_cos_x3",
    reference=d_cos_x3_numeric,
    inputs=seeded_inputs(lambda g: (float(torch.rand(1, generator=g, dtype=torch.float64)) * 3 - 1.5,), n=3, seed=2),
    arg_names=("x",),
    rtol=1e-7,
    factor_hints={
        1 / 3: "the inner derivative of x³ is 3x²: did you drop the 3?",
        -1: "the derivative of cos is −sin: check the sign of the outer derivative.",
    },
    mistakes=(
        Mistake("x² instead of 3x² (dropped the 3)", lambda x: -math.sin(x**3) * x**2, "did you drop the 3"),
        Mistake("+sin for the derivative of cos", lambda x: math.sin(x**3) * 3 * x**2, "the derivative of cos is −sin"),
        NO_INNER, OUTER_AT_X, COS_KEPT, SIN_3X2, THREE_X,
    ),
    recognised=(NO_INNER, OUTER_AT_X, COS_KEPT, SIN_3X2, THREE_X),
)

# ---------------------------------------------------------------- Your turn 2: e^{cos 3x}, factor by factor
X3 = 0.4
V3 = 3 * X3
U3 = math.cos(V3)

EXP_AT_V = Mistake("e^u taken at v instead of u", (math.exp(V3), -math.sin(V3), 3.0),
                   "dF_du = e^u is taken at u = cos(3x), not at v = 3x")
EXP_AT_X = Mistake("e^u taken at x", (math.exp(X3), -math.sin(V3), 3.0),
                   "dF_du = e^u is taken at u = cos(3x), not at x")
SIN_AT_X = Mistake("−sin taken at x instead of v", (math.exp(U3), -math.sin(X3), 3.0),
                   "du_dv = −sin v is taken at v = 3x, not at x")
COS_FOR_COS = Mistake("−cos instead of −sin", (math.exp(U3), -math.cos(V3), 3.0),
                      "the derivative of cos v is −sin v, not −cos v")

three_links = Exercise(
    what="(dF_du, du_dv, dv_dx)",
    parts=("dF_du", "du_dv", "dv_dx"),
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
        EXP_AT_V, EXP_AT_X, SIN_AT_X, COS_FOR_COS,
    ),
    recognised=(EXP_AT_V, EXP_AT_X, SIN_AT_X, COS_FOR_COS),
)

# ---------------------------------------------------------------- Your turn 3: σ' from a = σ(z)


def sigmoid_slope_autograd(a):
    """σ'(z) at z = logit(a), by autograd."""
    z = torch.logit(a).requires_grad_()
    return torch.autograd.grad(torch.sigmoid(z).sum(), z)[0]


ONE_MINUS_A = Mistake("1 − a", lambda a: 1 - a, "1 − a is one factor of σ′ = a(1 − a): multiply it by a")
A_ITSELF = Mistake("a itself", lambda a: a.clone(), "that is a = σ(z) itself, not its slope")
SIGMA_AGAIN = Mistake("σ applied again: σ(a)(1 − σ(a))", lambda a: a.sigmoid() * (1 - a.sigmoid()),
                      "a is already σ(z): use it as it is, without applying the sigmoid again")
SQUARED = Mistake("a·(1 − a)²", lambda a: a * (1 - a) ** 2, "one factor (1 − a) too many")

sigmoid_slope_exercise = Exercise(
    what="sigmoid_slope",
    reference=sigmoid_slope_autograd,
    inputs=seeded_inputs(lambda g: (torch.sigmoid(torch.randn(5, generator=g, dtype=torch.float64) * 3),), n=3, seed=2),
    arg_names=("a",),
    rtol=1e-9,
    factor_hints={-1: "σ′ = a(1 − a) is never negative: check the order of the subtraction."},
    mistakes=(
        Mistake("a·(a − 1): the subtraction reversed", lambda a: a * (a - 1), "check the order of the subtraction"),
        ONE_MINUS_A, A_ITSELF, SIGMA_AGAIN, SQUARED,
    ),
    recognised=(ONE_MINUS_A, A_ITSELF, SIGMA_AGAIN, SQUARED),
)
