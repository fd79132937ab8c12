"""The report as data: one record per commit, the JSON file, shards and their merge."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from labeler.atomic import atomic_write, read_json
from labeler.backport_report import summary
from labeler.backport_report.backported import Backport
from labeler.errors import UserError, setting

if TYPE_CHECKING:
    from labeler.git import Commit

FORMAT = 1
VERDICTS = ("yes", "wait", "uncertain", "no")


def parse_shard(text: str) -> tuple[int, int]:
    """`2/4` -> (2, 4): the second of four shards."""
    try:
        index, total = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserError(f"--shard must look like i/n (e.g. 2/4), got {text!r}") from None
    if not 1 <= index <= total:
        raise UserError(f"--shard {text}: i must be between 1 and n")
    return index, total


def in_shard(sha: str, shard: tuple[int, int] | None) -> bool:
    """Commits go to shards by their sha, not their position: a commit stays in its shard (and its
    shard's cache) when new commits arrive."""
    return shard is None or int(sha[:8], 16) % shard[1] == shard[0] - 1


def record(
    seq: int,
    commit: Commit,
    verdict: Mapping[str, Any],
    backports: Sequence[Backport],
    links: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    links = links or {}
    kind = verdict.get("kind", f"{verdict.get('source', 'model')}:{verdict['verdict']}")
    target = summary.target(commit.message)
    return {
        "seq": seq,
        "sha": commit.sha,
        "subject": commit.subject,
        "author": commit.author,
        "author_email": commit.author_email,
        "date": commit.date,
        "verdict": verdict["verdict"],
        "reason": verdict["reason"],
        "backported": bool(backports),
        "backported_to": sorted({b.ref for b in backports}),
        "backport_commits": [{"ref": b.ref, "sha": b.sha, "match": b.how} for b in backports],
        "kind": kind,
        "confidence": verdict.get("confidence"),
        "target": target,
        "summary": summary.why(kind, target, verdict.get("ready_since")) + _suggested(verdict.get("learned")),
        "message": commit.message,
        **(
            {"age_days": verdict.get("age_days"), "ready": verdict.get("ready", False)} if "age_days" in verdict else {}
        ),
        **({"ready_since": verdict["ready_since"]} if verdict.get("ready_since") else {}),
        **(
            {"own_verdict": verdict["own_verdict"], "pulled_by": verdict.get("pulled_by")}
            if verdict.get("own_verdict")
            else {}
        ),
        "depends_on": list(links.get("depends_on", [])),
        "needed_by": list(links.get("needed_by", [])),
        "fixes": list(links.get("fixes", [])),
        "fixed_by": list(links.get("fixed_by", [])),
        "pull_request": links.get("pull_request"),
    }


def _suggested(learned: Mapping[str, int] | None) -> str:
    if not learned:
        return ""
    return f"; suggested only: this repository picked {learned['picked']} of {learned['decided']} such commits"


def write(path: str, meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> None:
    """The report; `pick` and `needed` are what the page's command and its "needed by a pick" list
    hold as loaded."""
    from labeler.backport_report.picklist import pick_lists

    pick, needed = pick_lists(records)
    data = {"format": FORMAT, **meta, "pick": pick, "needed": needed, "commits": list(records)}
    atomic_write(path, json.dumps(data, indent=1) + "\n")


def read(path: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = read_json(path, "cannot read the report: {}")
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("commits"), list):
        raise UserError(f"not a backport-report JSON file (see {setting('--json', 'json')})", file=path)
    commits = data.pop("commits")
    for i, rec in enumerate(commits):
        if (
            not isinstance(rec, dict)
            or rec.get("verdict") not in VERDICTS
            or not isinstance(rec.get("sha"), str)
            or not isinstance(rec.get("seq"), int)
        ):
            raise UserError(f"commit #{i} is malformed (needs seq, sha and a verdict)", file=path)
    return data, commits


Report = tuple[dict[str, Any], list[dict[str, Any]]]


def merge(parts: Sequence[tuple[str, dict[str, Any], list[dict[str, Any]]]]) -> Report:
    """Shards of one run (same range) into one report, in range order."""
    if not parts:
        raise UserError("--merge needs at least one shard report")
    first_path, meta, _ = parts[0]
    for path, other, _ in parts[1:]:
        for field in ("since_sha", "until_sha", "stable"):
            if other.get(field) != meta.get(field):
                raise UserError(f"{path} covers another range than {first_path} ({field} differs)", file=path)
    merged = {rec["sha"]: rec for _, _, records in parts for rec in records}
    meta = {k: v for k, v in meta.items() if k not in ("shard", "format")}
    return {**meta, "shard": None, "merged_from": len(parts)}, sorted(merged.values(), key=lambda r: r["seq"])


def counts(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """verdict -> {"new": n, "backported": n}."""
    table = {v: {"new": 0, "backported": 0} for v in VERDICTS}
    for rec in records:
        table[rec["verdict"]]["backported" if rec["backported"] else "new"] += 1
    return table
