"""Text in columns for a monospace font, where a Chinese character takes two columns.

`str.ljust` and format specs such as ``{name:<10}`` pad by the number of characters, so a column
holding Chinese (a translated header, a verdict) ends up to twice as wide as counted and every
column after it shifts. The tables the helpers print (`helpers.gradients.text_table`, the depth
tables of lesson 08) pad with `pad`, which counts columns with `text_width` instead.
"""
from __future__ import annotations

from helpers.i18n import wide
from helpers.validation import require_choice, require_int, require_text

ALIGNMENTS = ("<", ">")
MAX_WIDTH = 10_000  # far wider than any table; a huge width would only fill memory with spaces


def text_width(text: str) -> int:
    """The columns `text` takes in a monospace font: two for an East Asian wide or full-width
    character (Chinese, "，"), one for any other ("·", "−", "γ" and "‖" included)."""
    text = require_text("text", text, optional=False)
    return sum(2 if wide(ch) else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """`text` padded with spaces to `width` columns (see `text_width`): on the right for
    align '<', on the left for '>'. Text already that wide or wider is returned unchanged."""
    text = require_text("text", text, optional=False)
    width = require_int("width", width, min=0, max=MAX_WIDTH)
    align = require_choice("align", align, ALIGNMENTS)
    fill = " " * max(0, width - text_width(text))
    return text + fill if align == "<" else fill + text
