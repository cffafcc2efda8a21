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

The pieces have their own modules: :mod:`~thce.generation.run_config` (the configuration
and the summary), :mod:`~thce.generation.resume` (step 1), :mod:`~thce.generation.example_builder`
(step 3) and :mod:`~thce.generation.estimate` (dry-run cost estimates); their public names
are importable from here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

from thce.errors import GenerationError
from thce.generation.estimate import (
    ESTIMATE_SAMPLE,
    EXPECTED_OUTPUT_TOKENS,
    CostEstimate,
    estimate_cost,
    price_table_date,
)
from thce.generation.example_builder import STAGE_CODE_TYPES, ExampleBuilder
from thce.generation.prices import resolve_price
from thce.generation.prompts import ReplyError, Target, build_messages, parse_reply
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
from thce.generation.resume import ExistingOutput, move_bad_lines, narrative_hash, scan_existing
from thce.generation.run_config import (
    DEFAULT_MAX_TOKENS,
    GenerationConfig,
    GenerationSummary,
    resolve_seed,
)
from thce.generation.sampling import TargetSampler, parse_code_types, parse_specialties
from thce.generation.tokens import count_message_tokens, count_text_tokens
from thce.logging import logger


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
        self.seed = resolve_seed(config.seed)
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
            move_bad_lines(out, rej, existing.bad_lines)
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
            key = narrative_hash(fields["narrative"])
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


__all__ = [
    "DEFAULT_MAX_TOKENS",
    "ESTIMATE_SAMPLE",
    "EXPECTED_OUTPUT_TOKENS",
    "STAGE_CODE_TYPES",
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
