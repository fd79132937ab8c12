"""Markdown for comments and job summaries built from untrusted text (issues, commits, models)."""

from __future__ import annotations

import html
import re

COMMENT_LIMIT = 65536
_MENTION = re.compile(r"(?<![\w`/])@(?=[A-Za-z0-9])")
_WORD_JOINER = "\u2060"
# What GitHub turns into links or cross-references: #1, owner/repo#3, GH-4, bare URLs and www.
_ISSUE_REF = re.compile(r"#(?=\d)")
_GH_REF = re.compile(r"\b(GH)-(?=\d)", re.I)
_URL = re.compile(r"\b(https?|ftp)(:)(?=//)|\b(www)(\.)(?=\w)", re.I)


def neutralize_mentions(text: str) -> str:
    """Break `@user` and `@org/team` so GitHub sends no notification; the text still reads the same."""
    return _MENTION.sub("@" + _WORD_JOINER, text)


def neutralize_references(text: str) -> str:
    """Break issue/PR cross-references and autolinks (the text still reads the same): no backlink
    notice lands on another issue, no link appears under the bot's name."""
    text = _ISSUE_REF.sub("#" + _WORD_JOINER, text)
    text = _GH_REF.sub(lambda m: m.group(1) + "-" + _WORD_JOINER, text)
    return _URL.sub(lambda m: (m.group(1) or m.group(3)) + _WORD_JOINER + (m.group(2) or m.group(4)), text)


def escape_untrusted(text: str) -> str:
    """`escape()` plus no live cross-references or links: for model output and other text nobody vetted."""
    return neutralize_references(escape(text))


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


def code_block(text: str, info: str = "text") -> str:
    """A fenced block that no backtick run in the text can close: nothing inside renders."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


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
