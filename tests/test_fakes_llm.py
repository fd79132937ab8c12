"""FakeLLM against the real anthropic 2.12 and openai 3.54 SDKs: shapes, scripting, faults, retries."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import anthropic
import openai
import pydantic
import pytest

from fakes import FakeLLM, Raw

TOOL = {
    "name": "set_labels",
    "description": "Pick labels",
    "input_schema": {
        "type": "object",
        "properties": {"labels": {"type": "array", "items": {"type": "string"}}},
        "required": ["labels"],
    },
}


class Labels(pydantic.BaseModel):
    labels: list[str]


def claude(llm: FakeLLM, **kw) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=llm.anthropic_url, api_key="sk-ant-test-0123456789", **kw)


def gpt(llm: FakeLLM, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=llm.openai_url, api_key="sk-test-0123456789", **kw)


def ask(client: anthropic.Anthropic, **kw):
    return client.messages.create(
        model="claude-test", max_tokens=64, messages=[{"role": "user", "content": "Label this"}], **kw
    )


def chat(client: openai.OpenAI, **kw):
    return client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "Label this"}], **kw)


def test_anthropic_text_and_request_log(fake_llm):
    fake_llm.enqueue("first")
    reply = ask(anthropic.Anthropic(), system=[{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}])
    assert (reply.content[0].text, reply.stop_reason, reply.model) == ("first", "end_turn", "claude-test")
    assert ask(anthropic.Anthropic()).content[0].text == "OK"  # the default
    req = fake_llm.requests[0]
    assert req.route == "anthropic" and req.json["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert req.headers.get("x-api-key") or req.headers.get("authorization")
    assert fake_llm.prompts() == ["Label this", "Label this"]


def test_anthropic_forced_tool_and_parse(fake_llm):
    fake_llm.enqueue({"labels": ["bug"]}, {"labels": ["docs"]})
    reply = ask(claude(fake_llm), tools=[TOOL], tool_choice={"type": "tool", "name": "set_labels"})
    block = reply.content[0]
    assert (block.type, block.name, block.input, reply.stop_reason) == (
        "tool_use",
        "set_labels",
        {"labels": ["bug"]},
        "tool_use",
    )
    parsed = claude(fake_llm).messages.parse(
        model="claude-test", max_tokens=64, output_format=Labels, messages=[{"role": "user", "content": "x"}]
    )
    assert parsed.parsed_output == Labels(labels=["docs"])
    assert fake_llm.requests[1].json["output_config"]["format"]["type"] == "json_schema"


def test_anthropic_garbage_with_forced_tool_is_text(fake_llm):
    fake_llm.enqueue("not json at all")
    reply = ask(claude(fake_llm), tools=[TOOL], tool_choice={"type": "tool", "name": "set_labels"})
    assert [b.type for b in reply.content] == ["text"] and reply.content[0].text == "not json at all"


def test_openai_text_json_schema_parse_and_tools(fake_llm):
    fake_llm.enqueue("hello", {"labels": ["bug"]}, {"labels": ["ui"]}, {"labels": ["x"]})
    assert chat(openai.OpenAI()).choices[0].message.content == "hello"
    schema = {
        "type": "json_schema",
        "json_schema": {"name": "labels", "strict": True, "schema": Labels.model_json_schema()},
    }
    assert json.loads(chat(gpt(fake_llm), response_format=schema).choices[0].message.content) == {"labels": ["bug"]}
    parsed = gpt(fake_llm).chat.completions.parse(
        model="gpt-test", response_format=Labels, messages=[{"role": "user", "content": "x"}]
    )
    assert parsed.choices[0].message.parsed == Labels(labels=["ui"])
    tool = {"type": "function", "function": {"name": "set_labels", "parameters": TOOL["input_schema"]}}
    reply = chat(gpt(fake_llm), tools=[tool], tool_choice={"type": "function", "function": {"name": "set_labels"}})
    call = reply.choices[0].message.tool_calls[0]
    assert (reply.choices[0].finish_reason, call.function.name, json.loads(call.function.arguments)) == (
        "tool_calls",
        "set_labels",
        {"labels": ["x"]},
    )
    assert reply.usage.total_tokens > 0 and fake_llm.pending() == 0


def test_responder_and_default(fake_llm):
    fake_llm.responder = lambda route, body: {"route": route, "model": body["model"]}
    assert json.loads(ask(claude(fake_llm)).content[0].text) == {"route": "anthropic", "model": "claude-test"}
    fake_llm.enqueue("queued wins")
    assert chat(gpt(fake_llm)).choices[0].message.content == "queued wins"
    fake_llm.responder = None
    fake_llm.default = {"labels": []}
    assert chat(gpt(fake_llm)).choices[0].message.content == '{"labels": []}'


@pytest.mark.parametrize("header", [{"retry-after": "1"}, {"retry-after-ms": "20"}])
def test_anthropic_retries_429_honouring_retry_after(fake_llm, header):
    fake_llm.fault(429, headers=header)
    fake_llm.enqueue("after retry")
    assert ask(claude(fake_llm)).content[0].text == "after retry"
    assert len(fake_llm.requests) == 2
    assert fake_llm.requests[1].headers["x-stainless-retry-count"] == "1"


def test_openai_retries_429_with_retry_after_ms(fake_llm):
    fake_llm.fault(429, headers={"retry-after-ms": "20"}, route="openai")
    fake_llm.enqueue("ok now")
    assert chat(gpt(fake_llm)).choices[0].message.content == "ok now"
    assert len(fake_llm.requests) == 2


def test_openai_does_not_retry_long_retry_after(fake_llm):
    fake_llm.fault(429, headers={"retry-after": "300"})
    with pytest.raises(openai.RateLimitError):
        chat(gpt(fake_llm))
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize("status", [500, 529])
def test_anthropic_retries_server_errors_then_gives_up(fake_llm, status):
    fake_llm.fault(status, times=1, headers={"retry-after-ms": "10"})
    assert ask(claude(fake_llm, max_retries=1)).content[0].text == "OK"
    fake_llm.fault(status, times=5, headers={"retry-after-ms": "10"})
    with pytest.raises(anthropic.APIStatusError) as e:
        ask(claude(fake_llm, max_retries=1))
    assert e.value.status_code == status
    assert len(fake_llm.requests) == 4
    assert e.value.body["error"]["type"] == {500: "api_error", 529: "overloaded_error"}[status]


def test_openai_500_retried_and_400_not(fake_llm):
    fake_llm.fault(500, times=1, headers={"retry-after-ms": "10"})
    assert chat(gpt(fake_llm)).choices[0].message.content == "OK"
    fake_llm.fault(
        400, body={"error": {"message": "bad", "type": "invalid_request_error", "param": None, "code": None}}
    )
    with pytest.raises(openai.BadRequestError):
        chat(gpt(fake_llm))
    assert len(fake_llm.requests) == 3


def test_anthropic_400_and_no_retry_header(fake_llm):
    fake_llm.fault(400)
    with pytest.raises(anthropic.BadRequestError):
        ask(claude(fake_llm))
    fake_llm.fault(500, headers={"x-should-retry": "false"})
    with pytest.raises(anthropic.InternalServerError):
        ask(claude(fake_llm))
    assert len(fake_llm.requests) == 2


def test_hang_times_out_and_does_not_consume_answers(fake_llm):
    fake_llm.hang(1.5, times=1)
    fake_llm.enqueue("survivor")
    with pytest.raises(anthropic.APITimeoutError):
        ask(claude(fake_llm, timeout=0.3, max_retries=0))
    fake_llm.hang(1.5, times=1)
    with pytest.raises(openai.APITimeoutError):
        chat(gpt(fake_llm, timeout=0.3, max_retries=0))
    assert ask(claude(fake_llm)).content[0].text == "survivor"


def test_malformed_and_shapeless_replies(fake_llm):
    # Both SDKs let a raw JSONDecodeError escape (not an APIError) and accept any JSON object as a reply.
    fake_llm.enqueue(Raw(b'{"id": "msg_1", "content": ['), Raw(b'{"id": "x", "choices": ['), Raw({"unexpected": 1}))
    with pytest.raises(json.JSONDecodeError):
        ask(claude(fake_llm, max_retries=0))
    with pytest.raises(json.JSONDecodeError):
        chat(gpt(fake_llm, max_retries=0))
    assert ask(claude(fake_llm, max_retries=0)).content is None


def test_bad_requests_are_rejected(fake_llm):
    def post(path: str, data: bytes, headers: dict) -> tuple[int, dict]:
        req = urllib.request.Request(fake_llm.base + path, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    key = {"x-api-key": "k", "content-type": "application/json"}
    assert post("/v1/messages", b"{nope", key)[0] == 400
    assert post("/v1/messages", b'{"model": "m", "messages": []}', {})[0] == 401
    assert (
        post("/v1/messages", b'{"model": "m", "messages": []}', key)[1]["error"]["message"]
        == "max_tokens: Field required"
    )
    assert post("/v1/v1/messages", b"{}", key)[0] == 404  # anthropic base_url must not end in /v1
    assert post("/chat/completions", b"{}", key)[0] == 404  # openai base_url must end in /v1
    assert post("/__replies", b'["from act"]', {})[0] == 200
    assert post("/__faults", b'[{"status": 529, "times": 1}]', {})[0] == 200
    with pytest.raises(anthropic.APIStatusError):
        ask(claude(fake_llm, max_retries=0))
    assert ask(claude(fake_llm, max_retries=0)).content[0].text == "from act"


def test_concurrent_requests_are_served_in_parallel(fake_llm):
    barrier = threading.Barrier(4, timeout=10)  # only passes if 4 requests are inside the server at once

    def responder(route, body):
        barrier.wait()
        return "together"

    fake_llm.responder = responder
    fake_llm.latency = 0.05
    client = claude(fake_llm, max_retries=0)
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(lambda _: ask(client).content[0].text, range(4)))
    assert texts == ["together"] * 4


def test_fixture_env(fake_llm):
    import os

    assert os.environ["ANTHROPIC_BASE_URL"] == fake_llm.anthropic_url and fake_llm.openai_url.endswith("/v1")
    assert os.environ["OPENAI_API_KEY"] and os.environ["ANTHROPIC_API_KEY"]
