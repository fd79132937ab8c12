"""Markdown for comments and job summaries built from untrusted text (issues, commits, models)."""
from __future__ import annotations

import html
import re

COMMENT_LIMIT = 65536
_MENTION = re.compile(r"(?<![\w`/])@(?=[A-Za-z0-9])")
_WORD_JOINER = "\u2060"


def neutralize_mentions(text: str) -> str:
    """Break `@user` and `@org/team` so GitHub sends no notification; the text still reads the same."""
    return _MENTION.sub("@" + _WORD_JOINER, text)


def escape(text: str) -> str:
    """Inline-safe: no raw HTML, no table breaks, no mentions, no stray emphasis or links."""
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*_\[\]|~])", r"\\\1", text)
    return neutralize_mentions(" ".join(text.split()))


def code(text: str) -> str:
    """An inline code span that cannot be closed early by backticks in the text."""
    text = " ".join(text.split())
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if text.startswith("`") or text.endswith("`") else f"{fence}{text}{fence}"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def fit_comment(body: str, note: str = "\n\n_(truncated: the full output is in the job summary)_") -> str:
    """Keep a comment under GitHub's 65,536-character limit."""
    if len(body) <= COMMENT_LIMIT:
        return body
    return body[: COMMENT_LIMIT - len(note) - 16] + note


def marker(name: str, **state: str) -> str:
    """The hidden first line that makes a comment ours and findable: `<!-- labeler:NAME k=v -->`."""
    extra = "".join(f" {k}={_marker_value(v)}" for k, v in sorted(state.items()))
    return f"<!-- labeler:{name}{extra} -->"


def _marker_value(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:/+=-]", "_", value)
