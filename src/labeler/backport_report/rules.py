"""The offline `rules` provider: backport instructions in the message, then git-independent
facts (dev-only bugs, trailers, subject tags), then two passes over the whole range (a later
commit naming this one as a prerequisite; "unless X gets backported").

It is the default provider and the baseline a model must beat. Only what is known when the
commit lands is used: never whether it was backported since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from labeler.backport_report import message as msg
from labeler.backport_report import patterns as P
from labeler.backport_report import versions as V
from labeler.backport_report.refs import Item, Refs
from labeler.backport_report.rules_config import Rule, RulesConfig
from labeler.backport_report.versions import Version

__all__ = ["Decision", "Item", "classify_all", "decide"]
REASON_LIMIT = 600


class Decision(NamedTuple):
    verdict: str
    reason: str
    source: str  # instruction | conditional | dev-only | trailer | subject | culprit | lookahead | default
    depends_on: str | None = None
    own: str | None = None  # pulled in by `depends_on`: the verdict it had before


def _quote(sentence: str) -> str:
    return f'"{msg.shorten(sentence, REASON_LIMIT)}"'


def _kinds(sentence: str, config: RulesConfig) -> list[str]:
    """The instruction classes a sentence matches, strongest first: no > wait > hedged > yes."""
    builtins = P.MAYBE_INSTRUCTION.search(sentence) is not None  # one cheap scan spares four big ones
    kinds = [
        kind
        for kind, builtin in (("no", P.NO), ("wait", P.WAIT), ("hedged", P.HEDGED), ("yes", P.YES))
        if (builtins and builtin.search(sentence)) or any(p.search(sentence) for p in config.phrases.get(kind, ()))
    ]
    if kinds and kinds[0] != "no" and builtins and P.WEAK.search(sentence):
        return ["weak"]  # "could even be backported if needed": the developer leaves it open
    return kinds


class Finding(NamedTuple):
    kind: str
    sentence: str
    versions: frozenset[Version] | None  # stable versions concerned; None = all / unknown


def findings(text: str, config: RulesConfig, refs: Refs) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Instruction sentences, and conditional ones naming a commit ("unless X gets backported")."""
    found: list[Finding] = []
    conditions: list[tuple[str, str]] = []
    for sentence in msg.sentences(text):
        kinds = _kinds(sentence, config)
        if not kinds:
            continue
        named = refs.mentioned(sentence)
        if P.CONDITION.search(sentence) and (named or refs.any_ref(sentence) or P.ONLY_IF.search(sentence)):
            conditions.append((named[0] if named else "", sentence))
            continue
        if kinds[0] != "no":
            found.append(Finding(kinds[0], sentence, V.targets(sentence, config)))
            continue
        excluded = V.excluded(sentence, config)
        found.append(Finding("no", sentence, excluded))
        if len(kinds) > 1 and (excluded is None or not V.covers_all(excluded, config)):
            # "This must be backported to 2.8, 2.6 is not affected": the negation only limits.
            found.append(Finding(kinds[1], sentence, V.targets(sentence, config)))
    return found, conditions


def _from_findings(found: list[Finding], config: RulesConfig) -> Decision | None:
    plain_no = [f for f in found if f.kind == "no" and f.versions is not None and V.covers_all(f.versions, config)]
    if plain_no:
        return Decision("no", f"instruction: {_quote(plain_no[0].sentence)}", "instruction")
    excluded = frozenset().union(*(f.versions for f in found if f.kind == "no" and f.versions))
    positive = [f for f in found if f.kind != "no"]
    stable = V.stable_set(config)
    live = [f for f in positive if not stable or ((f.versions if f.versions is not None else stable) - excluded)]
    if positive and not live:
        return Decision(
            "no",
            f"the instruction does not concern {', '.join(config.stable_versions)}: {_quote(positive[0].sentence)}",
            "instruction",
        )
    for kind in ("wait", "yes", "hedged", "weak"):
        chosen = [f for f in live if f.kind == kind]
        if chosen:
            verdict = {"hedged": config.hedged, "weak": "uncertain"}.get(kind, kind)
            return Decision(verdict, f"instruction: {_quote(chosen[0].sentence)}", "instruction")
    return None


def _dev_only(item: Item, config: RulesConfig, refs: Refs) -> Decision | None:
    """A bug born in this development cycle: no release has it. A fix for a commit of the range
    follows that commit's verdict (resolved in `_conditionals`)."""
    for sentence in msg.sentences(msg.strip_diff(item.message)):
        if P.DEV_ONLY.search(sentence):
            return Decision("no", f"only affects the development branch: {_quote(sentence)}", "dev-only")
        part = P.blamed(sentence)
        if not P.INTRODUCED.search(part) and not part.lower().startswith("fixes:"):
            continue
        culprits = [sha for sha in refs.mentioned(part) if sha != item.sha]
        if culprits:
            return Decision(
                "no",
                f"fixes {culprits[0][:8]} of this development cycle: {_quote(sentence)}",
                "conditional",
                culprits[0],
            )
        if "-dev" in sentence or any(V.is_dev(V.parse(v), config) for v in P.TARGET.findall(sentence)):
            return Decision("no", f"fixes a bug of this development cycle: {_quote(sentence)}", "dev-only")
    return None


def _first_rule(lines: Iterable[str], rules: Sequence[Rule], source: str) -> Decision | None:
    for line in lines:
        for rule in rules:
            if rule.pattern.search(line):
                return Decision(rule.verdict, rule.reason, source)
    return None


def _released_culprit(item: Item, refs: Refs) -> Decision | None:
    for sentence in msg.sentences(msg.strip_diff(item.message)):
        part = P.blamed(sentence)
        if (
            (P.INTRODUCED.search(part) or part.lower().startswith("fixes:"))
            and refs.any_ref(part)
            and not refs.mentioned(part)
        ):
            return Decision(
                "uncertain",
                f"names an older commit as the cause; is a stable branch affected? {_quote(sentence)}",
                "culprit",
            )
    return None


def decide(item: Item, config: RulesConfig, refs: Refs) -> Decision:
    """The verdict of one commit from its own message (before the range-wide passes)."""
    text = msg.strip_trailers(msg.strip_diff(item.message)).split("\n", 1)[-1] if "\n" in item.message else ""
    found, conditions = findings(text, config, refs)
    decision = _from_findings(found, config)
    if decision is None and not conditions and P.NEEDED_BY_NEXT.search(text) and refs.next_of(item.sha):
        sentence = next(s for s in msg.sentences(text) if P.NEEDED_BY_NEXT.search(s))
        conditions = [(refs.next_of(item.sha) or "", sentence)]
    if decision is None and conditions:
        sha, sentence = conditions[0]
        return Decision("uncertain", f"conditional: {_quote(sentence)}", "conditional", sha or None)
    if decision is None and config.dev_only:
        decision = _dev_only(item, config, refs)
    lines = msg.strip_diff(item.message).splitlines()
    return (
        decision
        or _first_rule(lines[1:], config.trailers, "trailer")
        or _first_rule(lines[:1], config.subjects, "subject")
        or _released_culprit(item, refs)
        or Decision(config.default, "no backport instruction, trailer or subject tag applies", "default")
    )


def _lookahead(items: Sequence[Item], decisions: list[Decision], refs: Refs) -> None:
    """A commit that a later, to-be-backported commit names as a prerequisite goes along."""
    for later, decision in zip(items, list(decisions), strict=True):
        if decision.source != "instruction" or decision.verdict not in ("yes", "wait"):
            continue
        for sentence in msg.sentences(msg.strip_diff(later.message)):
            if (
                not (P.DEPENDS.search(sentence) or P.YES.search(sentence))
                or P.CULPRIT.search(sentence)
                or P.AMPLIFIED.search(sentence)  # "amplified with commit X": where a bug got worse
            ):
                continue
            for sha in refs.mentioned(sentence) + refs.previous(later.sha, sentence):
                i = refs.order[sha]
                if (
                    sha != later.sha
                    and decisions[i].source in ("default", "subject", "culprit")
                    and decisions[i].verdict != "yes"
                ):
                    # a prerequisite of a wait is decided with it later, not pulled in yet
                    verdict = "yes" if decision.verdict == "yes" else "uncertain"
                    decisions[i] = Decision(
                        verdict,
                        f"needed by {later.sha[:8]} ({decision.verdict}): {_quote(sentence)}",
                        "lookahead",
                        later.sha,
                        decisions[i].verdict if verdict == "yes" else None,
                    )


def _conditionals(decisions: list[Decision], refs: Refs) -> None:
    """Follow the named commit's verdict; in range order, so chains resolve."""
    for i, decision in enumerate(decisions):
        if decision.source == "conditional" and decision.depends_on in refs.order:
            other = decisions[refs.order[decision.depends_on]]
            verdict = {"yes": "yes", "wait": "yes", "uncertain": "uncertain"}.get(other.verdict, "no")
            decisions[i] = decision._replace(
                verdict=verdict, reason=f"{decision.reason} ({decision.depends_on[:8]}: {other.verdict})"
            )


def classify_all(items: Sequence[Item], config: RulesConfig) -> list[Decision]:
    refs = Refs(items)
    decisions = [decide(item, config, refs) for item in items]
    if config.lookahead:
        _lookahead(items, decisions, refs)
    _conditionals(decisions, refs)
    return decisions
