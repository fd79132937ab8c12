"""Prompt files in labeler/<feature>/prompts/: one format for every prompt the toolkit sends.

Format (Markdown files, so they read well in review):
    version: 3
    <!-- optional comments for people: not sent -->
    ---- system ----
    ...static instructions, cached with the provider...
    ---- user ----
    ...per-item template with $placeholders...
Any number of named sections (`---- <name> ----`, lower-case words and hyphens). A file without
section lines is one section, `text` (backport-report's prefix and suffix files, which projects
keep in their own --prompts folder, are read that way). Substitution is single-pass
(string.Template), so untrusted text that contains `$name` is never expanded again.

Untrusted text (issue titles and bodies, comments, commit messages) goes between tags carrying a
fresh random nonce, `<issue-$nonce>` ... `</issue-$nonce>`: the text cannot close a tag it cannot
know, so `</body></issue>` followed by instructions stays inside. `render()` supplies `$nonce`
(drawn again until it occurs in none of the values); the templates repeat the rule after the block.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from labeler.errors import UserError

_PART = re.compile(r"^---- ([a-z][a-z0-9-]*) ----$", re.M)
_VERSION = re.compile(r"^version:\s*(\S+)\s*$")
UNVERSIONED = "unversioned"


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    sections: Mapping[str, str]
    where: str = ""

    def section(self, key: str) -> str:
        if key not in self.sections:
            raise UserError(f"the prompt file has no `---- {key} ----` section", file=self.where or self.name)
        return self.sections[key]

    @property
    def system(self) -> str:
        return self.section("system")

    @property
    def user(self) -> str:
        return self.section("user")

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user), with a fresh `$nonce` for the untrusted blocks unless one is given."""
        values.setdefault("nonce", nonce(*values.values()))
        return fill(self.system, **values), fill(self.user, **values)


def nonce(*texts: object) -> str:
    """16 random hex digits that occur in none of `texts` (so no text holds the closing tag)."""
    while True:
        value = secrets.token_hex(8)
        if not any(value in str(t) for t in texts):
            return value


def cut_note(text: str | None, limit: int, what: str = "body") -> str:
    """A line telling the model that `text` was cut at `limit` characters ("" when it was not), so it
    does not judge the missing end as absent."""
    if len(text or "") <= limit:
        return ""
    return (
        f"(The {what} was cut at {limit:,} characters; {len(text or '') - limit:,} more were left out. "
        "Do not treat what may be in the part left out as missing.)"
    )


def fill(template: str, **values: object) -> str:
    """Single pass: `$name` inside untrusted text is never expanded again."""
    return Template(template).safe_substitute({k: str(v) for k, v in values.items()})


@cache
def load(
    name: str, folder: str | None = None, *, package: str = "labeler", required: tuple[str, ...] = ("system", "user")
) -> Prompt:
    """A prompt by name, from `folder` when a project keeps its own, else from `package`/prompts/."""
    path = Path(folder) / f"{name}.md" if folder else None
    try:
        text = (
            path.read_text("utf-8")
            if path
            else (resources.files(package) / "prompts" / f"{name}.md").read_text("utf-8")
        )
    except OSError as e:
        raise UserError(f"cannot read prompt {name!r}: {e.strerror}", file=str(path) if path else None) from None
    return parse(name, text, str(path or name), required=required)


def parse(
    name: str, text: str, where: str, *, required: tuple[str, ...] = ("system", "user"), need_version: bool = True
) -> Prompt:
    head, *rest = _PART.split(text)
    version = next((m.group(1) for m in map(_VERSION.match, head.splitlines()) if m), None)
    sections = {k: v.strip() for k, v in zip(rest[::2], rest[1::2])} if rest else {"text": _body(text)}
    missing = [s for s in required if s not in sections]
    if (need_version and version is None) or missing:
        wanted = " / ".join(f"`---- {s} ----`" for s in required) or "a body"
        raise UserError(f"a prompt file needs a `version:` line and {wanted}", file=where)
    return Prompt(name=name, version=version or UNVERSIONED, sections=sections, where=where)


def _body(text: str) -> str:
    """A file without sections: the leading `version:` line and `<!-- ... -->` comments are for
    people and PROMPTS.md, not for the model."""
    lines = text.splitlines()
    while lines and (_VERSION.match(lines[0]) or lines[0].lstrip().startswith("<!--")):
        lines.pop(0)
    return "\n".join(lines).strip("\n") + "\n"
