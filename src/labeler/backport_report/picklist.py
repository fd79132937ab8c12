"""What the page's command holds as loaded, in the JSON too: the rows shown Yes, in apply order
(range order: a commit only needs earlier ones), and the commits they need that are not Yes
themselves (listed apart, to confirm, never pasted). The page's script does the same on every
click; `settle` gives a commit pulled in by a later pick the verdict the page shows at load. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def default_start(records: Sequence[Mapping[str, Any]]) -> str:
    """Right after the last backported commit (after a backport round the table looks empty)."""
    last = max((r["seq"] for r in records if r["backported"]), default=None)
    if last is None:
        return str(records[0]["seq"]) if records else "all"
    later = [r["seq"] for r in records if r["seq"] > last]
    return str(min(later)) if later else str(last + 1)


def needs(rec: Mapping[str, Any]) -> list[str]:
    """The commits `rec` must come after: what it depends on and what it fixes."""
    fixed = [f["sha"] if isinstance(f, dict) else f for f in rec.get("fixes", [])]
    return [*rec.get("depends_on", []), *fixed]


def settle(records: list[dict[str, Any]]) -> None:
    """Newest first (chains): a commit pulled in by a later one is Yes while one of the commits that
    need it is, else it shows the verdict it had of its own."""
    verdicts = {r["sha"]: r["verdict"] for r in records}
    for rec in sorted(records, key=lambda r: -r["seq"]):
        own = rec.get("own_verdict")
        if own is None:
            continue
        children = {*rec.get("needed_by", []), *([rec["pulled_by"]] if rec.get("pulled_by") else [])}
        rec["verdict"] = "yes" if any(verdicts.get(c) == "yes" for c in children) else own
        verdicts[rec["sha"]] = rec["verdict"]


def _closure(picked: Sequence[Mapping[str, Any]], by_sha: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seen: set[str] = set()
    todo = list(picked)
    while todo:
        for parent in needs(todo.pop()):
            rec = by_sha.get(parent)
            if rec is not None and parent not in seen and not rec["backported"]:
                seen.add(parent)
                todo.append(rec)
    return seen


def pick_lists(records: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(pick, needed): the Yes rows from the review start, not backported, with the Yes rows before
    the start that they need, in range order; and the commits they need that are not Yes."""
    start = default_start(records)
    first = 0 if start == "all" else int(start)
    by_sha = {r["sha"]: r for r in records}
    chosen = [r for r in records if r["verdict"] == "yes" and not r["backported"] and r["seq"] >= first]
    wanted = _closure(chosen, by_sha)
    ordered = sorted(records, key=lambda r: r["seq"])
    pick = [r["sha"] for r in ordered if r["verdict"] == "yes" and (r in chosen or r["sha"] in wanted)]
    needed = [r["sha"] for r in ordered if r["sha"] in wanted and r["verdict"] != "yes"]
    return pick, needed
