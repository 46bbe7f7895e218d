"""The notebook kernel the lessons run in: whether we are in one, and the one thing `import
helpers` does to it (freezing the objects that exist after the imports)."""
from __future__ import annotations

import gc
import sys


def in_kernel() -> bool:
    """True inside a Jupyter kernel (IPython with a kernel attached); False in a script, a
    test, a plain IPython terminal."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def freeze_imported_objects() -> bool:
    """In a kernel, move every object that exists now out of the garbage collector's sight;
    returns whether it did.

    After a lesson's imports those are some 250 000 objects (torch's, matplotlib's, …) that live
    as long as the kernel. Without this, every full collection re-scans them all, about 0.2 s on
    a 2-core machine, and drawing figures or building autograd graphs sets off several per
    lesson. Objects made later are collected as usual. (`gc.freeze`: "ignore them in all the
    future collections".) Outside a kernel nothing changes: a test run or a script keeps
    Python's usual collector.
    """
    if not in_kernel():
        return False
    gc.freeze()
    return True
