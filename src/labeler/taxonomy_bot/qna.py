"""InstructLab taxonomy `qna.yaml` files: find them in a PR, validate them, turn them into seeds.

Validation uses the JSON Schemas shipped in the `instructlab-schema` package (versions 1-3,
chosen by the file's own `version`, 1 when absent) through plain jsonschema + referencing, and
computes line numbers from the composed YAML tree. We do not use the package's TaxonomyParser: it
shells out to yamllint and yq and reports line 1 when yq is missing.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from labeler.config import line_of
from labeler.errors import ConfigError, UserError

if TYPE_CHECKING:
    from labeler.gh import GitHub

KINDS = {"knowledge": "knowledge", "compositional_skills": "skill"}
SCHEMA_FILES = {"knowledge": "knowledge.json", "skill": "compositional_skills.json"}
VERSIONS = (1, 2, 3)
LATEST = VERSIONS[-1]
_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")


QNA_MAX_BYTES = 256 * 1024  # the largest real taxonomy qna.yaml is a few KiB


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: str = "error"  # "error" stops the command; "warning" is only reported

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


@dataclass(frozen=True)
class Seed:
    question: str
    answer: str
    context: str | None = None


@dataclass(frozen=True)
class Qna:
    path: str
    kind: str  # "knowledge" | "skill"
    version: int
    data: dict[str, Any]

    @property
    def grounded(self) -> bool:
        """Knowledge always has context; a skill is grounded when any seed has one (as sdg decides)."""
        return self.kind == "knowledge" or any(s.context for s in self.seeds())

    @property
    def task(self) -> str:
        text = self.data.get("task_description") or self.data.get("domain") or ""
        return " ".join(str(text).split())

    def seeds(self) -> list[Seed]:
        seeds: list[Seed] = []
        for example in self.data.get("seed_examples") or []:
            if self.kind == "knowledge" and "questions_and_answers" in example:
                context = _text(example.get("context")) or None
                seeds += [
                    Seed(_text(qa.get("question")), _text(qa.get("answer")), context)
                    for qa in example["questions_and_answers"]
                ]
            else:
                seeds.append(
                    Seed(
                        _text(example.get("question")),
                        _text(example.get("answer")),
                        _text(example.get("context")) or None,
                    )
                )
        return seeds


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def kind_of(path: str) -> str | None:
    """ "knowledge" or "skill" from the first path component (the taxonomy's own rule)."""
    return KINDS.get(path.split("/", 1)[0])


def is_qna(path: str) -> bool:
    return posixpath.basename(path) == "qna.yaml" and kind_of(path) is not None


@cache
def _schemas() -> Any:
    try:
        from instructlab.schema import schema_base
    except ImportError:
        raise UserError("validating qna.yaml needs instructlab-schema: pip install 'labeler[taxonomy]'") from None
    return schema_base()


@cache
def _validator(version: int, kind: str) -> Any:
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def resource(name: str) -> Resource:
        text = _schemas().joinpath(f"v{version}", name.removeprefix("./")).read_text(encoding="utf-8")
        return Resource.from_contents(json.loads(text), default_specification=DRAFT202012)

    schema = resource(SCHEMA_FILES[kind]).contents
    registry: Registry = Registry(retrieve=resource)  # type: ignore[call-arg]  # resolves "./version.json"
    return validator_for(schema)(schema, registry=registry)


def parse(path: str, text: str, *, require_latest: bool = False) -> tuple[Qna | None, list[Problem]]:
    """The file as a Qna plus every problem found; Qna is None when an error was found."""
    kind = kind_of(path)
    if kind is None:
        return None, [Problem(path, None, "not under knowledge/ or compositional_skills/")]
    try:
        _refuse_hostile(text, path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return None, [_yaml_problem(path, e)]
    except ConfigError as e:  # anchors/aliases, size: contributor files never need them
        return None, [Problem(path, e.line, e.message)]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "must be a YAML mapping (see the taxonomy's docs/template_qna.yaml)")]
    problems = _check(path, kind, data, root, require_latest)
    errors = [p for p in problems if p.severity == "error"]
    return (None if errors else Qna(path, kind, int(data.get("version", 1)), data)), problems


def _refuse_hostile(text: str, path: str) -> None:
    from labeler import yamlfile

    if len(text.encode("utf-8", "surrogatepass")) > QNA_MAX_BYTES:
        raise ConfigError(f"the file is larger than {QNA_MAX_BYTES // 1024} KiB", file=path)
    yamlfile.refuse_aliases(text, path)


def _yaml_problem(path: str, e: yaml.YAMLError) -> Problem:
    """Point at where the broken construct starts (an unterminated quote), not where the scan gave up."""
    problem, context = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    mark = context or problem
    text = f"not valid YAML: {getattr(e, 'problem', None) or e}"
    if context is not None and getattr(e, "context", None):
        text += f" ({getattr(e, 'context', '')} starting on line {context.line + 1})"
    return Problem(path, mark.line + 1 if mark else None, text)


def _check(path: str, kind: str, data: dict[str, Any], root: Any, require_latest: bool) -> list[Problem]:
    version = data.get("version", 1)
    if isinstance(version, bool) or version not in VERSIONS:
        return [Problem(path, line_of(root, ["version"]), f"unsupported version {version!r} (use one of 1, 2, 3)")]
    validator = _validator(version, kind)
    if validator.schema.get("deprecated"):
        return [
            Problem(
                path,
                line_of(root, ["version"]) if "version" in data else 1,
                f"version {version}: {validator.schema.get('description', 'deprecated')}",
            )
        ]
    problems = [_problem(path, root, e) for e in validator.iter_errors(data)]
    if not problems:
        problems += _extra_checks(path, kind, data, root)
    if version != LATEST:
        problems.append(
            Problem(
                path,
                line_of(root, ["version"]) if "version" in data else 1,
                f"version {version} is not the latest schema version ({LATEST})",
                "error" if require_latest else "warning",
            )
        )
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def _problem(path: str, root: Any, error: Any) -> Problem:
    location = list(error.absolute_path)
    key = _unexpected_key(error)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in [*location, *([key] if key else [])])
    return Problem(path, line_of(root, location, key), f"{where.lstrip('.') or '(top level)'}: {_message(error)}")


def _unexpected_key(error: Any) -> str | None:
    # The schema's own `properties` miss keys evaluated through $ref (version), so read the message.
    if error.validator in ("unevaluatedProperties", "additionalProperties"):
        names = re.findall(r"'([^']*)'", error.message.rsplit("(", 1)[-1])
        return names[0] if names else None
    return None


def _message(error: Any) -> str:
    message = str(error.message)
    if error.validator == "minItems":
        return f"needs at least {error.validator_value} entries, found {len(error.instance)}"
    if error.validator == "uniqueItems":
        return "has duplicate entries (two identical items)"
    if error.validator in ("unevaluatedProperties", "additionalProperties"):
        return "unknown key (" + message.split("(", 1)[-1]
    if error.validator == "minLength":
        return "must not be empty"
    if error.validator == "required":
        return "missing required key " + message.split(" is a required", 1)[0]
    return message if len(message) <= 200 else message[:197] + "..."


def _extra_checks(path: str, kind: str, data: dict[str, Any], root: Any) -> list[Problem]:
    """What the schema cannot say: repeated questions, a document commit that is not a SHA."""
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for location, question in _question_locations(kind, data):
        norm = " ".join(question.lower().split())
        line = line_of(root, location)
        if norm in seen:
            problems.append(Problem(path, line, f"duplicate question (first asked on line {seen[norm]})"))
        seen.setdefault(norm, line)
    commit = (data.get("document") or {}).get("commit") if kind == "knowledge" else None
    if isinstance(commit, str) and not _SHA.match(commit):
        problems.append(
            Problem(
                path,
                line_of(root, ["document", "commit"]),
                f"document.commit {commit!r} does not look like a commit SHA",
                "warning",
            )
        )
    return problems


def _question_locations(kind: str, data: dict[str, Any]) -> list[tuple[list[Any], str]]:
    found: list[tuple[list[Any], str]] = []
    for i, example in enumerate(data.get("seed_examples") or []):
        if kind == "knowledge":
            found += [
                (["seed_examples", i, "questions_and_answers", j, "question"], str(qa.get("question", "")))
                for j, qa in enumerate(example.get("questions_and_answers") or [])
            ]
        else:
            found.append((["seed_examples", i, "question"], str(example.get("question", ""))))
    return found


def attribution_path(qna_path: str) -> str:
    return posixpath.join(posixpath.dirname(qna_path), "attribution.txt")


def attribution_problem(qna: Qna, text: str | None) -> Problem | None:
    """The taxonomy's CI wants a non-empty attribution.txt next to every qna.yaml of version > 1."""
    if qna.version > 1 and not (text or "").strip():
        state = "missing" if text is None else "empty"
        return Problem(attribution_path(qna.path), None, f"attribution.txt is {state} (required for version > 1)")
    return None


def read_changed(
    gh: GitHub,
    number: int,
    sha: str,
    *,
    require_latest: bool = False,
    require_attribution: bool = True,
    max_files: int = 10,
) -> tuple[list[Qna], list[Problem]]:
    """The PR's changed qna.yaml files, read through the API at `sha` (never a checkout), validated."""
    paths = sorted(
        f["filename"] for f in gh.pull_files(number) if f.get("status") != "removed" and is_qna(f["filename"])
    )
    problems: list[Problem] = []
    if len(paths) > max_files:
        problems.append(
            Problem(
                paths[max_files],
                None,
                f"{len(paths)} qna.yaml files changed: only the first {max_files} are checked (bot.max-files)",
                "warning",
            )
        )
    files: list[Qna] = []
    for path in paths[:max_files]:
        text = gh.file_at(path, sha)
        if text is None:
            problems.append(Problem(path, None, f"not found at commit {sha[:12]}"))
            continue
        qna, found = parse(path, text, require_latest=require_latest)
        missing = (
            attribution_problem(qna, gh.file_at(attribution_path(path), sha))
            if qna is not None and require_attribution
            else None
        )
        problems += [*found, *([missing] if missing else [])]
        if qna is not None and missing is None:
            files.append(qna)
    return files, problems
