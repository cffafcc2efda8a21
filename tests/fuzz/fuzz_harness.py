"""Run one ``thce`` command on bad input in a sandbox and check that it failed well.

Each case runs in-process (``CliRunner``) in a fresh temporary folder that is also the
working directory and ``$THCE_HOME``, with the hub offline. After the run:

- the exit code is 0, 1 or 2, and no exception other than ``SystemExit`` escaped;
- no traceback was printed (``-v`` is never passed);
- every file created or changed lies under one of the case's declared outputs;
- no temporary file (``*.tmp``, a write probe) is left anywhere;
- on exit 2 (refused input) no file at all was created or changed.

Cases are counted per command (``CASES``) for the summary line of the fuzz suite.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from thce.cli import app
from thce.resources import cache_dir, thce_home

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
# Applied to the fuzz tests only (``@fuzz_settings``), never to other hypothesis tests.
settings.register_profile("thce-fuzz-default", max_examples=3, derandomize=True, **_COMMON)
settings.register_profile("thce-fuzz-ci", max_examples=120, **_COMMON)
PROFILE = "ci" if os.environ.get("THCE_FUZZ_PROFILE", "").lower() == "ci" else "default"
fuzz_settings = settings.get_profile(f"thce-fuzz-{PROFILE}")

CASES: Counter[str] = Counter()
_CACHE = cache_dir()
_RETRIEVAL_CACHE = thce_home() / "retrieval"
_runner = CliRunner()
_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "NO_COLOR": "1",
    "COLUMNS": "200",
}
_UNSET = ("THCE_OUTPUT_DIR", "THCE_LOG_FILE", "OPENAI_API_KEY", "ANTHROPIC_API_KEY")


@dataclass
class Case:
    """A command line run in a sandbox: ``files`` are created first (relative paths, or
    ``None`` for a folder); ``outputs`` are the relative paths it may write."""

    command: str
    args: list[str]
    files: dict[str, bytes | None] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    exit_code: int
    output: str
    changed: list[str]


def _snapshot(root: Path) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            try:
                found[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
            except OSError:
                found[rel] = "unreadable"
        for name in dirs:
            found.setdefault((Path(folder) / name).relative_to(root).as_posix() + "/", "dir")
    return found


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    """A temporary working directory and ``$THCE_HOME``, hub offline."""
    with tempfile.TemporaryDirectory(prefix="thce-fuzz-") as tmp:
        root = Path(tmp)
        # A fresh $THCE_HOME, but the session's cache (code databases, models): warm and
        # outside the sandbox, so a cache write never counts as a stray output.
        env = {**_ENV, "THCE_HOME": str(root / "home"), "THCE_CACHE_DIR": str(_CACHE)}
        # The retrieval index cache lives in $THCE_HOME/retrieval: link the session's warm
        # one in (os.walk does not enter the link, so its writes are not outputs).
        (root / "home").mkdir()
        _RETRIEVAL_CACHE.mkdir(parents=True, exist_ok=True)
        (root / "home" / "retrieval").symlink_to(_RETRIEVAL_CACHE, target_is_directory=True)
        with contextlib.chdir(root), mock.patch.dict(os.environ, env):
            for name in _UNSET:
                os.environ.pop(name, None)
            yield root


def _allowed(rel: str, outputs: list[str]) -> bool:
    rel = rel.rstrip("/")
    return any(rel == out.rstrip("/") or rel.startswith(out.rstrip("/") + "/") for out in outputs)


def run_case(case: Case) -> Outcome:
    """Run ``case`` and assert the invariants of the module docstring."""
    with sandbox() as root:
        for rel, content in case.files.items():
            path = root / rel
            if content is None:
                path.mkdir(parents=True, exist_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        before = _snapshot(root)
        result = _runner.invoke(app, case.args)
        after = _snapshot(root)
    CASES[case.command] += 1
    output = result.output
    where = f"`thce {' '.join(case.args)}`"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{where} raised {result.exception!r}\n{trace}\n{output}")
    assert result.exit_code in (0, 1, 2), f"{where} exited {result.exit_code}:\n{output}"
    assert "Traceback (most recent call last)" not in output, f"{where} printed:\n{output}"
    changed = sorted(
        rel for rel, digest in after.items() if before.get(rel) != digest and digest != "dir"
    )
    leftovers = [rel for rel in after if rel.endswith(".tmp") or ".thce-write-check-" in rel]
    assert not leftovers, f"{where} left temporary files {leftovers}:\n{output}"
    stray = [rel for rel in changed if not _allowed(rel, case.outputs)]
    assert not stray, f"{where} wrote outside its outputs {case.outputs}: {stray}\n{output}"
    if result.exit_code == 2:
        assert not changed, f"{where} failed (exit 2) but wrote {changed}:\n{output}"
    return Outcome(result.exit_code, output, changed)
