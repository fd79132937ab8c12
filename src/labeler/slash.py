"""Commands written in comments (`/label auto`, `@bot precheck`), found the way a reader sees them.

One scanner on markdown-it tokens (CommonMark, what GitHub renders): only the text of top-level
paragraphs counts. Never code (fenced, indented, `inline`, HTML <pre>/<code>/<kbd>/<samp>/<tt>),
block quotes, lists, headings, tables, links, raw HTML blocks or HTML comments. A `<!--` that
CommonMark leaves as text (never closed in its paragraph) still hides, as on GitHub, everything
after it up to a `-->`, or to the end.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

CODE_TAGS = ("pre", "code", "kbd", "samp", "tt", "a")
HIDDEN = "\x00"  # stands in for hidden inline content: never equal to a command prefix


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False})


def visible_lines(body: str) -> list[str]:
    """The stripped lines of text a reader sees as plain top-level paragraphs."""
    tokens = _parser().parse(body or "")
    lines: list[str] = []
    hiding = False
    for i, token in enumerate(tokens):
        if token.type == "html_block":
            hiding = _unhidden(token.content, hiding)[1]
        elif token.type == "inline":
            text, hiding = _inline_text(token.children or [], hiding)
            if token.level == 1 and i and tokens[i - 1].type == "paragraph_open":
                lines += [line.strip() for line in text.split("\n")]
    return lines


def _unhidden(text: str, hiding: bool) -> tuple[str, bool]:
    """`text` with what an open HTML comment hides replaced by HIDDEN, and whether one is still open."""
    out: list[str] = []
    while text:
        mark = "-->" if hiding else "<!--"
        at = text.find(mark)
        if at < 0:
            out.append(HIDDEN if hiding else text)
            break
        out.append(HIDDEN if hiding else text[:at])
        text, hiding = text[at + len(mark) :], not hiding
    if hiding and not out:
        out.append(HIDDEN)
    return "".join(out), hiding


def _inline_text(children: list[Any], hiding: bool = False) -> tuple[str, bool]:
    out: list[str] = []
    hidden: list[str] = []  # open code-like HTML tags / links we are inside
    for child in children:
        kind = child.type
        if kind == "html_inline":
            hiding = _unhidden(child.content, hiding)[1] if hiding or not child.content.startswith("<!--") else hiding
            _track_tag(child.content, hidden)
            out.append(HIDDEN)
        elif kind in ("link_open", "image"):
            hidden.append("link") if kind == "link_open" else out.append(HIDDEN)
        elif kind == "link_close":
            _pop(hidden, "link")
            out.append(HIDDEN)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif hidden or kind == "code_inline":
            out.append(HIDDEN)
        elif kind == "text":
            text, hiding = _unhidden(child.content, hiding)
            out.append(text)
    return "".join(out), hiding


def _track_tag(html: str, hidden: list[str]) -> None:
    tag = html.strip("<>/ \t\n").split(None, 1)[0].lower() if html.strip("<>/ \t\n") else ""
    if tag not in CODE_TAGS or html.endswith("/>"):
        return
    if html.startswith("</"):
        _pop(hidden, tag)
    else:
        hidden.append(tag)


def _pop(hidden: list[str], tag: str) -> None:
    if tag in hidden:
        del hidden[len(hidden) - 1 - hidden[::-1].index(tag) :]


def hidden_lines(body: str) -> set[int]:
    """0-based numbers of the lines a reader sees as code or raw HTML (fences, indented code, <pre>,
    HTML comments and other HTML blocks), and those an unclosed `<!--` hides: the same scanner, for
    callers that work on lines."""
    hidden: set[int] = set()
    hiding = False
    source = (body or "").splitlines()
    for token in _parser().parse(body or ""):
        was = hiding
        if token.type == "html_block":
            hiding = _unhidden(token.content, hiding)[1]
        elif token.type == "inline":
            hiding = _inline_text(token.children or [], hiding)[1]
        if not token.map:
            continue
        if was or token.type in ("fence", "code_block", "html_block"):
            hidden.update(range(*token.map))
        elif hiding:  # opened here: the lines after the opener's
            opener = max(n for n in range(*token.map) if "<!--" in source[n])
            hidden.update(range(opener + 1, token.map[1]))
    return hidden


def commands(body: str, prefix: str) -> list[tuple[str, ...]]:
    """Each visible line that starts with `prefix` (case-insensitive), as its words after it."""
    found = []
    for line in visible_lines(body):
        words = line.split()
        if words and words[0].lower() == prefix.lower():
            found.append(tuple(w.lower() for w in words[1:]))
    return found


def first_words(body: str) -> list[str]:
    """The words of the first non-empty visible line (the `@bot command args` grammar)."""
    return next((line.split() for line in visible_lines(body) if line.strip()), [])


def new_commands(body: str, previous: str | None, prefix: str) -> list[tuple[str, ...]]:
    """On an edit, only the commands the edit added: those already there already ran."""
    before = {c[:1] for c in commands(previous or "", prefix)}
    return [c for c in commands(body, prefix) if c[:1] not in before]
