"""How fast do the lessons' widgets answer a change? Lesson 01's slope explorer, lesson 03's
engine stepper, lesson 06's backward stepper and lesson 08's depth explorer.

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
from helpers.engine import Value, random_program, run_program  # noqa: E402
from helpers.widgets.depth_explorer import DepthExplorer  # noqa: E402
from helpers.widgets.engine_stepper import EngineStepper  # noqa: E402
from helpers.widgets.slope import SlopeExplorer  # noqa: E402
from helpers.widgets.stepper import BackwardStepper  # noqa: E402


def quiet(factory):
    with contextlib.redirect_stdout(io.StringIO()):
        return factory()


def slider_case(factory, changes, defaults, build=None):
    """A widget built once whose controls get `changes` [(name, value)], against a fresh widget
    `build(state)` (default `factory(**state)`) for every change; `defaults`: the starting state."""
    widget = quiet(factory)
    state = dict(defaults)
    build = build or (lambda st: factory(**st))

    def fast(name, value):
        getattr(widget, CONTROLS[factory][name]).value = value

    def naive(name, value):
        state[name] = value
        quiet(lambda: build(state))  # builds its figure and shows the first picture

    return changes, fast, naive


def slope_case(n: int):
    """Arrow-key-like moves of h (a quarter decade each) then of x."""
    half = n // 2
    changes = [("h", 10 ** (-1 - 0.25 * k)) for k in range(half)] + \
              [("x", round(-2.0 + 0.05 * k, 2)) for k in range(n - half)]
    return slider_case(SlopeExplorer, changes, {"x": 1.0, "h": 0.1})


def depth_case(n: int):
    """Arrow-key moves of the depth slider (20 → 35 and back), then of the gain slider."""
    half = n // 2
    changes = [("depth", 20 + k if k < 15 else 50 - k) for k in range(half)] + \
              [("gain", 10 ** (0.05 * (k % 10))) for k in range(n - half)]
    def build(state):
        fresh = DepthExplorer(depth=state["depth"])
        fresh.gain.value = state["gain"]  # no gain argument: a second picture when it is not 1
        return fresh

    return slider_case(DepthExplorer, changes, {"depth": 20, "gain": 1.0}, build)


def position_case(make, n: int):
    """Next, Next, … to the last position, then back to the first, repeated; naive: a new
    widget for every change. `make()` returns (widget, its number of positions − 1, set position)."""
    widget, last, go = make()
    cycle = list(range(1, last + 1)) + list(range(last - 1, -1, -1))
    changes = [("step", cycle[k % len(cycle)]) for k in range(n)]

    def fast(_name, value):
        go(widget, value)

    def naive(_name, value):
        fresh, _, go_fresh = make()
        go_fresh(fresh, value)

    return changes, fast, naive


def backward_stepper():
    X, Y = mlp.make_data(n=1)
    steps = mlp.backward_steps(mlp.init_params(bias=False), X.reshape(-1, 1), Y.reshape(-1, 1), lam=0.1)
    return quiet(lambda: BackwardStepper(steps)), len(steps) - 1, lambda w, k: setattr(w, "step", k)


def engine_stepper():
    """A seeded random expression of lesson 03's engine (14 Values)."""
    root = run_program(random_program(seed=1, n_ops=4), [Value(0.5), Value(-1.0), Value(2.0)])
    widget = quiet(lambda: EngineStepper(root))
    return widget, len(widget.steps), lambda w, k: setattr(w, "position", k)


CONTROLS = {SlopeExplorer: {"h": "h_slider", "x": "x_slider"}, DepthExplorer: {"depth": "depth", "gain": "gain"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="changes per widget and version (>= 50)")
    n = max(parser.parse_args().changes, 4)
    rows = []
    cases = (("slope explorer (01)", slope_case), ("engine stepper (03)", lambda k: position_case(engine_stepper, k)),
             ("backward stepper (06)", lambda k: position_case(backward_stepper, k)), ("depth explorer (08)", depth_case))
    for name, case in cases:
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
