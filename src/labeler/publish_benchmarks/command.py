"""publish-benchmarks: post a model build's before/after benchmark results to every PR in the build.

Parse (results file, PR selection), decide (rows and comment per PR: labeler.publish_benchmarks.report), apply
(one sticky comment per PR and build id, created once, edited in place, skipped when unchanged),
report (job summary, outputs). Resumable: a re-run lists each PR's comments, finds the marker and
finishes what a failed run left; a write cap defers the rest to the next run.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from labeler import md, options, runner
from labeler.config import default
from labeler.errors import UserError, setting
from labeler.publish_benchmarks import report
from labeler.publish_benchmarks.report import Settings
from labeler.publish_benchmarks.results import Results
from labeler.publish_benchmarks.select import Target, choose_prs, from_event, settings_from

if TYPE_CHECKING:
    from labeler.gh import Comment, GitHub

QUOTA_RESERVE = 5  # stop before the hourly request quota runs out (GITHUB_TOKEN: 1,000/hour per repository)
FAILURE_STREAK = 3  # PRs failing in a row = GitHub (or the token) is the problem: leave the rest for a re-run


@dataclass
class Outcome:
    number: int
    action: str  # created | updated | unchanged | would-create | would-update | skipped | failed | deferred
    rows: int = 0  # rows with data
    files: int = 0
    comment_id: int | None = None
    reason: str = ""
    body: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pr": self.number,
            "action": self.action,
            "files": self.files,
            "rows": self.rows,
            "comment_id": self.comment_id,
            "reason": self.reason,
        }


def post_one(gh: GitHub | None, target: Target, results: Results, settings: Settings, *, dry_run: bool) -> Outcome:
    """Decide and apply for one PR: list files (unless known) and comments once, then upsert."""
    from labeler.gh import comments
    from labeler.publish_benchmarks import prs

    if target.files is not None:
        files = target.files
    elif gh is None:  # select() gives every target its files when there is no token
        raise UserError(f"listing the files of #{target.number} needs a GitHub token (GITHUB_TOKEN)")
    else:
        files = tuple(prs.qna_files(gh, target.number))
    if not files:
        return Outcome(target.number, "skipped", reason="changes no qna.yaml file")
    rows = report.rows_for_files(files, results)
    body = report.render(rows, results, settings)
    outcome = Outcome(target.number, "", rows=sum(1 for r in rows if r.pair), files=len(files), body=body)
    if gh is None:
        outcome.action = "would-post"
        return outcome
    marker = md.marker(report.NAME, build=results.build_id)
    mine = [c for c in comments.list_all(gh, target.number) if gh.is_ours(c, marker)]
    existing = mine[0] if mine else None
    if existing is not None and existing.body == body:
        outcome.action, outcome.comment_id = "unchanged", existing.id
    elif dry_run:
        outcome.action = "would-update" if existing else "would-create"
    else:
        outcome.comment_id, created = gh.upsert_comment(
            target.number, marker, body, existing, known_absent=existing is None
        )
        outcome.action = "created" if created else "updated"
    if len(mine) > 1:
        outcome.reason = _dedupe(gh, mine, dry_run=dry_run)
    return outcome


def _dedupe(gh: GitHub, mine: list[Comment], *, dry_run: bool) -> str:
    """Duplicates left by an older tool or a racing run: keep the oldest (the one just upserted)."""
    from labeler.gh import comments

    if not dry_run:
        for extra in mine[1:]:
            comments.delete(gh, extra.id)
    return f"{'would remove' if dry_run else 'removed'} {len(mine) - 1} duplicate comment(s)"


def run(
    gh: GitHub | None, results: Results, targets: list[Target], settings: Settings, *, dry_run: bool, max_writes: int
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    writes = streak = 0
    for target in targets:
        stop = _stop_reason(gh, writes, max_writes, streak)
        if stop:
            outcomes.append(Outcome(target.number, "deferred", reason=f"{stop}: re-run to finish"))
            continue
        try:
            outcome = post_one(gh, target, results, settings, dry_run=dry_run)
            streak = 0
        except UserError as e:  # labeler.gh.GitHubError among them: this PR failed, the next may not
            streak += 1
            outcome = Outcome(target.number, "failed", reason=e.message)
            runner.warning(f"#{target.number}: {outcome.reason}")
        writes += outcome.action in ("created", "updated")
        outcomes.append(outcome)
    return outcomes


def _stop_reason(gh: GitHub | None, writes: int, max_writes: int, streak: int) -> str | None:
    if writes >= max_writes:
        return f"write cap ({max_writes}) reached"
    if streak >= FAILURE_STREAK:
        return f"{FAILURE_STREAK} pull requests failed in a row"
    if gh is not None:
        from labeler.gh import paging

        remaining, reset_at = paging.rate_limit(gh)  # from the last response's headers: no request
        if 0 <= remaining < QUOTA_RESERVE:
            reset = time.strftime("%H:%M UTC", time.gmtime(reset_at))
            return f"the API request quota is nearly used ({remaining} left until {reset})"
    return None


# ------------------------------------------------------------------------------ report
ICONS = {
    "created": "posted",
    "updated": "edited",
    "unchanged": "already up to date",
    "would-create": "would post",
    "would-update": "would edit",
    "would-post": "would post",
    "skipped": "skipped",
    "failed": "failed",
    "deferred": "not done yet",
}


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    names = ("created", "updated", "unchanged", "skipped", "failed", "deferred")
    return {name: sum(1 for o in outcomes if o.action == name) for name in names}


def summary(outcomes: list[Outcome], results: Results, settings: Settings, repo: str, *, dry_run: bool) -> str:
    tally = ", ".join(f"{n} {k}" for k, n in counts(outcomes).items() if n)
    lines = [
        f"### publish-benchmarks: build {md.code(results.build_id)}{' (dry run)' if dry_run else ''}",
        "",
        f"{len(outcomes)} pull requests: {tally or 'nothing to do'}.",
        "",
        "| PR | qna.yaml files | rows with data | result |",
        "| ---: | ---: | ---: | --- |",
    ]
    for o in outcomes:
        link = f"{runner.server_url()}/{repo}/pull/{o.number}"
        if o.comment_id:
            link += f"#issuecomment-{o.comment_id}"
        result = ICONS[o.action] + (f": {md.escape(md.cut(o.reason, 200))}" if o.reason else "")
        lines.append(f"| [#{o.number}]({link}) | {o.files} | {o.rows} | {result} |")
    lines += ["", "#### General scores", "", report.general_table(results, settings)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ inputs
def _results(path: str | None, event: dict[str, Any], build_id: str | None, build_url: str | None) -> Results:
    from labeler.publish_benchmarks import read, structured

    if event.get("results") is not None:
        read.check_overrides(build_id, build_url)
        text = json.dumps(event["results"], indent=2)
        return structured.parse(text, "client_payload.results", build_id=build_id, build_url=build_url)
    if not path:
        raise UserError("no results: pass " + setting("--results FILE (LABELER_RESULTS)", "results"))
    return read.load(path, build_id=build_id, build_url=build_url)


def _github(repo: str | None, dry_run: bool, offline_ok: bool) -> GitHub | None:
    """A dry run whose PRs and files are all given (--pr-files) needs no token and makes no request."""
    if dry_run and offline_ok and not os.environ.get("GITHUB_TOKEN"):
        return None
    from labeler import gh

    return gh.open_repo(repo)


# ------------------------------------------------------------------------------ command
ENV_HELP = """
\b
Environment besides each option's own: GITHUB_TOKEN, GITHUB_API_URL, GITHUB_SERVER_URL,
LABELER_BOT_LOGIN, LABELER_GITHUB_PACE (seconds between writes; 0 = no pacing, for tests).
"""


@click.command("publish-benchmarks", epilog=ENV_HELP)
@click.option(
    "--results",
    "results_path",
    envvar="LABELER_RESULTS",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Results file: .json/.yaml (benchmark_results.schema.json) or an `ilab model evaluate` text report.",
)
@click.option(
    "--build-id",
    envvar="LABELER_BUILD_ID",
    show_envvar=True,
    help="Build id (required for a text report; overrides the file's).",
)
@click.option(
    "--build-url", envvar="LABELER_BUILD_URL", show_envvar=True, help="Link to the build (overrides the file's)."
)
@click.option("--prs", envvar="LABELER_PRS", show_envvar=True, help="PR numbers: 12,15 or 20-24.")
@click.option(
    "--pr-files",
    envvar="LABELER_PR_FILES",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="JSON/YAML map PR -> changed files; skips listing files (with --dry-run: no token needed).",
)
@click.option("--label", envvar="LABELER_LABEL", show_envvar=True, help="Every merged PR with this label.")
@click.option(
    "--milestone",
    envvar="LABELER_MILESTONE",
    show_envvar=True,
    help="Every merged PR in this milestone (title or number).",
)
@click.option(
    "--from-results/--no-from-results",
    "discover",
    envvar="LABELER_FROM_RESULTS",
    show_envvar=True,
    default=False,
    help="Every merged PR that changed a qna.yaml the results have rows for.",
)
@click.option(
    "--since",
    envvar="LABELER_SINCE",
    show_envvar=True,
    help="With --from-results: only commits after this ISO 8601 time.",
)
@click.option(
    "--from-event/--no-from-event",
    envvar="LABELER_FROM_EVENT",
    show_envvar=True,
    default=False,
    help="Read results and choices from the --event file (a repository_dispatch client_payload).",
)
@options.event
@options.repo()
@options.config("labels.yml with a publish-benchmarks: section (optional).")
@click.option(
    "--noise",
    multiple=True,
    envvar="LABELER_NOISE",
    show_envvar=True,
    help="Noise threshold, e.g. mt-bench-branch=0.3 (repeatable).",
)
@click.option(
    "--chart/--no-chart",
    envvar="LABELER_CHART",
    show_envvar=True,
    default=None,
    help=f"Mermaid chart (default {'on' if default(report.NAME, 'chart') else 'off'}).",
)
@click.option(
    "--max-writes",
    envvar="LABELER_MAX_WRITES",
    show_envvar=True,
    type=click.IntRange(1, 5000),
    help=f"Comments created/edited per run (default {default(report.NAME, 'max-writes')}); the rest wait for a re-run.",
)
@options.dry_run("Print every comment; change nothing.", toggle=True, default=False)
@click.option(
    "--write-results",
    envvar="LABELER_WRITE_RESULTS",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Also write the parsed results as normalised JSON (converts a text report).",
)
def command(
    results_path: str | None,
    build_id: str | None,
    build_url: str | None,
    prs: str | None,
    pr_files: str | None,
    label: str | None,
    milestone: str | None,
    discover: bool,
    since: str | None,
    from_event: bool,
    event_path: str | None,
    repo: str | None,
    config_path: str | None,
    noise: tuple[str, ...],
    chart: bool | None,
    max_writes: int | None,
    dry_run: bool,
    write_results: str | None,
) -> None:
    """Post a model build's before/after benchmark results to every PR in the build."""
    from labeler.publish_benchmarks.select import load_pr_files, parse_prs, select

    event = from_event_payload(event_path) if from_event else {}
    settings, cap = settings_from(config_path, noise, chart, max_writes)
    results = _results(results_path, event, event.get("build_id", build_id), event.get("build_url", build_url))
    if write_results:
        with open(write_results, "w", encoding="utf-8") as f:
            json.dump(results.as_dict(), f, indent=2)
    dry_run = bool(event.get("dry_run", dry_run))
    files = load_pr_files(pr_files) if pr_files else None
    numbers = parse_prs(event.get("prs", prs))
    label, milestone = event.get("label", label), str(event.get("milestone", milestone) or "") or None
    discover, since = bool(event.get("from_results", discover)), event.get("since", since)
    if not (numbers or files or label or milestone or discover):
        raise UserError(choose_prs())
    offline = files is not None and not (label or milestone or discover) and set(numbers) <= set(files)
    gh = _github(repo, dry_run, offline)
    targets = select(
        gh, results, prs=numbers, label=label, milestone=milestone, discover=discover, since=since, pr_files=files
    )
    outcomes = run(gh, results, targets, settings, dry_run=dry_run, max_writes=cap)
    repo_name = gh.repo_name if gh else repo or os.environ.get("GITHUB_REPOSITORY") or "OWNER/REPO"
    _report(outcomes, results, settings, repo_name, dry_run=dry_run)
    failed = [o.number for o in outcomes if o.action == "failed"]
    if failed:  # after the summary, which lists why; a re-run retries them and skips the finished ones
        raise UserError(
            f"{len(failed)} pull request(s) failed ({', '.join(f'#{n}' for n in failed[:20])}): "
            "run the same command again to retry them"
        )


def from_event_payload(path: str | None) -> dict[str, Any]:
    return from_event(runner.event(path))


def _report(outcomes: list[Outcome], results: Results, settings: Settings, repo: str, *, dry_run: bool) -> None:
    for o in outcomes:
        if dry_run and o.body and o.action.startswith("would"):
            title = f"#{o.number}: {ICONS[o.action]}"
            if runner.in_actions():
                with runner.group(title):
                    click.echo(o.body)
            else:
                click.echo(f"===== {title} =====\n{o.body}\n")
        elif not runner.in_actions():
            click.echo(f"#{o.number}: {ICONS[o.action]}{': ' + o.reason if o.reason else ''}", err=True)
    for name, n in counts(outcomes).items():
        runner.set_output(name, str(n))
    runner.set_output("report", json.dumps([o.as_dict() for o in outcomes]))
    runner.summary(summary(outcomes, results, settings, repo, dry_run=dry_run))
    if any(o.action == "deferred" for o in outcomes):
        runner.warning("some pull requests were left for the next run: run the same command again to finish")
