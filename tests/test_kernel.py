"""helpers.kernel: the garbage-collector freeze happens in a notebook kernel, at the end of the
cell that imported helpers, once; and nowhere else."""
import gc
import types

import pytest
from IPython.core.events import EventManager, available_events

from helpers import kernel


@pytest.fixture
def fake_shell(monkeypatch):
    """Make IPython's get_ipython() return a shell, with or without a kernel attached."""
    import IPython

    def install(with_kernel: bool):
        shell = types.SimpleNamespace(**({"kernel": object()} if with_kernel else {}))
        shell.events = EventManager(shell, available_events)
        monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
        return shell
    return install


def test_outside_a_kernel_nothing_is_frozen():
    before = gc.get_freeze_count()
    assert kernel.in_kernel() is False
    assert kernel.freeze_after_this_cell() is False
    assert gc.get_freeze_count() == before


def test_a_plain_ipython_shell_is_not_a_kernel(fake_shell):
    shell = fake_shell(with_kernel=False)
    assert kernel.in_kernel() is False and kernel.freeze_after_this_cell() is False
    assert shell.events.callbacks["post_run_cell"] == []


def test_in_a_kernel_the_objects_are_frozen_when_the_cell_ends_and_only_then(fake_shell):
    shell = fake_shell(with_kernel=True)
    assert kernel.in_kernel() is True
    before = gc.get_freeze_count()
    try:
        assert kernel.freeze_after_this_cell() is True
        assert gc.get_freeze_count() == before          # not yet: the cell may still import torch
        made_in_the_cell = [object() for _ in range(1000)]
        shell.events.trigger("post_run_cell", None)      # the cell ends
        frozen = gc.get_freeze_count()
        assert frozen > 10_000                           # pytest, numpy, IPython, … are all frozen
        assert shell.events.callbacks["post_run_cell"] == []  # once: later cells change nothing
        kept = []
        kept.append(kept)                                # a cycle made later is still collected
        del kept
        assert gc.collect() >= 1
        del made_in_the_cell
    finally:
        gc.unfreeze()


def test_importing_helpers_changes_nothing_outside_it():
    """`import helpers` (and its modules) leaves matplotlib's settings, IPython's figure display
    and the garbage collector alone; `helpers.start_lesson()`, the visible call in each lesson's
    first cell, is what sets them. Run in a fresh interpreter, as a kernel would be."""
    import subprocess
    import sys
    from pathlib import Path

    script = """
import gc
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.kernel = object()                      # looks like a notebook kernel
import matplotlib_inline.backend_inline      # registers the inline figure display, as in a kernel
before = dict(matplotlib.rcParams)
from matplotlib.figure import Figure
png = shell.display_formatter.formatters["image/png"]
show = png.lookup_by_type(Figure)
import helpers, helpers.plotting, helpers.exercises, helpers.gradients, helpers.widgets.slope
print(dict(matplotlib.rcParams) == before, png.lookup_by_type(Figure) is show,
      len(shell.events.callbacks["post_run_cell"]))
helpers.start_lesson()
print(matplotlib.rcParams["axes.grid"], png.lookup_by_type(Figure) is show,
      len(shell.events.callbacks["post_run_cell"]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=str(Path(kernel.__file__).resolve().parent.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["True True 0", "True False 2"], out.stdout  # freeze + re-wrap hooks
