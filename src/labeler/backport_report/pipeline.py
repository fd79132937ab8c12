"""The steps of `labeler backport-report`: read the range, find what is already backported,
classify (offline rules, or a model with a cache), then write the JSON, the page and the summary."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from labeler import git, runner
from labeler.backport_report import report
from labeler.backport_report.cache import atomic_write
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


def urls(commit_url: str | None, issue_url: str | None) -> tuple[str | None, str | None]:
    """Link patterns: given ones (checked), else GITHUB_SERVER_URL/GITHUB_REPOSITORY when known."""
    for name, value, field in (("--commit-url", commit_url, "{sha}"), ("--issue-url", issue_url, "{number}")):
        if value and (not value.startswith(("https://", "http://")) or field not in value):
            raise UserError(f"{name} must be an http(s) URL containing {field}, got {value!r}")
    repo = os.environ.get("GITHUB_REPOSITORY")
    base = f"{runner.server_url()}/{repo}" if repo and repo.count("/") == 1 else None
    return (commit_url or (f"{base}/commit/{{sha}}" if base else None),
            issue_url or (f"{base}/issues/{{number}}" if base else None))


def read_range(opts: Options) -> tuple[dict[str, Any], list[Commit]]:
    git.check_repo(opts.repo)
    until_sha = git.resolve(opts.repo, opts.until, "--until")
    since = opts.since or git.default_since(opts.repo, until_sha)
    since_sha = git.resolve(opts.repo, since, setting("--since", "since", "BACKPORT_SINCE"))
    for ref in opts.stable:
        git.resolve(opts.repo, ref, setting("--stable", "stable", "BACKPORT_STABLE"))
    commits = [c for c in git.log(opts.repo, f"{since_sha}..{until_sha}") if not c.is_merge]
    meta = {"since": since, "until": opts.until, "since_sha": since_sha, "until_sha": until_sha,
            "stable": list(opts.stable), "total": len(commits)}
    return meta, commits


def find_backports(opts: Options, meta: dict[str, Any], commits: Sequence[Commit]) -> dict[str, list[Any]]:
    from labeler.backport_report.backported import find_backports as match

    if not commits or not opts.stable:
        return {}
    since_sha = meta["since_sha"]
    stable = {ref: git.log(opts.repo, f"{since_sha}..{ref}") for ref in opts.stable}
    dev_ids = git.patch_ids(opts.repo, f"{since_sha}..{meta['until_sha']}")
    stable_ids = {ref: git.patch_ids(opts.repo, f"{since_sha}..{ref}") for ref in opts.stable}
    return match(commits, stable, dev_ids, stable_ids)


def versions(opts: Options, since: str) -> tuple[str | None, tuple[str, ...]]:
    stable = tuple(dict.fromkeys(v for v in (git.version_of(ref) for ref in opts.stable) if v))
    return git.version_of(since), stable


def classify_rules(opts: Options, meta: dict[str, Any], commits: Sequence[Commit]) -> dict[str, dict[str, Any]]:
    from labeler.backport_report import rules, rules_config

    config = rules_config.load(opts.rules).with_versions(*versions(opts, meta["since"]))
    items = [rules.Item(c.sha, c.subject, c.message) for c in commits]
    decisions = rules.classify_all(items, config)
    meta.update(provider="rules", model=f"rules:{config.digest}", rules=config.source)
    return {c.sha: {"verdict": d.verdict, "reason": d.reason} for c, d in zip(commits, decisions, strict=True)}


def classify_model(opts: Options, meta: dict[str, Any], commits: Sequence[Commit]) -> dict[str, dict[str, Any]]:
    from labeler import llm
    from labeler.backport_report import classify
    from labeler.backport_report.cache import VerdictCache

    dev, stable = versions(opts, meta["since"])
    prompts = classify.load_prompts(opts.prompts, dev, stable)
    model = llm.get_model(opts.provider, opts.model)
    cache = VerdictCache.load(opts.cache)
    started = time.monotonic()
    stats = classify.classify(commits, model, prompts, cache, concurrency=opts.concurrency, progress=_progress)
    meta.update(provider=opts.provider, model=model.name, prompt_hash=prompts.digest, prompt_version=prompts.version,
                model_calls=stats.calls, cached=stats.cached, failed=stats.failed,
                seconds=round(time.monotonic() - started, 1))
    return stats.results


_PROGRESS: list[runner.Progress] = []


def _progress(done: int, total: int) -> None:
    if not _PROGRESS or done < _PROGRESS[-1].done:
        _PROGRESS.append(runner.Progress("classified", total))
    _PROGRESS[-1].update(done, total)


def plan(opts: Options, meta: dict[str, Any], commits: Sequence[Commit]) -> str:
    """What a run would do (--dry-run): nothing is called or written."""
    line = f"range {meta['since']}..{meta['until']}: {meta['total']} commits (merges skipped)"
    lines = [line + (f", {len(commits)} in shard {meta['shard']}" if opts.shard else "")]
    if opts.provider != "rules":
        from labeler.backport_report import classify
        from labeler.backport_report.cache import VerdictCache, key
        from labeler.llm import DEFAULT_MODELS

        dev, stable = versions(opts, meta["since"])
        prompts = classify.load_prompts(opts.prompts, dev, stable)
        cache = VerdictCache.load(opts.cache)
        name = opts.model or DEFAULT_MODELS[opts.provider]
        hits = sum(cache.get(key(c.sha, opts.provider, name, prompts.digest)) is not None for c in commits)
        lines.append(f"{opts.provider} ({name}): {hits} cached, {len(commits) - hits} model calls needed")
    return "\n".join(lines)


def run(opts: Options) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    urls(opts.commit_url, opts.issue_url)  # a bad pattern fails before minutes of model calls
    meta, commits = read_range(opts)
    mine = [c for c in commits if report.in_shard(c.sha, opts.shard)]
    meta["shard"] = f"{opts.shard[0]}/{opts.shard[1]}" if opts.shard else None
    if opts.dry_run:
        click.echo(plan(opts, meta, mine))
        return meta, []
    backports = find_backports(opts, meta, commits)
    # Rules look across the whole range (prerequisites named later), so they see every commit.
    verdicts = classify_rules(opts, meta, commits) if opts.provider == "rules" else \
        classify_model(opts, meta, mine)
    seqs = {c.sha: i for i, c in enumerate(commits, 1)}
    records = [report.record(seqs[c.sha], c, verdicts[c.sha], backports.get(c.sha, [])) for c in mine]
    meta["generated"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return meta, records


def publish(opts: Options, meta: dict[str, Any], records: list[dict[str, Any]]) -> None:
    from labeler.backport_report import render

    commit_url, issue_url = urls(opts.commit_url, opts.issue_url)
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
    click.echo(", ".join(f"{v}: {table[v]['new']} (+{table[v]['backported']} backported)" for v in report.VERDICTS))


def render_page(meta: dict[str, Any], records: list[dict[str, Any]], commit_url: str | None,
                issue_url: str | None) -> str:
    try:
        import jinja2  # noqa: F401 -- only to give a helpful message when the extra is missing
    except ImportError:
        raise UserError("--html needs Jinja2: pip install 'labeler[html]'") from None
    from labeler.backport_report import render

    return render.render_html(meta, records, commit_url=commit_url, issue_url=issue_url)


def _write(path: str, what: str, write: Callable[[], None]) -> None:
    try:
        write()
    except OSError as e:
        raise UserError(f"cannot write {what}: {e.strerror}", file=path) from None
