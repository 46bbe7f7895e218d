"""SGD trajectories for the course's model ŷ = w·x with squared-error loss, in two back-ends.

The original program fits w to x = [1, 2, 3], y = [2, 4, 6] (so the answer is w = 2) with
per-sample SGD: for every sample, loss ℓ = (w·x − y)², gradient dℓ/dw = 2x(xw − y), step
w ← w − lr · dℓ/dw. Lesson 02 derives that gradient by hand; lesson 04 lets autograd find it.
Both back-ends here run the *same* arithmetic in float64, so they agree bit for bit on the
per-sample path (and to round-off on the batch path):

* ``closed_form``: the hand-derived update rule in plain Python floats (no autograd);
  the per-epoch cost J(w) is evaluated vectorised with NumPy.
* ``autograd``: the original program's loop with torch: ``l.backward()``, the update under
  ``no_grad``, ``w.grad.zero_()``.

Why a learning rate can be too large: on exact data (y = w*·x), one step on sample x multiplies
the distance to the optimum, w − w*, by r_x = 1 − 2·lr·x² (lesson 02's notation). r_x < 0, i.e.
lr > 1/(2x²), makes the step overshoot (w jumps across w*); |r_x| > 1, i.e. lr > 1/x², makes the
distance *grow*. ``stability_threshold`` = 1 / max x² is the largest lr at which every step
shrinks it. An epoch multiplies w − w* by the product of its steps' factors, A = r_1·r_2·r_3 for
the course's data (``epoch_factor``); the run diverges when |A| > 1 (``divergence_lr`` gives
where that starts, ≈ 0.204 for the course's data: the small steps for x = 1 and x = 2 make up
for the x = 3 step's growth above 1/9). On noisy data an epoch still maps w to A·w + B, with
the same A; its fixed point w* (``Trajectory.fixed_point``) then depends on the order of the
samples and is not the least-squares w.

A diverging run stops once |w| exceeds ``DIVERGENCE_BOUND``; what was not computed is NaN,
and no overflow warning is ever emitted.
"""
from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from helpers.i18n import N_, message
from helpers.validation import require_bool, require_choice, require_int, require_numbers, require_real

DATA_X = (1.0, 2.0, 3.0)
DATA_Y = (2.0, 4.0, 6.0)
DIVERGENCE_BOUND = 1e150
CONVERGED_TOL = 1e-6  # |w − w*| ≤ CONVERGED_TOL · max(1, |w*|) counts as converged
MAX_EPOCHS = 1_000_000
MODES = ("per_sample", "batch")
# What the distance to the fixed point, w − w*, does from one epoch to the next (`trajectory_status`).
STATUSES = ("converged", "shrinking", "alternating", "constant", "diverged")
BACKENDS = ("closed_form", "autograd")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One training run. Arrays hold NaN where the run had diverged and nothing was computed.

    ws        w after each epoch, length epochs + 1, ws[0] = w0
    losses    per epoch, the loss the original program prints: that of the last sample seen,
              computed before its update (batch mode: the cost J the epoch's step used)
    costs     J(w) = mean squared error over the data at each ws (length epochs + 1)
    status    what w − w* did, epoch by epoch (see `trajectory_status`): one of STATUSES
    step_ws   w after every single update (per-sample: epochs · n + 1 values)
    """

    ws: np.ndarray
    losses: np.ndarray
    costs: np.ndarray
    status: str
    step_ws: np.ndarray
    w0: float
    lr: float
    epochs: int
    mode: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    epoch_factor: float  # A = Π r_x: one epoch multiplies the error w − w* by A
    fixed_point: float  # w*: where the epochs settle (2.0 for the course's data)
    diverged_at: int | None  # epoch after which |w| passed DIVERGENCE_BOUND, else None

    @property
    def final_w(self) -> float:
        """w after the last epoch (NaN if the run diverged before it)."""
        return float(self.ws[-1])

    def prediction(self, x: float) -> float:
        """ŷ = final_w · x, the trained model's prediction (the original program prints it for x = 4)."""
        x = require_real("x", x)
        with np.errstate(all="ignore"):
            value = self.final_w * x
        return value if math.isfinite(value) else math.nan


# --------------------------------------------------------------------------- validation
def _data(x: Sequence[float], y: Sequence[float] | None) -> tuple[tuple[float, ...], tuple[float, ...] | None]:
    def as_tuple(seq, name):
        if not isinstance(seq, (list, tuple, np.ndarray)) or np.ndim(seq) != 1:
            raise TypeError(message("{name} must be a sequence of numbers such as (1.0, 2.0, 3.0), got {kind}",
                                    name=name, kind=type(seq).__name__))
        values = tuple(require_real(f"{name}[{i}]", v) for i, v in enumerate(seq))
        if not values:
            raise ValueError(message("{name} is empty: give at least one sample", name=name))
        return values

    xs = as_tuple(x, "x")
    if y is None:
        return xs, None
    ys = as_tuple(y, "y")
    if len(xs) != len(ys):
        raise ValueError(message("x and y must have the same length, got {n_xs} and {n_ys}",
                                 n_xs=len(xs), n_ys=len(ys)))
    return xs, ys


def _lr(lr: object) -> float:
    return require_real("lr", lr, above=0, example="0.01", what=N_("a learning rate (a real number)"))


# --------------------------------------------------------------------------- stability
def _scaled_squares(xs: Sequence[float]) -> tuple[float, list[float]]:
    """(v, [(x/v)² for each x ≠ 0]) with v = max |x|: squares of numbers in (0, 1], which neither
    overflow nor underflow as x² itself can (x = 1e-200 has x² = 0 in float64, x = 1e200 has inf).
    A threshold u found for the scaled squares is the learning rate u / v² for the data."""
    v = max(abs(x) for x in xs)
    if v == 0:
        raise ValueError(message("x is all zeros: the gradient is always 0, so no learning rate matters"))
    return v, [(x / v) ** 2 for x in xs if x != 0]


def _unscaled(u: float, v: float) -> float:
    """u / v², dividing twice: 0.0 or inf (not an error) where the learning rate itself is beyond
    float64's range, as for x = 1e200 or 1e-200."""
    with np.errstate(all="ignore"):
        return float(np.float64(u) / v / v)


def stability_threshold(x: Sequence[float] = DATA_X) -> float:
    """1 / max x²: below it every per-sample step shrinks the error, since |1 − 2·lr·x²| < 1.
    (inf when x is so small that 1 / max x² is beyond float64's range.)"""
    xs, _ = _data(x, None)
    v, _ = _scaled_squares(xs)
    biggest = v * v
    return 1.0 / biggest if 0 < biggest < math.inf else _unscaled(1.0, v)


def step_factors(lr: float, x: Sequence[float] = DATA_X) -> tuple[float, ...]:
    """r_x = 1 − 2·lr·x² for each x, in order: one per-sample step on x multiplies the error
    w − w* by r_x (exact data; lesson 02 writes r_1, r_2, r_3 for x = 1, 2, 3)."""
    lr = _lr(lr)
    xs, _ = _data(x, None)
    return tuple(1.0 - 2.0 * lr * v * v for v in xs)


def epoch_factor(lr: float, x: Sequence[float] = DATA_X, mode: str = "per_sample") -> float:
    """A: one epoch multiplies the error by A = Π r_x = Π(1 − 2·lr·x²) (per-sample) or
    1 − 2·lr·mean(x²) (batch). |A| < 1 converges, |A| > 1 diverges."""
    require_choice("mode", mode, MODES)
    factors = step_factors(lr, x)
    if mode == "batch":
        return 1.0 - 2.0 * lr * sum(v * v for v in _data(x, None)[0]) / len(factors)
    product = 1.0
    for r in factors:
        product *= r
    return product


def divergence_lr(x: Sequence[float] = DATA_X, mode: str = "per_sample") -> float:
    """The smallest lr > 0 at which |epoch_factor| reaches 1: above it the run diverges.

    Batch: 1 / mean(x²). Per-sample: the first positive root of Π(1 − 2·lr·x_i²) = ±1.
    Solved for u = lr · max x² (x scaled to at most 1), so tiny or huge x work as well as the
    course's data; the result is inf where it is beyond float64's range.
    """
    require_choice("mode", mode, MODES)
    xs, _ = _data(x, None)
    v, squares = _scaled_squares(xs)
    if mode == "batch":
        total = sum(x * x for x in xs)
        if sys.float_info.min <= total < math.inf:
            return len(xs) / total
        return _unscaled(len(xs) / sum(squares), v)
    poly = np.poly1d([1.0])
    for s in squares:
        poly *= np.poly1d([-2.0 * s, 1.0])
    roots = np.concatenate([(poly - 1).roots, (poly + 1).roots])
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 1e-12)].real
    return _unscaled(float(real.min()), v)


# --------------------------------------------------------------------------- the runs
def _diverged(w: float) -> bool:
    return not math.isfinite(w) or abs(w) > DIVERGENCE_BOUND


def _backward_and_step(w, lr: float, objective) -> None:
    """The original program's three lines: backward, step against the gradient, reset the gradient."""
    import torch

    objective.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()


def _per_sample_python(w0: float, lr: float, epochs: int, xs, ys):
    """The original program's loop with the hand-derived gradient, in Python floats."""
    w = w0
    ws, losses, steps = [w0], [], [w0]
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            d = w * x - y
            loss = d * d
            grad = 2.0 * d * x  # dℓ/dw = 2x(xw − y)
            w = w - lr * grad
            steps.append(w)
        ws.append(w)
        losses.append(loss)
        if _diverged(w):
            break
    return ws, losses, steps


def _batch_python(w0: float, lr: float, epochs: int, xs, ys):
    """Gradient descent on J(w) = mean (xw − y)²: dJ/dw = mean 2x(xw − y), one step per epoch."""
    n = len(xs)
    w = w0
    ws, losses = [w0], []
    for _ in range(epochs):
        ds = [w * x - y for x, y in zip(xs, ys)]
        losses.append(sum(d * d for d in ds) / n)
        grad = sum((1.0 / n) * (2.0 * d) * x for d, x in zip(ds, xs))
        w = w - lr * grad
        ws.append(w)
        if _diverged(w):
            break
    return ws, losses, list(ws)


def _per_sample_autograd(w0: float, lr: float, epochs: int, xs, ys):
    """The original program itself (float64): forward, l.backward(), update, grad.zero_()."""
    import torch

    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    ws, losses, steps = [w0], [], [w0]
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            l = (w * x - y) ** 2
            _backward_and_step(w, lr, l)
            steps.append(w.item())
        ws.append(w.item())
        losses.append(l.item())
        if _diverged(ws[-1]):
            break
    return ws, losses, steps


def _batch_autograd(w0: float, lr: float, epochs: int, xs, ys):
    import torch

    xt = torch.tensor(xs, dtype=torch.float64)
    yt = torch.tensor(ys, dtype=torch.float64)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    ws, losses = [w0], []
    for _ in range(epochs):
        cost = ((w * xt - yt) ** 2).mean()
        _backward_and_step(w, lr, cost)
        ws.append(w.item())
        losses.append(cost.item())
        if _diverged(ws[-1]):
            break
    return ws, losses, list(ws)


_RUNS = {
    ("per_sample", "closed_form"): _per_sample_python, ("batch", "closed_form"): _batch_python,
    ("per_sample", "autograd"): _per_sample_autograd, ("batch", "autograd"): _batch_autograd,
}


def _padded(values: list[float], length: int) -> np.ndarray:
    """Values as float64, non-finite → NaN, padded with NaN to `length` (the uncomputed rest)."""
    out = np.full(length, np.nan)
    arr = np.asarray(values, dtype=float)
    out[: arr.size] = np.where(np.isfinite(arr), arr, np.nan)
    return out


def cost(w, x: Sequence[float] = DATA_X, y: Sequence[float] = DATA_Y) -> np.ndarray | float:
    """J(w) = mean over the data of (x·w − y)², for a number or an array of w (vectorised).

    Overflow gives NaN, never a warning."""
    xs, ys = _data(x, y)
    scalar = isinstance(w, numbers.Real) and not isinstance(w, bool)
    w_arr = np.float64(w) if scalar else require_numbers("w", w, ndim=None)
    with np.errstate(all="ignore"):
        d = w_arr[..., None] * np.asarray(xs) - np.asarray(ys)
        j = (d * d).mean(axis=-1)
    j = np.where(np.isfinite(j), j, np.nan)
    return float(j) if scalar else j


def _epoch_map(lr: float, xs, ys, mode: str) -> tuple[float, float]:
    """(A, w*): an epoch maps w to A·w + B, whose fixed point is w* = B / (1 − A)."""
    A = epoch_factor(lr, xs, mode)
    if mode == "batch":
        B = 2.0 * lr * sum(x * y for x, y in zip(xs, ys)) / len(xs)
    else:
        B = 0.0
        for x, y in zip(xs, ys):
            B = B - lr * 2.0 * (B * x - y) * x
    with np.errstate(all="ignore"):
        w_star = B / (1.0 - A) if 1.0 - A != 0 else math.nan
    return A, float(w_star)


def trajectory_status(ws: np.ndarray, epoch_factor_: float, fixed_point: float, diverged: bool) -> str:
    """What w − w* did, named by the distance to the fixed point w* from one epoch to the next
    (each epoch multiplies it by A = `epoch_factor_`), in this order of precedence:

    diverged     |w| passed the bound, or |A| > 1: |w − w*| grows every epoch
    converged    |w − w*| ≤ 1e-6 · max(1, |w*|) after the last epoch
    constant     |A| = 1: w − w* keeps its size (A = −1: w jumps across w* and back)
    alternating  not there yet; 0 > A > −1: w − w* shrinks while alternating sign
    shrinking    not there yet; 0 ≤ A < 1: w − w* shrinks, keeping its sign

    The status is about the ends of epochs: inside an epoch a single step may overshoot w*
    (lr > 1/(2x²)) even when the ends of epochs keep their side."""
    ws = require_numbers("ws", ws)
    epoch_factor_ = require_real("epoch_factor_", epoch_factor_, finite=False)
    if isinstance(fixed_point, bool) or not isinstance(fixed_point, (int, float)):  # NaN is allowed: A = 1
        raise TypeError(message("fixed_point must be a real number, got {kind}", kind=type(fixed_point).__name__))
    require_bool("diverged", diverged)
    if diverged:
        return "diverged"
    if not math.isfinite(fixed_point):  # A = 1: every epoch moves w by the same amount
        return "constant" if ws[-1] == ws[0] else "diverged"
    e0, e_n = abs(ws[0] - fixed_point), abs(ws[-1] - fixed_point)
    if abs(epoch_factor_) > 1 and e_n > e0:
        return "diverged"
    if e_n <= CONVERGED_TOL * max(1.0, abs(fixed_point)):
        return "converged"
    if abs(epoch_factor_) > 1:
        return "diverged"
    if abs(epoch_factor_) == 1:
        return "constant"
    return "alternating" if epoch_factor_ < 0 else "shrinking"


def sgd_trajectory(w0: float, lr: float, epochs: int, x: Sequence[float] = DATA_X,
                   y: Sequence[float] = DATA_Y, mode: str = "per_sample",
                   backend: str = "closed_form") -> Trajectory:
    """Train ŷ = w·x from w0 for `epochs` epochs and return the whole path.

    mode="per_sample": one step per sample, w ← w − lr·2x(xw − y), as the original program does.
    mode="batch": one step per epoch on J(w) = mean (xw − y)².
    backend="closed_form" uses the hand-derived gradient; "autograd" lets torch find it.
    """
    w0, lr = require_real("w0", w0), _lr(lr)
    epochs = require_int("epochs", epochs, min=1, max=MAX_EPOCHS)
    xs, ys = _data(x, y)
    mode = require_choice("mode", mode, MODES)
    backend = require_choice("backend", backend, BACKENDS)

    ws_list, loss_list, step_list = _RUNS[(mode, backend)](w0, lr, epochs, xs, ys)
    computed = len(ws_list) - 1
    last = ws_list[-1]
    diverged_at = computed if _diverged(last) else None
    ws = _padded(ws_list, epochs + 1)
    losses = _padded(loss_list, epochs)
    steps_per_epoch = len(xs) if mode == "per_sample" else 1
    step_ws = _padded(step_list, epochs * steps_per_epoch + 1)
    costs = cost(ws, xs, ys)
    A, w_star = _epoch_map(lr, xs, ys, mode)
    status = trajectory_status(ws, A, w_star, diverged_at is not None)
    return Trajectory(ws=ws, losses=losses, costs=costs, status=status, step_ws=step_ws, w0=w0, lr=lr,
                      epochs=epochs, mode=mode, x=xs, y=ys, epoch_factor=A, fixed_point=w_star,
                      diverged_at=diverged_at)
