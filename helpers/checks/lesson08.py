"""Lesson 08's exercises (softmax + cross-entropy, a gather's backward, depth) and their common mistakes.

tests/test_factor_hints.py feeds every declared mistake to its check; the two checks with their
own `evaluate` (the softmax, which recognises mistakes by their NaNs too, and the gain, which
accepts a range) are tested for their near misses in tests/test_checks_lesson08.py.

- Your turn 1 (∂J/∂O of the batch mean): every input has N = 8 samples and K = 3 classes, so a
  forgotten /N is the factor 8 and a /K instead of /N the factor 8/3 on every input; input 2
  has no sample of class 2, so `F.one_hot(y)` without K makes a matrix one column short.
- Your turn 2 (a softmax that overflows): square 5×5 inputs, so a maximum taken without
  `keepdim` broadcasts without an error and is silently wrong; small logits first (where even
  the textbook formula is right), then logits near +1000 (e^z overflows), near −1000 (every
  e^z underflows to 0, so 0/0), and rows near +1000 mixed with rows near −1000, where one
  maximum for the whole batch leaves the low rows at 0/0; last, logits spread over ±1000 within
  each row (a confident classifier), where even the row's minimum is no safe shift.
- Your turn 3 (an embedding's backward): every index list repeats some rows and leaves one
  row of the table unused, so an assignment that keeps one lookup per row is caught.
- Your turn 4 (a gain for 50 tanh layers): any gain that keeps ‖G_Z1‖/‖G_Z50‖ within 2× passes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from helpers.depth import gradient_profile, ratio_text
from helpers.exercises import Exercise, Feedback, Mistake, failed, passed
from helpers.i18n import translate
from helpers.validation import require_real

# ---------------------------------------------------------------- Your turn 1: ∂J/∂O for a batch
N_BATCH, N_CLASSES = 8, 3


def _batch(g: torch.Generator, labels: int = N_CLASSES) -> tuple[torch.Tensor, torch.Tensor]:
    O = 2 * torch.randn(N_BATCH, N_CLASSES, dtype=torch.float64, generator=g)
    y = torch.randint(0, labels, (N_BATCH,), generator=g)
    return O, y


_gen1 = torch.Generator().manual_seed(7)
CE_INPUTS = [_batch(_gen1), _batch(_gen1, labels=2), _batch(_gen1)]  # input 2: no sample of class 2


def autograd_ce_grad(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂J/∂O of J = F.cross_entropy(O, y) (the batch mean), from autograd."""
    O = O.detach().clone().requires_grad_()
    (grad,) = torch.autograd.grad(F.cross_entropy(O, y), O)
    return grad


def _onehot(y, O):
    return F.one_hot(y, O.shape[1]).to(O.dtype)


DIVIDE_BY_N = "J is the MEAN of the N losses, so every row of ∂J/∂O carries a 1/N: divide by N = O.shape[0]"
N_NOT_K = "the mean runs over the N samples (the rows), not the K classes: divide by N = O.shape[0], not O.shape[1]"
PROBABILITIES_MINUS_TARGETS = "it is softmax(O) − onehot(y): the probabilities minus the targets"
SUBTRACT_ONEHOT = ("the gradient is softmax(O) − onehot(y): subtract 1 at each sample's true class, "
                   "F.one_hot(y, K) has those 1s")
ROWS = "softmax runs over each sample's K logits, the row: torch.softmax(O, dim=1), not dim=0 (over the batch)"
PER_SAMPLE_NOT_ENTRY = ("J is the mean over the N samples, one loss per row: divide by N = O.shape[0], not by the "
                        "number of entries N·K (O.numel())")
SOFTMAX_DIM = "torch.softmax needs to know which axis to normalise: dim=1, each sample's row"
ONE_HOT_K = ("F.one_hot(y) guesses K from the largest label in y, which is too small when a batch has no "
             "sample of the last class: pass K, F.one_hot(y, O.shape[1])")

_no_onehot = Mistake("softmax only, no − onehot", lambda O, y: torch.softmax(O, 1) / O.shape[0], SUBTRACT_ONEHOT)
_over_batch = Mistake("softmax over the batch (dim 0)",
                      lambda O, y: (torch.softmax(O, 0) - _onehot(y, O)) / O.shape[0], ROWS)
_over_all = Mistake("softmax over the whole batch (one sum of every e^o)",
                    lambda O, y: (torch.exp(O) / torch.exp(O).sum() - _onehot(y, O)) / O.shape[0], ROWS)
ce_grad = Exercise(
    what="softmax_ce_grad",
    reference=autograd_ce_grad,
    inputs=CE_INPUTS,
    arg_names=("O", "y"),
    factor_hints={float(N_BATCH): DIVIDE_BY_N, N_BATCH / N_CLASSES: N_NOT_K, 1 / N_CLASSES: PER_SAMPLE_NOT_ENTRY,
                  -1: PROBABILITIES_MINUS_TARGETS},
    error_hints=((r"size of tensor a \(\d+\) must match the size of tensor b \(\d+\)", ONE_HOT_K),
                 (r"softmax\(\) missing 1 required positional argument", SOFTMAX_DIM)),
    mistakes=(
        Mistake("forgot /N", lambda O, y: torch.softmax(O, 1) - _onehot(y, O), DIVIDE_BY_N),
        Mistake("divided by the number of classes K",
                lambda O, y: (torch.softmax(O, 1) - _onehot(y, O)) / O.shape[1], N_NOT_K),
        Mistake("onehot − softmax", lambda O, y: (_onehot(y, O) - torch.softmax(O, 1)) / O.shape[0],
                PROBABILITIES_MINUS_TARGETS),
        _no_onehot,
        _over_batch,
        Mistake("F.one_hot(y) without K", lambda O, y: (torch.softmax(O, 1) - F.one_hot(y)) / O.shape[0], ONE_HOT_K),
        Mistake("divided by the number of entries N·K", lambda O, y: (torch.softmax(O, 1) - _onehot(y, O)) / O.numel(),
                PER_SAMPLE_NOT_ENTRY),
        Mistake("torch.softmax without dim", lambda O, y: (torch.softmax(O) - _onehot(y, O)) / O.shape[0], SOFTMAX_DIM),
        _over_all,
    ),
    recognised=(_no_onehot, _over_batch, _over_all),
)

# ---------------------------------------------------------------- Your turn 2: a softmax that overflows
SIZE = 5  # square inputs: O − O.max(dim=1).values then broadcasts without an error


def _logits(g: torch.Generator, scale: float, shift) -> tuple[torch.Tensor]:
    return (scale * torch.randn(SIZE, SIZE, dtype=torch.float64, generator=g) + shift,)


_gen2 = torch.Generator().manual_seed(11)
_MIXED = torch.tensor([[1000.0], [-1000.0], [1000.0], [-1000.0], [0.0]], dtype=torch.float64)
SOFTMAX_INPUTS = [_logits(_gen2, 2.0, 0.0), _logits(_gen2, 3.0, 1000.0), _logits(_gen2, 3.0, -1000.0),
                  _logits(_gen2, 3.0, _MIXED), _logits(_gen2, 500.0, 0.0)]


def _normalise(E: torch.Tensor) -> torch.Tensor:
    return E / E.sum(dim=1, keepdim=True)


def _naive(O):
    return _normalise(torch.exp(O))


OVERFLOW = ("e^o overflows to inf for logits near 1000 (and every e^o underflows to 0 near −1000): "
            "subtract each row's maximum before torch.exp")
ROW_MAX = ("O.max() without dim is the largest logit of the whole batch: a row far below it still underflows "
           "to 0/0. Subtract each row's own maximum, O.max(dim=1, keepdim=True).values")
COLUMN_MAX = ("dim=0 takes each column's maximum, over the batch: subtract each row's own maximum, "
              "O.max(dim=1, keepdim=True).values")
KEEPDIM = ("O.max(dim=1).values has shape (N,), and O minus it subtracts row k's maximum from column k. "
           "keepdim=True keeps the maximum as an (N, 1) column, so that each row gets its own")
NORMALISE = "the probabilities of each row must sum to 1: divide by the row's sum, E / E.sum(dim=1, keepdim=True)"
VALUES = ("O.max(dim=1, keepdim=True) returns two things, the maxima and where they are: take the maxima with "
          ".values, O.max(dim=1, keepdim=True).values")
ROW_SUM = ("divide each row by its own sum, E.sum(dim=1, keepdim=True), an (N, 1) column: E.sum() adds the whole "
           "batch, E.sum(dim=0) each column, and E.sum(dim=1) without keepdim lines up with the columns")
MIN_NOT_MAX = ("subtracting the minimum leaves exponents far above 0, which still overflow: subtract the "
               "maximum, so that every exponent is ≤ 0")


def _row_max(O):
    return O.max(dim=1, keepdim=True).values


@dataclass(frozen=True)
class SoftmaxExercise(Exercise):
    """The softmax check. A mistake here often shows as NaN (0/0 after an overflow or underflow), which
    the common check reports before it compares numbers, so `recognised` mistakes are matched on
    their outputs, NaN for NaN: the learner gets the symptom and then the diagnosis."""

    def evaluate(self, answer: Any) -> Feedback:
        result = self._compare(answer, self.reference, factor_hints=self.factor_hints, success=self.success)
        if result.ok or result.raised:
            return result
        for mistake in self.recognised:
            if _same_outputs(answer, mistake.answer, self.inputs):
                return failed("{problem} Hint: {hint}.", problem=result.text,
                              hint=translate(mistake.hint).rstrip("."))
        return result


def _same_outputs(fn: Any, other: Any, inputs) -> bool:
    """Whether `fn` gives what `other` gives on every input (NaN where it gives NaN)."""
    if not callable(fn):
        return False
    for args in inputs:
        copies = tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args)
        try:
            got = fn(*copies)
        except Exception:
            return False
        want = other(*tuple(a.detach().clone() for a in args))
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return False
        finite = want[torch.isfinite(want)]
        scale = float(finite.abs().max()) if finite.numel() else 1.0
        if not torch.allclose(got.to(want.dtype), want, rtol=1e-6, atol=1e-6 * scale, equal_nan=True):
            return False
    return True


_mistakes2 = (
    Mistake("no max subtracted: e^1000 overflows to inf, inf/inf is NaN", _naive, OVERFLOW),
    Mistake("one maximum for the whole batch (O.max() without dim)", lambda O: _naive(O - O.max()), ROW_MAX),
    Mistake("each column's maximum (dim=0)", lambda O: _naive(O - O.max(dim=0, keepdim=True).values), COLUMN_MAX),
    Mistake("the row maximum without keepdim", lambda O: _naive(O - O.max(dim=1).values), KEEPDIM),
    Mistake("the min subtracted instead of the max", lambda O: _naive(O - O.min(dim=1, keepdim=True).values),
            MIN_NOT_MAX),
    Mistake("max subtracted but not normalised", lambda O: torch.exp(O - _row_max(O)), NORMALISE),
    Mistake("divided by the sum of the whole batch", lambda O: torch.exp(O - _row_max(O)) / torch.exp(O - _row_max(O)).sum(),
            ROW_SUM),
    Mistake("divided by each column's sum", lambda O: (lambda E: E / E.sum(dim=0, keepdim=True))(torch.exp(O - _row_max(O))),
            ROW_SUM),
    Mistake("the row sum without keepdim", lambda O: (lambda E: E / E.sum(dim=1))(torch.exp(O - _row_max(O))), ROW_SUM),
)
_forgot_values = Mistake("the max's result without .values", lambda O: _naive(O - O.max(dim=1, keepdim=True)), VALUES)
stable_softmax = SoftmaxExercise(
    what="my_softmax",
    reference=lambda O: torch.softmax(O, dim=1),
    inputs=SOFTMAX_INPUTS,
    arg_names=("O",),
    mistakes=(*_mistakes2, _forgot_values),
    recognised=_mistakes2,
    error_hints=((r"unsupported operand type\(s\) for -: 'Tensor' and 'torch.return_types.max'", VALUES),),
)

# ---------------------------------------------------------------- Your turn 3: an embedding's backward
def _lookups(g: torch.Generator, V: int, n: int = 8, d: int = 3) -> tuple[torch.Tensor, torch.Tensor, int]:
    """G_E (n × d) and n > V indices into a table of V rows: some row repeats, and one row is unused."""
    while True:
        idx = torch.randint(0, V, (n,), generator=g)
        if idx.unique().numel() < V:
            return torch.randn(n, d, dtype=torch.float64, generator=g), idx, V


_gen3 = torch.Generator().manual_seed(5)
EMBEDDING_INPUTS = [_lookups(_gen3, 5), _lookups(_gen3, 6), _lookups(_gen3, 7)]


def autograd_embedding_grad(G_E: torch.Tensor, idx: torch.Tensor, V: int) -> torch.Tensor:
    """∂J/∂C for E = C[idx], when ∂J/∂E = G_E: autograd through the lookup."""
    C = torch.zeros(V, G_E.shape[1], dtype=G_E.dtype, requires_grad=True)
    (C[idx] * G_E).sum().backward()
    return C.grad


def _overwrite(G_E, idx, V):
    G_C = torch.zeros(V, G_E.shape[1], dtype=G_E.dtype)
    G_C[idx] = G_E
    return G_C


def _indexed_add(G_E, idx, V):
    G_C = torch.zeros(V, G_E.shape[1], dtype=G_E.dtype)
    G_C[idx] += G_E  # with repeated indices only one of the additions survives
    return G_C


def _mean_of_uses(G_E, idx, V):
    G_C = autograd_embedding_grad(G_E, idx, V)
    counts = torch.bincount(idx, minlength=V).clamp(min=1).to(G_E.dtype)
    return G_C / counts[:, None]


REPEATS = ("a row looked up several times must get the SUM of their gradients. G_C[idx] = G_E, and also "
           "G_C[idx] += G_E, keep only one of them when idx repeats a row: add row by row in a loop, "
           "or use G_C.index_add_(0, idx, G_E)")
TABLE_SHAPE = "∂J/∂C has the shape of the table C, (V, d): one row per row of the table, not one per lookup"
ONLY_USED_ROWS = ("only the rows that were looked up get a gradient, each the sum of the rows of G_E that "
                  "came from it; the other rows get 0")
ROW_OF_TABLE = ("G_C has V rows, one per row of the table: row n of G_E goes into row idx[n] of G_C, "
                "G_C[idx[n]] += G_E[n]")
SUM_NOT_MEAN = "each lookup is a separate use of the row, and uses add up (lesson 03's +=): a sum, not a mean"

_mistakes3 = (
    Mistake("assignment: G_C[idx] = G_E", _overwrite, REPEATS),
    Mistake("indexed +=: G_C[idx] += G_E", _indexed_add, REPEATS),
    Mistake("returned G_E itself", lambda G_E, idx, V: G_E.clone(), TABLE_SHAPE),
    Mistake("the summed gradient on every row",
            lambda G_E, idx, V: G_E.sum(dim=0, keepdim=True).expand(V, -1).clone(), ONLY_USED_ROWS),
    Mistake("the mean of each row's uses", _mean_of_uses, SUM_NOT_MEAN),
)
def _swapped(G_E, idx, V):
    G_C = torch.zeros(V, G_E.shape[1], dtype=G_E.dtype)
    for n in range(len(idx)):
        G_C[n] += G_E[idx[n]]  # the indices swapped: row n gets the row that idx[n] names
    return G_C


embedding_grad = Exercise(
    what="embedding_backward",
    reference=autograd_embedding_grad,
    inputs=EMBEDDING_INPUTS,
    arg_names=("G_E", "idx", "V"),
    mistakes=(*_mistakes3, Mistake("the indices swapped: G_C[n] += G_E[idx[n]]", _swapped, ROW_OF_TABLE)),
    error_hints=((r"IndexError: index \d+ is out of bounds for dimension 0 with size \d+", ROW_OF_TABLE),),
    recognised=_mistakes3,
)

# ---------------------------------------------------------------- Your turn 4: a gain for 50 tanh layers
DEPTH, ACTIVATION = 50, "tanh"
LOW, HIGH = 0.5, 2.0  # ‖G_Z1‖/‖G_Z50‖ must lie in [LOW, HIGH]: within 2×
TORCH_TANH_GAIN = 5 / 3  # torch.nn.init.calculate_gain("tanh")


@dataclass(frozen=True)
class GainExercise(Exercise):
    """A gain is right when the 50-layer tanh stack keeps ‖G_Z1‖/‖G_Z50‖ within 2×: any gain in a
    range passes, so the check runs `helpers.depth.gradient_profile` instead of comparing with one
    number (and tests/test_checks_lesson08.py tests its near misses)."""

    def evaluate(self, answer: Any) -> Feedback:
        what = translate(self.what)
        if answer is None or answer is Ellipsis:
            return failed("{what} is still the placeholder ({answer!r}): put a number there, then run the cell again.",
                          what=what, answer=answer)
        try:
            gain = require_real(self.what, answer, above=0)
        except (TypeError, ValueError):
            return failed("{what} should be a positive number (the weights' standard deviation is {what}/√d), "
                          "got {answer!r}.", what=what, answer=answer)
        p = gradient_profile(DEPTH, ACTIVATION, gain)
        values = dict(what=what, gain=gain, ratio=ratio_text(p.ratio), depth=DEPTH)
        if LOW <= p.ratio <= HIGH:
            return passed("{what} = {gain:g} keeps the gradient within 2× across {depth} tanh layers (layer 1 gets "
                          "{ratio} × the gradient of layer {depth}).", **values)
        if math.isclose(gain, TORCH_TANH_GAIN, rel_tol=1e-3):
            return failed("with {what} = {gain:g}, layer 1 gets {ratio} × the gradient of layer {depth}. 5/3 is "
                          "PyTorch's recommended gain for tanh (torch.nn.init.calculate_gain): it keeps the forward "
                          "pass's spread near 0.65, but for the gradient it is too large. Try a smaller gain.", **values)
        if p.ratio < LOW:
            return failed("with {what} = {gain:g}, layer 1 gets {ratio} × the gradient of layer {depth}, less than "
                          "1/2: the layers still shrink the gradient a little. Try a slightly larger gain.", **values)
        return failed("with {what} = {gain:g}, layer 1 gets {ratio} × the gradient of layer {depth}, more than 2: "
                      "the layers grow the gradient. Try a smaller gain.", **values)


tanh_gain = GainExercise(
    what="gain",
    reference=1.12,
    mistakes=(
        Mistake("Xavier (1), healthy within 10× but not within 2×", 1.0, "slightly larger gain"),
        Mistake("Kaiming (√2)", math.sqrt(2), "smaller gain"),
        Mistake("PyTorch's tanh gain 5/3", TORCH_TANH_GAIN, "for the gradient it is too large"),
        Mistake("too large (2)", 2.0, "smaller gain"),
        Mistake("a scheme's name instead of its gain", "Xavier", "positive number"),
        Mistake("zero", 0.0, "positive number"),
        Mistake("negative", -1.12, "positive number"),
    ),
)
