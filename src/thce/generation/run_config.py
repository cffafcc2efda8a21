"""The value types of a generation run: its configuration (checked) and its summary.

:class:`GenerationConfig` is what ``thce generate`` and :func:`thce.generation.generate`
take; :class:`GenerationSummary` is what a run reports (live while it runs).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thce.errors import GenerationError
from thce.generation.prompts import STAGE_FIELDS
from thce.generation.sampling import CODE_POOLS

DEFAULT_MAX_TOKENS = 1024


@dataclass
class GenerationConfig:
    """Everything a generation run needs. See ``thce generate --help`` for each option.

    ``resume=None`` resumes when the output exists. ``seed=None`` draws a random seed (reported
    in the summary, so a run can be repeated). ``backoff_base``/``backoff_max`` are the retry
    delays in seconds (tests make them tiny).
    """

    stage: int
    count: int
    model: str
    output: Path | str
    provider: str | None = None
    code_types: str | Mapping[str, float] | None = None
    specialties: str | tuple[str, ...] | None = None
    seed: int | None = None
    base_url: str | None = None
    concurrency: int = 4
    max_cost: float | None = None
    resume: bool | None = None
    rejects: Path | str | None = None
    timeout: float = 60.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float | None = None
    price_input: float | None = None
    price_output: float | None = None
    code_pool: str = "common"
    max_attempts: int | None = None
    max_consecutive_failures: int = 5

    def __post_init__(self) -> None:
        self.output = Path(self.output)
        if self.rejects is not None:
            self.rejects = Path(self.rejects)

    @property
    def output_path(self) -> Path:
        """The output file as a :class:`Path`."""
        return Path(self.output)

    @property
    def rejects_path(self) -> Path:
        """The rejects file: ``--rejects`` or ``<output stem>.rejects.jsonl`` next to the output."""
        if self.rejects is not None:
            return Path(self.rejects)
        out = self.output_path
        return out.with_name(out.stem + ".rejects.jsonl")

    def validate(self) -> None:
        """Raise :class:`GenerationError` for values that cannot work."""
        if self.stage not in STAGE_FIELDS:
            raise GenerationError(f"--stage must be 1, 2 or 3, got {self.stage!r}")
        if self.count < 1:
            raise GenerationError(f"--count must be at least 1, got {self.count}")
        if not self.model.strip():
            raise GenerationError("--model is empty; give a model name such as gpt-4o")
        if self.concurrency < 1:
            raise GenerationError(f"--concurrency must be at least 1, got {self.concurrency}")
        if self.max_cost is not None and self.max_cost <= 0:
            raise GenerationError(f"--max-cost must be positive (USD), got {self.max_cost}")
        if self.timeout <= 0:
            raise GenerationError(f"--timeout must be positive (seconds), got {self.timeout}")
        if self.max_retries < 0:
            raise GenerationError(f"--max-retries cannot be negative, got {self.max_retries}")
        if self.max_tokens < 16:
            raise GenerationError(f"--max-tokens must be at least 16, got {self.max_tokens}")
        if self.code_pool not in CODE_POOLS:
            raise GenerationError(
                f"--code-pool must be one of {', '.join(CODE_POOLS)}, got {self.code_pool!r}"
            )
        if self.rejects_path.resolve() == self.output_path.resolve():
            raise GenerationError("--rejects must differ from --output")


@dataclass
class GenerationSummary:
    """What a run did. ``accepted`` counts examples written by this run; ``existing`` those found."""

    output: str
    rejects: str
    stage: int
    model: str
    provider: str
    seed: int
    target: int
    existing: int = 0
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)
    requests: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    cost_known: bool = True
    price_source: str | None = None
    stopped: str = "completed"  # completed | max_cost | max_attempts | interrupted | error
    elapsed_s: float = 0.0

    @property
    def total(self) -> int:
        """Examples in the output file now."""
        return self.existing + self.accepted

    @property
    def rejected_total(self) -> int:
        """Replies or requests that did not become examples in this run."""
        return sum(self.rejected.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view (``rejected`` as a plain dict of reason -> count)."""
        return {
            "output": self.output,
            "rejects": self.rejects,
            "stage": self.stage,
            "model": self.model,
            "provider": self.provider,
            "seed": self.seed,
            "target": self.target,
            "existing": self.existing,
            "accepted": self.accepted,
            "total": self.total,
            "rejected": dict(self.rejected),
            "requests": self.requests,
            "retries": self.retries,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost, 6),
            "cost_known": self.cost_known,
            "price_source": self.price_source,
            "stopped": self.stopped,
            "elapsed_s": round(self.elapsed_s, 3),
        }


def resolve_seed(seed: int | None) -> int:
    """``seed`` as an int, or a fresh random one for ``None`` (reported in the summary)."""
    return secrets.randbits(31) if seed is None else int(seed)


__all__ = ["DEFAULT_MAX_TOKENS", "GenerationConfig", "GenerationSummary", "resolve_seed"]
