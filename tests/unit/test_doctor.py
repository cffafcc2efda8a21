"""`thce doctor`: checks, JSON shape, exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from thce import doctor
from thce.cli import app

runner = CliRunner()


def test_doctor_json_offline():
    result = runner.invoke(app, ["doctor", "--json", "--offline"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    names = [c["name"] for c in payload["checks"]]
    for name in (
        "python",
        "core_packages",
        "torch",
        "environment",
        "disk",
        "embedded_model",
        "code_databases",
    ):
        assert name in names
    assert payload["ok"] is True
    assert payload["passed"] == sum(c["status"] == "ok" for c in payload["checks"])
    databases = next(c for c in payload["checks"] if c["name"] == "code_databases")
    assert databases["data"]["ICD10"] > 90_000


def test_doctor_table_summary():
    result = runner.invoke(app, ["doctor", "--offline"])
    assert result.exit_code == 0, result.output
    assert "Summary:" in result.output and "checks passed" in result.output


def test_missing_env_vars_are_warnings_never_values():
    result = doctor.check_env_vars({"OPENAI_API_KEY": "sk-secret-value"})
    assert result.status == "warn"
    assert "sk-secret-value" not in json.dumps(result.__dict__)
    assert result.data["OPENAI_API_KEY"] is True and result.data["HF_TOKEN"] is False


def test_missing_required_package_fails(monkeypatch):
    result = doctor.check_packages("core", ("definitely-not-installed-pkg",), True, "")
    assert result.status == "fail" and "definitely-not-installed-pkg" in result.detail
    optional = doctor.check_packages("api", ("definitely-not-installed-pkg",), False, "api")
    assert optional.status == "warn" and ".[api]" in optional.detail


def test_required_failure_exits_1(monkeypatch):
    monkeypatch.setattr(
        doctor, "check_python", lambda: doctor.CheckResult("python", "fail", "too old", True)
    )
    result = runner.invoke(app, ["doctor", "--offline"])
    assert result.exit_code == 1


def test_hub_offline_env_is_warning(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert doctor.check_hub().status == "warn"
    monkeypatch.delenv("HF_HUB_OFFLINE")
    unreachable = doctor.check_hub(timeout=0.2, host="127.0.0.1.invalid")
    assert unreachable.status == "warn"


def test_disk_threshold(tmp_path, monkeypatch):
    assert doctor.check_disk(tmp_path).status == "ok"
    monkeypatch.setattr(doctor, "MIN_FREE_DISK_GB", 1e12)
    assert doctor.check_disk(tmp_path).status == "fail"
