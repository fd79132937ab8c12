"""`labeler monitor`: label drift of a recent window against history, plus a human-review sample.

Reads the history file (run `labeler history sync` first), writes the job summary, and with
--issue keeps one tracking issue up to date (found by its label and hidden marker, edited in place).
"""

from __future__ import annotations

import datetime as dt

import click

from labeler import md, options, runner
from labeler.errors import UserError
from labeler.history import corrections as fixes
from labeler.history import store as history
from labeler.monitor import drift as monitor

MARKER = md.marker("monitor")
ISSUE_TITLE = "Triage monitor: label drift and review sample"


def parse_until(raw: str | None) -> dt.datetime:
    if not raw:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--until must be an ISO date like 2024-06-30, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.command("monitor")
@options.history_db("History file.")
@options.family()
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    envvar="LABELER_WINDOW_DAYS",
    show_envvar=True,
    help="Recent window.",
)
@click.option(
    "--baseline-days",
    default=365,
    show_default=True,
    type=click.IntRange(0),
    envvar="LABELER_BASELINE_DAYS",
    show_envvar=True,
    help="Baseline before the window; 0 = all earlier history.",
)
@click.option("--until", envvar="LABELER_UNTIL", show_envvar=True, help="End of the window, ISO date (default now).")
@click.option(
    "--threshold",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0),
    envvar="LABELER_DRIFT_THRESHOLD",
    show_envvar=True,
    help="PSI above this is drift.",
)
@click.option(
    "--min-issues",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    envvar="LABELER_MIN_ISSUES",
    show_envvar=True,
    help="Fewer issues in a window: not judged.",
)
@click.option(
    "--provenance-label",
    default="automated-triage",
    show_default=True,
    envvar="LABELER_PROVENANCE_LABEL",
    show_envvar=True,
    help="Label the bot adds to what it labelled; the sample comes from these.",
)
@click.option(
    "--sample",
    "sample_size",
    default=10,
    show_default=True,
    type=click.IntRange(0),
    envvar="LABELER_SAMPLE",
    show_envvar=True,
    help="Issues to list for human review.",
)
@click.option(
    "--issue",
    "issue_label",
    envvar="LABELER_MONITOR_ISSUE_LABEL",
    show_envvar=True,
    help="Also keep an open tracking issue with this label up to date.",
)
@options.repo("OWNER/NAME for --issue.")
@options.bot_login("Whose label events are the bot's (corrections section).")
@click.option(
    "--fail-on-drift", is_flag=True, envvar="LABELER_FAIL_ON_DRIFT", show_envvar=True, help="Exit 1 on drift."
)
def command(
    db: str,
    family: str | None,
    days: int,
    baseline_days: int,
    until: str | None,
    threshold: float,
    min_issues: int,
    provenance_label: str,
    sample_size: int,
    issue_label: str | None,
    repo: str | None,
    bot_login: str,
    fail_on_drift: bool,
) -> None:
    """Compare recent labels with history and list recently auto-labelled issues for review."""
    end = parse_until(until)
    conn = history.connect(db, create=False)
    try:
        stored, events = history.load(conn), history.load_events(conn)
    finally:
        conn.close()
    recent, baseline = monitor.windows(stored, until=end, days=days, baseline_days=baseline_days)
    ignore = (provenance_label,) if provenance_label else ()
    result = monitor.drift(recent, baseline, family=family, threshold=threshold, min_issues=min_issues, ignore=ignore)
    picked = monitor.sample(recent, sample_size, label=provenance_label or None, seed=f"{end:%Y-%m-%d}")
    text = monitor.render(result, picked, family=family, days=days, label=provenance_label or None)
    fixed = fixes.report(recent, events, picked, bot_login=bot_login, ignore=ignore)
    text += "\n" + fixes.render(fixed)
    click.echo(monitor.verdict(result))
    runner.summary(text)
    runner.set_output("drift", "true" if result.drifted else "false")
    runner.set_output("psi", f"{result.psi:.4f}")
    if fixed.overall.precision is not None:
        runner.set_output("live-precision", f"{fixed.overall.precision:.4f}")
    if fixed.agreement.kappa is not None:
        runner.set_output("kappa", f"{fixed.agreement.kappa:.4f}")
    if issue_label:
        from labeler import gh
        from labeler.gh import issues

        number, created = issues.upsert_issue(
            gh.open_repo(repo), issue_label, MARKER, ISSUE_TITLE, f"{MARKER}\n{md.fit_comment(text)}"
        )
        click.echo(f"{'opened' if created else 'updated'} tracking issue #{number}")
        runner.set_output("issue", str(number))
    if fail_on_drift and result.drifted:
        raise UserError(f"label drift: {monitor.verdict(result)}")
