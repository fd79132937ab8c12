"""The repository's own issue templates (.github/ISSUE_TEMPLATE/*.yml|yaml|md): the section headings an
issue opened from them carries. An issue form's field becomes `### <label>` in the issue; a Markdown
template's headings are copied as they are. Used for the mildest ask: a section of the repository's own
template left empty. A template that does not parse is skipped with a warning: it is the repository's
file, not the issue author's, and a broken one must not stop the check."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import yaml

from labeler.missing_info import checks

FOLDER = os.path.join(".github", "ISSUE_TEMPLATE")
FORM_FIELDS = ("textarea", "input", "dropdown")


def normalise(heading: str) -> str:
    return " ".join(heading.strip().strip("*#:").split()).casefold()


def form_headings(text: str) -> list[str]:
    """Field labels of an issue form (YAML); ValueError when it is not one."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(f"not YAML ({e.__class__.__name__})") from None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, list):
        return []  # config.yml and the like: not a form
    out = []
    for element in body:
        if isinstance(element, dict) and element.get("type") in FORM_FIELDS:
            label = (element.get("attributes") or {}).get("label")
            if isinstance(label, str) and label.strip():
                out.append(label.strip())
    return out


def markdown_headings(text: str) -> list[str]:
    """Headings of a Markdown template, after its front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end >= 0 else text
    return [s.heading for s in checks.sections(text)]


def read(folder: str = FOLDER, warn: Callable[[str], Any] = print) -> frozenset[str]:
    """Normalised headings of every template in `folder` (empty when there is none)."""
    if not os.path.isdir(folder):
        return frozenset()
    found: set[str] = set()
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        parse = (
            form_headings if name.endswith((".yml", ".yaml")) else markdown_headings if name.endswith(".md") else None
        )
        if parse is None or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                found.update(normalise(h) for h in parse(f.read()))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            warn(f"missing-info: skipped the issue template {path}: {e}")
    return frozenset(found)
