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
    "trainer.max_length=384",
    "trainer.logging_steps=5",
    "trainer.save_strategy='no'",
    "trainer.activation_checkpointing=false",
    "trainer.eval_strategy='no'",
    "trainer.warmup_steps=2",
)

PROFILES: dict[str, dict[int, tuple[str, ...]]] = {
    # Stage 1 -> 2 -> 3 on the real SmolLM2-135M and the shipped 50+50+50 examples in a few
    # minutes on 2 CPU cores (measured times in docs/TRAINING.md).
    "cpu-demo": {
        1: (*_CPU_COMMON, "trainer.max_steps=20", "trainer.learning_rate=1e-4"),
        # 15 steps at 5e-5 left the model unable to close </think> and answer; 25 at 1e-4
        # learns the <think>...</think> + answer layout (docs/TRAINING.md).
        2: (*_CPU_COMMON, "trainer.max_steps=25", "trainer.learning_rate=1e-4"),
        # One pair per micro-batch, 4 accumulated: same effective batch as the SFT stages,
        # measured as fast as 4x1 here with ~40 % less peak memory (5.3 vs 9.3 GB).
        3: (
            *_CPU_COMMON,
            "trainer.per_device_train_batch_size=1",
            "trainer.gradient_accumulation_steps=4",
            "trainer.max_steps=10",
            "trainer.learning_rate=1e-5",
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
