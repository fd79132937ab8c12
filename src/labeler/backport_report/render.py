"""The review page (Jinja2, autoescaped) and the Markdown job summary.

Commit text is untrusted: the template escapes every field; reasons are split into plain text
and link tokens first, each plain piece escaped, so a link can only be one we built.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from labeler import md
from labeler.backport_report import message as msg
from labeler.backport_report.picklist import default_start
from labeler.backport_report.report import VERDICTS, counts

_LINKABLE = re.compile(r"(?<![\w&/#])#(\d{1,6})\b|\b(?=[0-9a-f]*\d)([0-9a-f]{7,40})\b")
BOLD = re.compile(r"^(?:BUG|DOC)\b")
TEMPLATE = "backport_report.html.j2"


def _fill(pattern: str, **values: str) -> str:
    for name, value in values.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


def linkify(text: str, commit_url: str | None, issue_url: str | None) -> Any:
    """Escaped `text` with commit ids and #issue numbers as links (a markupsafe.Markup)."""
    from markupsafe import Markup, escape

    pieces, pos = [], 0
    for match in _LINKABLE.finditer(text):
        number, sha = match.groups()
        url = (
            _fill(issue_url, number=number)
            if number and issue_url
            else _fill(commit_url, sha=sha)
            if sha and commit_url
            else None
        )
        pieces.append(escape(text[pos : match.start()]))
        pieces.append(
            Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, match.group(0))
            if url
            else escape(match.group(0))
        )
        pos = match.end()
    pieces.append(escape(text[pos:]))
    return Markup("").join(pieces)


def _seqs(shas: Sequence[Any], seq_of: Mapping[str, int]) -> list[int]:
    found = [seq_of.get(s["sha"] if isinstance(s, dict) else s) for s in shas]
    return sorted({s for s in found if s is not None})


def _links(rec: Mapping[str, Any], seq_of: Mapping[str, int]) -> dict[str, list[int]]:
    """Related rows by seq: what must be picked first (needs), and what follows it."""
    needs = _seqs(list(rec.get("depends_on", [])) + list(rec.get("fixes", [])), seq_of)
    return {
        "needs": needs,
        "fixes": _seqs(rec.get("fixes", []), seq_of),
        "needed_by": _seqs(rec.get("needed_by", []), seq_of),
        "fixed_by": _seqs(rec.get("fixed_by", []), seq_of),
    }


def _wait_note(rec: Mapping[str, Any]) -> str:
    if rec.get("age_days") is None:
        return ""
    if rec.get("ready"):
        return f"Wait, ready since {rec.get('ready_since') or '?'} (waited {rec['age_days']:.0f} d)"
    return f"waiting: {rec['age_days']:.0f} d so far"


def _apply(rec: Mapping[str, Any], seq_of: Mapping[str, int]) -> dict[str, Any]:
    """The apply check's cell: clean, the conflicting files, or skipped after a prerequisite."""
    result = rec.get("apply")
    if not isinstance(result, dict) or result.get("status") not in ("clean", "conflict", "skipped"):
        return {"apply": "", "apply_text": ""}
    files = [str(f) for f in result.get("files") or []]
    text = {
        "clean": "applies clean",
        "conflict": "conflicts in "
        + (", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")),
        "skipped": f"skipped: needs #{seq_of.get(str(result.get('after')), '?')}, which did not apply",
    }[result["status"]]
    return {"apply": result["status"], "apply_text": text}


def _pulled(rec: Mapping[str, Any], seq_of: Mapping[str, int]) -> dict[str, Any]:
    """A commit pulled in by a later pick: its own verdict, and the rows whose Yes keep it Yes."""
    own = rec.get("own_verdict")
    if own not in VERDICTS:
        return {"own": "", "pulled_by": []}
    by = [*rec.get("needed_by", []), *([rec["pulled_by"]] if rec.get("pulled_by") else [])]
    return {"own": own[0], "pulled_by": _seqs(by, seq_of)}


def _row(
    rec: Mapping[str, Any], commit_url: str | None, issue_url: str | None, seq_of: Mapping[str, int] | None = None
) -> dict[str, Any]:
    confidence = rec.get("confidence")
    return {
        **_links(rec, seq_of or {}),
        "wait_note": _wait_note(rec),
        "ready": bool(rec.get("ready")),
        "conf": "" if confidence is None else f"{float(confidence):.2f}",
        "kind": rec.get("kind", ""),
        "seq": rec["seq"],
        "sha": rec["sha"],
        "short": rec["sha"][:8],
        "subject": rec["subject"],
        "author": rec["author"],
        "who": msg.short_author(rec.get("author_email", "")),
        "day": msg.compact_date(rec["date"]),
        "v": rec["verdict"][0],
        "bold": bool(BOLD.match(rec["subject"])),
        "url": _fill(commit_url, sha=rec["sha"]) if commit_url else None,
        "reason_html": linkify(rec["reason"], commit_url, issue_url),
        "summary": str(rec.get("summary") or ""),
        "target": str(rec.get("target") or ""),
        "message": str(rec.get("message") or ""),
        **_apply(rec, seq_of or {}),
        **_pulled(rec, seq_of or {}),
        "backported": rec["backported"],
        "backported_to": rec["backported_to"],
        **_pull(rec, issue_url),
    }


def _pull(rec: Mapping[str, Any], issue_url: str | None) -> dict[str, Any]:
    """The pull request that brought the commit, linked through the issue pattern (GitHub redirects)."""
    number = rec.get("pull_request")
    if type(number) is not int or number <= 0:  # from a JSON file (--merge): only a positive int is a PR
        return {"pr": None, "pr_url": None}
    return {"pr": number, "pr_url": _fill(issue_url, number=str(number)) if issue_url else None}


def _csp_hash(text: str) -> Any:
    """The CSP source for an inline block; base64 and quotes only, so it is safe markup."""
    from markupsafe import Markup

    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return Markup("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")


def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("labeler.backport_report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["csp_hash"] = _csp_hash
    return env


def render_html(
    meta: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    *,
    commit_url: str | None = None,
    issue_url: str | None = None,
    title: str | None = None,
) -> str:
    table = counts(records)
    start = default_start(records)
    seq_of = {r["sha"]: r["seq"] for r in records}
    new_seq = max((r["seq"] for r in records), default=0) + 1
    page: str = (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=title or f"Backport review: {meta.get('since', '')}..{meta.get('until', '')}",
            meta=meta,
            rows=[_row(r, commit_url, issue_url, seq_of) for r in records],
            counts=table,
            totals={k: sum(table[v][k] for v in VERDICTS) for k in ("new", "backported")},
            default_start=start,
            new_seq=new_seq,
            page_data={"defaultStart": start, "since": str(meta.get("since", "")), "until": str(meta.get("until", ""))},
        )
    )
    return page


def render_summary(
    meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]], *, commit_url: str | None = None, limit: int = 200
) -> str:
    table = counts(records)
    lines = [
        f"### Backport review: {md.escape(str(meta.get('since')))}..{md.escape(str(meta.get('until')))}",
        "",
        "| verdict | not backported | backported |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {v} | {table[v]['new']} | {table[v]['backported']} |" for v in VERDICTS]
    pulls = meta.get("pull_requests")
    if isinstance(pulls, Mapping):
        lines += [
            "",
            f"Commits brought by a pull request: {int(pulls.get('mapped', 0))}, "
            f"{int(pulls.get('labelled', 0))} of them by one with a backport label.",
        ]
    if meta.get("learned_summary"):
        lines += ["", md.escape(str(meta["learned_summary"])) + "."]
    todo = [r for r in records if r["verdict"] == "yes" and not r["backported"]]
    lines += ["", f"**To backport (yes, not yet backported): {len(todo)}**", ""]
    for rec in todo[:limit]:
        short = rec["sha"][:8]
        cid = f"[`{short}`]({_fill(commit_url, sha=rec['sha'])})" if commit_url else f"`{short}`"
        lines.append(f"- {cid} {md.escape(rec['subject'])}")
    if len(todo) > limit:
        lines.append(f"- \u2026 and {len(todo) - limit} more (see the page)")
    return "\n".join(lines) + "\n"
