"""The one settings layer (thce.config): every config kind reads, explains and resolves alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from thce.config import (
    explain,
    fields_at,
    format_loc,
    line_map,
    load_yaml_model,
    path_candidates,
    resolve_path,
)
from thce.errors import THCEError
from thce.resources import REPO_ROOT


def _load_data(path: Path) -> None:
    from thce.data.config import load_data_config

    load_data_config(path)


def _load_training(path: Path) -> None:
    from thce.training.config import load_config

    load_config(path)


def _load_pipeline(path: Path) -> None:
    from thce.pipeline import load_pipeline_config

    load_pipeline_config(path)


def _load_profiles(path: Path) -> None:
    from thce.training.profiles import load_profiles

    load_profiles(str(path))


def _load_settings(path: Path) -> None:
    from thce.generation.settings import GenerateSettings
    from thce.settings import load_settings

    load_settings(GenerateSettings, path, {})


# Each kind: its loader, the name its errors use, a file whose line 3 holds a misspelt key,
# the key path and the suggestion the error must name.
KINDS = {
    "data": (
        _load_data,
        "data config",
        "name: t\ndatasets:\n  - {name: s, source_path: x.jsonl, entrys: 3}\n",
        "datasets[0].entrys",
        "entries",
    ),
    "training": (
        _load_training,
        "training config",
        "stage: {number: 1}\nmodel: thce:tiny\ndataset: {max_exemples: 3}\n",
        "dataset.max_exemples",
        "max_examples",
    ),
    "pipeline": (
        _load_pipeline,
        "pipeline config",
        "data: {stage_1: a, stage_2: b, stage_3: c}\ntraining: {stage_1: a, stage_2: b, stage_3: c}\n"
        "evaluation: {test_data: t, train_data: t, batch_sise: 4}\n",
        "evaluation.batch_sise",
        "batch_size",
    ),
    "profiles": (
        _load_profiles,
        "profiles file",
        "profiles:\n  mine:\n    stage_l: [trainer.max_steps=1]\n",
        "profiles.mine.stage_l",
        "stage_1",
    ),
    "settings": (
        _load_settings,
        "settings file",
        "model: gpt-4o\noutput: o.jsonl\ncuont: 5\n",
        "cuont",
        "count",
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_config_kind_names_file_line_key_and_suggestion(kind, tmp_path):
    load, what, text, key, hint = KINDS[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(THCEError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"invalid {what} {path}: "), message
    assert re.search(
        rf"line 3, {re.escape(key)}: unknown [^;]*; did you mean '{hint}'\?", message
    ), message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_config_kind_reports_yaml_syntax_and_missing_files_alike(kind, tmp_path):
    load, what, *_ = KINDS[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_text("name: x\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(THCEError, match=rf"invalid {what} .*: YAML syntax error at line 3"):
        load(path)
    with pytest.raises(THCEError, match=rf"{what} not found: .*nope.yaml \(check the path\)"):
        load(tmp_path / "nope.yaml")
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(THCEError, match="expected a mapping of keys"):
        load(path)


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int = 1


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[_Inner] = []
    named: dict[str, _Inner] = {}
    maybe: _Inner | None = None


def test_explain_walks_lists_dicts_and_optionals_for_suggestions(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text(
        "items:\n  - {size: 2}\n  - {sise: 3}\nnamed:\n  a: {size: x}\nmaybe: {sizes: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(THCEError) as info:
        load_yaml_model(_Outer, path, what="demo")
    lines = str(info.value).splitlines()
    assert lines[0] == f"invalid demo {path}: 3 problems"
    assert (
        "  - line 3, items[1].sise: unknown key; did you mean 'size'? (valid keys: size)" in lines
    )
    assert any(
        line.startswith("  - line 5, named.a.size: Input should be a valid integer")
        for line in lines
    )
    assert "  - line 6, maybe.sizes: unknown key; did you mean 'size'? (valid keys: size)" in lines
    assert fields_at(_Outer, ("named", "a", "oops")) == ["size"]
    assert fields_at(_Outer, ("nothing", "oops")) == []
    assert format_loc(("items", 0, "function-after[x]", "size")) == "items[0].size"
    assert line_map("a:\n  - b: 1\n")["a[0].b"] == 2
    assert explain(_Outer, _validation_error(), {}) != []


def _validation_error():
    from pydantic import ValidationError

    try:
        _Outer.model_validate({"items": "no"})
    except ValidationError as exc:
        return exc
    raise AssertionError("expected a validation error")


def test_one_path_search_for_every_config(tmp_path, monkeypatch):
    """Absolute; else the config's folder, the working directory, the repository root, the
    package's shipped copy."""
    config_dir, cwd = tmp_path / "cfg", tmp_path / "cwd"
    config_dir.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    (config_dir / "both.jsonl").write_text("")
    (cwd / "both.jsonl").write_text("")
    (cwd / "here.jsonl").write_text("")
    assert resolve_path("both.jsonl", config_dir) == config_dir / "both.jsonl"
    assert resolve_path("here.jsonl", config_dir) == cwd / "here.jsonl"
    assert resolve_path("pyproject.toml", config_dir) == REPO_ROOT / "pyproject.toml"
    assert resolve_path(tmp_path / "abs.jsonl", config_dir) == tmp_path / "abs.jsonl"
    shipped = resolve_path("data/examples/test_hard.jsonl", config_dir)
    assert shipped.is_file() and shipped.name == "test_hard.jsonl"
    # Nothing found: the first candidate, so an error names where the file was expected.
    assert resolve_path("missing.jsonl", config_dir) == config_dir / "missing.jsonl"
    assert path_candidates("missing.jsonl", None)[0] == cwd / "missing.jsonl"
