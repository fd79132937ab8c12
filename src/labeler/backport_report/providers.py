"""Who decides: the repository's facts gathered once (git at the edge), the rules provider over the
whole range, and a model for all commits or only those the rules are not confident about."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from labeler import git, runner
from labeler.backport_report import confidence
from labeler.backport_report.facts import Facts, note
from labeler.limits import FREE_CONCURRENCY


def gather_facts(
    opts: Any, meta: dict[str, Any], backports: dict[str, list[Any]], rel: Any, prs: Any, config: Any
) -> Facts:
    """Touched paths, the stable branches' trees, what is already on stable, quoted older commits,
    the pull request each commit came by and that PR's backport labels."""
    from labeler.backport_report import pr_labels

    tree = frozenset().union(*(git.tree_paths(opts.repo, ref) for ref in opts.stable)) if opts.stable else None
    quoted = sorted({a for ids in rel.fixes_outside.values() for a in ids})
    outside = {
        abbrev: any(git.is_ancestor(opts.repo, sha, ref) for ref in opts.stable)
        for abbrev, sha in git.resolve_ids(opts.repo, quoted).items()
    }
    by_pull = prs.by_commit
    labels = pr_labels.read(opts.pr_labels, set(by_pull.values()), config.label_rules(), prs.since)
    if by_pull:
        meta["pull_requests"] = {"mapped": len(by_pull), "labelled": sum(n in labels for n in by_pull.values())}
    return Facts(
        files=git.touched_files(opts.repo, f"{meta['since_sha']}..{meta['until_sha']}"),
        stable_tree=tree,
        on_stable=frozenset(backports),
        outside=outside,
        stable_name=" / ".join(opts.stable) or "stable",
        pulls=by_pull,
        pr_labels=labels,
    )


def rules_config(opts: Any, meta: dict[str, Any]) -> Any:
    """The rules file with the versions and branches of the command line filled in."""
    from labeler.backport_report import pulls
    from labeler.backport_report import rules_config as rc

    return rc.load(opts.rules).with_versions(
        *versions(opts, meta["since"]), tuple(pulls.branch_name(ref) for ref in opts.stable)
    )


def _table(config: Any) -> dict[str, float]:
    return {**confidence.TABLE, **config.confidence}


def classify_rules(
    opts: Any, meta: dict[str, Any], items: Sequence[Any], facts: Facts, rel: Any, config: Any
) -> dict[str, dict[str, Any]]:
    from labeler.backport_report import fate

    decisions, _ = fate.classify(items, config, facts, rel)
    meta.update(provider="rules", model=f"rules:{config.digest}", rules=config.source)
    table = _table(config)
    meta["confidence_table"] = table
    return {
        i.sha: verdict(d.verdict, d.reason, f"{d.source}:{d.verdict}", table)
        | ({"pulled_by": d.depends_on, "own_verdict": d.own} if d.own else {})
        for i, d in zip(items, decisions, strict=True)
    }


def verdict(value: str, reason: str, kind: str, table: dict[str, float]) -> dict[str, Any]:
    return {"verdict": value, "reason": reason, "kind": kind, "confidence": confidence.confidence(kind, table)}


def versions(opts: Any, since: str) -> tuple[str | None, tuple[str, ...]]:
    stable = tuple(dict.fromkeys(v for v in (git.version_of(ref) for ref in opts.stable) if v))
    return git.version_of(since), stable


def classify_model(
    opts: Any, meta: dict[str, Any], commits: Sequence[Any], base: dict[str, dict[str, Any]], facts: Facts, rel: Any
) -> dict[str, dict[str, Any]]:
    """The model's verdicts for `commits` (only the unsure ones with `model_scope` unsure); the
    others keep the rules' verdict. The prompt carries the repository's facts."""
    from labeler.backport_report import classify, prompt_examples
    from labeler.backport_report.cache import VerdictCache

    asked, notes = model_work(opts, commits, base, facts, rel)
    examples = prompt_examples.render(commits, facts.on_stable)
    prompts = classify.load_prompts(opts.prompts, *versions(opts, meta["since"]), examples)
    model = _lazy_model(opts)
    started = time.monotonic()
    stats = classify.classify(
        asked,
        model,
        prompts,
        VerdictCache.load(opts.cache),
        concurrency=min(opts.concurrency, FREE_CONCURRENCY) if opts.provider == "github-models" else opts.concurrency,
        progress=_progress,
        notes=notes,
    )
    meta.update(
        provider=opts.provider,
        model=model.name,
        prompt_hash=prompts.digest,
        prompt_version=prompts.version,
        model_calls=stats.calls,
        cached=stats.cached,
        failed=stats.failed,
        model_scope=opts.model_scope,
        asked_model=len(asked),
        seconds=round(time.monotonic() - started, 1),
        call_seconds=stats.call_seconds,
    )
    free_limits(opts, meta, model, stats)
    return merged(base, stats.results, meta.get("confidence_table", confidence.TABLE))


def merged(
    base: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]], table: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """The rules' verdicts with the model's over them."""
    out = dict(base)
    for sha, result in results.items():
        if result.get("unavailable"):
            continue  # GitHub Models stopped answering: the rules' verdict stands; the next run asks
        kind = f"model:{result['verdict']}"
        out[sha] = {**result, "kind": kind, "confidence": confidence.confidence(kind, table)}
    return out


def _lazy_model(opts: Any) -> Any:
    """The model, built only when a verdict is not cached (the SDK import costs seconds)."""
    from labeler import llm
    from labeler.backport_report import classify

    name = opts.model or llm.DEFAULT_MODELS.get(opts.provider, "default")
    return classify.LazyModel(opts.provider, name, lambda: llm.get_model(opts.provider, opts.model))


def free_limits(opts: Any, meta: dict[str, Any], model: Any, stats: Any) -> None:
    """GitHub Models: the calls made and left (the report's and the log's), and the commits it did not answer."""
    if opts.provider != "github-models" or not stats.calls:
        return  # nothing asked: the lazy model was never built
    quota = model.quota
    meta["quota"] = quota.left()
    runner.notice(f"backport-report: {meta['quota']}")
    left = [r["reason"] for r in stats.results.values() if r.get("unavailable")]
    if left:
        runner.warning(
            f"{left[0]}: {len(left)} commit(s) keep the rules' verdict this run; the next run asks about them "
            "(answers so far are in the cache)"
        )


def model_work(
    opts: Any, commits: Sequence[Any], base: dict[str, dict[str, Any]], facts: Facts, rel: Any
) -> tuple[list[Any], dict[str, str]]:
    """The commits to ask the model about, and the repository facts each prompt carries."""
    asked = [c for c in commits if opts.model_scope == "all" or base[c.sha]["confidence"] < opts.confident]
    subjects = {c.sha: c.subject for c in commits}
    return asked, {c.sha: note(c.sha, facts, rel, subjects) for c in asked}


_PROGRESS: list[runner.Progress] = []


def _progress(done: int, total: int) -> None:
    """A bar on a terminal, a line every few seconds in Actions logs (one Progress per classify run)."""
    if not _PROGRESS or done < _PROGRESS[-1].done:
        _PROGRESS.append(runner.Progress("classified", total))
    _PROGRESS[-1].update(done, total)


def links(sha: str, rel: Any, facts: Facts) -> dict[str, Any]:
    """The JSON's dependency fields for one commit."""
    return {
        "depends_on": rel.depends_on.get(sha, []),
        "needed_by": rel.needed_by.get(sha, []),
        "fixes": [{"sha": s, "on_stable": s in facts.on_stable} for s in rel.fixes.get(sha, [])]
        + [{"sha": a, "on_stable": facts.outside_on_stable(a)} for a in rel.fixes_outside.get(sha, [])],
        "fixed_by": rel.fixed_by.get(sha, []),
        "pull_request": facts.pulls.get(sha),
    }
