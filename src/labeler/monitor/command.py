"""`labeler monitor`: label drift of a recent window against history, plus a human-review sample.

Reads the history file (run `labeler history sync` first), writes the job summary, and with
--issue keeps one tracking issue up to date (found by its label and hidden marker, edited in place).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import click

from labeler import md, runner
from labeler.errors import UserError
from labeler.history import store as history
from labeler.monitor import drift as monitor

MARKER = md.marker("monitor")
ISSUE_TITLE = "Triage monitor: label drift and review sample"


def parse_until(raw: str | None) -> dt.datetime:
    if not raw:
        return dt.datetime.now(dt.timezone.utc)
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--until must be an ISO date like 2024-06-30, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def upsert_issue(github: Any, label: str, body: str) -> tuple[int, bool]:
    """Edit our open tracking issue (label + marker) or open it. Returns (number, created)."""
    requester, base = github.client.requester, github.repo.url
    _, found = requester.requestJsonAndCheck("GET", f"{base}/issues", parameters={"state": "open", "labels": label})
    ours = [i for i in found or [] if (i.get("body") or "").lstrip().startswith(MARKER) and not i.get("pull_request")
            and _by_bot(github, i.get("user") or {})]
    if ours:
        number = int(ours[0]["number"])
        requester.requestJsonAndCheck("PATCH", f"{base}/issues/{number}", input={"body": body})
        return number, False
    _, made = requester.requestJsonAndCheck("POST", f"{base}/issues",
                                            input={"title": ISSUE_TITLE, "body": body, "labels": [label]})
    return int(made["number"]), True


def _by_bot(github: Any, user: dict[str, Any]) -> bool:
    """Only our own tracking issue is edited, never one someone else opened with the marker."""
    return str(user.get("login") or "").lower() == str(github.bot_login).lower()  # exactly us, not any App


@click.command("monitor")
@click.option("--db", required=True, envvar="LABELER_HISTORY_DB", help="History file (env LABELER_HISTORY_DB).")
@click.option("--family", envvar="LABELER_FAMILY", help="Only labels matching this glob, e.g. 'area/*' (env LABELER_FAMILY).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1), envvar="LABELER_WINDOW_DAYS",
              help="Recent window (env LABELER_WINDOW_DAYS).")
@click.option("--baseline-days", default=365, show_default=True, type=click.IntRange(0), envvar="LABELER_BASELINE_DAYS",
              help="Baseline before the window; 0 = all earlier history (env LABELER_BASELINE_DAYS).")
@click.option("--until", envvar="LABELER_UNTIL", help="End of the window, ISO date (default now; env LABELER_UNTIL).")
@click.option("--threshold", default=0.2, show_default=True, type=click.FloatRange(0), envvar="LABELER_DRIFT_THRESHOLD",
              help="PSI above this is drift (env LABELER_DRIFT_THRESHOLD).")
@click.option("--min-issues", default=20, show_default=True, type=click.IntRange(1), envvar="LABELER_MIN_ISSUES",
              help="Fewer issues in a window: not judged (env LABELER_MIN_ISSUES).")
@click.option("--provenance-label", default="automated-triage", show_default=True, envvar="LABELER_PROVENANCE_LABEL",
              help="Label the bot adds to what it labelled; the sample comes from these (env LABELER_PROVENANCE_LABEL).")
@click.option("--sample", "sample_size", default=10, show_default=True, type=click.IntRange(0), envvar="LABELER_SAMPLE",
              help="Issues to list for human review (env LABELER_SAMPLE).")
@click.option("--issue", "issue_label", envvar="LABELER_MONITOR_ISSUE_LABEL",
              help="Also keep an open tracking issue with this label up to date (env LABELER_MONITOR_ISSUE_LABEL).")
@click.option("--repo", envvar="GITHUB_REPOSITORY", help="OWNER/NAME for --issue (env GITHUB_REPOSITORY).")
@click.option("--fail-on-drift", is_flag=True, envvar="LABELER_FAIL_ON_DRIFT", help="Exit 1 on drift (env LABELER_FAIL_ON_DRIFT).")
def command(db: str, family: str | None, days: int, baseline_days: int, until: str | None, threshold: float,
            min_issues: int, provenance_label: str, sample_size: int, issue_label: str | None, repo: str | None,
            fail_on_drift: bool) -> None:
    """Compare recent labels with history and list recently auto-labelled issues for review."""
    end = parse_until(until)
    recent, baseline = monitor.windows(history.load(db), until=end, days=days, baseline_days=baseline_days)
    ignore = (provenance_label,) if provenance_label else ()
    result = monitor.drift(recent, baseline, family=family, threshold=threshold, min_issues=min_issues, ignore=ignore)
    picked = monitor.sample(recent, sample_size, label=provenance_label or None, seed=f"{end:%Y-%m-%d}")
    text = monitor.render(result, picked, family=family, days=days, label=provenance_label or None)
    click.echo(monitor.verdict(result))
    runner.summary(text)
    runner.set_output("drift", "true" if result.drifted else "false")
    runner.set_output("psi", f"{result.psi:.4f}")
    if issue_label:
        from labeler import gh

        number, created = upsert_issue(gh.open_repo(repo), issue_label, f"{MARKER}\n{md.fit_comment(text)}")
        click.echo(f"{'opened' if created else 'updated'} tracking issue #{number}")
        runner.set_output("issue", str(number))
    if fail_on_drift and result.drifted:
        raise UserError(f"label drift: {monitor.verdict(result)}")
