"""missing-info: when an issue lacks what maintainers need, add a label and one polite comment.

Parse the event (or --issue), check (rules, an LLM, or a model trained on the repository's own
`needs more info` label), keep the asks that earned a public comment (public.py: by default only the
items that beat the label's base rate on this repository's own history), plan (pure), apply unless
--dry-run, report (summary with the figures, outputs). `--replay FILE` measures instead (replay.py).
It never closes issues. When a later edit supplies the information, the label this command added
is removed and its comment says thanks; a label a human added without our comment is left alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from labeler import md, options, runner
from labeler.config import default, load_optional, section_settings
from labeler.errors import UserError, setting
from labeler.missing_info import ask, history, measure, public, replay, templates
from labeler.missing_info import checks as missing_info
from labeler.missing_info import kind as kinds

if TYPE_CHECKING:
    from labeler.gh import Comment, GitHub, Issue

NAME = "missing-info"
MARKER = md.marker(NAME)
THANKS_PREFIX = "Thanks for the update!"
SKIP_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")
METHODS = ("rules", "llm", "model")


@dataclass(frozen=True)
class Settings:
    """The missing-info section of labels.yml; defaults in schemas/missing_info.schema.json."""

    method: str = default(NAME, "method")
    kind: str = default(NAME, "kind")
    label: str = default(NAME, "label")
    ask: str = default(NAME, "ask")
    min_lift: float = default(NAME, "min-lift")
    min_recall: float = default(NAME, "min-recall")
    min_history: int = default(NAME, "min-history")
    min_labeled: int = default(NAME, "min-labeled")
    history_limit: int = default(NAME, "history-limit")
    when_quiet: str = default(NAME, "when-quiet")

    def gate(self) -> measure.Gate:
        return measure.Gate(self.min_lift, self.min_recall, self.min_history, self.min_labeled)


@dataclass(frozen=True)
class Plan:
    add_label: str | None
    remove_label: str | None
    comment: str | None  # the full comment body to upsert, None = leave comments alone
    skipped: str = ""  # why nothing was checked
    held: tuple[str, ...] = ()  # asks kept out of the comment (public.py)


def skip_reason(issue: Issue, skip_associations: tuple[str, ...], exempt_labels: tuple[str, ...]) -> str:
    if issue.is_pr:
        return "a pull request"
    if issue.state != "open":
        return "the issue is closed"
    if issue.author_is_bot:
        return "opened by a bot"
    if issue.author_association in skip_associations:
        return f"opened by a {issue.author_association.lower()}"
    if set(issue.labels) & set(exempt_labels):
        return "it carries an exempt label"
    return ""


def plan(
    issue: Issue,
    info: missing_info.MissingInfo,
    *,
    label: str,
    ours: str | None,
    held: tuple[str, ...] = (),
    when_quiet: str = "nothing",
) -> Plan:
    """`info` holds the public asks only, `held` the ones kept back; `ours` is the body of our existing
    comment (None when there is none)."""
    add = None if label in issue.labels else label
    if not info.complete:
        return Plan(add, None, missing_info.render_comment(info, marker=MARKER), held=held)
    label_only = bool(held) and when_quiet == "label"
    if ours is None:  # nothing public to ask and we never asked
        return Plan(add if label_only else None, None, None, held=held)
    remove = label if label in issue.labels and not label_only else None
    return Plan(None, remove, missing_info.render_comment(info, marker=MARKER), held=held)


def apply(github: GitHub, number: int, result: Plan, existing: Comment | None) -> None:
    if result.add_label:
        github.add_labels(number, [result.add_label])
    if result.remove_label:
        github.remove_label(number, result.remove_label)
    if result.comment is not None and (existing is None or existing.body != result.comment):
        github.upsert_comment(number, MARKER, result.comment, existing, known_absent=existing is None)


def run_check(
    method: str,
    issue: Issue,
    kind: str,
    *,
    model_path: str | None,
    model_label: str,
    provider: str | None,
    model_name: str | None,
    placeholders: frozenset[str] = frozenset(),
    github_models: bool = False,
    models_url: str | None = None,
) -> missing_info.MissingInfo:
    if method == "rules":
        return missing_info.check(issue.title, issue.body, kind=kind, placeholders=placeholders)
    if method == "model":
        if not model_path:
            raise UserError(
                f"{setting('--method model', 'method')} needs {setting('--model-path', 'model-path')} "
                "(a model trained on the needs-info label)"
            )
        from labeler.model import predict

        try:
            return missing_info.check_model(
                predict.load(model_path), issue.title, issue.body, label=model_label, kind=kind
            )
        except ValueError as e:
            raise UserError(str(e)) from None
    from labeler import llm

    name = provider or _provider_from_env(github_models)
    model = llm.get_model(name, model_name, base_url=models_url if name == "github-models" else None)
    try:
        return ask.check_llm(model, issue.title, issue.body, kind=kind)
    except llm.ModelUnavailable as e:  # GitHub Models refused or its free limits are spent: the rules instead
        runner.warning(f"{e.message}. Checking with the rules meanwhile.")
        return missing_info.check(issue.title, issue.body, kind=kind, placeholders=placeholders)


def _provider_from_env(github_models: bool) -> str:
    from labeler import llm

    if found := llm.detected(github_models):
        return found
    raise UserError(
        f"{setting('--method llm', 'method')} needs a key: set ANTHROPIC_API_KEY or OPENAI_API_KEY, or "
        f"{setting('--github-models', 'github-models')} with `permissions: models: read` "
        f"(or {setting('--provider', 'provider')})"
    )


def report(issue: Issue, info: missing_info.MissingInfo, result: Plan, dry_run: bool, why: str = "") -> None:
    """`info` is what was asked in public; `result.held` what was kept back, `why` the figures that decided."""
    verb = "would " if dry_run else ""
    if result.skipped:
        line = f"#{issue.number}: skipped ({result.skipped})"
    elif info.complete and result.held:
        labeled = f"; {verb}add {result.add_label!r} only" if result.add_label else ""
        line = f"#{issue.number}: {len(result.held)} ask(s) held back, no comment{labeled}"
    elif info.complete:
        line = f"#{issue.number}: complete ({info.source})" + (
            f"; {verb}remove {result.remove_label!r}" if result.remove_label else ""
        )
    else:
        line = f"#{issue.number}: missing {len(info.missing)} item(s) ({info.source}); {verb}ask in one comment"
    click.echo(line)
    items = "".join(f"\n- {md.escape(m)}" for m in info.missing)
    held = "".join(f"\n- {md.escape(m)} (held back)" for m in result.held)
    reason = f"\n\n{why}" if why and (result.held or not info.complete) else ""
    runner.summary(f"### Missing information\n\n{md.escape(line)}{items}{held}{reason}\n")
    runner.set_output("complete", "true" if (info.complete and not result.held) or result.skipped else "false")
    runner.set_output("missing", json.dumps(info.missing))
    runner.set_output("held-back", json.dumps(list(result.held)))


def policy(
    settings: Settings, github: GitHub, issue: Issue, history_path: str | None, own: templates.Templates
) -> public.Policy:
    """Which asks may go out in public: measured on the history before this issue (rules, `ask: measured`)."""
    if settings.method != "rules" or settings.ask == "always":
        return public.Policy("always")
    if history_path:
        rows = history.from_file(history_path, settings.label, before=issue.number, bot_login=github.bot_login)
    else:
        rows = history.from_github(github, before=issue.number, limit=settings.history_limit)
    decision = measure.decide(replay.cases_of(rows, settings.label), settings.gate())
    return public.policy_for(decision, own, settings.label)


def check_issue(
    settings: Settings, github: GitHub, issue: Issue, history_path: str | None, dry_run: bool, **model: Any
) -> None:
    what = kinds.report_kind(issue.title, issue.body, issue.labels) if settings.kind == "auto" else settings.kind
    own = templates.read(warn=runner.warning)
    info = run_check(
        settings.method,
        issue,
        what,
        model_path=model["model_path"],
        model_label=model["model_label"] or settings.label,
        provider=model["provider"],
        model_name=model["model_name"],
        placeholders=own.placeholders,
        github_models=bool(model["github_models"]),
        models_url=model["models_url"],
    )
    rule = policy(settings, github, issue, history_path, own) if not info.complete else public.Policy("always")
    shown, held = public.split(info, rule)
    existing = github.find_comment(issue.number, MARKER)
    result = plan(
        issue,
        shown,
        label=settings.label,
        ours=existing.body if existing else None,
        held=tuple(held),
        when_quiet=settings.when_quiet,
    )
    if not dry_run:
        apply(github, issue.number, result, existing)
    report(issue, shown, result, dry_run, rule.why)


def replay_command(settings: Settings, path: str, json_path: str | None) -> None:
    bot = os.environ.get("LABELER_BOT_LOGIN", "")
    result = replay.run(path, settings.gate(), label=settings.label, json_path=json_path, bot_login=bot)
    text = replay.render(result)
    runner.summary(text)
    click.echo(text)
    runner.set_output("default-asks", str(result["default_asks"]).lower())


@click.command("missing-info")
@options.event
@options.issue("Check this issue (read through the API) instead of the event's.")
@options.repo()
@options.config("labels.yml with a missing-info: section (optional; default .github/labels.yml, labels.yml).")
@click.option(
    "--method",
    type=click.Choice(METHODS),
    envvar="LABELER_MISSING_INFO_METHOD",
    show_envvar=True,
    help=f"rules (offline), llm (--provider) or model (--model-path). [default: {default(NAME, 'method')}]",
)
@click.option(
    "--kind",
    type=click.Choice(("auto", *missing_info.KINDS)),
    envvar="LABELER_ISSUE_KIND",
    show_envvar=True,
    help=f"What to ask for; auto: from the issue's labels, else bug. [default: {default(NAME, 'kind')}]",
)
@click.option(
    "--label",
    envvar="LABELER_MISSING_INFO_LABEL",
    show_envvar=True,
    help=f"Label added while information is missing. [default: {default(NAME, 'label')}]",
)
@click.option(
    "--ask",
    type=click.Choice(("measured", "always")),
    envvar="LABELER_MISSING_INFO_ASK",
    show_envvar=True,
    help="measured: ask in public only what beat the label's base rate on this repository's history; "
    f"always: every ask the check finds. [default: {default(NAME, 'ask')}]",
)
@options.model_path("Model directory for --method model.")
@click.option(
    "--model-label",
    envvar="LABELER_MODEL_LABEL",
    show_envvar=True,
    help="The model's needs-info label (default: --label).",
)
@options.provider(
    "LLM provider for --method llm (default: by the key set, else github-models with --github-models).",
    ("anthropic", "openai", "github-models"),
)
@options.model("LLM model name.", dest="model_name")
@options.github_models()
@options.models_url()
@click.option(
    "--exempt-label",
    multiple=True,
    envvar="LABELER_EXEMPT_LABELS",
    show_envvar=True,
    help="Issues with this label are not checked (repeatable; space-separated in the env var).",
)
@click.option(
    "--check-maintainers",
    is_flag=True,
    envvar="LABELER_CHECK_MAINTAINERS",
    show_envvar=True,
    help="Also check issues opened by owners, members and collaborators.",
)
@click.option(
    "--history",
    "history_path",
    envvar="LABELER_MISSING_INFO_HISTORY",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Measure the asks on this history file (history SQLite or dataset JSONL) instead of reading "
    "the repository's newest issues through GitHub.",
)
@click.option(
    "--replay",
    "replay_path",
    envvar="LABELER_REPLAY",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Measure the asks against --label on past issues (history SQLite or dataset JSONL) and report; "
    "writes nothing to GitHub.",
)
@click.option(
    "--json", "json_path", envvar="LABELER_REPLAY_JSON", show_envvar=True, help="Replay: also write JSON here."
)
@options.dry_run("Report only.", toggle=True, default=False)
def command(
    event_path: str | None,
    number: int | None,
    repo: str | None,
    config_path: str | None,
    method: str | None,
    kind: str | None,
    label: str | None,
    ask: str | None,
    model_path: str | None,
    model_label: str | None,
    provider: str | None,
    model_name: str | None,
    github_models: bool,
    models_url: str | None,
    exempt_label: tuple[str, ...],
    check_maintainers: bool,
    history_path: str | None,
    replay_path: str | None,
    json_path: str | None,
    dry_run: bool,
) -> None:
    """Ask for missing information (version, steps, expected vs actual, logs) in one polite comment, only
    where asking has beaten chance on this repository's history (see --replay)."""
    from labeler import gh

    settings = section_settings(
        load_optional(config_path), NAME, Settings, {"method": method, "kind": kind, "label": label, "ask": ask}
    )
    if replay_path:
        return replay_command(settings, replay_path, json_path)
    github = gh.open_repo(repo)
    issue = github.issue(number) if number else gh.Issue.from_event(runner.event(event_path).get("issue") or {})
    reason = skip_reason(issue, () if check_maintainers else SKIP_ASSOCIATIONS, exempt_label)
    if reason:
        return report(issue, missing_info.MissingInfo([], True), Plan(None, None, None, reason), dry_run)
    model = {
        "model_path": model_path,
        "model_label": model_label,
        "provider": provider,
        "model_name": model_name,
        "github_models": github_models,
        "models_url": models_url,
    }
    check_issue(settings, github, issue, history_path, dry_run, **model)
