"""FakeLLM: one loopback server speaking the Anthropic Messages and OpenAI Chat Completions APIs.

    with FakeLLM() as llm:                                 # or the `fake_llm` fixture (env already set)
        llm.enqueue({"labels": ["bug"]})                   # dict: forced tool input / JSON content
        client = anthropic.Anthropic(base_url=llm.anthropic_url, api_key="k")   # no /v1
        client = openai.OpenAI(base_url=llm.openai_url, api_key="k")            # with /v1
        client = openai.OpenAI(base_url=llm.models_url, api_key=token)          # GitHub Models' path

Answer sources, in order: the queue (`enqueue`), `responder(route, request_json)`, `default`.
An answer is a dict (returned as the forced tool's input, as the JSON text of a json_schema /
output_config request, else as JSON text), a str (raw text: send garbage on purpose), or `Raw`
(exact status/body/headers, e.g. malformed JSON), or `Stopped` (cut at the token limit, or a refusal). Faults (`fault`, `hang`) come before answers and
never consume one. Control endpoints for out-of-process users (act): `POST /__replies` with a JSON
list of answers, `POST /__faults` with a list of {status, times, headers, body, route}. `reply_headers`
go with every answer (rate-limit headers).
"""

from __future__ import annotations

import collections
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._http import LoopbackServer, Reply, Request

ANTHROPIC = "/v1/messages"
OPENAI = "/v1/chat/completions"
MODELS = "/inference/chat/completions"  # GitHub Models: OpenAI-compatible, no /v1
ROUTES = {ANTHROPIC: "anthropic", OPENAI: "openai", MODELS: "github-models"}
ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Raw:
    """An exact reply: `body` bytes/str are sent as-is (malformed JSON on purpose), dicts as JSON."""

    body: Any = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stopped:
    """An answer with a stop reason: "length" (cut at the token limit: Anthropic `max_tokens`, OpenAI
    `length`) or "refusal" (Anthropic `refusal`, OpenAI `message.refusal`). `answer` is the text written."""

    answer: Any = ""
    reason: str = "length"


@dataclass
class LLMRequest:
    route: str  # "anthropic" | "openai" | "github-models"
    json: Any
    headers: dict[str, str]
    path: str


@dataclass
class _Fault:
    status: int
    times: int
    headers: dict[str, str]
    body: Any = None
    hang: float = 0.0
    route: str | None = None


class FakeLLM(LoopbackServer):
    """See the module docstring. Attributes: anthropic_url, openai_url, requests, default, latency."""

    def __init__(self, default: Any = "OK", latency: float = 0.0) -> None:
        super().__init__()
        self.default = default
        self.latency = latency
        self.responder: Callable[[str, Any], Any] | None = None
        self.requests: list[LLMRequest] = []
        self.require_key = True
        # Refuse what the real APIs refuse: sampling parameters on Anthropic's API version 2026-10-21,
        # max_tokens and temperature on OpenAI reasoning models (o-series, GPT-5 and later).
        self.realistic = True
        self.reply_headers: dict[str, str] = {}  # sent with every answer, e.g. x-ratelimit-remaining-requests
        self._queue: collections.deque[Any] = collections.deque()
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    @property
    def anthropic_url(self) -> str:
        return self.base

    @property
    def openai_url(self) -> str:
        return self.base + "/v1"

    @property
    def models_url(self) -> str:
        """Where GitHub Models would be (its https://models.github.ai/inference)."""
        return self.base + "/inference"

    # ------------------------------------------------------------------ scripting
    def enqueue(self, *answers: Any) -> None:
        with self._lock:
            self._queue.extend(answers)

    def fault(
        self,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        route: str | None = None,
    ) -> None:
        """The next `times` requests (of `route` "anthropic"/"openai", default any) get `status` with the
        provider's error body (or `body`), e.g. fault(429, headers={"retry-after": "0"})."""
        with self._lock:
            self._faults.append(_Fault(status, times, dict(headers or {}), body, route=route))

    def hang(self, seconds: float, times: int = 1, route: str | None = None) -> None:
        """The next `times` requests sleep `seconds`, then get a 504 with `x-should-retry: false` (if the
        client is still listening). Use seconds > the client's timeout to test timeouts."""
        with self._lock:
            self._faults.append(_Fault(504, times, {"x-should-retry": "false"}, hang=seconds, route=route))

    def pending(self) -> int:
        """Queued answers not yet consumed (assert 0 at the end of a test that scripts every reply)."""
        return len(self._queue)

    def prompts(self) -> list[str]:
        """The last user message text of every model request, in order."""
        return [_last_user_text(r.json) for r in self.requests]

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, req: Request) -> Reply | None:
        if req.method == "POST" and req.path in ("/__replies", "/__faults"):
            return self._control(req)
        route = ROUTES.get(req.path)
        if route is None or req.method != "POST":
            return Reply(404, {"error": {"message": f"no route {req.method} {req.path}", "type": "not_found_error"}})
        with self._lock:
            self.requests.append(LLMRequest(route, req.body, dict(req.headers), req.path))
            fault = self._take_fault(route)
        if self.latency:
            time.sleep(self.latency)
        if fault is not None:
            time.sleep(fault.hang)
            return self._error(route, fault.status, fault.body, fault.headers)
        problem = self._check(req, route)
        if problem:
            return problem
        return self._reply(route, req.body, self._next_answer(route, req.body))

    def _control(self, req: Request) -> Reply:
        items = req.body if isinstance(req.body, list) else [req.body]
        for item in items:
            if req.path == "/__replies":
                self.enqueue(item)
            else:
                self.fault(
                    item["status"], item.get("times", 1), item.get("headers"), item.get("body"), item.get("route")
                )
        return Reply(200, {"ok": True, "queued": len(items)})

    def _take_fault(self, route: str) -> _Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.route in (None, route):
                fault.times -= 1
                return fault
        return None

    def _next_answer(self, route: str, body: Any) -> Any:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(route, body)
        return self.default

    def _check(self, req: Request, route: str) -> Reply | None:
        if req.json_error is not None or not isinstance(req.body, dict):
            return self._error(route, 400, None, {}, "request body is not a JSON object")
        if self.require_key and not (req.header("x-api-key") or req.header("authorization")):
            return self._error(route, 401, None, {}, "missing API key")
        if not isinstance(req.body.get("messages"), list) or not req.body.get("model"):
            return self._error(route, 400, None, {}, "model and messages are required")
        if route == "anthropic" and not isinstance(req.body.get("max_tokens"), int):
            return self._error(route, 400, None, {}, "max_tokens: Field required")
        refused = _refused_parameter(route, req.body) if self.realistic else None
        return self._error(route, 400, None, {}, refused) if refused else None

    def _error(self, route: str, status: int, body: Any, headers: dict[str, str], message: str = "") -> Reply:
        message = message or f"fake error {status}"
        if body is None and route == "anthropic":
            body = {"type": "error", "error": {"type": ANTHROPIC_ERRORS.get(status, "api_error"), "message": message}}
        elif body is None:
            body = {
                "error": {
                    "message": message,
                    "type": "server_error" if status >= 500 else "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
        if isinstance(body, str):
            body = body.encode()
        return Reply(status, body, {"request-id": f"req_fake_{next(self._ids)}", **headers})

    def _reply(self, route: str, request: dict[str, Any], answer: Any) -> Reply:
        if isinstance(answer, Raw):
            body = answer.body.encode() if isinstance(answer.body, str) else answer.body
            return Reply(answer.status, body, dict(answer.headers))
        n = next(self._ids)
        make = _anthropic if route == "anthropic" else _openai
        headers = {"request-id": f"req_fake_{n}", "x-request-id": f"req_fake_{n}", **self.reply_headers}
        return Reply(200, make(request, answer, n), headers)


_SAMPLING = ("temperature", "top_p", "top_k")


def _reasoning_model(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    found = re.match(r"gpt-(\d+)", base)
    return bool(re.match(r"o\d", base)) or (found is not None and int(found.group(1)) >= 5)


def _refused_parameter(route: str, body: dict[str, Any]) -> str | None:
    """The 400 message the real API gives for a parameter this model or API version refuses."""
    if route == "anthropic":
        sent = [p for p in _SAMPLING if p in body]
        return f"{sent[0]}: Extra inputs are not permitted" if sent else None
    if not _reasoning_model(str(body.get("model", ""))):
        return None
    if "max_tokens" in body:
        return (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
        )
    if body.get("temperature") not in (None, 1):
        return "Unsupported value: 'temperature' does not support this value with this model. Only the default (1) value is supported."
    return None


def _text_of(answer: Any) -> str:
    return answer if isinstance(answer, str) else json.dumps(answer)


def _tokens(value: Any) -> int:
    return max(len(json.dumps(value)) // 4, 1)


def _anthropic(request: dict[str, Any], answer: Any, n: int) -> dict[str, Any]:
    choice = request.get("tool_choice") or {}
    if isinstance(answer, Stopped):
        content = [{"type": "text", "text": _text_of(answer.answer)}]
        stop = {"length": "max_tokens"}.get(answer.reason, answer.reason)
    elif isinstance(answer, dict) and choice.get("type") == "tool":
        content = [{"type": "tool_use", "id": f"toolu_{n:02d}", "name": choice.get("name"), "input": answer}]
        stop = "tool_use"
    else:
        content, stop = [{"type": "text", "text": _text_of(answer)}], "end_turn"
    return {
        "id": f"msg_{n:02d}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model"),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": _tokens(request.get("messages")),
            "output_tokens": _tokens(content),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def _forced_function(request: dict[str, Any]) -> str | None:
    choice, tools = request.get("tool_choice"), request.get("tools") or []
    if isinstance(choice, dict) and choice.get("type") == "function":
        return (choice.get("function") or {}).get("name")
    if choice == "required" and tools:
        return (tools[0].get("function") or {}).get("name")
    return None


def _openai(request: dict[str, Any], answer: Any, n: int) -> dict[str, Any]:
    function = _forced_function(request)
    if isinstance(answer, Stopped) and answer.reason == "refusal":
        message, finish = {"role": "assistant", "content": None, "refusal": _text_of(answer.answer)}, "stop"
    elif isinstance(answer, Stopped):
        message, finish = {"role": "assistant", "content": _text_of(answer.answer), "refusal": None}, answer.reason
    elif isinstance(answer, dict) and function:
        message = {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "tool_calls": [
                {"id": f"call_{n}", "type": "function", "function": {"name": function, "arguments": json.dumps(answer)}}
            ],
        }
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": _text_of(answer), "refusal": None}, "stop"
    prompt, completion = _tokens(request.get("messages")), _tokens(message)
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": 1700000000,
        "model": request.get("model"),
        "system_fingerprint": None,
        "choices": [{"index": 0, "finish_reason": finish, "logprobs": None, "message": message}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def _last_user_text(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return "".join(b.get("text", "") for b in content or [] if isinstance(b, dict))
    return ""
