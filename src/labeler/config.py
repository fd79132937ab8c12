"""labels.yml: loaded with yaml.safe_load, validated by the JSON Schema in schemas/ (the single
source of truth), errors pointing at the file, the line and the key."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from labeler import yamlfile
from labeler.errors import ConfigError, setting

DEFAULT_PATHS = (".github/labels.yml", "labels.yml")


@dataclass(frozen=True)
class Label:
    name: str
    description: str = ""
    color: str = "ededed"
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    deprecated: bool = False
    auto: bool = True
    min_confidence: float | None = None


@dataclass(frozen=True)
class Config:
    path: str
    labels: tuple[Label, ...]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.sections.get(name) or {})

    def canonical(self, name: str) -> Label | None:
        """The label a name or alias stands for (case-insensitive, like GitHub)."""
        return _index(self.labels).get(name.strip().lower())

    def applicable(self) -> tuple[Label, ...]:
        return tuple(lbl for lbl in self.labels if not lbl.deprecated and lbl.auto)


@cache
def _index(labels: tuple[Label, ...]) -> dict[str, Label]:
    index: dict[str, Label] = {}
    for lbl in labels:
        for key in (lbl.name, *lbl.aliases):
            index.setdefault(key.lower(), lbl)
    return index


@cache
def _schema_registry() -> Any:
    from referencing import Registry, Resource

    folder = resources.files("labeler") / "schemas"
    entries = [(f.name, Resource.from_contents(json.loads(f.read_text("utf-8"))))
               for f in folder.iterdir() if f.name.endswith(".schema.json")]
    return Registry().with_resources(entries)


def schema(name: str = "labels.schema.json") -> dict[str, Any]:
    return dict(_schema_registry()[name].contents)


def find(path: str | None = None) -> str:
    if path:
        if not os.path.isfile(path):
            raise ConfigError("config file not found", file=path)
        return path
    for candidate in DEFAULT_PATHS:
        if os.path.isfile(candidate):
            return candidate
    raise ConfigError(f"no config file: looked for {' and '.join(DEFAULT_PATHS)} "
                      f"(set {setting('--config / LABELER_CONFIG', 'config')})")


def load(path: str | None = None) -> Config:
    path = find(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read: {e}", file=path) from None
    return parse(text, path)


def parse(text: str, path: str = "labels.yml") -> Config:
    data, root = _yaml(text, path)
    _validate(data, root, path)
    labels = tuple(_label(raw) for raw in data["labels"])
    _check_unique(labels, data, root, path)
    sections = {k: v for k, v in data.items() if k != "labels"}
    return Config(path=path, labels=labels, sections=sections)


def _yaml(text: str, path: str) -> tuple[Any, Any]:
    data, root = yamlfile.load(text, path)
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with a `labels:` list", file=path, line=1)
    return data, root


def _validate(data: Any, root: Any, path: str) -> None:
    """Every schema error at once, `file:line: key: message` each."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(), registry=_schema_registry())
    yamlfile.raise_all(yamlfile.schema_errors(validator, data, root), path)


line_of = yamlfile.line_of


def _label(raw: dict[str, Any]) -> Label:
    return Label(name=raw["name"].strip(), description=raw.get("description", ""),
                 color=raw.get("color", "ededed").lstrip("#").lower(), aliases=tuple(raw.get("aliases", ())),
                 examples=tuple(raw.get("examples", ())), deprecated=raw.get("deprecated", False),
                 auto=raw.get("auto", True), min_confidence=raw.get("min-confidence"))


def _check_unique(labels: tuple[Label, ...], data: Any, root: Any, path: str) -> None:
    seen: dict[str, str] = {}
    for i, lbl in enumerate(labels):
        for key in (lbl.name, *lbl.aliases):
            owner = seen.setdefault(key.lower(), lbl.name)
            if owner != lbl.name or (key != lbl.name and key.lower() == lbl.name.lower()):
                raise ConfigError(f"labels.{i}: {key!r} is already used by label {owner!r}",
                                  file=path, line=line_of(root, ["labels", i]))
