"""Helpers for Backprop Step by Step: the logic behind the lessons, unit-tested.

Lessons import what they need from the submodules (`helpers.gradients`, `helpers.plotting`,
…). Importing them changes nothing outside them. The kernel-wide settings every lesson relies
on are one visible call in each lesson's first cell, `helpers.start_lesson()` (as d2l's
`use_svg_display()`). This package root also offers `show_source` and the device the lessons use.
"""
from __future__ import annotations

import inspect

__all__ = ["start_lesson", "show_source", "default_device"]


def start_lesson() -> None:
    """Set up this notebook's kernel for a lesson; call it once, at the end of the first cell.

    1. Figures in the course's house style (`helpers.plotting.STYLE`: size, colour-blind-safe
       colours, grid), and shown as drawn instead of cropped (cropping costs a second draw).
    2. In the Chinese edition, figures draw Chinese with a CJK font when one is installed.
    3. A faster kernel: when this cell ends, the objects its imports made (about 220 000 with
       torch, matplotlib and ipywidgets) are set aside from the garbage collector's re-scans
       (`gc.freeze`), which otherwise cost about 0.17 s each, several times per lesson.

    Outside a notebook kernel (a script, a test) only the style is applied. Without matplotlib
    (a broken install, which lesson 00 reports) the style is skipped.
    """
    try:
        from helpers.plotting import use_house_style
    except ImportError:
        pass
    else:
        use_house_style()
        from helpers.i18n import use_figure_fonts

        use_figure_fonts()
    from helpers.kernel import freeze_after_this_cell

    freeze_after_this_cell()


def show_source(obj) -> None:
    """Print the source of a helper, so a lesson can show the code it calls."""
    from helpers.i18n import message

    try:
        source = inspect.getsource(obj)
    except TypeError:
        raise TypeError(message("show_source needs a function, class or module, got {kind}",
                                kind=type(obj).__name__)) from None
    except OSError as exc:
        raise ValueError(message("the source of {obj!r} is not available ({error})", obj=obj, error=exc)) from None
    print(source.rstrip())


def default_device() -> str:
    """'cuda' when a CUDA GPU is usable, else 'cpu'. MPS is reported by lesson 00 but not used:
    it lacks float64, which the gradient checks need."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
