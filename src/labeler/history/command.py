"""`labeler history sync`: copy a repository's issues (not PRs) into a local SQLite file.

Incremental, resumable and paced: see labeler/history/store.py. The file feeds `dataset export`,
retrieval (similar issues, duplicates) and `monitor`.
"""

from __future__ import annotations

import click

from labeler import options, runner
from labeler.history import store as history


@click.group("history")
def command() -> None:
    """Keep a local copy of the repository's issue history."""


@command.command("check")
@options.history_db("SQLite file to check.")
def check_command(db: str) -> None:
    """Check the history file: a bad one is moved aside (so a workflow saves nothing); exit 0."""
    from labeler import persist

    persist.check_file(db, history.WHAT, history.check)


@command.command("sync")
@options.repo()
@options.history_db("SQLite file to create or update.")
@click.option("--per-page", default=100, show_default=True, type=click.IntRange(1, 100), help="Issues per request.")
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    envvar="LABELER_MAX_PAGES",
    show_envvar=True,
    help="Stop after this many pages; the next run continues.",
)
@click.option(
    "--min-remaining",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    envvar="LABELER_MIN_REMAINING",
    show_envvar=True,
    help="Sleep until the rate-limit reset when fewer requests remain.",
)
@click.option(
    "--max-wait",
    default=3600.0,
    show_default=True,
    type=click.FloatRange(0),
    envvar="LABELER_MAX_WAIT",
    show_envvar=True,
    help="Longest sleep for a rate-limit reset, in seconds; longer -> stop and resume later.",
)
@click.option(
    "--label-events",
    envvar="LABELER_LABEL_EVENTS",
    show_envvar=True,
    help="Also store label events (timelines) of issues carrying this label, the bot's provenance label, "
    "for `monitor` and `dataset export`; 'all' reads every issue's timeline.",
)
@click.option(
    "--max-timelines",
    default=500,
    show_default=True,
    type=click.IntRange(0),
    envvar="LABELER_MAX_TIMELINES",
    show_envvar=True,
    help="Timelines read per run (one request each); the next run continues.",
)
def sync_command(
    repo: str | None,
    db: str,
    per_page: int,
    max_pages: int | None,
    min_remaining: int,
    max_wait: float,
    label_events: str | None,
    max_timelines: int,
) -> None:
    """Fetch issues changed since the last sync (all of them the first time)."""
    from labeler import gh

    name = runner.repository(repo)
    conn = history.connect(db)
    with runner.timed("history sync"):
        try:
            client = gh.connect()
            result = history.sync(
                client,
                name,
                conn,
                per_page=per_page,
                max_pages=max_pages,
                pacing=history.Pacing(min_remaining=min_remaining, max_wait=max_wait),
                progress=lambda line: click.echo(line, err=True),
            )
            events = None
            if label_events and label_events.strip():
                events = history.sync_label_events(
                    client,
                    name,
                    conn,
                    label=label_events.strip(),
                    max_issues=max_timelines,
                    pacing=history.Pacing(min_remaining=min_remaining, max_wait=max_wait),
                    progress=lambda line: click.echo(line, err=True),
                )
            total = conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0]
        finally:
            conn.close()
    _report(name, db, result, events, total)


def _report(name: str, db: str, result: history.SyncResult, events: history.EventsResult | None, total: int) -> None:
    state = "complete" if result.complete else "incomplete (run again to continue)"
    line = (
        f"history of {name}: {result.stored} issues fetched in {result.pages} pages "
        f"({result.skipped_prs} pull requests skipped); {total} stored in {db}; sync {state}"
    )
    if events is not None:
        line += f"; label events: {events.read} timelines read, {events.pending} left"
    click.echo(line)
    if not result.complete:
        runner.warning(f"history sync stopped early: {state}")
    runner.summary(f"### Issue history\n\n{line}\n")
    runner.set_output("issues", str(total))
    runner.set_output("complete", "true" if result.complete else "false")
