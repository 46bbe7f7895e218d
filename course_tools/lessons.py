"""Where the lessons are, and how a lesson is executed: one definition each.

* `lesson_paths()` / `find_lesson("02")` / `resolve_lesson(name)`: the lesson files
  (`notebooks/NN_*.ipynb`), looked up by number, stem or path;
* `kernel_env()`: the environment every kernel runs in (regenerate, nbval, rerun, JupyterLab);
* `execute()` and `tidy()`: run a notebook in a fresh kernel, trim what is stored.

Standard library only at import time (course.py uses the lesson lookup before .venv exists).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT_S = 600


def lesson_paths(notebooks: Path | None = None) -> list[Path]:
    """The lesson notebooks on disk, sorted: notebooks/NN_*.ipynb."""
    return sorted((notebooks or NOTEBOOKS).glob(LESSON_GLOB))


def find_lesson(prefix: str, candidates: Iterable[Path] | None = None) -> Path | None:
    """'02' or '02_manual_gradients' → that lesson's path, or None when there is none."""
    paths = list(lesson_paths() if candidates is None else candidates)
    matches = [p for p in paths if p.stem == prefix or p.name.startswith(prefix + "_")]
    return matches[0] if len(matches) == 1 else None


def resolve_lesson(name: str, candidates: Iterable[Path] | None = None) -> Path:
    """'02', '02_manual_gradients' or a path → the lesson's notebook; ValueError if none."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.exists():
        return candidate.resolve()
    paths = list(lesson_paths() if candidates is None else candidates)
    found = find_lesson(candidate.stem if candidate.suffix == ".ipynb" else name, paths)
    if found is None:
        raise ValueError(f"{name!r} names no lesson; expected one of: {', '.join(p.stem for p in paths)}")
    return found


def kernel_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for kernels: fixed hash seed and inline plots, for identical outputs."""
    env = dict(os.environ if base is None else base, PYTHONHASHSEED="0",
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("DISPLAY", None)
    return env


def execute(nb, cwd: Path = NOTEBOOKS, timeout: int = CELL_TIMEOUT_S, allow_errors: bool = False):
    """Run every cell in a fresh python3 kernel (in place); cells tagged raises-exception may fail."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=kernel_env())
    return nb


def tidy(nb):
    """Trim widget state and volatile metadata (nbstripout --keep-output --keep-count)."""
    from nbstripout import strip_output

    nb = strip_output(nb, keep_output=True, keep_count=True, keep_id=True,
                      extra_keys=["cell.metadata.execution", "metadata.widgets"])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb
