"""Argument checks shared by every helper: one place that says what was wrong and what was expected.

Each `require_*` returns the value in its plain form (an int, a float, …) or raises
TypeError (wrong kind of value) or ValueError (right kind, wrong value), e.g.

    n = require_int("n", n, min=2)              # "n must be an integer, got float"
    h = require_real("h", h, above=0, example="1e-5")
    mode = require_choice("mode", mode, ("per_sample", "batch"))
    seed = require_seed("seed", seed)           # the one seed policy: an int ≥ 0

One rule for the kind of error, in every helper: TypeError when the argument is the wrong kind
of thing (a str where a number belongs, a list where a tensor belongs), ValueError when it is
the right kind with a wrong value — out of range, or a tensor of the wrong dtype, shape or
device (a float32 tensor where float64 is needed is a wrong value, so a ValueError).

`bool` is rejected where a number is expected: True is an int to Python, but never a sensible
learning rate or step count. Only the standard library is imported here (torch lazily), so
`helpers.env_check` can use it on a broken install.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Mapping, Sequence

from helpers.i18n import N_, message, translate

__all__ = ["require_int", "require_real", "require_choice", "require_callable", "require_tensor",
           "require_float_dtype", "require_seed", "require_step", "require_point", "require_scalar_output",
           "require_same_dtype_and_device", "require_numbers", "require_text", "require_axes", "require_bool",
           "SEED_MAX"]

# The largest seed torch.Generator.manual_seed accepts (NumPy and `random` accept it too).
SEED_MAX = 2**64 - 1


def _kind(value: object) -> str:
    return type(value).__name__


def _must_be(name: str, wanted: str, example: str | None, **got) -> str:
    """ "{name} must be {wanted}, got …", with " such as {example}" when an example is given: two whole
    templates per ending, `wanted` a whole phrase translated on its own (a kind or a range)."""
    if "kind" in got:
        if example:
            return message("{name} must be {wanted} such as {example}, got {kind}", name=name, wanted=wanted,
                           example=example, **got)
        return message("{name} must be {wanted}, got {kind}", name=name, wanted=wanted, **got)
    if example:
        return message("{name} must be {wanted} such as {example}, got {value!r}", name=name, wanted=wanted,
                       example=example, **got)
    return message("{name} must be {wanted}, got {value!r}", name=name, wanted=wanted, **got)


def _num(bound: float) -> str:
    """A bound as the learner would write it: 4096 and 4294967295 in full, 1e-05 for floats."""
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


def _bounds(name: str, value: float, *, min=None, max=None, above=None, example=None) -> None:
    """ValueError unless min ≤ value ≤ max and value > above (each bound optional)."""
    ok = ((above is None or value > above) and (min is None or value >= min)
          and (max is None or value <= max))
    if not ok:
        if min is not None and max is not None:
            template = N_("between {min} and {max}")
        else:
            lower = None if above is None else "positive" if above == 0 else "above"
            template = _RANGES[(lower, min is not None, max is not None)]
        wanted = message(template, above=_num(above) if above is not None else "",
                         min=_num(min) if min is not None else "", max=_num(max) if max is not None else "")
        raise ValueError(_must_be(name, wanted, example, value=value))


# The range a bounded number must lie in, one whole phrase per combination of bounds: (lower bound
# kind, min given, max given) → phrase (min and max together: "between {min} and {max}").
_RANGES = {
    ("positive", False, False): N_("positive (> 0)"),
    ("positive", True, False): N_("positive (> 0) and ≥ {min}"),
    ("positive", False, True): N_("positive (> 0) and ≤ {max}"),
    ("above", False, False): N_("> {above}"),
    ("above", True, False): N_("> {above} and ≥ {min}"),
    ("above", False, True): N_("> {above} and ≤ {max}"),
    (None, True, False): N_("≥ {min}"),
    (None, False, True): N_("≤ {max}"),
}


def require_int(name: str, value: object, *, min: int | None = None, max: int | None = None,
                example: str | None = None, what: str = N_("an integer")) -> int:
    """`value` as an int: an integer (not a bool, not 2.0) within [min, max]. `what` names the
    expected kind in the TypeError ("an integer number of points"; mark it with `N_`: it is translated here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(_must_be(name, translate(what), example, kind=_kind(value)))
    value = int(value)
    _bounds(name, value, min=min, max=max, example=example)
    return value


def require_real(name: str, value: object, *, min: float | None = None, max: float | None = None,
                 above: float | None = None, finite: bool = True, example: str | None = None,
                 what: str = N_("a real number")) -> float:
    """`value` as a float: a real number (not a bool), finite unless finite=False (NaN never),
    with min ≤ value ≤ max and value > above where those are given. `what` names the expected
    kind in the TypeError ("a standard deviation"; mark it with `N_`: it is translated here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(_must_be(name, translate(what), example, kind=_kind(value)))
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        kind = translate("a finite number") if finite else translate("a number")
        raise ValueError(_must_be(name, kind, example, value=value))
    _bounds(name, value, min=min, max=max, above=above, example=example)
    return value


def require_choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """The option equal to `value` (of the option's own kind: True is not 1, a list or an array
    is never a choice). Not a string where the options are strings: TypeError; else ValueError."""
    for option in options:
        if isinstance(value, type(option)) and isinstance(value, bool) == isinstance(option, bool) \
                and value == option:
            return option
    listed = ", ".join(map(repr, options))
    if all(isinstance(o, str) for o in options) and not isinstance(value, str):
        raise TypeError(message("{name} must be one of {listed} (a string), got {kind}",
                                name=name, listed=listed, kind=_kind(value)))
    raise ValueError(message("{name} must be one of {listed}, got {value!r}", name=name, listed=listed, value=value))


def require_bool(name: str, value: object) -> bool:
    """`value` itself, if it is True or False (1, "yes" or a tensor are not: a flag is never guessed)."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(message("{name} must be True or False, got {kind}", name=name, kind=_kind(value)))
    return bool(value)


def require_text(name: str, value: object, *, optional: bool = True) -> str | None:
    """`value` itself, if it is a str (or None when optional): a title, a label, a name."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        if optional:
            raise TypeError(message("{name} must be a string or None, got {kind}", name=name, kind=_kind(value)))
        raise TypeError(message("{name} must be a string, got {kind}", name=name, kind=_kind(value)))
    return value


def require_axes(name: str, value: object):
    """`value` itself, if it is a matplotlib Axes (from `new_figure` or `plt.subplots`)."""
    import matplotlib.axes

    if not isinstance(value, matplotlib.axes.Axes):
        raise TypeError(message("{name} must be a matplotlib Axes, e.g. from fig, ax = new_figure(), got {kind}",
                                name=name, kind=_kind(value)))
    return value


def require_callable(name: str, value: object, what: str = N_("a function")) -> Callable:
    """`value` itself, if it can be called; `what` says what kind of function is expected (mark it
    with `N_`: it is translated here)."""
    if not callable(value):
        raise TypeError(_must_be(name, translate(what), None, kind=_kind(value)))
    return value


def require_tensor(name: str, value: object, *, floating: bool = False, ndim: int | None = None,
                   hint: str = ""):
    """`value` itself, if it is a torch.Tensor (of a floating-point dtype when floating=True, with
    `ndim` dimensions when given). `hint` is added to the dtype message, e.g. "use x.double()" (a
    whole sentence, already translated)."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(message("{name} must be a torch.Tensor, got {kind}", name=name, kind=_kind(value)))
    if floating and not value.is_floating_point():
        if hint:
            raise ValueError(message("{name} must be a floating-point tensor, got dtype {dtype}; {hint}",
                                     name=name, dtype=value.dtype, hint=hint))
        raise ValueError(message("{name} must be a floating-point tensor, got dtype {dtype}",
                                 name=name, dtype=value.dtype))
    if ndim is not None and value.ndim != ndim:
        raise ValueError(message("{name} must be a {ndim}-D tensor, got shape {shape}",
                                 name=name, ndim=ndim, shape=tuple(value.shape)))
    return value


def require_float_dtype(name: str, value: object, allowed: Sequence[Any] | None = None):
    """`value` itself, if it is a floating-point torch dtype (torch.float32, torch.float64, …),
    and one of `allowed` when that is given. Not a dtype at all: TypeError; another dtype: ValueError."""
    import torch

    if not isinstance(value, torch.dtype):
        raise TypeError(message("{name} must be a torch dtype such as torch.float64, got {kind}",
                                name=name, kind=_kind(value)))
    if not value.is_floating_point:
        raise ValueError(message("{name} must be a floating-point dtype such as torch.float32 or torch.float64, "
                                 "got {value}", name=name, value=value))
    if allowed is not None and value not in allowed:
        raise ValueError(message("{name} must be one of {allowed}, got {value}",
                                 name=name, allowed=", ".join(map(str, allowed)), value=value))
    return value


def require_seed(name: str, value: object) -> int:
    """The one seed policy of every helper: an int from 0 to SEED_MAX (bool and float refused:
    int(1.5) would quietly pick seed 1, and a seed is an identity, not a quantity)."""
    return require_int(name, value, min=0, max=SEED_MAX, example="0", what=N_("an integer ≥ 0"))


def require_step(name: str, value: object) -> float:
    """A finite-difference step: a finite real number > 0."""
    return require_real(name, value, above=0, example="1e-5")


def require_point(name: str, value: object) -> float:
    """A finite real number given by the learner: a Python number or a one-element
    floating-point tensor (an integer tensor is refused: write 2.0 rather than 2)."""
    import torch

    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            raise ValueError(message("{name} must be a float or a floating-point tensor, got a tensor of dtype {dtype}; "
                                     "write it as a float, e.g. 2.0 rather than 2", name=name, dtype=value.dtype))
        if value.numel() != 1:
            raise ValueError(message("{name} must be one number, got a tensor of shape {shape}",
                                     name=name, shape=tuple(value.shape)))
        value = value.item()
    return require_real(name, value)


def require_scalar_output(name: str, value: object) -> float:
    """The float of what a function `name` returned: a real number or a one-element tensor
    (±inf allowed, NaN refused), or a clear error for anything that is not one number."""
    import torch

    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(message("{name} must return a scalar, got a tensor of shape {shape}",
                                     name=name, shape=tuple(value.shape)))
        if value.is_complex():
            raise ValueError(message("{name} must return a real number, got a complex tensor", name=name))
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(message("{name} must return a scalar (a float or a one-element tensor), got {kind}",
                                 name=name, kind=_kind(value)))
    value = float(value)
    if math.isnan(value):
        raise ValueError(message("{name} returned NaN (not a number)", name=name))
    return value


def require_same_dtype_and_device(tensors: Mapping[str, Any]):
    """The tensors' common (dtype, device): that of the first, which sets the standard (put the
    parameters first); ValueError naming the first tensor that differs from it. Mixing float32
    with float64, or a CPU tensor with a GPU one, is an error in torch too, but torch's message
    names neither argument."""
    items = list(tensors.items())
    first_name, first = items[0]
    for name, t in items[1:]:
        if t.dtype != first.dtype or t.device != first.device:
            raise ValueError(message(
                "{name} is {dtype} on {device} but {first_name} is {first_dtype} on {first_device}: "
                "give every tensor the same dtype and device, e.g. {name}.to({first_name}.device, "
                "{first_name}.dtype)", name=name, dtype=t.dtype, device=t.device, first_name=first_name,
                first_dtype=first.dtype, first_device=first.device))
    return first.dtype, first.device


REQUIRES_GRAD = N_("{where} is a tensor that requires grad: give plain numbers instead. In a training loop, "
                 "store loss.item() rather than loss: keeping the tensor also keeps its step's whole autograd "
                 "graph in memory")


def require_numbers(name: str, values: object, *, ndim: int | None = 1):
    """`values` as a float64 NumPy array with `ndim` dimensions (any when None), non-empty: a list or
    tuple of numbers or of one-element tensors, a NumPy array or a tensor (on any device). NaN and
    ±inf are kept: a diverging run is data.

    A tensor that requires grad is refused with a pointer to `.item()` rather than detached
    quietly: `losses.append(loss)` is the classic mistake that keeps every step's graph alive, and
    the plot is where the learner can first be told."""
    import numpy as np
    import torch

    if isinstance(values, torch.Tensor):
        if values.requires_grad:
            raise ValueError(message(REQUIRES_GRAD, where=name))
        if values.is_complex():
            raise ValueError(message("{name} must hold real numbers, got a complex tensor", name=name))
        arr = values.detach().cpu().double().numpy()
    elif isinstance(values, np.ndarray) and values.dtype != object:
        if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool) or np.iscomplexobj(values):
            raise ValueError(message("{name} must hold real numbers, got an array of dtype {dtype}",
                                     name=name, dtype=values.dtype))
        arr = values.astype(np.float64)
    else:
        if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
            raise TypeError(message("{name} must be a sequence of numbers such as [0.5, 0.25], got {kind}",
                                    name=name, kind=_kind(values)))
        arr = np.array([_one_number(f"{name}[{i}]", v) for i, v in enumerate(values)], dtype=np.float64)
    if (ndim is not None and arr.ndim != ndim) or arr.size == 0:
        if ndim == 1:
            raise ValueError(message("{name} must be a non-empty sequence of numbers, got shape {shape}",
                                     name=name, shape=arr.shape))
        raise ValueError(message("{name} must be a non-empty array of numbers, got shape {shape}",
                                 name=name, shape=arr.shape))
    return arr


def _one_number(where: str, value: object) -> float:
    import torch

    if isinstance(value, torch.Tensor):
        if value.requires_grad:
            raise ValueError(message(REQUIRES_GRAD, where=where))
        if value.numel() != 1 or value.is_complex():
            raise ValueError(message("{where} must be one real number, got a tensor of shape {shape}",
                                     where=where, shape=tuple(value.shape)))
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message("{where} must be a number, got {kind}", where=where, kind=_kind(value)))
    return float(value)
