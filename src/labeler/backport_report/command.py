"""`labeler backport-report`: a verdict (yes / wait / uncertain / no) and a reason for every commit
of a development range, on a review page where a stable maintainer adjusts them and copies
`git cherry-pick -sx` lists (HAProxy's patchbot, as an Action)."""

from __future__ import annotations

from typing import Any

import click

from labeler import options
from labeler.errors import UserError, setting

EPILOG = """\b
Sharding a long range over a job matrix:
  labeler backport-report ... --shard 1/4 --json part-1.json   (one job per shard)
  labeler backport-report --merge part-1.json --merge part-2.json ... --html page.html
"""


def _env(name: str) -> str:
    return f"LABELER_{name}"


@click.command(epilog=EPILOG)
@click.option(
    "--git-dir",
    "repo",
    default=".",
    show_default=True,
    envvar=_env("REPO"),
    show_envvar=True,
    type=click.Path(file_okay=False),
    callback=options.aliased("repo"),
    help="Local clone with full history (and the stable branches).",
)
@options.deprecated("--repo", "--git-dir", "repo")
@click.option(
    "--since",
    envvar=_env("SINCE"),
    show_envvar=True,
    help="Start of the range (exclusive). Default: the newest *-dev0 tag reachable from --until.",
)
@click.option(
    "--until",
    default="HEAD",
    show_default=True,
    envvar=_env("UNTIL"),
    show_envvar=True,
    help="End of the range (inclusive).",
)
@click.option(
    "--stable",
    multiple=True,
    envvar=_env("STABLE"),
    show_envvar=True,
    help="A stable branch to look for backports in; repeatable (env: space-separated).",
)
@click.option(
    "--provider",
    type=click.Choice(["rules", "anthropic", "openai", "github-models"]),
    default="rules",
    show_default=True,
    envvar=_env("PROVIDER"),
    show_envvar=True,
    help="Who decides: offline rules, or a model (github-models: GitHub Models with GITHUB_TOKEN, "
    "`permissions: models: read`, LABELER_MODELS_URL).",
)
@options.model("Model name for anthropic/openai.")
@click.option(
    "--prompts",
    envvar=_env("PROMPTS"),
    show_envvar=True,
    type=click.Path(file_okay=False),
    help="Directory with backport_report_prefix.md and backport_report_suffix.md.",
)
@click.option(
    "--rules",
    "rules_file",
    envvar=_env("RULES"),
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="YAML/JSON settings of the rules provider (schema: labeler/schemas/backport_rules.schema.json).",
)
@click.option(
    "--cache",
    envvar=_env("CACHE"),
    show_envvar=True,
    type=click.Path(),
    help="Verdict cache file, kept between runs: only new commits cost a model call.",
)
@click.option(
    "--check-cache",
    is_flag=True,
    help="Only check the --cache file: a bad one is moved aside (so a workflow saves nothing); exit 0.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    envvar=_env("CONCURRENCY"),
    show_envvar=True,
    help="Model calls in flight at once.",
)
@click.option(
    "--model-scope",
    type=click.Choice(["all", "unsure"]),
    envvar=_env("MODEL_SCOPE"),
    show_envvar=True,
    help="Ask the model about every commit, or only where the rules' confidence is below --confident. "
    "[default: unsure with github-models, whose free limits allow tens of calls a day; else all]",
)
@click.option(
    "--confident",
    type=click.FloatRange(0, 1),
    envvar=_env("CONFIDENT"),
    show_envvar=True,
    help="With --model-scope unsure: rule verdicts at least this confident are kept. [default: 0.8 with "
    "github-models, a few percent of a cycle's commits (docs/backport-report.md); else 0.9]",
)
@click.option(
    "--observation-days",
    type=click.FloatRange(0),
    default=14.0,
    show_default=True,
    envvar=_env("OBSERVATION_DAYS"),
    show_envvar=True,
    help="A wait verdict is shown as ready to pick once the commit is this many days old.",
)
@click.option(
    "--pr-labels",
    type=click.Choice(["auto", "on", "off"]),
    default="auto",
    show_default=True,
    envvar=_env("PR_LABELS"),
    show_envvar=True,
    help="Read the labels of the pull requests that brought the commits (rules file `pr_labels`) from GitHub "
    "(GITHUB_TOKEN, GITHUB_REPOSITORY): auto = when a token is set, a failure only warns; on = a failure "
    "fails the job; off = never.",
)
@click.option(
    "--html", envvar=_env("HTML"), show_envvar=True, type=click.Path(dir_okay=False), help="Write the review page here."
)
@click.option(
    "--json",
    "json_file",
    envvar=_env("JSON"),
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Write one record per commit here.",
)
@click.option(
    "--commit-url",
    envvar=_env("COMMIT_URL"),
    show_envvar=True,
    help="Commit link pattern with {sha}. Default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/commit/{sha}.",
)
@click.option(
    "--issue-url",
    envvar=_env("ISSUE_URL"),
    show_envvar=True,
    help="Issue link pattern with {number}, for #123 in reasons. Default: the repository's issues.",
)
@click.option("--shard", envvar=_env("SHARD"), show_envvar=True, help="Classify only shard i of n (i/n).")
@click.option(
    "--merge",
    "merge_files",
    multiple=True,
    envvar=_env("MERGE"),
    show_envvar=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Merge shard JSON files (repeatable) into one report; no git access.",
)
@options.dry_run("Show the range and how many model calls a run needs; call nothing, write nothing.")
@click.option(
    "--as-of",
    envvar=_env("AS_OF"),
    show_envvar=True,
    help="The date (or ISO 8601 time) the waits are counted to, to review a past cycle as it stood. Default: now.",
)
def command(**kwargs: Any) -> None:
    """Classify every commit of a development range for backporting and write a review page."""
    from labeler.backport_report import pipeline, report

    ctx = click.get_current_context()
    for line in unused(kwargs, _given(kwargs), {p.name or "": p.opts[0] for p in ctx.command.params if p.opts}):
        from labeler import runner

        runner.warning(line)

    if kwargs["check_cache"]:
        if not kwargs["cache"]:
            raise UserError(
                "the verdict cache check (--check-cache) needs "
                + setting("--cache FILE (or LABELER_CACHE)", "backport-cache")
            )
        from labeler import persist
        from labeler.backport_report import cache

        persist.check_file(kwargs["cache"], cache.WHAT, cache.check)
        return
    if kwargs["merge_files"]:
        meta, records = report.merge([(p, *report.read(p)) for p in kwargs["merge_files"]])
        pipeline.publish(_options(kwargs, merged=True), meta, records)
        return
    opts = _options(kwargs)
    meta, records = pipeline.run(opts)
    if not opts.dry_run:
        pipeline.publish(opts, meta, records)


def _options(kw: dict[str, Any], merged: bool = False) -> Any:
    from labeler.backport_report import pipeline, report

    if not merged and not kw["stable"]:
        raise UserError(
            "name at least one stable branch: "
            + setting("--stable REF (or LABELER_STABLE)", "stable", "BACKPORT_STABLE")
        )
    if not merged and not (kw["html"] or kw["json_file"] or kw["dry_run"]):
        raise UserError(
            f"nothing to write: set {setting('--html FILE', 'html')} and/or {setting('--json FILE', 'json')} "
            f"(or {setting('--dry-run', 'dry-run')})"
        )
    if kw["provider"] == "rules" and (kw["model"] or kw["prompts"]):
        raise UserError(
            f"{setting('--model', 'model', 'LABELER_MODEL')} and {setting('--prompts', 'prompts')} need "
            f"{setting('--provider', 'provider', 'BACKPORT_PROVIDER')} anthropic, openai or github-models "
            f"(the rules provider uses {setting('--rules', 'rules')})"
        )
    return pipeline.Options(
        repo=kw["repo"],
        since=kw["since"] or None,
        until=kw["until"],
        stable=tuple(s for item in kw["stable"] for s in item.split()),
        provider=kw["provider"],
        model=kw["model"] or None,
        prompts=kw["prompts"] or None,
        rules=kw["rules_file"] or None,
        cache=kw["cache"] or None,
        concurrency=kw["concurrency"],
        html=kw["html"] or None,
        json=kw["json_file"] or None,
        commit_url=kw["commit_url"] or None,
        issue_url=kw["issue_url"] or None,
        shard=report.parse_shard(kw["shard"]) if kw["shard"] else None,
        dry_run=kw["dry_run"],
        as_of=kw["as_of"] or None,
        **{k: kw[k] for k in ("observation_days", "pr_labels")},
        **free_tier(kw),
    )


def free_tier(kw: dict[str, Any]) -> dict[str, Any]:
    """GitHub Models' free limits allow tens of calls a day: with it only the commits the rules are unsure
    about are asked, below a lower cut (docs/backport-report.md measures both)."""
    free = kw["provider"] == "github-models"
    scope = kw["model_scope"] or ("unsure" if free else "all")
    cut = kw["confident"] if kw["confident"] is not None else (0.8 if free else 0.9)
    return {"model_scope": scope, "confident": cut}


_MODEL_ONLY = ("concurrency", "model_scope", "confident")
_GIT_ONLY = ("repo", "since", "until", "stable", "provider", "model", "prompts", "rules_file", "cache")
_RUN_ONLY = (*_GIT_ONLY, *_MODEL_ONLY, "observation_days", "pr_labels", "shard", "as_of")


def _given(kw: dict[str, Any]) -> set[str]:
    """The options set on the command line or through the environment to something other than their
    default (an action passes every input, defaults included)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return set()
    defaults = {p.name: p.default for p in ctx.command.params}
    return {
        name
        for name in kw
        if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
        and kw[name] not in ((), None, defaults.get(name))
    }


def unused(kw: dict[str, Any], given: set[str], flags: dict[str, str] | None = None) -> list[str]:
    """One line per option that does nothing in the mode this run is in (`flags`: name -> its spelling)."""

    def flag(name: str) -> str:
        return (flags or {}).get(name) or "--" + name.removesuffix("_file").replace("_", "-")

    if kw.get("check_cache"):
        ignored, mode = sorted(given - {"check_cache", "cache"}), "with --check-cache (it only checks --cache)"
    elif kw.get("merge_files"):
        ignored, mode = [n for n in _RUN_ONLY if n in given], "with --merge (shard reports are merged, git is not read)"
    elif kw.get("provider", "rules") == "rules":
        ignored, mode = [n for n in _MODEL_ONLY if n in given], "with --provider rules (it applies to model calls)"
    else:
        ignored, mode = [], ""
    if kw.get("dry_run") and not kw.get("merge_files") and not kw.get("check_cache"):
        lines = [
            f"{flag(n)} does nothing with --dry-run (nothing is written)" for n in ("html", "json_file") if n in given
        ]
    else:
        lines = []
    return [f"{flag(n)} does nothing {mode}" for n in ignored] + lines
