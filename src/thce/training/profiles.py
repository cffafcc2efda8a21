"""Named override profiles: the same configs at another size (e.g. a CPU demo).

A profile is a list of ``--set`` overrides per stage, applied before the user's own
overrides (which win). ``thce train CONFIG --profile cpu-demo`` is exactly
``thce train CONFIG --set <each override below>``.
"""

from __future__ import annotations

from thce.errors import ConfigError

_CPU_COMMON: tuple[str, ...] = (
    "trainer.per_device_train_batch_size=4",
    "trainer.gradient_accumulation_steps=1",
    "trainer.max_length=640",
    "trainer.logging_steps=5",
    "trainer.save_strategy='no'",
    "trainer.activation_checkpointing=false",
    "trainer.eval_strategy='no'",
    "trainer.warmup_steps=5",
    # bf16 autocast: ~2x faster matrix products on CPUs with AVX512-BF16/AMX (docs/TRAINING.md).
    "trainer.use_cpu=true",
    "trainer.bf16=true",
    # Train the top 6 of SmolLM2's 30 layers: half the backward pass, and a choice among
    # candidates is learnt without overwriting the model's language (docs/TRAINING.md).
    "model.trainable_layers=6",
)

PROFILES: dict[str, dict[int, tuple[str, ...]]] = {
    # Stage 1 -> 2 -> 3 on the real SmolLM2-135M with 5 retrieved candidates per prompt, in
    # about 10 minutes of training on 2 CPU cores (measured times in docs/TRAINING.md).
    "cpu-demo": {
        # 100 steps at 3e-4 learnt to choose among 5 candidates on held-out generated notes
        # (54 % alone vs 18 % by chance); 60 steps at 1e-4 with 10 candidates did not (20 %).
        1: (*_CPU_COMMON, "trainer.max_steps=60", "trainer.learning_rate=3e-4"),
        # Stages 2-3 refine gently: <think> stays plain text (no new embeddings to train, so
        # the embeddings stay frozen) and a lower rate keeps stage 1's choices. 12 steps: its
        # sequences are long (~8 s/step), and the pipeline must fit 15 minutes.
        2: (
            *_CPU_COMMON,
            "trainer.max_steps=12",
            "trainer.learning_rate=5e-5",
            "special_tokens=[]",
        ),
        # One pair per micro-batch, 4 accumulated; the SFT term keeps the chosen answer likely.
        3: (
            *_CPU_COMMON,
            "trainer.per_device_train_batch_size=1",
            "trainer.gradient_accumulation_steps=4",
            "trainer.max_steps=4",
            "trainer.learning_rate=1e-5",
            "special_tokens=[]",
        ),
    },
    # Seconds per stage: 2 steps, tiny sequences. For smoke tests with --set model=thce:tiny.
    "smoke": {
        stage: (
            "trainer.max_steps=2",
            "trainer.warmup_steps=0",
            "trainer.learning_rate=1e-3",
            "trainer.per_device_train_batch_size=2",
            "trainer.gradient_accumulation_steps=1",
            "trainer.max_length=512",
            "trainer.logging_steps=1",
            "trainer.save_strategy='no'",
            "trainer.activation_checkpointing=false",
            "trainer.eval_strategy='no'",
        )
        for stage in (1, 2, 3)
    },
}


def profile_overrides(name: str | None, stage: int) -> list[str]:
    """The overrides of profile ``name`` for ``stage`` (empty for None)."""
    if name is None:
        return []
    key = name.strip().lower().replace("_", "-")
    if key not in PROFILES:
        raise ConfigError(f"unknown profile {name!r}; valid: {', '.join(sorted(PROFILES))}")
    return list(PROFILES[key][stage])


__all__ = ["PROFILES", "profile_overrides"]
