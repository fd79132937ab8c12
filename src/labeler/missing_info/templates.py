"""The repository's own issue templates (.github/ISSUE_TEMPLATE/*.yml|yaml|md): the section headings an
issue opened from them carries, and the text they prefill. An issue form's field becomes `### <label>` in
the issue (its `value`, when set, prefills it); a Markdown template's headings and the text under them are
copied as they are. Used for the mildest ask: a section of the repository's own template left empty, which
includes one whose prefilled text the author left as it was. A template that does not parse is skipped
with a warning: it is the repository's file, not the issue author's, and a broken one must not stop the
check."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from labeler.missing_info import checks

FOLDER = os.path.join(".github", "ISSUE_TEMPLATE")
FORM_FIELDS = ("textarea", "input", "dropdown")


def normalise(heading: str) -> str:
    return " ".join(heading.strip().strip("*#:").split()).casefold()


@dataclass(frozen=True)
class Templates:
    headings: frozenset[str] = frozenset()  # normalise()d
    placeholders: frozenset[str] = frozenset()  # checks.normalise_text()d


def form_fields(text: str) -> list[tuple[str, str]]:
    """(label, prefilled value) of each field of an issue form (YAML); ValueError when it is not YAML."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(f"not YAML ({e.__class__.__name__})") from None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, list):
        return []  # config.yml and the like: not a form
    out = []
    for element in body:
        attributes = element.get("attributes") if isinstance(element, dict) else None
        if isinstance(attributes, dict) and element.get("type") in FORM_FIELDS:
            label, value = attributes.get("label"), attributes.get("value")
            if isinstance(label, str) and label.strip():
                out.append((label.strip(), value if isinstance(value, str) else ""))
    return out


def markdown_fields(text: str) -> list[tuple[str, str]]:
    """(heading, text under it) of a Markdown template, after its front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end >= 0 else text
    return [(s.heading, s.content) for s in checks.sections(text)]


def read(folder: str = FOLDER, warn: Callable[[str], Any] = print) -> Templates:
    """Every template in `folder` (empty when there is none)."""
    if not os.path.isdir(folder):
        return Templates()
    fields: list[tuple[str, str]] = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        parse = form_fields if name.endswith((".yml", ".yaml")) else markdown_fields if name.endswith(".md") else None
        if parse is None or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                fields += parse(f.read())
        except (OSError, UnicodeDecodeError, ValueError) as e:
            warn(f"missing-info: skipped the issue template {path}: {e}")
    texts = {checks.normalise_text(t) for _, t in fields}
    return Templates(frozenset(normalise(h) for h, _ in fields), frozenset(t for t in texts if t))
