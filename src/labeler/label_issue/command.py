"""label-issue: label an issue with labels from labels.yml, then leave one audit comment.

Four modes, one function each: an event (or --issue N), --replay over past issues, --backlog of open
issues, --check-cache. One issue goes through steps.run: read, decide, ask and plan, apply; then report.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import click

from labeler import config as config_mod
from labeler import md, options, persist, runner
from labeler.errors import UserError
from labeler.label_issue import audit, backlog, event, keyless, labeling, learned, providers, site, steps
from labeler.label_issue import budget as budget_mod
from labeler.label_issue import replay_command as replay_cmd
from labeler.label_issue.labeling import MARKER, Plan, Settings, Trigger


def report(result: Plan | None, trigger: Trigger) -> None:
    if result is None:
        runner.set_output("labels", "[]")
        runner.set_output("plan", json.dumps({"skipped": trigger.reason}))
        runner.summary(f"### label-issue\n\nNothing to do: {md.escape(trigger.reason)}\n")
        return
    names = list(result.apply) if result.apply else [p.name for p in result.picks if p.clears] if result.dry_run else []
    runner.set_output("labels", json.dumps(names))
    runner.set_output("plan", json.dumps(result.as_dict()))
    runner.summary(f"### label-issue #{result.issue}\n\n" + audit.render(result).replace(MARKER + "\n", ""))


def settings_from(cfg: config_mod.Config, **flags: Any) -> Settings:
    """Flags and env vars win over the label-issue section of labels.yml, which wins over defaults."""
    settings = config_mod.section_settings(cfg, labeling.NAME, Settings, flags)
    for key in ("abstain_label", "provenance_label"):
        name = getattr(settings, key)
        if name and cfg.canonical(name) is None:
            raise UserError(
                f"label-issue.{key.replace('_', '-')}: {name!r} is not a label in labels.yml", file=cfg.path
            )
    return settings


@dataclass(frozen=True)
class Args:
    """The command line, as given (None: not set)."""

    event_path: str | None
    event_name: str | None
    number: int | None
    repo: str | None
    config_path: str | None
    provider: str | None
    model: str | None
    github_models: bool
    models_url: str | None
    model_path: str | None
    learn_from: str | None
    model_max_age: float
    learn_max_issues: int
    learn_budget: float
    history_db: str | None
    dry_run: bool | None
    min_confidence: float | None
    max_labels: int | None
    stage: str | None
    replay_path: str | None
    target_precision: float
    json_path: str | None
    limit: int | None
    sample: int | None
    cache_path: str
    check_cache: bool
    backlog: bool
    max_issues: int
    max_model_calls: int | None

    def provider_for(
        self, history_db: str | None, *, learn: bool, fallback: keyless.Fallback | None = None
    ) -> providers.Provider:
        return providers.resolve_provider(
            self.provider,
            self.model,
            self.model_path,
            history_db,
            learn=learn,
            github_models=self.github_models,
            models_url=self.models_url,
            fallback=fallback,
        )

    def learning(self) -> learned.Options:
        return learned.Options(
            self.model_path or learned.DEFAULT_MODEL_PATH,
            self.model_max_age,
            self.learn_max_issues,
            self.learn_budget,
            target=self.target_precision,
            history_file=self.learn_from,
        )

    def settings(self, cfg: config_mod.Config, dry_run: bool | None) -> Settings:
        return settings_from(
            cfg, dry_run=dry_run, min_confidence=self.min_confidence, max_labels=self.max_labels, stage=self.stage
        )


ENV_HELP = """
\b
Environment besides each option's own: GITHUB_TOKEN, GITHUB_API_URL, GITHUB_SERVER_URL, LABELER_BOT_LOGIN;
ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL; LABELER_MODEL_TIMEOUT (seconds, default 60);
LABELER_RETRY_AFTER_CAP (the longest wait for a rate limit, seconds, default 30).
"""


@click.command("label-issue", epilog=ENV_HELP)
@options.event
@options.event_name("issues, issue_comment or workflow_dispatch.")
@options.issue("Label this issue (read through the API) instead of the event's.")
@options.repo()
@options.config("labels.yml (default .github/labels.yml, labels.yml).")
@options.provider(
    "anthropic, openai, github-models, learned, keywords or local (default: by the key set, else github-models "
    "with --github-models, else learned)."
)
@options.model("Model name for the provider.")
@options.github_models()
@options.models_url()
@options.model_path(
    f"Model directory: the learned model is kept here (default {learned.DEFAULT_MODEL_PATH}); "
    "provider local: a model from `labeler model train`."
)
@click.option(
    "--learn-from",
    envvar="LABELER_LEARN_FROM",
    show_envvar=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Learn from the labeled issues of this JSONL file instead of reading them through GitHub.",
)
@click.option(
    "--model-max-age",
    envvar="LABELER_MODEL_MAX_AGE",
    show_envvar=True,
    type=click.FloatRange(min=0),
    default=learned.Options.max_age_days,
    show_default=True,
    help="Days a learned model is reused before it is learned again.",
)
@click.option(
    "--learn-max-issues",
    envvar="LABELER_LEARN_MAX_ISSUES",
    show_envvar=True,
    type=click.IntRange(min=10),
    default=learned.Options.max_issues,
    show_default=True,
    help="Learn from at most this many labeled issues (the newest).",
)
@click.option(
    "--learn-budget",
    envvar="LABELER_LEARN_BUDGET",
    show_envvar=True,
    type=click.FloatRange(min=0),
    default=learned.Options.budget_seconds,
    show_default=True,
    help="Seconds to spend reading the labeled history through GitHub.",
)
@click.option(
    "--history-db",
    envvar="LABELER_HISTORY_DB",
    show_envvar=True,
    help="History file from `labeler history sync`: similar issues as examples, possible duplicates.",
)
@options.dry_run("Recommend only: apply nothing (comment only when a token is set).", toggle=True, default=None)
@click.option(
    "--min-confidence",
    envvar="LABELER_MIN_CONF",
    show_envvar=True,
    type=click.FloatRange(0, 1),
    help=f"Threshold (default {config_mod.default(labeling.NAME, 'min-confidence')}).",
)
@click.option(
    "--max-labels",
    envvar="LABELER_MAX_LABELS",
    show_envvar=True,
    type=click.IntRange(1, 20),
    help=f"Cap (default {config_mod.default(labeling.NAME, 'max-labels')}).",
)
@click.option(
    "--stage",
    envvar="LABELER_STAGE",
    show_envvar=True,
    type=click.Choice(labeling.STAGES),
    help=f"Rollout stage (default {config_mod.default(labeling.NAME, 'stage')}).",
)
@click.option(
    "--replay",
    "replay_path",
    envvar="LABELER_REPLAY",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Replay the provider over past issues (history SQLite or dataset JSONL) and report; writes nothing.",
)
@options.target_precision(
    "Learned model: its per-label thresholds reach this precision on held-out history; replay: suggest "
    "per-label min-confidence values reaching it."
)
@click.option(
    "--json",
    "json_path",
    envvar="LABELER_REPLAY_JSON",
    show_envvar=True,
    help="Replay: also write the report as JSON here.",
)
@click.option(
    "--limit",
    envvar="LABELER_REPLAY_LIMIT",
    show_envvar=True,
    type=click.IntRange(min=1),
    help="Replay: at most N issues.",
)
@click.option(
    "--sample", envvar="LABELER_REPLAY_SAMPLE", show_envvar=True, type=int, help="Replay: shuffle with this seed first."
)
@click.option(
    "--cache",
    "cache_path",
    envvar="LABELER_REPLAY_CACHE",
    show_envvar=True,
    default=".labeler-replay-cache.json",
    show_default=True,
    help="Replay: answers cached by issue, provider, model and prompt version.",
)
@click.option(
    "--check-cache",
    is_flag=True,
    help="Only check the --cache file: a bad one is moved aside (so a workflow saves nothing); exit 0.",
)
@click.option(
    "--backlog",
    is_flag=True,
    envvar="LABELER_BACKLOG",
    show_envvar=True,
    help="Label open issues without a labels.yml label (dry run unless --no-dry-run).",
)
@click.option(
    "--max-issues",
    envvar="LABELER_MAX_ISSUES",
    show_envvar=True,
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Backlog: at most N issues this run.",
)
@click.option(
    "--max-model-calls",
    envvar="LABELER_MAX_MODEL_CALLS",
    show_envvar=True,
    type=click.IntRange(min=0),
    help="Backlog and replay: stop after this many paid model calls (notice, exit 0).",
)
def command(**given: Any) -> None:
    """Label an issue with labels from labels.yml and leave one audit comment."""
    args = Args(**given)
    if args.check_cache:
        return check_cache(args)
    if args.replay_path:
        return replay(args)
    if args.backlog:
        return label_backlog(args)
    return label_event(args)


def check_cache(args: Args) -> None:
    """A bad cache file is moved aside (so a workflow saves nothing); exit 0."""
    persist.check_file(args.cache_path, replay_cmd.CACHE_WHAT, replay_cmd.check_cache)


def replay(args: Args) -> None:
    """The provider over past issues, scored against their labels; writes nothing to GitHub."""
    cfg = config_mod.load(args.config_path)
    # the history's past issues are examples here too, cut at the issue's number (none newer than it); a replay
    # measures one provider, so GitHub Models never hands over to another
    chosen = args.provider_for(args.history_db, learn=False, fallback=keyless.Fallback(None))
    settings = settings_from(cfg, min_confidence=args.min_confidence, max_labels=args.max_labels, dry_run=True)
    where = replay_cmd.Source(args.replay_path or "", args.limit, args.sample, args.cache_path)
    spend = budget_mod.RunBudget(args.max_model_calls)
    replay_cmd.run(where, cfg, settings, chosen, spend, target=args.target_precision, json_path=args.json_path)


def label_event(args: Args) -> None:
    """The event's issue (or --issue N): one run, reported in outputs, summary and (outside Actions) stdout."""
    if args.event_path is None and args.number is None:
        raise UserError(
            "no event: pass --event FILE (with --event-name) or --issue N, or run inside GitHub "
            "Actions (GITHUB_EVENT_PATH)"
        )
    trigger = event.from_event(args.event_path, args.event_name, args.number)
    cfg = config_mod.load(args.config_path)
    settings = args.settings(cfg, args.dry_run)
    if trigger.action == "skip":
        runner.notice(f"label-issue: {trigger.reason}")
        return report(None, trigger)
    chosen = args.provider_for(args.history_db, learn=True)
    where = site.connect(args.repo, settings.dry_run, trigger.issue)
    chosen = prepared(chosen, where, cfg, settings, args)
    result = steps.run(trigger, steps.Job(cfg, settings, chosen, where, budget_mod.RunBudget(None)))
    report(result, trigger)
    if result is not None and not runner.in_actions():
        click.echo(json.dumps(result.as_dict(), indent=2))
        click.echo(audit.render(result))


def label_backlog(args: Args) -> None:
    """Open issues without a label from labels.yml; a dry run (the default) reads the same and writes nothing."""
    cfg = config_mod.load(args.config_path)
    # the history's past issues are examples here too, cut at the issue's number (none newer than it);
    # without a key the default learns the repository; spent GitHub Models limits stop the run (the next resumes)
    stop = keyless.Fallback(keyless.offline_default(args.model_path, learn=True), stop_when_spent=True)
    chosen = args.provider_for(args.history_db, learn=True, fallback=stop)
    settings = args.settings(cfg, True if args.dry_run is None else args.dry_run)
    if settings.dry_run:  # the dry run's table goes to the job summary, not onto hundreds of issues
        settings = dataclasses.replace(settings, comment="never")
    where = site.online(args.repo)
    chosen = prepared(chosen, where, cfg, settings, args)
    job = steps.Job(cfg, settings, chosen, where, budget_mod.RunBudget(args.max_model_calls))
    scan = job.site.open_issues(max(args.max_issues * 4, 100))
    resume = settings.provenance_label if settings.comment == "always" else None
    chosen_issues = backlog.select(scan, cfg, settings.abstain_label, args.max_issues, resume)
    runner.notice(f"backlog: {len(chosen_issues)} issue(s) to label ({'dry run' if settings.dry_run else 'applying'})")
    results = _label_each(chosen_issues, job)
    table = backlog.table(results, settings.dry_run)
    runner.summary(table)
    runner.set_output(
        "plan", json.dumps([{"issue": r.number, "apply": list(r.plan.apply) if r.plan else []} for r in results])
    )
    if not runner.in_actions():
        click.echo(table)


def prepared(
    chosen: providers.Provider, where: site.Site, cfg: config_mod.Config, settings: Settings, args: Args
) -> providers.Provider:
    """The learned provider with its model (learned now if missing or stale), also when it stands behind GitHub
    Models; any other as it is."""
    if "learned" not in (chosen.name, chosen.fallback.offline if chosen.fallback else None):
        return chosen
    github = where.github if isinstance(where, site.Online) else None
    offline = learned.default_offline(github, cfg, settings, args.learning(), where.repo_name)
    return dataclasses.replace(chosen, offline=offline)


def _label_each(issues: list[Any], job: steps.Job) -> list[backlog.Row]:
    from labeler.llm import ModelUnavailable

    rows = []
    for n, issue in enumerate(issues):
        if job.budget.exhausted(job.provider.name):
            runner.notice(job.budget.reason())
            break
        trigger = Trigger("label", "backlog", issue=issue, actor_write=True, once=True)
        try:
            done = steps.run(trigger, job)
        except ModelUnavailable as e:
            runner.warning(backlog.stopped(e.message, n, len(issues), issue.number))
            break
        rows.append(backlog.Row(issue.number, done, "already handled or skipped"))
    return rows
