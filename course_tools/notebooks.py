"""Teacher tools behind `course.py`: regenerate stored outputs, reset a lesson, strip solutions.

    python -m course_tools regenerate [NOTEBOOK ...] [--force]
    python -m course_tools reset 02 [--yes]
    python -m course_tools assignments [--out DIR]

Stored outputs are what a fresh kernel printed: each notebook is executed top to bottom by
nbclient in its folder, trimmed (outputs and counts kept, widget state dropped) and saved in
place. Whatever git could not give back (an untracked notebook, uncommitted changes) is copied
to notebooks/.backups/ before it is overwritten. A lesson's original comes from git, or from the
copy the first set-up stored (course_tools.originals), so `reset` works in a ZIP copy too.
"""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

from course_tools import lessons, originals

BACKUPS = lessons.NOTEBOOKS / ".backups"
SOLUTION_TAG = "solution"
SOLUTION_LINE = "▸ Solution"

REFUSE_DIRTY = ("Refusing to overwrite {names}: uncommitted changes (yours?) would be replaced by fresh "
                "outputs. Commit them first, or add --force (a copy of each goes to notebooks/.backups/).")
KEPT_ASSIGNMENT = "  a copy of the previous {name}: {copy}"
REFUSE_LESSONS_FOLDER = ("Refusing to write assignments into {folder}: it holds lessons ({names}), which the "
                         "copies without solutions would overwrite. Choose another folder, e.g. --out assignments.")


def _now() -> _dt.datetime:
    return _dt.datetime.now()


def _git_status(path: Path) -> str | None:
    """`git status --porcelain` of one file ('' when unchanged), None when git cannot tell."""
    try:
        return originals.git("status", "--porcelain", "-z", "--", str(path)).decode("utf-8", "surrogateescape")
    except originals.GitError:
        return None


def has_uncommitted_changes(path: Path) -> bool:
    status = _git_status(path)
    return bool(status) and not status.startswith("??")


def backup(path: Path, folder: Path | None = None) -> Path:
    """Copy path to folder (default notebooks/.backups/) as <stem>.<time>[-n].ipynb; never
    overwrites an earlier backup."""
    folder = folder or (BACKUPS if path.parent.resolve() == lessons.NOTEBOOKS.resolve() else path.parent / ".backups")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    data = path.read_bytes()
    for n in range(1, 10_000):
        target = folder / f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}"
        try:
            with open(target, "xb") as out:  # exclusive: two backups in one second get two names
                out.write(data)
            return target
        except FileExistsError:
            continue
    raise RuntimeError(f"too many backups of {path.name} in {folder}")


def regenerate(paths: list[Path], force: bool = False) -> int:
    if not force:
        dirty = [p for p in paths if has_uncommitted_changes(p)]
        if dirty:
            print(REFUSE_DIRTY.format(names=", ".join(p.name for p in dirty)), file=sys.stderr)
            return 2
    import nbformat

    for path in paths:
        print(f"executing {path.relative_to(lessons.ROOT) if path.is_relative_to(lessons.ROOT) else path} …",
              flush=True)
        nb = nbformat.read(path, as_version=4)
        nb = lessons.tidy(lessons.execute(nb, cwd=path.parent))
        nbformat.validate(nb)
        if _git_status(path) != "":  # untracked, changed, or no git: git cannot give it back
            print(f"  a copy of the previous version: {backup(path).relative_to(lessons.ROOT)}")
        nbformat.write(nb, path)
    return 0


def reset(name: str, yes: bool = False, ask=input, lang: str = "en") -> int:
    """Restore a lesson of the English (lang 'en') or Chinese ('zh-CN') edition to its original
    (from git, or the copy the first set-up stored), also when deleted or renamed; the current copy,
    if any, is saved to .backups/ first."""
    folder = "notebooks" if lang == "en" else f"notebooks/{lang}"
    try:
        path = lessons.resolve_lesson(name, originals.known_lessons(folder=folder) or None)
    except ValueError:  # a lesson only on disk: original() says why it has no original
        path = lessons.resolve_lesson(name, lessons.lesson_paths(lessons.ROOT / folder))
    rel = path.resolve().relative_to(lessons.ROOT.resolve()).as_posix()
    try:
        original, note = originals.original(path)
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    if note:
        print(note)
    if path.exists() and path.read_bytes() == original:
        print(f"{rel} is already the original: nothing to do.")
        return 0
    if not yes:
        reply = ask(f"Restore {rel} to its original?{' Your copy will be saved first.' if path.exists() else ''} [y/N] ")
        if reply.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    saved = backup(path) if path.exists() else None
    path.write_bytes(original)
    if saved:
        print(f"Your copy was saved to {saved.relative_to(lessons.ROOT)}; {rel} is the original again.")
    else:
        print(f"{rel} was missing (deleted or renamed?); it is back as the original.")
    return 0


def strip_solutions(nb):
    """Drop solution cells (tag 'solution') and the markdown '▸ Solution' line above each."""
    cells = []
    for cell in nb.cells:
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            if cells and cells[-1].cell_type == "markdown" and SOLUTION_LINE in cells[-1].source:
                cells.pop()
            continue
        cells.append(cell)
    nb.cells = cells
    return nb


def lessons_in(folder: Path) -> list[Path]:
    """The lessons a folder holds: the lessons' own folder, or notebooks with solution cells (an
    assignment copy has none)."""
    import nbformat

    if not folder.is_dir():
        return []
    if folder.resolve() == lessons.NOTEBOOKS.resolve():
        return lessons.lesson_paths(folder)
    return [p for p in lessons.lesson_paths(folder)
            if any(SOLUTION_TAG in c.get("metadata", {}).get("tags", []) for c in nbformat.read(p, as_version=4).cells)]


def assignments(out: Path) -> int:
    """Lesson copies without solutions in out; refuses a folder that holds lessons, and saves an
    earlier copy that differs (a learner may have worked in it) to out/.backups/ first."""
    import nbformat

    held = lessons_in(out)
    if held:
        print(REFUSE_LESSONS_FOLDER.format(folder=out, names=", ".join(p.name for p in held)), file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for path in lessons.lesson_paths():
        nb = strip_solutions(nbformat.read(path, as_version=4))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        target = out / path.name
        text = nbformat.writes(nb)
        text += "" if text.endswith("\n") else "\n"  # as nbformat.write ends a file
        if target.exists() and target.read_text(encoding="utf-8") != text:
            print(KEPT_ASSIGNMENT.format(name=target.name, copy=backup(target, out / ".backups")))
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0
