"""Lesson 06's exercises (backprop through an MLP by hand) and their common mistakes.

Every `Exercise` holds the reference, the inputs a learner's function is tried on, and the
hint each common mistake gets; tests/test_factor_hints.py feeds each mistake to its check.
The batch is the lesson's: `mlp.init_params(3, 4, 2, seed=0)`, `mlp.make_data(5, 3, 2, seed=1)`,
λ = 0.1, so n = 5 rows. A bias gradient averaged instead of summed is off by exactly 1/N
on every element, and a forgotten 1/N by exactly N: those two get factor hints. Every other
declared mistake is recognised by its answer and gets its own hint.
"""
import torch

from helpers import mlp
from helpers.exercises import Exercise, Mistake, seeded_inputs

LAM = 0.1
PARAMS = mlp.init_params(3, 4, 2, bias=True, seed=0)
X, Y = mlp.make_data(n=5, n_in=3, n_out=2, seed=1)
N = X.shape[0]

SUM_NOT_MEAN = ("a bias is used once per example, so its gradient adds up (sums) the rows of "
                "G_Z or G_O; the 1/N of the mean is already inside G_O.")
ONE_OVER_N = "the mean in L puts a 1/N into G_O = ∂J/∂O: did you start from O − Y without dividing by N?"

# ---------------------------------------------------------------- Your turn 1: the biases' gradients
_fwd = mlp.forward(PARAMS, X, Y, LAM)
_auto = mlp.autograd_grads(PARAMS, X, Y, LAM)
_G_O = (_fwd.O - _fwd.Y) / N                                  # ∂J/∂O, as in the lesson
_G_Z = (_G_O @ PARAMS["W2"]) * mlp.dsigmoid(_fwd.Z)           # ∂J/∂Z

_WRONG_AXIS = (_G_Z.sum(dim=1), _G_O.sum(dim=1))
_SWAPPED = (_G_O.sum(dim=0), _G_Z.sum(dim=0))
_NO_SLOPE = ((_G_O @ PARAMS["W2"]).sum(dim=0), _G_O.sum(dim=0))

_BIAS_MISTAKES = (
    Mistake(".mean(0) instead of .sum(0)", (_G_Z.mean(dim=0), _G_O.mean(dim=0)), "sums) the rows"),
    Mistake("the 1/N left out: from O − Y", ((_G_Z * N).sum(dim=0), (_G_O * N).sum(dim=0)), "1/N into G_O"),
    Mistake("summed over the wrong axis (.sum(1))", _WRONG_AXIS,
            "that sums each row (dim=1); a bias's gradient adds up the rows, one per example: sum over dim=0"),
    Mistake("the two swapped", _SWAPPED,
            "the two are swapped: b1 is added to Z, so its gradient comes from G_Z; b2 to O, from G_O"),
    Mistake("G_H instead of G_Z (forgot φ′)", _NO_SLOPE, "b1 is added to Z, before φ: sum G_Z = G_H ⊙ φ′(Z), not G_H"),
)
bias_gradients = Exercise(
    what="(G_b1, G_b2)",
    reference=(_auto["b1"], _auto["b2"]),
    parts=("G_b1", "G_b2"),
    factor_hints={1 / N: SUM_NOT_MEAN, N: ONE_OVER_N},
    mistakes=_BIAS_MISTAKES,
    recognised=_BIAS_MISTAKES[2:],
    success="(G_b1, G_b2) is right: each bias gradient is the sum of its layer's gradient over the rows.",
)

# ---------------------------------------------------------------- Your turn 2: tanh′
_DTANH_MISTAKES = (
    Mistake("1 − z² (the tanh left out)", lambda z: 1 - z ** 2,
            "tanh′(z) = 1 − tanh²(z): square tanh(z), not z"),
    Mistake("tanh² − 1 (sign)", lambda z: torch.tanh(z) ** 2 - 1, "check the order of 1 and tanh²"),
    Mistake("σ′ kept", mlp.dsigmoid, "that is σ′(z) = σ(z)(1 − σ(z)), the sigmoid's slope; tanh's is 1 − tanh²(z)"),
    Mistake("1 − tanh(z) (the square left out)", lambda z: 1 - torch.tanh(z),
            "tanh′(z) = 1 − tanh²(z): the tanh is squared"),
    Mistake("tanh(z)(1 − tanh(z)), the sigmoid's pattern", lambda z: torch.tanh(z) * (1 - torch.tanh(z)),
            "that is the sigmoid's pattern σ(1 − σ) with tanh put in: tanh′(z) = 1 − tanh²(z)"),
)
dtanh = Exercise(
    what="dtanh_mine",
    reference=mlp.dtanh,
    inputs=seeded_inputs(lambda g: (torch.randn(4, 3, dtype=torch.float64, generator=g),), n=3, seed=4),
    arg_names=("z",),
    factor_hints={-1: "tanh′(z) = 1 − tanh²(z) is positive everywhere: check the order of 1 and tanh²."},
    mistakes=_DTANH_MISTAKES,
    recognised=(_DTANH_MISTAKES[0], *_DTANH_MISTAKES[2:]),
)


# ---------------------------------------------------------------- Your turn 3: find the bug
def backward_colleague(params, fwd):
    """A colleague's backward pass for the lesson's network (Your turn 3: it has one bug)."""
    W1, W2 = params["W1"], params["W2"]
    dphi = mlp.ACTIVATIONS[fwd.activation][1]
    G_O = (fwd.O - fwd.Y) / fwd.X.shape[0]
    G_W2 = G_O.T @ fwd.Z + fwd.lam * W2
    G_H = G_O @ W2
    G_Z = G_H * dphi(fwd.Z)
    G_W1 = G_Z.T @ fwd.X + fwd.lam * W1
    return {"W1": G_W1, "b1": G_Z.sum(dim=0), "W2": G_W2, "b2": G_O.sum(dim=0)}


def _no_lambda_in_w2(params, fwd):
    """Fixed, but the λW2 term dropped while rewriting the G_W2 line."""
    grads = mlp.backward(params, fwd)
    grads["W2"] = grads["W2"] - fwd.lam * params["W2"]
    return grads


def _no_lambda_in_w1(params, fwd):
    """Fixed, but the λW1 term dropped."""
    grads = mlp.backward(params, fwd)
    grads["W1"] = grads["W1"] - fwd.lam * params["W1"]
    return grads


def _sigmoid_always(params, fwd):
    """Fixed, but σ′ kept for every activation."""
    return mlp.backward(params, fwd, dphi=mlp.dsigmoid)


_FIX_MISTAKES = (
    Mistake("the colleague's code unchanged", backward_colleague,
            "that is still the colleague's result: compare each line with the derivation, starting with G_W2"),
    Mistake("σ′ hard-coded instead of the activation's φ′", _sigmoid_always,
            "right for the sigmoid network but not for the tanh one: take φ′ from fwd.activation, as the "
            "colleague's code does"),
    Mistake("the λ terms dropped", mlp.backward_forgot_lambda,
            "the regulariser's shares λW1 and λW2 are missing from G_W1 and G_W2"),
    Mistake("the λW2 term dropped from the fixed line", _no_lambda_in_w2,
            "G_W2 is right except for the regulariser: keep its share + fwd.lam * W2"),
    Mistake("the λW1 term dropped", _no_lambda_in_w1,
            "G_W1 is right except for the regulariser: keep its share + fwd.lam * W1"),
)
backward_fix = Exercise(
    what="backward_fixed",
    reference=mlp.backward,
    inputs=[(PARAMS, mlp.forward(PARAMS, X, Y, LAM)), (PARAMS, mlp.forward(PARAMS, X, Y, 0.0, "tanh"))],
    arg_names=("params", "fwd"),
    mistakes=_FIX_MISTAKES,
    recognised=_FIX_MISTAKES,
)


# ---------------------------------------------------------------- Your turn 4: a tied-weights autoencoder
def tied_forward(W, b, X):
    """Z = X Wᵀ + b, H = tanh(Z), O = H W (the same W, used again), J = 1/(2N) Σₙ ‖Oₙ − Xₙ‖²."""
    Z = X @ W.T + b                       # (N, k): the encoder
    H = torch.tanh(Z)                     # (N, k)
    O = H @ W                             # (N, d): the decoder, with the same W
    return ((O - X) ** 2).sum() / (2 * X.shape[0])


def tied_backward_autograd(W, b, X):
    """(∂J/∂W, ∂J/∂b) of `tied_forward` by autograd: the reference."""
    W, b = W.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
    return torch.autograd.grad(tied_forward(W, b, X), (W, b))


def _tied_parts(W, b, X):
    """The right intermediate gradients, from which the mistakes below are built."""
    Z = X @ W.T + b
    H = torch.tanh(Z)
    gO = (H @ W - X) / X.shape[0]
    gZ = (gO @ W.T) * (1 - H ** 2)
    return Z, H, gO, gZ


def _decoder_only(W, b, X):
    Z, H, gO, gZ = _tied_parts(W, b, X)
    return H.T @ gO, gZ.sum(dim=0)


def _encoder_only(W, b, X):
    Z, H, gO, gZ = _tied_parts(W, b, X)
    return gZ.T @ X, gZ.sum(dim=0)


def _no_one_over_n(W, b, X):
    Z, H, gO, gZ = _tied_parts(W, b, X)
    n = X.shape[0]
    return n * (H.T @ gO + gZ.T @ X), n * gZ.sum(dim=0)


def _tanh_prime_of_z(W, b, X):
    Z, H, gO, _ = _tied_parts(W, b, X)
    gZ = (gO @ W.T) * (1 - Z ** 2)
    return H.T @ gO + gZ.T @ X, gZ.sum(dim=0)


def _bias_mean(W, b, X):
    Z, H, gO, gZ = _tied_parts(W, b, X)
    return H.T @ gO + gZ.T @ X, gZ.mean(dim=0)


def _transposed(W, b, X):
    Z, H, gO, gZ = _tied_parts(W, b, X)
    return gO.T @ H + X.T @ gZ, gZ.sum(dim=0)


def _g_h_untransposed(W, b, X):
    Z, H, gO, _ = _tied_parts(W, b, X)
    gZ = (gO @ W) * (1 - H ** 2)              # (N×3)(2×3): the shapes do not fit
    return H.T @ gO + gZ.T @ X, gZ.sum(dim=0)


def _no_tanh_slope(W, b, X):
    Z, H, gO, _ = _tied_parts(W, b, X)
    gZ = gO @ W.T                             # G_H, passed through tanh without its slope
    return H.T @ gO + gZ.T @ X, gZ.sum(dim=0)


def _negated(W, b, X):
    return tuple(-g for g in tied_backward_autograd(W, b, X))


def _tied_inputs(gen):
    """One seeded (W, b, X): k = 2 hidden units, d = 3 features, n = 5 rows on every input."""
    W = torch.randn(2, 3, dtype=torch.float64, generator=gen) / 3 ** 0.5
    b = 0.1 * torch.randn(2, dtype=torch.float64, generator=gen)
    return W, b, torch.randn(5, 3, dtype=torch.float64, generator=gen)


_TIED_MISTAKES = (
    Mistake("only the decoder's part of ∂J/∂W", _decoder_only,
            "that is only the decoder's share Hᵀ G_O: W is used twice, so add the encoder's share G_Zᵀ X"),
    Mistake("only the encoder's part of ∂J/∂W", _encoder_only,
            "that is only the encoder's share G_Zᵀ X: W is used twice, so add the decoder's share Hᵀ G_O"),
    Mistake("the 1/N left out", _no_one_over_n, "1/N into G_O"),
    Mistake("tanh′ as 1 − Z² instead of 1 − H²", _tanh_prime_of_z,
            "tanh′(Z) = 1 − tanh²(Z) = 1 − H², not 1 − Z²"),
    Mistake("∂J/∂b averaged over the rows", _bias_mean, "sums) the rows"),
    Mistake("∂J/∂W as (∂J/∂O)ᵀH + Xᵀ(∂J/∂Z): d×k, transposed", _transposed,
            "G_Oᵀ H + Xᵀ G_Z has shape d×k, the transpose of W's k×d: let the shapes put the transposes"),
    Mistake("G_H as G_O W: a transpose missing, the product fails", _g_h_untransposed, "two shapes do not fit"),
    Mistake("tanh′ left out: G_Z = G_H", _no_tanh_slope,
            "G_Z = G_H ⊙ tanh′(Z) = G_H ⊙ (1 − H²): the slope of tanh is missing"),
    Mistake("G_O as (X − O)/N: a sign", _negated, "O − X"),
)
tied_autoencoder = Exercise(
    what="tied_backward",
    reference=tied_backward_autograd,
    inputs=seeded_inputs(_tied_inputs, n=3, seed=7),
    arg_names=("W", "b", "X"),
    parts=("G_W", "G_b"),
    error_hints=((r"shapes cannot be multiplied|size mismatch|must match the size",
                  "two shapes do not fit: write each factor's shape (X is N×3, W is 2×3, G_O is N×3, G_H and G_Z "
                  "are N×2) and let them say where a transpose goes"),),
    factor_hints={5: "the mean in J puts a 1/N into G_O = ∂J/∂O: did you start from O − X without dividing by N?",
                  1 / 5: SUM_NOT_MEAN,
                  -1: "J = 1/(2N) Σ‖O − X‖² gives G_O = (O − X)/N, not (X − O)/N"},
    mistakes=_TIED_MISTAKES,
    recognised=(_TIED_MISTAKES[0], _TIED_MISTAKES[1], _TIED_MISTAKES[3], _TIED_MISTAKES[5], _TIED_MISTAKES[7]),
    success="tied_backward is right on all 3 test inputs: W's two uses (encoder and decoder) add up.",
)
