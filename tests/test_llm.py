"""The model layer with the real SDKs against FakeLLM: structured output, re-ask, failures."""

import json

import pytest

from fakes import Raw, Stopped
from labeler import llm, llm_params

SCHEMA = {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}}


@pytest.fixture(params=["anthropic", "openai"])
def model(request, fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "1")
    return llm.get_model(request.param)


def test_structured_answer(model, fake_llm):
    fake_llm.enqueue({"x": 3})
    assert llm.ask_json(model, system="s", prompt="p", schema=SCHEMA) == {"x": 3}


def test_one_reask_with_the_error_then_invalid(model, fake_llm):
    fake_llm.enqueue({"x": "three"}, '```json\n{"x": 4}\n```')
    assert llm.ask_json(model, system="s", prompt="p", schema=SCHEMA) == {"x": 4}
    assert "'three' is not of type 'integer'" in fake_llm.prompts()[1]
    fake_llm.enqueue("nope", "still nope")
    with pytest.raises(llm.InvalidAnswer) as caught:
        llm.ask_json(model, system="s", prompt="p", schema=SCHEMA)
    assert caught.value.last_answer == "still nope"
    assert len(fake_llm.requests) == 4


@pytest.mark.parametrize("body", [b"{not json", b"[]"])
def test_malformed_envelopes_are_model_errors(model, fake_llm, body):
    fake_llm.enqueue(Raw(body, 200, {"content-type": "application/json"}))
    with pytest.raises(llm.ModelError):
        llm.ask_json(model, system="s", prompt="p", schema=SCHEMA)


def test_an_envelope_without_content_is_an_empty_answer(model, fake_llm):
    fake_llm.enqueue(Raw(b'{"unexpected": true}', 200, {"content-type": "application/json"}), {"x": 2})
    assert llm.ask_json(model, system="s", prompt="p", schema=SCHEMA) == {"x": 2}


def test_retry_after_is_capped(model, fake_llm, monkeypatch):
    model._client = type(model)(
        name=model.name,
        api_key="k",
        base_url=getattr(model, "base_url", None),
        settings=llm.Settings(timeout=5, max_retries=1, retry_after_cap=0.01),
    )._client
    fake_llm.fault(429, headers={"retry-after": "3600"})
    fake_llm.enqueue({"x": 1})
    assert llm.ask_json(model, system="s", prompt="p", schema=SCHEMA) == {"x": 1}


def test_timeouts_are_explicit_and_fail_clearly(fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "0.3")
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    fake_llm.hang(2)
    with pytest.raises(llm.ModelError, match="APITimeoutError|timed out|Timeout"):
        llm.get_model("openai").complete(system="s", prompt="p")


def test_keys_and_base_urls(monkeypatch):
    with pytest.raises(llm.UserError, match="OPENAI_API_KEY"):
        llm.get_model("openai")
    with pytest.raises(llm.UserError, match="unknown model provider"):
        llm.get_model("gemini")
    assert llm._openai_base("http://h:8000") == "http://h:8000/v1"
    assert llm._anthropic_base("http://h:1/v1/") == "http://h:1"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert llm.get_model("openai").api_key == "unused"  # local servers take no key


def test_a_missing_sdk_names_what_installs_it(monkeypatch):
    """The actions install a model SDK only when its provider or key is set: its absence is a UserError."""
    import sys

    from labeler import llm
    from labeler.errors import UserError

    monkeypatch.setitem(sys.modules, "anthropic", None)
    with pytest.raises(UserError, match="anthropic SDK is not installed.*anthropic-api-key"):
        llm.get_model("anthropic", "m", api_key="k")


# ------------------------------------------------------------------ what the requests carry
LABELS = {
    "type": "object",
    "required": ["rationale", "labels"],
    "properties": {
        "rationale": {"type": "string", "maxLength": 500},
        "labels": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "enum": ["bug", "docs"]},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
        },
    },
}
ANSWER = {"rationale": "crash", "labels": [{"name": "bug", "confidence": 0.9}]}


def _closed(schema):
    """Every object of a wire schema is closed and requires all its properties."""
    if schema.get("type") == "object":
        assert schema["additionalProperties"] is False and schema["required"] == list(schema["properties"])
    for sub in [*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])]:
        _closed(sub)


def test_anthropic_gets_a_strict_json_output_schema_thinking_off_and_no_temperature(fake_llm):
    fake_llm.enqueue(ANSWER)
    model = llm.get_model("anthropic")
    assert model.name == llm.DEFAULT_MODELS["anthropic"] and "haiku" in model.name
    assert llm.ask_json(model, system="s", prompt="p", schema=LABELS) == ANSWER
    body = fake_llm.requests[0].json
    wire = body["output_config"]["format"]
    assert wire["type"] == "json_schema" and "tools" not in body and "tool_choice" not in body
    _closed(wire["schema"])
    assert list(wire["schema"]["properties"]) == ["rationale", "labels"]  # the reason is written first
    assert wire["schema"]["properties"]["labels"]["items"]["properties"]["name"]["enum"] == ["bug", "docs"]
    assert "maxItems" not in json.dumps(wire) and "maximum" not in json.dumps(wire)  # not in the strict subset
    assert body["thinking"] == {"type": "disabled"}
    assert not {"temperature", "top_p", "top_k"} & set(body)


def test_a_claude_that_always_thinks_gets_low_effort_and_room_instead_of_thinking_off(fake_llm):
    fake_llm.enqueue(ANSWER)
    llm.ask_json(llm.get_model("anthropic", "claude-opus-5-5"), system="s", prompt="p", schema=LABELS, max_tokens=300)
    body = fake_llm.requests[0].json
    assert "thinking" not in body and body["output_config"]["effort"] == "low"
    assert body["max_tokens"] == 300 + llm_params.THINKING_ROOM


@pytest.mark.parametrize(
    "name, effort",
    [("gpt-5.4-mini", "none"), ("gpt-5-mini", "minimal"), ("o4-mini", "low"), ("openai/gpt-5-nano", "minimal")],
)
def test_openai_reasoning_models_get_no_max_tokens_and_no_temperature(fake_llm, name, effort):
    fake_llm.enqueue(ANSWER)
    assert llm.ask_json(llm.get_model("openai", name), system="s", prompt="p", schema=LABELS) == ANSWER
    body = fake_llm.requests[0].json
    assert "max_tokens" not in body and "temperature" not in body
    assert body["max_completion_tokens"] >= 1024 and body["reasoning_effort"] == effort
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    _closed(fmt["json_schema"]["schema"])
    assert fmt["json_schema"]["schema"]["properties"]["labels"]["items"]["properties"]["name"]["enum"] == [
        "bug",
        "docs",
    ]


def test_a_chat_model_keeps_temperature_zero(fake_llm):
    fake_llm.enqueue(ANSWER)
    llm.ask_json(llm.get_model("openai", "gpt-4.1-mini"), system="s", prompt="p", schema=LABELS)
    body = fake_llm.requests[0].json
    assert body["temperature"] == 0 and body["max_completion_tokens"] == 1024
    assert "max_tokens" not in body and "reasoning_effort" not in body


def test_the_stand_in_refuses_what_the_real_apis_refuse(fake_llm):
    import anthropic
    import openai

    with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
        openai.OpenAI(base_url=fake_llm.openai_url, api_key="k", max_retries=0).chat.completions.create(
            model="openai/o3-mini", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(anthropic.BadRequestError, match="temperature"):
        anthropic.Anthropic(base_url=fake_llm.anthropic_url, api_key="k", max_retries=0).messages.create(
            model="claude-haiku-5-5",
            max_tokens=10,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"temperature": 0},
        )


def test_a_cut_answer_is_asked_again_with_more_room_not_blind(model, fake_llm):
    fake_llm.enqueue(Stopped('{"rationale": "cr', "length"), ANSWER)
    assert llm.ask_json(model, system="s", prompt="p", schema=LABELS, max_tokens=300) == ANSWER
    first, second = (r.json for r in fake_llm.requests)
    limit = "max_tokens" if model.provider == "anthropic" else "max_completion_tokens"
    assert second[limit] - first[limit] == 300  # twice the room
    assert fake_llm.prompts()[1] == "p"  # same question: the answer was not wrong, only cut


def test_an_answer_cut_again_at_the_most_room_is_a_typed_error(model, fake_llm):
    fake_llm.enqueue(Stopped("{", "length"), Stopped("{", "length"))
    with pytest.raises(llm.Truncated) as caught:
        llm.ask_json(model, system="s", prompt="p", schema=LABELS, max_tokens=llm.MAX_ROOM // 2)
    assert caught.value.partial == "{" and len(fake_llm.requests) == 2
    fake_llm.enqueue(Stopped("{", "length"))
    with pytest.raises(llm.Truncated):
        llm.ask_json(model, system="s", prompt="p", schema=LABELS, max_tokens=llm.MAX_ROOM)
    assert len(fake_llm.requests) == 3  # nothing left to give: no blind re-ask


def test_plain_text_cut_at_the_limit_keeps_what_was_written(model, fake_llm):
    fake_llm.enqueue(Stopped("[QUESTION] a [ANSWER] b [END] [QUESTION] c", "length"))
    with pytest.raises(llm.Truncated) as caught:
        model.complete(system="s", prompt="p", max_tokens=50)
    assert caught.value.partial.endswith("[QUESTION] c") and caught.value.limit == 50


def test_a_refusal_is_not_asked_again(model, fake_llm):
    fake_llm.enqueue(Stopped("I can't help with that.", "refusal"))
    with pytest.raises(llm.Refused):
        llm.ask_json(model, system="s", prompt="p", schema=LABELS)
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    "name, always",
    [
        ("claude-haiku-5-5", False),
        ("claude-sonnet-5-5", False),
        ("claude-opus-5", False),
        ("claude-opus-4-7", False),
        ("claude-opus-5-5", True),
        ("claude-fable-5-1", True),
        ("anthropic/claude-mythos-5", True),
    ],
)
def test_which_claude_models_always_think(name, always):
    assert llm_params.claude_thinks_always(name) is always


@pytest.mark.parametrize(
    "name, reasoning, effort",
    [
        ("gpt-4.1-mini", False, None),
        ("gpt-4o", False, None),
        ("llama3", False, None),
        ("o1", True, "low"),
        ("gpt-5", True, "minimal"),
        ("gpt-5.1", True, "none"),
        ("gpt-6-luna", True, "none"),
        ("gpt-5-pro", True, None),
        ("gpt-5-chat-latest", True, None),
    ],
)
def test_openai_traits(name, reasoning, effort):
    assert llm_params.openai_traits(name) == llm_params.OpenAITraits(reasoning, effort)


def test_strict_schema_keeps_order_and_enums_and_drops_what_strict_mode_refuses():
    wire = llm_params.strict_schema(LABELS)
    _closed(wire)
    assert LABELS["properties"]["rationale"]["maxLength"] == 500  # the local schema is untouched
    assert wire["properties"]["rationale"] == {"type": "string"}
