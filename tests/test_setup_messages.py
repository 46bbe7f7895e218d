"""When set-up cannot go on, the learner gets a few lines saying what happened and what to do,
never a traceback: no network, a proxy, a distrusted certificate, a read-only folder, a full disk.
pip runs for real against an index on 127.0.0.1 that refuses connections (or through a proxy
there); what cannot be caused safely (a full disk, a read-only file system for root) is simulated
with pip's or the operating system's own error."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.launcher import ROOT, closed_port, launcher_copy, load_course, offline_env

course = load_course()
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def root(tmp_path):
    return launcher_copy(tmp_path / "course")


@pytest.fixture
def refused_port(monkeypatch):
    """pip reads no configuration here, and its only index is a port that refuses connections."""
    with closed_port() as sock:
        port = sock.getsockname()[1]
        for name in list(os.environ):
            if name.upper().startswith("PIP_") or name.lower().endswith("_proxy"):
                monkeypatch.delenv(name)
        for name, value in offline_env(port, base={}).items():
            monkeypatch.setenv(name, value)
        yield port


@pytest.fixture
def this_python_as_venv(root, monkeypatch):
    """.venv 'is' the running Python (it has pip): set-up goes straight to pip install, and pip,
    which finds nothing it could install, changes nothing here."""
    (root / ".venv").mkdir()
    monkeypatch.setattr(course, "venv_python", lambda env_dir, windows=False: Path(sys.executable))


def setup_error(root) -> str:
    with pytest.raises(course.SetupError) as caught:
        course.setup(root)
    message = str(caught.value)
    assert "Traceback" not in message and len(message.splitlines()) <= 3, message
    assert not (root / ".venv" / course.STAMP_NAME).exists()
    return message


def test_no_network(root, refused_port, this_python_as_venv):
    message = setup_error(root)
    assert message.startswith("Set-up stopped: pip could not reach the package index"), message
    assert "run the same command again" in message


def test_a_proxy_that_refuses(root, refused_port, this_python_as_venv, monkeypatch):
    proxy = f"http://ada:s3cret@127.0.0.1:{refused_port}"
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.course-test.invalid/simple")
    message = setup_error(root)
    assert message.startswith("Set-up stopped: pip could not get through the proxy"), message
    assert f"http://127.0.0.1:{refused_port} (HTTPS_PROXY)" in message
    assert "s3cret" not in message, "the proxy's password must not be printed"


FAKE_PIP = textwrap.dedent('''
    import sys
    text = sys.argv[1]
    log = sys.argv[sys.argv.index("--log") + 1] if "--log" in sys.argv else None
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(text + "\\n")
    sys.stderr.write(text + "\\n")
    sys.exit(1)
''')
PIP_SAYS = {  # pip's own words (pip 23), each the line that tells what happened
    "disk full": "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device",
    "certificate": "Could not fetch URL https://pypi.org/simple/torch/: There was a problem confirming the ssl "
                   "certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: "
                   "/simple/torch/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
                   "certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)'))) - skipping",
    "read-only": "ERROR: Could not install packages due to an OSError: [Errno 30] Read-only file system: "
                 "'/course/.venv/lib/python3.11/site-packages/torch'",
    "no wheel": "ERROR: Could not find a version that satisfies the requirement torch==2.13.0 (from versions: none)\n"
                "ERROR: No matching distribution found for torch==2.13.0",
}


@pytest.mark.parametrize("case, start", [
    ("disk full", "Set-up stopped: the disk is full"),
    ("certificate", "Set-up stopped: pip did not trust the certificate"),
    ("read-only", "Set-up stopped: pip cannot write in"),
    ("no wheel", "Set-up stopped: pip found no torch==2.13.0 for this computer"),
])
def test_pip_failures_are_explained_from_its_log(root, tmp_path, case, start):
    fake = tmp_path / "fake_pip.py"
    fake.write_text(FAKE_PIP)
    with pytest.raises(course.SetupError) as caught:
        course.run_pip([sys.executable, str(fake), PIP_SAYS[case]], root)
    assert str(caught.value).startswith(start), str(caught.value)


def test_a_proxy_from_pips_configuration_is_named_as_such(root, monkeypatch):
    for name in course.PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    message = course.explain_pip_failure("ProxyError('Cannot connect to proxy.')", 1, None, root)
    assert message == course.PROXY_FROM_CONFIG


def test_an_unexplained_pip_failure_points_at_its_log(root, tmp_path, monkeypatch):
    fake = tmp_path / "fake_pip.py"
    fake.write_text(FAKE_PIP)
    monkeypatch.setattr(course, "low_on_disk", lambda folder: False)
    with pytest.raises(course.SetupError) as caught:
        course.run_pip([sys.executable, str(fake), "ERROR: something new"], root)
    message = str(caught.value)
    assert message.startswith("Set-up stopped: pip failed (exit status 1)")
    log = Path(message.split("full log is in ")[1].split(". ")[0])
    assert "something new" in log.read_text()
    log.unlink()


def test_a_nearly_full_disk_is_named_when_pip_says_nothing_clear(root, tmp_path, monkeypatch):
    fake = tmp_path / "fake_pip.py"
    fake.write_text(FAKE_PIP)
    monkeypatch.setattr(course, "low_on_disk", lambda folder: True)
    with pytest.raises(course.SetupError, match="the disk is full"):
        course.run_pip([sys.executable, str(fake), "ERROR: something new"], root)


class RefusingEnvBuilder:
    """venv.EnvBuilder whose create() fails as the operating system would."""
    error = None

    def __init__(self, **kwargs):
        pass

    def create(self, env_dir):
        raise OSError(self.error, os.strerror(self.error), str(env_dir))


@pytest.mark.parametrize("code, words", [
    (errno.EROFS, "cannot write in {root} (a read-only file system)"),
    (errno.EACCES, "cannot write in {root} (permission denied)"),
    (errno.EPERM, "cannot write in {root} (permission denied)"),
    (errno.ENOSPC, "the disk is full"),
])
def test_creating_the_venv_fails_clearly(root, monkeypatch, code, words):
    monkeypatch.setattr(RefusingEnvBuilder, "error", code)
    monkeypatch.setattr(course.venv, "EnvBuilder", RefusingEnvBuilder)
    assert words.format(root=root) in setup_error(root)


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs a POSIX user whom permissions bind (not root)")
def test_a_read_only_checkout_for_real(root):
    root.chmod(0o555)
    try:
        assert f"cannot write in {root}" in setup_error(root)
    finally:
        root.chmod(0o755)


def test_the_launcher_prints_the_message_without_a_traceback(root, monkeypatch, capsys):
    def stopped(root, teacher=False):
        raise course.SetupError(course.NETWORK)

    monkeypatch.setattr(course, "setup", stopped)
    assert course.main(["lab"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == course.NETWORK


def test_an_interrupted_setup_says_how_to_finish_it(monkeypatch, capsys):
    def interrupted(root, teacher=False):
        raise KeyboardInterrupt

    monkeypatch.setattr(course, "setup", interrupted)
    assert course.main(["setup"]) == 130
    assert "run the same command again" in capsys.readouterr().err.lower()


def test_offline_first_run_end_to_end(root, refused_port):
    """The whole first run, as a learner without network starts it: .venv is created (for real),
    pip fails, the last lines say why, and there is no traceback."""
    result = subprocess.run([sys.executable, str(root / "course.py"), "setup"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=240)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Set-up stopped: pip could not reach the package index")
    assert (root / ".venv").is_dir() and not (root / ".venv" / course.STAMP_NAME).exists()
