"""Argument checks shared by every helper: one place that says what was wrong and what was expected.

Each `require_*` returns the value in its plain form (an int, a float, …) or raises
TypeError (wrong kind of value) or ValueError (right kind, wrong value), e.g.

    n = require_int("n", n, min=2)              # "n must be an integer, got float"
    h = require_real("h", h, above=0, example="1e-5")
    mode = require_choice("mode", mode, ("per_sample", "batch"))

`bool` is rejected where a number is expected: True is an int to Python, but never a sensible
learning rate or step count. Only the standard library is imported here (torch lazily), so
`helpers.env_check` can use it on a broken install.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

__all__ = ["require_int", "require_real", "require_choice", "require_callable", "require_tensor",
           "require_float_dtype"]


def _kind(value: object) -> str:
    return type(value).__name__


def _suffix(example: str | None) -> str:
    return f" such as {example}" if example else ""


def _num(bound: float) -> str:
    """A bound as the learner would write it: 4096 and 4294967295 in full, 1e-05 for floats."""
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


def _bounds(name: str, value: float, *, min=None, max=None, above=None, example=None) -> None:
    """ValueError unless min ≤ value ≤ max and value > above (each bound optional)."""
    parts = []
    if above is not None:
        parts.append("positive (> 0)" if above == 0 else f"> {_num(above)}")
    if min is not None:
        parts.append(f"≥ {_num(min)}")
    if max is not None:
        parts.append(f"≤ {_num(max)}")
    ok = ((above is None or value > above) and (min is None or value >= min)
          and (max is None or value <= max))
    if not ok:
        wanted = f"between {_num(min)} and {_num(max)}" if min is not None and max is not None else " and ".join(parts)
        raise ValueError(f"{name} must be {wanted}{_suffix(example)}, got {value!r}")


def require_int(name: str, value: object, *, min: int | None = None, max: int | None = None,
                example: str | None = None, what: str = "an integer") -> int:
    """`value` as an int: an integer (not a bool, not 2.0) within [min, max]. `what` names the
    expected kind in the TypeError ("an integer number of points")."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}{_suffix(example)}, got {_kind(value)}")
    value = int(value)
    _bounds(name, value, min=min, max=max, example=example)
    return value


def require_real(name: str, value: object, *, min: float | None = None, max: float | None = None,
                 above: float | None = None, finite: bool = True, example: str | None = None,
                 what: str = "a real number") -> float:
    """`value` as a float: a real number (not a bool), finite unless finite=False (NaN never),
    with min ≤ value ≤ max and value > above where those are given. `what` names the expected
    kind in the TypeError ("a standard deviation")."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}{_suffix(example)}, got {_kind(value)}")
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        kind = "a finite number" if finite else "a number"
        raise ValueError(f"{name} must be {kind}{_suffix(example)}, got {value!r}")
    _bounds(name, value, min=min, max=max, above=above, example=example)
    return value


def require_choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """`value` itself, if it is one of `options`."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def require_callable(name: str, value: object, what: str = "a function") -> Callable:
    """`value` itself, if it can be called; `what` says what kind of function is expected."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {_kind(value)}")
    return value


def require_tensor(name: str, value: object, *, floating: bool = False, hint: str = ""):
    """`value` itself, if it is a torch.Tensor (of a floating-point dtype when floating=True).
    `hint` is added to the dtype message, e.g. "use x.double()"."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {_kind(value)}")
    if floating and not value.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {value.dtype}"
                         + (f"; {hint}" if hint else ""))
    return value


def require_float_dtype(name: str, value: object):
    """`value` itself, if it is a floating-point torch dtype (torch.float32, torch.float64, …)."""
    import torch

    if not isinstance(value, torch.dtype):
        raise TypeError(f"{name} must be a torch dtype such as torch.float64, got {_kind(value)}")
    if not value.is_floating_point:
        raise ValueError(f"{name} must be a floating-point dtype such as torch.float32 or torch.float64, "
                         f"got {value}")
    return value
