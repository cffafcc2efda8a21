"""A scripted local HTTP server speaking the OpenAI and Anthropic chat wire formats.

It listens on 127.0.0.1 on a random port, so tests drive the real ``openai`` and
``anthropic`` SDKs through ``base_url`` without touching the internet::

    with FakeLLMServer() as server:
        server.script = [error(429, headers={"retry-after-ms": "200"}), reply('{"narrative": "..."}')]
        ... AsyncOpenAI(base_url=server.openai_base_url, ...) ...

Paths: ``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages`` (Anthropic). Each
request takes the next :class:`Step` from ``script``; when the script is empty, ``responder``
(a function of the request) decides. Every request is recorded in ``requests``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass
class Step:
    """One scripted answer: a status, a body (JSON-able or raw text), headers and a delay."""

    status: int = 200
    text: str | None = None  # the model's reply text (for 200s)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    error_message: str = "scripted error"
    input_tokens: int = 100
    output_tokens: int = 50


def reply(text: str, delay: float = 0.0, input_tokens: int = 100, output_tokens: int = 50) -> Step:
    """A successful chat answer whose text is ``text``."""
    return Step(200, text, delay=delay, input_tokens=input_tokens, output_tokens=output_tokens)


def error(
    status: int, headers: dict[str, str] | None = None, message: str = "scripted error"
) -> Step:
    """An HTTP error in the provider's error format."""
    return Step(status, None, headers=dict(headers or {}), error_message=message)


@dataclass
class RecordedRequest:
    """What the server saw (the Authorization header is kept only as present/absent)."""

    path: str
    body: dict[str, Any]
    has_auth: bool
    at: float

    @property
    def user_prompt(self) -> str:
        """The last user message's text."""
        for message in reversed(self.body.get("messages", [])):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):  # Anthropic content blocks
                    return "".join(b.get("text", "") for b in content if isinstance(b, dict))
                return str(content)
        return ""


def requested_keys(prompt: str) -> list[str]:
    """The JSON keys a THCE generation prompt asks for (from its ``shaped like {...}`` line)."""
    match = re.search(r"shaped like (\{.*\})", prompt)
    return list(json.loads(match.group(1))) if match else ["narrative"]


def target_code(prompt: str) -> tuple[str, str, str]:
    """``(code_type, code, description)`` named in a THCE generation prompt."""
    match = re.search(r"^(ICD10|CPT|HCPCS): (\S+)(?: \((.*)\))?$", prompt, re.MULTILINE)
    if not match:
        return "ICD10", "", ""
    return match.group(1), match.group(2), match.group(3) or ""


_OPENINGS = (
    "The patient was seen today for evaluation.",
    "The patient presented to the clinic with ongoing symptoms.",
    "The patient returned for scheduled follow-up care.",
    "The patient was evaluated after referral from primary care.",
    "The patient came in reporting a change in symptoms.",
    "The patient was examined during a routine outpatient visit.",
    "The patient arrived for an unscheduled visit with new complaints.",
    "The patient was assessed by the covering clinician.",
)
_MIDDLES = (
    "History and examination were documented in detail.",
    "Vital signs were stable and the examination was focused.",
    "Relevant laboratory results were reviewed with the patient.",
    "The medication list was reconciled and allergies confirmed.",
    "Prior imaging and notes were reviewed before the visit.",
    "The review of systems was otherwise negative.",
    "The patient described the onset and course of symptoms clearly.",
    "Family history and social history were noncontributory.",
)
_PLANS = (
    "The plan was discussed and the patient agreed.",
    "Follow-up was arranged with clear return precautions.",
    "Education was provided and questions were answered.",
    "Treatment was started and a recheck was scheduled.",
    "The care team will monitor the response to treatment.",
    "Instructions were given in writing and reviewed verbally.",
    "The patient will return if symptoms worsen.",
    "Supportive care measures were reviewed in detail.",
)


def synthetic_narrative(n: int, description: str) -> str:
    """A plain English narrative, different for every ``n`` < 512, that names ``description``."""
    finding = description.lower() if description else "the documented condition"
    return (
        f"{_OPENINGS[n % 8]} {_MIDDLES[(n // 8) % 8]} "
        f"The assessment documented findings consistent with {finding}. {_PLANS[(n // 64) % 8]}"
    )


def default_responder(request: RecordedRequest, n: int, rejected_code: str | None = None) -> Step:
    """A valid reply to any THCE generation prompt, unique per request number ``n``."""
    prompt = request.user_prompt
    _code_type, code, description = target_code(prompt)
    values = {
        "narrative": synthetic_narrative(n, description),
        "reasoning": (
            f"The note documents findings consistent with {description or 'the condition'}. "
            "Those details support the most specific code available."
        ),
        "rejected_code": rejected_code or code,
        "rejected_reasoning": "The coder overlooked the documented specificity and chose a nearby code.",
    }
    payload = {key: values[key] for key in requested_keys(prompt)}
    return reply(json.dumps(payload))


class FakeLLMServer:
    """The server; use as a context manager. ``openai_base_url``/``anthropic_base_url`` for SDKs."""

    def __init__(self, responder: Callable[[RecordedRequest, int], Step] | None = None) -> None:
        self.script: list[Step] = []
        self.responder: Callable[[RecordedRequest, int], Step] = responder or default_responder
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        # A short poll interval makes shutdown (each test's teardown) take milliseconds.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        """Base URL for ``openai.AsyncOpenAI`` (it appends ``/chat/completions``)."""
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        """Base URL for ``anthropic.AsyncAnthropic`` (it appends ``/v1/messages``)."""
        return self.url

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_step(self, request: RecordedRequest) -> Step:
        with self._lock:
            self.requests.append(request)
            n = len(self.requests) - 1
            if self.script:
                return self.script.pop(0)
        return self.responder(request, n)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                path = self.path.split("?", 1)[0]
                has_auth = bool(self.headers.get("Authorization") or self.headers.get("x-api-key"))
                request = RecordedRequest(path, body, has_auth, time.monotonic())
                if path not in (OPENAI_PATH, ANTHROPIC_PATH):
                    self._send(404, {"error": {"message": f"no route {path}"}}, {})
                    return
                step = server._next_step(request)
                if step.delay and server._stopping.wait(step.delay):
                    return
                anthropic = path == ANTHROPIC_PATH
                if step.status == 200:
                    payload = (
                        _anthropic_message(body, step)
                        if anthropic
                        else _openai_completion(body, step)
                    )
                else:
                    payload = _error_body(step, anthropic)
                self._send(step.status, payload, step.headers)

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # client gave up (timeout test)
                    pass

        return Handler


def _openai_completion(body: dict[str, Any], step: Step) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": step.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": step.input_tokens,
            "completion_tokens": step.output_tokens,
            "total_tokens": step.input_tokens + step.output_tokens,
        },
    }


def _anthropic_message(body: dict[str, Any], step: Step) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": [{"type": "text", "text": step.text or ""}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": step.input_tokens, "output_tokens": step.output_tokens},
    }


def _error_body(step: Step, anthropic: bool) -> dict[str, Any]:
    if anthropic:
        kind = {429: "rate_limit_error", 401: "authentication_error", 529: "overloaded_error"}
        return {
            "type": "error",
            "error": {"type": kind.get(step.status, "api_error"), "message": step.error_message},
        }
    return {"error": {"message": step.error_message, "type": "server_error", "code": None}}
