"""What the autograd pitfalls clinic (lesson 05) shows in one line: a warning, or where a NaN came from.

PyTorch reports two things a learner needs to read, and buries both. A warning is printed with
the file path of the line that triggered it, and by default only once per line, so running a
cell again shows nothing. Under `torch.autograd.detect_anomaly`, a backward node that returns NaN
raises an error naming the node, and a warning carries the traceback of the forward call that
created it: some forty lines of the notebook kernel's own machinery before the one line that
matters. These helpers catch both and keep what the lesson discusses::

    with brief_warnings():
        print(e.grad)                  # None
    # UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed.

    origin = nan_origin(lambda: distance(p, q).backward())
    origin.node, origin.code           # 'MulBackward0', 's = (d * d).sum()'
"""
from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator

import torch

from helpers.i18n import N_, message
from helpers.validation import require_callable, require_int

__all__ = ["brief_warnings", "first_sentences", "NanOrigin", "nan_origin"]

_TRIGGERED = re.compile(r"\s*\(Triggered internally at [^)]*\)\s*$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_NAN_NODE = re.compile(r"Function '(\w+)' returned nan values")
_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+), in (\S+)\n(?:[ \t]+(\S.*)\n?)?', re.M)


def first_sentences(text: str, sentences: int = 1) -> str:
    """The first `sentences` sentences of a message, without PyTorch's "(Triggered internally at
    <a C++ file>)" tail: the part a learner reads, free of machine paths."""
    if not isinstance(text, str):
        raise TypeError(message("text must be a str, got {kind}", kind=type(text).__name__))
    sentences = require_int("sentences", sentences, min=1)
    text = _TRIGGERED.sub("", text).strip()
    return " ".join(_SENTENCE_END.split(text)[:sentences])


@contextlib.contextmanager
def brief_warnings(sentences: int = 1) -> Iterator[list[str]]:
    """Catch every warning raised inside the block (each time, not once per line) and, when the
    block ends, print each as one line, ``UserWarning: <its first sentences>``.

    Yields the list those lines are collected in, filled when the block ends. Without it a
    notebook shows the warning with a file path, and only on the cell's first run.
    """
    sentences = require_int("sentences", sentences, min=1)
    lines: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield lines
        finally:
            lines.extend(f"{w.category.__name__}: {first_sentences(str(w.message), sentences)}" for w in caught)
    for line in lines:
        print(line)


@dataclass(frozen=True)
class NanOrigin:
    """Where anomaly detection found the first NaN of a backward pass.

    `node` is the backward node that returned NaN (``MulBackward0``); `function` and `code` are the
    function and the source line of the forward pass that created that node (``distance``,
    ``s = (d * d).sum()``); `code` is empty when the source is not available.
    """

    node: str
    function: str
    code: str


def nan_origin(run: Callable[[], object]) -> NanOrigin | None:
    """Call `run` (a forward pass and its ``backward()``) under `torch.autograd.detect_anomaly`
    and return where the first NaN of the backward pass was made, or None when none appeared.

    The forward pass must happen inside `run`: anomaly detection records, for every operation,
    the traceback of the forward call, and names that call when the operation's backward node
    returns NaN. Any other error of `run` is raised unchanged.
    """
    run = require_callable("run", run, N_("a function that runs a forward pass and calls backward()"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with torch.autograd.detect_anomaly():
                run()
        except RuntimeError as exc:
            found = _NAN_NODE.search(str(exc))
            if not found:
                raise
            node = found.group(1)
        else:
            return None
    trace = next((str(w.message) for w in caught if f"Error detected in {node}" in str(w.message)), "")
    frames = [m for m in _FRAME.finditer(trace) if not _inside_a_library(m.group(1))]
    if not frames:
        return NanOrigin(node, "", "")
    last = frames[-1]
    return NanOrigin(node, last.group(3), (last.group(4) or "").strip())


def _inside_a_library(path: str) -> bool:
    """True for a frame of an installed package or of Python itself (not the learner's code)."""
    return path.startswith("<frozen") or bool(re.search(r"[\\/](site-packages|dist-packages|lib[\\/]python\d)", path))
