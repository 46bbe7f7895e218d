"""Helpers for Backprop Step by Step: the logic behind the lessons, unit-tested.

Lessons import what they need from the submodules (`helpers.gradients`, `helpers.plotting`,
…); this package root only offers `show_source` and the device the lessons use.
"""
from __future__ import annotations

import inspect

__all__ = ["show_source", "default_device"]

try:  # matplotlib may be missing on a broken install; env_check must still run and say so
    from helpers.plotting import use_house_style
except ImportError:
    pass
else:
    use_house_style()

from helpers.kernel import freeze_after_this_cell  # noqa: E402

freeze_after_this_cell()


def show_source(obj) -> None:
    """Print the source of a helper, so a lesson can show the code it calls."""
    try:
        source = inspect.getsource(obj)
    except TypeError:
        raise TypeError(f"show_source needs a function, class or module, got {type(obj).__name__}") from None
    except OSError as exc:
        raise ValueError(f"the source of {obj!r} is not available ({exc})") from None
    print(source.rstrip())


def default_device() -> str:
    """'cuda' when a CUDA GPU is usable, else 'cpu'. MPS is reported by lesson 00 but not used:
    it lacks float64, which the gradient checks need."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
