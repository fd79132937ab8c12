"""`enable` and the welcome: who may turn the bot on for a PR, and the gate the other commands check.

enable <sha> = team check of the comment's sender (org token) -> the named SHA must be the PR's head
-> commit status on it -> the welcome comment
listing the commands this PR's labels allow. A push moves the head to a SHA without that status,
so every later command refuses until a triager enables again (the original InstructLab design).

Each run reads (`read`: team membership, the PR with its head SHA, its files), decides (`decide`,
pure, -> `Plan`), applies the plan (`apply`; a dry run prints the comments) and reports, in that order.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from labeler import md, options, runner
from labeler.errors import UserError
from labeler.gh.records import PullRequest
from labeler.taxonomy_bot.common import reply
from labeler.taxonomy_bot.gate import enabled_on
from labeler.taxonomy_bot.settings import MODEL_COMMANDS, Settings, Trigger

if TYPE_CHECKING:
    from labeler.gh import GitHub

WELCOME = "welcome"
DESCRIPTIONS = {
    "enable": "Triagers only: `enable <sha>` turns the commands below on for the commit you reviewed (the head).",
    "precheck": "Ask the current model each seed question and compare its answers with yours.",
    "postcheck": "The same against the candidate model, with a before/after view when both are configured.",
    "generate": "Generate a sample of synthetic training data from your seed examples with a teacher model.",
    "help": "Show this message again.",
}
NO_ORG_TOKEN = (
    "no org token is configured (the `org-token` input / LABELER_ORG_TOKEN): the default "
    "GITHUB_TOKEN cannot read team membership, so nobody can be checked"
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    team: str | None = None
    reason: str = ""


def authorize(user: str, teams: tuple[str, ...], lookup: Callable[[str, str], bool | None] | None) -> Decision:
    """Allow on the first configured team where `user` is an active member; fail closed otherwise."""
    if not teams:
        return Decision(False, reason="no teams are configured (`bot.teams` in labels.yml or the `teams` input)")
    if lookup is None:
        return Decision(False, reason=NO_ORG_TOKEN)
    unreadable = []
    for team in teams:
        org, slug = team.split("/", 1)
        member = lookup(org, slug)
        if member:
            return Decision(True, team=team)
        if member is None:
            unreadable.append(team)
    if unreadable:
        return Decision(
            False,
            reason=f"I could not check: the org token cannot read the membership of "
            f"{_teams(unreadable)} (it needs organization Members: read, or read:org "
            "for a classic token), or GitHub failed to answer (see the workflow run)",
        )
    return Decision(
        False,
        reason=f"{md.code(user)} is not an active member of {_teams(teams)} (GitHub answers "
        "the same way when the org token cannot see a team)",
    )


def commit_to_enable(
    args: tuple[str, ...], head_sha: str, handle: str, *, named_required: bool
) -> tuple[str | None, str]:
    """The head commit the triager named, or None and why not. A bare `enable` cannot prove which commit the
    triager reviewed (a push can land between the comment and the job), so comments must name it."""
    named = next((a.lower() for a in args if re.fullmatch(r"[0-9a-fA-F]{7,40}", a)), None)
    if named is None:
        if not named_required:
            return head_sha, ""
        return None, (
            f"name the commit you reviewed, so a later push cannot be enabled by mistake: comment "
            f"{md.code(f'{handle} enable {head_sha[:7]}')} if {md.code(head_sha[:7])} (the current head) "
            "is the one"
        )
    if not head_sha.startswith(named):
        return None, (
            f"the pull request's head is {md.code(head_sha[:7])}, not {md.code(named[:12])}: review the new "
            f"commits, then comment {md.code(f'{handle} enable {head_sha[:7]}')}"
        )
    return head_sha, ""


def _teams(teams: tuple[str, ...] | list[str]) -> str:
    return ", ".join(md.code(t) for t in teams)


def labels_from_paths(paths: list[str], settings: Settings) -> list[str]:
    """The skill/knowledge label the changed paths call for (compositional_skills/, knowledge/)."""
    wanted = []
    if any(p.startswith("compositional_skills/") for p in paths):
        wanted.append(settings.skill_label)
    if any(p.startswith("knowledge/") for p in paths):
        wanted.append(settings.knowledge_label)
    return wanted


# ---------------------------------------------------------------------------------- rendering
def render_welcome(
    settings: Settings,
    labels: tuple[str, ...],
    *,
    enabled_sha: str | None = None,
    enabled_by: str | None = None,
    suggest: tuple[str, ...] = (),
    added: tuple[str, ...] = (),
) -> str:
    available = settings.commands_for(labels)
    rows = [f"| {md.code(settings.handle + ' ' + name)} | {DESCRIPTIONS[name]} |" for name in ("enable", "help")]
    for name in MODEL_COMMANDS:
        why = available[name]
        rows.append(
            f"| {md.code(settings.handle + ' ' + name)} | {DESCRIPTIONS[name]}" + (f" _({why})_ |" if why else " |")
        )
    state = (
        f"**Enabled** on commit {md.code(enabled_sha[:7])} by {md.code(enabled_by or '?')}: "
        "the commands marked available can run now."
        if enabled_sha
        else "**Waiting for a triager**: the commands run once a triager has enabled them for this commit."
    )
    parts = [
        "### Beep, boop 🤖 I am the taxonomy bot",
        "",
        "Thank you for your contribution! I can check your `qna.yaml` against the current model "
        "and show you what a teacher model makes of your seed examples.",
        "",
        state,
        "",
        "| command (comment it as the first words) | what it does |",
        "| --- | --- |",
        *rows,
        "",
    ]
    parts += _label_notes(settings, suggest, added)
    parts += [
        "> [!NOTE]",
        f"> Only members of {_teams(settings.teams) if settings.teams else 'the configured teams'} "
        "can enable the bot, by naming the head commit they reviewed; enabling covers that one commit: after a new "
        "push a triager must enable again.",
        "",
        "> [!NOTE]",
        "> Each command reports a commit status and one comment here (edited when the "
        "command runs again); the full output is attached to the workflow run as an artifact.",
    ]
    return "\n".join(parts)


def _label_notes(settings: Settings, suggest: tuple[str, ...], added: tuple[str, ...]) -> list[str]:
    notes = []
    if added:
        notes.append(f"I added the {', '.join(md.code(x) for x in added)} label from the changed paths.")
    if suggest:
        notes.append(
            f"This PR changes taxonomy files: it should carry the {' and '.join(md.code(x) for x in suggest)} "
            "label (a triager can add it, or set `bot.auto-label: true`)."
        )
    return [*notes, ""] if notes else []


# ---------------------------------------------------------------------------------- running
def route(gh: GitHub, settings: Settings, trig: Trigger, *, dry_run: bool) -> None:
    """Answer the router's commands; model commands are left to their own jobs (outputs only)."""
    if trig.command == WELCOME:
        welcome(gh, settings, trig.number, dry_run=dry_run)
    elif trig.command == "enable":
        run(gh, settings, trig, dry_run=dry_run, org_gh=_org_client())
    elif trig.command == "help":
        reply(gh, trig.number, trig.comment_id, _help(gh, settings, trig.number), dry_run=dry_run)
    elif trig.command not in MODEL_COMMANDS:
        text = (
            f"Sorry, I don't know the command {md.code(str(trig.command))}. The commands are "
            f"{', '.join(md.code(c) for c in ('enable', 'help', *MODEL_COMMANDS))}.\n\n"
        )
        reply(gh, trig.number, trig.comment_id, text + _help(gh, settings, trig.number), dry_run=dry_run)
    else:
        runner.notice(f"{trig.command} for #{trig.number}: handed to the {trig.command} job")


def _org_client() -> GitHub | None:
    from labeler import gh as ghmod

    token = os.environ.get("LABELER_ORG_TOKEN", "").strip()
    return ghmod.GitHub(ghmod.connect(token), runner.repository()) if token else None


def _help(gh: GitHub, settings: Settings, number: int) -> str:
    pr = gh.pull(number)
    enabled = enabled_on(gh.own_statuses(pr.head_sha, settings.contexts["enabled"]), settings.contexts["enabled"])
    return render_welcome(settings, pr.labels, enabled_sha=pr.head_sha if enabled else None, enabled_by="a triager")


@dataclass(frozen=True)
class Facts:
    """What a run reads from GitHub, once, before deciding; it reads no further than the decision can use
    (a sender who is not authorised costs no PR read; a refused commit no file listing)."""

    membership: tuple[tuple[str, bool | None], ...] | None = None  # team -> member?; None: no org token
    pr: PullRequest | None = None
    paths: tuple[str, ...] = ()
    enabled: bool = False  # the welcome: our enabled status is on the head


@dataclass(frozen=True)
class Plan:
    """Every write of a run, decided before the first one."""

    add_labels: tuple[str, ...] = ()
    status: tuple[str, str, str] | None = None  # (head SHA, context, description): the enabled status
    welcome: str | None = None  # the welcome comment's body
    reply: str | None = None  # the answer to the command comment
    confirm: str | None = None  # answered only when the welcome was edited rather than created
    warning: str = ""


def welcome(gh: GitHub, settings: Settings, number: int, *, dry_run: bool) -> None:
    """Post (or refresh) the welcome on a PR that touches the taxonomy; other PRs get nothing."""
    facts = read_welcome(gh, settings, number)
    plan = decide_welcome(settings, facts)
    if plan.welcome is None:
        runner.notice(f"#{number} changes no taxonomy files: no welcome")
        return
    apply(gh, number, None, plan, dry_run=dry_run)


def read_welcome(gh: GitHub, settings: Settings, number: int) -> Facts:
    pr = gh.pull(number)
    paths = tuple(f["filename"] for f in gh.pull_files(number))
    if not labels_from_paths(list(paths), settings):
        return Facts(pr=pr, paths=paths)
    context = settings.contexts["enabled"]
    return Facts(pr=pr, paths=paths, enabled=enabled_on(gh.own_statuses(pr.head_sha, context), context))


def decide_welcome(settings: Settings, facts: Facts) -> Plan:
    pr = _pr(facts)
    wanted = labels_from_paths(list(facts.paths), settings)
    if not wanted:
        return Plan()
    added, labels, suggest = _labels(settings, pr, wanted)
    body = render_welcome(
        settings,
        labels,
        enabled_sha=pr.head_sha if facts.enabled else None,
        enabled_by="a triager",
        suggest=suggest,
        added=added,
    )
    return Plan(add_labels=added, welcome=body)


def _labels(
    settings: Settings, pr: PullRequest, wanted: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(labels to add, the PR's labels then, labels only suggested)."""
    have = {x.lower() for x in pr.labels}
    missing = tuple(w for w in wanted if w.lower() not in have)
    added = missing if settings.auto_label else ()
    labels = (*pr.labels, *added)
    return added, labels, tuple(w for w in wanted if w.lower() not in {x.lower() for x in labels})


def _pr(facts: Facts) -> PullRequest:
    if facts.pr is None:
        raise ValueError("decide needs the pull request that read() returns for an authorised sender")
    return facts.pr


def _post(gh: GitHub, number: int, marker: str, body: str, *, dry_run: bool) -> bool:
    body = md.fit_comment(f"{marker}\n{body}")
    if dry_run:
        click.echo(body)
        return False
    return gh.upsert_comment(number, marker, body)[1]


def run(gh: GitHub, settings: Settings, trig: Trigger, *, dry_run: bool, org_gh: GitHub | None) -> bool:
    """The enable command: read, decide, apply, report. Returns whether the status was (or would be) set."""
    facts = read(gh, settings, trig, org_gh)
    plan = decide(settings, trig, facts)
    apply(gh, trig.number, trig.comment_id, plan, dry_run=dry_run)
    if plan.warning:
        runner.warning(plan.warning)
    return plan.status is not None


def read(gh: GitHub, settings: Settings, trig: Trigger, org_gh: GitHub | None) -> Facts:
    """Team membership (org token), then the PR (its head SHA captured once), then its files."""
    membership = _membership(org_gh, trig.actor, settings.teams) if org_gh else None
    if not authorize(trig.actor, settings.teams, _answers(membership)).allowed:
        return Facts(membership)
    pr = gh.pull(trig.number)
    sha, _ = commit_to_enable(trig.args, pr.head_sha, settings.handle, named_required=trig.comment_id is not None)
    if pr.state != "open" or sha is None:
        return Facts(membership, pr)
    return Facts(membership, pr, tuple(f["filename"] for f in gh.pull_files(pr.number)))


def decide(settings: Settings, trig: Trigger, facts: Facts) -> Plan:
    """Pure: who asked, for which commit, on which PR -> the status, labels and comments."""
    decision = authorize(trig.actor, settings.teams, _answers(facts.membership))
    if not decision.allowed:
        return Plan(
            reply=f"🚫 I can't enable the bot for you: {decision.reason}.",
            warning=f"enable by {trig.actor} denied: {decision.reason}",
        )
    pr = _pr(facts)
    if pr.state != "open":
        return Plan(reply="This pull request is closed: nothing to enable.")
    sha, why = commit_to_enable(trig.args, pr.head_sha, settings.handle, named_required=trig.comment_id is not None)
    if sha is None:
        return Plan(
            reply=f"🚫 Not enabled: {why}.", warning=f"enable on #{trig.number} refused: {why.replace('`', '')}"
        )
    wanted = labels_from_paths(list(facts.paths), settings)
    added, labels, suggest = _labels(settings, pr, wanted)
    if all(settings.commands_for(labels).values()):
        return Plan(
            add_labels=added,
            reply=f"Nothing to enable: the pull request needs the "
            f"{md.code(settings.skill_label)} or {md.code(settings.knowledge_label)} label first.",
        )
    body = render_welcome(settings, labels, enabled_sha=sha, enabled_by=trig.actor, suggest=suggest, added=added)
    ready = [c for c, why in settings.commands_for(labels).items() if why is None]
    return Plan(
        add_labels=added,
        welcome=body,
        status=(sha, settings.contexts["enabled"], f"Enabled by {trig.actor} ({decision.team}) for {sha[:7]}"),
        confirm=f"✅ Enabled on commit {md.code(sha[:7])}. Available now: "
        f"{', '.join(md.code(settings.handle + ' ' + c) for c in ready)}.",
    )


def apply(gh: GitHub, number: int, comment_id: int | None, plan: Plan, *, dry_run: bool) -> None:
    """Labels, then the status, then the welcome, then the reply; a dry run prints the comments only."""
    if plan.add_labels and not dry_run:
        gh.add_labels(number, list(plan.add_labels))
    if plan.status and not dry_run:
        sha, context, description = plan.status
        gh.set_status(sha, "success", context, description, runner.run_url())
    created = (
        _post(gh, number, md.marker(WELCOME), plan.welcome, dry_run=dry_run) if plan.welcome is not None else False
    )
    if plan.reply is not None:
        reply(gh, number, comment_id, plan.reply, dry_run=dry_run)
    if plan.confirm is not None and not created:
        reply(gh, number, comment_id, plan.confirm, dry_run=dry_run)


def _membership(org_gh: GitHub, user: str, teams: tuple[str, ...]) -> tuple[tuple[str, bool | None], ...]:
    """Ask team by team, stopping at the first where `user` is an active member (as authorize() decides)."""
    lookup, answers = _lookup(org_gh, user), []
    for team in teams:
        org, slug = team.split("/", 1)
        answers.append((team, lookup(org, slug)))
        if answers[-1][1]:
            break
    return tuple(answers)


def _answers(membership: tuple[tuple[str, bool | None], ...] | None) -> Callable[[str, str], bool | None] | None:
    if membership is None:
        return None
    known = dict(membership)
    return lambda org, slug: known.get(f"{org}/{slug}")


def _lookup(org_gh: GitHub, user: str) -> Callable[[str, str], bool | None]:
    def lookup(org: str, slug: str) -> bool | None:
        try:
            member = org_gh.team_member(org, slug, user)
            return None if member is None else bool(member)
        except UserError as e:
            runner.warning(f"team check {org}/{slug} failed: {e.message}")
            return None

    return lookup


@click.command("enable")
@options.pr("Pull request number; without it the comment in the event (--event) is used.")
@click.option("--user", help="With --pr: whose team membership to check (the commenter in Actions).")
@click.option("--sha", help="With --pr: the head commit you reviewed (refused when the head has moved).")
@options.repo()
@options.config("labels.yml with a bot: section.")
@options.teams("org/team-slug list, overrides bot.teams.")
@options.event
@options.event_name("The event's name.", default="issue_comment")
@options.dry_run("Print the comments; set no status.")
def command(
    number: int | None,
    user: str | None,
    sha: str | None,
    repo: str | None,
    config_path: str | None,
    teams: str | None,
    event_path: str | None,
    event_name: str,
    dry_run: bool,
) -> None:
    """Enable the bot's commands on a PR's current head commit, for members of the configured teams.

    The team check needs LABELER_ORG_TOKEN (the org-token input): a fine-grained token with
    organization Members: read, or a classic token with read:org. The default GITHUB_TOKEN cannot.
    """
    from labeler import gh as ghmod
    from labeler.taxonomy_bot.common import event_target
    from labeler.taxonomy_bot.settings import load_settings

    settings = load_settings(config_path, teams=teams)
    if number is not None:
        if not user:
            raise UserError("--pr needs --user: whose team membership should be checked")
        trig: Trigger | None = Trigger(number, "enable", actor=user, args=(sha,) if sha else ())
    else:
        trig = event_target("enable", event_path, event_name, settings)
    if trig is not None:
        run(ghmod.open_repo(repo), settings, trig, dry_run=dry_run, org_gh=_org_client())
