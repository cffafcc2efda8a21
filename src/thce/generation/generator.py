"""Generate synthetic training examples through an LLM API: resumable, cost-capped, checked.

    thce generate --stage 1 --count 100 --model gpt-4o --output data/synthetic/stage_1_batch_1.jsonl

Python::

    from thce.generation import GenerationConfig, generate
    summary = generate(GenerationConfig(stage=1, count=100, model="gpt-4o",
                                        output="data/synthetic/stage_1_batch_1.jsonl", max_cost=2.0))

The story of a run:

1. Resume: if the output exists, count its examples and remember their narratives (as hashes)
   so the run continues to ``count`` without duplicates; a line cut by an earlier crash is
   moved to the rejects file.
2. Sample a target (code system by weight, code, specialty, note style) and ask the model for
   one JSON object (see :mod:`thce.generation.prompts`), at most ``concurrency`` requests at a
   time, each with retries (see :mod:`thce.generation.providers`). Before each request the
   worst-case cost (prompt + ``max_tokens``) is reserved; no request starts that could take the
   spend over ``max_cost``.
3. Parse the reply, build the example with :mod:`thce.data.formats` (the answer is THCE's,
   never the model's text), and check it: the quality checker, the code validator for stage
   3's wrong code, the narrative must not name the code, no duplicates.
4. Append each accepted example to the output as soon as it arrives (flushed, so an interrupted
   run loses nothing); append each failure to the rejects file with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from thce.errors import GenerationError
from thce.generation.prices import Price, load_price_table, resolve_price
from thce.generation.prompts import STAGE_FIELDS, ReplyError, Target, build_messages, parse_reply
from thce.generation.providers import (
    ChatProvider,
    Completion,
    ErrorInfo,
    FatalRequestError,
    RequestFailed,
    RetryPolicy,
    call_with_retries,
    fatal_error,
    infer_provider,
    load_api_key,
    make_provider,
)
from thce.generation.sampling import CODE_POOLS, TargetSampler, parse_code_types, parse_specialties
from thce.generation.tokens import count_message_tokens, count_text_tokens
from thce.logging import logger

# Typical reply sizes (tokens) per stage, used only for estimates: a 60-180 word narrative as a
# JSON string, plus reasoning (stage 2), plus a wrong code and its reasoning (stage 3).
EXPECTED_OUTPUT_TOKENS: dict[int, int] = {1: 220, 2: 360, 3: 480}
DEFAULT_MAX_TOKENS = 1024
ESTIMATE_SAMPLE = 40  # targets sampled to average the prompt size in an estimate


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


@dataclass(frozen=True)
class CostEstimate:
    """A dry-run cost estimate (no network)."""

    requests: int
    prompt_tokens: int  # per example
    output_tokens: int  # per example (typical reply)
    max_output_tokens: int  # per example (the cap sent with each request)
    token_method: str
    price: Price | None

    @property
    def cost_per_example(self) -> float | None:
        """Typical cost of one request, or ``None`` without a price."""
        return self.price.cost(self.prompt_tokens, self.output_tokens) if self.price else None

    @property
    def total(self) -> float | None:
        """``requests`` x cost per example (rejected replies cost the same)."""
        per = self.cost_per_example
        return None if per is None else per * self.requests

    @property
    def worst_case_per_example(self) -> float | None:
        """Cost of one request if the reply used all of ``max_output_tokens``."""
        return self.price.cost(self.prompt_tokens, self.max_output_tokens) if self.price else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "requests": self.requests,
            "prompt_tokens_per_example": self.prompt_tokens,
            "output_tokens_per_example": self.output_tokens,
            "max_output_tokens": self.max_output_tokens,
            "token_method": self.token_method,
            "price_input_per_1m": self.price.input_per_1m if self.price else None,
            "price_output_per_1m": self.price.output_per_1m if self.price else None,
            "price_source": self.price.source if self.price else None,
            "cost_per_example_usd": self.cost_per_example,
            "total_usd": self.total,
        }


# --------------------------------------------------------------------------- resume


@dataclass
class ExistingOutput:
    """What an existing output file holds."""

    count: int = 0
    hashes: set[int] = field(default_factory=set)
    bad_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw, error)
    rejects_lines: int = 0


def _narrative_hash(narrative: str) -> int:
    # The quality checker's hash (case and whitespace aside), so both agree on "duplicate".
    from thce.data.quality import narrative_hash

    return narrative_hash(narrative)


def scan_existing(output: Path, rejects: Path, stage: int) -> ExistingOutput:
    """Count the examples already in ``output`` and hash their narratives (streaming)."""
    from thce.data.formats import get_narrative
    from thce.io import iter_jsonl

    found = ExistingOutput()
    if output.is_file():
        for line, record, raw, err in iter_jsonl(output, GenerationError):
            if record is None:
                found.bad_lines.append((line, raw, err or "not a JSON object"))
                continue
            if found.count == 0:
                expected = "prompt" if stage == 3 else "messages"
                if expected not in record:
                    raise GenerationError(
                        f"{output} line {line} is not a stage-{stage} example (no {expected!r} key); "
                        "resume with the stage that wrote it, or choose another --output"
                    )
            narrative = get_narrative(record)
            if narrative:
                found.hashes.add(_narrative_hash(narrative))
            found.count += 1
    if rejects.is_file():
        from thce.inputs import DecodedFile

        lines = DecodedFile(rejects, error=GenerationError).lines()
        found.rejects_lines = sum(1 for raw in lines if raw.strip())
    return found


def _move_bad_lines(output: Path, rejects: Path, bad: list[tuple[int, str, str]]) -> None:
    """Move unparsable lines (a crash mid-write) from the output to the rejects file."""
    from thce.inputs import DecodedFile
    from thce.io import atomic_write

    bad_numbers = {line for line, _, _ in bad}
    source = DecodedFile(output, error=GenerationError)
    with atomic_write(output) as dst:
        for number, raw in enumerate(source.lines(), start=1):
            if number not in bad_numbers and raw.strip():
                dst.write(raw if raw.endswith("\n") else raw + "\n")
    rejects.parent.mkdir(parents=True, exist_ok=True)
    with open(rejects, "a", encoding="utf-8") as handle:
        for line, raw, err in bad:
            record = {
                "reason": "unreadable_output_line",
                "detail": f"line {line}: {err}",
                "raw": raw,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    logger.warning(
        "moved {} unreadable line(s) of {} (an interrupted write) to {}", len(bad), output, rejects
    )


# --------------------------------------------------------------------------- checks

STAGE_CODE_TYPES: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")


def _bare_code(raw: str, code_type: str) -> str:
    """The code in a model's ``rejected_code``: ``"E11.65"``, ``"ICD10: E11.65 (...)"``,
    ``"E11.65 (Type 2 ...)"`` all give ``E11.65``."""
    from thce.data.formats import parse_answer

    text = raw.strip()
    if ":" in text:
        parsed = parse_answer(text)
        if parsed.well_formed and parsed.code_type == code_type and parsed.code:
            return parsed.code
    return text.split()[0] if text.split() else text


def _code_pattern(code: str) -> re.Pattern[str]:
    variants = {re.escape(code), re.escape(code.replace(".", ""))}
    return re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(sorted(variants)) + r")(?![A-Za-z0-9])", re.IGNORECASE
    )


class ExampleBuilder:
    """Turn a parsed reply into a checked example, or raise :class:`ReplyError`."""

    def __init__(self, stage: int, provider: str, model: str, checker: Any = None) -> None:
        from thce.codes import CodeValidator
        from thce.data.quality import DataQualityChecker

        self.stage = stage
        self.provider = provider
        self.model = model
        # Duplicates are checked by the generator against the whole output (resumed part
        # included), so the checker's own per-run duplicate memory is not needed.
        self.checker = checker if checker is not None else DataQualityChecker(skip=["duplicate"])
        self.validator = CodeValidator()

    def warm_up(self) -> None:
        """Load the PHI model and code databases now, before requests are in flight.

        Loading spaCy takes seconds; doing it inside the event loop at the first reply would
        stall every open request (and could make them time out).
        """
        if "phi" in getattr(self.checker, "check_names", ()):
            self.checker.has_phi("Warm-up sentence without identifiers.")
        for code_type in STAGE_CODE_TYPES:
            self.validator.validate("0", code_type)

    def describe(self, code_type: str, code: str) -> str | None:
        """The database description of a code (``None`` when unknown)."""
        result = self.validator.validate(code, code_type)
        return result.description if result.is_valid else None

    def _check_rejected_code(self, target: Target, raw_code: str) -> tuple[str, str | None]:
        from thce.codes import get_database, normalize_code
        from thce.data.quality import classify_code

        code = normalize_code(_bare_code(raw_code, target.code_type), target.code_type)
        if code == target.code:
            raise ReplyError(
                "rejected_code_same", f"rejected_code {raw_code!r} is the target code itself"
            )
        status, message = classify_code(target.code_type, code, self.validator)
        if status == "malformed":
            raise ReplyError(
                "rejected_code_malformed",
                f"rejected_code {raw_code!r} is not a well-formed {target.code_type} code: {message}",
            )
        if status == "unknown" and get_database(target.code_type).is_full:
            raise ReplyError(
                "rejected_code_unknown",
                f"rejected_code {code!r} is not a real {target.code_type} code",
            )
        return code, self.describe(target.code_type, code)

    def build(self, target: Target, fields: Mapping[str, str], line_id: str) -> dict[str, Any]:
        """Build and check the example for ``target`` from the reply's ``fields``."""
        from thce.data import formats

        narrative = fields["narrative"]
        if _code_pattern(target.code).search(narrative):
            raise ReplyError(
                "narrative_names_code", f"the narrative states the target code {target.code}"
            )
        metadata = {
            "code_type": target.code_type,
            "specialty": target.specialty,
            "note_style": target.note_style,
            "source": "synthetic",
            "provider": self.provider,
            "model": self.model,
        }
        args = (target.code_type, target.code, target.description)
        if self.stage == 1:
            example = formats.build_stage_1_example(narrative, *args, id=line_id, metadata=metadata)
        elif self.stage == 2:
            example = formats.build_stage_2_example(
                narrative, fields["reasoning"], *args, id=line_id, metadata=metadata
            )
        else:
            wrong_code, wrong_description = self._check_rejected_code(
                target, fields["rejected_code"]
            )
            chosen = formats.format_reasoned_answer(fields["reasoning"], *args)
            rejected = formats.format_reasoned_answer(
                fields["rejected_reasoning"], target.code_type, wrong_code, wrong_description
            )
            metadata["rejected_code"] = wrong_code
            example = formats.build_stage_3_example(
                narrative, chosen, rejected, id=line_id, metadata=metadata
            )
        result = self.checker.check_example(example, self.stage)
        if not result.passed:
            first = next(iter(result.failures))
            detail = "; ".join(f"{name}: {why}" for name, why in result.failures.items())
            raise ReplyError(f"quality_{first}", detail)
        return example


# --------------------------------------------------------------------------- runner


def _resolve_seed(seed: int | None) -> int:
    return secrets.randbits(31) if seed is None else int(seed)


class Generator:
    """One generation run. :meth:`run` returns the summary; :attr:`summary` is live meanwhile.

    ``provider_factory`` replaces the SDK client (tests); ``on_accept(example, summary)`` is
    called after each example is written; ``progress`` gets ``(summary)`` after every result;
    ``checker`` replaces the default quality checker (all checks but ``duplicate``).
    """

    def __init__(
        self,
        config: GenerationConfig,
        *,
        env: Mapping[str, str] | None = None,
        provider_factory: Callable[[str], ChatProvider] | None = None,
        on_accept: Callable[[dict[str, Any], GenerationSummary], None] | None = None,
        progress: Callable[[GenerationSummary], None] | None = None,
        sampler: TargetSampler | None = None,
        checker: Any = None,
    ) -> None:
        config.validate()
        self.config = config
        self.env = os.environ if env is None else env
        self.provider_name = infer_provider(config.model, config.provider)
        self.price = resolve_price(config.model, config.price_input, config.price_output, self.env)
        if config.max_cost is not None and self.price is None:
            raise GenerationError(
                f"no price known for model {config.model!r}, so --max-cost cannot be enforced: "
                "pass --price-input and --price-output (USD per 1M tokens)"
            )
        self.seed = _resolve_seed(config.seed)
        self.weights = parse_code_types(config.code_types)
        self.specialties = parse_specialties(config.specialties)
        self._provider_factory = provider_factory
        self._on_accept = on_accept
        self._progress = progress
        self._sampler = sampler
        self._checker = checker
        self.summary = GenerationSummary(
            output=str(config.output_path),
            rejects=str(config.rejects_path),
            stage=config.stage,
            model=config.model,
            provider=self.provider_name,
            seed=self.seed,
            target=config.count,
            cost_known=self.price is not None,
            price_source=self.price.source if self.price else None,
        )
        self._reserved = 0.0
        self._out: IO[str] | None = None
        self._rej: IO[str] | None = None

    # ------------------------------------------------------------ helpers
    def _open_outputs(self, existing: ExistingOutput) -> None:
        out, rej = self.config.output_path, self.config.rejects_path
        out.parent.mkdir(parents=True, exist_ok=True)
        rej.parent.mkdir(parents=True, exist_ok=True)
        needs_newline = False
        if out.is_file() and out.stat().st_size:
            with open(out, "rb") as handle:
                handle.seek(-1, os.SEEK_END)
                needs_newline = handle.read(1) != b"\n"
        self._out = open(out, "a", encoding="utf-8")  # noqa: SIM115 - closed in run()
        if needs_newline:
            self._out.write("\n")
        self._rej = open(rej, "a", encoding="utf-8")  # noqa: SIM115 - closed in run()

    def _close_outputs(self) -> None:
        for handle in (self._out, self._rej):
            if handle is not None and not handle.closed:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()

    @staticmethod
    def _append(handle: IO[str] | None, record: dict[str, Any]) -> None:
        assert handle is not None
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()

    def _reject(self, reason: str, detail: str, target: Target | None, reply: str | None) -> None:
        self.summary.rejected[reason] += 1
        record = {
            "reason": reason,
            "detail": detail,
            "stage": self.config.stage,
            "provider": self.provider_name,
            "model": self.config.model,
            "target": target.to_dict() if target else None,
            "reply": reply,
        }
        self._append(self._rej, record)
        logger.debug("rejected ({}): {}", reason, detail)

    def _request_cost(self, completion: Completion, messages: list[dict[str, str]]) -> float:
        """Cost of a finished request, from the reported usage (estimated when missing)."""
        tokens_in = completion.input_tokens
        if tokens_in is None:
            tokens_in = count_message_tokens(messages, self.provider_name, self.config.model).tokens
        tokens_out = completion.output_tokens
        if tokens_out is None:
            tokens_out = count_text_tokens(
                completion.text or "", self.provider_name, self.config.model
            ).tokens
        self.summary.input_tokens += tokens_in
        self.summary.output_tokens += tokens_out
        return self.price.cost(tokens_in, tokens_out) if self.price else 0.0

    def _reservation(self, messages: list[dict[str, str]]) -> float:
        if self.price is None:
            return 0.0
        prompt = count_message_tokens(messages, self.provider_name, self.config.model).tokens
        return self.price.cost(prompt, self.config.max_tokens)

    def _make_provider(self) -> ChatProvider:
        if self._provider_factory is not None:
            return self._provider_factory(self.provider_name)
        key = load_api_key(self.provider_name, self.env)
        return make_provider(
            self.provider_name,
            self.config.model,
            key,
            base_url=self.config.base_url,
            timeout=self.config.timeout,
            temperature=self.config.temperature,
        )

    # ------------------------------------------------------------ main story
    def run(self) -> GenerationSummary:
        """Resume, generate until ``count`` (or a stop condition), and return the summary.

        Inside a running event loop (Jupyter) use ``await generator.arun()`` instead.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                return asyncio.run(self.arun())
            except KeyboardInterrupt:
                self.summary.stopped = "interrupted"
                raise
        raise GenerationError(
            "Generator.run() was called inside a running event loop (Jupyter?): "
            "use `await Generator(config).arun()` there"
        )

    async def arun(self) -> GenerationSummary:
        """The run as a coroutine (see :meth:`run`)."""
        config, summary = self.config, self.summary
        started = time.monotonic()
        out, rej = config.output_path, config.rejects_path
        if out.is_file() and out.stat().st_size and config.resume is False:
            raise GenerationError(
                f"{out} already exists and --no-resume was given: choose another --output, "
                "delete the file, or drop --no-resume to continue it"
            )
        existing = scan_existing(out, rej, config.stage)
        if existing.bad_lines:
            _move_bad_lines(out, rej, existing.bad_lines)
            existing.rejects_lines += len(existing.bad_lines)
        summary.existing = existing.count
        if self._progress is not None:
            self._progress(summary)
        remaining = config.count - existing.count
        if remaining <= 0:
            logger.info(
                "{} already holds {} examples (target {}): nothing to do",
                out,
                existing.count,
                config.count,
            )
            summary.elapsed_s = time.monotonic() - started
            return summary
        if existing.count:
            logger.info(
                "resuming {}: {} examples present, {} to go", out, existing.count, remaining
            )
        # A resumed run draws a different target sequence: the seed is combined with how far
        # the files got, so the same command does not re-ask for the same codes.
        sampler = self._sampler or TargetSampler(
            self.weights,
            seed=f"{self.seed}/{existing.count}/{existing.rejects_lines}",
            specialties=self.specialties,
            pool=config.code_pool,
        )
        builder = ExampleBuilder(config.stage, self.provider_name, config.model, self._checker)
        provider = self._make_provider()
        builder.warm_up()
        self._open_outputs(existing)
        try:
            await self._loop(provider, sampler, builder, existing.hashes, remaining)
        except (KeyboardInterrupt, asyncio.CancelledError):
            summary.stopped = "interrupted"
            raise
        except BaseException:
            if summary.stopped == "completed":
                summary.stopped = "error"
            raise
        finally:
            self._close_outputs()
            summary.elapsed_s = time.monotonic() - started
        return summary

    async def _loop(
        self,
        provider: ChatProvider,
        sampler: TargetSampler,
        builder: ExampleBuilder,
        seen: set[int],
        remaining: int,
    ) -> None:
        config, summary = self.config, self.summary
        max_attempts = config.max_attempts or (3 * remaining + 10)
        policy = RetryPolicy(config.max_retries, config.backoff_base, config.backoff_max)
        in_flight: dict[asyncio.Task, tuple[Target, list[dict[str, str]], float]] = {}
        consecutive_failures = 0
        attempts = 0

        def on_retry(info: ErrorInfo, delay: float) -> None:
            summary.retries += 1
            # Short waits are routine (the summary counts them); long ones deserve a line.
            log = logger.info if delay >= 5 else logger.debug
            log("{} {}: retrying in {:.1f}s", self.provider_name, info.kind, delay)

        try:
            while True:
                # Launch while there is room, work left, attempts left and budget left.
                while (
                    summary.stopped == "completed"
                    and len(in_flight) < config.concurrency
                    and summary.accepted + len(in_flight) < remaining
                ):
                    if attempts >= max_attempts:
                        summary.stopped = "max_attempts"
                        logger.warning(
                            "stopping after {} attempts: too many rejected replies", attempts
                        )
                        break
                    target = sampler.sample()
                    messages = build_messages(target, config.stage)
                    reserve = self._reservation(messages)
                    if (
                        config.max_cost is not None
                        and summary.cost + self._reserved + reserve > config.max_cost
                    ):
                        if not in_flight:
                            summary.stopped = "max_cost"
                        break  # wait for in-flight requests: their real cost may free budget
                    self._reserved += reserve
                    attempts += 1
                    summary.requests += 1

                    def call(messages: list[dict[str, str]] = messages) -> Any:
                        return provider.complete(messages, config.max_tokens)

                    task = asyncio.create_task(
                        call_with_retries(call, provider.classify, policy, on_retry)
                    )
                    in_flight[task] = (target, messages, reserve)
                if not in_flight:
                    break
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                fatal: GenerationError | None = None
                for task in done:
                    target, messages, reserve = in_flight.pop(task)
                    self._reserved -= reserve
                    try:
                        failed = self._handle(task, target, messages, builder, seen)
                    except GenerationError as exc:
                        # Finish the batch first: replies already paid for are still written.
                        fatal = fatal or exc
                        continue
                    consecutive_failures = consecutive_failures + 1 if failed else 0
                    if self._progress is not None:
                        self._progress(summary)
                if fatal is not None:
                    raise fatal
                if consecutive_failures >= config.max_consecutive_failures:
                    summary.stopped = "error"
                    raise GenerationError(
                        f"{consecutive_failures} requests in a row failed after retries (see the "
                        f"reasons in {config.rejects_path}); {summary.total} examples are saved in "
                        f"{config.output_path}: run the same command again to resume"
                    )
        finally:
            for task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            with contextlib.suppress(Exception):
                await provider.close()

    def _handle(
        self,
        task: asyncio.Task,
        target: Target,
        messages: list[dict[str, str]],
        builder: ExampleBuilder,
        seen: set[int],
    ) -> bool:
        """Process one finished request; return True when the request itself failed."""
        config, summary = self.config, self.summary
        try:
            completion = task.result()
        except FatalRequestError as exc:
            summary.stopped = "error"
            raise fatal_error(exc.info, self.provider_name, config.model, config.base_url) from None
        except RequestFailed as exc:
            self._reject(f"request_failed_{exc.info.kind}", str(exc), target, None)
            return True
        summary.cost += self._request_cost(completion, messages)
        try:
            fields = parse_reply(completion.text, config.stage)
            key = _narrative_hash(fields["narrative"])
            if key in seen:
                raise ReplyError(
                    "duplicate_narrative", "the same narrative is already in the output"
                )
            line_id = f"synthetic-s{config.stage}-{hashlib.sha1(fields['narrative'].encode()).hexdigest()[:12]}"
            example = builder.build(target, fields, line_id)
        except ReplyError as exc:
            self._reject(exc.reason, exc.detail, target, completion.text)
            return False
        seen.add(key)
        self._append(self._out, example)
        summary.accepted += 1
        if self._on_accept is not None:
            self._on_accept(example, summary)
        return False


def generate(config: GenerationConfig, **kwargs: Any) -> GenerationSummary:
    """Run a generation (see :class:`Generator` for the keyword arguments)."""
    return Generator(config, **kwargs).run()


# --------------------------------------------------------------------------- estimates


def estimate_cost(
    config: GenerationConfig,
    env: Mapping[str, str] | None = None,
    sampler: TargetSampler | None = None,
) -> CostEstimate:
    """Estimate tokens and cost of the requests a run would still make; no network call.

    Prompt tokens are averaged over sampled targets; output tokens are the stage's typical
    reply size (:data:`EXPECTED_OUTPUT_TOKENS`, capped by ``max_tokens``).
    """
    config.validate()
    env = os.environ if env is None else env
    provider = infer_provider(config.model, config.provider)
    price = resolve_price(config.model, config.price_input, config.price_output, env)
    existing = 0
    out = config.output_path
    if config.resume is not False and out.is_file():
        from thce.io import iter_jsonl

        existing = sum(1 for _, record, _, _ in iter_jsonl(out) if record is not None)
    sampler = sampler or TargetSampler(
        parse_code_types(config.code_types),
        seed=_resolve_seed(config.seed),
        specialties=parse_specialties(config.specialties),
        pool=config.code_pool,
    )
    counts = []
    method = ""
    for _ in range(ESTIMATE_SAMPLE):
        counted = count_message_tokens(
            build_messages(sampler.sample(), config.stage), provider, config.model
        )
        counts.append(counted.tokens)
        method = counted.method
    prompt_tokens = math.ceil(sum(counts) / len(counts))
    output_tokens = min(EXPECTED_OUTPUT_TOKENS[config.stage], config.max_tokens)
    return CostEstimate(
        requests=max(0, config.count - existing),
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        max_output_tokens=config.max_tokens,
        token_method=method,
        price=price,
    )


def price_table_date() -> str:
    """The date the shipped prices were taken."""
    return str(load_price_table()["taken_on"])


__all__ = [
    "EXPECTED_OUTPUT_TOKENS",
    "CostEstimate",
    "ExampleBuilder",
    "GenerationConfig",
    "GenerationSummary",
    "Generator",
    "estimate_cost",
    "generate",
    "price_table_date",
    "scan_existing",
]
