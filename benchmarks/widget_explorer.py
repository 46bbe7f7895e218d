"""How fast does the learning-rate explorer answer a slider change? Prints a small table.

    .venv/bin/python benchmarks/widget_explorer.py [--changes 60]

Both versions run here, in the same process, on the same 60 slider changes (20 each of
learning rate, initial w and epochs, as arrow-key presses would make them), inside an IPython
shell with the inline backend so that displaying a figure really renders a PNG:

* explorer: `helpers.widgets.explorer.LearningRateExplorer` — the closed-form update rule,
  artists moved with set_data, only the changed parts redrawn, one PNG per change;
* naive: on every change a new figure with the same three panels and a fresh run of the
  source program's autograd loop, shown with display(fig) as a notebook would.

The time is Python-side: from setting the slider's value until the cell output holds the new
image (what the browser then draws is not included). Target: median <= 60 ms and >= 3x faster.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import time
import warnings

import matplotlib

matplotlib.use("module://matplotlib_inline.backend_inline")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.display import display  # noqa: E402
from matplotlib_inline.backend_inline import configure_inline_support  # noqa: E402

from common import machine, summary_ms  # noqa: E402  (common puts the repo on sys.path)
from helpers.plotting import new_figure  # noqa: E402
from helpers.training import DATA_X, DATA_Y, cost, epoch_factor  # noqa: E402
from helpers.widgets.explorer import LearningRateExplorer  # noqa: E402


def slider_changes(n: int) -> list[tuple[str, float]]:
    """n changes in three runs: lr up by arrow-key steps, w0 dragged down, epochs dragged up."""
    third = n // 3
    lrs = [10 ** (-2 + 0.05 * (k + 1)) for k in range(third)]
    w0s = [3.0 - 0.5 * (k + 1) for k in range(third)]
    epochs = [100 + 10 * (k + 1) for k in range(n - 2 * third)]
    return [("lr", v) for v in lrs] + [("w0", v) for v in w0s] + [("epochs", v) for v in epochs]


def naive_update(lr: float, w0: float, epochs: int) -> None:
    """New figure and a fresh autograd training loop on every change (the source program's way)."""
    import torch

    w = torch.tensor([w0], dtype=torch.float64, requires_grad=True)
    ws, losses = [w0], []
    for _ in range(epochs):
        for x, y in zip(DATA_X, DATA_Y):
            l = (w * x - y) ** 2
            l.backward()
            w.data = w.data - lr * w.grad.data
            w.grad.data.zero_()
            ws.append(w.item())
        losses.append(l.item())
    with np.errstate(all="ignore"):
        ws_arr = np.clip(np.nan_to_num(np.array(ws)), -40, 40)
        fig, (a, b, c) = new_figure(ncols=3, width=12.8, height=3.7)
        a.plot(np.arange(1, epochs + 1), np.clip(np.nan_to_num(losses, nan=1e12), 1e-32, 1e12))
        a.set(yscale="log", xlabel="epoch", ylabel="loss of the last sample", title=f"loss after {epochs} epochs")
        grid = np.linspace(-12, 16, 400)
        b.plot(grid, cost(grid))
        b.plot(ws_arr, cost(ws_arr), "o-", ms=3)
        b.set(xlim=(-12, 16), ylim=(-40, 1000), xlabel="w", ylabel="cost J(w)", title="path of w")
        lrs = np.logspace(-4, np.log10(0.3), 300)
        c.plot(lrs, [abs(epoch_factor(v)) for v in lrs])
        c.plot([lr], [abs(epoch_factor(lr))], "o")
        c.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="|error factor| per epoch")
    display(fig)
    plt.close(fig)


def measure(apply, changes) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each change (CPU time is less disturbed by other processes)."""
    wall, cpu = [], []
    for name, value in changes:
        start, start_cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            apply(name, value)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="slider changes per version (>= 50)")
    args = parser.parse_args()
    shell = InteractiveShell.instance()
    configure_inline_support(shell, "module://matplotlib_inline.backend_inline")
    warnings.simplefilter("error", RuntimeWarning)
    changes = slider_changes(max(args.changes, 3))

    with contextlib.redirect_stdout(io.StringIO()):
        explorer = LearningRateExplorer()
    sliders = {"lr": explorer.lr, "w0": explorer.w0, "epochs": explorer.epochs}

    def explorer_apply(name, value):
        sliders[name].value = value

    state = {"lr": 0.01, "w0": 3.0, "epochs": 100}

    def naive_apply(name, value):
        state[name] = value
        naive_update(state["lr"], state["w0"], int(state["epochs"]))

    measure(explorer_apply, changes[:3]), measure(naive_apply, changes[:3])  # warm caches and imports
    with contextlib.redirect_stdout(io.StringIO()):
        explorer.lr.value, explorer.w0.value, explorer.epochs.value = 0.01, 3.0, 100
    redraws_before = explorer.view.full_redraws
    fast = measure(explorer_apply, changes)
    slow = measure(naive_apply, changes)

    def row(label, times):
        return f"{label:<10}" + "".join(f"{m:>12.1f}{p:>10.1f}" for m, p in map(summary_ms, times))

    ratio = statistics.median(slow[0]) / statistics.median(fast[0])
    ratio_cpu = statistics.median(slow[1]) / statistics.median(fast[1])
    print(f"Machine: {machine()}")
    print(f"{len(changes)} slider changes each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':<10}{'wall clock':>22}{'CPU time':>22}")
    print(f"{'version':<10}" + f"{'median ms':>12}{'p95 ms':>10}" * 2)
    print(row("explorer", fast))
    print(row("naive", slow))
    print(f"speed-up (median naive / median explorer): {ratio:.1f}x wall clock, {ratio_cpu:.1f}x CPU")
    print(f"full redraws (axis limits changed): {explorer.view.full_redraws - redraws_before} of {len(changes)} changes")
    target = statistics.median(fast[0]) * 1e3 <= 60 and ratio >= 3
    print(f"target (median <= 60 ms and >= 3x): {'met' if target else 'missed'}")


if __name__ == "__main__":
    main()
