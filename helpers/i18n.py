"""The language a learner reads, and the one place where a helper's message is translated.

The English lessons are the single source; the Simplified Chinese edition lives in
``notebooks/zh-CN/`` with byte-identical code cells. So the code cannot say which language to
speak: the helpers find it out. The language is the notebook's, seen from the kernel:

* ``COURSE_LANG`` (``en`` or ``zh-CN``), when set, wins (tests and teachers use it);
* otherwise a kernel started by JupyterLab knows its notebook (``JPY_SESSION_NAME``), and
  nbclient, nbval and JupyterLab all start the kernel in the notebook's folder: a ``zh-CN``
  folder on that path means Chinese;
* otherwise English.

Every sentence a learner sees from a helper is one whole template, written in English with
named ``{placeholders}``, passed through `translate` and only then formatted (`say`,
`message`). A template kept in a constant is marked with `N_` where it is written and translated
where it is shown. Text drawn in a figure goes through `label`: it is Chinese only where a font with
Chinese glyphs is installed (otherwise English, never a box for a missing glyph). The translations are gettext catalogs (``helpers/locale/<lang>.po``), keyed by the
English template, so a changed English sentence has no translation until its catalog entry is
updated (the tests fail until then). A list in a sentence is joined by `join_list` (its comma is a
template too), and in Chinese `message` closes up the space a template leaves around a placeholder
whose value turns out to be Chinese itself (`close_up`).
"""
from __future__ import annotations

import functools
import os
import unicodedata
from pathlib import Path
from typing import Iterable

ENGLISH = "en"
CHINESE = "zh-CN"
LANGUAGES = (ENGLISH, CHINESE)
LANGUAGE_ENV = "COURSE_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def language() -> str:
    """'en' or 'zh-CN': the language of the notebook this kernel runs (see the module docstring)."""
    chosen = os.environ.get(LANGUAGE_ENV, "").strip()
    if chosen:
        if chosen not in LANGUAGES:
            raise ValueError(f"{LANGUAGE_ENV} must be one of {', '.join(LANGUAGES)}, got {chosen!r}")
        return chosen
    places = [os.environ.get("JPY_SESSION_NAME", ""), os.getcwd()]
    for place in places:
        if place and CHINESE in Path(place).parts:
            return CHINESE
    return ENGLISH


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """English template → translation, for `lang` (empty for English, or with no catalog file).
    Fuzzy (stale) and empty entries are left out: the English shows instead, and the sync tests
    name the entry. Without polib (a broken install, which the set-up check must still report on)
    every message shows in English."""
    if lang == ENGLISH:
        return {}
    path = LOCALE_DIR / f"{lang}.po"
    if not path.exists():
        return {}
    try:
        import polib
    except ImportError:
        return {}

    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags}


def translate(template: str) -> str:
    """The template in the learner's language (itself when it has no translation)."""
    if not isinstance(template, str):
        raise TypeError(f"translate needs a str template, got {type(template).__name__}")
    return catalog(language()).get(template, template)


def message(template: str, /, **values) -> str:
    """`template` translated, then filled in with `values` (str.format with named fields)."""
    return close_up(translate(template).format(**values), language())


def wide(char: str) -> bool:
    """True for a character a monospace font draws two columns wide: East Asian wide or full-width
    (a Chinese character, "，", "（"), by `unicodedata.east_asian_width`."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def close_up(text: str, lang: str) -> str:
    """`text` without a space between two Chinese characters, in Chinese. A Chinese template spaces
    its placeholders from the Chinese around them, as Chinese typesetting does for Latin names
    ("与 {method} 一致": "与 autograd 一致"); a value that is itself Chinese would be left with a
    space no Chinese sentence has ("与 自动求导 一致"), so it is closed up ("与自动求导一致").
    Only a single space between two wide characters goes: a run of spaces (a layout) stays."""
    if lang != CHINESE or " " not in text:
        return text
    return "".join(c for i, c in enumerate(text)
                   if not (c == " " and 0 < i < len(text) - 1 and wide(text[i - 1]) and wide(text[i + 1])))


def join_list(items: Iterable[str], /) -> str:
    """`items` (strings) as one list in the learner's language: "a, b, c" in English, "a、b、c" in
    Chinese. The comma is a template of its own, "{items}, {item}", so each language chooses it."""
    text = None
    for item in items:
        text = item if text is None else message("{items}, {item}", items=text, item=item)
    return text or ""


def N_(template: str) -> str:
    """Mark a template kept in a constant (a dict of labels, a default argument) for translation;
    it is returned unchanged and translated where it is shown."""
    return template


# Fonts with the Simplified Chinese glyphs on common systems: Linux (Noto CJK, Source Han, WenQuanYi,
# Droid), Windows (Microsoft YaHei, SimHei, DengXian), macOS (PingFang, Hiragino, Heiti, STHeiti,
# Arial Unicode MS).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "DengXian",
             "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Arial Unicode MS", "Droid Sans Fallback")


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first of CJK_FONTS that matplotlib's font manager knows on this machine, or None."""
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def figure_language() -> str:
    """The language of text drawn in figures: the learner's, unless it needs glyphs no font has."""
    lang = language()
    return lang if lang == ENGLISH or cjk_font() is not None else ENGLISH


def maths(tex: str, plain: str) -> str:
    """A formula for a figure: `tex` (matplotlib mathtext, ``$…$``) in English, `plain` (Unicode)
    where the figure's text is Chinese: mathtext draws the text around ``$…$`` in its own font,
    which has no Chinese glyphs."""
    return tex if figure_language() == ENGLISH else plain


def label(template: str, /, **values) -> str:
    """Text for a figure (title, axis label, legend entry): translated when the figure can show
    it (see `figure_language`), then filled in with `values`."""
    lang = figure_language()
    text = template if lang == ENGLISH else catalog(lang).get(template, template)
    return close_up(text.format(**values), lang) if values else text


def use_figure_fonts() -> None:
    """Let figures draw Chinese: put the CJK font after matplotlib's own sans-serif font, so Latin
    letters, digits and maths keep their look and Chinese glyphs come from the CJK font. Does
    nothing in English or where no CJK font is installed."""
    font = cjk_font() if language() != ENGLISH else None
    if font is None:
        return
    import matplotlib

    families = [name for name in matplotlib.rcParams["font.sans-serif"] if name != font]
    latin = families[0] if families else "DejaVu Sans"
    # Named families, not the generic "sans-serif": matplotlib falls back glyph by glyph only
    # across the families listed in font.family (a generic name resolves to one font).
    matplotlib.rcParams["font.family"] = [latin, font]
    matplotlib.rcParams["font.sans-serif"] = [latin, font, *families[1:]]
    import logging

    # A CJK font usually has one weight: bold text (a graph's operation nodes) takes its regular
    # glyphs, which matplotlib's font manager would otherwise announce in every lesson's output.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def say(template: str, /, **values) -> None:
    """Print one sentence to the learner, in the learner's language: a code cell calls
    ``say("The slope is {slope:.3f}.", slope=s)`` instead of printing an f-string, so the same
    code cell speaks English in the English lesson and Chinese in the Chinese one."""
    print(message(template, **values))
