"""missing-info: when an issue lacks what maintainers need, add a label and one polite comment.

Parse the event (or --issue), check (rules, an LLM, or a model trained on the repository's own
`needs more info` label), plan (pure), apply unless --dry-run, report (summary, outputs).
It never closes issues. When a later edit supplies the information, the label this command added
is removed and its comment says thanks; a label a human added without our comment is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from labeler import md, options, runner
from labeler.config import default, load_optional, section_settings
from labeler.errors import UserError, setting
from labeler.missing_info import ask
from labeler.missing_info import checks as missing_info

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


@dataclass(frozen=True)
class Plan:
    add_label: str | None
    remove_label: str | None
    comment: str | None  # the full comment body to upsert, None = leave comments alone
    skipped: str = ""  # why nothing was checked


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


def plan(issue: Issue, info: missing_info.MissingInfo, *, label: str, ours: str | None) -> Plan:
    """`ours` is the body of our existing comment (None when there is none)."""
    if not info.complete:
        add = None if label in issue.labels else label
        return Plan(add_label=add, remove_label=None, comment=missing_info.render_comment(info, marker=MARKER))
    if ours is None:
        return Plan(None, None, None)  # complete and we never asked: nothing to say
    remove = label if label in issue.labels else None
    return Plan(None, remove, missing_info.render_comment(info, marker=MARKER))


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
) -> missing_info.MissingInfo:
    if method == "rules":
        return missing_info.check(issue.title, issue.body, kind=kind)
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

    return ask.check_llm(
        llm.get_model(provider or _provider_from_env(), model_name), issue.title, issue.body, kind=kind
    )


def _provider_from_env() -> str:
    import os

    if os.environ.get("ANTHROPIC_API_KEY"):
        return "anthropic"
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
        return "openai"
    raise UserError(
        f"{setting('--method llm', 'method')} needs a key: set ANTHROPIC_API_KEY or OPENAI_API_KEY "
        f"(or {setting('--provider', 'provider')})"
    )


def report(issue: Issue, info: missing_info.MissingInfo, result: Plan, dry_run: bool) -> None:
    verb = "would " if dry_run else ""
    if result.skipped:
        line = f"#{issue.number}: skipped ({result.skipped})"
    elif info.complete:
        line = f"#{issue.number}: complete ({info.source})" + (
            f"; {verb}remove {result.remove_label!r}" if result.remove_label else ""
        )
    else:
        line = f"#{issue.number}: missing {len(info.missing)} item(s) ({info.source}); {verb}ask in one comment"
    click.echo(line)
    items = "".join(f"\n- {md.escape(m)}" for m in info.missing)
    runner.summary(f"### Missing information\n\n{md.escape(line)}{items}\n")
    runner.set_output("complete", "true" if info.complete or result.skipped else "false")
    runner.set_output("missing", json.dumps(info.missing))


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
@options.model_path("Model directory for --method model.")
@click.option(
    "--model-label",
    envvar="LABELER_MODEL_LABEL",
    show_envvar=True,
    help="The model's needs-info label (default: --label).",
)
@options.provider("LLM provider for --method llm.", ("anthropic", "openai"))
@options.model("LLM model name.", dest="model_name")
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
@options.dry_run("Report only.", toggle=True, default=False)
def command(
    event_path: str | None,
    number: int | None,
    repo: str | None,
    config_path: str | None,
    method: str | None,
    kind: str | None,
    label: str | None,
    model_path: str | None,
    model_label: str | None,
    provider: str | None,
    model_name: str | None,
    exempt_label: tuple[str, ...],
    check_maintainers: bool,
    dry_run: bool,
) -> None:
    """Ask for missing information (version, steps, expected vs actual, logs) in one polite comment."""
    from labeler import gh

    settings = section_settings(
        load_optional(config_path), NAME, Settings, {"method": method, "kind": kind, "label": label}
    )
    github = gh.open_repo(repo)
    issue = github.issue(number) if number else gh.Issue.from_event(runner.event(event_path).get("issue") or {})
    reason = skip_reason(issue, () if check_maintainers else SKIP_ASSOCIATIONS, exempt_label)
    if reason:
        return report(issue, missing_info.MissingInfo([], True), Plan(None, None, None, reason), dry_run)
    label = settings.label
    kind = missing_info.kind_of(issue.labels) if settings.kind == "auto" else settings.kind
    info = run_check(
        settings.method,
        issue,
        kind,
        model_path=model_path,
        model_label=model_label or label,
        provider=provider,
        model_name=model_name,
    )
    existing = github.find_comment(issue.number, MARKER)
    result = plan(issue, info, label=label, ours=existing.body if existing else None)
    if not dry_run:
        apply(github, issue.number, result, existing)
    report(issue, info, result, dry_run)
