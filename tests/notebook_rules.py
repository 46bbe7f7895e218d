"""What every stored lesson must look like; shared by the hygiene tests (one rule, one function)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from course_tools.lessons import lesson_paths as lessons  # noqa: F401  (the one lesson lookup)

# A machine path or user name in an output: POSIX homes and scratch folders, and Windows'
# C:\Users\… as printed (one backslash) or inside a repr (two).
MACHINE_PATH = re.compile(r"(/root/|/home/\w+|/Users/\w+|/tmp/|/work/|[A-Za-z]:\\{1,2}Users\b)")
OPT_OUT_TAGS = ("nbval-ignore-output", "nbval-skip")
REASON_KEY = "nbval-reason"  # why a cell opts out of nbval: cell metadata, not a comment a learner reads
SOLUTION_LINE = "▸ Solution (click to expand)"
# The lesson template in each edition's words (the Chinese lessons are notebooks/zh-CN/NN_*.ipynb).
TEMPLATE = {
    "en": {"sections": ("## You will", "## Before you start", "## Summary", "## Next"),
           "your_turn": "### Your turn", "solution": SOLUTION_LINE, "last_next": "../README.md"},
    "zh-CN": {"sections": ("## 学习目标", "## 开始之前", "## 小结", "## 下一课"),
              "your_turn": "### 动手练习", "solution": "▸ 参考答案（点击展开）", "last_next": "../../README.zh-CN.md"},
}
START_CALL = "helpers.start_lesson()"
MAX_CELLS = 80
# An assert-style line in a cell the learner sees: the checks belong in a collapsed cell tagged
# "check" or in one ✓ line (helpers.claims). 4 per lesson keeps the course under 40.
ASSERT_LINE = re.compile(r"^\s*assert\b|\bassert_close\(|\btesting\.assert_\w*\(|\bassert_allclose\(")
MAX_VISIBLE_ASSERTS = 4
MAX_VISIBLE_ASSERTS_COURSE = 40
COLLAPSED_HEADING = "jp-MarkdownHeadingCollapsed"  # JupyterLab's own metadata for a folded heading
GOING_DEEPER = re.compile(r"^#{2,4}\s+(Going deeper|深入探究)", re.M)


def language(path: Path) -> str:
    """The edition a lesson belongs to, by its folder."""
    return "zh-CN" if path.parent.name == "zh-CN" else "en"


def all_lessons() -> list[Path]:
    """The English lessons and the Chinese ones."""
    english = lessons()
    return english + lessons(english[0].parent / "zh-CN") if english else english


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", []))
    return str(output.get("data", {}).get("text/plain", ""))


def execution_problems(nb) -> list[str]:
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    problems = []
    if any(c is None for c in counts):
        problems.append(f"{sum(c is None for c in counts)} code cell(s) never executed")
    elif counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts {counts} are not 1..n: regenerate in a fresh kernel")
    return problems


def error_problems(nb) -> list[str]:
    return [f"cell {i} stores an error ({o.get('ename')}) without the raises-exception tag"
            for i, c in enumerate(nb.cells) if c.cell_type == "code" and "raises-exception" not in tags(c)
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def path_problems(nb) -> list[str]:
    return [f"cell {i} output shows a machine path or user name: {m.group(0)!r}"
            for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) for m in [MACHINE_PATH.search(output_text(o))] if m]


def kernelspec_problems(nb) -> list[str]:
    name = nb.metadata.get("kernelspec", {}).get("name")
    return [] if name == "python3" else [f"kernelspec is {name!r}, expected 'python3'"]


def opt_out_problems(nb) -> list[str]:
    """A cell that opts out of nbval says why in its metadata (REASON_KEY), not in its source."""
    problems = []
    for i, c in enumerate(nb.cells):
        if any(tag in tags(c) for tag in OPT_OUT_TAGS):
            reason = c.get("metadata", {}).get(REASON_KEY, "")
            if not isinstance(reason, str) or len(reason.strip()) < 10:
                problems.append(f"cell {i} opts out of nbval without a reason in its metadata ({REASON_KEY!r})")
    return problems


def hidden(cell) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def visible_assert_lines(nb) -> list[tuple[int, str]]:
    """(cell index, line) of every assert-style line in a code cell the learner sees."""
    return [(i, line) for i, c in enumerate(nb.cells) if c.cell_type == "code" and not hidden(c)
            for line in c.source.splitlines() if ASSERT_LINE.search(line)]


def learner_view_problems(nb) -> list[str]:
    """What stands between the learner and the idea: too many cells, assert chains in sight,
    notes addressed to the tests, check cells left open, optional depth not folded."""
    problems = []
    if len(nb.cells) > MAX_CELLS:
        problems.append(f"{len(nb.cells)} cells: a lesson has at most {MAX_CELLS} (split it)")
    asserts = visible_assert_lines(nb)
    if len(asserts) > MAX_VISIBLE_ASSERTS:
        where = ", ".join(str(i) for i in sorted({i for i, _ in asserts}))
        problems.append(f"{len(asserts)} visible assert-style lines (at most {MAX_VISIBLE_ASSERTS}; cells {where}): "
                        "move checks into a collapsed cell tagged 'check', or one ✓ line (helpers.claims)")
    for i, c in enumerate(nb.cells):
        if "check" in tags(c) and (c.cell_type != "code" or not hidden(c)):
            problems.append(f"cell {i} is tagged 'check' but is not a collapsed code cell (jupyter.source_hidden)")
        if not hidden(c) and re.search(r"nbval|the (course's )?tests? (check|fail)|stored output", c.source, re.I):
            problems.append(f"cell {i} speaks to the tests, not to the learner: move it to tags or metadata")
        if c.cell_type == "markdown" and GOING_DEEPER.search(c.source) and not c.get("metadata", {}).get(COLLAPSED_HEADING):
            problems.append(f"cell {i} starts a 'Going deeper' section that is not folded ({COLLAPSED_HEADING})")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or START_CALL not in code[0].source:
        problems.append(f"the first code cell does not call {START_CALL} (the lesson's kernel-wide settings)")
    return problems


def template_problems(path: Path, nb) -> list[str]:
    """Title, goals with a time, before-you-start, exercises, summary and a link to the next lesson."""
    problems = []
    number = path.name[:2]
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    if not markdown or not re.match(rf"#\s+{number} · \S", markdown[0]):
        problems.append(f"the first cell must be the title '# {number} · …'")
    text = "\n".join(markdown)
    words = TEMPLATE[language(path)]
    for heading in words["sections"]:
        if not re.search(rf"^{re.escape(heading)}\b", text, re.M):
            problems.append(f"missing the section '{heading}'")
    if "⏱" not in text:
        problems.append("the goals do not say how long the lesson takes (⏱ …)")
    following = sorted(p.name for p in lessons(path.parent) if p.name[:2] > number)
    target = following[0] if following else words["last_next"]
    next_part = text.split(words["sections"][-1], 1)[-1]
    if f"]({target})" not in next_part:
        problems.append(f"the '{words['sections'][-1]}' section does not link to {target}")
    return problems


def exercise_problems(path: Path, nb) -> list[str]:
    """Lessons 01–05: ≥ 3 'Your turn' exercises, each followed by a hidden, passing solution."""
    problems = []
    words = TEMPLATE[language(path)]
    headings = re.findall(rf"^{re.escape(words['your_turn'])} \d+",
                          "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"), re.M)
    minimum = 1 if path.name.startswith("00") else 3
    if len(headings) < minimum:
        problems.append(f"{len(headings)} '### Your turn N' exercise(s); at least {minimum} expected")
    cells = nb.cells
    exercises = [i for i, c in enumerate(cells) if "exercise" in tags(c)]
    if len(exercises) < minimum:
        problems.append(f"{len(exercises)} cell(s) tagged 'exercise'; at least {minimum} expected")
    for i in exercises:
        ahead = cells[i + 1:i + 3]
        if len(ahead) < 2 or ahead[0].cell_type != "markdown" or words["solution"] not in ahead[0].source:
            problems.append(f"exercise cell {i} is not followed by the markdown line '{words['solution']}'")
            continue
        solution = ahead[1]
        if "solution" not in tags(solution):
            problems.append(f"cell {i + 2} after exercise {i} is not tagged 'solution'")
        if not solution.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            problems.append(f"solution cell {i + 2} is not collapsed (jupyter.source_hidden)")
        shown = "".join(output_text(o) for o in solution.get("outputs", []))
        if "✓" not in shown or "✗" in shown:
            problems.append(f"solution cell {i + 2} does not show a passing ✓ check")
    return problems


def all_problems(path: Path) -> list[str]:
    nb = read(path)
    return (execution_problems(nb) + error_problems(nb) + path_problems(nb) + kernelspec_problems(nb)
            + opt_out_problems(nb) + template_problems(path, nb) + exercise_problems(path, nb)
            + learner_view_problems(nb)
            + (["widget state is stored in the metadata: regenerate (nbstripout)"] if "widgets" in nb.metadata else []))
