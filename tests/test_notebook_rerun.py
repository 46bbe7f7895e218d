"""Learners run cells out of order: every lesson, after a full run, must run all of its cells a
second time in the same kernel without an unexpected error, and print the same text again
(a training cell restarts from its initial w instead of continuing silently)."""
import re

import pytest

from helpers.notebook_tools import NOTEBOOKS, kernel_env
from tests import notebook_rules as rules

pytestmark = pytest.mark.slow


def run_twice(path):
    from nbclient import NotebookClient

    nb = rules.read(path)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
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
    results = [rules.output_text(o) for o in outputs if o.get("output_type") == "execute_result"]
    return [re.sub(r"0x[0-9a-fA-F]+", "0xADDRESS", text) for text in [streams, *results]]


@pytest.mark.parametrize("path", rules.lessons(), ids=lambda p: p.stem)
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
            problems.append(f"cell {i} printed something else when run again:\n    {a}\n    {b}")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)
