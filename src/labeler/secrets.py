"""Secret values never leave the process: every comment, status, summary, output, log line and file we
write goes through `redact()`.

The secrets are the values of every environment variable named like a credential (`*_API_KEY`, `*_TOKEN`,
`*_SECRET`, `*_PASSWORD`: GITHUB_TOKEN, LABELER_ORG_TOKEN, model keys) plus any value registered with
`register()` (a key passed as a flag). Values shorter than MIN_LENGTH are ignored (they would redact words).
"""

from __future__ import annotations

import os

SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
MIN_LENGTH = 8
REDACTED = "***"
_registered: set[str] = set()


def register(value: str | None) -> None:
    if value and len(value.strip()) >= MIN_LENGTH:
        _registered.add(value.strip())


def values() -> list[str]:
    """Every known secret value, longest first (so a key containing another is removed whole)."""
    found = {v.strip() for name, v in os.environ.items() if name.upper().endswith(SUFFIXES) and v}
    return sorted({v for v in found | _registered if len(v) >= MIN_LENGTH}, key=len, reverse=True)


def redact(text: str) -> str:
    for value in values():
        if value in text:
            text = text.replace(value, REDACTED)
    return text
