"""Labelled examples: the one JSONL format every command reads and writes.

Record format (one JSON object per line; the same for training, evaluation and exports, whatever
the source — a history export or a file a user brings)::

    {"id": "acme/widgets#12", "title": "...", "body": "...", "labels": ["bug"],
     "created_at": "2024-05-01T10:00:00Z", "split": "train", "source": "github:acme/widgets"}

Only `title` and `labels` are required; `id` defaults to `FILE:LINE`. Bad lines raise a
`UserError` naming the file and line. Which labels a model learns (a family, a minimum count,
exclusions) is decided here too, once for every command.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler import secrets
from labeler.errors import UserError

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    body: str
    labels: tuple[str, ...]
    created_at: str | None = None
    split: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        record = {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "labels": list(self.labels),
            "created_at": self.created_at,
            "split": self.split,
            "source": self.source,
        }
        return {**self.extra, **record}


_KNOWN = {"id", "title", "body", "labels", "created_at", "split", "source"}


def parse_record(raw: Any, default_id: str) -> Example:
    """One decoded JSON value -> Example; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("each line must be a JSON object")
    title, body, labels = raw.get("title"), raw.get("body") or "", raw.get("labels")
    if not isinstance(title, str):
        raise ValueError("'title' must be a string")
    if not isinstance(body, str):
        raise ValueError("'body' must be a string or null")
    if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
        raise ValueError("'labels' must be a list of non-empty strings")
    split = raw.get("split")
    if split is not None and split not in SPLITS:
        raise ValueError(f"'split' must be one of {', '.join(SPLITS)} or null, got {split!r}")
    ident = raw.get("id", default_id)
    return Example(
        id=str(ident),
        title=title,
        body=body,
        labels=tuple(dict.fromkeys(labels)),
        created_at=_opt_str(raw.get("created_at")),
        split=split,
        source=_opt_str(raw.get("source")),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_jsonl(path: str) -> list[Example]:
    """Read and validate a JSONL dataset; blank lines are skipped, everything else must parse."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        raise UserError(f"cannot read the dataset: {e.strerror}", file=path) from None
    except UnicodeDecodeError as e:
        raise UserError(f"the dataset is not UTF-8 ({e.reason})", file=path) from None
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        examples.append(_parse_line(line, path, number, seen))
    if not examples:
        raise UserError("the dataset has no records", file=path)
    return examples


def _parse_line(line: str, path: str, number: int, seen: dict[str, int]) -> Example:
    try:
        example = parse_record(json.loads(line), f"{os.path.basename(path)}:{number}")
    except json.JSONDecodeError as e:
        raise UserError(f"not valid JSON: {e.msg} (column {e.colno})", file=path, line=number) from None
    except ValueError as e:
        raise UserError(str(e), file=path, line=number) from None
    if example.id in seen:
        raise UserError(f"duplicate id {example.id!r} (first on line {seen[example.id]})", file=path, line=number)
    seen[example.id] = number
    return example


def write_jsonl(path: str, rows: Iterable[Example | dict[str, Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            data = row.to_json() if isinstance(row, Example) else row
            f.write(secrets.redact(json.dumps(data, ensure_ascii=False, separators=(",", ":"))) + "\n")
            count += 1
    return count


# label selection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    examples: list[Example]
    labels: list[str]
    dropped: dict[str, int]  # label -> count, removed for having too few examples


def select_labels(
    examples: Sequence[Example], *, family: str | None = None, min_examples: int = 1, exclude: Sequence[str] = ()
) -> Selection:
    """Keep labels matching `family` (a glob like 'area/*') with >= min_examples issues.

    Issues carrying any `exclude` label (e.g. the bot's provenance label) are dropped so the model
    never learns from its own guesses. Issues left without labels stay (as negatives).
    """
    kept_issues = [e for e in examples if not set(e.labels) & set(exclude)]

    def wanted(label: str) -> bool:
        return family is None or fnmatch.fnmatchcase(label, family)

    counts = Counter(lbl for e in kept_issues for lbl in e.labels if wanted(lbl))
    keep = {lbl for lbl, n in counts.items() if n >= min_examples}
    dropped = {lbl: n for lbl, n in counts.items() if lbl not in keep}
    out = [dataclasses.replace(e, labels=tuple(lbl for lbl in e.labels if lbl in keep)) for e in kept_issues]
    return Selection(examples=out, labels=sorted(keep), dropped=dict(sorted(dropped.items())))
