"""The model layer: Anthropic Messages and OpenAI Chat Completions (or any compatible server).

One owner of transport retries: the SDKs (max_retries, honouring Retry-After). A response hook
caps Retry-After so a provider cannot park the job for minutes. tenacity is used only for the
re-ask loop on an answer that fails validation or was cut at the token limit.

The request bodies (strict schemas, per-model parameters) are built in llm_params, one place for
every provider; a stop at the token limit raises Truncated (with the text so far), a refusal Refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from labeler import limits, llm_params, quota
from labeler.errors import UserError

# Current, cheap models meant for high-volume classification (checked in the providers' docs); GitHub Models'
# free tier counts a "low" model such as gpt-4.1-mini at the most requests a day.
DEFAULT_MODELS = {"anthropic": "claude-haiku-5-5", "openai": "gpt-5.4-mini", "github-models": "openai/gpt-4.1-mini"}
KEY_ENV = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY", "github-models": "GITHUB_TOKEN"}
BASE_URL_ENV = {"anthropic": "ANTHROPIC_BASE_URL", "openai": "OPENAI_BASE_URL", "github-models": "LABELER_MODELS_URL"}
RETRY_AFTER_CAP = 30.0
MAX_ROOM = 8192  # the most tokens a re-ask after a cut answer asks for


class ModelError(UserError):
    """The provider failed for good (after the SDK's own retries)."""


class ModelUnavailable(ModelError):
    """The provider will not answer this run: it refused the token, is down, or its free limits are `spent` (then
    later runs will do). Callers with an offline provider fall back to it instead of failing."""

    def __init__(self, message: str, *, spent: bool) -> None:
        super().__init__(message)
        self.spent = spent


class InvalidAnswer(UserError):
    """The model's answer did not match the schema, even after a re-ask."""

    def __init__(self, message: str, last_answer: str = "") -> None:
        super().__init__(message)
        self.last_answer = last_answer


class Truncated(InvalidAnswer):
    """The model stopped at the token limit: `partial` is what it wrote before, `limit` the limit."""

    def __init__(self, partial: str, limit: int) -> None:
        super().__init__(f"the answer was cut at the token limit ({limit} tokens)", partial)
        self.partial = partial
        self.limit = limit
        self.final = False  # ask_json: no more room to give


class Refused(ModelError):
    """The model declined to answer (a safety refusal): asking again gives the same."""


class Model(Protocol):
    provider: str
    name: str

    def complete(
        self,
        *,
        system: str,
        prompt: str,
        max_tokens: int = 1024,
        schema: dict[str, Any] | None = None,
        temperature: float | None = None,
    ) -> str:
        """Return the answer text (the JSON text of the object when `schema` is given). Raises
        Truncated when the model stopped at `max_tokens`, Refused when it declined, ModelError else."""
        ...


@dataclass
class Settings:
    timeout: float = 60.0
    max_retries: int = 2
    retry_after_cap: float = RETRY_AFTER_CAP

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            timeout=_env_float("LABELER_MODEL_TIMEOUT", 60.0),
            max_retries=int(_env_float("LABELER_MODEL_RETRIES", 2)),
            retry_after_cap=_env_float("LABELER_RETRY_AFTER_CAP", RETRY_AFTER_CAP),
        )


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise UserError(f"{name} must be a number, got {raw!r}") from None


def _cap_retry_after(cap: float) -> Any:
    def hook(response: Any) -> None:
        for header in ("retry-after", "retry-after-ms"):
            value = response.headers.get(header)
            if value is None:
                continue
            scale = 1000.0 if header.endswith("-ms") else 1.0
            try:
                seconds = float(value) / scale
            except ValueError:  # an HTTP date: replace it with the cap
                seconds = cap
            response.headers[header] = str(min(seconds, cap) * scale)

    return hook


def _client(module: Any, cls: str, api_key: str, base_url: str | None, settings: Settings, hook: Any = None) -> Any:
    """The SDK's client with our timeout, retries and response hook (by default: retry-after capped)."""
    hook = hook or _cap_retry_after(settings.retry_after_cap)
    return getattr(module, cls)(
        api_key=api_key,
        base_url=base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=module.DefaultHttpxClient(event_hooks={"response": [hook]}),
    )


@dataclass
class AnthropicModel:
    name: str
    api_key: str
    base_url: str | None = None
    settings: Settings = field(default_factory=Settings)
    provider: str = "anthropic"

    def __post_init__(self) -> None:
        anthropic = sdk("anthropic")

        self._sdk = anthropic
        self._client = _client(anthropic, "Anthropic", self.api_key, _anthropic_base(self.base_url), self.settings)

    def complete(
        self,
        *,
        system: str,
        prompt: str,
        max_tokens: int = 1024,
        schema: dict[str, Any] | None = None,
        temperature: float | None = None,
    ) -> str:
        """`temperature` is not sent: the API version of the SDK 2.x refuses sampling parameters."""
        kwargs = llm_params.anthropic_request(self.name, system, prompt, max_tokens, schema)
        try:
            message = self._client.messages.create(**kwargs)
            text = _anthropic_text(message)
        except self._sdk.APIError as e:
            raise ModelError(f"the Anthropic API failed ({_describe(e)})") from None
        except (ValueError, TypeError, AttributeError) as e:  # a 200 whose body is not a Message
            raise ModelError(f"the Anthropic API sent a malformed response ({type(e).__name__})") from None
        _check_stop(getattr(message, "stop_reason", None), text, max_tokens, "Anthropic")
        return text


def sdk(name: str) -> Any:
    """The provider's SDK, or an error saying how to get it (the actions install it only when asked for)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        raise UserError(
            f"the {name} SDK is not installed: in an action set its provider input or {name}-api-key "
            f"(it is installed only then); elsewhere install requirements/{name}.txt"
        ) from None


def _anthropic_base(url: str | None) -> str | None:
    # The SDK appends /v1 itself; accept either form from users.
    if url and url.rstrip("/").endswith("/v1"):
        return url.rstrip("/")[: -len("/v1")]
    return url


def _anthropic_text(message: Any) -> str:
    """The text blocks (a structured answer is one text block of JSON); thinking blocks are not the answer."""
    return "".join(block.text for block in message.content or () if block.type == "text")


# stop_reason / finish_reason values meaning "cut at the token limit" and "declined"
_CUT = frozenset({"max_tokens", "length", "model_context_window_exceeded"})
_REFUSED = frozenset({"refusal", "content_filter"})


def _check_stop(reason: str | None, text: str, limit: int, provider: str) -> None:
    if reason in _CUT:
        raise Truncated(text, limit)
    if reason in _REFUSED:
        raise Refused(f"the {provider} model declined to answer (stop reason {reason})")


@dataclass
class OpenAIModel:
    name: str
    api_key: str
    base_url: str | None = None
    settings: Settings = field(default_factory=Settings)
    provider: str = "openai"

    def __post_init__(self) -> None:
        openai = sdk("openai")

        self._sdk = openai
        self._client = _client(openai, "OpenAI", self.api_key, _openai_base(self.base_url), self.settings)

    def complete(
        self,
        *,
        system: str,
        prompt: str,
        max_tokens: int = 1024,
        schema: dict[str, Any] | None = None,
        temperature: float | None = None,
    ) -> str:
        kwargs = self.request(
            system=system, prompt=prompt, max_tokens=max_tokens, schema=schema, temperature=temperature
        )
        try:
            completion = self._client.chat.completions.create(**kwargs)
            choice = completion.choices[0] if completion.choices else None
            text = (choice.message.content or "") if choice else ""
            refusal = getattr(choice.message, "refusal", None) if choice else None
        except self._sdk.APIError as e:
            raise ModelError(f"the OpenAI-compatible API failed ({_describe(e)})") from None
        except (ValueError, TypeError, AttributeError) as e:  # a 200 whose body is not a completion
            raise ModelError(f"the OpenAI-compatible API sent a malformed response ({type(e).__name__})") from None
        _check_stop("refusal" if refusal else getattr(choice, "finish_reason", None), text, max_tokens, "OpenAI")
        return text

    def request(
        self, *, system: str, prompt: str, max_tokens: int, schema: dict[str, Any] | None, temperature: float | None
    ) -> dict[str, Any]:
        """The Chat Completions body, built in one place for every OpenAI-compatible provider."""
        return llm_params.openai_request(self.name, system, prompt, max_tokens, schema, temperature)


def _openai_base(url: str | None) -> str | None:
    # The SDK expects the /v1 suffix; vLLM, llama.cpp and Ollama serve under it.
    if url and not url.rstrip("/").endswith("/v1"):
        return url.rstrip("/") + "/v1"
    return url


def _describe(e: BaseException) -> str:
    """Status code and error type only: providers echo the key (and the prompt) in their messages."""
    status = getattr(e, "status_code", None)
    body = getattr(e, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("type") if isinstance(error, dict) else body.get("type") if isinstance(body, dict) else None
    kind = kind if isinstance(kind, str) and len(kind) <= 60 else type(e).__name__
    return f"HTTP {status} {kind}" if status else type(e).__name__


MODELS_URL = "https://models.github.ai/inference"


@dataclass
class GitHubModelsModel(OpenAIModel):
    """GitHub Models: OpenAI-compatible chat completions at the models URL (no /v1), the workflow token as the
    key. Requests are paced to the free limits the responses announce; a refusal or spent limits raise
    ModelUnavailable, so a run can carry on offline."""

    provider: str = "github-models"
    max_input_tokens: int = limits.FREE_INPUT_TOKENS - limits.RESERVED_TOKENS
    max_concurrency: int = limits.FREE_CONCURRENCY

    def __post_init__(self) -> None:
        openai = sdk("openai")

        self._sdk = openai
        self.quota = quota.shared(self.base_url or MODELS_URL, self.settings.retry_after_cap)
        base = (self.base_url or MODELS_URL).rstrip("/")
        self._client = _client(openai, "OpenAI", self.api_key, base, self.settings, hook=self.quota.observe)

    def complete(self, **kwargs: Any) -> str:
        if problem := self.quota.before_request():
            raise ModelUnavailable(problem, spent=True)
        self.quota.status = 0
        try:
            return super().complete(**kwargs)
        except ModelError as e:
            if problem := self.quota.unavailable() or self._unreachable(e.__context__):
                raise ModelUnavailable(problem, spent=self.quota.status == 429) from None
            raise e from None

    def _unreachable(self, cause: BaseException | None) -> str | None:
        """Down or unreachable after the SDK's retries: the service's state, not a fault of the request (a 4xx
        such as an unknown model stays a ModelError)."""
        down = isinstance(cause, self._sdk.APIConnectionError) or getattr(cause, "status_code", 0) >= 500
        return f"GitHub Models did not answer ({_describe(cause)})" if down and cause is not None else None


PROVIDERS: dict[str, Any] = {"anthropic": AnthropicModel, "openai": OpenAIModel, "github-models": GitHubModelsModel}


def get_model(
    provider: str,
    name: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    settings: Settings | None = None,
) -> Model:
    """Build a model client; a missing key is a UserError naming the variable to set."""
    if provider not in PROVIDERS:
        raise UserError(f"unknown model provider {provider!r} (choose from {', '.join(sorted(PROVIDERS))})")
    base_url = base_url or os.environ.get(BASE_URL_ENV[provider]) or None
    api_key = api_key or os.environ.get(KEY_ENV[provider])
    if not api_key and provider == "openai" and base_url:
        api_key = "unused"  # local OpenAI-compatible servers (llama.cpp, Ollama) take no key
    if not api_key:
        raise UserError(f"the {provider} provider needs {_key_kind(provider)}: set {KEY_ENV[provider]}")
    model_cls: Any = PROVIDERS[provider]
    model: Model = model_cls(
        name=name or DEFAULT_MODELS[provider],
        api_key=api_key,
        base_url=base_url,
        settings=settings or Settings.from_env(),
    )
    return model


def _key_kind(provider: str) -> str:
    return "a token with `permissions: models: read` (the workflow's)" if provider == "github-models" else "an API key"


def opted_in() -> bool:
    """The workflow asked for GitHub Models (the action's `github-models: true`)."""
    return os.environ.get("LABELER_GITHUB_MODELS", "").strip().lower() in ("true", "1", "yes")


def detected(github_models: bool | None = None) -> str | None:
    """The hosted provider the environment selects by itself: a key, else GitHub Models when the workflow opted
    in (`github_models`, default LABELER_GITHUB_MODELS) and has its token; None keeps the run offline (a command
    line that did not ask never calls out)."""
    if os.environ.get("ANTHROPIC_API_KEY"):
        return "anthropic"
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
        return "openai"
    if (opted_in() if github_models is None else github_models) and os.environ.get("GITHUB_TOKEN"):
        return "github-models"
    return None


def ask_json(
    model: Model,
    *,
    system: str,
    prompt: str,
    schema: dict[str, Any],
    max_tokens: int = 1024,
    temperature: float | None = 0.0,
    reasks: int = 1,
    wire_schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Ask for a JSON object matching `schema` (validated here). `wire_schema`, when given, is what
    the model is constrained to (say, label names as an enum), while `schema` stays lenient so one
    bad item is dropped by the caller instead of costing a re-ask. An invalid answer is re-asked with
    the validation error; an answer cut at the token limit is asked again with twice the room (up to
    MAX_ROOM), never blind. Either way at most `reasks` more calls, then InvalidAnswer (or Truncated)."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt

    ask: dict[str, Any] = {"prompt": prompt, "max_tokens": max_tokens}
    for attempt in Retrying(stop=stop_after_attempt(reasks + 1), reraise=True, retry=retry_if_exception(_reask)):
        with attempt:
            try:
                last = model.complete(
                    system=system,
                    prompt=str(ask["prompt"]),
                    max_tokens=int(ask["max_tokens"]),
                    schema=wire_schema or schema,
                    temperature=temperature,
                )
            except Truncated as e:
                e.final = int(ask["max_tokens"]) >= MAX_ROOM  # as much room as we give: asking again is blind
                ask["max_tokens"] = min(int(ask["max_tokens"]) * 2, MAX_ROOM)
                raise
            return _validated(last, schema, prompt, ask)
    raise InvalidAnswer("the model gave no valid answer")  # pragma: no cover - reraise above


def _reask(e: BaseException) -> bool:
    return isinstance(e, InvalidAnswer) and not getattr(e, "final", False)


def _validated(text: str, schema: dict[str, Any], prompt: str, ask: dict[str, Any]) -> dict[str, Any]:
    """The answer as a dict; on a bad one, `ask` gets the re-ask prompt and InvalidAnswer is raised."""
    import jsonschema

    try:
        answer = json.loads(_strip_fence(text))
        jsonschema.validate(answer, schema)
    except (json.JSONDecodeError, jsonschema.ValidationError) as e:
        problem = e.message if isinstance(e, jsonschema.ValidationError) else f"not JSON: {e}"
        ask["prompt"] = (
            f"{prompt}\n\nYour previous answer was invalid ({problem[:300]}). "
            "Answer again with only a JSON object that matches the schema."
        )
        raise InvalidAnswer(f"the model's answer was invalid: {problem[:300]}", text) from None
    return dict(answer)


def _strip_fence(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
