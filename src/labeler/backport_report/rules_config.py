"""Per-project settings of the `rules` provider: a YAML or JSON file checked against
`labeler/schemas/backport_rules.schema.json`, with errors naming the file, line and field."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from labeler.backport_report.pulls import LabelRule, expand
from labeler.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    verdict: str
    reason: str


def _rule(pattern: str, verdict: str, reason: str) -> Rule:
    return Rule(re.compile(pattern), verdict, reason)


DEFAULT_SUBJECTS = (
    _rule(r"^\[RELEASE\]", "no", "a release commit"),
    _rule(r"^BUG\b", "yes", "a bug fix (BUG tag) without backport instruction"),
    _rule(r"^(?:fix|bugfix|hotfix)(?:\([^)]*\))?!?:", "yes", "a fix (conventional-commit `fix:` subject)"),
    _rule(
        r"^(?:DOC|BUILD|CI|REGTESTS)\b.*\b(?:[Ff]ix\w*|typos?|wrong|incorrect|missing|broken|mistakes?)\b",
        "uncertain",
        "a documentation, build or test fix without backport instruction: does it apply to the stable branches?",
    ),
)
DEFAULT_TRAILERS = (
    _rule(r"^Cc:.*\bstable@", "yes", "Cc: stable trailer"),
    _rule(r"^Cc:\s*stable\b", "yes", "Cc: stable trailer"),
)


@functools.cache
def _schema_text() -> str:
    return resources.files("labeler").joinpath("schemas").joinpath("backport_rules.schema.json").read_text("utf-8")


def schema() -> dict[str, Any]:
    return dict(json.loads(_schema_text()))


def default_pr_labels() -> dict[str, tuple[str, ...]]:
    """The schema's default: its single source of truth."""
    return {k: tuple(v) for k, v in schema()["properties"]["pr_labels"]["default"].items()}


@dataclass(frozen=True)
class RulesConfig:
    dev_version: str | None = None
    stable_versions: tuple[str, ...] = ()
    stable_branches: tuple[str, ...] = ()  # as labels name them (origin/2.8 -> 2.8), for `{branch}`
    hedged: str = "yes"
    default: str = "no"
    lookahead: bool = True
    dev_only: bool = True
    fix_signals: bool | str = "auto"  # True | False | "auto": on when few commits carry instructions
    subjects: tuple[Rule, ...] = DEFAULT_SUBJECTS
    trailers: tuple[Rule, ...] = DEFAULT_TRAILERS
    phrases: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    pr_labels: dict[str, tuple[str, ...]] = field(default_factory=default_pr_labels)
    source: str = "built-in defaults"
    digest: str = "default"

    def with_versions(self, dev: str | None, stable: tuple[str, ...], branches: tuple[str, ...] = ()) -> RulesConfig:
        """Fill versions the file did not set from the command line's refs."""
        return replace(
            self,
            dev_version=self.dev_version or dev,
            stable_versions=self.stable_versions or stable,
            stable_branches=branches,
        )

    def label_rules(self) -> list[LabelRule]:
        """The `pr_labels` names with their placeholders filled, strongest verdict first."""
        return expand(self.pr_labels, self.stable_versions, self.stable_branches)


def load(path: str | None) -> RulesConfig:
    if not path:
        return RulesConfig()
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(f"cannot read the rules file: {e.strerror}", file=path) from None
    return parse(text, path)


def _loader() -> Any:
    """SafeLoader where only true/false are booleans: `verdict: yes` and `phrases: {no: ...}` stay
    the strings a user means (YAML 1.1 would read yes/no/on/off as booleans)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Loader


def parse(text: str, path: str) -> RulesConfig:

    from labeler import yamlfile

    data, node = yamlfile.load(text, path, loader=_loader())
    data = {} if data is None else data
    _validate(data, node, path)
    return _build(data, path, hashlib.sha256(text.encode()).hexdigest()[:16], node)


def _validate(data: Any, node: Any, path: str) -> None:
    import jsonschema

    from labeler import yamlfile

    yamlfile.raise_all(yamlfile.schema_errors(jsonschema.Draft202012Validator(schema()), data, node), path)


class _Compiler:
    """Compiles the file's regular expressions, collecting every bad one (with its line) to report at once."""

    def __init__(self, root: Any, path: str) -> None:
        self.root, self.path = root, path
        self.problems: list[tuple[int | None, str]] = []

    def __call__(self, pattern: str, location: list[Any], flags: int = 0) -> re.Pattern[str]:
        from labeler import yamlfile

        try:
            return re.compile(pattern, flags)
        except re.error as e:
            where = ".".join(str(step) for step in location)
            self.problems.append(
                (
                    yamlfile.line_of(self.root, location),
                    f"{where}: invalid regular expression {yamlfile.bound(pattern, 80)!r}: {e}",
                )
            )
            return re.compile(r"(?!)")  # never matches; the error is raised before the config is used

    def rules(self, items: list[dict[str, str]], key: str) -> tuple[Rule, ...]:
        return tuple(
            Rule(
                self(r["pattern"], [key, i, "pattern"]),
                r["verdict"],
                r.get("reason") or f"{key[:-1]} matches {r['pattern']}",
            )
            for i, r in enumerate(items)
        )


def _build(data: dict[str, Any], path: str, digest: str, root: Any) -> RulesConfig:
    from labeler import yamlfile

    compile_ = _Compiler(root, path)
    phrases = {
        kind: tuple(compile_(p, ["phrases", kind, i], re.IGNORECASE) for i, p in enumerate(items))
        for kind, items in data.get("phrases", {}).items()
    }
    config = RulesConfig(
        dev_version=data.get("dev_version"),
        stable_versions=tuple(data.get("stable_versions", ())),
        hedged=data.get("hedged", "yes"),
        default=data.get("default", "no"),
        lookahead=data.get("lookahead", True),
        dev_only=data.get("dev_only", True),
        fix_signals=data.get("fix_signals", "auto"),
        phrases=phrases,
        confidence=dict(data.get("confidence", {})),
        source=path,
        digest=digest,
        pr_labels={**default_pr_labels(), **{k: tuple(v) for k, v in data.get("pr_labels", {}).items()}},
    )
    if "subjects" in data:
        config = replace(config, subjects=compile_.rules(data["subjects"], "subjects"))
    if "trailers" in data:
        config = replace(config, trailers=compile_.rules(data["trailers"], "trailers"))
    yamlfile.raise_all(compile_.problems, path)
    return config
