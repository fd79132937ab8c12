"""What each provider and model family accepts, as pure functions: the request bodies llm.py sends.

Facts they rest on (checked against the locked SDKs, anthropic 2.12 and openai 3.54, and the
providers' docs; PROMPTS.md has the sources):
- The Anthropic SDK 2.x sends `anthropic-version: 2026-10-21`, which has no sampling parameters:
  `temperature`, `top_p`, `top_k` are refused with a 400 whatever their value. Determinism comes
  from thinking off and a constrained answer, not from temperature.
- Structured output on Anthropic is `output_config.format` (JSON outputs; works with thinking,
  unlike a forced tool). Its schema subset has no numeric, length or item-count bounds: those stay
  in the local validation schema and are dropped from the wire schema.
- Claude models whose thinking is always on (Fable, Mythos, Opus 5.5 and later) refuse
  `thinking: {type: disabled}`; they get the lowest effort and room for their thinking instead.
- OpenAI reasoning models (o-series, the GPT-5 family and later, also as `openai/<name>` on GitHub
  Models) refuse `max_tokens` and a non-default `temperature`; `max_completion_tokens` bounds the
  reasoning and the answer together. `reasoning_effort` turns thinking down: "none" from GPT-5.1,
  "minimal" on GPT-5, "low" on the o-series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Keywords the providers' strict schema subsets do not take (they are enforced locally instead).
_UNSUPPORTED = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "format",
        "default",
        "$schema",
    }
)
THINKING_ROOM = 4096  # extra tokens for a model that thinks whatever we ask: its thinking counts in the limit


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The wire form of a JSON Schema for strict structured output: every object closed
    (`additionalProperties: false`) with every property required, in the schema's own order
    (the order the model writes them in: reasons before verdicts), unsupported bounds dropped."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _UNSUPPORTED:
            continue
        if key == "properties":
            out[key] = {name: strict_schema(sub) for name, sub in value.items()}
        elif key == "items" and isinstance(value, dict):
            out[key] = strict_schema(value)
        elif key in ("anyOf", "allOf") and isinstance(value, list):
            out[key] = [strict_schema(sub) for sub in value]
        else:
            out[key] = value
    if schema.get("type") == "object":
        out["additionalProperties"] = False
        out["required"] = list(schema.get("properties", {}))
    return out


def _base_name(model: str) -> str:
    """`openai/gpt-5-mini` (GitHub Models, OpenRouter) -> `gpt-5-mini`."""
    return model.rsplit("/", 1)[-1].strip().lower()


@dataclass(frozen=True)
class OpenAITraits:
    reasoning: bool  # refuses max_tokens and temperature
    effort: str | None  # the lowest reasoning_effort the family takes (None: do not send one)


def openai_traits(model: str) -> OpenAITraits:
    name = _base_name(model)
    if re.match(r"o\d", name):
        return OpenAITraits(True, "low")
    found = re.match(r"gpt-(\d+)(?:\.(\d+))?", name)
    if not found or int(found.group(1)) < 5:
        return OpenAITraits(False, None)
    if "pro" in name.split("-") or "chat" in name.split("-"):
        return OpenAITraits(True, None)  # pro models take only their own effort; chat models take none
    if int(found.group(1)) == 5 and found.group(2) is None:
        return OpenAITraits(True, "minimal")
    return OpenAITraits(True, "none")


def claude_thinks_always(model: str) -> bool:
    """Thinking that cannot be turned off: Fable, Mythos, and Opus from 5.5 on."""
    name = _base_name(model)
    if "fable" in name or "mythos" in name:
        return True
    found = re.search(r"opus-(\d+)(?:-(\d))?(?:\b|-|$)", name)
    return found is not None and (int(found.group(1)), int(found.group(2) or 0)) >= (5, 5)


def anthropic_request(
    model: str, system: str, prompt: str, max_tokens: int, schema: dict[str, Any] | None
) -> dict[str, Any]:
    """Messages API body. No temperature (refused by this API version); thinking off for our short
    verdicts, or the lowest effort with room for it where it cannot be turned off."""
    body: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        # The static part (instructions, label set) is identical across items: cache it.
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": prompt}],
    }
    config: dict[str, Any] = {}
    if claude_thinks_always(model):
        body["max_tokens"] = max_tokens + THINKING_ROOM
        config["effort"] = "low"
    else:
        body["thinking"] = {"type": "disabled"}
    if schema is not None:
        config["format"] = {"type": "json_schema", "schema": strict_schema(schema)}
    if config:
        body["output_config"] = config
    return body


def openai_request(
    model: str, system: str, prompt: str, max_tokens: int, schema: dict[str, Any] | None, temperature: float | None
) -> dict[str, Any]:
    """Chat Completions body. `max_completion_tokens` always (`max_tokens` is deprecated and refused
    by reasoning models); temperature only where the model takes it; a deterministic request
    (temperature 0) turns reasoning down to the family's lowest effort."""
    traits = openai_traits(model)
    body: dict[str, Any] = {
        "model": model,
        "max_completion_tokens": max_tokens,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
    }
    if temperature is not None and not traits.reasoning:
        body["temperature"] = temperature
    if traits.reasoning and traits.effort and temperature == 0:
        body["reasoning_effort"] = traits.effort
    if traits.reasoning and body.get("reasoning_effort") != "none":
        body["max_completion_tokens"] = max_tokens + THINKING_ROOM
    if schema is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": strict_schema(schema), "strict": True},
        }
    return body
