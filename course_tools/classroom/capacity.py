"""How many learners a server holds: the measured figures, and the one model that turns them into
per-learner guarantees and limits (written into both deploy configs) and the teachers' capacity table.

The figures come from `benchmarks/classroom.py` (learners running the heaviest lesson at once on a
loopback hub); MEASURED is what it printed, copied here with its date and machine, and
tests/test_classroom_deploy.py checks that deploy/ and docs/teaching.md agree with this model.

Model:
* memory guarantee = the largest per-learner peak seen (single-user server + kernel, resident
  high-water marks, so shared library pages are counted for every learner: an upper bound),
  rounded up to 128 MiB: every learner can run every lesson at once;
* memory limit = 2 × the guarantee: room for a learner's own experiments; a runaway notebook is
  stopped at the limit instead of taking the machine down;
* CPU guarantee = the CPU seconds of one Run All ÷ RUN_ALL_BUDGET_S, rounded up to 0.05 core: the
  whole class pressing Run All together still finishes within the budget on the guaranteed share;
  CPU limit = CPU_LIMIT cores (PyTorch's threads beyond that slow the neighbours);
* learners per machine = (memory − SYSTEM_RESERVE − the hub's own peak) ÷ the memory guarantee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MIB_PER_GIB = 1024
SYSTEM_RESERVE_MIB = 1024  # the operating system, sshd, the page cache a machine needs to stay responsive
RUN_ALL_BUDGET_S = 60.0
CPU_LIMIT = 1.0
MACHINE_SIZES_GIB = (8, 16, 32, 64)


@dataclass(frozen=True)
class Measured:
    """What benchmarks/classroom.py printed (its 'figures for capacity.py' block)."""

    date: str
    machine: str
    lesson: str
    learners: int  # the largest number of learners that ran the lesson at once
    per_learner_peak_mib: float  # max over learners: server + kernel, peak resident
    hub_peak_mib: float  # the hub and its proxy, peak resident
    cpu_s_per_lesson: float  # median CPU seconds of one Run All (kernel + server)


MEASURED = Measured(date="2026-12-07", machine="AMD EPYC, 2 cores, Python 3.11.7, Linux",
                    lesson="08_classification_depth", learners=20, per_learner_peak_mib=565.2,
                    hub_peak_mib=193.7, cpu_s_per_lesson=18.01)


@dataclass(frozen=True)
class Limits:
    mem_guarantee_mib: int
    mem_limit_mib: int
    cpu_guarantee: float
    cpu_limit: float


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def limits(measured: Measured = MEASURED) -> Limits:
    guarantee = int(_round_up(measured.per_learner_peak_mib, 128))
    cpu = round(_round_up(measured.cpu_s_per_lesson / RUN_ALL_BUDGET_S, 0.05), 2)
    return Limits(guarantee, 2 * guarantee, cpu, CPU_LIMIT)


def learners_per_machine(memory_gib: float, measured: Measured = MEASURED) -> int:
    free = memory_gib * MIB_PER_GIB - SYSTEM_RESERVE_MIB - measured.hub_peak_mib
    return max(0, int(free // limits(measured).mem_guarantee_mib))


def capacity_rows(measured: Measured = MEASURED) -> list[list[str]]:
    """machine memory | learners | cores for all of them to Run All at once within the budget."""
    rows = []
    for gib in MACHINE_SIZES_GIB:
        n = learners_per_machine(gib, measured)
        cores = n * measured.cpu_s_per_lesson / RUN_ALL_BUDGET_S
        rows.append([f"{gib} GiB", str(n), f"{cores:.1f}"])
    return rows


def capacity_table(measured: Measured = MEASURED) -> str:
    """The table docs/teaching.md quotes (markdown)."""
    head = ["machine memory", "learners", f"cores for all to Run All at once within {RUN_ALL_BUDGET_S:.0f} s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in capacity_rows(measured)]
    return "\n".join(lines)
