"""The output masks: what may legitimately differ between runs and machines (memory addresses,
machine paths). One source, tests/nbval_sanitize.cfg, which nbval reads itself; the rerun test
and the GPU check read it through `mask()`."""
from __future__ import annotations

import functools
import re
from pathlib import Path

SANITIZE_CFG = Path(__file__).resolve().parent.parent / "tests" / "nbval_sanitize.cfg"


@functools.lru_cache(maxsize=None)
def load_masks(path: Path = SANITIZE_CFG) -> tuple[tuple[re.Pattern, str], ...]:
    """(regex, replacement) pairs in the file's order, parsed as nbval parses them
    (nbval.plugin.get_sanitize_patterns: a `regex:` line followed by a `replace:` line)."""
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    return tuple((re.compile(regex), replacement) for regex, replacement in pairs)


def mask(text: str, path: Path = SANITIZE_CFG) -> str:
    """text with every mask applied, exactly as nbval sees it before comparing."""
    for pattern, replacement in load_masks(path):
        text = pattern.sub(replacement, text)
    return text
