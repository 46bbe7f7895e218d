"""Lesson 02's exercises (gradients by hand, learning rates) and their common mistakes.

Each `Exercise` holds the reference, the test points and the hint every common mistake gets;
tests/test_factor_hints.py feeds each mistake to its check. A factor hint fires only when the
mistake is that constant times the reference at every test point, so the test points avoid
x = ±1 (where x and x² agree) and any (x, y, w) with w·x² = y (where every gradient is 0).
"""
from helpers.exercises import Exercise, Mistake
from helpers.gradients import central_difference
from helpers.training import sgd_trajectory, stability_threshold

# ---------------------------------------------------------------- Your turn 1: dℓ/dw for ŷ = w·x²


def numeric_gradient(x, y, w):
    """dℓ/dw of ℓ = (w·x² − y)² at w, by central differences."""
    return central_difference(lambda v: (v * x**2 - y) ** 2, w)


GRADIENT_POINTS = [(1.5, 2.0, 3.0), (2.0, 4.0, -1.5), (3.0, 6.0, 0.25), (-0.5, 2.0, 4.0)]

gradient_exercise = Exercise(
    what="my_gradient",
    reference=numeric_gradient,
    inputs=GRADIENT_POINTS,
    factor_hints={
        0.5: "the square in the loss brings a factor 2 down.",
        -1: "the error is prediction minus target, w·x² − y, and the gradient keeps its sign.",
    },
    mistakes=(
        Mistake("forgot the 2 from the square", lambda x, y, w: x**2 * (w * x**2 - y), "brings a factor 2 down"),
        Mistake("y − w·x² instead of w·x² − y", lambda x, y, w: 2 * x**2 * (y - w * x**2), "prediction minus target"),
        Mistake("x instead of x² (the inner derivative)", lambda x, y, w: 2 * x * (w * x**2 - y), None),
        Mistake("the section-2 gradient of ŷ = w·x, unchanged", lambda x, y, w: 2 * x * (x * w - y), None),
        Mistake("ŷ = w·x inside the error, x² outside", lambda x, y, w: 2 * x**2 * (w * x - y), None),
        Mistake("the loss instead of its gradient", lambda x, y, w: (w * x**2 - y) ** 2, None),
        Mistake("dropped y", lambda x, y, w: 2 * x**4 * w, None),
    ),
)

# ---------------------------------------------------------------- Your turn 2: the learning-rate bound
NEW_X = (0.5, 1.0, 4.0)
NEW_Y = (1.0, 2.0, 8.0)

lr_bound_exercise = Exercise(
    what="lr_bound",
    reference=stability_threshold(NEW_X),
    factor_hints={
        0.5: "at that rate the x = 4 step lands exactly on the answer (factor 0); the error grows only "
             "once the factor 1 − 2·lr·x² passes −1.",
        4.0: "use the largest x, squared.",
        2.0: "solve 1 − 2·lr·x² = −1 for lr: the 2 cancels.",
    },
    mistakes=(
        Mistake("1/(2·max x²): the rate where the factor is 0", 1 / (2 * 16.0), "lands exactly on the answer"),
        Mistake("1/max x, not squared", 1 / 4.0, "use the largest x, squared"),
        Mistake("2/max x²: the 2 not cancelled", 2 / 16.0, "the 2 cancels"),
        Mistake("1/min x²: the smallest x", 1 / 0.25, None),
        Mistake("1/Σx²", 1 / (0.25 + 1 + 16), None),
        Mistake("the course data's bound 1/9", 1 / 9, None),
        Mistake("a rate just below the bound", 0.0624, None),
    ),
)

# ---------------------------------------------------------------- Your turn 3: batch step vs per-sample epoch
DATA = tuple(zip((1.0, 2.0, 3.0), (2.0, 4.0, 6.0)))
STEP_CASES = [(3.0, 0.01), (-10.0, 0.05), (0.5, 0.2)]


def _gradient(x, y, w):
    return 2 * x * (x * w - y)


def _batch_step(w, lr, total=False, sign=-1):
    g = sum(_gradient(x, y, w) for x, y in DATA)
    return w + sign * lr * (g if total else g / len(DATA))


def _sample_epoch(w, lr, frozen=False, sign=-1):
    w0 = w
    for x, y in DATA:
        w = w + sign * lr * _gradient(x, y, w0 if frozen else w)
    return w


batch_step_exercise = Exercise(
    what="batch_step",
    reference=lambda w, lr: sgd_trajectory(w, lr, 1, mode="batch").final_w,
    inputs=STEP_CASES,
    mistakes=(
        Mistake("the sum of the gradients instead of their mean", lambda w, lr: _batch_step(w, lr, total=True), None),
        Mistake("a step up the slope (+ instead of −)", lambda w, lr: _batch_step(w, lr, sign=1), None),
        Mistake("one epoch of per-sample steps", _sample_epoch, None),
        Mistake("returned the step, not the new w", lambda w, lr: _batch_step(w, lr) - w, None),
    ),
)

sample_epoch_exercise = Exercise(
    what="sample_epoch",
    reference=lambda w, lr: sgd_trajectory(w, lr, 1).final_w,
    inputs=STEP_CASES,
    mistakes=(
        Mistake("every gradient taken at the starting w", lambda w, lr: _sample_epoch(w, lr, frozen=True), None),
        Mistake("one batch step", _batch_step, None),
        Mistake("a step up the slope (+ instead of −)", lambda w, lr: _sample_epoch(w, lr, sign=1), None),
        Mistake("only the last sample's step", lambda w, lr: w - lr * _gradient(3.0, 6.0, w), None),
    ),
)
