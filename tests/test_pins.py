"""requirements.txt and environment.yml must name the same packages at the same exact versions."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([A-Za-z0-9_.+\-]+)$")


def parse_pins(lines):
    pins, loose = {}, []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
        else:
            loose.append(line)
    return pins, loose


def requirements_pins():
    return parse_pins((ROOT / "requirements.txt").read_text().splitlines())


def environment_pins():
    text = (ROOT / "environment.yml").read_text()
    after_pip = text.split("- pip:", 1)
    assert len(after_pip) == 2, "environment.yml needs a `- pip:` list with the pinned packages"
    items = [line.strip()[2:].strip() for line in after_pip[1].splitlines() if line.strip().startswith("- ")]
    return parse_pins(items)


def test_every_requirement_is_pinned_exactly():
    pins, loose = requirements_pins()
    assert not loose, f"requirements.txt has entries without an exact == pin: {loose}"
    assert pins["torch"] == "2.13.0", "torch must stay pinned to 2.13.0 (a newer one pulls a CUDA build)"


def test_environment_yml_agrees_with_requirements():
    req, _ = requirements_pins()
    env, loose = environment_pins()
    assert not loose, f"environment.yml pip entries without an exact == pin: {loose}"
    only_req = sorted(set(req) - set(env))
    only_env = sorted(set(env) - set(req))
    assert not only_req and not only_env, f"only in requirements.txt: {only_req}; only in environment.yml: {only_env}"
    differ = {name: (req[name], env[name]) for name in req if req[name] != env[name]}
    assert not differ, f"versions differ (requirements, environment): {differ}"


def test_environment_yml_uses_python_311_from_conda_forge():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    assert "conda-forge" in text


@pytest.mark.parametrize("text, problem", [
    ("torch>=2.0\n", "torch>=2.0"),
    ("numpy\n", "numpy"),
])
def test_parser_flags_loose_pins(text, problem):
    _, loose = parse_pins(text.splitlines())
    assert loose == [problem]


def test_installed_versions_match_the_pins():
    """The environment the tests run in is the pinned one (catches a stale .venv)."""
    from importlib import metadata

    pins, _ = requirements_pins()
    wrong = {}
    for name, version in pins.items():
        try:
            got = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = "missing"
            continue
        if got.split("+")[0] != version:
            wrong[name] = got
    assert not wrong, f"installed versions differ from requirements.txt: {wrong}"


def test_ci_never_adds_a_second_package_index():
    """Dependency confusion: an extra index could serve any pinned name. CI takes torch alone
    from PyTorch's CPU index (COURSE_TORCH_INDEX_URL, see course.py) and the rest from PyPI."""
    ci_files = [ROOT / ".ci" / "run", ROOT / "requirements.txt", *sorted((ROOT / ".github").rglob("*.yml"))]
    for path in ci_files:
        text = path.read_text().lower()
        assert "extra-index-url" not in text and "extra_index_url" not in text, path
        assert "--index-url" not in text and "find-links" not in text, path
    workflow = "\n".join(p.read_text() for p in (ROOT / ".github").rglob("*.yml"))
    assert "COURSE_TORCH_INDEX_URL: https://download.pytorch.org/whl/cpu" in workflow


# ----------------------------------------------------------------------------- the minimum Python
def declared_minimum() -> tuple[int, int]:
    import tomllib

    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    return lowest_python(spec)


def lowest_python(spec: str) -> tuple[int, int]:
    """The lowest Python 3.x release line a Requires-Python specifier admits (x.y.0 or any x.y.z)."""
    from packaging.specifiers import SpecifierSet

    allowed = SpecifierSet(spec)
    for minor in range(0, 40):
        if any(allowed.contains(f"3.{minor}.{micro}") for micro in range(0, 30)):
            return 3, minor
    raise AssertionError(f"{spec!r} admits no Python 3 release")


@pytest.mark.parametrize("spec, lowest", [(">=3.11", (3, 11)), (">=3.7, <4", (3, 7)), (">=3.10.0", (3, 10)),
                                          ("!=3.0.*,!=3.1.*,>=2.7", (3, 2)), (">=3.11.5", (3, 11))])
def test_lowest_python_reads_specifiers(spec, lowest):
    assert lowest_python(spec) == lowest


def test_minimum_python_is_the_highest_that_the_pins_declare():
    """pyproject.toml's requires-python is derived from the pins: the highest Requires-Python
    minimum among the pinned distributions (read from their installed metadata)."""
    from importlib import metadata

    pins, _ = requirements_pins()
    minima = {name: lowest_python(metadata.metadata(name).get("Requires-Python") or ">=3.0") for name in pins}
    highest = max(minima.values())
    assert declared_minimum() == highest, (
        f"pyproject.toml says >= {declared_minimum()}, the pins need >= {highest}: "
        f"{sorted(n for n, v in minima.items() if v == highest)}")


def test_the_minimum_python_is_said_everywhere():
    """conda/Binder, CI and the README use and name the declared minimum."""
    wanted = "{}.{}".format(*declared_minimum())
    assert re.search(rf"^\s*-\s*python={re.escape(wanted)}\s*$", (ROOT / "environment.yml").read_text(), re.M)
    from tests.test_ci_workflow import python_versions

    assert python_versions()[-1] == wanted, "CI's default Python"
    assert f"Python {wanted} or newer" in (ROOT / "README.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- what the code imports
SCANNED = ["helpers", "course_tools", "tests", "benchmarks", "conftest.py", "course.py"]


def _imported_modules(source: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    return {name.split(".")[0] for name in names}


def third_party_imports() -> dict[str, set[str]]:
    """Top-level modules imported by the course's code and lessons that are neither standard library
    nor the course's own → where they are imported."""
    import sys

    import nbformat

    found: dict[str, set[str]] = {}
    sources = []
    for rel in SCANNED:
        path = ROOT / rel
        for file in (sorted(path.rglob("*.py")) if path.is_dir() else [path]):
            sources.append((file, file.read_text(encoding="utf-8")))
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(nb, as_version=4).cells:
            if cell.cell_type == "code":  # IPython magics and shell lines are not Python
                code = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("%", "!")))
                sources.append((nb, code))
    for file, source in sources:
        for name in _imported_modules(source):
            local = (ROOT / name).is_dir() or (ROOT / f"{name}.py").exists() or (file.parent / f"{name}.py").exists()
            if name not in sys.stdlib_module_names and name != "__future__" and not local:
                found.setdefault(name, set()).add(file.relative_to(ROOT).as_posix())
    return found


def all_pins() -> dict[str, str]:
    """The learners' pins and, where the file exists, the teachers' (requirements-teacher.txt)."""
    pins, _ = requirements_pins()
    teacher = ROOT / "requirements-teacher.txt"
    if teacher.exists():
        pins.update(parse_pins(teacher.read_text().splitlines())[0])
    return pins


def test_every_imported_package_is_pinned():
    """The stored outputs depend on what the code imports: each such distribution is pinned
    (IPython, matplotlib-inline and Pillow were imported but left to float). A module that is not
    installed here (a teacher package in a learner's set-up) must be pinned under its own name."""
    from importlib import metadata

    pins = all_pins()
    owners = metadata.packages_distributions()
    unpinned = {}
    for module, where in sorted(third_party_imports().items()):
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [])} or {module.lower().replace("_", "-")}
        if not dists & set(pins):
            unpinned[module] = (sorted(dists), "installed" if module in owners else "not installed",
                                sorted(where)[:3])
    assert not unpinned, f"imported but not pinned in requirements.txt (or requirements-teacher.txt): {unpinned}"


def test_the_import_scan_sees_the_packages_it_must():
    found = third_party_imports()
    assert {"torch", "numpy", "IPython", "PIL", "matplotlib_inline", "nbformat"} <= set(found)
    assert not {"helpers", "course_tools", "tests", "common"} & set(found), "the course's own modules are not packages"
