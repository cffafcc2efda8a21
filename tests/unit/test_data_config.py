"""Data configs (thce.data.config): shipped configs, validation errors, source paths, hash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from thce.data.config import (
    DataConfig,
    config_hash,
    load_data_config,
    parse_data_config,
    resolve_source_path,
)
from thce.errors import DataError
from thce.resources import REPO_ROOT, shipped_path

SHIPPED = sorted(shipped_path("data_config").glob("*.yaml"))


def minimal(**overrides) -> dict:
    config = {"name": "t", "datasets": [{"name": "s", "source_path": "x.jsonl"}]}
    config.update(overrides)
    return config


def test_every_shipped_config_loads():
    assert [p.name for p in SHIPPED] == [
        "thce_stage_1.yaml",
        "thce_stage_2.yaml",
        "thce_stage_3.yaml",
    ]
    for number, path in enumerate(SHIPPED, start=1):
        config = load_data_config(path)
        assert config.stage == number
        assert config.name == f"thce_stage_{number}"
        source, generated = config.datasets
        assert source.source_path == f"../examples/sample_stage_{number}.jsonl"
        assert source.entries == "all" and source.limit is None
        # Offline synthetic narratives, never of a held-out code, and candidates from retrieval.
        assert generated.synthetic is not None and generated.synthetic.count >= 100
        assert {Path(p).name for p in generated.synthetic.exclude_codes_from} >= {
            "test.jsonl",
            "test_hard.jsonl",
            "dev_hard.jsonl",
        }
        assert config.retrieval is not None
        # The path resolves next to the config, in the repository and in a wheel alike.
        expected = (path.parent / source.source_path).resolve()
        assert (
            expected == (REPO_ROOT / "data" / "examples" / f"sample_stage_{number}.jsonl").resolve()
        )


def test_defaults():
    config = parse_data_config(minimal())
    assert (config.stage, config.test_size, config.seed, config.skip_checks) == (1, 0.2, 42, [])
    source = config.datasets[0]
    assert (source.split, source.entries, source.columns, source.limit) == ("train", None, {}, None)
    assert (
        parse_data_config(minimal(datasets=[{"name": "s", "hub_id": "org/data", "entries": 5}]))
        .datasets[0]
        .limit
        == 5
    )


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        (minimal(nmae="x"), ["nmae: unknown key", "did you mean 'name'?"]),
        (
            minimal(datasets=[{"name": "s", "source_pth": "x"}]),
            ["datasets[0].source_pth: unknown key", "'source_path'"],
        ),
        (minimal(datasets=[{"name": "s"}]), ["datasets[0]", "exactly one of source_path"]),
        (
            minimal(datasets=[{"name": "s", "source_path": "a", "hub_id": "b"}]),
            ["exactly one of source_path"],
        ),
        (
            minimal(datasets=[{"name": "s", "source_path": "a", "entries": 0}]),
            ["datasets[0].entries", "positive"],
        ),
        (
            minimal(datasets=[{"name": "s", "source_path": "a", "entries": "some"}]),
            ["datasets[0].entries"],
        ),
        (
            minimal(datasets=[{"name": "s", "source_path": "a", "columns": {"note": "body"}}]),
            ["maps to unknown column 'body'", "narrative"],
        ),
        (minimal(datasets=[]), ["datasets", "at least 1"]),
        (minimal(test_size=1.0), ["test_size", "less than 1"]),
        (minimal(stage=4), ["stage"]),
        (
            minimal(skip_checks=["phi", "spelling"]),
            ["skip_checks", "unknown check(s) spelling", "valid checks"],
        ),
        (
            minimal(datasets=[{"name": "s", "source_path": "a"}, {"name": "s", "hub_id": "b"}]),
            ["repeated: s"],
        ),
        ({"datasets": [{"name": "s", "source_path": "a"}]}, ["name: required key is missing"]),
    ],
)
def test_errors_name_the_key_path(config, fragments):
    with pytest.raises(DataError) as info:
        parse_data_config(config, "cfg.yaml")
    message = str(info.value)
    assert message.startswith("invalid data config cfg.yaml: ")
    for fragment in fragments:
        assert fragment in message


def test_load_errors(tmp_path):
    with pytest.raises(DataError, match=r"data config not found: .*missing.yaml"):
        load_data_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(
        DataError, match=r"invalid data config .*bad.yaml: YAML syntax error at line 2"
    ):
        load_data_config(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n")
    with pytest.raises(DataError, match="expected a mapping"):
        load_data_config(scalar)


def test_resolve_source_path_order(tmp_path, monkeypatch):
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    config_file = config_dir / "c.yaml"
    (config_dir / "near.jsonl").write_text("")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "here.jsonl").write_text("")
    monkeypatch.chdir(cwd)
    near = parse_data_config(
        minimal(datasets=[{"name": "s", "source_path": "near.jsonl"}])
    ).datasets[0]
    assert resolve_source_path(near, config_file) == config_dir / "near.jsonl"
    here = parse_data_config(
        minimal(datasets=[{"name": "s", "source_path": "here.jsonl"}])
    ).datasets[0]
    assert resolve_source_path(here, config_file) == cwd / "here.jsonl"
    repo = parse_data_config(
        minimal(datasets=[{"name": "s", "source_path": "pyproject.toml"}])
    ).datasets[0]
    assert resolve_source_path(repo, config_file) == REPO_ROOT / "pyproject.toml"
    absolute = parse_data_config(
        minimal(datasets=[{"name": "s", "source_path": str(cwd / "here.jsonl")}])
    ).datasets[0]
    assert resolve_source_path(absolute, config_file) == cwd / "here.jsonl"
    missing = parse_data_config(
        minimal(datasets=[{"name": "s", "source_path": "nope.jsonl"}])
    ).datasets[0]
    with pytest.raises(
        DataError, match=r"dataset 's' in .*c.yaml: source_path 'nope.jsonl' not found \(looked in"
    ):
        resolve_source_path(missing, config_file)


def test_config_hash_is_stable_and_sensitive(tmp_path):
    a = parse_data_config(minimal())
    b = parse_data_config(
        yaml.safe_load(yaml.safe_dump(minimal(seed=42, test_size=0.2)))
    )  # defaults spelled out
    assert config_hash(a) == config_hash(b)
    assert len(config_hash(a)) == 64
    assert config_hash(a) != config_hash(parse_data_config(minimal(seed=1)))


def test_model_is_strict_python_api():
    with pytest.raises(Exception, match="extra"):
        DataConfig(name="x", datasets=[{"name": "s", "source_path": "a"}], extra_key=1)


def test_shipped_configs_are_plain_yaml_mappings():
    for path in SHIPPED:
        data = yaml.safe_load(Path(path).read_text())
        assert {"name", "description", "datasets", "stage", "test_size", "seed"} <= set(data)
