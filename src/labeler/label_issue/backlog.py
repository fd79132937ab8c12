"""The backlog (pure): which open issues label-issue should label in one run, and the dry-run table.

An issue qualifies when it carries no applicable label from labels.yml, or only the abstain label,
or the bot's provenance label (label-issue.provenance-label) and no comment at all (the listing's
count, no extra request): a run that died between writing the labels and writing the comment, and
`run()` completes it with its one comment (the timeline says which labels the bot added). Only with
`comment: always`, where every finished issue has the bot's comment. Newest first (the listing
order), at most `max_issues`. Without a provenance label, or when someone commented in between,
such an interrupted issue keeps its labels and gets its comment from the next event on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from labeler import md
from labeler.config import Config

if TYPE_CHECKING:
    from labeler.gh import Issue
    from labeler.label_issue.labeling import Plan

REQUESTS_PER_ISSUE_TARGET = 4


class Row(NamedTuple):
    number: int
    plan: Plan | None  # None: skipped, for `why`
    why: str


def needs_labels(issue: Issue, cfg: Config, abstain_label: str | None, provenance_label: str | None = None) -> bool:
    if issue.is_pr or issue.author_is_bot or issue.state != "open":
        return False
    if provenance_label and issue.comments == 0 and any(n.lower() == provenance_label.lower() for n in issue.labels):
        return True  # labelled by the bot, yet no comment at all: the run died before its comment
    for name in issue.labels:
        lbl = cfg.canonical(name)
        if lbl is not None and lbl.auto and not lbl.deprecated:
            return False
    return True


def select(
    issues: Sequence[Issue],
    cfg: Config,
    abstain_label: str | None,
    max_issues: int,
    provenance_label: str | None = None,
) -> list[Issue]:
    return [i for i in issues if needs_labels(i, cfg, abstain_label, provenance_label)][:max_issues]


def stopped(reason: str, done: int, chosen: int, at: int) -> str:
    """Why a backlog run stopped early, how far it got and where the next run starts."""
    return (
        f"backlog: stopped after {done} of {chosen} issue(s): {reason}. Nothing is lost: the next run starts "
        f"with #{at}, since issues labeled so far no longer qualify"
    )


def _note(p: Plan | None, why: str) -> str:
    if p is None:
        return md.escape(why)
    return ("withheld: " + ", ".join(x for x, _ in p.withheld)) if p.withheld else ""


def table(results: Sequence[Row], dry_run: bool) -> str:
    verb = "would apply" if dry_run else "applied"
    rows = [
        f"| #{n} | {', '.join(md.code(x) for x in p.apply) if p and p.apply else '–'} | {_note(p, why)} |"
        for n, p, why in results
    ]
    head = f"### label-issue backlog ({'dry run: nothing applied' if dry_run else 'applied'})"
    return "\n".join([head, "", f"| issue | {verb} | note |", "|---|---|---|", *rows]) + "\n"
