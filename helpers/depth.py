"""Vanishing and exploding gradients in a deep stack of layers (lesson 08 and its depth explorer).

The stack, in the course's row convention and names (one sample per row, no biases; Z a
pre-activation, H an activation, G_V = ∂J/∂V a gradient):

    H_0 = X,    Z_l = H_{l−1} W_lᵀ,    H_l = φ(Z_l)            (l = 1 … L)
    residual:   H_l = H_{l−1} + α φ(Z_l),  α = 1/√L

The loss is J = (1/N) Σ H_L ⊙ R for a fixed random R, so the gradient arriving at the top,
G_{H_L} = R/N, is the same for every setting: what happens below is the backward pass alone.
The "gradient at layer l" is G_{Z_l} = ∂J/∂Z_l, the signal that layer l's weights receive
(∂J/∂W_l = G_{Z_l}ᵀ H_{l−1}). The backward pass, by the chain rule:

    G_{Z_l} = G_{H_l} ⊙ φ′(Z_l),    G_{H_{l−1}} = G_{Z_l} W_l
    residual:  G_{Z_l} = α G_{H_l} ⊙ φ′(Z_l),   G_{H_{l−1}} = G_{H_l} + G_{Z_l} W_l

So G_{Z_1} is G_{Z_L} multiplied by L − 1 per-layer factors, each at most max|φ′| · ‖W_l‖₂ in
size (‖W‖₂ the largest singular value). Weights are N(0, gain²/n) for width n: gain 1 is
Xavier/Glorot (2/(fan_in + fan_out) = 1/n), gain √2 is Kaiming/He.

Everything runs in float64 NumPy (fast enough for a widget) inside np.errstate, so overflow
and underflow never warn: they show in `GradientProfile.status` and `.note`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from helpers.columns import pad, text_width
from helpers.i18n import N_, label, maths, message, translate
from helpers.validation import require_choice, require_int, require_numbers, require_real, require_seed

__all__ = ["ACTIVATIONS", "MAX_SLOPE", "SCHEMES", "BAND", "GradientProfile", "base_draws", "weights", "normalised_ratio",
           "profiles_figure", "residual_figure", "ActivationStats", "activation_stats", "show_scheme_table",
           "show_forward_backward", "deep_relu_net",
           "gradient_profile", "gradient_profiles", "gradient_status", "ratio_text", "autograd_norms", "factor_bounds", "scheme_table"]

MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}  # max |φ′|
# Named initialisation schemes as gains: the weights' standard deviation is gain/√width.
SCHEMES = {N_("too small"): 0.5, N_("Xavier"): 1.0, N_("Kaiming"): math.sqrt(2.0), N_("too large"): 2.0}
BAND = 10.0  # healthy: the first layer's gradient is within BAND× of the last layer's
MAX_DEPTH = 200
CACHED_DEPTH = 50  # the depth explorer's deepest stack: draws for up to 50 layers are kept (1.6 MB at width 64),
                   # deeper stacks draw theirs when asked (200 layers: 6.5 MB, kept only while used)
MAX_GAINS = 64  # gains in one call of gradient_profiles
SWEEP_CHUNK = 4  # gains per batch of matrix products: each keeps L (batch × width) slopes for the backward
                 # pass, so 4 gains at depth 50 keep 3.3 MB (all 41 slider positions at once kept 34 MB)
WIDTH, BATCH = 64, 32


# --------------------------------------------------------------------------- activations (NumPy, float64)
def _value_and_slope(name: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(φ(a), φ′(a)) from one evaluation of φ: the backward pass needs both at every layer,
    and σ′ = σ(1 − σ), tanh′ = 1 − tanh² reuse the value (a sweep would be 1.5× slower without)."""
    if name == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * a))  # σ(a) without exp overflow
        return s, s * (1.0 - s)
    if name == "tanh":
        t = np.tanh(a)
        return t, 1.0 - t * t
    return np.maximum(a, 0.0), (a > 0).astype(np.float64)


def _array(a: object) -> np.ndarray:
    """a as a float64 array: a number, or a list, array or tensor of numbers."""
    if isinstance(a, numbers.Real) and not isinstance(a, bool):
        return np.float64(a)
    return require_numbers("a", a, ndim=None)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(−a)), computed as (1 + tanh(a/2)) / 2 so that no exp overflows."""
    return _value_and_slope("sigmoid", _array(a))[0]


def dsigmoid(a: np.ndarray) -> np.ndarray:
    """σ′(a) = σ(a) (1 − σ(a))."""
    return _value_and_slope("sigmoid", _array(a))[1]


def tanh(a: np.ndarray) -> np.ndarray:
    """tanh(a)."""
    return _value_and_slope("tanh", _array(a))[0]


def dtanh(a: np.ndarray) -> np.ndarray:
    """tanh′(a) = 1 − tanh²(a)."""
    return _value_and_slope("tanh", _array(a))[1]


def relu(a: np.ndarray) -> np.ndarray:
    """max(a, 0)."""
    return _value_and_slope("relu", _array(a))[0]


def drelu(a: np.ndarray) -> np.ndarray:
    """ReLU′(a) = 1 where a > 0, else 0 (0 at a = 0, as in PyTorch)."""
    return _value_and_slope("relu", _array(a))[1]


# name → (φ, φ′): the same contract as `helpers.mlp.ACTIVATIONS` (there on tensors, here on arrays)
ACTIVATIONS = {"sigmoid": (sigmoid, dsigmoid), "tanh": (tanh, dtanh), "relu": (relu, drelu)}


# --------------------------------------------------------------------------- validation
def _check_activation(activation: object) -> str:
    return str(require_choice("activation", activation, tuple(ACTIVATIONS)))


def _check_gain(gain: object) -> float:
    if isinstance(gain, str) and gain in SCHEMES:
        return SCHEMES[gain]
    return require_real("gain", gain, above=0,
                        what=message("a positive number or one of {schemes}", schemes=list(SCHEMES)),
                        example=translate("1.0 (the weights' std is gain/√width)"))


# --------------------------------------------------------------------------- weights
def base_draws(width: int = WIDTH, batch: int = BATCH, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded standard-normal draws (X, R, V): input (batch, width), top gradient direction
    (batch, width), and MAX_DEPTH unscaled weight matrices (MAX_DEPTH, width, width).

    Every setting scales the same draws, so moving a slider changes one thing only: a stack of
    L layers uses V[:L]. Read-only arrays (X, R and the first CACHED_DEPTH matrices are cached).
    """
    return _stack_draws(width, batch, seed, MAX_DEPTH)


def _stack_draws(width: int, batch: int, seed: int, depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, R, V[:depth]) of `base_draws`, read-only. Up to CACHED_DEPTH layers they come from the
    cache; a deeper stack's are drawn anew (the same numbers: V[:L] is a prefix of one stream)."""
    width, batch, seed = _check_draws(width, batch, seed)
    if depth <= CACHED_DEPTH:
        X, R, V = _draws(width, batch, seed, CACHED_DEPTH)
        return X, R, V[:depth]
    return _read_only(*_fresh_draws(width, batch, seed, depth))


def _check_draws(width: object, batch: object, seed: object) -> tuple[int, int, int]:
    return (require_int("width", width, min=1, max=1024), require_int("batch", batch, min=1, max=4096),
            require_seed("seed", seed))  # checked before the cache, which would take 1.0 for 1


def _fresh_draws(width: int, batch: int, seed: int, layers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    R = rng.standard_normal((batch, width))
    return X, R, rng.standard_normal((layers, width, width))  # layer by layer: the first L do not depend on layers


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for arr in arrays:
        arr.flags.writeable = False
    return arrays


@lru_cache(maxsize=8)
def _draws(width: int, batch: int, seed: int, layers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return _read_only(*_fresh_draws(width, batch, seed, layers))


def weights(depth: int, gain: float | str, width: int = WIDTH, seed: int = 0) -> np.ndarray:
    """The L weight matrices W_1 … W_L, shape (L, width, width), entries N(0, gain²/width)."""
    depth = require_int("depth", depth, min=1, max=MAX_DEPTH)
    gain = _check_gain(gain)
    if depth <= CACHED_DEPTH:
        return _stack_draws(width, BATCH, seed, depth)[2] * (gain / math.sqrt(width))
    width, batch, seed = _check_draws(width, BATCH, seed)
    V = _fresh_draws(width, batch, seed, depth)[2]  # its own draw: scaled in place, no second copy
    V *= gain / math.sqrt(width)
    return V


# --------------------------------------------------------------------------- the profile
VERDICTS = (N_("vanishing"), N_("healthy"), N_("exploding"))
SUMMARIES = {  # one whole sentence per verdict, translated before it is filled in
    "vanishing": N_("vanishing: layer 1 gets {ratio} × the gradient of layer {depth}"),
    "exploding": N_("exploding: layer 1 gets {ratio} × the gradient of layer {depth}"),
    "healthy": N_("healthy: layer 1 gets {ratio} × the gradient of layer {depth} (within {band}×)"),
}


@dataclass(frozen=True)
class GradientProfile:
    """Gradient norms ‖G_{Z_l}‖ (Frobenius, over the batch) of one backward pass, and a verdict."""

    depth: int
    activation: str
    gain: float
    residual: bool
    norms: np.ndarray  # ‖G_{Z_l}‖ for l = 1 … L (float64; may hold 0 or inf after under/overflow)
    ratio: float       # ‖G_{Z_1}‖ / ‖G_{Z_L}‖: how much the first layer gets compared with the last
    status: str        # "vanishing", "healthy" or "exploding"
    note: str          # "" or what under- or overflowed (an English template, translated when shown)

    def plotted(self, floor: float = 1e-300, ceil: float = 1e300) -> np.ndarray:
        """norms / ‖G_{Z_L}‖ for a log-axis plot: finite and positive, clipped to [floor, ceil]."""
        with np.errstate(all="ignore"):
            rel = self.norms / self.norms[-1]
        rel = np.nan_to_num(rel, nan=ceil if self.status == "exploding" else floor, posinf=ceil, neginf=floor)
        return np.clip(rel, floor, ceil)

    def summary(self) -> str:
        """One line in the learner's language: verdict, ratio and what it means."""
        if self.depth == 1:
            return message("healthy: one layer, nothing to compare (add layers)")
        text = message(SUMMARIES[self.status], ratio=ratio_text(self.ratio), depth=self.depth, band=f"{BAND:g}")
        return message("{summary}; {note}", summary=text, note=translate(self.note)) if self.note else text


def ratio_text(r: float) -> str:
    """A gradient ratio as the lesson prints it: 0.15, 1.8, 105, 1534, 1.9e-31 (words for 0/0 and inf)."""
    if isinstance(r, bool) or not isinstance(r, (int, float)):  # NaN and inf are allowed: they get words
        raise TypeError(message("r must be a real number, got {kind}", kind=type(r).__name__))
    if math.isnan(r):
        return translate("an undefined multiple (0/0)")
    if math.isinf(r):
        return translate("an overflowing multiple")
    if 10 <= r < 1e4:
        return f"{r:.0f}"
    return f"{r:.2g}" if 1e-3 <= r < 10 else f"{r:.1e}"


def _norms(a: np.ndarray) -> np.ndarray:
    """Frobenius norm over the last two axes without overflow or underflow of the squares:
    max|a| · ‖a / max|a|‖ (0, inf and NaN pass through as they are)."""
    m = np.max(np.abs(a), axis=(-2, -1))
    usable = np.isfinite(m) & (m > 0)
    scale = np.where(usable, m, 1.0)[..., None, None]
    return np.where(usable, m * np.sqrt(np.sum((a / scale) ** 2, axis=(-2, -1))), m)


def gradient_status(norms) -> tuple[str, float, str]:
    """(status, ratio, note) for the gradient norms of layers 1 … L (first-to-last ratio).

    vanishing if ratio < 1/BAND, exploding if ratio > BAND, healthy between. A NaN or inf
    norm (float64 overflowed) counts as exploding; a zero (underflow, or every unit
    saturated) as vanishing. The note says which, or is "".
    """
    arr = require_numbers("norms", norms)
    if np.any(arr < 0):
        raise ValueError(message("{name} must be ≥ 0", name="norms"))
    if not np.all(np.isfinite(arr)):
        return "exploding", math.inf, N_("the numbers overflowed float64 (≈ 1.8e308)")
    first, last = float(arr[0]), float(arr[-1])
    if last == 0.0:
        note = (N_("every gradient is exactly 0 (every unit saturated or switched off)") if first == 0
                else N_("the last layer's gradient is exactly 0"))
        return ("vanishing" if first == 0 else "exploding"), (math.nan if first == 0 else math.inf), note
    if first == 0.0:
        return "vanishing", 0.0, N_("the gradient underflowed to exactly 0 before layer 1")
    with np.errstate(all="ignore"):
        ratio = first / last
    if ratio < 1 / BAND:
        return "vanishing", ratio, ""
    if ratio > BAND:
        return "exploding", ratio, ""
    return "healthy", ratio, ""


def _backward_norms(layer_weights, depth: int, activation: str, residual: bool, width: int, seed: int):
    """Forward then backward through the stack whose l-th weights are layer_weights(l) (l = 0 … L−1):
    shape (d, d) for one stack, or (G, d, d) for G stacks at once (a sweep over gains runs as one
    batch of matrix products, not G Python loops). Returns ‖G_{Z_1}‖ … ‖G_{Z_L}‖, shape (L,) or
    (G, L), and whether every pre-activation of the forward pass was finite (a bool, or G of them)."""
    X, R, _ = _stack_draws(width, BATCH, seed, 1)
    alpha = 1.0 / math.sqrt(depth) if residual else 1.0
    H, slopes, finite = X, [], True
    for l in range(depth):
        Z = H @ np.swapaxes(layer_weights(l), -1, -2)
        finite = finite & np.isfinite(Z).all(axis=(-2, -1))
        out, slope = _value_and_slope(activation, Z)
        H = H + alpha * out if residual else out
        slopes.append(slope)
    G_H = R / R.shape[0]  # ∂J/∂H_L
    norms = [None] * depth
    for l in reversed(range(depth)):
        G_Z = alpha * G_H * slopes[l]
        norms[l] = _norms(G_Z)
        G_H = G_H + G_Z @ layer_weights(l) if residual else G_Z @ layer_weights(l)
    return np.stack(norms, axis=-1), finite


def gradient_profile(depth: int, activation: str, gain: float | str, *, residual: bool = False,
                     width: int = WIDTH, seed: int = 0) -> GradientProfile:
    """The norms ‖G_{Z_l}‖ after one backward pass through the stack, and the verdict.

    gain: a positive number or a scheme name from SCHEMES ("Xavier", "Kaiming", …).
    """
    return gradient_profiles(depth, activation, [gain], residual=residual, width=width, seed=seed)[0]


def gradient_profiles(depth: int, activation: str, gains, *, residual: bool = False,
                      width: int = WIDTH, seed: int = 0) -> list[GradientProfile]:
    """`gradient_profile` for each of `gains` (numbers or scheme names), computed in batches of
    SWEEP_CHUNK gains: every gain scales the same draws, so a batch is one stack of matrix products
    (and each gain's result is bit for bit its own `gradient_profile`)."""
    depth = require_int("depth", depth, min=1, max=MAX_DEPTH)
    activation = _check_activation(activation)
    if not isinstance(gains, (list, tuple, np.ndarray)) or (isinstance(gains, np.ndarray) and gains.ndim != 1):
        raise TypeError(message("gains must be a list of gains, got {kind}", kind=type(gains).__name__))
    checked = []
    for i, gain in enumerate(gains):
        try:
            checked.append(_check_gain(gain))
        except (TypeError, ValueError) as exc:
            raise type(exc)(message("gains[{i}]: {error}", i=i, error=exc)) from None
    gains = checked
    if not 1 <= len(gains) <= MAX_GAINS:  # each gain keeps L (batch × width) arrays for the backward pass
        raise ValueError(message("gains must hold 1 to {most} gains, got {n}", most=MAX_GAINS, n=len(gains)))
    if not isinstance(residual, bool):
        raise TypeError(message("{name} must be True or False, got {kind}", name="residual",
                                kind=type(residual).__name__))
    V = _stack_draws(width, BATCH, seed, depth)[2]
    norms, finite = [], []
    for start in range(0, len(gains), SWEEP_CHUNK):  # each gain's products are the same in any chunk
        scales = (np.array(gains[start:start + SWEEP_CHUNK]) / math.sqrt(width))[:, None, None]
        with np.errstate(all="ignore"):
            chunk_norms, chunk_finite = _backward_norms(lambda l: V[l] * scales, depth, activation, residual,
                                                        width, seed)
        norms.extend(chunk_norms)
        finite.extend(chunk_finite)
    profiles = []
    for gain, row, ok in zip(gains, norms, finite):
        if ok:
            status, ratio, note = gradient_status(np.where(np.isnan(row), np.inf, row))
        else:
            status, ratio, note = "exploding", math.inf, N_("the forward pass overflowed float64 (≈ 1.8e308)")
        profiles.append(GradientProfile(depth, activation, gain, residual, row, ratio, status, note))
    return profiles


def _autograd_norms(depth, activation, gain, mode: str, width: int, seed: int) -> np.ndarray:
    """‖∂J/∂Z_l‖ for l = 1 … L from PyTorch autograd, float64; mode "plain", "residual" or
    "normalised" (each Z_l layer-normalised per sample before φ)."""
    import torch

    depth = require_int("depth", depth, min=1, max=MAX_DEPTH)
    activation = _check_activation(activation)
    gain = _check_gain(gain)
    X, R, _ = (torch.from_numpy(np.array(a)) for a in _stack_draws(width, BATCH, seed, 1))
    X.requires_grad_()  # the graph starts at X: the Z_l's gradients are wanted, not the weights'
    W = torch.from_numpy(weights(depth, gain, width, seed))  # no leaf: each W[l] would send back a full (L, d, d)
    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    alpha = 1.0 / math.sqrt(depth)
    H, pre = X, []
    for l in range(depth):
        Z = H @ W[l].T
        Z.retain_grad()
        pre.append(Z)
        if mode == "residual":
            H = H + alpha * phi(Z)
        elif mode == "normalised":
            H = phi(torch.nn.functional.layer_norm(Z, (width,), eps=0.0))
        else:
            H = phi(Z)
    ((H * R).sum() / R.shape[0]).backward()
    return np.array([float(torch.linalg.norm(Z.grad)) for Z in pre])


def autograd_norms(depth: int, activation: str, gain: float | str, *, residual: bool = False,
                   width: int = WIDTH, seed: int = 0) -> np.ndarray:
    """The same ‖G_{Z_l}‖, from PyTorch autograd in float64 (a check of the hand-written backward)."""
    if not isinstance(residual, bool):
        raise TypeError(message("{name} must be True or False, got {kind}", name="residual",
                                kind=type(residual).__name__))
    return _autograd_norms(depth, activation, gain, "residual" if residual else "plain", width, seed)


def factor_bounds(depth: int, activation: str, gain: float | str, *, spectral_norm: float | None = None,
                  width: int = WIDTH, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer factors ‖G_{Z_{l−1}}‖/‖G_{Z_l}‖ (l = 2 … L) of a plain stack, and their bounds
    max|φ′| · ‖W_l‖₂. With `spectral_norm` set, every W_l is first rescaled so that its largest
    singular value is exactly that number (e.g. 1.0: weights of norm 1)."""
    depth = require_int("depth", depth, min=2, max=MAX_DEPTH)
    activation = _check_activation(activation)
    gain = _check_gain(gain)
    W = weights(depth, gain, width, seed)
    if spectral_norm is not None:
        spectral_norm = require_real("spectral_norm", spectral_norm, above=0, example="1.0")
        W = W / np.linalg.norm(W, ord=2, axis=(1, 2))[:, None, None] * spectral_norm
    with np.errstate(all="ignore"):
        norms = _backward_norms(lambda l: W[l], depth, activation, False, width, seed)[0]
        factors = norms[:-1] / norms[1:]
    bounds = MAX_SLOPE[activation] * np.linalg.norm(W[1:], ord=2, axis=(1, 2))
    return factors, bounds


def scheme_table(depth: int = 20, width: int = WIDTH, seed: int = 0) -> list[tuple[str, str, float, str]]:
    """(activation, scheme, ratio, status) for every activation × named scheme."""
    return [(act, name, p.ratio, p.status) for act in ACTIVATIONS for name in SCHEMES
            for p in [gradient_profile(depth, act, name, width=width, seed=seed)]]


def normalised_ratio(depth: int, activation: str, gain: float | str, *, width: int = WIDTH, seed: int = 0) -> float:
    """‖G_{Z_1}‖/‖G_{Z_L}‖ of the plain stack with every pre-activation layer-normalised per sample,
    Z_l ← (Z_l − mean) / std over the layer's units: `torch.nn.functional.layer_norm` with no
    learned scale or shift and eps = 0. Autograd in float64. Scaling every W_l by c scales Z_l by c,
    which the normalisation divides out, so the ratio does not depend on the gain."""
    norms = _autograd_norms(depth, activation, gain, "normalised", width, seed)
    return float(norms[0] / norms[-1])


# --------------------------------------------------------------------------- the forward pass
SATURATION = 0.06  # a unit is saturated where φ′ < 6 % of max|φ′|: for tanh |H| > 0.97 (tanh′ = 1 − H²)


@dataclass(frozen=True)
class ActivationStats:
    """What the forward pass does to the activations H_l = φ(Z_l) of the plain stack, layer by layer
    (statistics over every entry of H_l: the batch × the units)."""

    depth: int
    activation: str
    gain: float
    spread: np.ndarray     # standard deviation of H_l's entries, l = 1 … L
    mean: np.ndarray       # mean of H_l's entries
    saturated: np.ndarray  # share of H_l's entries where φ′(Z_l) < SATURATION · max|φ′| (ReLU: the units that are off)


def activation_stats(depth: int, activation: str, gain: float | str, *, width: int = WIDTH,
                     seed: int = 0) -> ActivationStats:
    """Spread, mean and saturated share of every layer's activations, for the same draws as
    `gradient_profile` (so the two can be read side by side)."""
    depth = require_int("depth", depth, min=1, max=MAX_DEPTH)
    activation = _check_activation(activation)
    gain = _check_gain(gain)
    X = _stack_draws(width, BATCH, seed, 1)[0]
    W = weights(depth, gain, width, seed)
    H, spread, mean, saturated = X, [], [], []
    with np.errstate(all="ignore"):
        for l in range(depth):
            H, slope = _value_and_slope(activation, H @ W[l].T)
            spread.append(float(np.std(H)))
            mean.append(float(np.mean(H)))
            saturated.append(float(np.mean(slope < SATURATION * MAX_SLOPE[activation])))
    return ActivationStats(depth, activation, gain, np.array(spread), np.array(mean), np.array(saturated))


def show_scheme_table(depth: int = 20, width: int = WIDTH, seed: int = 0) -> None:
    """Print ‖G_{Z_1}‖/‖G_{Z_L}‖ and its verdict for every activation × named scheme."""
    depth = require_int("depth", depth, min=2, max=MAX_DEPTH)
    ratio = f"‖G_Z1‖/‖G_Z{depth}‖"
    print("{activation} {init} {gain}   {ratio}   {verdict}".format(  # a layout: its words are translated
                  activation=pad(translate("activation"), 10),  # padded by columns: Chinese takes two each
                  init=pad(translate("init"), 10), gain=pad(translate("gain γ"), 7, ">"), ratio=pad(ratio, 14, ">"),
                  verdict=translate("verdict")))
    for act, name, r, status in scheme_table(depth, width, seed):
        print(f"{act:<10} {pad(translate(name), 10)} {SCHEMES[name]:7.3f}   {r:14.1e}   {translate(status)}")


def show_forward_backward(depth: int = 20, activation: str = "tanh", gains=None, width: int = WIDTH,
                          seed: int = 0) -> None:
    """Print, for each gain (default: the named schemes), the forward pass's activation statistics
    beside the backward pass's ‖G_{Z_1}‖/‖G_{Z_L}‖: spread of H_1 and H_L, saturated share of H_L."""
    depth = require_int("depth", depth, min=2, max=MAX_DEPTH)
    if gains is not None and (isinstance(gains, (str, bytes)) or not isinstance(gains, (list, tuple))):
        raise TypeError(message("gains must be None or a list of gains (numbers or scheme names), got {kind}",
                                kind=type(gains).__name__))
    gains = list(SCHEMES) if gains is None else list(gains)
    heads = (translate("gain γ"), message("spread H_{l}", l=1), message("spread H_{l}", l=depth),  # words translated
             message("saturated H_{l}", l=depth), f"‖G_Z1‖/‖G_Z{depth}‖")
    columns = [max(least, text_width(head)) for least, head in zip((7, 10, 10, 14, 14), heads)]  # a header fits
    print("   ".join(pad(head, n, ">") for head, n in zip(heads, columns)))
    for gain in gains:
        stats = activation_stats(depth, activation, gain, width=width, seed=seed)
        p = gradient_profile(depth, activation, gain, width=width, seed=seed)
        cells = (f"{stats.gain:.3f}", f"{stats.spread[0]:.3f}", f"{stats.spread[-1]:.3f}",
                 f"{stats.saturated[-1]:.1%}", ratio_text(p.ratio))
        print("   ".join(pad(cell, n, ">") for cell, n in zip(cells, columns)))


# --------------------------------------------------------------------------- a deep torch network
def deep_relu_net(depth: int = 10, gain: float | str = 2.0, *, n_in: int = 2, width: int = WIDTH,
                  n_out: int = 3, seed: int = 0):
    """A float64 `torch.nn.Sequential`: Linear(n_in, width), then depth − 1 × (ReLU, Linear(width,
    width)), then ReLU, Linear(width, n_out). Every weight is drawn from N(0, gain²/fan_in), every
    bias is 0, from `seed` alone. Gain √2 is Kaiming; above it the gradients grow with depth (the
    lesson's gradient-clipping example)."""
    import torch

    depth = require_int("depth", depth, min=1, max=MAX_DEPTH)
    gain = _check_gain(gain)
    n_in, width, n_out = (require_int(name, v, min=1, max=4096)
                          for name, v in (("n_in", n_in), ("width", width), ("n_out", n_out)))
    gen = torch.Generator().manual_seed(require_seed("seed", seed))
    sizes = [n_in] + [width] * depth + [n_out]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(fan_in, fan_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.normal_(0.0, gain / math.sqrt(fan_in), generator=gen)
            linear.bias.zero_()
        layers += [linear] if i == 0 else [torch.nn.ReLU(), linear]
    return torch.nn.Sequential(*layers)


# --------------------------------------------------------------------------- plots
SCHEME_STYLE = {"too small": ("blue", "v", ":"), "Xavier": ("green", "o", "-"),
                "Kaiming": ("orange", "s", "--"), "too large": ("red", "^", "-.")}
LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
RATIO_LABEL = r"$\|G_{Z_l}\| \;/\; \|G_{Z_D}\|$"  # maths only: a label mixing maths and Chinese has no font


def _log_panel(ax, depth: int) -> None:
    from helpers.plotting import plain_log_ticks

    ax.axhspan(1 / BAND, BAND, color="#009E73", alpha=0.10, lw=0)
    ax.set(yscale="log", xlim=(0.5, depth + 0.5), xlabel=label("layer l (1 = nearest the input)"))
    plain_log_ticks(ax.yaxis)


def profiles_figure(depth: int = 20, width: int = WIDTH, seed: int = 0):
    """One panel per activation, one line per named scheme: ‖G_{Z_l}‖ / ‖G_{Z_L}‖ on a log axis,
    the healthy band shaded. Each panel's title names the schemes that stay healthy."""
    from helpers.plotting import PALETTE, new_figure

    depth = require_int("depth", depth, min=2, max=MAX_DEPTH)
    fig, axes = new_figure(ncols=3, width=12.8, height=4.2)
    for ax, act in zip(axes, ACTIVATIONS):
        _log_panel(ax, depth)
        healthy = []
        for name in SCHEMES:
            p = gradient_profile(depth, act, name, width=width, seed=seed)
            colour, marker, style = SCHEME_STYLE[name]
            ax.plot(np.arange(1, depth + 1), p.plotted(), color=PALETTE[colour], marker=marker, ms=3.5, ls=style,
                    lw=1.6, label=label("{scheme} (gain {gain:.3g})", scheme=label(name), gain=p.gain))
            if p.status == "healthy":
                healthy.append(name)
        if not healthy:
            title = label("{activation}: every init vanishes", activation=LABELS[act])
        else:
            title = label("{activation}: within {band}× only with {schemes}", activation=LABELS[act],
                            band=f"{BAND:g}", schemes=label(" and ").join(label(n) for n in healthy))
        ax.set_title(title, fontsize=11)
    axes[0].set_ylabel(RATIO_LABEL)
    axes[0].legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.85, title=label("init"))
    fig.suptitle(label("gradient at each of {depth} layers relative to the last, after one backward pass "
                         "(green band: within {band}×)", depth=depth, band=f"{BAND:g}"), fontsize=12)
    return fig


def residual_figure(depth: int = 50, activation: str = "sigmoid", gain: float | str = "Xavier",
                    width: int = WIDTH, seed: int = 0):
    """The plain stack against the residual one, same weights: ‖G_{Z_l}‖ / ‖G_{Z_L}‖ on a log axis."""
    from helpers.plotting import PALETTE, new_figure

    plain = gradient_profile(depth, activation, gain, width=width, seed=seed)
    res = gradient_profile(depth, activation, gain, residual=True, width=width, seed=seed)
    fig, ax = new_figure(width=7.5, height=4.2)
    _log_panel(ax, plain.depth)
    layers = np.arange(1, plain.depth + 1)
    ax.plot(layers, plain.plotted(), color=PALETTE["red"], marker="^", ms=3.5, ls="--",
            label=label("plain: {formula}", formula="Hₗ = φ(Zₗ)"))
    ax.plot(layers, res.plotted(), color=PALETTE["blue"], marker="o", ms=3.5,
            label=label("residual: {formula}", formula="Hₗ = Hₗ₋₁ + φ(Zₗ)/√D"))
    ax.set_ylabel(RATIO_LABEL)
    ax.legend(loc="lower right", fontsize=9, frameon=True, framealpha=0.85)
    ax.set_title(label("residual connections keep {depth} {activation} layers level:\nlayer 1 gets {residual} × "
                         "layer {depth}'s gradient, {plain} × without", depth=plain.depth,
                         activation=LABELS[plain.activation], residual=ratio_text(res.ratio),
                         plain=ratio_text(plain.ratio)), fontsize=11)
    return fig
