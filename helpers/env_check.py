"""Is this machine ready for the course? A ✓/✗ report with a fix for every ✗.

    python -m helpers.env_check      # prints the report; exit status 1 if a required item fails

Each check imports what it needs itself, so a missing package (torch, matplotlib,
ipywidgets, …) becomes a ✗ line with the fix, never an ImportError traceback. Nothing here
needs a display: the figure is drawn off-screen.
"""
from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import dataclass, field
from typing import Callable

from helpers.i18n import N_, join_list, message, translate

def _min_python() -> tuple[int, int] | None:
    """pyproject.toml's requires-python (its one home), read from the installed package's metadata;
    None when that record is missing (a broken install must still get its report, not a crash)."""
    try:
        spec = importlib.import_module("importlib.metadata").metadata("backprop-helpers")["Requires-Python"]
        major, minor = spec.strip().lstrip(">=").strip().split(".")[:2]
        return int(major), int(minor)
    except Exception:  # not installed, or no/odd Requires-Python
        return None


MIN_PYTHON = _min_python()
PYTHON_FIX = N_("install Python {minimum} or newer, then run `python3 course.py setup` with it")
SETUP_FIX = N_("run `python3 course.py setup` from the course folder (or `pip install -r requirements.txt`)")


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def mark(self) -> str:
        if self.ok:
            return "✓"
        return "✗" if self.required else "–"

    def line(self) -> str:
        text = message("{mark} {name}: {detail}", mark=self.mark, name=self.name, detail=self.detail)
        return text if self.ok or not self.fix else message("{line}\n    fix: {fix}", line=text, fix=self.fix)


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every required check passed (optional ones, such as a GPU, may fail)."""
        return all(c.ok for c in self.checks if c.required)

    def failed(self) -> list[str]:
        return [c.name for c in self.checks if c.required and not c.ok]

    def __str__(self) -> str:
        lines = [c.line() for c in self.checks]
        lines.append(message("All required checks passed: you are ready for lesson 01.") if self.ok
                     else message("{n} required check(s) failed: {names}. "
                                  "Apply the fixes above, restart the kernel, and run this again.",
                                  n=len(self.failed()), names=join_list(self.failed())))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _module(name: str):
    """Import a module, or None when it is missing or broken (the caller reports it)."""
    try:
        return importlib.import_module(name)
    except Exception:
        return None


def check_python() -> Check:
    version = platform.python_version()
    if MIN_PYTHON is None:
        return Check("Python", False, message("{version} ({system}); the course package is not installed, "
                                              "so its minimum Python is unknown", version=version,
                                              system=platform.system()), fix=translate(SETUP_FIX))
    ok = sys.version_info[:2] >= tuple(MIN_PYTHON)
    return Check("Python", ok, f"{version} ({platform.system()})",
                 fix=message(PYTHON_FIX, minimum="{}.{}".format(*MIN_PYTHON)))


def check_torch() -> Check:
    torch = _module("torch")
    if torch is None:
        return Check("PyTorch", False, translate("not installed"), fix=translate(SETUP_FIX))
    return Check("PyTorch", True, message("{version}, {build} build", version=torch.__version__,
                                          build=torch_build(torch)))


def torch_build(torch) -> str:
    if getattr(torch.version, "cuda", None):
        return f"CUDA {torch.version.cuda}"
    if getattr(torch.version, "hip", None):
        return f"ROCm {torch.version.hip}"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_built():
        return "MPS (Apple)"
    return "CPU"


def check_device() -> Check:
    torch = _module("torch")
    if torch is None:
        return Check(translate("device"), False, translate("unknown without PyTorch"), fix=translate(SETUP_FIX),
                     required=False)
    if torch.cuda.is_available():
        return Check(translate("device"), True, message("cuda ({gpu}): later lessons run there",
                                                        gpu=torch.cuda.get_device_name(0)), required=False)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return Check(translate("device"), True,
                     translate("cpu (an Apple GPU is present; lessons use the CPU for float64 checks)"), required=False)
    return Check(translate("device"), True, translate("cpu: every lesson runs in seconds without a GPU"),
                 required=False)


def check_autograd() -> Check:
    torch = _module("torch")
    if torch is None:
        return Check(translate("autograd"), False, translate("needs PyTorch"), fix=translate(SETUP_FIX))
    x = torch.tensor(3.0, requires_grad=True)
    (x ** 2).backward()
    got = float(x.grad)
    ok = got == 6.0
    if ok:
        return Check(translate("autograd"), ok, message("d/dx x² at x = 3 is {got:g}", got=got))
    return Check(translate("autograd"), ok, message("d/dx x² at x = 3 is {got:g} (expected 6)", got=got),
                 fix=message("reinstall PyTorch: {fix}", fix=translate(SETUP_FIX)))


def check_matplotlib() -> Check:
    matplotlib = _module("matplotlib")
    if matplotlib is None:
        return Check("matplotlib", False, translate("not installed"), fix=translate(SETUP_FIX))
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(2, 1))
        fig.add_subplot().plot([0, 1], [0, 1])
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        width, height = canvas.get_width_height()
    except Exception as exc:
        return Check("matplotlib", False, message("{version} cannot draw ({error_type}: {error})",
                                                  version=matplotlib.__version__, error_type=type(exc).__name__,
                                                  error=exc), fix=translate(SETUP_FIX))
    return Check("matplotlib", True, message("{version}, drew a {width}×{height} px test figure",
                                             version=matplotlib.__version__, width=width, height=height))


def check_package(name: str, label: str | None = None, required: bool = True) -> Check:
    module = _module(name)
    label = label or name
    if module is None:
        return Check(label, False, translate("not installed"), fix=translate(SETUP_FIX), required=required)
    version = getattr(module, "__version__", None)
    return Check(label, True, translate("installed") if version is None else version, required=required)


def check_widgets() -> Check:
    widgets = _module("ipywidgets")
    if widgets is None:
        return Check("ipywidgets", False, translate("not installed: sliders will not work"), fix=translate(SETUP_FIX))
    front_end = _distribution_version("jupyterlab_widgets")
    if front_end is None:
        return Check("ipywidgets", False, message("{version}, but JupyterLab's widget front end "
                                                  "(jupyterlab_widgets) is missing", version=widgets.__version__),
                     fix=translate(SETUP_FIX))
    return Check("ipywidgets", True, message("{version} with front end jupyterlab_widgets {front_end}",
                                             version=widgets.__version__, front_end=front_end))


def _distribution_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


CHECKS: tuple[Callable[[], Check], ...] = (
    check_python,
    check_torch,
    check_device,
    lambda: check_package("numpy", "NumPy"),
    check_matplotlib,
    check_widgets,
    lambda: check_package("sympy", "SymPy"),
    check_autograd,
)


def run_checks() -> Report:
    """Run every check; a check that crashes is itself reported as a ✗, never raised."""
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a broken install must still give a readable report
            name = translate(getattr(check, "__name__", "check").replace("check_", ""))  # "device" → 设备
            results.append(Check(name, False, message("check crashed: {error_type}: {error}",
                                                      error_type=type(exc).__name__, error=exc),
                                 fix=translate(SETUP_FIX)))
    return Report(tuple(results))


def main() -> int:
    report = run_checks()
    print(translate("Backprop Step by Step: environment check"))
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
