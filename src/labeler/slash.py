"""Commands written in comments (`/label auto`, `@bot precheck`), found the way a reader sees them:
never inside fenced or indented code, block quotes or HTML comments."""
from __future__ import annotations

import re

_HTML_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def visible_lines(body: str) -> list[str]:
    lines, fence = [], ""
    for line in _HTML_COMMENT.sub("", body.replace("\r\n", "\n")).split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        if line.startswith(("    ", "\t")) or line.lstrip().startswith(">"):
            continue
        lines.append(line.strip())
    return lines


def commands(body: str, prefix: str) -> list[tuple[str, ...]]:
    """Each visible line that starts with `prefix` (case-insensitive), as its words after it."""
    found = []
    for line in visible_lines(body):
        words = line.split()
        if words and words[0].lower() == prefix.lower():
            found.append(tuple(w.lower() for w in words[1:]))
    return found


def new_commands(body: str, previous: str | None, prefix: str) -> list[tuple[str, ...]]:
    """On an edit, only the commands the edit added: those already there already ran."""
    before = {c[:1] for c in commands(previous or "", prefix)}
    return [c for c in commands(body, prefix) if c[:1] not in before]
