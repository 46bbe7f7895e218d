"""The README is a learner's page that fits one screen: what this is, the two commands, the lessons,
where to get help, and links to docs/ for the rest; every link leads somewhere; no issue numbers in
code or docs (they mean nothing to a reader of the repository)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCREEN_LINES = 60
LINK = re.compile(r"\]\(([^)\s]+)\)")
ISSUE_NUMBER = re.compile(r"\bissues?[ -]?#?\d+|\bissue-\d+", re.I)

pytestmark = pytest.mark.timeout(60)


def repository_files() -> list[Path]:
    """Tracked files and new, not ignored ones (a branch's files before they are committed)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode()
    return sorted({ROOT / p for p in out.split("\0") if p and (ROOT / p).is_file()})


def test_readme_fits_one_screen():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= SCREEN_LINES, f"README has {len(lines)} lines; move detail into docs/"


def test_readme_has_the_two_commands_the_lessons_and_help():
    text = README.read_text(encoding="utf-8")
    for command in ("python3 course.py lab", "python3 course.py test"):
        assert f"```\n{command}\n```" in text, command
    assert "## Lessons" in text and "| lesson | you will |" in text
    assert "## Help" in text
    for page in ("docs/setup.md", "docs/testing.md", "docs/performance.md", "docs/maintainers.md"):
        assert f"]({page}" in text, page


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_slug_matches_github():
    assert slug("When set-up stops") == "when-set-up-stops"
    assert slug("Code map") == "code-map"


@pytest.mark.parametrize("page", ["README.md", "docs/setup.md", "docs/testing.md", "docs/performance.md",
                                  "docs/maintainers.md"])
def test_every_link_leads_somewhere(page):
    path = ROOT / page
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md":
            headings = {slug(h) for h in re.findall(r"^#+ (.+)$", dest.read_text(encoding="utf-8"), re.M)}
            if anchor not in headings:
                broken.append(target)
    assert not broken, f"{page}: links that lead nowhere: {broken}"


def test_no_issue_numbers_in_code_or_docs():
    found = {}
    for path in repository_files():
        rel = path.relative_to(ROOT).as_posix()
        if path.suffix not in {".py", ".md", ".toml", ".yml", ".txt", ".cfg", ".js", ""}:
            continue
        hits = ISSUE_NUMBER.findall(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[rel] = hits
    assert not found, f"issue numbers in {found}"


def test_the_issue_number_pattern_bites():
    word = "issue"  # spelt apart, so that this file passes its own test
    assert ISSUE_NUMBER.findall(f"before {word} 19 and the {word}-19 follow-up ({word.title()} #17)") == [
        f"{word} 19", f"{word}-19", f"{word.title()} #17"]
    assert not ISSUE_NUMBER.findall("open an issue in this repository's issue tracker")
