"""Teacher tools behind `course.py`: regenerate stored outputs, reset a lesson, strip solutions.

    python -m helpers.notebook_tools regenerate [NOTEBOOK ...] [--force]
    python -m helpers.notebook_tools reset 02 [--yes]
    python -m helpers.notebook_tools assignments [--out DIR]

Stored outputs are what a fresh kernel printed: each notebook is executed top to bottom
by nbclient in `notebooks/`, then trimmed by nbstripout (outputs and counts kept, widget
state dropped) and saved in place.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BACKUPS = NOTEBOOKS / ".backups"
SOLUTION_TAG = "solution"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT_S = 600


def lesson_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def resolve_lesson(name: str) -> Path:
    """'02', '02_manual_gradients' or a path → the lesson's notebook; ValueError if none or several."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.exists():
        return candidate.resolve()
    matches = [p for p in lesson_paths() if p.name.startswith(name) or p.stem == name]
    if len(matches) != 1:
        known = ", ".join(p.stem for p in lesson_paths())
        raise ValueError(f"{name!r} names {'no' if not matches else 'more than one'} lesson; "
                         f"expected one of: {known}")
    return matches[0]


def kernel_env() -> dict[str, str]:
    """Environment for executing lessons: fixed hash seed and inline plots, for identical outputs."""
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("DISPLAY", None)
    return env


def execute(nb: nbformat.NotebookNode, cwd: Path = NOTEBOOKS) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel; cells tagged raises-exception may fail."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=kernel_env())
    return nb


def tidy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Trim widget state and volatile metadata (nbstripout --keep-output --keep-count)."""
    from nbstripout import strip_output

    nb = strip_output(nb, keep_output=True, keep_count=True, keep_id=True,
                      extra_keys=["cell.metadata.execution", "metadata.widgets"])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def has_uncommitted_changes(path: Path) -> bool:
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", str(path)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False  # not a git checkout: nothing to compare with
    return bool(out.strip()) and not out.startswith("??")


def regenerate(paths: list[Path], force: bool = False) -> int:
    if not force:
        dirty = [p for p in paths if has_uncommitted_changes(p)]
        if dirty:
            names = ", ".join(p.name for p in dirty)
            print(f"Refusing to overwrite {names}: uncommitted changes (yours?) would be replaced by fresh "
                  "outputs. Commit them first, or add --force.", file=sys.stderr)
            return 2
    for path in paths:
        print(f"executing {path.relative_to(ROOT)} …", flush=True)
        nb = nbformat.read(path, as_version=4)
        nb = tidy(execute(nb, cwd=path.parent))
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return 0


def reset(path: Path, yes: bool = False, ask=input) -> int:
    """Restore a lesson from git's committed version; the current copy is saved to .backups/ first."""
    rel = path.resolve().relative_to(ROOT).as_posix()
    try:
        original = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True,
                                  check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"Cannot find the original of {rel}: this folder is not a git clone of the course.", file=sys.stderr)
        return 2
    if path.read_bytes() == original:
        print(f"{rel} is already the original: nothing to do.")
        return 0
    if not yes:
        reply = ask(f"Restore {rel} to its original? Your copy will be saved first. [y/N] ")
        if reply.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    BACKUPS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = BACKUPS / f"{path.stem}.{stamp}.ipynb"
    shutil.copy2(path, backup)
    path.write_bytes(original)
    print(f"Your copy was saved to {backup.relative_to(ROOT)}; {rel} is the original again.")
    return 0


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop solution cells (tag 'solution') and the markdown '▸ Solution' line above each."""
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            if cells and cells[-1].cell_type == "markdown" and "▸ Solution" in cells[-1].source:
                cells.pop()
            continue
        cells.append(cell)
    nb.cells = cells
    return nb


def assignments(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for path in lesson_paths():
        nb = strip_solutions(nbformat.read(path, as_version=4))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, out / path.name)
        print(f"wrote {out / path.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate")
    regen.add_argument("notebooks", nargs="*")
    regen.add_argument("--force", action="store_true")
    res = sub.add_parser("reset")
    res.add_argument("lesson")
    res.add_argument("--yes", action="store_true")
    asg = sub.add_parser("assignments")
    asg.add_argument("--out", default="assignments")
    args = parser.parse_args(argv)
    try:
        if args.command == "regenerate":
            paths = [resolve_lesson(n) for n in args.notebooks] or lesson_paths()
            return regenerate(paths, force=args.force)
        if args.command == "reset":
            return reset(resolve_lesson(args.lesson), yes=args.yes)
        return assignments((ROOT / args.out) if not Path(args.out).is_absolute() else Path(args.out))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
