"""The settings of ``thce generate``: one field per option, read from the command line or from
a ``--config`` YAML file with the same names (the command line wins).

    # generate.yaml
    stage: 2
    count: 500
    model: gpt-4o-mini
    output: data/synthetic/stage_2.jsonl
    code_types: ICD10=0.6,CPT=0.4
    max_cost: 5

    thce generate --config generate.yaml --count 50    # 50 wins over the file's 500

Relative paths are relative to the directory ``thce`` runs in, as on the command line.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from thce.settings import option

if TYPE_CHECKING:
    from thce.generation.generator import GenerationConfig


class ProviderChoice(StrEnum):
    """LLM API providers."""

    openai = "openai"
    anthropic = "anthropic"


class CodePoolChoice(StrEnum):
    """Which codes targets are drawn from."""

    common = "common"
    all = "all"


class GenerateSettings(BaseModel):
    """Every setting of a generation run (see ``thce generate --help``).

    Field names are those of :class:`~thce.generation.generator.GenerationConfig`, which
    :meth:`to_generation_config` fills.
    """

    # defer_build: the schema is built on first use, not when `thce --help` imports the CLI.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    output: Path = option("--output", "-o", help="JSONL file the examples are appended to.")
    model: str = option(
        "--model", "-m", help="Model name, e.g. gpt-4o, gpt-4o-mini, claude-sonnet-4-5."
    )
    stage: int = option(
        "--stage",
        default=1,
        ge=1,
        le=3,
        help="1: narrative + code; 2: + reasoning; 3: preference pairs.",
    )
    count: int = option(
        "--count", "-n", default=100, ge=1, help="Examples wanted in the output file in total."
    )
    provider: ProviderChoice | None = option(
        "--provider",
        default=None,
        help="API to call; default: anthropic for claude-*, else openai.",
    )
    concurrency: int = option(
        "--concurrency", "-j", default=4, ge=1, help="Requests in flight at once."
    )
    code_types: str | None = option(
        "--code-types",
        default=None,
        help="Code systems to draw from, e.g. ICD10,CPT or ICD10=0.6,CPT=0.4 "
        "(default ICD10 40%, CPT 30%, HCPCS 30%).",
    )
    specialties: str | None = option(
        "--specialties",
        default=None,
        help="Comma list of specialties to write from (default: chosen from each code's range).",
    )
    seed: int | None = option(
        "--seed", default=None, help="Random seed for targets (default: random, reported)."
    )
    base_url: str | None = option(
        "--base-url", default=None, help="API base URL of a compatible server (vLLM, a gateway)."
    )
    max_cost: float | None = option(
        "--max-cost", default=None, help="Stop before the spend (USD) could exceed this."
    )
    resume: bool | None = option(
        "--resume/--no-resume",
        default=None,
        help="Continue an existing output up to --count (default: resume when it exists).",
    )
    rejects: Path | None = option(
        "--rejects", default=None, help="Rejects file (default: <output stem>.rejects.jsonl)."
    )
    timeout: float = option(
        "--timeout", default=60.0, ge=0.01, help="Seconds before a request times out."
    )
    max_retries: int = option(
        "--max-retries", default=5, ge=0, help="Retries on 429/5xx/timeouts per request."
    )
    backoff_base: float = option(
        "--backoff-base",
        default=1.0,
        ge=0.0,
        help="First retry delay in seconds (doubles, jittered).",
    )
    max_tokens: int = option(
        "--max-tokens",
        default=1024,
        ge=16,
        help="Output token cap per request (raise it for reasoning models such as o3/gpt-5).",
    )
    temperature: float | None = option(
        "--temperature", default=None, help="Sampling temperature (default: the API's)."
    )
    price_input: float | None = option(
        "--price-input", default=None, help="USD per 1M input tokens (overrides prices.json / env)."
    )
    price_output: float | None = option(
        "--price-output",
        default=None,
        help="USD per 1M output tokens (overrides prices.json / env).",
    )
    code_pool: CodePoolChoice = option(
        "--code-pool",
        default=CodePoolChoice.common,
        help="common: everyday codes; all: every billable code.",
    )

    def to_generation_config(self) -> GenerationConfig:
        """The generator's configuration (enums become their plain values)."""
        from thce.generation.generator import GenerationConfig

        values = {k: getattr(v, "value", v) for k, v in self.model_dump().items()}
        return GenerationConfig(**values)


__all__ = ["CodePoolChoice", "GenerateSettings", "ProviderChoice"]
