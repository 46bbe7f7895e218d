"""Every stored lesson is freshly executed, error-free, path-free and follows the lesson template.
The rules live in tests/notebook_rules.py; each is also tested against a broken notebook here."""
import copy

import nbformat
import pytest

from tests import notebook_rules as rules

LESSONS = rules.lessons()
EVERY_LESSON = rules.all_lessons()  # English and Chinese


def test_there_are_lessons():
    assert LESSONS and LESSONS[0].name == "00_setup_check.ipynb"


@pytest.mark.parametrize("path", EVERY_LESSON, ids=lambda p: f"{rules.language(p)}-{p.stem}")
def test_lesson_is_clean(path):
    problems = rules.all_problems(path)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- the rules can fail
@pytest.fixture
def lesson00():
    return rules.read(LESSONS[0])


def test_rule_catches_unexecuted_cell(lesson00):
    nb = copy.deepcopy(lesson00)
    next(c for c in nb.cells if c.cell_type == "code").execution_count = None
    assert rules.execution_problems(nb)


def test_rule_catches_out_of_order_counts(lesson00):
    nb = copy.deepcopy(lesson00)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[0].execution_count, code[1].execution_count = 2, 1
    assert rules.execution_problems(nb)


def test_rule_catches_untagged_error(lesson00):
    nb = copy.deepcopy(lesson00)
    cell = nbformat.v4.new_code_cell("1/0")
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    nb.cells.append(cell)
    assert rules.error_problems(nb)
    cell.metadata["tags"] = ["raises-exception"]
    assert not rules.error_problems(nb)


def test_rule_catches_machine_path(lesson00):
    nb = copy.deepcopy(lesson00)
    cell = nbformat.v4.new_code_cell("print(path)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="/home/alice/course/x.png\n")]
    nb.cells.append(cell)
    assert rules.path_problems(nb)


@pytest.mark.parametrize("text", [r"C:\Users\ada\course\x.png", r"'C:\\Users\\ada\\x.png'"])
def test_rule_catches_a_windows_user_path(lesson00, text):
    """A real Windows path as print() shows it (one backslash) and as a repr shows it (two)."""
    nb = copy.deepcopy(lesson00)
    cell = nbformat.v4.new_code_cell("print(path)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    nb.cells.append(cell)
    assert rules.path_problems(nb), text


def test_rule_catches_wrong_kernelspec(lesson00):
    nb = copy.deepcopy(lesson00)
    nb.metadata["kernelspec"] = {"name": "myenv", "display_name": "x"}
    assert rules.kernelspec_problems(nb)


def test_rule_catches_opt_out_without_reason(lesson00):
    nb = copy.deepcopy(lesson00)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["nbval-ignore-output"]}))
    assert rules.opt_out_problems(nb)
    nb.cells[-1].metadata[rules.REASON_KEY] = "the value depends on the machine"
    assert not rules.opt_out_problems(nb)


def test_the_course_shows_at_most_40_assert_lines():
    counts = {p.stem: len(rules.visible_assert_lines(rules.read(p))) for p in LESSONS}
    assert sum(counts.values()) <= rules.MAX_VISIBLE_ASSERTS_COURSE, counts


def test_rule_catches_what_stands_in_the_learners_way(lesson00):
    nb = copy.deepcopy(lesson00)
    assert not [p for p in rules.learner_view_problems(nb) if "start_lesson" in p]
    nb.cells.append(nbformat.v4.new_code_cell("assert a\nassert b\nassert c\nassert d\ntorch.testing.assert_close(x, y)"))
    nb.cells.append(nbformat.v4.new_markdown_cell("The course's tests check every position."))
    nb.cells.append(nbformat.v4.new_code_cell("confirm(x)", metadata={"tags": ["check"]}))
    nb.cells.append(nbformat.v4.new_markdown_cell("### Going deeper: round-off"))
    nb.cells.extend(nbformat.v4.new_markdown_cell("filler") for _ in range(rules.MAX_CELLS))
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = first.source.replace(rules.START_CALL, "")
    problems = " | ".join(rules.learner_view_problems(nb))
    for expected in ("at most 80", "visible assert-style lines", "speaks to the tests", "tagged 'check'",
                     "Going deeper", "start_lesson"):
        assert expected in problems, (expected, problems)


def test_rule_catches_missing_sections(lesson00):
    nb = copy.deepcopy(lesson00)
    nb.cells = [c for c in nb.cells if "## Summary" not in c.source]
    assert any("Summary" in p for p in rules.template_problems(LESSONS[0], nb))


def test_rule_catches_visible_or_failing_solution(lesson00):
    nb = copy.deepcopy(lesson00)
    solution = next(c for c in nb.cells if "solution" in rules.tags(c))
    solution.metadata["jupyter"] = {}
    solution.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✗ not right\n")]
    problems = rules.exercise_problems(LESSONS[0], nb)
    assert any("collapsed" in p for p in problems) and any("passing" in p for p in problems)
