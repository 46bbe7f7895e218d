"""The Simplified Chinese edition: built from the English lessons and gettext catalogs, never edited.

The English notebooks are the single source. Two kinds of catalog hold the Chinese:

* ``translations/zh-CN/<lesson>.po``: one entry per markdown cell of that lesson, keyed by the
  cell's id (``msgctxt``) and its whole English text (``msgid``). When the English cell changes, the
  entry no longer matches: `sync_notebook_catalog` marks it *fuzzy* and keeps the old English as
  ``#| msgid`` beside the old translation, so the translator sees what changed; a fuzzy or empty
  entry is not used, and the tests name it.
* ``helpers/locale/zh-CN.po``: every sentence the code prints (helpers' messages, exercise hints,
  widget labels, the lessons' ``say``/``confirm`` lines, figure labels), keyed by its English
  template; see `course_tools.messages` for how they are found.

`build_notebook` makes a Chinese lesson: the English lesson's cells, ids, metadata and code
cells byte for byte, with each markdown cell replaced by its translation. The stored Chinese lessons
are executed in ``notebooks/zh-CN/`` (so the helpers speak Chinese there) like the English ones.

    python3 course.py translate          update the catalogs, rebuild the Chinese lessons, run them
    python3 course.py translate --check  only say what is missing or stale (exit 1 if anything is)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from course_tools import lessons

LANG = "zh-CN"
CATALOGS = lessons.ROOT / "translations" / LANG
EDITION = lessons.NOTEBOOKS / LANG
HEADER = {
    "Project-Id-Version": "backprop-step-by-step",
    "Language": "zh_CN",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


def source_notebooks(notebooks: Path | None = None) -> list[Path]:
    """The English notebooks that have a Chinese edition: every lesson and the notation page."""
    folder = notebooks or lessons.NOTEBOOKS
    extra = [folder / "notation.ipynb"] if (folder / "notation.ipynb").exists() else []
    return lessons.lesson_paths(folder) + extra


def catalog_path(notebook: Path, catalogs: Path = CATALOGS) -> Path:
    return catalogs / f"{notebook.stem}.po"


def edition_path(notebook: Path, edition: Path = EDITION) -> Path:
    return edition / notebook.name


def _new_catalog(title: str):
    import polib

    po = polib.POFile(wrapwidth=0)
    po.metadata = dict(HEADER)
    po.header = title
    return po


def load_catalog(path: Path, title: str = ""):
    import polib

    if path.exists():
        po = polib.pofile(str(path), wrapwidth=0)
        po.wrapwidth = 0
        return po
    return _new_catalog(title)


def usable(entry) -> bool:
    """A translation the build may use: present, not fuzzy (stale), not obsolete."""
    return bool(entry.msgstr.strip()) and "fuzzy" not in entry.flags and not entry.obsolete


def sync_notebook_catalog(notebook: Path, catalog: Path | None = None):
    """Bring a lesson's catalog in line with the English lesson (in memory; `save` to write).

    New markdown cells get empty entries; a changed cell's entry becomes fuzzy with the previous
    English kept; entries of removed cells become obsolete (kept at the end, never used)."""
    import nbformat
    import polib

    nb = nbformat.read(notebook, as_version=4)
    po = load_catalog(catalog or catalog_path(notebook),
                      title=f"Simplified Chinese of {notebook.name}: one entry per markdown cell (msgctxt = cell id).")
    by_id = {e.msgctxt: e for e in po if e.msgctxt}
    seen = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        seen.add(cell.id)
        entry = by_id.get(cell.id)
        if entry is None:
            entry = polib.POEntry(msgctxt=cell.id, msgid=cell.source, msgstr="")
            po.append(entry)
            by_id[cell.id] = entry
        elif entry.obsolete or entry.msgid != cell.source:
            if entry.msgid != cell.source:
                entry.previous_msgid = entry.msgid
                entry.msgid = cell.source
                if entry.msgstr and "fuzzy" not in entry.flags:
                    entry.flags.append("fuzzy")
            entry.obsolete = False
        entry.comment = f"cell {index}"
    for entry in po:
        if entry.msgctxt and entry.msgctxt not in seen:
            entry.obsolete = True
    _order_like_the_notebook(po, [c.id for c in nb.cells])
    return po


def _order_like_the_notebook(po, ids: list[str]) -> None:
    position = {cell_id: i for i, cell_id in enumerate(ids)}
    po.sort(key=lambda e: (e.obsolete, position.get(e.msgctxt, len(position))))


def save(po, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


@dataclass(frozen=True)
class Gap:
    """A markdown cell without a usable translation."""

    notebook: str
    cell: int
    cell_id: str
    why: str  # "untranslated" or "stale"

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell} ({self.cell_id}): {self.why}"


def gaps(notebook: Path, po) -> list[Gap]:
    """Every markdown cell of the English lesson whose translation is missing or stale."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    by_id = {e.msgctxt: e for e in po if e.msgctxt and not e.obsolete}
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        entry = by_id.get(cell.id)
        if entry is None or not entry.msgstr.strip():
            found.append(Gap(notebook.name, index, cell.id, "untranslated"))
        elif entry.msgid != cell.source or "fuzzy" in entry.flags:
            found.append(Gap(notebook.name, index, cell.id, "stale (the English changed)"))
    return found


def build_notebook(notebook: Path, po):
    """The Chinese lesson: the English one with each markdown cell translated; outputs cleared
    (they come from running it in notebooks/zh-CN/). Raises ValueError naming every gap."""
    import copy

    import nbformat

    missing = gaps(notebook, po)
    if missing:
        raise ValueError(f"{notebook.name} has {len(missing)} cell(s) without a usable translation:\n  "
                         + "\n  ".join(map(str, missing)))
    nb = nbformat.read(notebook, as_version=4)
    out = copy.deepcopy(nb)
    by_id = {e.msgctxt: e for e in po if e.msgctxt and not e.obsolete}
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = by_id[cell.id].msgstr
        elif cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def same_cells(english, chinese) -> list[str]:
    """How a Chinese lesson differs from its English source where it must not: cell count, ids,
    types, metadata, code. Empty when they agree."""
    problems = []
    if len(english.cells) != len(chinese.cells):
        return [f"{len(chinese.cells)} cells, the English lesson has {len(english.cells)}"]
    for i, (en, zh) in enumerate(zip(english.cells, chinese.cells)):
        if en.id != zh.id or en.cell_type != zh.cell_type:
            problems.append(f"cell {i}: {zh.cell_type} {zh.id}, the English lesson has {en.cell_type} {en.id}")
        elif en.cell_type == "code" and en.source != zh.source:
            problems.append(f"cell {i} ({en.id}): the code differs from the English lesson")
        elif dict(en.metadata) != dict(zh.metadata):
            problems.append(f"cell {i} ({en.id}): the metadata (tags, collapsed state) differs")
    return problems


def run(check_only: bool = False, regenerate: bool = True) -> int:
    """`course.py translate`: sync every catalog, then (unless check_only) rebuild and re-run each
    Chinese lesson whose cells changed."""
    import nbformat

    from course_tools import messages

    problems: list[str] = []
    changed: list[Path] = []
    for notebook in source_notebooks():
        po = sync_notebook_catalog(notebook)
        if not check_only:
            save(po, catalog_path(notebook))
        missing = gaps(notebook, po)
        problems += map(str, missing)
        if missing or check_only:
            continue
        built = build_notebook(notebook, po)
        target = edition_path(notebook)
        if target.exists():
            stored = nbformat.read(target, as_version=4)
            if not same_cells(built, stored) and all(b.source == s.source for b, s in zip(built.cells, stored.cells)):
                continue  # up to date: keep its outputs
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(built, target)
        changed.append(target)
    problems += messages.sync_catalog(write=not check_only)
    if problems:
        print(f"{len(problems)} translation(s) missing or stale:\n  " + "\n  ".join(problems), file=sys.stderr)
    if changed and regenerate:
        for page in changed:
            nb = nbformat.read(page, as_version=4)
            if any(c.cell_type == "code" for c in nb.cells):
                print(f"executing {page.relative_to(lessons.ROOT)} …", flush=True)
                nb = lessons.execute(nb, cwd=page.parent)
            nbformat.write(lessons.tidy(nb), page)
    return 1 if problems else 0
