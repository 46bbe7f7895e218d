"""How many learners a server holds: 1, 5, 10 and 20 simulated learners on a loopback JupyterHub
each open a lesson and run all of it at once, through the hub (proxy, their own single-user
server, a kernel); the same as a class pressing Run All together.

    .venv/bin/python benchmarks/classroom.py [--learners 1 5 10 20] [--lesson 08] [--time-limit 1200]

Bounded: at most 20 learners, 127.0.0.1 only, a time limit for the whole run (levels not reached
in time are skipped, and so is a level the free memory cannot hold with a margin). Needs the
teacher's packages and the proxy (see docs/teaching.md). For each level it reports:

* per-learner peak memory: the learner's single-user server + kernel, each its resident
  high-water mark (VmHWM, counting shared library pages for everyone: an upper bound), and the
  proportional share (PSS) when the lesson is done, which splits shared pages between learners;
* the hub's own (hub + proxy) peak;
* time to the first output and to Run All done, from opening the lesson (kernel start included),
  p50/p95, and their ratio to one learner alone (the 1-learner level); the load average beside;
* CPU seconds per lesson (kernel + server during the run); and server start (ask → ready).

Then the figures for course_tools/classroom/capacity.py and the capacity table derived from them.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from common import machine, percentile, print_table  # noqa: E402  (common puts the repo on sys.path)
from course_tools.classroom import capacity, teacher_env
from course_tools.classroom.hub import loopback_hub, wait_gone
from course_tools.classroom.hub_client import Learner
from course_tools.lessons import find_lesson

MAX_LEARNERS = 20
COURSE_FOLDER = "backprop-step-by-step/notebooks"
MEMORY_MARGIN = 1.5  # start a level only if free memory holds its learners 1.5 × over
FIRST_GUESS_MIB = 1024  # per learner, before anything was measured


def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))


def pss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))


def cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def servers_by_user(hub) -> dict[str, psutil.Process]:
    found = {}
    for proc in hub.processes():
        try:
            if "jupyterhub-singleuser" in " ".join(proc.cmdline()):
                found[proc.environ().get("JUPYTERHUB_USER", "")] = proc
        except psutil.Error:
            continue
    return found


def kernel_of(server: psutil.Process) -> psutil.Process:
    kernels = [p for p in server.children(recursive=True) if "ipykernel_launcher" in " ".join(p.cmdline())]
    if len(kernels) != 1:
        raise RuntimeError(f"expected one kernel under server {server.pid}, found {len(kernels)}")
    return kernels[0]


def run_level(hub, learners: list[Learner], lesson: Path, deadline: float) -> dict:
    asked = [learner.request_server() for learner in learners]  # the class arrives at once
    starts = [learner.start_server(asked=when, timeout=max(10.0, deadline - time.monotonic()))
              for learner, when in zip(learners, asked)]
    servers = servers_by_user(hub)
    cpu_before = {l.name: cpu_s(servers[l.name]) for l in learners}
    load_before = os.getloadavg()[0]

    async def everyone():
        jobs = [l.run_notebook(f"{COURSE_FOLDER}/{lesson.name}") for l in learners]
        return await asyncio.wait_for(asyncio.gather(*jobs), max(10.0, deadline - time.monotonic()))

    results = asyncio.run(everyone())
    load_after = os.getloadavg()[0]
    rows = []
    for learner, result in zip(learners, results):
        if result.errors:
            raise RuntimeError(f"{learner.name}: the lesson failed: {result.errors}")
        server = servers[learner.name]
        kernel = kernel_of(server)
        rows.append({"peak": (status_kib(server.pid, "VmHWM") + status_kib(kernel.pid, "VmHWM")) / 1024,
                     "pss": (pss_kib(server.pid) + pss_kib(kernel.pid)) / 1024,
                     "cpu": cpu_s(kernel) + cpu_s(server) - cpu_before[learner.name],
                     "first": result.first_output_s, "done": result.done_s})
    hub_procs = [p for p in hub.processes() if p.pid == hub.process.pid or "configurable-http-proxy" in " ".join(p.cmdline())]
    hub_peak = sum(status_kib(p.pid, "VmHWM") for p in hub_procs) / 1024
    kernels = [kernel_of(servers[l.name]) for l in learners]
    for learner in learners:
        learner.stop_server()
    wait_gone(kernels)
    return {"rows": rows, "starts": starts, "hub_peak": hub_peak, "load": (load_before, load_after)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--lesson", default="08", help="lesson to run (default 08, the heaviest in memory)")
    parser.add_argument("--time-limit", type=float, default=1200, help="seconds for the whole run (default 1200)")
    args = parser.parse_args()
    levels = sorted(set(args.learners))
    if not levels or levels[0] < 1 or levels[-1] > MAX_LEARNERS:
        parser.error(f"--learners must be between 1 and {MAX_LEARNERS}")
    problems = teacher_env.problems(proxy=True)
    if problems:
        print("; ".join(problems), file=sys.stderr)
        return 2
    lesson = find_lesson(args.lesson)
    if lesson is None:
        parser.error(f"--lesson {args.lesson!r} names no lesson")
    deadline = time.monotonic() + args.time_limit
    names = [f"learner{i:02d}" for i in range(1, levels[-1] + 1)]
    root = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    measured, per_learner_mib = {}, FIRST_GUESS_MIB
    try:
        with loopback_hub(root / "hub", names, teacher_env.proxy_executable()) as hub:
            learners = [Learner(hub.url, name, hub.password) for name in names]
            for learner in learners:
                folder = hub.home(learner.name) / COURSE_FOLDER
                folder.mkdir(parents=True)
                shutil.copy(lesson, folder / lesson.name)
                learner.log_in()
            for n in levels:
                free = psutil.virtual_memory().available / 2**20
                if n * per_learner_mib * MEMORY_MARGIN > free:
                    print(f"skipping {n} learners: {free:.0f} MiB free, {n} × {per_learner_mib:.0f} MiB × "
                          f"{MEMORY_MARGIN} needed")
                    continue
                if time.monotonic() > deadline - 30:
                    print(f"skipping {n} learners: the time limit is reached")
                    continue
                print(f"running {n} learner(s) …", flush=True)
                measured[n] = run_level(hub, learners[:n], lesson, deadline)
                per_learner_mib = max(r["peak"] for r in measured[n]["rows"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if not measured:
        print("nothing measured")
        return 1
    report(measured, lesson)
    return 0


def report(measured: dict, lesson: Path) -> None:
    alone = measured.get(1) or measured[min(measured)]
    alone_first = statistics.median(r["first"] for r in alone["rows"])
    alone_done = statistics.median(r["done"] for r in alone["rows"])
    print(f"\nMachine: {machine()}, {psutil.virtual_memory().total / 2**30:.0f} GiB; {dt.date.today()}; "
          f"lesson {lesson.stem}")
    rows = []
    for n, level in measured.items():
        r = level["rows"]
        peaks, pss = [x["peak"] for x in r], [x["pss"] for x in r]
        first, done, cpu = [x["first"] for x in r], [x["done"] for x in r], [x["cpu"] for x in r]
        rows.append([str(n), f"{statistics.median(peaks):.0f} / {max(peaks):.0f}", f"{statistics.median(pss):.0f}",
                     f"{level['hub_peak']:.0f}",
                     f"{statistics.median(first):.1f} / {percentile(first, 95):.1f}",
                     f"{statistics.median(first) / alone_first:.1f}",
                     f"{statistics.median(done):.1f} / {percentile(done, 95):.1f}",
                     f"{statistics.median(done) / alone_done:.1f}",
                     f"{statistics.median(cpu):.1f}",
                     f"{statistics.median(level['starts']):.1f} / {percentile(level['starts'], 95):.1f}",
                     f"{level['load'][0]:.1f} → {level['load'][1]:.1f}"])
    print_table(["learners", "peak MiB p50 / max", "PSS MiB p50", "hub MiB", "first output s p50 / p95", "÷ alone",
                 "Run All done s p50 / p95", "÷ alone", "CPU s / lesson", "server start s p50 / p95",
                 "load average"], rows)
    top = max(measured)
    figures = capacity.Measured(
        date=str(dt.date.today()), machine=machine(), lesson=lesson.stem, learners=top,
        per_learner_peak_mib=round(max(x["peak"] for level in measured.values() for x in level["rows"]), 1),
        hub_peak_mib=round(max(level["hub_peak"] for level in measured.values()), 1),
        cpu_s_per_lesson=round(statistics.median(x["cpu"] for level in measured.values() for x in level["rows"]), 2))
    print("\nFigures for course_tools/classroom/capacity.py:")
    print(f"MEASURED = {figures!r}")
    print(f"Per-user limits: {capacity.limits(figures)}")
    print(capacity.capacity_table(figures))


if __name__ == "__main__":
    sys.exit(main())
