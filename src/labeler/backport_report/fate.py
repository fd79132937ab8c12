"""Git-aware passes of the rules provider, after each commit's own verdict: release commits, code
absent from the stable tree, fixes that follow the fate of the commit they fix, and prerequisites
pulled in by the commits that need them. Pure: decisions, facts and relations in, decisions out."""

from __future__ import annotations

from collections.abc import Sequence

from labeler.backport_report import patterns as P
from labeler.backport_report.facts import Facts
from labeler.backport_report.pulls import LabelRule, verdict_of
from labeler.backport_report.refs import Item
from labeler.backport_report.relations import Relations
from labeler.backport_report.rules import Decision
from labeler.backport_report.rules_config import RulesConfig

POSITIVE = ("yes", "wait")
RELEASE = P.RELEASE
_KEEP_OWN = ("instruction", "conditional", "release")
# Below this share of commits carrying a backport instruction, a project does not write them, and
# the absence of one says nothing: fix signals decide instead (`fix_signals: auto`).
INSTRUCTED_SHARE = 0.05
_SIGNALLED = ("default", "subject", "culprit")


def _short(paths: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def own(item: Item, decision: Decision, facts: Facts) -> Decision:
    """The commit alone: a release is no; a change whose every path is absent from stable is no
    unless its message asks for a backport in so many words."""
    if RELEASE.search(item.subject):
        return Decision("no", "a release, version bump or merge commit", "release")
    if facts.all_absent(item.sha) and not (decision.source == "instruction" and decision.verdict in POSITIVE):
        files = facts.files.get(item.sha, ())
        return Decision(
            "no",
            f"the code it changes is not in {facts.stable_name}: {_short(files)} "
            f"{'is' if len(files) == 1 else 'are'} absent there",
            "absent",
        )
    return decision


def pr_label(item: Item, decision: Decision, facts: Facts, rules: Sequence[LabelRule]) -> Decision:
    """The label of the pull request that brought the commit decides (a maintainer's decision on the
    whole PR), unless the commit's own message instructs or is conditional, it is a release, or its
    code is absent from stable."""
    if not rules or decision.source in _KEEP_OWN or decision.source == "absent":
        return decision
    number, labels = facts.pull_labels(item.sha)
    rule = verdict_of(labels, rules)
    if rule is None:
        return decision
    return Decision(rule.verdict, f'pull request #{number} is labelled "{rule.name}"', "pr-label")


def instructed(decisions: Sequence[Decision]) -> bool:
    """Does this range's project write backport instructions (then no instruction means no)?"""
    said = sum(d.source in ("instruction", "conditional") for d in decisions)
    return bool(decisions) and said >= INSTRUCTED_SHARE * len(decisions)


def fix_signal(item: Item, decision: Decision, facts: Facts, rel: Relations) -> Decision:
    """For projects without instructions: a fix of a commit older than the cycle (on stable or in a
    release), or one closing an issue, with a `Fixes:` trailer, a regression or a follow-up, is a
    candidate to watch (wait); a fix word in the subject alone is uncertain. Code absent from
    stable, releases and the commit's own instructions keep their verdict."""
    if decision.source not in _SIGNALLED or decision.verdict in POSITIVE or facts.all_absent(item.sha):
        return decision
    released = [a for a in rel.fixes_outside.get(item.sha, []) if facts.outside_on_stable(a) is not False]
    if released:
        where = "on " + facts.stable_name if facts.outside_on_stable(released[0]) else "older than this cycle"
        return Decision(
            "wait", f"fixes {released[0]}, {where}: the stable branches likely have the bug", "released-fix"
        )
    body = item.message.split("\n", 1)[1] if "\n" in item.message else ""
    match = P.FIX_REPORT.search(item.subject) or P.FIX_REPORT.search(body)
    if match:
        return Decision(
            "wait", f"a fix ({match.group(0).strip()!r}) of code that is on {facts.stable_name}", "fix-report"
        )
    if P.FIX_WORD.search(item.subject):
        return Decision(
            "uncertain", f"the subject says it fixes something in code that is on {facts.stable_name}", "fix-word"
        )
    return decision


def _follow(item: Item, culprit: str, decisions: list[Decision], order: dict[str, int], facts: Facts) -> Decision:
    if culprit in facts.on_stable:
        return Decision(
            "yes",
            f"fixes {culprit[:8]}, which is already on {facts.stable_name}: pick this fix too",
            "follows",
            culprit,
        )
    other = decisions[order[culprit]]
    if other.verdict == "wait":  # the culprit itself is not picked yet: decide the two together
        return Decision("uncertain", f"fixes {culprit[:8]}, which waits: decide both together", "follows", culprit)
    if other.verdict in POSITIVE:
        return Decision(
            "yes", f"fixes {culprit[:8]} ({other.verdict}): pick both together, {culprit[:8]} first", "follows", culprit
        )
    if other.verdict == "uncertain":
        return Decision(
            "uncertain", f"fixes {culprit[:8]}, whose verdict is uncertain: decide both together", "follows", culprit
        )
    return Decision(
        "no",
        f"fixes {culprit[:8]} of this development cycle, which is not backported ({other.verdict})",
        "follows",
        culprit,
    )


def _older_cause(sha: str, rel: Relations, facts: Facts) -> bool:
    """The message also blames a commit older than the cycle, not known to be absent from stable
    ("broken since 1513c54, made worse by 7bf829a"): the bug is on stable whatever the dev commit's fate."""
    return any(facts.outside_on_stable(a) is not False for a in rel.fixes_outside.get(sha, []))


def follow_fixes(items: Sequence[Item], decisions: list[Decision], rel: Relations, facts: Facts) -> None:
    """In range order, so chains of fixes resolve: a fix goes where the commit it fixes goes; when that
    commit stays behind but the fix also blames an older one, the fix's own verdict stands."""
    order = {item.sha: i for i, item in enumerate(items)}
    for i, item in enumerate(items):
        culprits = rel.fixes.get(item.sha, [])
        if culprits and decisions[i].source not in ("release", "needed"):
            followed = _follow(item, culprits[0], decisions, order, facts)
            if followed.verdict in POSITIVE or not _older_cause(item.sha, rel, facts):
                decisions[i] = followed


def pull_prerequisites(items: Sequence[Item], decisions: list[Decision], rel: Relations) -> None:
    """Newest first, so a chain of prerequisites is pulled in: a commit needed by one that goes."""
    order = {item.sha: i for i, item in enumerate(items)}
    for i in range(len(items) - 1, -1, -1):
        if decisions[i].verdict in POSITIVE or decisions[i].source in _KEEP_OWN:
            continue
        for child in rel.needed_by.get(items[i].sha, []):
            theirs = decisions[order[child]]
            if theirs.verdict == "yes":
                decisions[i] = Decision(
                    "yes", f"needed by {child[:8]} (yes): pick it first", "needed", child, decisions[i].verdict
                )
                break
            if theirs.verdict == "wait" and decisions[i].verdict != "uncertain":
                # A deferred pick does not pull a series in yet: decide the two together later.
                decisions[i] = Decision(
                    "uncertain", f"needed by {child[:8]}, which waits: decide both together", "needed", child
                )


def apply(
    items: Sequence[Item], decisions: Sequence[Decision], config: RulesConfig, facts: Facts, rel: Relations
) -> list[Decision]:
    rules = config.label_rules() if facts.pr_labels else []
    out = [pr_label(item, own(item, d, facts), facts, rules) for item, d in zip(items, decisions, strict=True)]
    if config.fix_signals is True or (config.fix_signals == "auto" and not instructed(decisions)):
        out = [fix_signal(item, d, facts, rel) for item, d in zip(items, out, strict=True)]
    for _ in range(2):  # a prerequisite pulled in can change the fate of its fixes, and back
        follow_fixes(items, out, rel, facts)
        if config.lookahead:
            pull_prerequisites(items, out, rel)
    return out


def classify(
    items: Sequence[Item], config: RulesConfig, facts: Facts | None = None, rel: Relations | None = None
) -> tuple[list[Decision], Relations]:
    """The rules provider over a whole range: each commit's own verdict, then the git-aware passes."""
    from labeler.backport_report import rules
    from labeler.backport_report.relations import relate

    rel = rel if rel is not None else relate(items)
    return apply(items, rules.classify_all(items, config), config, facts or Facts(), rel), rel
