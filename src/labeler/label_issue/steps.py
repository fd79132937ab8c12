"""One label-issue run on one issue, in steps: read what it needs, decide, ask and plan, apply."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, NamedTuple

from labeler import gh as gh_mod
from labeler import md, runner
from labeler.history import corrections
from labeler.label_issue import audit, decision, labeling, providers
from labeler.label_issue.budget import RunBudget
from labeler.label_issue.decision import Facts
from labeler.label_issue.labeling import MARKER, Plan, Settings, State, Trigger
from labeler.label_issue.providers import Provider
from labeler.label_issue.site import Site

if TYPE_CHECKING:
    from collections.abc import Mapping

    from labeler.config import Config
    from labeler.gh import Comment, Issue

DUPLICATE_THRESHOLD = 0.5


class Job(NamedTuple):
    """What every issue of a run is labeled with."""

    cfg: Config
    settings: Settings
    provider: Provider
    site: Site
    budget: RunBudget  # RunBudget(None): no cap


class History(NamedTuple):
    comments: list[Comment]
    removed: Mapping[str, str] | None  # None: the timeline could not be read
    ours: tuple[str, ...]  # labels on the issue the bot put there


def run(trigger: Trigger, job: Job) -> Plan | None:
    """Label one issue; None when the run skipped it or turned labeling off."""
    issue = trigger.issue or job.site.issue(trigger.number or 0)
    if skipped := decision.skip_unread(trigger, issue):
        runner.notice(skipped)  # pull requests, bots: no request needed
        return None
    facts = read(job.site, issue, job.settings)
    spent = job.budget.reason() if job.budget.exhausted(job.provider.name) else None
    step = decision.decide(trigger, facts, job.settings, job.provider.name, spent)
    for text in step.notices:
        runner.notice(text)
    if step.action == decision.OFF and step.state is not None:
        write_comment(job.site, facts, f"{audit.render_off(trigger.actor)}\n{step.state.line()}")
    if step.action != decision.ASK:
        return None
    result = plan(facts, job)
    apply(job.site, facts, result, job)
    return result


def read(site: Site, issue: Issue, settings: Settings) -> Facts:
    """Always look: a re-run of an `opened` job replays the same payload after our comment landed."""
    found = history(site, issue)
    existing = site.find_comment(issue.number, MARKER, found.comments)
    resumed = decision.resumable(issue, existing, found.ours, settings)
    if resumed:
        runner.notice(
            f"#{issue.number}: {', '.join(resumed)} applied by an earlier run without its comment: completing it"
        )
    state = State.parse(existing.body if existing else None)
    return Facts(decision.without(issue, resumed), tuple(found.comments), existing, state, found.removed, resumed)


def history(site: Site, issue: Issue) -> History:
    """From one timeline read; when it cannot be read, the comments come from the comments endpoint."""
    try:
        events = site.timeline(issue.number)
    except gh_mod.TimelineUnreadable as e:
        runner.warning(f"{e.message}: applying no label, since labels a person removed cannot be checked")
        return History(site.comments(issue.number), None, ())
    return History(
        gh_mod.timeline_comments(events),
        corrections.human_removals(events, site.bot_login),
        corrections.bot_added(events, site.bot_login, issue.labels),
    )


def plan(facts: Facts, job: Job) -> Plan:
    """Ask the provider (model failures raise here, before any write), then plan from its answer."""
    asked = providers.Request(facts.issue, job.cfg, job.settings, job.provider, job.site.repo_name)
    got = providers.recommend(asked)
    job.budget.charge(job.provider.deciding())
    result = labeling.plan(
        facts.issue,
        got.answer,
        job.cfg,
        job.settings,
        facts.state,
        provider=job.provider.deciding(),
        model=got.model,
        prompt_version=got.prompt_version,
        note=got.note,
        removed=facts.removed,
        thresholds=got.thresholds,
    )
    found = providers.duplicates(job.provider, facts.issue, DUPLICATE_THRESHOLD)
    return dataclasses.replace(result, duplicates=found, provenance=got.provenance)


def apply(site: Site, facts: Facts, result: Plan, job: Job) -> None:
    """The run's writes: labels (unless a dry run), then the audit comment when one is due."""
    if not result.dry_run:
        site.add_labels(result.issue, list(result.apply))
        for name in result.remove:
            site.remove_label(result.issue, name)
    if labeling.wants_comment(result, job.settings):
        state = decision.after(facts.state, result, result.provider)
        write_comment(site, facts, md.fit_comment(f"{audit.render(result, runner.run_url())}\n{state.line()}"))


def write_comment(site: Site, facts: Facts, body: str) -> None:
    site.upsert_comment(facts.issue.number, MARKER, body, facts.existing, known_absent=facts.existing is None)
