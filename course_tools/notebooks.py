"""Teacher tools behind `course.py`: regenerate stored outputs, reset a lesson, strip solutions.

    python -m course_tools regenerate [NOTEBOOK ...] [--force]
    python -m course_tools reset 02 [--yes]
    python -m course_tools assignments [--out DIR]

Stored outputs are what a fresh kernel printed: each notebook is executed top to bottom by
nbclient in its folder, trimmed (outputs and counts kept, widget state dropped) and saved in
place. Whatever git could not give back (an untracked notebook, uncommitted changes) is copied
to notebooks/.backups/ before it is overwritten.
"""
from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path

from course_tools import lessons

BACKUPS = lessons.NOTEBOOKS / ".backups"
SOLUTION_TAG = "solution"
SOLUTION_LINE = "▸ Solution"


def _now() -> _dt.datetime:
    return _dt.datetime.now()


def _git_status(path: Path) -> str | None:
    """`git status --porcelain` of one file ('' when unchanged), None outside a git clone."""
    try:
        return subprocess.run(["git", "status", "--porcelain", "-z", "--", str(path)], cwd=lessons.ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def has_uncommitted_changes(path: Path) -> bool:
    status = _git_status(path)
    return bool(status) and not status.startswith("??")


def backup(path: Path) -> Path:
    """Copy path to notebooks/.backups/<stem>.<time>[-n].ipynb; never overwrites an earlier backup."""
    BACKUPS.mkdir(parents=True, exist_ok=True)
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    data = path.read_bytes()
    for n in range(1, 10_000):
        target = BACKUPS / f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}"
        try:
            with open(target, "xb") as out:  # exclusive: two backups in one second get two names
                out.write(data)
            return target
        except FileExistsError:
            continue
    raise RuntimeError(f"too many backups of {path.name} in {BACKUPS}")


def regenerate(paths: list[Path], force: bool = False) -> int:
    if not force:
        dirty = [p for p in paths if has_uncommitted_changes(p)]
        if dirty:
            names = ", ".join(p.name for p in dirty)
            print(f"Refusing to overwrite {names}: uncommitted changes (yours?) would be replaced by fresh "
                  "outputs. Commit them first, or add --force.", file=sys.stderr)
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


def reset(name: str, yes: bool = False, ask=input) -> int:
    """Restore a lesson from git's committed version (also when deleted or renamed); the current
    copy, if any, is saved to .backups/ first."""
    path = lessons.resolve_lesson(name, lessons.committed_lessons() or None)
    rel = path.resolve().relative_to(lessons.ROOT).as_posix()
    try:
        original = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=lessons.ROOT, capture_output=True,
                                  check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"Cannot find the original of {rel}: this folder is not a git clone of the course.", file=sys.stderr)
        return 2
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


def assignments(out: Path) -> int:
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    for path in lessons.lesson_paths():
        nb = strip_solutions(nbformat.read(path, as_version=4))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, out / path.name)
        print(f"wrote {out / path.name}")
    return 0
