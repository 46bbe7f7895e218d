"""The notebook kernel the lessons run in: whether we are in one, and the one thing `import
helpers` does to it (freezing the objects that exist once the lesson's imports have run)."""
from __future__ import annotations

import gc
import sys


def _shell():
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def in_kernel() -> bool:
    """True inside a Jupyter kernel (IPython with a kernel attached); False in a script, a
    test, a plain IPython terminal."""
    return getattr(_shell(), "kernel", None) is not None


def freeze_after_this_cell() -> bool:
    """In a kernel, move every object that exists when the current cell ends (the lesson's import
    cell: about 220 000 objects once torch, matplotlib and ipywidgets are imported, 260 000 with
    sympy, which live as long as the kernel) out of the garbage collector's sight; returns whether
    it will.

    Without this, every full collection re-scans them all (about 0.17 s on a 2-core machine):
    drawing figures or building autograd graphs set off several per lesson, and the kernel's exit
    re-scans them once more. Objects made later are collected as usual. (`gc.freeze`: "ignore
    them in all the future collections".) It waits for the end of the cell, not the import of
    helpers, because a lesson may import torch after helpers. Outside a kernel nothing changes:
    a test run or a script keeps Python's usual collector.
    """
    shell = _shell()
    if getattr(shell, "kernel", None) is None:
        return False

    def freeze(*_result) -> None:
        gc.freeze()
        shell.events.unregister("post_run_cell", freeze)

    shell.events.register("post_run_cell", freeze)
    return True
