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
