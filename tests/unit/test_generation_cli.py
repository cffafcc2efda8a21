"""`thce generate` command: dry runs, estimates, summaries and stops (no network)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.generation import cli as gen_cli
from thce.generation.generator import GenerationSummary, Generator

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def test_help_lists_the_options():
    result = runner.invoke(app, ["generate", "--help"])
    assert result.exit_code == 0
    for option in (
        "--stage",
        "--count",
        "--model",
        "--output",
        "--dry-run",
        "--estimate-cost",
        "--max-cost",
        "--base-url",
        "--resume",
        "--code-types",
        "--specialties",
    ):
        assert option in result.output


def test_dry_run_prints_configuration_and_a_prompt():
    result = runner.invoke(
        app,
        [
            "generate",
            "--stage",
            "3",
            "--count",
            "7",
            "--model",
            "claude-sonnet-4-5",
            "--output",
            "s3.jsonl",
            "--dry-run",
            "--seed",
            "4",
            "--code-types",
            "CPT",
            "--specialties",
            "cardiology",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "anthropic" in result.output and "CPT 100%" in result.output
    assert "Sample prompt" in result.output and "rejected_code" in result.output
    assert "cardiology" in result.output and "no request was sent" in result.output


def test_dry_run_estimate_as_json():
    result = runner.invoke(
        app,
        [
            "generate",
            "--count",
            "100",
            "--model",
            "gpt-4o-mini",
            "--output",
            "o.jsonl",
            "--dry-run",
            "--estimate-cost",
            "--json",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["requests"] == 100
    assert data["price_input_per_1m"] == 0.15 and data["price_output_per_1m"] == 0.6
    per = (data["prompt_tokens_per_example"] * 0.15 + data["output_tokens_per_example"] * 0.6) / 1e6
    assert data["total_usd"] == pytest.approx(100 * per)


def test_estimate_for_a_model_without_price():
    result = runner.invoke(
        app,
        [
            "generate",
            "--model",
            "my-vllm-model",
            "--output",
            "o.jsonl",
            "--dry-run",
            "--estimate-cost",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "unknown" in result.output


def _fake_run(summary_changes):
    def run(self):
        for key, value in summary_changes.items():
            setattr(self.summary, key, value)
        if summary_changes.get("raise"):
            raise summary_changes["raise"]
        return self.summary

    return run


def test_summary_table_and_max_cost_notice(monkeypatch):
    monkeypatch.setattr(Generator, "run", _fake_run({"accepted": 3, "stopped": "max_cost"}))
    result = runner.invoke(
        app,
        ["generate", "--count", "5", "--model", "gpt-4o", "--output", "o.jsonl", "--max-cost", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "Generation summary" in result.output and "max_cost" in result.output
    assert "Stopped at the --max-cost ceiling" in result.output


def test_too_many_rejects_exits_1(monkeypatch):
    monkeypatch.setattr(Generator, "run", _fake_run({"stopped": "max_attempts", "requests": 25}))
    result = runner.invoke(app, ["generate", "--model", "gpt-4o", "--output", "o.jsonl"])
    assert result.exit_code == 1
    assert "too many replies were rejected" in result.output


def test_ctrl_c_keeps_work_and_exits_130(monkeypatch):
    monkeypatch.setattr(Generator, "run", _fake_run({"accepted": 2, "raise": KeyboardInterrupt()}))
    result = runner.invoke(app, ["generate", "--model", "gpt-4o", "--output", "o.jsonl"])
    assert result.exit_code == 130
    assert "Interrupted" in result.output and "run the same command again" in result.output


def test_summary_table_lists_reasons():
    summary = GenerationSummary(
        "o.jsonl", "r.jsonl", 1, "m", "openai", 1, 10, existing=2, accepted=5, cost_known=False
    )
    summary.rejected.update({"not_json": 2, "quality_phi": 1})
    table = gen_cli.summary_table(summary)
    rendered = " ".join(str(cell) for column in table.columns for cell in column._cells)
    assert "not_json" in rendered and "quality_phi" in rendered and "7 of 10" in rendered
    assert "unknown" in rendered


# ------------------------------------------------------------------ --config FILE
def _dry(*args: str):
    return runner.invoke(app, ["generate", "--dry-run", "--seed", "1", *args])


FROM_FILE = (
    "stage",
    "count",
    "provider",
    "output",
    "resume",
    "code types",
    "code pool",
    "max cost",
)


def test_config_file_sets_options_and_the_command_line_wins(tmp_path):
    config = tmp_path / "generate.yaml"
    config.write_text(
        "stage: 2\ncount: 500\nmodel: claude-sonnet-4-5\noutput: from_file.jsonl\n"
        "code_types: CPT\nmax_cost: 5\nresume: false\ncode_pool: all\n"
    )
    result = _dry("--config", str(config), "--count", "50")
    assert result.exit_code == 0, result.output
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in result.output.splitlines()]
    rows = {
        row[0]: row[1]
        for row in cells
        if len(row) == 2 and row[0] and row[0] not in ("model", "seed")
    }
    assert rows == {
        "stage": "2",
        "count": "50",  # the command line wins over the file's 500
        "provider": "anthropic",
        "output": "from_file.jsonl",
        "resume": "no",
        "code types": "CPT 100%",
        "code pool": "all",
        "max cost": "$5.00",
    } | {k: v for k, v in rows.items() if k not in FROM_FILE}
    assert "no request was sent" in result.output


def test_an_option_typed_with_its_default_value_still_wins(tmp_path):
    config = tmp_path / "generate.yaml"
    config.write_text("stage: 3\nmodel: gpt-4o\noutput: o.jsonl\n")
    result = _dry("--config", str(config), "--stage", "1", "--estimate-cost", "--json")
    assert result.exit_code == 0, result.output
    assert "stage │ 1" in " ".join(result.output.split())


def test_settings_fields_are_the_generator_fields():
    import dataclasses

    from thce.generation.generator import GenerationConfig
    from thce.generation.settings import GenerateSettings

    fields = {f.name for f in dataclasses.fields(GenerationConfig)}
    assert set(GenerateSettings.model_fields) <= fields
    config = GenerateSettings(model="gpt-4o", output="o.jsonl", provider="openai")
    assert config.to_generation_config().provider == "openai"
    assert config.to_generation_config().code_pool == "common"


def test_unknown_config_key_names_file_line_and_suggestion(tmp_path):
    config = tmp_path / "generate.yaml"
    config.write_text("model: gpt-4o\noutput: o.jsonl\ncuont: 5\nmax-cost: 2\n")
    result = _dry("--config", str(config))
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"invalid settings file {config}: 2 problems" in text
    assert "- line 3, cuont: unknown key; did you mean 'count'?" in text
    assert "- line 4, max-cost: unknown key; did you mean 'max_cost'?" in text


def test_bad_config_value_and_missing_setting(tmp_path):
    config = tmp_path / "generate.yaml"
    config.write_text("model: gpt-4o\n\nstage: 4\n")
    result = _dry("--config", str(config))
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"invalid settings {config}: 2 problems" in text
    assert "- line 3, stage: Input should be less than or equal to 3 (got 4)" in text
    assert "- output: required setting is missing: pass --output or set 'output:' in" in text
    # Without a file the message asks for the option only.
    result = _dry("--model", "gpt-4o")
    assert result.exit_code == 2
    assert "output: required setting is missing: pass --output" in " ".join(result.output.split())


def test_config_file_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("model: [gpt-4o\n")
    result = _dry("--config", str(broken))
    assert result.exit_code == 2
    assert "YAML syntax error at line 2, column 1" in " ".join(result.output.split())
    listed = tmp_path / "list.yaml"
    listed.write_text("- model\n")
    result = _dry("--config", str(listed))
    assert result.exit_code == 2
    assert "expected a mapping of keys at the top, got list" in " ".join(result.output.split())
    result = _dry("--config", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "not found" in result.output
