"""`thce config validate` and `thce train` through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from thce.cli import app

runner = CliRunner()
BROKEN = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "broken_configs"


def _config(tmp_path: Path, data_path: Path, **extra) -> Path:
    data = {"stage": {"number": 1}, "model": "thce:tiny", "dataset": str(data_path), **extra}
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_validate_valid_config_exits_0(tmp_path, training_data):
    result = runner.invoke(app, ["config", "validate", str(_config(tmp_path, training_data[1]))])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_invalid_config_lists_every_problem_and_exits_1():
    result = runner.invoke(app, ["config", "validate", str(BROKEN / "out_of_range.yaml")])
    assert result.exit_code == 1
    for field in ("learning_rate", "beta", "per_device_train_batch_size", "num_train_epochs"):
        assert f"trainer.{field}" in result.output


def test_validate_json_and_set(tmp_path, training_data):
    path = _config(tmp_path, training_data[1])
    result = runner.invoke(
        app, ["config", "validate", str(path), "--json", "--set", "trainer.learning_rte=0.1"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["valid"] is False
    assert payload["problems"][0]["field"] == "trainer.learning_rte"
    assert "did you mean 'learning_rate'" in payload["problems"][0]["message"]


def test_validate_several_configs(tmp_path, training_data):
    good = _config(tmp_path, training_data[1])
    result = runner.invoke(
        app, ["config", "validate", str(good), str(BROKEN / "yaml_syntax.yaml"), "--json"]
    )
    assert result.exit_code == 1
    assert [r["valid"] for r in json.loads(result.output)] == [True, False]


def test_train_dry_run(tmp_path, training_data):
    path = _config(tmp_path, training_data[1])
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["train", str(path), "--profile", "smoke", "--dry-run", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert not (out / "model.safetensors").exists()


def test_train_bad_config_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["train", str(BROKEN / "typo_trainer_key.yaml")])
    assert result.exit_code == 2
    assert "did you mean 'learning_rate'" in result.output


def test_train_missing_previous_stage_output_says_what_to_run(tmp_path, training_data):
    path = _config(
        tmp_path,
        training_data[2],
        stage={"number": 2, "init_from_stage": 1},
        chat_template="stage_2",
        model=str(tmp_path / "outputs" / "stage_1"),
    )
    result = runner.invoke(app, ["train", str(path)])
    assert result.exit_code == 2
    assert "run stage 1 first" in result.output
