"""Lesson 02's exercises (gradients by hand, learning rates) and their common mistakes.

Each `Exercise` holds the reference, the test points and the hint every common mistake gets;
tests/test_factor_hints.py feeds each mistake to its check. A factor hint fires only when the
mistake is that constant times the reference at every test point, so the test points avoid
x = ±1 (where x and x² agree) and any (x, y, w) with w·x² = y (where every gradient is 0). The
other mistakes are no constant factor: they are *recognised* (an answer equal to the mistake's
on every test point gets its hint).
"""
from helpers.exercises import Exercise, Mistake
from helpers.gradients import central_difference
from helpers.training import divergence_lr, sgd_trajectory, stability_threshold

# ---------------------------------------------------------------- Your turn 1: dℓ/dw for ŷ = w·x²


def numeric_gradient(x, y, w):
    """dℓ/dw of ℓ = (w·x² − y)² at w, by central differences."""
    return central_difference(lambda v: (v * x**2 - y) ** 2, w)


GRADIENT_POINTS = [(1.5, 2.0, 3.0), (2.0, 4.0, -1.5), (3.0, 6.0, 0.25), (-0.5, 2.0, 4.0)]

_INNER_X = Mistake("x instead of x² (the inner derivative)", lambda x, y, w: 2 * x * (w * x**2 - y),
                   "the residual w·x² − y changes by x², not x, when w grows by 1: its derivative is x²")
_OLD_MODEL = Mistake("the section-2 gradient of ŷ = w·x, unchanged", lambda x, y, w: 2 * x * (x * w - y),
                     "that is the gradient of the old model ŷ = w·x; with ŷ = w·x² the residual is w·x² − y")
_MIXED = Mistake("ŷ = w·x inside the residual, x² outside", lambda x, y, w: 2 * x**2 * (w * x - y),
                 "the residual must use the new prediction: w·x² − y, not w·x − y")
_LOSS = Mistake("the loss instead of its gradient", lambda x, y, w: (w * x**2 - y) ** 2,
                "that is the loss ℓ itself; the exercise asks for its slope dℓ/dw")
_NO_Y = Mistake("dropped y", lambda x, y, w: 2 * x**4 * w, "keep the target y: the residual is w·x² − y")

gradient_exercise = Exercise(
    what="my_gradient",
    reference=numeric_gradient,
    inputs=GRADIENT_POINTS,
    arg_names=("x", "y", "w"),
    factor_hints={
        0.5: "the square in the loss brings a factor 2 down.",
        -1: "the residual is prediction minus target, w·x² − y, and the gradient keeps its sign.",
    },
    mistakes=(
        Mistake("forgot the 2 from the square", lambda x, y, w: x**2 * (w * x**2 - y), "brings a factor 2 down"),
        Mistake("y − w·x² instead of w·x² − y", lambda x, y, w: 2 * x**2 * (y - w * x**2), "prediction minus target"),
        _INNER_X, _OLD_MODEL, _MIXED, _LOSS, _NO_Y,
    ),
    recognised=(_INNER_X, _OLD_MODEL, _MIXED, _LOSS, _NO_Y),
)

# ---------------------------------------------------------------- Your turn 2: batch step vs per-sample epoch
DATA = tuple(zip((1.0, 2.0, 3.0), (2.0, 4.0, 6.0)))
STEP_CASES = [(3.0, 0.01), (-10.0, 0.05), (0.5, 0.2)]
UPHILL_HINT = "step against the gradient: w − lr·gradient, not w + lr·gradient"


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


_SUM = Mistake("the sum of the gradients instead of their mean", lambda w, lr: _batch_step(w, lr, total=True),
               "use the mean of the three gradients (divide their sum by len(x_data)): the cost J is a mean")
_BATCH_UP = Mistake("a step up the slope (+ instead of −)", lambda w, lr: _batch_step(w, lr, sign=1), UPHILL_HINT)
_EPOCH_FOR_STEP = Mistake("one epoch of per-sample steps", _sample_epoch,
                          "that is one epoch of per-sample steps; batch_step takes ONE step, with the mean gradient")
_THE_STEP = Mistake("returned the step, not the new w", lambda w, lr: _batch_step(w, lr) - w,
                    "return the new w, w − lr·(mean gradient), not the step lr·(mean gradient) alone")

batch_step_exercise = Exercise(
    what="batch_step",
    reference=lambda w, lr: sgd_trajectory(w, lr, 1, mode="batch").final_w,
    inputs=STEP_CASES,
    arg_names=("w", "lr"),
    mistakes=(_SUM, _BATCH_UP, _EPOCH_FOR_STEP, _THE_STEP),
    recognised=(_SUM, _BATCH_UP, _EPOCH_FOR_STEP, _THE_STEP),
)

_FROZEN = Mistake("every gradient taken at the starting w", lambda w, lr: _sample_epoch(w, lr, frozen=True),
                  "take each sample's gradient at the w of that moment, after the previous step: update w "
                  "inside the loop")
_STEP_FOR_EPOCH = Mistake("one batch step", _batch_step,
                          "that is one batch step; an epoch of per-sample SGD takes one step per sample")
_EPOCH_UP = Mistake("a step up the slope (+ instead of −)", lambda w, lr: _sample_epoch(w, lr, sign=1), UPHILL_HINT)
_LAST_ONLY = Mistake("only the last sample's step", lambda w, lr: w - lr * _gradient(3.0, 6.0, w),
                     "take a step for every sample, one after the other, not only for the last one")

sample_epoch_exercise = Exercise(
    what="sample_epoch",
    reference=lambda w, lr: sgd_trajectory(w, lr, 1).final_w,
    inputs=STEP_CASES,
    arg_names=("w", "lr"),
    mistakes=(_FROZEN, _STEP_FOR_EPOCH, _EPOCH_UP, _LAST_ONLY),
    recognised=(_FROZEN, _STEP_FOR_EPOCH, _EPOCH_UP, _LAST_ONLY),
)

# ---------------------------------------------------------------- Your turn 3: the learning-rate bound
NEW_X = (0.5, 1.0, 4.0)
NEW_Y = (1.0, 2.0, 8.0)

_SMALLEST_X = Mistake("1/min x²: the smallest x", 1 / 0.25,
                      "use the largest x: its step has the factor 1 − 2·lr·x² that reaches −1 first")
_SUM_SQUARES = Mistake("1/Σx²", 1 / (0.25 + 1 + 16),
                       "1/Σx² is not where a factor 1 − 2·lr·x² reaches −1: solve that for the largest x alone")
_EPOCH_EDGE = Mistake("the epoch edge, where |A| = 1", divergence_lr(NEW_X),
                      "that is where a whole epoch stops shrinking w − w* (|A| = 1); the question is where a "
                      "single step stops shrinking it")
_COURSE_BOUND = Mistake("the course data's bound 1/9", 1 / 9,
                        "1/9 is the bound for the course's data x = 1, 2, 3; compute it for the new x")
_JUST_BELOW = Mistake("a rate just below the bound", 0.0624,
                      "the bound is the exact rate at which the largest step's factor 1 − 2·lr·x² equals −1, "
                      "not a rate just below it")

lr_bound_exercise = Exercise(
    what="lr_bound",
    reference=stability_threshold(NEW_X),
    factor_hints={
        0.5: "at that rate the x = 4 step lands exactly on w* (factor 0); w − w* grows only "
             "once the factor 1 − 2·lr·x² passes −1.",
        4.0: "use the largest x, squared.",
        2.0: "solve 1 − 2·lr·x² = −1 for lr: the 2 cancels.",
    },
    mistakes=(
        Mistake("1/(2·max x²): the rate where the factor is 0", 1 / (2 * 16.0), "lands exactly on w*"),
        Mistake("1/max x, not squared", 1 / 4.0, "use the largest x, squared"),
        Mistake("2/max x²: the 2 not cancelled", 2 / 16.0, "the 2 cancels"),
        _SMALLEST_X, _SUM_SQUARES, _EPOCH_EDGE, _COURSE_BOUND, _JUST_BELOW,
    ),
    recognised=(_SMALLEST_X, _SUM_SQUARES, _EPOCH_EDGE, _COURSE_BOUND, _JUST_BELOW),
)
