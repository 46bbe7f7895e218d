"""How fast do lesson 01's slope explorer and lesson 05's backward stepper answer a change?

    .venv/bin/python benchmarks/widget_updates.py [--changes 60]

For each widget, the same value changes are applied to the widget (figure built once, only
moving artists redrawn, one PNG per change) and to a naive version (a new widget, i.e. a new
figure and a full recomputation, on every change), in the same run. Python-side time from
setting the value until the output holds the new PNG. Target: median <= 60 ms and >= 3x faster.
(The learning-rate explorer has its own script, benchmarks/widget_explorer.py.)
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, summary_ms  # noqa: E402
from widget_explorer import measure  # noqa: E402

from helpers import mlp  # noqa: E402
from helpers.widgets.slope import SlopeExplorer  # noqa: E402
from helpers.widgets.stepper import BackwardStepper  # noqa: E402


def quiet(factory):
    with contextlib.redirect_stdout(io.StringIO()):
        return factory()


def slope_case(n: int):
    """Arrow-key-like moves of h (a quarter decade each) then of x."""
    half = n // 2
    changes = [("h", 10 ** (-1 - 0.25 * k)) for k in range(half)] + \
              [("x", round(-2.0 + 0.05 * k, 2)) for k in range(n - half)]
    widget = quiet(SlopeExplorer)
    controls = {"h": widget.h_slider, "x": widget.x_slider}
    state = {"h": 0.1, "x": 1.0}

    def fast(name, value):
        controls[name].value = value

    def naive(name, value):
        state[name] = value
        quiet(lambda: SlopeExplorer(x=state["x"], h=state["h"])).view.redraw()

    return changes, fast, naive


def stepper_case(n: int):
    """Next, Next, … to the last node, then Prev back, repeated."""
    X, Y = mlp.make_data(n=1)
    steps = mlp.backward_steps(mlp.init_params(bias=False), X.reshape(-1, 1), Y.reshape(-1, 1), lam=0.1)
    last = len(steps) - 1
    cycle = list(range(1, last + 1)) + list(range(last - 1, -1, -1))
    changes = [("step", cycle[k % len(cycle)]) for k in range(n)]
    widget = quiet(lambda: BackwardStepper(steps))

    def fast(_name, value):
        widget.step = value

    def naive(_name, value):
        fresh = quiet(lambda: BackwardStepper(steps))
        fresh.step = value

    return changes, fast, naive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="changes per widget and version (>= 50)")
    n = max(parser.parse_args().changes, 4)
    rows = []
    for name, case in (("slope explorer (01)", slope_case), ("backward stepper (04)", stepper_case)):
        changes, fast, naive = case(n)
        measure(fast, changes[:3]), measure(naive, changes[:3])  # warm-up
        fast_ms = summary_ms(measure(fast, changes)[0])
        naive_ms = summary_ms(measure(naive, changes)[0])
        verdict = "met" if fast_ms[0] <= 60 and naive_ms[0] / fast_ms[0] >= 3 else "missed"
        rows.append([name, f"{fast_ms[0]:.1f}", f"{fast_ms[1]:.1f}", f"{naive_ms[0]:.1f}", f"{naive_ms[1]:.1f}",
                     f"{naive_ms[0] / fast_ms[0]:.1f}x", verdict])
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}; {n} changes per widget and version")
    print_table(["widget", "median ms", "p95 ms", "naive median ms", "naive p95 ms", "speed-up", "target"], rows)


if __name__ == "__main__":
    main()
