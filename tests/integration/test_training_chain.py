"""Stage 1 -> 2 -> 3 really train on the tiny model, each stage loading the previous output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from thce.training.config import load_config
from thce.training.run import METRICS_FILE, RESOLVED_CONFIG_FILE, train
from thce.training.validate import validate_config

# One worker runs this module: its module fixture (a trained chain) is built once.
pytestmark = pytest.mark.xdist_group("training_chain")

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "post_training" / "config"


def _weights(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))


def _changed(before: dict, after: dict) -> list[str]:
    import torch

    changed = []
    for name, tensor in before.items():
        new = after[name]
        if new.shape != tensor.shape:
            rows = min(new.shape[0], tensor.shape[0])
            new, tensor = new[:rows], tensor[:rows]
        if not torch.equal(new, tensor):
            changed.append(name)
    return changed


@pytest.fixture(scope="module")
def chain(tmp_path_factory, training_data, tiny_model_dir):
    """Run the three shipped configs on thce:tiny for 2 steps each."""
    root = tmp_path_factory.mktemp("chain")
    results = {}
    previous = "thce:tiny"
    for stage in (1, 2, 3):
        results[stage] = train(
            CONFIGS / f"thce_stage_{stage}.yaml",
            overrides=[f"model={previous}", f"dataset.path={training_data[stage]}"],
            output_dir=root / f"stage_{stage}",
            profile="smoke",
        )
        previous = str(root / f"stage_{stage}")
    return root, results


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_each_stage_trains_and_changes_parameters(chain, tiny_model_dir, stage):
    root, results = chain
    result = results[stage]
    metrics = result.metrics
    assert metrics["steps"] == 2
    assert metrics["stage_type"] == ("dpo" if stage == 3 else "sft")
    losses = [p["loss"] for p in metrics["loss_curve"] if "loss" in p]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    assert math.isfinite(metrics["final_train_loss"])
    assert metrics["tokens_per_second"] > 0
    base = tiny_model_dir if stage == 1 else root / f"stage_{stage - 1}"
    assert metrics["model"] == ("thce:tiny" if stage == 1 else str(base))
    changed = _changed(_weights(base), _weights(result.output_dir))
    assert len(changed) >= 10, changed


def test_stage_outputs_are_complete_and_rerunnable(chain):
    root, _ = chain
    for stage in (1, 2, 3):
        out = root / f"stage_{stage}"
        for name in ("config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"):
            assert (out / name).is_file(), (stage, name)
        metrics = json.loads((out / METRICS_FILE).read_text())
        assert metrics["dataset"]["truncation"]["dropped"] == 0
        assert metrics["wall_time_s"] > 0
        resolved = yaml.safe_load((out / RESOLVED_CONFIG_FILE).read_text())
        assert resolved["trainer"]["output_dir"] == str(out)
        assert resolved["trainer"]["max_steps"] == 2
        # The resolved config is itself a valid config (it reruns the same stage).
        report = validate_config(out / RESOLVED_CONFIG_FILE)
        assert report.valid, [str(p) for p in report.problems]
    assert "{% generation %}" in (root / "stage_3" / "chat_template.jinja").read_text()


def test_think_tokens_added_in_stage_2_and_kept_in_stage_3(chain):
    from transformers import AutoConfig, AutoTokenizer

    root, results = chain
    assert results[1].metrics["added_tokens"] == []
    assert results[2].metrics["added_tokens"] == ["<think>", "</think>"]
    assert results[2].metrics["embeddings_resized"] is True
    assert results[3].metrics["added_tokens"] == []
    tokenizer = AutoTokenizer.from_pretrained(root / "stage_3")
    config = AutoConfig.from_pretrained(root / "stage_3")
    assert tokenizer.convert_tokens_to_ids("<think>") < config.vocab_size
    assert tokenizer.pad_token == "<|endoftext|>" and tokenizer.eos_token == "<|im_end|>"
    assert config.eos_token_id == tokenizer.eos_token_id


def test_dpo_stage_logs_preference_rewards(chain):
    _, results = chain
    curve = results[3].metrics["loss_curve"]
    assert all("rewards/margins" in point for point in curve)


def test_resume_from_last_checkpoint(tmp_path, training_data):
    config = CONFIGS / "thce_stage_1.yaml"
    common = [
        "model=thce:tiny",
        f"dataset.path={training_data[1]}",
        "trainer.save_strategy=steps",
        "trainer.save_steps=1",
    ]
    first = train(config, [*common, "trainer.max_steps=1"], output_dir=tmp_path, profile="smoke")
    assert first.resumed_from is None and (tmp_path / "checkpoint-1").is_dir()
    second = train(config, [*common, "trainer.max_steps=2"], output_dir=tmp_path, profile="smoke")
    assert second.resumed_from.endswith("checkpoint-1")
    assert second.metrics["steps"] == 2
    fresh = train(
        config, [*common, "trainer.max_steps=1"], output_dir=tmp_path, profile="smoke", resume=False
    )
    assert fresh.resumed_from is None


def test_dry_run_builds_everything_without_training(tmp_path, training_data):
    config = load_config(
        CONFIGS / "thce_stage_3.yaml",
        overrides=["model=thce:tiny", f"dataset.path={training_data[3]}"],
    )
    result = train(config, profile="smoke", output_dir=tmp_path / "dry", dry_run=True)
    assert result.dry_run and result.metrics["train_examples"] == 4
    assert result.metrics["added_tokens"] == ["<think>", "</think>"]
    assert not (tmp_path / "dry" / "model.safetensors").exists()
