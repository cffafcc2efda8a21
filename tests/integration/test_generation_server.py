"""`thce generate` against a local fake LLM server through the real openai/anthropic SDKs.

No test reaches the internet: the SDKs are pointed at 127.0.0.1 with ``--base-url``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from fake_llm_server import (
    FakeLLMServer,
    RecordedRequest,
    Step,
    default_responder,
    error,
    reply,
    target_code,
)

from thce.cli import app
from thce.data.quality import DataQualityChecker
from thce.errors import GenerationError
from thce.generation import GenerationConfig, generate

KEY = "sk-test-not-a-real-key-123456"
ENV = {"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _config(
    server: FakeLLMServer, output: Path, provider: str = "openai", **overrides
) -> GenerationConfig:
    base = server.openai_base_url if provider == "openai" else server.anthropic_base_url
    values = {
        "stage": 1,
        "count": 3,
        "model": "gpt-4o" if provider == "openai" else "claude-sonnet-4-5",
        "output": output,
        "base_url": base,
        "seed": 11,
        "concurrency": 2,
        "timeout": 5.0,
        "max_retries": 3,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
    }
    values.update(overrides)
    return GenerationConfig(**values)


def _stage_3_responder(request: RecordedRequest, n: int) -> Step:
    """Valid stage-3 replies: the wrong code is another real code of the same system."""
    from thce.codes.database import get_database

    code_type, code, _ = target_code(request.user_prompt)
    wrong = next(c for c in get_database(code_type).common_codes() if c != code)
    return default_responder(request, n, rejected_code=wrong)


@pytest.fixture
def server():
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _keys(monkeypatch, tmp_path):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env is read


def test_cli_success_openai(server, tmp_path):
    output = tmp_path / "out" / "stage_1.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--stage",
            "1",
            "--count",
            "3",
            "--model",
            "gpt-4o",
            "--output",
            str(output),
            "--base-url",
            server.openai_base_url,
            "--seed",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    examples = _lines(output)
    assert len(examples) == 3
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["accepted"] == 3 and summary["total"] == 3 and summary["stopped"] == "completed"
    assert summary["input_tokens"] == 300 and summary["output_tokens"] == 150
    assert summary["cost_usd"] == pytest.approx((300 * 2.5 + 150 * 10.0) / 1e6)
    checker = DataQualityChecker()
    for example in examples:
        assert checker.check_example(example, 1).passed
        assert example["metadata"]["source"] == "synthetic"
    # The request really went through the OpenAI wire format, with auth, never with the key in output.
    assert all(r.path == "/v1/chat/completions" and r.has_auth for r in server.requests)
    assert server.requests[0].body["model"] == "gpt-4o"
    assert KEY not in result.output


def test_api_success_anthropic_stage_3(tmp_path):
    output = tmp_path / "s3.jsonl"
    with FakeLLMServer(_stage_3_responder) as server:
        summary = generate(_config(server, output, provider="anthropic", stage=3))
        assert {r.path for r in server.requests} == {"/v1/messages"}
        body = server.requests[0].body
        assert (
            body["system"] and body["messages"][0]["role"] == "user" and body["max_tokens"] == 1024
        )
    assert summary.provider == "anthropic" and summary.accepted == 3
    checker = DataQualityChecker()
    for example in _lines(output):
        assert checker.check_example(example, 3).passed
        assert example["metadata"]["rejected_code"] not in example["chosen"][0]["content"]


@pytest.mark.parametrize(
    ("headers", "wait"), [({"retry-after-ms": "300"}, 0.3), ({"Retry-After": "0.2"}, 0.2)]
)
def test_429_retry_after_is_honoured(server, tmp_path, headers, wait):
    server.script = [error(429, headers=headers, message="rate limited")]
    summary = generate(_config(server, tmp_path / "o.jsonl", count=1, concurrency=1))
    assert summary.accepted == 1 and summary.retries == 1
    gap = server.requests[1].at - server.requests[0].at
    assert gap >= wait - 0.01  # the header's wait, not the (1 ms) backoff


def test_500_then_success_anthropic(server, tmp_path):
    server.script = [error(500), error(529)]
    summary = generate(
        _config(server, tmp_path / "o.jsonl", provider="anthropic", count=1, concurrency=1)
    )
    assert (summary.accepted, summary.retries, summary.requests) == (1, 2, 1)
    assert len(server.requests) == 3


def test_malformed_answer_is_rejected_with_reason(server, tmp_path):
    output = tmp_path / "o.jsonl"
    server.script = [
        reply("Sure! Here is your narrative: a patient came in."),
        reply('{"text": "x"}'),
    ]
    summary = generate(_config(server, output, count=2, concurrency=1))
    assert summary.accepted == 2 and summary.total == 2
    assert summary.rejected == {"not_json": 1, "missing_narrative": 1}
    rejects = _lines(tmp_path / "o.rejects.jsonl")
    assert [r["reason"] for r in rejects] == ["not_json", "missing_narrative"]
    assert rejects[0]["reply"].startswith("Sure!") and rejects[0]["target"]["code"]


def test_timeout_is_retried(server, tmp_path):
    server.script = [reply('{"narrative": "late"}', delay=3.0)]
    started = time.monotonic()
    summary = generate(_config(server, tmp_path / "o.jsonl", count=1, concurrency=1, timeout=0.5))
    assert summary.accepted == 1 and summary.retries == 1
    assert 0.5 <= time.monotonic() - started < 2.5


def test_persistent_timeouts_go_to_rejects_then_stop(server, tmp_path):
    server.script = [reply("{}", delay=3.0)] * 2
    config = _config(
        server,
        tmp_path / "o.jsonl",
        count=1,
        concurrency=1,
        timeout=0.3,
        max_retries=0,
        max_consecutive_failures=2,
    )
    with pytest.raises(GenerationError, match="2 requests in a row failed"):
        generate(config)
    reasons = [r["reason"] for r in _lines(tmp_path / "o.rejects.jsonl")]
    assert reasons == ["request_failed_timeout", "request_failed_timeout"]


def test_401_fails_fast_without_leaking_the_key(server, tmp_path):
    server.script = [error(401, message=f"Incorrect API key provided: {KEY}")]
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--count",
            "5",
            "--model",
            "gpt-4o",
            "--output",
            str(tmp_path / "o.jsonl"),
            "--base-url",
            server.openai_base_url,
            "--max-retries",
            "5",
            "--concurrency",
            "1",
        ],
    )
    assert result.exit_code == 2
    assert "check OPENAI_API_KEY" in result.output
    assert KEY not in result.output
    assert len(server.requests) == 1  # never retried


def test_interrupted_run_resumes_to_exact_count(server, tmp_path):
    output = tmp_path / "o.jsonl"

    class Stop(Exception):
        pass

    def stop_after_two(example, summary):
        if summary.accepted == 2:
            raise Stop

    with pytest.raises(Stop):
        generate(_config(server, output, count=6, concurrency=1), on_accept=stop_after_two)
    first_two = _lines(output)
    assert len(first_two) == 2  # what was accepted before the crash is on disk
    # The model repeats a narrative it already wrote: resume must not duplicate it.
    server.script = [reply(json.dumps({"narrative": first_two[0]["messages"][1]["content"]}))]
    summary = generate(_config(server, output, count=6, concurrency=3))
    examples = _lines(output)
    assert summary.existing == 2 and summary.total == 6 and len(examples) == 6
    narratives = [e["messages"][1]["content"] for e in examples]
    assert len(set(narratives)) == 6
    assert summary.rejected == {"duplicate_narrative": 1}


def test_cost_ceiling_via_cli_then_resume(server, tmp_path):
    output = tmp_path / "o.jsonl"
    # 1 USD per 1M tokens both ways: each request reserves (prompt + 1024) tokens, ~1.4e-3 USD,
    # and really costs (100 + 50) tokens = 1.5e-4 USD.
    args = [
        "generate",
        "--count",
        "10",
        "--model",
        "local-model",
        "--output",
        str(output),
        "--base-url",
        server.openai_base_url,
        "--price-input",
        "1",
        "--price-output",
        "1",
        "--concurrency",
        "1",
        "--json",
    ]
    result = CliRunner().invoke(app, [*args, "--max-cost", "0.002"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["stopped"] == "max_cost"
    assert 0 < summary["accepted"] < 10
    assert summary["cost_usd"] <= 0.002
    assert len(_lines(output)) == summary["accepted"]
    assert "--max-cost" in result.output
    again = CliRunner().invoke(app, [*args, "--max-cost", "1"])
    assert again.exit_code == 0, again.output
    assert len(_lines(output)) == 10


def test_dry_run_estimate_makes_no_request(server, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--stage",
            "2",
            "--count",
            "100",
            "--model",
            "gpt-4o",
            "--output",
            str(tmp_path / "o.jsonl"),
            "--base-url",
            server.openai_base_url,
            "--dry-run",
            "--estimate-cost",
        ],
        env={"OPENAI_API_KEY": ""},
    )
    assert result.exit_code == 0, result.output
    assert "Cost estimate" in result.output and "total" in result.output
    assert server.requests == []
    assert not (tmp_path / "o.jsonl").exists()
