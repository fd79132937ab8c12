"""The steps of `labeler backport-report`: read the range, find what is already backported,
classify (offline rules, or a model with a cache), then write the JSON, the page and the summary."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from labeler import git, runner
from labeler.atomic import atomic_write
from labeler.backport_report import report
from labeler.errors import UserError, setting
from labeler.git import Commit


@dataclass(frozen=True)
class Options:
    repo: str
    since: str | None
    until: str
    stable: tuple[str, ...]
    provider: str
    model: str | None
    prompts: str | None
    rules: str | None
    cache: str | None
    concurrency: int
    html: str | None
    json: str | None
    commit_url: str | None
    issue_url: str | None
    shard: tuple[int, int] | None
    dry_run: bool
    observation_days: float = 14.0  # a wait verdict is ready to pick after this long
    model_scope: str = "all"  # all | unsure: ask the model only below `confident`
    confident: float = 0.9
    pr_labels: str = "auto"  # auto | on | off: read the range's pull request labels from GitHub
    as_of: str | None = None  # the clock of waits (ISO date or time); None = now


_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?|git@|ssh://(?:[^@/]+@)?)([\w.-]+)(?::\d+)?[:/]([\w./-]+?)(?:\.git)?/?$"
)


def web_url(remote: str | None) -> str | None:
    """The web page of a clone's remote: `git@github.com:o/r.git` -> `https://github.com/o/r`."""
    match = _REMOTE.match(remote or "")
    if not match or ".." in match.group(2):
        return None
    return f"https://{match.group(1)}/{match.group(2)}"


def urls(commit_url: str | None, issue_url: str | None, web: str | None = None) -> tuple[str | None, str | None]:
    """Link patterns: given ones (checked), else GITHUB_SERVER_URL/GITHUB_REPOSITORY when known, else
    the clone's remote (`web`)."""
    for name, value, field in (("--commit-url", commit_url, "{sha}"), ("--issue-url", issue_url, "{number}")):
        if value and (not value.startswith(("https://", "http://")) or field not in value):
            raise UserError(f"{name} must be an http(s) URL containing {field}, got {value!r}")
    repo = os.environ.get("GITHUB_REPOSITORY")
    base = f"{runner.server_url()}/{repo}" if repo and repo.count("/") == 1 else web
    return (
        commit_url or (f"{base}/commit/{{sha}}" if base else None),
        issue_url or (f"{base}/issues/{{number}}" if base else None),
    )


@dataclass(frozen=True)
class PullRequests:
    """Which pull request brought each commit of the range, and since when to list labelled ones."""

    by_commit: dict[str, int]
    since: str | None  # ISO 8601 UTC, a day before the range's oldest commit landed


def read_range(opts: Options) -> tuple[dict[str, Any], list[Commit], PullRequests]:
    """The range's metadata, its non-merge commits (oldest first) and the pull requests they came by."""
    from labeler.backport_report import pulls

    git.check_repo(opts.repo)
    until_sha = git.resolve(opts.repo, opts.until, "--until")
    since = opts.since or git.default_since(opts.repo, until_sha)
    since_sha = git.resolve(opts.repo, since, setting("--since", "since", "BACKPORT_SINCE"))
    for ref in opts.stable:
        git.resolve(opts.repo, ref, setting("--stable", "stable", "BACKPORT_STABLE"))
    every = git.log(opts.repo, f"{since_sha}..{until_sha}")
    commits = [c for c in every if not c.is_merge]
    meta = {
        "since": since,
        "until": opts.until,
        "since_sha": since_sha,
        "until_sha": until_sha,
        "stable": list(opts.stable),
        "total": len(commits),
    }
    return (
        meta,
        commits,
        PullRequests(pulls.by_commit(every, until_sha), pulls.listing_since([c.commit_date or c.date for c in every])),
    )


def find_backports(opts: Options, meta: dict[str, Any], commits: Sequence[Commit]) -> dict[str, list[Any]]:
    from labeler.backport_report.backported import find_backports as match

    if not commits or not opts.stable:
        return {}
    since_sha = meta["since_sha"]
    stable = {ref: git.log(opts.repo, f"{since_sha}..{ref}") for ref in opts.stable}
    dev_ids = git.patch_ids(opts.repo, f"{since_sha}..{meta['until_sha']}")
    stable_ids = {ref: git.patch_ids(opts.repo, f"{since_sha}..{ref}") for ref in opts.stable}
    landed = {c.sha: c.commit_date or c.date for ref_commits in stable.values() for c in ref_commits}
    meta["_stable_landed"] = landed  # when each stable commit landed: the learner's clock of picks (popped)
    return match(commits, stable, dev_ids, stable_ids)


def learn_kinds(
    opts: Options,
    meta: dict[str, Any],
    commits: Sequence[Commit],
    verdicts: dict[str, dict[str, Any]],
    backports: dict[str, list[Any]],
) -> dict[str, dict[str, Any]]:
    """Demote the proposing rule kinds this range's maintainers confidently do not follow (as of the
    clock: only picks that had landed on stable by then count)."""
    from labeler.backport_report import learn, ready

    now = ready.parse_as_of(opts.as_of)
    landed = meta.pop("_stable_landed", None) or {}
    seen = [
        learn.Seen(
            c.sha,
            verdicts[c.sha].get("kind", ""),
            verdicts[c.sha]["verdict"],
            _when(c.commit_date or c.date),
            min(filter(None, (_when(landed.get(b.sha, "")) for b in backports.get(c.sha, []))), default=None),
        )
        for c in commits
    ]
    learned = learn.learn(seen, now)
    meta["learned_kinds"] = learn.as_json(learned)
    meta["learned_summary"] = learn.summary(learned)
    return learn.demote(verdicts, seen, learned, now)


def _when(text: str) -> Any:
    from labeler.backport_report import ready

    try:
        return ready.parse_as_of(text) if text else None
    except UserError:
        return None


def plan(
    opts: Options, meta: dict[str, Any], commits: Sequence[Commit], asked: Sequence[Commit], notes: dict[str, str]
) -> str:
    """What a run would do (--dry-run): nothing is called or written."""
    line = f"range {meta['since']}..{meta['until']}: {meta['total']} commits (merges skipped)"
    lines = [line + (f", {len(commits)} in shard {meta['shard']}" if opts.shard else "")]
    if opts.provider != "rules":
        from labeler.backport_report import classify, providers
        from labeler.backport_report.cache import VerdictCache
        from labeler.llm import DEFAULT_MODELS

        prompts = classify.load_prompts(opts.prompts, *providers.versions(opts, meta["since"]))
        cache = VerdictCache.load(opts.cache)
        name = opts.model or DEFAULT_MODELS[opts.provider]
        model = type("Named", (), {"provider": opts.provider, "name": name})()
        hits = sum(cache.get(classify.answer_key(c, model, prompts, notes.get(c.sha, ""))) is not None for c in asked)
        scope = (
            f" ({len(asked)} of {len(commits)} below confidence {opts.confident:g})"
            if opts.model_scope == "unsure"
            else ""
        )
        lines.append(f"{opts.provider} ({name}): {hits} cached, {len(asked) - hits} model calls needed{scope}")
    return "\n".join(lines)


def run(opts: Options) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    urls(opts.commit_url, opts.issue_url)  # a bad pattern fails before minutes of model calls
    meta, commits, prs = read_range(opts)
    mine = [c for c in commits if report.in_shard(c.sha, opts.shard)]
    meta["shard"] = f"{opts.shard[0]}/{opts.shard[1]}" if opts.shard else None
    from labeler.backport_report import providers, ready
    from labeler.backport_report.refs import Item
    from labeler.backport_report.relations import relate

    backports = find_backports(opts, meta, commits)
    meta.setdefault("_stable_landed", {})
    items = [Item(c.sha, c.subject, c.message) for c in commits]
    rel = relate(items)
    config = providers.rules_config(opts, meta)  # the rules file, read once: its labels and its rules
    facts = providers.gather_facts(opts, meta, backports, rel, prs, config)
    # Rules look across the whole range (prerequisites named later), so they see every commit; a
    # model starts from their verdicts (and may be asked only where they are not confident).
    verdicts = providers.classify_rules(opts, meta, items, facts, rel, config)
    if opts.dry_run:
        meta.pop("_stable_landed")
        click.echo(plan(opts, meta, mine, *providers.model_work(opts, mine, verdicts, facts, rel)))
        return meta, []
    if opts.provider != "rules":
        verdicts = providers.classify_model(opts, meta, mine, verdicts, facts, rel)
    verdicts = learn_kinds(opts, meta, commits, verdicts, backports)
    now = ready.parse_as_of(opts.as_of)
    meta["as_of"] = now.isoformat(timespec="seconds")
    seqs = {c.sha: i for i, c in enumerate(commits, 1)}
    records = [
        report.record(
            seqs[c.sha],
            c,
            ready.ripen(verdicts[c.sha], c.commit_date or c.date, now, opts.observation_days),
            backports.get(c.sha, []),
            providers.links(c.sha, rel, facts),
        )
        for c in mine
    ]
    return _finish(opts, meta, records, commits)


def _finish(
    opts: Options, meta: dict[str, Any], records: list[dict[str, Any]], commits: Sequence[Commit]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Pulled-in commits follow their picks, links get the remote, the picks get the apply check."""
    from labeler.backport_report import picklist

    picklist.settle(records)
    meta["web_url"] = web_url(git.remote_url(opts.repo))
    if opts.shard is None:  # a shard's picks are not the pick list: the merged report has no apply check
        check_apply(opts, meta, records, {c.sha: c.parents[0] for c in commits if c.parents})
    meta["generated"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return meta, records


def check_apply(opts: Options, meta: dict[str, Any], records: list[dict[str, Any]], parents: dict[str, str]) -> None:
    """Cherry-pick the pick list onto the first stable branch (scratch objects only), or take the
    results from the cache when neither the branch nor the list changed."""
    from labeler.backport_report import applycheck, picklist
    from labeler.backport_report.cache import VerdictCache

    pick, _ = picklist.pick_lists(records)
    head = git.resolve(opts.repo, opts.stable[0], setting("--stable", "stable", "BACKPORT_STABLE"))
    key = applycheck.cache_key(head, pick)
    cache = VerdictCache.load(opts.cache) if opts.cache else None
    results = cache.apply.get(key) if cache else None
    meta["apply"] = {"stable": opts.stable[0], "stable_sha": head, "picks": len(pick), "cached": results is not None}
    if results is None:
        needs = {r["sha"]: picklist.needs(r) for r in records}
        started = time.monotonic()
        results = applycheck.check(opts.repo, head, pick, parents, needs)
        meta["apply"]["seconds"] = round(time.monotonic() - started, 2)
        if cache is not None:
            cache.put_apply(key, results)
            cache.flush()
    for rec in records:
        rec["apply"] = results.get(rec["sha"])


def publish(opts: Options, meta: dict[str, Any], records: list[dict[str, Any]]) -> None:
    from labeler.backport_report import render

    commit_url, issue_url = urls(opts.commit_url, opts.issue_url, meta.get("web_url"))
    if opts.json:
        _write(opts.json, "the report", lambda: report.write(opts.json or "", meta, records))
        runner.set_output("json", opts.json)
    if opts.html:
        page = render_page(meta, records, commit_url, issue_url)
        _write(opts.html, "the page", lambda: atomic_write(opts.html or "", page))
        runner.set_output("html", opts.html)
    table = report.counts(records)
    for verdict in report.VERDICTS:
        runner.set_output(verdict, str(table[verdict]["new"]))
    runner.summary(render.render_summary(meta, records, commit_url=commit_url))
    if meta.get("learned_summary"):
        click.echo(meta["learned_summary"])
    click.echo(", ".join(f"{v}: {table[v]['new']} (+{table[v]['backported']} backported)" for v in report.VERDICTS))


def render_page(
    meta: dict[str, Any], records: list[dict[str, Any]], commit_url: str | None, issue_url: str | None
) -> str:
    try:
        import jinja2  # noqa: F401 -- only to give a helpful message when the extra is missing
    except ImportError:
        raise UserError(f"{setting('--html', 'html')} needs Jinja2: pip install 'labeler[html]'") from None
    from labeler.backport_report import render

    return render.render_html(meta, records, commit_url=commit_url, issue_url=issue_url)


def _write(path: str, what: str, write: Callable[[], None]) -> None:
    try:
        write()
    except OSError as e:
        raise UserError(f"cannot write {what}: {e.strerror}", file=path) from None
