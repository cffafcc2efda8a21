"""Core helpers: atomic IO, JSONL streaming, logging levels, shipped resources, errors in the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from thce import io as thce_io
from thce.cli import app
from thce.errors import DataError
from thce.logging import resolve_level, setup_logging
from thce.resources import cache_dir, output_dir, shipped_path, thce_home

runner = CliRunner()


def test_atomic_write_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "out.json"
    thce_io.write_json(target, {"a": 1})
    with pytest.raises(RuntimeError), thce_io.atomic_write(target) as handle:
        handle.write("partial")
        raise RuntimeError("boom")
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_iter_jsonl_reports_bad_lines_and_goes_on(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n\nnot json\n[1, 2]\n{"b": 2}\n')
    rows = list(thce_io.iter_jsonl(path))
    assert [r[0] for r in rows] == [1, 3, 4, 5]
    assert rows[0][1] == {"a": 1} and rows[0][3] is None
    assert rows[1][1] is None and "invalid JSON" in rows[1][3]
    assert rows[2][1] is None and "expected a JSON object" in rows[2][3]
    assert rows[3][1] == {"b": 2}


def test_write_jsonl_counts(tmp_path):
    assert thce_io.write_jsonl(tmp_path / "y.jsonl", ({"i": i} for i in range(3))) == 3
    assert len((tmp_path / "y.jsonl").read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("verbose", "quiet", "env", "expected"),
    [
        (True, False, {}, "DEBUG"),
        (False, True, {}, "WARNING"),
        (False, False, {"THCE_LOG_LEVEL": "error"}, "ERROR"),
        (False, False, {"THCE_LOG_LEVEL": "nonsense"}, "INFO"),
        (False, False, {}, "INFO"),
    ],
)
def test_resolve_level(verbose, quiet, env, expected):
    assert resolve_level(verbose, quiet, env) == expected


def test_setup_logging_file_sink(tmp_path):
    from loguru import logger

    log_file = tmp_path / "logs" / "thce.log"
    setup_logging("WARNING", log_file=log_file)
    logger.debug("debug line goes to the file only")
    setup_logging("INFO")
    assert "debug line goes to the file only" in log_file.read_text()


def test_dirs_follow_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("THCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("THCE_CACHE_DIR", raising=False)
    assert thce_home() == tmp_path / "home"
    assert cache_dir() == tmp_path / "home" / "cache"
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.setenv("THCE_OUTPUT_DIR", str(tmp_path / "o"))
    assert output_dir() == tmp_path / "o"
    monkeypatch.delenv("THCE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert thce_home() == tmp_path / "xdg" / "thce"


def test_shipped_paths_exist():
    assert shipped_path("code_databases", "icd10cm.json.gz").exists()
    assert shipped_path("configs", "pipeline.yaml").exists()
    with pytest.raises(Exception, match="Unknown shipped area"):
        shipped_path("nope")


def test_version_and_help():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "thce" in result.output
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "codes",
        "data",
        "config",
        "train",
        "eval",
        "analyze",
        "generate",
        "pipeline",
        "doctor",
    ):
        assert command in result.output


def test_user_error_is_one_line_exit_2(monkeypatch):
    import thce.cli as cli

    @cli.app.command("raise-for-test", hidden=True)
    def _boom() -> None:
        raise DataError("data/x.jsonl line 3: field 'messages' missing; add it")

    try:
        result = runner.invoke(cli.app, ["raise-for-test"])
        assert result.exit_code == 2
        assert "line 3" in result.output and "Traceback" not in result.output
        result = runner.invoke(cli.app, ["--verbose", "raise-for-test"])
        assert result.exit_code == 2 and "Traceback" in result.output
    finally:
        cli.app.registered_commands = [
            c for c in cli.app.registered_commands if c.name != "raise-for-test"
        ]


def test_help_does_not_import_torch():
    code = "import sys, thce.cli; sys.exit(1 if 'torch' in sys.modules or 'transformers' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_atomic_write_uses_normal_permissions(tmp_path):
    import os

    target = tmp_path / "perm.json"
    thce_io.write_json(target, {})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_library_import_logs_nothing_until_setup_logging():
    """Used as a library, THCE's DEBUG records (which may quote narratives) stay silent."""
    # loguru names a record after the calling module's __name__: run the calls "inside" thce.
    code = (
        "import thce\n"
        "from loguru import logger\n"
        "from thce.logging import setup_logging\n"
        "as_thce = {'__name__': 'thce.example', 'logger': logger}\n"
        "exec(\"logger.debug('hidden')\", as_thce)\n"
        "setup_logging('DEBUG')\n"
        "exec(\"logger.debug('shown')\", as_thce)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "hidden" not in result.stderr
    assert "shown" in result.stderr
