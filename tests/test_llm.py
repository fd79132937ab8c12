"""The model layer with the real SDKs against FakeLLM: structured output, re-ask, failures."""

import pytest

from fakes import Raw
from labeler import llm

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
