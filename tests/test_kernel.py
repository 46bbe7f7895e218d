"""helpers.kernel: the garbage-collector freeze happens in a notebook kernel and nowhere else."""
import gc
import sys
import types

import pytest

from helpers import kernel


@pytest.fixture
def fake_shell(monkeypatch):
    """Make IPython's get_ipython() return a shell, with or without a kernel attached."""
    import IPython

    def install(with_kernel: bool):
        shell = types.SimpleNamespace(**({"kernel": object()} if with_kernel else {}))
        monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    return install


def test_outside_a_kernel_nothing_is_frozen():
    before = gc.get_freeze_count()
    assert kernel.in_kernel() is False
    assert kernel.freeze_imported_objects() is False
    assert gc.get_freeze_count() == before


def test_a_plain_ipython_shell_is_not_a_kernel(fake_shell):
    fake_shell(with_kernel=False)
    assert kernel.in_kernel() is False and kernel.freeze_imported_objects() is False


def test_in_a_kernel_every_existing_object_is_frozen(fake_shell):
    fake_shell(with_kernel=True)
    assert "IPython" in sys.modules and kernel.in_kernel() is True
    try:
        assert kernel.freeze_imported_objects() is True
        assert gc.get_freeze_count() > 10_000  # pytest, numpy, IPython, … are all frozen
        kept = []
        kept.append(kept)                       # a new cycle is still collected
        del kept
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
