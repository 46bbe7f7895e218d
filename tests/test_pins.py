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
