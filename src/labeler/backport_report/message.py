"""Commit messages as the model sees them, and small text helpers shared by the rules.

The model sees the message only: no diff, and none of the people trailers (Signed-off-by, Cc,
Reported-by, Acked-by...) that say nothing about backporting but cost tokens and leak addresses.
"""

from __future__ import annotations

import re
from datetime import datetime

# Trailers dropped before a model reads the message (patchbot drops the first four).
PEOPLE_TRAILERS = (
    "Signed-off-by",
    "Cc",
    "Reported-by",
    "Acked-by",
    "Reviewed-by",
    "Tested-by",
    "Suggested-by",
    "Co-authored-by",
    "Co-developed-by",
    "Helped-by",
    "Reported-and-tested-by",
)
_TRAILER = re.compile(r"^(?:{})\s*:".format("|".join(re.escape(t) for t in PEOPLE_TRAILERS)), re.IGNORECASE)
# format-patch output or a pasted diff: everything from the first `---` line or `diff --git` on.
_DIFF_START = re.compile(r"^(?:---\s*$|diff --git )", re.MULTILINE)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def strip_diff(message: str) -> str:
    match = _DIFF_START.search(message)
    return message[: match.start()] if match else message


def strip_trailers(message: str) -> str:
    return "\n".join(line for line in message.splitlines() if not _TRAILER.match(line.strip()))


def clean(message: str) -> str:
    """The message without diff and people trailers, trailing blank lines squeezed."""
    return strip_trailers(strip_diff(message)).strip("\n")


def compact_date(iso: str) -> str:
    """`2023-12-18T10:00:00+01:00` -> `18-Dec23`, patchbot's column format."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:10]
    return f"{when.day:02d}-{_MONTHS[when.month - 1]}{when.year % 100:02d}"


def short_author(email: str) -> str:
    """`willy@haproxy.com` -> `willy@haproxy`: enough to recognise a person in a dense table."""
    user, _, domain = email.partition("@")
    return f"{user}@{domain.split('.')[0]}" if domain else user


def model_input(sha: str, subject: str, email: str, date: str, message: str) -> str:
    """patchbot's layout: a one-line header, the subject, then the message indented 4 spaces so the
    model sees exactly where the quoted (untrusted) text starts and ends."""
    body = clean(message).split("\n", 1)[1] if "\n" in clean(message) else ""
    indented = "\n".join(("    " + line).rstrip() for line in body.strip("\n").splitlines())
    header = f"#id: {sha[:8]} {short_author(email)} {compact_date(date)} {subject}"
    return f"{header}\n\nSubject: {subject}\n\n{indented}\n"


def shorten(text: str, limit: int) -> str:
    """`text` up to `limit` characters, cut at a word boundary (never inside a word) with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "\u2026"


def unwrap(text: str) -> list[str]:
    """Paragraphs with their hard line wraps joined (sentences often span lines)."""
    paragraphs = re.split(r"\n\s*\n", text)
    return [" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs if p.strip()]


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)")


def sentences(text: str, lists: bool = False) -> list[str]:
    """Split on sentence ends; a dot inside `2.8` has no space after it so versions survive. With
    `lists`, a paragraph ending with a colon ("along with the following commits it relies on:")
    keeps the paragraph after it (the list) in its last sentence."""
    out: list[str] = []
    joined = False
    for paragraph in unwrap(text):
        parts = _inside_quotes_kept([s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()])
        if joined and out and parts:
            out[-1] = f"{out[-1]} {paragraph}"
        else:
            out.extend(parts)
        joined = lists and paragraph.rstrip().endswith(":")
    return out


def _inside_quotes_kept(parts: list[str]) -> list[str]:
    """Undo splits inside a quoted subject (`"BUG/MEDIUM: mux-h1; Ignore ..."`): a part with an odd
    number of double quotes continues into the next one."""
    out: list[str] = []
    for part in parts:
        if out and out[-1].count('"') % 2:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out
