"""A lesson notebook → an nbgrader *source* notebook, built from the lesson's cell tags alone.

What a lesson gives (tests/notebook_rules.py enforces it): a code cell tagged `exercise` whose
last statements call a check (`grad_exercise.check(my_gradient)`), then the markdown line
"▸ Solution (click to expand)" and a code cell tagged `solution` that solves the exercise under
its own names (`my_gradient_solution`) and calls the same check.

What nbgrader gets, per exercise:

* one autograded answer cell: the exercise's code up to its check, the solution between
  nbgrader's markers, then the check line(s), so that `generate_assignment` gives the learner
  exactly the lesson's exercise back (the markers become one blank line, see `CODE_STUB`)::

        def my_gradient(x, y, w):
            return None  # your code here
        ### BEGIN SOLUTION
        def my_gradient_solution(x, y, w):
            return 2 * x ** 2 * (w * x ** 2 - y)
        my_gradient = my_gradient_solution
        ### END SOLUTION
        gradient_exercise.check(my_gradient)

  The last solution line binds the exercise's own names to the solution's: it is found by
  comparing the argument of the exercise's check call with that of the solution's;
* one read-only autograder test cell per check call, with points: it asks the same check object
  (`.evaluate`, which never prints) and fails with the check's ✗ message, hint included;

every other cell becomes a read-only cell; the "▸ Solution" line goes.
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass

import nbformat

EXERCISE_TAG = "exercise"
SOLUTION_TAG = "solution"
SOLUTION_LINE = "▸ Solution"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = ""  # nbgrader's ClearSolutions.code_stub: the markers and the solution become one blank line
SCHEMA_VERSION = 3
YOUR_TURN = re.compile(r"^#{2,4}\s*Your turn\s+(\d+)", re.M)

# A test cell as the learner sees it in the feedback (one template, filled by .format).
TEST_CELL = (
    "# Autograder test {number} of {count} for \"Your turn {turn}\" ({points} point(s)): it asks the "
    "exercise's check and fails with its hint.\n"
    "feedback = {checker}.evaluate({argument})\n"
    "assert feedback.ok, feedback.message\n"
    "print(feedback.message)"
)
# Why a lesson could not be converted (for the teacher; one template each).
NO_CHECK = "{lesson}: exercise cell {index} does not end with a check call such as `name.check(answer)`"
NO_SOLUTION = "{lesson}: exercise cell {index} has no code cell tagged 'solution' after it"
NO_MATCH = ("{lesson}: exercise cell {index} calls {checker}.check(...), but its solution cell {solution} "
            "does not call the same check")
CANNOT_MAP = ("{lesson}: cannot tell which of the solution's names answers the exercise's "
              "{checker}.check({exercise}) (the solution calls {checker}.check({solution}))")
NOT_PYTHON = "{lesson}: cell {index} is not valid Python ({error})"


class ConversionError(ValueError):
    """A lesson whose exercises do not follow the tag convention the conversion relies on."""


@dataclass(frozen=True)
class CheckCall:
    """One `checker.check(argument)` call in an exercise cell, as source text."""

    checker: str
    argument: str

    @property
    def evaluate(self) -> str:
        return f"{self.checker}.evaluate({self.argument})"


@dataclass(frozen=True)
class ConvertedExercise:
    """Where one exercise went: its answer cell and the checks its test cells ask."""

    turn: str
    answer_id: str
    test_ids: tuple[str, ...]
    checks: tuple[CheckCall, ...]


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _parse(source: str, lesson: str, index: int) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise ConversionError(NOT_PYTHON.format(lesson=lesson, index=index, error=exc.msg)) from None


def _check_calls(node: ast.AST) -> list[ast.Call]:
    """Every `something.check(...)` call inside node, in source order."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == "check"]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def split_exercise(source: str, lesson: str = "lesson", index: int = 0) -> tuple[str, str, list[ast.Call]]:
    """(head, tail, check calls): the tail is the run of last top-level statements that call a
    check; the head is everything before it, without trailing blank lines."""
    tree = _parse(source, lesson, index)
    body = tree.body
    start = len(body)
    while start > 0 and _check_calls(body[start - 1]):
        start -= 1
    if start == len(body):
        raise ConversionError(NO_CHECK.format(lesson=lesson, index=index))
    lines = source.split("\n")
    cut = _first_line(body[start]) - 1
    head = "\n".join(lines[:cut]).rstrip()
    tail = "\n".join(lines[cut:]).rstrip()
    calls = [call for statement in body[start:] for call in _check_calls(statement)]
    return head, tail, calls


def _assignable(node: ast.AST) -> bool:
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return True
    return isinstance(node, (ast.Tuple, ast.List)) and all(_assignable(e) for e in node.elts)


def name_bindings(exercise: ast.AST, solution: ast.AST) -> list[tuple[str, str]] | None:
    """Assignments `exercise-name = solution-expression` that make two check arguments equal.

    `(dF_du, du_dv)` vs `(dF_du_solution, du_dv_solution)` gives one tuple assignment;
    `gradients_through(Square)` vs `gradients_through(SquareSolution)` gives `Square = SquareSolution`.
    None when the two differ other than by names the exercise could bind.
    """
    if ast.dump(exercise) == ast.dump(solution):
        return []
    if _assignable(exercise):
        return [(ast.unparse(exercise), ast.unparse(solution))]
    if type(exercise) is not type(solution):
        return None
    if isinstance(exercise, ast.Call) and ast.dump(exercise.func) != ast.dump(solution.func):
        return None  # a different function is called: no name of the exercise's to rebind
    found: list[tuple[str, str]] = []
    for field in exercise._fields:
        a, b = getattr(exercise, field, None), getattr(solution, field, None)
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return None
            pairs = list(zip(a, b))
        else:
            pairs = [(a, b)]
        for x, y in pairs:
            if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                more = name_bindings(x, y)
                if more is None:
                    return None
                found += more
            elif x != y:
                return None
    return found


def _argument(call: ast.Call) -> ast.AST:
    """The check call's arguments as one node (a tuple when there are several), for comparison."""
    if len(call.args) == 1 and not call.keywords:
        return call.args[0]
    return ast.Call(func=ast.Name("_", ast.Load()), args=call.args, keywords=call.keywords)


def _arguments_text(call: ast.Call) -> str:
    return ", ".join([ast.unparse(a) for a in call.args] + [ast.unparse(k) for k in call.keywords])


def solution_block(solution_source: str, exercise_calls: list[ast.Call], lesson: str, index: int,
                   solution_index: int) -> str:
    """The solution's code without its own top-level check lines, then the bindings that give the
    exercise's names the solution's values."""
    tree = _parse(solution_source, lesson, solution_index)
    solution_calls = _check_calls(tree)
    bindings: list[tuple[str, str]] = []
    used: set[int] = set()
    for call in exercise_calls:
        checker = ast.unparse(call.func.value)
        match = next((i for i, c in enumerate(solution_calls)
                      if i not in used and ast.unparse(c.func.value) == checker), None)
        if match is None:
            raise ConversionError(NO_MATCH.format(lesson=lesson, index=index, checker=checker,
                                                  solution=solution_index))
        used.add(match)
        found = name_bindings(_argument(call), _argument(solution_calls[match]))
        if found is None:
            raise ConversionError(CANNOT_MAP.format(lesson=lesson, checker=checker, exercise=_arguments_text(call),
                                                    solution=_arguments_text(solution_calls[match])))
        bindings += [b for b in found if b not in bindings]
    lines = solution_source.split("\n")
    drop = set()
    for statement in tree.body:
        if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                and statement.value in solution_calls):
            drop.update(range(statement.lineno - 1, statement.end_lineno))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop).rstrip()
    return "\n".join([kept, *(f"{target} = {value}" for target, value in bindings)]).strip("\n")


def _nbgrader(kind: str, grade_id: str, points: int = 0) -> dict:
    meta = {"grade": kind == "test", "solution": kind == "answer", "locked": kind != "answer",
            "grade_id": grade_id, "schema_version": SCHEMA_VERSION, "task": False}
    if kind == "test":
        meta["points"] = points
    return meta


def _new_cell(cell, source: str, nbgrader: dict):
    out = copy.deepcopy(cell)
    out.source = source
    out.metadata = {k: v for k, v in out.metadata.items() if k not in ("jupyter", "collapsed", "execution")}
    out.metadata["nbgrader"] = nbgrader
    if out.cell_type == "code":
        out.outputs, out.execution_count = [], None
    return out


def to_source(nb, lesson: str, points_per_check: int = 1):
    """The nbgrader source version of a lesson notebook (a new notebook) and its exercises."""
    nb = copy.deepcopy(nb)
    cells, exercises = [], []
    turn = "?"
    consumed: set[int] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            turns = YOUR_TURN.findall(cell.source)
            turn = turns[-1] if turns else turn
        if index in consumed:
            continue
        if cell.cell_type == "code" and EXERCISE_TAG in tags(cell):
            solution_index = next((j for j in range(index + 1, len(nb.cells))
                                   if nb.cells[j].cell_type == "code" and SOLUTION_TAG in tags(nb.cells[j])), None)
            following = next((j for j in range(index + 1, len(nb.cells))
                              if nb.cells[j].cell_type == "code" and EXERCISE_TAG in tags(nb.cells[j])), len(nb.cells))
            if solution_index is None or solution_index > following:
                raise ConversionError(NO_SOLUTION.format(lesson=lesson, index=index))
            consumed.add(solution_index)
            if nb.cells[solution_index - 1].cell_type == "markdown" and SOLUTION_LINE in nb.cells[solution_index - 1].source:
                consumed.add(solution_index - 1)
            head, tail, calls = split_exercise(cell.source, lesson, index)
            block = solution_block(nb.cells[solution_index].source, calls, lesson, index, solution_index)
            number = len(exercises) + 1
            answer_id = f"exercise-{number}-answer"
            source = "\n".join(part for part in (head, BEGIN, block, END, tail) if part)
            cells.append(_new_cell(cell, source, _nbgrader("answer", answer_id)))
            checks = tuple(CheckCall(ast.unparse(c.func.value), _arguments_text(c)) for c in calls)
            test_ids = []
            for k, check in enumerate(checks, start=1):
                test_id = f"exercise-{number}-test-{k}"
                test_ids.append(test_id)
                text = TEST_CELL.format(number=k, count=len(checks), turn=turn, points=points_per_check,
                                        checker=check.checker, argument=check.argument)
                cells.append(_new_cell(nbformat.v4.new_code_cell(), text, _nbgrader("test", test_id, points_per_check)))
            exercises.append(ConvertedExercise(turn, answer_id, tuple(test_ids), checks))
            continue
        if SOLUTION_TAG in tags(cell):
            raise ConversionError(NO_SOLUTION.format(lesson=lesson, index=index))
        cells.append(_new_cell(cell, cell.source, _nbgrader("read-only", f"lesson-cell-{index:03d}")))
    nb.cells = cells
    return nb, exercises


def _blank_code(cell):
    blank = copy.deepcopy(cell)
    blank.metadata = {}
    return blank
