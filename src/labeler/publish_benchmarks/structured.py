"""JSON/YAML results files, validated by schemas/benchmark_results.schema.json with line numbers."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from labeler.config import line_of
from labeler.errors import UserError
from labeler.publish_benchmarks.results import Link, Pair, Results

SCHEMA = "benchmark_results.schema.json"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def schema() -> dict[str, Any]:
    text = (resources.files("labeler") / "schemas" / SCHEMA).read_text("utf-8")
    return dict(json.loads(text))


def parse(text: str, path: str, *, build_id: str | None = None, build_url: str | None = None) -> Results:
    data, root = _load(text, path)
    _validate(data, root, path)
    return _results(data, path, build_id, build_url)


def _load(text: str, path: str) -> tuple[Any, Any]:
    is_json = path.lower().endswith(".json") or text.lstrip().startswith(("{", "["))
    data = _json(text, path) if is_json else _yaml(text, path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None  # valid JSON that YAML 1.1 cannot read: no line numbers, still validated
    if root is not None:
        _check_duplicates(root, path)
    if not isinstance(data, dict):
        raise UserError("results must be a mapping with `build`, `models` and scores", file=path, line=1)
    return data, root


def _json(text: str, path: str) -> Any:
    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not a score")

    try:
        return json.loads(text, parse_constant=reject)
    except json.JSONDecodeError as e:
        raise UserError(f"not valid JSON: {e.msg} (column {e.colno})", file=path, line=e.lineno) from None
    except ValueError as e:
        raise UserError(f"not valid JSON: {e}", file=path) from None


def _yaml(text: str, path: str) -> Any:
    from labeler import yamlfile

    return yamlfile.load(text, path)[0]


def _check_duplicates(node: Any, path: str) -> None:
    """YAML and JSON loaders keep the last of two equal keys; a results file must not say a row twice."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise UserError(f"duplicate key {key.value!r}", file=path, line=key.start_mark.line + 1)
                seen.add(key.value)
            _check_duplicates(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(item, path)


def where(location: list[Any]) -> str:
    """A readable field path: mt_bench_branch["compositional_skills/x/qna.yaml"].new"""
    out = ""
    for step in location:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _IDENT.fullmatch(str(step)):
            out += f".{step}" if out else str(step)
        else:
            out += f"[{json.dumps(str(step))}]"
    return out or "(top level)"


def _validate(data: Any, root: Any, path: str) -> None:
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(schema()).iter_errors(data))
    if errors:
        error = min(errors, key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
        location, key = list(error.absolute_path), _key_of(error)
        line = line_of(root, location, key) if root is not None else None
        message = _message(error)
        raise UserError(f"{where([*location, *([key] if key is not None else [])])}: {message}", file=path, line=line)
    _check_numbers(data, root, path, [])


def _is_key_error(error: Any) -> bool:
    return "propertyNames" in error.absolute_schema_path


def _key_of(error: Any) -> str | None:
    if _is_key_error(error):
        return str(error.instance)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return str(extra[0]) if extra else None
    return None


def _message(error: Any) -> str:
    if _is_key_error(error):
        if str(error.instance).endswith("qna.yaml") or "/" in str(error.instance):
            return "not a qna.yaml path inside the taxonomy (relative, no .., ends in /qna.yaml)"
        return "not a task name (letters, digits, _ . -; the knowledge leaf path joined with _)"
    if error.validator == "additionalProperties":
        return "unknown field"
    return str(error.message)


def _check_numbers(value: Any, root: Any, path: str, location: list[Any]) -> None:
    """The schema's minimum/maximum let NaN through (every comparison with NaN is false)."""
    if isinstance(value, float) and not math.isfinite(value):
        line = line_of(root, location) if root is not None else None
        raise UserError(f"{where(location)}: {value} is not a score", file=path, line=line)
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, root, path, [*location, key])


def _pair(raw: dict[str, Any]) -> Pair:
    base = raw.get("base")
    return Pair(base=None if base is None else float(base), new=float(raw["new"]))


def _results(data: dict[str, Any], path: str, build_id: str | None, build_url: str | None) -> Results:
    general = {name: _pair(data[name]) for name in ("mmlu",) if name in data}
    mt_bench = data.get("mt_bench")
    if mt_bench:
        general["mt_bench"] = _pair(mt_bench)
        general.update(
            {f"mt_bench_{k}": _pair(mt_bench[k]) for k in ("turn_one", "turn_two", "error_rate") if k in mt_bench}
        )
    build = data["build"]
    return Results(
        build_id=build_id or build["id"],
        build_url=build_url or build.get("url"),
        links=tuple(Link(lk["title"], lk["url"]) for lk in build.get("links", ())),
        base_model=data["models"]["base"],
        new_model=data["models"]["new"],
        general=general,
        mmlu_branch={k: _pair(v) for k, v in (data.get("mmlu_branch") or {}).items()},
        mt_bench_branch={k: _pair(v) for k, v in (data.get("mt_bench_branch") or {}).items()},
        source=path,
    )
