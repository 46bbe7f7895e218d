"""No file may point at a lesson that does not exist, and no lesson may be called by a stale number.

Lessons were renumbered once (a new 03 was inserted); this test keeps every link, `reset NN`
example, browser-test marker and "lesson NN" mention in step with the files in `notebooks/`.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSON_FILE = re.compile(r"\b(\d\d_[A-Za-z0-9_-]+)\.ipynb\b")
TEXT_SUFFIXES = {".md", ".py", ".js", ".yml", ".yaml", ".toml", ".cfg", ".txt", ".ipynb", ""}

pytestmark = pytest.mark.timeout(60)


def lesson_names() -> set[str]:
    return {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}


def tracked_text_files() -> list[Path]:
    """Every tracked text file a learner or teacher reads or runs; tests/ is left out, since its
    fixtures name made-up lessons on purpose (and this file names a stale one)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    paths = [ROOT / p for p in out.decode().split("\0") if p and not p.startswith("tests/")]
    return [p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file()]


def text_of(path: Path) -> str:
    """A notebook's cell sources (not its outputs); any other file's text."""
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    return path.read_text(encoding="utf-8", errors="replace")


def stale_links(text: str, names: set[str]) -> list[str]:
    return sorted({m for m in LESSON_FILE.findall(text) if m not in names})


def test_stale_links_are_found():
    """The check itself bites: a link to a renamed lesson is reported, a real one is not."""
    names = {"03_autograd_engine", "04_autograd"}
    text = "see [03](03_autograd.ipynb) and [04](notebooks/04_autograd.ipynb)"
    assert stale_links(text, names) == ["03_autograd"]


def test_every_lesson_file_named_anywhere_exists():
    names = lesson_names()
    assert names, "no lessons found in notebooks/"
    problems = {}
    for path in tracked_text_files():
        stale = stale_links(text_of(path), names)
        if stale:
            problems[str(path.relative_to(ROOT))] = stale
    assert not problems, f"links to lesson files that do not exist: {problems}"


def test_each_lesson_title_matches_its_readme_row():
    """The README's lesson table names every lesson, with the number and title of its notebook."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
        number = path.name[:2]
        row = re.search(rf"^\| \[({number} · [^\]]+)\]\(notebooks/{re.escape(path.name)}\)", readme, re.M)
        assert row, f"README's lesson table has no row linking {path.name}"
        assert title.startswith(number), f"{path.name}: title {title!r} does not start with {number}"


# ------------------------------------------------------------------ links to a section of a notebook
SECTION_LINK = re.compile(r"\]\(([\w.-]+\.ipynb)#([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def heading_anchor(heading: str) -> str:
    """JupyterLab's anchor for a markdown heading (rendermime's createHeaderId): the heading's text
    as rendered, every space replaced by '-', nothing else changed. Markdown marks (`code`,
    *emphasis*) are not part of the rendered text; a heading with maths ($…$) has no predictable
    anchor, so section links must point at plain-text headings."""
    text = re.sub(r"[`*_]", "", heading)
    return text.replace(" ", "-")


def test_heading_anchor_follows_jupyterlab():
    assert heading_anchor("7. The program this course takes apart") == "7.-The-program-this-course-takes-apart"
    assert heading_anchor("4. `.data` versus *no_grad*") == "4.-.data-versus-nograd"


def test_every_section_link_names_a_heading_of_its_notebook():
    """A link such as [the original program](00_setup_check.ipynb#7.-The-program-this-course-takes-apart)
    must land on a heading: renaming or renumbering the heading breaks the links to it."""
    problems = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for name, anchor in SECTION_LINK.findall(text_of(path)):
            target = NOTEBOOKS / name
            if not target.exists():
                continue  # a missing notebook is test_every_lesson_file_named_anywhere_exists's business
            headings = [c.source for c in nbformat.read(target, as_version=4).cells if c.cell_type == "markdown"]
            anchors = {heading_anchor(h) for source in headings for h in HEADING.findall(source) if "$" not in h}
            if anchor not in anchors:
                problems.append(f"{path.name} links {name}#{anchor}, which is no heading there")
    assert not problems, "\n".join(problems)
