"""Every sentence the course's code shows a learner, found so it can be translated and checked.

A message is an English template with named ``{placeholders}``. It is found in three places:

* in ``helpers/``: the template argument of `helpers.i18n.translate` / `message` / `say` / `N_` /
  `label`, of `helpers.exercises.passed` / `failed`, and of the claims `confirm` (2nd argument),
  `confirm_close` and `confirm_equal` (3rd), written as a string literal (found by reading the code);
* in the lessons' code cells: the same calls (``say(...)``, ``confirm(...)``, ``label(...)``);
* in the exercise declarations (``helpers/checks/lessonNN.py``): each `Exercise`'s `what`,
  `success`, factor hints, error hints, part names and recognised mistakes' hints (found by importing
  them: they are data, not calls).

`sync_catalog` keeps ``helpers/locale/zh-CN.po`` in line: a new template gets an empty entry (or,
when it closely resembles a template that is gone, that one's translation marked fuzzy, with the old
English beside it); a template no longer found becomes obsolete.
"""
from __future__ import annotations

import ast
import difflib
import importlib
import pkgutil
import string
from collections import defaultdict
from pathlib import Path

from course_tools import lessons

HELPERS = lessons.ROOT / "helpers"
CATALOG = HELPERS / "locale" / "zh-CN.po"
# call name -> position of its template argument
TEMPLATE_ARGUMENT = {"translate": 0, "message": 0, "say": 0, "N_": 0, "label": 0, "passed": 0, "failed": 0,
                     "confirm": 1, "confirm_close": 2, "confirm_equal": 2}


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def templates_in_code(source: str, where: str) -> dict[str, set[str]]:
    """Template literals passed to the translating calls in `source` → where they are."""
    found: dict[str, set[str]] = defaultdict(set)
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a lesson cell with IPython magic, say: nothing of ours is in it
        return found
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        position = TEMPLATE_ARGUMENT.get(_called_name(node) or "")
        if position is None or len(node.args) <= position:
            continue
        arg = node.args[position]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
            found[arg.value].add(f"{where}:{arg.lineno}")
    return found


def templates_in_helpers(root: Path = HELPERS) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent).as_posix()
        for text, places in templates_in_code(path.read_text(encoding="utf-8"), where).items():
            found[text] |= places
    return found


def templates_in_lessons(notebooks: list[Path] | None = None) -> dict[str, set[str]]:
    import nbformat

    found: dict[str, set[str]] = defaultdict(set)
    for path in notebooks if notebooks is not None else lessons.lesson_paths():
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                for text, places in templates_in_code(cell.source, f"{path.name} cell {i}").items():
                    found[text] |= places
    return found


def exercise_texts(exercise) -> list[str]:
    """The learner-visible texts of one Exercise (its what, success, hints and part names)."""
    texts = [exercise.what, exercise.success, *exercise.factor_hints.values(),
             *(hint for _, hint in exercise.error_hints), *(m.hint for m in exercise.recognised),
             *(exercise.parts or ())]
    return [t for t in texts if isinstance(t, str) and t.strip()]


def templates_in_exercises() -> dict[str, set[str]]:
    import helpers.checks
    from helpers.exercises import Exercise

    found: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.iter_modules(helpers.checks.__path__):
        module = importlib.import_module(f"helpers.checks.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Exercise):
                for text in exercise_texts(value):
                    found[text].add(f"helpers/checks/{info.name}.py:{name}")
    return found


def all_templates() -> dict[str, set[str]]:
    """Every message template of the course → where it is used."""
    found: dict[str, set[str]] = defaultdict(set)
    for part in (templates_in_helpers(), templates_in_lessons(), templates_in_exercises()):
        for text, places in part.items():
            found[text] |= places
    return dict(found)


def fields(template: str) -> set[str]:
    """The named fields of a str.format template ('{slope:.3f}' → 'slope'); positional ones too."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return names


def sync_catalog(write: bool = True, catalog: Path = CATALOG) -> list[str]:
    """Bring the helpers' catalog in line with the templates in the code; return what is missing
    or stale, one line each (empty when every template has a usable translation)."""
    import polib

    from course_tools.translate import load_catalog, save, usable

    templates = all_templates()
    po = load_catalog(catalog, title="Simplified Chinese of every message the course's code shows (key: the English template).")
    by_id = {e.msgid: e for e in po if not e.msgctxt}
    gone = [e for e in po if not e.msgctxt and e.msgid not in templates]
    for text, places in sorted(templates.items()):
        entry = by_id.get(text)
        if entry is None:
            entry = polib.POEntry(msgid=text, msgstr="")
            similar = difflib.get_close_matches(text, [g.msgid for g in gone if g.msgstr], n=1, cutoff=0.8)
            if similar:
                old = next(g for g in gone if g.msgid == similar[0])
                entry.msgstr, entry.previous_msgid, entry.flags = old.msgstr, old.msgid, ["fuzzy"]
            po.append(entry)
        entry.obsolete = False
        entry.occurrences = [(place, "") for place in sorted(places)]
    for entry in gone:
        entry.obsolete = True
    po.sort(key=lambda e: (e.obsolete, e.msgid))
    if write:
        save(po, catalog)
    return [f"helpers/locale/zh-CN.po: {'stale' if e.msgstr else 'untranslated'}: {e.msgid[:80]!r}"
            for e in po if not e.obsolete and not usable(e)]
