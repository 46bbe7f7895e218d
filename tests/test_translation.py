"""The Simplified Chinese edition stays the English one, translated: same cells, ids and code; every
markdown cell, helper message and label translated and current; placeholders kept; one Chinese term
per English term; hints in Chinese for every declared mistake; figures in Chinese only with a font."""
import copy
import re
import warnings

import nbformat
import polib
import pytest

from course_tools import messages, translate
from course_tools.lessons import ROOT
from helpers import i18n

pytestmark = pytest.mark.timeout(300)
SOURCES = translate.source_notebooks()
GLOSSARY = translate.CATALOGS / "glossary.tsv"


def _catalog(notebook):
    return polib.pofile(str(translate.catalog_path(notebook)))


@pytest.mark.parametrize("notebook", SOURCES, ids=lambda p: p.stem)
def test_every_markdown_cell_has_a_current_translation(notebook):
    assert translate.catalog_path(notebook).exists(), f"no catalog for {notebook.name}: run python3 course.py translate"
    gaps = translate.gaps(notebook, _catalog(notebook))
    assert not gaps, "\n".join(map(str, gaps))


@pytest.mark.parametrize("notebook", SOURCES, ids=lambda p: p.stem)
def test_the_chinese_lesson_is_the_english_one_translated(notebook):
    """Same cells, ids, metadata and byte-identical code; the markdown is the catalog's."""
    stored_path = translate.edition_path(notebook)
    assert stored_path.exists(), f"{stored_path.relative_to(ROOT)} is missing: run python3 course.py translate"
    english = nbformat.read(notebook, as_version=4)
    stored = nbformat.read(stored_path, as_version=4)
    assert not translate.same_cells(english, stored)
    built = translate.build_notebook(notebook, _catalog(notebook))
    differs = [i for i, (b, s) in enumerate(zip(built.cells, stored.cells)) if b.source != s.source]
    assert not differs, f"cells {differs} are not what the catalog builds: run python3 course.py translate"


def test_a_changed_english_sentence_makes_its_translation_stale(tmp_path):
    notebook = SOURCES[1]
    nb = nbformat.read(notebook, as_version=4)
    changed = copy.deepcopy(nb)
    cell = next(c for c in changed.cells if c.cell_type == "markdown")
    cell.source += " One more sentence."
    path = tmp_path / notebook.name
    nbformat.write(changed, path)
    po = translate.sync_notebook_catalog(path, translate.catalog_path(notebook))
    gaps = translate.gaps(path, po)
    assert [g.cell_id for g in gaps] == [cell.id] and "stale" in gaps[0].why
    entry = next(e for e in po if e.msgctxt == cell.id)
    assert "fuzzy" in entry.flags and entry.previous_msgid == nb.cells[[c.id for c in nb.cells].index(cell.id)].source
    with pytest.raises(ValueError, match="without a usable translation"):
        translate.build_notebook(path, po)


def test_every_message_the_code_shows_is_translated():
    missing = messages.sync_catalog(write=False)
    assert not missing, f"{len(missing)} message(s): run python3 course.py translate, then translate them:\n" \
        + "\n".join(missing[:40])


def _helper_entries():
    return [e for e in polib.pofile(str(messages.CATALOG)) if not e.obsolete and e.msgstr]


def _sample(spec: str):
    return 1.5 if spec and spec[-1:] in "eEfFgG%" else (3 if spec and spec[-1:] in "dxX" else "x")


def test_translations_keep_their_placeholders_and_format():
    import string

    for entry in _helper_entries():
        assert messages.fields(entry.msgid) == messages.fields(entry.msgstr), (entry.msgid, entry.msgstr)
        values = {name: _sample(spec) for _, name, spec, _ in string.Formatter().parse(entry.msgid) if name}
        if values:
            entry.msgstr.format(**{k.split(".")[0]: v for k, v in values.items()})


def _glossary():
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")[:2]
            rows.append((re.compile(rf"\b(?:{english})\b", re.I), chinese))
    return rows


CODE_OR_MATHS = re.compile(r"\{[^}]*\}|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<[^>]+>", re.S)


def test_one_chinese_term_for_each_english_term():
    glossary = _glossary()
    entries = _helper_entries() + [e for nb in SOURCES if translate.catalog_path(nb).exists()
                                   for e in _catalog(nb) if not e.obsolete and e.msgstr]
    wrong = []
    for entry in entries:
        english = CODE_OR_MATHS.sub(" ", entry.msgid)
        for pattern, chinese in glossary:
            if pattern.search(english) and chinese not in entry.msgstr:
                wrong.append(f"{pattern.pattern!r} → {chinese}: {entry.msgid[:70]!r}")
    assert not wrong, f"{len(wrong)} translation(s) do not use the glossary's term:\n" + "\n".join(wrong[:40])


def test_every_declared_mistake_gets_its_hint_in_chinese(monkeypatch):
    """In the Chinese edition, each declared mistake's message carries the Chinese of its own hint."""
    from tests.test_factor_hints import MISTAKES

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    for param in MISTAKES:
        exercise, mistake = param.values
        shown = [t for t in (*exercise.factor_hints.values(), *(h for _, h in exercise.error_hints),
                             *(m.hint for m in exercise.recognised)) if mistake.hint and mistake.hint in t]
        message = exercise.evaluate(mistake.answer).message
        assert not exercise.evaluate(mistake.answer).ok
        assert re.search(r"[\u4e00-\u9fff]", message), (param.id, message)
        if shown:
            assert any(i18n.translate(t).rstrip("。.") in message for t in shown), (param.id, message)


def test_figures_speak_english_without_a_chinese_font_and_chinese_with_one(monkeypatch):
    import matplotlib

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    english = next(e for e in _helper_entries() if "{" not in e.msgid and e.msgid.strip())
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)
    assert i18n.label(english.msgid) == english.msgid
    monkeypatch.undo()
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "zh-CN")
    if i18n.cjk_font() is None:
        pytest.skip("no CJK font on this machine (CI installs fonts-wqy-microhei)")
    assert i18n.label(english.msgid) == english.msgstr
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context():
        i18n.use_figure_fonts()
        fig = Figure()
        canvas = FigureCanvasAgg(fig)
        fig.subplots().set_title(i18n.label(english.msgid) + " 梯度 −1.5")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing glyph is a warning: none allowed
            canvas.draw()


def test_the_readmes_link_each_other_and_give_the_same_commands():
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "README.zh-CN.md" in english.split("\n\n")[0] + english.split("\n\n")[1]
    assert "README.md" in chinese
    for command in ("python3 course.py lab --lang zh-CN", "python3 course.py test"):
        assert command in chinese
    for notebook in SOURCES:
        if notebook.name[:2].isdigit():
            assert f"notebooks/zh-CN/{notebook.name}" in chinese
