"""Learners run cells out of order: every lesson, after a full run, must run all of its cells a
second time in the same kernel without an unexpected error, and print and display the same text
again (streams, results, and the text of displayed tables and figures), masked as nbval masks."""
import pytest

from course_tools.lessons import NOTEBOOKS, kernel_env, lesson_paths
from course_tools.masks import mask
from tests import notebook_rules as rules

pytestmark = pytest.mark.slow
CELL_TIMEOUT_S = 300  # below pytest's per-test timeout, so a stuck cell is named in the failure
TEXT_MIMES = ("text/plain", "text/html")


def run_twice(path):
    from nbclient import NotebookClient

    nb = rules.read(path)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    with client.setup_kernel(env=kernel_env()):
        first = [_run(client, nb, i) for i in range(len(nb.cells))]
        second = [_run(client, nb, i) for i in range(len(nb.cells))]
    return nb, first, second


def _run(client, nb, index):
    cell = nb.cells[index]
    if cell.cell_type != "code":
        return None
    client.execute_cell(cell, index)
    return list(cell.outputs)


def comparable(outputs, cell):
    if outputs is None or set(rules.tags(cell)) & {"nbval-ignore-output", "nbval-skip"}:
        return None
    # Join streams as nbval does: how one print sequence is split into outputs depends on timing.
    streams = "".join(rules.output_text(o) for o in outputs if o.get("output_type") == "stream")
    shown = [f"{o['output_type']} {mime}: {o['data'][mime]}" for o in outputs
             if o.get("output_type") in ("execute_result", "display_data")
             for mime in TEXT_MIMES if mime in o.get("data", {})]
    return [mask(str(text)) for text in [streams, *shown]]


def test_comparable_sees_displayed_tables_and_figures():
    from nbformat.v4 import new_code_cell, new_output

    cell = new_code_cell("show()")
    table = [new_output("display_data", data={"text/html": "<table><td>1.0</td></table>", "text/plain": "T"})]
    other = [new_output("display_data", data={"text/html": "<table><td>2.0</td></table>", "text/plain": "T"})]
    assert comparable(table, cell) != comparable(other, cell)
    fig = [new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"})]
    fig2 = [new_output("display_data", data={"text/plain": "<Figure size 640x480 with 2 Axes>"})]
    assert comparable(fig, cell) != comparable(fig2, cell)


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_all_cells_run_again_in_the_same_kernel(path):
    nb, first, second = run_twice(path)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in rules.tags(cell):
            continue
        for outputs, label in ((first[i], "first"), (second[i], "second")):
            errors = [o for o in outputs if o.get("output_type") == "error"]
            if errors:
                problems.append(f"cell {i} raised {errors[0].get('ename')} on the {label} run")
        a, b = comparable(first[i], cell), comparable(second[i], cell)
        if a != b:
            problems.append(f"cell {i} printed or displayed something else when run again:\n    {a}\n    {b}")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)
