"""labels.yml: loaded with yaml.safe_load, validated by the JSON Schema in schemas/ (the single
source of truth), errors pointing at the file, the line and the key."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from labeler import yamlfile
from labeler.errors import ConfigError, setting

DEFAULT_PATHS = (".github/labels.yml", "labels.yml")
T = TypeVar("T")


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
    use_when: str = ""
    not_when: str = ""
    confusable: tuple[tuple[str, str], ...] = ()  # (other label, how to tell them apart)
    excludes: tuple[str, ...] = ()


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
    entries = [
        (f.name, Resource.from_contents(json.loads(f.read_text("utf-8"))))
        for f in folder.iterdir()
        if f.name.endswith(".schema.json")
    ]
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
    raise ConfigError(
        f"no config file: looked for {' and '.join(DEFAULT_PATHS)} "
        f"(set {setting('--config / LABELER_CONFIG', 'config')})"
    )


def load_optional(path: str | None = None) -> Config | None:
    """The config when `path` is given or a default path exists, else None (commands that work without one)."""
    if path or any(os.path.isfile(p) for p in DEFAULT_PATHS):
        return load(path)
    return None


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
    _check_references(labels, root, path)
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
    return Label(
        name=raw["name"].strip(),
        description=raw.get("description", ""),
        color=raw.get("color", "ededed").lstrip("#").lower(),
        aliases=tuple(raw.get("aliases", ())),
        examples=tuple(raw.get("examples", ())),
        deprecated=raw.get("deprecated", False),
        auto=raw.get("auto", True),
        min_confidence=raw.get("min-confidence"),
        use_when=raw.get("use-when", ""),
        not_when=raw.get("not-when", ""),
        confusable=tuple((str(k), str(v)) for k, v in (raw.get("confusable") or {}).items()),
        excludes=tuple(raw.get("excludes", ())),
    )


def _check_unique(labels: tuple[Label, ...], data: Any, root: Any, path: str) -> None:
    seen: dict[str, str] = {}
    for i, lbl in enumerate(labels):
        for key in (lbl.name, *lbl.aliases):
            owner = seen.setdefault(key.lower(), lbl.name)
            if owner != lbl.name or (key != lbl.name and key.lower() == lbl.name.lower()):
                raise ConfigError(
                    f"labels.{i}: {key!r} is already used by label {owner!r}",
                    file=path,
                    line=line_of(root, ["labels", i]),
                )


def _check_references(labels: tuple[Label, ...], root: Any, path: str) -> None:
    """`confusable` and `excludes` name labels of this file (by name or alias), every problem at once."""
    index = _index(labels)
    problems: list[tuple[int | None, str]] = []
    for i, lbl in enumerate(labels):
        named = [("confusable", other) for other, _ in lbl.confusable] + [("excludes", o) for o in lbl.excludes]
        for key, other in named:
            if other.lower() not in index:
                problems.append((line_of(root, ["labels", i, key]), f"labels.{i}.{key}: no label named {other!r}"))
            elif index[other.lower()].name == lbl.name:
                problems.append((line_of(root, ["labels", i, key]), f"labels.{i}.{key}: {other!r} is the label itself"))
    yamlfile.raise_all(problems, path)


# ------------------------------------------------------------------- section -> settings
def defaults(name: str) -> dict[str, Any]:
    """The schema's `default` of each key of section `name` (`bot.precheck` for a nested one), kebab-case;
    an object without a `default` of its own defaults to its properties' defaults. A fresh copy each call."""
    schema_name, *path = name.split(".")
    node = schema(f"{schema_name.replace('-', '_')}.schema.json")
    for key in path:
        node = node["properties"][key]
    copy: dict[str, Any] = json.loads(json.dumps(_defaults(node)))
    return copy


def _defaults(node: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in node.get("properties", {}).items():
        if "default" in sub:
            out[key] = sub["default"]
        elif "properties" in sub and _defaults(sub):
            out[key] = _defaults(sub)
    return out


def default(name: str, key: str) -> Any:
    """One default, e.g. `default("label-issue", "min-confidence")` (for help texts and dataclass fields)."""
    return defaults(name)[key]


def section_settings(
    source: Config | Mapping[str, Any] | None, name: str, cls: type[T], overrides: Mapping[str, Any] | None = None
) -> T:
    """A frozen dataclass filled from the schema's defaults, then the config section (`source` is the
    Config or the section itself), then the non-None overrides (flags, env vars). A field reads the key
    named by its `key` metadata (dotted for nested, e.g. `labels.skill`), else its name in kebab-case;
    a mapping value is merged over its default, lists become tuples."""
    raw = source.section(name) if isinstance(source, Config) else dict(source or {})
    values = defaults(name)
    for key, value in raw.items():
        merge = isinstance(value, dict) and isinstance(values.get(key), dict)
        values[key] = {**values[key], **value} if merge else value
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        found, value = _lookup(values, f.metadata.get("key", f.name.replace("_", "-")))
        if found:
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    kwargs.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return cls(**kwargs)


def _lookup(values: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node
