"""Real SmolLM2-135M-Instruct (embedded copy): a few stage-1 steps, then generation stops at <|im_end|>.

Slow (about a minute on 2 CPU cores); run with ``pytest -m slow``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from thce.data.formats import prompt_messages

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NARRATIVES = [
    "62 yo man with type 2 diabetes mellitus, no complications documented, here for a refill.",
    "Established patient seen for a low-complexity follow-up of well controlled hypertension.",
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from thce.training.run import train

    out = tmp_path_factory.mktemp("real") / "stage_1"
    return train(
        REPO / "post_training" / "config" / "thce_stage_1.yaml",
        overrides=[
            "trainer.max_steps=4",
            "trainer.per_device_train_batch_size=4",
            "trainer.gradient_accumulation_steps=1",
            "trainer.learning_rate=1e-4",
            "trainer.warmup_steps=0",
            "trainer.logging_steps=1",
            "trainer.save_strategy='no'",
            "trainer.max_length=384",
        ],
        output_dir=out,
    )


def test_real_model_trains_a_few_steps(trained):
    metrics = trained.metrics
    # The shipped config names the hub id; offline it resolves to the embedded copy.
    assert metrics["model"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert metrics["steps"] == 4
    losses = [p["loss"] for p in metrics["loss_curve"] if "loss" in p]
    assert len(losses) == 4 and all(math.isfinite(v) for v in losses)
    assert metrics["tokens_per_second"] > 0
    assert (trained.output_dir / "model.safetensors").stat().st_size > 400_000_000


def test_trained_model_generation_stops_at_im_end(trained):
    import torch

    from thce.models import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(str(trained.output_dir))
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert tokenizer.eos_token_id == eos
    assert model.generation_config.eos_token_id in (eos, [eos])
    for narrative in NARRATIVES:
        inputs = tokenizer.apply_chat_template(
            prompt_messages(narrative, 1),
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        with torch.no_grad():
            output = model.generate(**inputs, max_new_tokens=64, do_sample=False)
        new_tokens = output[0, inputs["input_ids"].shape[1] :].tolist()
        assert new_tokens[-1] == eos, tokenizer.decode(new_tokens)
        assert len(new_tokens) < 64
        assert new_tokens.count(eos) == 1
