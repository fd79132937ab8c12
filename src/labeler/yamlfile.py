"""The one YAML reader for every file a PR, an issue or a maintainer controls (labels.yml, qna.yaml,
benchmark results, backport rules): size-capped, no anchors or aliases (an alias bomb expands a few hundred
bytes into gigabytes), and schema errors reported all at once as `file:line: key: message`, each bounded.
"""

from __future__ import annotations

from typing import Any

import yaml

from labeler.errors import ConfigError

MAX_BYTES = 1024 * 1024
MAX_MESSAGE = 200


def load(text: str, path: str, *, loader: Any = yaml.SafeLoader, max_bytes: int = MAX_BYTES) -> tuple[Any, Any]:
    """(data, composed root node). Raises ConfigError (with the line) for size, anchors/aliases, bad YAML."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ConfigError(f"the file is larger than {max_bytes // 1024} KiB", file=path)
    try:
        refuse_aliases(text, path, loader)
        root = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ConfigError(
            f"not valid YAML: {bound(str(getattr(e, 'problem', None) or e))}",
            file=path,
            line=mark.line + 1 if mark else None,
        ) from None
    except RecursionError:
        raise ConfigError("the YAML nests too deeply", file=path) from None
    return data, root


def refuse_aliases(text: str, path: str, loader: Any = yaml.SafeLoader) -> None:
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ConfigError(
                "YAML anchors and aliases (&name, *name) are not allowed in this file",
                file=path,
                line=event.start_mark.line + 1 if event.start_mark else None,
            )


def bound(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message cut to `limit` characters: never print a value the file controls in full."""
    return text if len(text) <= limit else text[:limit] + "…"


def schema_errors(validator: Any, data: Any, root: Any) -> list[tuple[int | None, str]]:
    """Every schema error as (line, "key.path: message"), in file order."""
    found = []
    for error in validator.iter_errors(data):
        location = list(error.absolute_path)
        key = _unexpected_key(error)
        where = ".".join(str(p) for p in [*location, *([key] if key else [])]) or "(top level)"
        found.append((line_of(root, location, key), f"{where}: {bound(error.message)}"))
    return sorted(found, key=lambda item: (item[0] or 0, item[1]))


def raise_all(problems: list[tuple[int | None, str]], path: str) -> None:
    """One ConfigError listing every problem (`file:line: message` each); the first line is the anchor."""
    if not problems:
        return
    lines = [f"{path}:{line}: {text}" if line else f"{path}: {text}" for line, text in problems]
    first_line, first_text = problems[0]
    more = f" (and {len(problems) - 1} more problem(s):\n" + "\n".join(lines[1:]) + ")" if len(problems) > 1 else ""
    raise ConfigError(first_text + more, file=path, line=first_line)


def _unexpected_key(error: Any) -> str | None:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        return bound(str(extra[0]), 80) if extra else None
    return None


def line_of(node: Any, location: list[Any], key: str | None = None) -> int | None:
    """The 1-based line of the value at `location` (or of `key` inside it) in a composed YAML tree."""
    for step in [*location, *([key] if key is not None else [])]:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(step)]
            if not match:
                break
            key_node, node = match[0]
            if step == key:
                return int(key_node.start_mark.line) + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return int(node.start_mark.line) + 1 if node is not None else None
