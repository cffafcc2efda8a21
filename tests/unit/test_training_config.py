"""Training configs: overrides, parsing, TRL introspection, ranges, shipped and broken configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from thce.config import read_yaml, suggest
from thce.errors import ConfigError
from thce.training.args import effective_trainer_args, platform_problems
from thce.training.config import TrainConfig, load_config, resolve_data_path
from thce.training.overrides import apply_overrides, parse_override
from thce.training.profiles import PROFILES, profile_overrides
from thce.training.trainer_checks import trainer_fields
from thce.training.validate import validate_config

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "fixtures" / "broken_configs"


def _write(tmp_path: Path, data: dict, name: str = "cfg.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _minimal(data_path: Path, **extra) -> dict:
    return {"stage": {"number": 1}, "model": "thce:tiny", "dataset": str(data_path), **extra}


# --------------------------------------------------------------------------- overrides


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trainer.max_steps=20", (["trainer", "max_steps"], 20)),
        ("trainer.learning_rate=1e-5", (["trainer", "learning_rate"], 1e-5)),
        ("trainer.packing=true", (["trainer", "packing"], True)),
        ("special_tokens=[<a>, <b>]", (["special_tokens"], ["<a>", "<b>"])),
        ("model=outputs/stage_1", (["model"], "outputs/stage_1")),
        ("trainer.save_strategy='no'", (["trainer", "save_strategy"], "no")),
        ("tokenizer=", (["tokenizer"], None)),
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("bad", ["trainer.max_steps", "trainer..x=1", "=3"])
def test_parse_override_rejects_malformed(bad):
    with pytest.raises(ConfigError, match="--set"):
        parse_override(bad)


def test_apply_overrides_makes_scalar_sections_mappings_and_copies():
    data = {"model": "thce:tiny", "trainer": {"max_steps": 5}}
    out = apply_overrides(data, ["model.dtype=bfloat16", "trainer.max_steps=7", "lora.r=8"])
    assert out["model"] == {"name_or_path": "thce:tiny", "dtype": "bfloat16"}
    assert out["trainer"]["max_steps"] == 7
    assert out["lora"] == {"r": 8}
    assert data["trainer"]["max_steps"] == 5  # the input is untouched
    with pytest.raises(ConfigError, match="is a value, not a section"):
        apply_overrides({"trainer": {"seed": 1}}, ["trainer.seed.x=1"])


# --------------------------------------------------------------------------- parsing


def test_scalar_and_mapping_sections_parse_the_same(training_data, tmp_path):
    cfg = load_config(_write(tmp_path, _minimal(training_data[1], tokenizer="thce:tiny")))
    assert cfg.model.name_or_path == "thce:tiny"
    assert cfg.tokenizer.name_or_path == "thce:tiny"
    assert cfg.stage.type == "sft" and cfg.stage_type == "sft"
    assert cfg.dataset_path() == training_data[1]
    assert cfg.output_dir == Path("outputs/stage_1")


def test_stage_defaults_and_init_from_stage_order(tmp_path, training_data):
    data = _minimal(training_data[1], stage={"number": 3})
    assert load_config(_write(tmp_path, data)).stage_type == "dpo"
    data = _minimal(training_data[1], stage={"number": 2, "init_from_stage": 2})
    with pytest.raises(ConfigError, match="must be an earlier stage"):
        load_config(_write(tmp_path, data))


def test_yaml_strings_like_1e_5_become_floats(tmp_path, training_data):
    path = tmp_path / "cfg.yaml"
    path.write_text(
        f"stage: {{number: 1}}\nmodel: thce:tiny\ndataset: {training_data[1]}\n"
        "trainer:\n  learning_rate: 1e-5\n  save_strategy: no\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert cfg.trainer["learning_rate"] == pytest.approx(1e-5)
    assert cfg.trainer["save_strategy"] == "no"


def test_trainer_values_are_checked_by_building_trls_config_class():
    """Types come from TRL's own annotations, rules from TRL's __post_init__; the project adds
    only the ranges TRL accepts but that are always mistakes."""
    from thce.training.trainer_checks import check_trainer_section

    lines = {"trainer.save_strategy": 7, "trainer.max_steps": 8}
    values, problems = check_trainer_section(
        {"max_steps": 2.0, "learning_rate": "3e-4", "save_strategy": False}, "sft", lines
    )
    assert problems == []
    assert values == {"max_steps": 2, "learning_rate": 3e-4, "save_strategy": "no"}
    assert type(values["max_steps"]) is int
    # TRL's own rule, translated: the key, its line, TRL's words.
    _, problems = check_trainer_section({"save_strategy": "sometimes"}, "sft", lines)
    assert [str(p) for p in problems] == [
        "line 7, trainer.save_strategy: TRL's SFTConfig rejected the settings: sometimes is not a valid "
        "SaveStrategy, please select one of ['no', 'steps', 'epoch', 'best']"
    ]
    _, problems = check_trainer_section({"max_steps": 2.5}, "sft", lines)
    assert str(problems[0]).startswith("line 8, trainer.max_steps: Input should be a valid integer")
    # A single string where DPOConfig takes a list is what TRL itself accepts.
    values, problems = check_trainer_section({"loss_type": "apo_zero"}, "dpo")
    assert problems == [] and values["loss_type"] == ["apo_zero"]
    _, problems = check_trainer_section({"max_steps": 0, "learning_rate": 2.0}, "sft")
    assert {p.path for p in problems} == {"trainer.max_steps", "trainer.learning_rate"}
    # Every problem at once: an unknown key, a wrong type, and TRL's own rule on another key.
    _, problems = check_trainer_section(
        {"learning_rte": 1e-4, "max_steps": 2.5, "save_strategy": "sometimes"}, "sft"
    )
    assert [p.path for p in problems] == [
        "trainer.learning_rte",
        "trainer.max_steps",
        "trainer.save_strategy",
    ]


def test_read_yaml_reports_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("stage:\n  number: 1\n model: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 3, column 2"):
        read_yaml(path)
    with pytest.raises(ConfigError, match="not found"):
        read_yaml(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        read_yaml(tmp_path / "list.yaml")


def test_trainer_fields_come_from_trl_by_introspection():
    import dataclasses

    from trl import DPOConfig, SFTConfig

    sft = trainer_fields("sft")
    assert set(sft) == {f.name for f in dataclasses.fields(SFTConfig) if f.init}
    assert "assistant_only_loss" in sft and "beta" not in sft
    assert {"beta", "loss_type"} <= set(trainer_fields("dpo"))
    assert len(trainer_fields("dpo")) == len([f for f in dataclasses.fields(DPOConfig) if f.init])


def test_suggest_typos():
    assert suggest("learning_rte", list(trainer_fields("sft"))) == "learning_rate"
    assert suggest("zzzzzz", ["learning_rate"]) is None


def test_all_problems_are_collected_in_one_report(tmp_path, training_data):
    data = _minimal(
        training_data[1],
        trainer={"learning_rte": 1e-4, "per_device_train_batch_size": 0, "num_train_epochs": -1},
        lora={"rank": 4},
        extra_section=1,
    )
    report = validate_config(_write(tmp_path, data))
    fields = sorted(p.field for p in report.errors)
    assert fields == [
        "extra_section",
        "lora.rank",
        "trainer.learning_rte",
        "trainer.num_train_epochs",
        "trainer.per_device_train_batch_size",
    ]
    assert not report.valid
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, data))
    assert "5 problems" in str(info.value)


def test_previous_stage_output_is_a_note_not_an_error(tmp_path, training_data):
    data = {
        "stage": {"number": 2, "init_from_stage": 1},
        "model": str(tmp_path / "outputs" / "stage_1"),
        "chat_template": "stage_2",
        "dataset": str(training_data[2]),
    }
    report = validate_config(_write(tmp_path, data))
    assert report.valid, report.problems
    notes = [p for p in report.problems if p.level == "note"]
    assert len(notes) == 1 and "will exist after stage 1" in notes[0].message
    # Without init_from_stage the same missing folder is an error.
    data["stage"] = {"number": 2}
    report = validate_config(_write(tmp_path, data))
    assert [p.field for p in report.errors] == ["model"]


def test_stage_consistency_warnings_do_not_invalidate(tmp_path, training_data):
    data = _minimal(training_data[1], stage={"number": 2}, chat_template="stage_1")
    report = validate_config(_write(tmp_path, data))
    assert report.valid
    assert [p.field for p in report.problems if p.level == "warning"] == ["chat_template"]


def test_validation_of_in_memory_data_and_bad_overrides(training_data):
    report = validate_config(_minimal(training_data[1]), ["trainer.max_steps=3"])
    assert report.valid and report.config.trainer["max_steps"] == 3
    report = validate_config(_minimal(training_data[1]), ["nonsense"])
    assert [p.field for p in report.errors] == ["--set"]


def test_platform_defaults_and_problems(training_data):
    cfg = TrainConfig.model_validate(_minimal(training_data[1]))
    cpu = {"cuda": False, "bf16": False}
    args = effective_trainer_args(cfg, cpu)
    assert args["bf16"] is False and args["assistant_only_loss"] is True
    assert args["report_to"] == "none" and args["output_dir"] == "outputs/stage_1"
    cfg.trainer = {"use_cpu": True}
    assert effective_trainer_args(cfg, cpu)["bf16"] is True
    assert platform_problems({"bf16": True}, cpu)[0][0] == "trainer.bf16"
    assert platform_problems({"fp16": True}, cpu)[0][0] == "trainer.fp16"
    gpu_no_bf16 = {"cuda": True, "bf16": False}
    cfg.trainer = {}
    assert effective_trainer_args(cfg, gpu_no_bf16)["bf16"] is False
    assert platform_problems({"bf16": True}, gpu_no_bf16)
    assert platform_problems({"report_to": "definitely_not_installed_reporter"}, cpu) == []
    assert platform_problems({"deepspeed": "missing_ds.json"}, cpu)[0][0] == "trainer.deepspeed"


def test_resolve_data_path_falls_back_to_config_dir_and_shipped(tmp_path):
    (tmp_path / "local.jsonl").write_text("{}\n")
    assert resolve_data_path("local.jsonl", tmp_path) == tmp_path / "local.jsonl"
    shipped = resolve_data_path("data/examples/sample_stage_1.jsonl", None)
    assert shipped.name == "sample_stage_1.jsonl"
    assert resolve_data_path(tmp_path / "abs.jsonl") == tmp_path / "abs.jsonl"


def test_profiles_are_read_from_the_yaml_file_beside_the_configs(tmp_path):
    from thce.training.profiles import load_profiles, profiles_path

    assert profiles_path() == REPO / "post_training" / "config" / "profiles.yaml"
    # `all` comes first, then the stage's own overrides (later ones win).
    stage_3 = profile_overrides("cpu", 3)
    assert stage_3[:2] == ["trainer.report_to=none", "trainer.per_device_train_batch_size=4"]
    assert stage_3.index("trainer.per_device_train_batch_size=1") > 0
    assert stage_3[-1] == "special_tokens=[]"
    bad = tmp_path / "profiles.yaml"
    bad.write_text("profiles:\n  mine:\n    stage_4: [trainer.max_steps=1]\n")
    with pytest.raises(ConfigError, match=r"profiles.yaml: line 3, profiles.mine.stage_4: unknown"):
        load_profiles(str(bad))
    loop = tmp_path / "loop.yaml"
    loop.write_text("profiles:\n  a: {extends: b}\n  b: {extends: a}\n")
    with pytest.raises(ConfigError, match="extends itself"):
        load_profiles(str(loop))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("profiles:\n  a: {extends: nothing}\n")
    with pytest.raises(ConfigError, match="extends unknown profile 'nothing'"):
        load_profiles(str(unknown))


def test_every_profile_override_is_a_valid_override():

    for name, stages in PROFILES.items():
        for stage, overrides in stages.items():
            for override in overrides:
                parse_override(override)  # raises ConfigError on a malformed line
            assert overrides, (name, stage)


def test_profiles():
    assert set(PROFILES) == {"cpu", "cpu-long", "gpu", "smoke"}
    assert "trainer.max_steps=60" in profile_overrides("cpu", 1)
    assert "trainer.max_steps=8" in profile_overrides("cpu", 2)
    # cpu-long extends cpu: cpu's overrides first, its own 200 steps last (later ones win).
    assert profile_overrides("cpu-long", 1) == [
        *profile_overrides("cpu", 1),
        "trainer.max_steps=200",
    ]
    # The old name still works (an alias), spelt with _ or -.
    assert profile_overrides("cpu_demo", 1) == profile_overrides("cpu", 1)
    assert profile_overrides(None, 1) == []
    with pytest.raises(ConfigError, match="unknown profile 'cpu-lng'; did you mean 'cpu-long'"):
        profile_overrides("cpu-lng", 1)
    with pytest.raises(ConfigError, match="profiles: cpu, cpu-long, gpu, smoke"):
        profile_overrides("turbo", 1)


def test_train_and_pipeline_name_the_same_profiles():
    """One word for a named set of overrides: every pipeline profile is a training profile,
    and `thce train --help` names every one."""
    from thce.cli import app
    from thce.pipeline import load_pipeline_config

    config, _ = load_pipeline_config()
    assert set(config.profiles) <= set(PROFILES)
    result = CliRunner().invoke(app, ["train", "--help"], terminal_width=200)
    for name in PROFILES:
        assert name in result.output


# --------------------------------------------------------------------------- shipped + broken


SHIPPED_TRAINING_CONFIGS = sorted((REPO / "post_training").rglob("thce_stage_*.yaml"))


def test_every_shipped_training_config_is_found():
    names = [p.name for p in SHIPPED_TRAINING_CONFIGS]
    assert names == ["thce_stage_1.yaml", "thce_stage_2.yaml", "thce_stage_3.yaml"]


@pytest.mark.parametrize("path", SHIPPED_TRAINING_CONFIGS, ids=lambda p: p.name)
def test_shipped_training_config_validates(path):
    report = validate_config(path)
    assert report.valid, [str(p) for p in report.problems]
    assert [p for p in report.problems if p.level == "warning"] == []


def test_shipped_configs_keep_the_seed_values():
    stage_1 = load_config(REPO / "post_training/config/thce_stage_1.yaml")
    stage_3 = load_config(REPO / "post_training/config/thce_stage_3.yaml")
    assert stage_1.model.name_or_path == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert stage_3.trainer["beta"] == 0.1
    assert stage_3.trainer["loss_type"] == ["apo_zero", "sft"]
    assert stage_3.trainer["max_grad_norm"] == 0.2
    assert stage_3.trainer["learning_rate"] == 1e-5
    assert stage_3.model.name_or_path == "outputs/stage_2"


def test_every_shipped_config_parameter_is_commented():
    """Each `key: value` line has a comment on the line or right above it."""
    for path in SHIPPED_TRAINING_CONFIGS:
        previous = ""
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            stripped = line.strip()
            is_parameter = (
                stripped and not stripped.startswith(("#", "-")) and not stripped.endswith(":")
            )
            if is_parameter:
                assert "#" in line or previous.startswith("#"), f"{path.name}:{number}: {line!r}"
            if stripped:
                previous = stripped


BROKEN_CONFIGS = sorted(BROKEN.glob("*.yaml"))


def test_broken_config_count():
    assert len(BROKEN_CONFIGS) == 14


@pytest.mark.parametrize("path", BROKEN_CONFIGS, ids=lambda p: p.stem)
def test_broken_config_reports_expected_error(path):
    expected = re.findall(r"^# expect: (.+)$", path.read_text(), flags=re.MULTILINE)
    assert expected, f"{path.name} declares no '# expect:' line"
    report = validate_config(path)
    assert not report.valid
    messages = [f"{p.field}: {p.message}" for p in report.errors]
    for fragment in expected:
        assert any(fragment.strip() in m for m in messages), (fragment, messages)


ACCELERATE_CONFIGS = sorted((REPO / "configs").rglob("accelerate/*.yaml"))


def test_every_accelerate_config_is_found_and_loads():
    from accelerate.commands.config.config_args import load_config_from_file

    kinds = {}
    for path in ACCELERATE_CONFIGS:
        config = load_config_from_file(str(path))
        kinds[path.stem] = (str(config.distributed_type).rsplit(".", 1)[-1], config.num_processes)
        assert config.mixed_precision == "bf16"
    assert kinds == {
        "single_gpu": ("NO", 1),
        "multi_gpu": ("MULTI_GPU", 8),
        "deepspeed_zero2": ("DEEPSPEED", 8),
        "deepspeed_zero3": ("DEEPSPEED", 8),
        "fsdp": ("FSDP", 8),
    }
    zero3 = load_config_from_file(str(REPO / "configs/accelerate/deepspeed_zero3.yaml"))
    assert zero3.deepspeed_config["zero_stage"] == 3
    assert zero3.deepspeed_config["zero3_save_16bit_model"] is True
