"""Prompt files in labeler/<feature>/prompts/: a `version:` header, a system part and a user part.

Format (Markdown files, so they read well in review):
    version: 3
    ---- system ----
    ...static instructions, cached with the provider...
    ---- user ----
    ...per-item template with $placeholders...
Substitution is single-pass (string.Template), so untrusted text that contains `$name` is never
expanded again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from labeler.errors import UserError

_PART = re.compile(r"^---- (system|user) ----$", re.M)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str

    def render(self, **values: str) -> tuple[str, str]:
        return Template(self.system).safe_substitute(values), Template(self.user).safe_substitute(values)


@cache
def load(name: str, folder: str | None = None, *, package: str = "labeler") -> Prompt:
    """A prompt by name, from `folder` when a project keeps its own, else from `package`/prompts/."""
    path = Path(folder) / f"{name}.md" if folder else None
    try:
        text = path.read_text("utf-8") if path else (resources.files(package) / "prompts" / f"{name}.md").read_text("utf-8")
    except OSError as e:
        raise UserError(f"cannot read prompt {name!r}: {e.strerror}", file=str(path) if path else None) from None
    return parse(name, text, str(path or name))


def parse(name: str, text: str, where: str) -> Prompt:
    head, *rest = _PART.split(text)
    version = re.search(r"^version:\s*(\S+)\s*$", head, re.M)
    parts = dict(zip(rest[::2], rest[1::2]))
    if not version or set(parts) != {"system", "user"}:
        raise UserError("a prompt file needs a `version:` line and `---- system ----` / `---- user ----` parts",
                        file=where)
    return Prompt(name=name, version=version.group(1), system=parts["system"].strip(), user=parts["user"].strip())
