"""Replay input: past issues with the labels maintainers gave them, from a `history sync` SQLite file
or a `dataset export` JSONL file. Every problem is one clear UserError (missing, empty, unknown shape,
no label from labels.yml); labels outside labels.yml are counted and ignored."""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass

from labeler import examples
from labeler.config import Config
from labeler.errors import UserError

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Past:
    id: str
    number: int
    title: str
    body: str
    gold: frozenset[str]  # canonical labels.yml names (applicable ones only)


def load(
    path: str, cfg: Config, *, limit: int | None = None, sample: int | None = None
) -> tuple[list[Past], dict[str, int]]:
    """(issues, {ignored label: count}). `sample` shuffles with that seed before `limit` applies."""
    if not os.path.isfile(path):
        raise UserError(
            "replay file not found (a `labeler history sync` SQLite or a `dataset export` JSONL)", file=path
        )
    if os.path.getsize(path) == 0:
        raise UserError("the replay file is empty", file=path)
    with open(path, "rb") as f:
        head = f.read(16)
    raw = _sqlite(path) if head == SQLITE_MAGIC else _jsonl(path) if head.lstrip()[:1] == b"{" else None
    if raw is None:
        raise UserError(
            "unknown replay file: expected a history SQLite file or JSONL records "
            '({"title", "body", "labels"} per line)',
            file=path,
        )
    applicable = {lbl.name for lbl in cfg.applicable()}
    ignored: Counter[str] = Counter()
    out = []
    for ident, number, title, body, labels in raw:
        gold = set()
        for name in labels:
            lbl = cfg.canonical(name)
            if lbl is not None and lbl.name in applicable:
                gold.add(lbl.name)
            else:
                ignored[name] += 1
        out.append(Past(ident, number, title, body, frozenset(gold)))
    if not any(p.gold for p in out):
        raise UserError(
            f"no issue in the replay file carries a label from {cfg.path} "
            f"(found: {', '.join(sorted(ignored)[:10]) or 'no labels at all'})",
            file=path,
        )
    if sample is not None:
        random.Random(sample).shuffle(out)
    return (out[:limit] if limit else out), dict(sorted(ignored.items()))


def _sqlite(path: str) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    from labeler.history import store

    rows = store.load(path)
    if not rows:
        raise UserError("the history file holds no issues: run `labeler history sync` first", file=path)
    return [(f"#{i.number}", i.number, i.title, i.body, i.labels) for i in rows]


def _jsonl(path: str) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    rows = examples.read_jsonl(path)
    out = []
    for n, e in enumerate(rows, 1):
        number = e.extra.get("number")
        out.append((e.id, number if isinstance(number, int) and number > 0 else n, e.title, e.body, e.labels))
    return out
