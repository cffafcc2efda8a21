"""The generation run with an in-process fake provider: building, checking, resume, budget."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from thce.data.formats import get_gold, parse_answer
from thce.data.quality import DataQualityChecker
from thce.errors import GenerationError
from thce.generation import generator as gen
from thce.generation.generator import (
    EXPECTED_OUTPUT_TOKENS,
    GenerationConfig,
    Generator,
    estimate_cost,
    scan_existing,
)
from thce.generation.prices import Price
from thce.generation.prompts import Target
from thce.generation.providers import Completion, ErrorInfo
from thce.generation.sampling import TargetSampler

POOLS = {
    "ICD10": [
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("I10", "Essential (primary) hypertension"),
    ],
    "CPT": [("99213", "Office or other outpatient visit, established patient, low complexity")],
    "HCPCS": [("J1100", "Injection, dexamethasone sodium phosphate, 1 mg")],
}
WRONG = {"E11.9": "E11.65", "I10": "I11.9", "99213": "99214", "J1100": "J1030"}
SENTENCES = [
    "The patient was seen in clinic for follow-up.",
    "The examination was focused and vital signs were stable.",
    "Laboratory results were reviewed with the patient.",
    "The plan was discussed and the patient agreed.",
    "Medication adherence was reviewed in detail.",
    "Symptoms have been stable since the last visit.",
]


class FakeAPIError(Exception):
    def __init__(self, info: ErrorInfo):
        super().__init__(info.message)
        self.info = info


def _narrative(n: int, description: str) -> str:
    a, b = SENTENCES[n % 6], SENTENCES[(n // 6 + 1) % 6]
    return f"{a} {b} Findings are consistent with {description.lower()}. Visit number {n + 1} went well."


def _valid_reply(prompt: str, n: int) -> str:
    _code_type, code, description = re.search(r"^(\w+): (\S+) \((.*)\)$", prompt, re.M).groups()
    fields = json.loads(re.search(r"shaped like (\{.*\})", prompt).group(1))
    values = {
        "narrative": _narrative(n, description),
        "reasoning": f"The note documents {description.lower()}, so this code fits best.",
        "rejected_code": WRONG[code],
        "rejected_reasoning": "The coder missed the documented specificity.",
    }
    return json.dumps({k: values[k] for k in fields})


class FakeProvider:
    """Scripted provider: ``script`` items are reply texts, Completions or exceptions."""

    name = "openai"
    model = "gpt-4o"

    def __init__(self, script=None, responder=_valid_reply):
        self.script = list(script or [])
        self.responder = responder
        self.calls = 0
        self.max_in_flight = 0
        self._in_flight = 0
        self.closed = False

    async def complete(self, messages, max_tokens):
        import asyncio

        n = self.calls
        self.calls += 1
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            await asyncio.sleep(0)
            item = self.script.pop(0) if self.script else self.responder(messages[-1]["content"], n)
            if isinstance(item, BaseException):
                raise item
            return item if isinstance(item, Completion) else Completion(item, 200, 100)
        finally:
            self._in_flight -= 1

    def classify(self, exc):
        return exc.info if isinstance(exc, FakeAPIError) else None

    async def close(self):
        self.closed = True


def _sampler(seed=3, weights=None):
    return TargetSampler(weights, seed=seed, pool_loader=lambda t, p: POOLS[t])


def _run(tmp_path, provider=None, sampler=None, **overrides):
    values = {
        "stage": 1,
        "count": 4,
        "model": "gpt-4o",
        "output": tmp_path / "out.jsonl",
        "seed": 1,
        "concurrency": 2,
        "backoff_base": 0.0,
        "backoff_max": 0.0,
    }
    values.update(overrides)
    provider = provider or FakeProvider()
    generator = Generator(
        GenerationConfig(**values),
        env={},
        provider_factory=lambda name: provider,
        sampler=sampler or _sampler(),
        checker=DataQualityChecker(skip=["duplicate", "phi"]),
    )
    return generator.run(), provider


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_each_stage_builds_checked_examples(tmp_path, stage):
    summary, provider = _run(tmp_path, stage=stage, count=5)
    examples = _lines(tmp_path / "out.jsonl")
    assert summary.accepted == len(examples) == 5 and summary.rejected_total == 0
    assert provider.closed and provider.max_in_flight <= 2
    checker = DataQualityChecker(skip=["phi"])
    for example in examples:
        assert checker.check_example(example, stage).passed
        gold = get_gold(example)
        assert (gold.code, gold.description) in {(c, d) for pool in POOLS.values() for c, d in pool}
        assert example["metadata"]["code_type"] == gold.code_type
        assert example["id"].startswith(f"synthetic-s{stage}-")
        if stage == 3:
            rejected = parse_answer(example["rejected"][0]["content"])
            assert rejected.code == WRONG[gold.code] != gold.code
            assert rejected.description  # from the code database, not the model
    assert summary.input_tokens == 5 * 200 and summary.output_tokens == 5 * 100
    assert summary.cost == pytest.approx(5 * Price(2.5, 10.0, "").cost(200, 100))


def test_answer_comes_from_the_target_not_the_model(tmp_path):
    def liar(prompt, n):
        reply = json.loads(_valid_reply(prompt, n))
        reply["code"] = "Z99.89"  # the model "answers" something else: ignored
        return json.dumps(reply)

    _run(tmp_path, FakeProvider(responder=liar), count=2)
    assert all("Z99.89" not in json.dumps(e) for e in _lines(tmp_path / "out.jsonl"))


def test_bad_replies_go_to_rejects_with_reasons(tmp_path):
    good = _valid_reply
    script = [
        "not json at all",
        Completion(None, 10, 0),
        json.dumps({"narrative": "Short."}),  # fails the quality checker (length)
        json.dumps({"narrative": "The clinician documented E11.9 and I10 today in a long note."}),
    ]
    summary, _ = _run(
        tmp_path,
        FakeProvider(script, responder=good),
        count=2,
        concurrency=1,
        sampler=_sampler(weights={"ICD10": 1.0}),
    )
    assert summary.accepted == 2
    reasons = [r["reason"] for r in _lines(tmp_path / "out.rejects.jsonl")]
    assert reasons[:3] == ["not_json", "empty_reply", "quality_narrative_length"]
    # the fourth names the code only if the target was E11.9 or I10 (both are possible here)
    assert reasons[3] == "narrative_names_code"


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        ("SAME", "rejected_code_same"),
        ("E1", "rejected_code_malformed"),
        ("E11.99", "rejected_code_unknown"),
    ],
)
def test_stage_3_wrong_code_is_validated(tmp_path, wrong, reason):
    def responder(prompt, n):
        reply = json.loads(_valid_reply(prompt, n))
        code = re.search(r"^ICD10: (\S+)", prompt, re.M).group(1)
        reply["rejected_code"] = code if wrong == "SAME" else wrong
        return json.dumps(reply)

    provider = FakeProvider(responder=responder)
    summary, _ = _run(
        tmp_path,
        provider,
        stage=3,
        count=1,
        concurrency=1,
        max_attempts=2,
        sampler=_sampler(weights={"ICD10": 1.0}),
    )
    assert summary.accepted == 0 and summary.stopped == "max_attempts"
    assert summary.rejected == {reason: 2}


def test_stage_3_unknown_wrong_code_allowed_for_partial_databases(tmp_path):
    def responder(prompt, n):
        reply = json.loads(_valid_reply(prompt, n))
        reply["rejected_code"] = "99499"  # well-formed CPT, not in THCE's sample of CPT codes
        return json.dumps(reply)

    summary, _ = _run(
        tmp_path,
        FakeProvider(responder=responder),
        stage=3,
        count=1,
        sampler=_sampler(weights={"CPT": 1.0}),
    )
    assert summary.accepted == 1
    example = _lines(tmp_path / "out.jsonl")[0]
    assert example["rejected"][0]["content"].endswith("CPT: 99499")


def test_resume_continues_without_duplicates(tmp_path):
    first, _ = _run(tmp_path, count=3)
    assert first.total == 3
    # Same seed again: the resumed run must not repeat the same narratives.
    summary, _provider = _run(
        tmp_path, FakeProvider(responder=lambda p, n: _valid_reply(p, n)), count=7
    )
    examples = _lines(tmp_path / "out.jsonl")
    assert summary.existing == 3 and summary.total == 7 and len(examples) == 7
    assert len({e["messages"][1]["content"] for e in examples}) == 7
    # Three duplicates (the fake restarts its numbering) were rejected, not written.
    assert summary.rejected == {"duplicate_narrative": 3}


def test_complete_output_needs_no_key_or_request(tmp_path):
    _run(tmp_path, count=2)
    generator = Generator(
        GenerationConfig(stage=1, count=2, model="gpt-4o", output=tmp_path / "out.jsonl"), env={}
    )
    summary = generator.run()  # no provider_factory, no key: nothing to do, nothing needed
    assert (summary.existing, summary.accepted, summary.requests) == (2, 0, 0)


def test_truncated_line_is_moved_to_rejects(tmp_path):
    _run(tmp_path, count=2)
    output = tmp_path / "out.jsonl"
    with open(output, "a") as handle:
        handle.write('{"messages": [{"role": "sys')  # a write cut by a crash
    summary, _ = _run(tmp_path, count=3)
    examples = _lines(output)
    assert summary.existing == 2 and len(examples) == 3
    rejects = _lines(tmp_path / "out.rejects.jsonl")
    assert rejects[0]["reason"] == "unreadable_output_line" and rejects[0]["raw"].startswith(
        '{"messages"'
    )


def test_missing_final_newline_is_repaired(tmp_path):
    _run(tmp_path, count=1)
    output = tmp_path / "out.jsonl"
    output.write_text(output.read_text().rstrip("\n"))
    _run(tmp_path, count=2)
    assert len(_lines(output)) == 2


def test_no_resume_refuses_existing_output(tmp_path):
    _run(tmp_path, count=1)
    with pytest.raises(GenerationError, match="--no-resume"):
        _run(tmp_path, count=2, resume=False)


def test_resume_with_wrong_stage_is_refused(tmp_path):
    _run(tmp_path, count=1, stage=1)
    with pytest.raises(GenerationError, match="not a stage-3 example"):
        _run(tmp_path, count=2, stage=3)


def test_max_cost_stops_before_overspending(tmp_path):
    price = Price(1.0, 1.0, "test")
    provider = FakeProvider()
    summary, _ = _run(
        tmp_path,
        provider,
        count=50,
        concurrency=3,
        price_input=1,
        price_output=1,
        model="local-model",
        max_tokens=1000,
        max_cost=0.004,
    )
    # Each request reserves prompt + 1000 tokens (~1.3e-3 USD) and costs 300 tokens (3e-4 USD).
    assert summary.stopped == "max_cost"
    assert 0 < summary.accepted < 50 and summary.cost <= 0.004
    assert summary.cost == pytest.approx(summary.requests * price.cost(200, 100))
    assert provider.calls == summary.requests


def test_max_cost_needs_a_price(tmp_path):
    with pytest.raises(GenerationError, match="--price-input"):
        _run(tmp_path, model="some-local-model", max_cost=1.0)


def test_unknown_price_counts_tokens_but_no_cost(tmp_path):
    summary, _ = _run(tmp_path, model="some-local-model", count=1)
    assert not summary.cost_known and summary.cost == 0 and summary.input_tokens == 200


def test_missing_usage_is_estimated(tmp_path):
    provider = FakeProvider(responder=lambda p, n: Completion(_valid_reply(p, n), None, None))
    summary, _ = _run(tmp_path, provider, count=1)
    assert summary.input_tokens > 100 and summary.output_tokens > 10 and summary.cost > 0


def test_fatal_error_stops_at_once(tmp_path):
    provider = FakeProvider([FakeAPIError(ErrorInfo(False, "http_401", 401, None, "no"))])
    with pytest.raises(GenerationError, match="OPENAI_API_KEY"):
        _run(tmp_path, provider, count=5, concurrency=1)


def test_retryable_errors_are_retried_then_rejected(tmp_path):
    busy = ErrorInfo(True, "http_503", 503, None, "busy")
    provider = FakeProvider([FakeAPIError(busy)] * 3)
    summary, _ = _run(tmp_path, provider, count=1, concurrency=1, max_retries=1)
    assert summary.accepted == 1 and summary.retries == 2
    assert summary.rejected == {"request_failed_http_503": 1}


def test_on_accept_crash_keeps_what_was_written(tmp_path):
    def crash(example, summary):
        if summary.accepted == 2:
            raise RuntimeError("power cut")

    generator = Generator(
        GenerationConfig(
            stage=1, count=5, model="gpt-4o", output=tmp_path / "out.jsonl", concurrency=1
        ),
        env={},
        provider_factory=lambda name: FakeProvider(),
        sampler=_sampler(),
        checker=DataQualityChecker(skip=["duplicate", "phi"]),
        on_accept=crash,
    )
    with pytest.raises(RuntimeError):
        generator.run()
    assert generator.summary.stopped == "error"
    assert len(_lines(tmp_path / "out.jsonl")) == 2


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"stage": 4}, "--stage"),
        ({"count": 0}, "--count"),
        ({"model": " "}, "--model"),
        ({"concurrency": 0}, "--concurrency"),
        ({"max_cost": 0}, "--max-cost"),
        ({"timeout": 0}, "--timeout"),
        ({"max_retries": -1}, "--max-retries"),
        ({"max_tokens": 1}, "--max-tokens"),
        ({"code_pool": "rare"}, "--code-pool"),
        ({"rejects": "out.jsonl"}, "--rejects"),
    ],
)
def test_config_validation(tmp_path, monkeypatch, overrides, needle):
    monkeypatch.chdir(tmp_path)
    values = {"stage": 1, "count": 1, "model": "gpt-4o", "output": "out.jsonl"}
    values.update(overrides)
    with pytest.raises(GenerationError, match=needle):
        GenerationConfig(**values).validate()


def test_default_rejects_path(tmp_path):
    config = GenerationConfig(stage=1, count=1, model="m", output=tmp_path / "batch_1.jsonl")
    assert config.rejects_path == tmp_path / "batch_1.rejects.jsonl"


def test_estimate_cost_arithmetic(tmp_path):
    _run(tmp_path, count=4)
    config = GenerationConfig(
        stage=2, count=10, model="claude-sonnet-4-5", output=tmp_path / "out.jsonl"
    )
    estimate = estimate_cost(config, env={}, sampler=_sampler())
    assert estimate.requests == 6  # 4 already there (resume)
    assert estimate.output_tokens == EXPECTED_OUTPUT_TOKENS[2]
    assert estimate.prompt_tokens > 100 and "3.5" in estimate.token_method
    per = (estimate.prompt_tokens * 3.0 + estimate.output_tokens * 15.0) / 1e6
    assert estimate.cost_per_example == pytest.approx(per)
    assert estimate.total == pytest.approx(6 * per)
    assert estimate.worst_case_per_example > per
    assert estimate.to_dict()["total_usd"] == pytest.approx(6 * per)
    fresh = estimate_cost(
        GenerationConfig(stage=1, count=10, model="x-local", output=tmp_path / "n.jsonl"), env={}
    )
    assert fresh.requests == 10 and fresh.total is None and fresh.to_dict()["price_source"] is None


def test_scan_existing_counts_and_hashes(tmp_path):
    _run(tmp_path, count=3)
    found = scan_existing(tmp_path / "out.jsonl", tmp_path / "none.jsonl", 1)
    assert found.count == 3 and len(found.hashes) == 3 and not found.bad_lines


def test_summary_to_dict(tmp_path):
    summary, _ = _run(tmp_path, count=1)
    data = summary.to_dict()
    assert data["total"] == 1 and data["stopped"] == "completed" and data["rejected"] == {}
    assert gen.price_table_date() == data["price_source"].split("taken ")[1].rstrip(")")


def test_target_dict_in_rejects(tmp_path):
    _run(tmp_path, FakeProvider(["oops"]), count=1, concurrency=1)
    record = _lines(tmp_path / "out.rejects.jsonl")[0]
    assert Target(**record["target"]).code in {c for pool in POOLS.values() for c, _ in pool}


@pytest.mark.parametrize(
    "style", ["ICD10: {code} (model's wording)", "{code} (model's wording)", " {code} "]
)
def test_stage_3_wrong_code_spellings_are_tolerated(tmp_path, style):
    def responder(prompt, n):
        reply = json.loads(_valid_reply(prompt, n))
        reply["rejected_code"] = style.format(code=reply["rejected_code"])
        return json.dumps(reply)

    summary, _ = _run(
        tmp_path,
        FakeProvider(responder=responder),
        stage=3,
        count=2,
        sampler=_sampler(weights={"ICD10": 1.0}),
    )
    assert summary.accepted == 2
    for example in _lines(tmp_path / "out.jsonl"):
        rejected = parse_answer(example["rejected"][0]["content"])
        assert rejected.code == WRONG[get_gold(example).code]
        assert "model's wording" not in example["rejected"][0]["content"]


def test_arun_inside_an_event_loop(tmp_path):
    import asyncio

    config = GenerationConfig(stage=1, count=2, model="gpt-4o", output=tmp_path / "out.jsonl")
    generator = Generator(
        config,
        env={},
        provider_factory=lambda name: FakeProvider(),
        sampler=_sampler(),
        checker=DataQualityChecker(skip=["duplicate", "phi"]),
    )

    async def inside_a_loop():
        with pytest.raises(GenerationError, match="arun"):
            generator.run()
        return await generator.arun()

    assert asyncio.run(inside_a_loop()).accepted == 2
