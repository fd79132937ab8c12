"""The github-models provider with the real OpenAI SDK against the stand-in at a models URL: the workflow token
as the key, refusals and spent limits as ModelUnavailable, 429s waited out up to the cap, pacing."""

import time

import pytest

from conftest import FAKE_GITHUB_TOKEN
from labeler import llm, quota
from labeler.errors import UserError

SCHEMA = {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}}


@pytest.fixture
def model(fake_models, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_GITHUB_TOKEN)
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "2")
    return llm.get_model("github-models")


def ask(model):
    return llm.ask_json(model, system="s", prompt="p", schema=SCHEMA)


def test_chat_completions_at_the_models_url_with_the_workflow_token(model, fake_models):
    fake_models.enqueue({"x": 3})
    assert ask(model) == {"x": 3}
    [request] = fake_models.requests
    assert request.path == "/inference/chat/completions"
    assert request.headers["authorization"] == f"Bearer {FAKE_GITHUB_TOKEN}"
    assert request.json["model"] == "openai/gpt-4.1-mini"
    assert request.json["response_format"]["type"] == "json_schema"
    assert (model.provider, model.name) == ("github-models", "openai/gpt-4.1-mini")


def test_the_default_url_is_github_models(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_GITHUB_TOKEN)
    model = llm.get_model("github-models")
    assert str(model._client.base_url).rstrip("/") == "https://models.github.ai/inference"


def test_no_token_names_the_token_and_the_permission(monkeypatch):
    with pytest.raises(UserError, match="GITHUB_TOKEN") as caught:
        llm.get_model("github-models")
    assert "models: read" in caught.value.message


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_is_unavailable_with_what_to_do_and_is_not_retried(model, fake_models, status):
    fake_models.fault(status, times=5)
    with pytest.raises(llm.ModelUnavailable) as caught:
        ask(model)
    assert not caught.value.spent
    assert "`models: read`" in caught.value.message and f"HTTP {status}" in caught.value.message
    assert FAKE_GITHUB_TOKEN not in caught.value.message
    assert len(fake_models.requests) == 1


def test_a_429_with_retry_after_1_is_waited_out_then_answered(model, fake_models):
    fake_models.fault(429, headers={"retry-after": "1"})
    fake_models.enqueue({"x": 1})
    started = time.monotonic()
    assert ask(model) == {"x": 1}
    assert time.monotonic() - started >= 0.9
    assert len(fake_models.requests) == 2


def test_a_429_without_retry_after_waits_for_the_spent_window(model, fake_models):
    fake_models.fault(429, headers={"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"})
    fake_models.enqueue({"x": 1})
    started = time.monotonic()
    assert ask(model) == {"x": 1}
    assert time.monotonic() - started >= 0.9


def test_a_429_longer_than_the_cap_gives_up_at_once(model, fake_models):
    fake_models.fault(429, times=5, headers={"retry-after": "3600"})
    started = time.monotonic()
    with pytest.raises(llm.ModelUnavailable) as caught:
        ask(model)
    assert caught.value.spent and "resets in about 1 h" in caught.value.message
    assert len(fake_models.requests) == 1 and time.monotonic() - started < 3


def test_429s_past_the_retries_are_unavailable(model, fake_models):
    fake_models.fault(429, times=5, headers={"retry-after": "0.01"})
    with pytest.raises(llm.ModelUnavailable):
        ask(model)
    assert len(fake_models.requests) == 3  # the SDK's own retries, no more


def test_a_server_error_stays_a_model_error(model, fake_models):
    fake_models.fault(400)
    with pytest.raises(llm.ModelError) as caught:
        ask(model)
    assert not isinstance(caught.value, llm.ModelUnavailable)


def test_requests_pace_themselves_to_the_announced_window(model, fake_models):
    slept = []
    model.quota._sleep = slept.append
    fake_models.reply_headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2"}
    fake_models.enqueue({"x": 1}, {"x": 2})
    assert ask(model) == {"x": 1}
    assert ask(model) == {"x": 2}
    assert len(slept) == 1 and 1.5 < slept[0] <= 2


def test_a_spent_day_stops_before_asking(model, fake_models):
    fake_models.reply_headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20h"}
    fake_models.enqueue({"x": 1})
    ask(model)
    again = llm.get_model("github-models")  # a backlog's next issue: a new client, the same quota
    with pytest.raises(llm.ModelUnavailable, match="resets in about 20 h"):
        ask(again)
    assert len(fake_models.requests) == 1
    assert quota.shared(fake_models.models_url, 5).left() == "1 GitHub Models call(s); 0 left in the current window"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"GITHUB_TOKEN": "t"}, None),  # a token alone never calls out: the workflow must opt in
        ({"LABELER_GITHUB_MODELS": "true"}, None),  # opted in, but no token to call with
        ({"LABELER_GITHUB_MODELS": "true", "GITHUB_TOKEN": "t"}, "github-models"),
        ({"LABELER_GITHUB_MODELS": "false", "GITHUB_TOKEN": "t"}, None),
        ({"LABELER_GITHUB_MODELS": "true", "GITHUB_TOKEN": "t", "OPENAI_API_KEY": "k"}, "openai"),
        ({"LABELER_GITHUB_MODELS": "true", "GITHUB_TOKEN": "t", "ANTHROPIC_API_KEY": "k"}, "anthropic"),
    ],
)
def test_the_keyless_default(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert llm.detected() == expected


def test_down_or_unreachable_is_unavailable_after_the_retries(model, fake_models, monkeypatch):
    fake_models.fault(503, times=5)
    with pytest.raises(llm.ModelUnavailable, match=r"did not answer \(HTTP 503"):
        ask(model)
    assert len(fake_models.requests) == 3
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    closed = llm.get_model("github-models", base_url="http://127.0.0.1:9/inference")
    with pytest.raises(llm.ModelUnavailable, match="did not answer") as caught:
        ask(closed)
    assert not caught.value.spent


def test_an_unknown_model_stays_a_loud_error(model, fake_models):
    fake_models.fault(404, body={"error": {"message": "Unknown model: openai/gpt-9", "type": "not_found"}})
    with pytest.raises(llm.ModelError) as caught:
        ask(model)
    assert not isinstance(caught.value, llm.ModelUnavailable)
