"""The offline `rules` provider: backport instructions in the message, then git-independent
facts (dev-only bugs, trailers, subject tags), then two passes over the whole range (a later
commit naming this one as a prerequisite; "unless X gets backported").

It is the default provider and the baseline a model must beat. Only what is known when the
commit lands is used: never whether it was backported since.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from labeler.backport import message as msg
from labeler.backport import patterns as P
from labeler.backport.rules_config import Rule, RulesConfig

REASON_LIMIT = 300
Version = tuple[int, int]


class Decision(NamedTuple):
    verdict: str
    reason: str
    source: str  # instruction | conditional | dev-only | trailer | subject | culprit | lookahead | default
    depends_on: str | None = None


@dataclass(frozen=True)
class Item:
    sha: str
    subject: str
    message: str


class Refs:
    """Resolves commit references (abbreviated shas, subjects, "the previous commit") to commits
    of the range."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        self.order = {item.sha: i for i, item in enumerate(items)}
        self.by_subject = {item.subject: item.sha for item in items}
        self.by_head: dict[str, list[str]] = {}
        for item in items:
            if len(item.subject) >= 12 and P.SUBJECT_START.match(item.subject):
                self.by_head.setdefault(item.subject[:12], []).append(item.subject)

    def resolve(self, ref: str) -> str | None:
        if ref in self.by_subject:
            return self.by_subject[ref]
        found = [sha for sha in self.order if sha.startswith(ref.lower())] if len(ref) >= 7 else []
        return found[0] if len(found) == 1 else None

    def mentioned(self, sentence: str) -> list[str]:
        refs = [m.group(1) for m in (*P.SHA.finditer(sentence), *P.QUOTED_SUBJECT.finditer(sentence))]
        refs += self._subjects_in(sentence)
        return list(dict.fromkeys(sha for sha in (self.resolve(r) for r in refs) if sha))

    def _subjects_in(self, sentence: str) -> list[str]:
        """Subjects of the range quoted without quotes (bullet lists of prerequisites)."""
        found = []
        for match in P.SUBJECT_START.finditer(sentence):
            at = match.start()
            found += [s for s in self.by_head.get(sentence[at:at + 12], ()) if sentence.startswith(s, at)]
        return found

    def previous(self, sha: str, sentence: str) -> list[str]:
        """The commits "the previous commit" / "the two previous patches" point at. A plural without
        a number means the run of earlier commits by the same author in the same area (at most 5)."""
        match = P.PREVIOUS.search(sentence)
        if not match:
            return []
        at = self.order[sha]
        words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
        if match.group(1):
            count = int(words.get(match.group(1).lower(), match.group(1)))
            return [self.items[i].sha for i in range(max(0, at - count), at)]
        if match.group(2).lower() in ("commit", "patch", "fix", "one"):
            return [self.items[at - 1].sha] if at else []
        return self._same_run(at)

    def _same_run(self, at: int) -> list[str]:
        me = self.items[at]
        run = []
        for i in range(at - 1, max(-1, at - 6), -1):
            if _area(self.items[i].subject) != _area(me.subject):
                break
            run.append(self.items[i].sha)
        return run

    def next_of(self, sha: str) -> str | None:
        at = self.order[sha] + 1
        return self.items[at].sha if at < len(self.items) else None

    def any_ref(self, sentence: str) -> bool:
        return bool(P.SHA.search(sentence) or P.QUOTED_SUBJECT.search(sentence))


def _area(subject: str) -> str:
    """`BUG/MINOR: quic: fix x` -> `quic`: the subsystem haproxy-style subjects name."""
    parts = subject.split(":")
    return parts[1].strip().lower() if len(parts) > 2 else parts[0].strip().lower()


def _v(text: str) -> Version:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def _quote(sentence: str) -> str:
    text = sentence if len(sentence) <= REASON_LIMIT else sentence[:REASON_LIMIT - 1] + "\u2026"
    return f'"{text}"'


def _kinds(sentence: str, config: RulesConfig) -> list[str]:
    """The instruction classes a sentence matches, strongest first: no > wait > hedged > yes."""
    return [kind for kind, builtin in (("no", P.NO), ("wait", P.WAIT), ("hedged", P.HEDGED), ("yes", P.YES))
            if builtin.search(sentence) or any(p.search(sentence) for p in config.phrases.get(kind, ()))]


class Finding(NamedTuple):
    kind: str
    sentence: str
    versions: frozenset[Version] | None  # stable versions concerned; None = all / unknown


ALL: frozenset[Version] = frozenset({(-1, -1)})  # "every stable version", also when none is known


def _stable(config: RulesConfig) -> frozenset[Version]:
    return frozenset(_v(s) for s in config.stable_versions)


def _is_dev(version: Version, config: RulesConfig) -> bool:
    return config.dev_version is not None and version >= _v(config.dev_version)


def _positive_targets(sentence: str, config: RulesConfig) -> frozenset[Version] | None:
    stable = _stable(config)
    only = [_v(a or b) for a, b in P.ONLY.findall(sentence)]
    named = [_v(m) for m in P.TARGET.findall(sentence)]
    if not stable:
        return None
    if only:
        return frozenset(v for v in only if v in stable)
    named = [v for v in named if not _is_dev(v, config)]
    return frozenset(s for s in stable if s >= min(named)) if named else None


def _negation_clause(sentence: str, config: RulesConfig) -> tuple[str, str]:
    """(the clause holding the negation, its part from the negation on): in "Backport is not needed,
    the code doesn't exist in older versions" the "older" explains, it does not limit."""
    found = [P.NO.search(sentence), *(p.search(sentence) for p in config.phrases.get("no", ()))]
    match = next((m for m in found if m), None)
    if match is None:
        return sentence, sentence
    bounds = [b for b in P.CLAUSE_END.finditer(sentence, 0, match.start())]
    start = bounds[-1].end() if bounds else 0
    previous = bounds[-2].end() if len(bounds) > 1 else 0
    if bounds and not sentence[start:match.start()].strip() and bounds[-1].group() == "," \
            and not re.search(P.BACKPORT, sentence[previous:start], re.I):
        start = previous  # "For 2.6 and older, no backport is needed": the limit leads the clause
    end_match = P.CLAUSE_END.search(sentence, match.end())
    end = end_match.start() if end_match else len(sentence)
    return sentence[start:end], sentence[match.start():end]


def _excluded(sentence: str, config: RulesConfig) -> frozenset[Version] | None:
    """Stable versions a negation rules out; None when its scope is a limit we cannot place."""
    stable = _stable(config)
    clause, after = _negation_clause(sentence, config)
    named = [_v(m) for m in P.TARGET.findall(clause)] + [_v(a or b) for a, b in P.ONLY.findall(clause)]
    named += [_v(m) for m in P.SUBJECT_VERSION.findall(clause)]
    if any(_is_dev(v, config) for v in named) or "-dev" in clause:
        return stable or ALL
    lower = [_v(m) for m in P.LOWER_BOUND.findall(clause)]
    older = [_v(m) for m in P.AND_OLDER.findall(clause)] + named
    if lower or older:
        if not stable:
            return None
        bound = max(older + [(v[0], v[1] - 1) for v in lower])
        return frozenset(s for s in stable if s <= bound)
    if P.SCOPE.search(after):
        return None
    return stable or ALL


def _covers_all(excluded: frozenset[Version], config: RulesConfig) -> bool:
    stable = _stable(config)
    return excluded == ALL or (bool(stable) and stable <= excluded)


def findings(text: str, config: RulesConfig, refs: Refs) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Instruction sentences, and conditional ones naming a commit ("unless X gets backported")."""
    found: list[Finding] = []
    conditions: list[tuple[str, str]] = []
    for sentence in msg.sentences(text):
        kinds = _kinds(sentence, config)
        if not kinds:
            continue
        named = refs.mentioned(sentence)
        if P.CONDITION.search(sentence) and (named or refs.any_ref(sentence)):
            conditions.append((named[0] if named else "", sentence))
            continue
        if kinds[0] != "no":
            found.append(Finding(kinds[0], sentence, _positive_targets(sentence, config)))
            continue
        excluded = _excluded(sentence, config)
        found.append(Finding("no", sentence, excluded))
        if len(kinds) > 1 and (excluded is None or not _covers_all(excluded, config)):
            # "This must be backported to 2.8, 2.6 is not affected": the negation only limits.
            found.append(Finding(kinds[1], sentence, _positive_targets(sentence, config)))
    return found, conditions


def _from_findings(found: list[Finding], config: RulesConfig) -> Decision | None:
    plain_no = [f for f in found if f.kind == "no" and f.versions is not None and _covers_all(f.versions, config)]
    if plain_no:
        return Decision("no", f"instruction: {_quote(plain_no[0].sentence)}", "instruction")
    excluded = frozenset().union(*(f.versions for f in found if f.kind == "no" and f.versions))
    positive = [f for f in found if f.kind != "no"]
    stable = _stable(config)
    live = [f for f in positive if not stable or ((f.versions if f.versions is not None else stable) - excluded)]
    if positive and not live:
        return Decision("no", f"the instruction does not concern {', '.join(config.stable_versions)}: "
                              f"{_quote(positive[0].sentence)}", "instruction")
    for kind in ("wait", "yes", "hedged"):
        chosen = [f for f in live if f.kind == kind]
        if chosen:
            verdict = config.hedged if kind == "hedged" else kind
            return Decision(verdict, f"instruction: {_quote(chosen[0].sentence)}", "instruction")
    return None


def _dev_only(item: Item, config: RulesConfig, refs: Refs) -> Decision | None:
    """A bug born in this development cycle: no release has it. A fix for a commit of the range
    follows that commit's verdict (resolved in `_conditionals`)."""
    for sentence in msg.sentences(msg.strip_diff(item.message)):
        if P.DEV_ONLY.search(sentence):
            return Decision("no", f"only affects the development branch: {_quote(sentence)}", "dev-only")
        if not P.INTRODUCED.search(sentence) and not sentence.lower().startswith("fixes:"):
            continue
        culprits = [sha for sha in refs.mentioned(sentence) if sha != item.sha]
        if culprits:
            return Decision("no", f"fixes {culprits[0][:8]} of this development cycle: {_quote(sentence)}",
                            "conditional", culprits[0])
        if "-dev" in sentence or any(_is_dev(_v(v), config) for v in P.TARGET.findall(sentence)):
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
        if (P.INTRODUCED.search(sentence) or sentence.lower().startswith("fixes:")) and refs.any_ref(sentence) \
                and not refs.mentioned(sentence):
            return Decision("uncertain", f"names an older commit as the cause; is a stable branch affected? "
                                         f"{_quote(sentence)}", "culprit")
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
    return (decision or _first_rule(lines[1:], config.trailers, "trailer")
            or _first_rule(lines[:1], config.subjects, "subject")
            or _released_culprit(item, refs)
            or Decision(config.default, "no backport instruction, trailer or subject tag applies", "default"))


def _lookahead(items: Sequence[Item], decisions: list[Decision], refs: Refs) -> None:
    """A commit that a later, to-be-backported commit names as a prerequisite goes along."""
    for later, decision in zip(items, list(decisions), strict=True):
        if decision.source != "instruction" or decision.verdict not in ("yes", "wait"):
            continue
        for sentence in msg.sentences(msg.strip_diff(later.message)):
            if not (P.DEPENDS.search(sentence) or P.YES.search(sentence)) or P.CULPRIT.search(sentence):
                continue
            for sha in refs.mentioned(sentence) + refs.previous(later.sha, sentence):
                i = refs.order[sha]
                if sha != later.sha and decisions[i].source in ("default", "subject", "culprit") \
                        and decisions[i].verdict != "yes":
                    decisions[i] = Decision(decision.verdict, f"needed by {later.sha[:8]}: {_quote(sentence)}",
                                            "lookahead")


def _conditionals(decisions: list[Decision], refs: Refs) -> None:
    """Follow the named commit's verdict; in range order, so chains resolve."""
    for i, decision in enumerate(decisions):
        if decision.source == "conditional" and decision.depends_on in refs.order:
            other = decisions[refs.order[decision.depends_on]]
            verdict = {"yes": "yes", "wait": "yes", "uncertain": "uncertain"}.get(other.verdict, "no")
            decisions[i] = decision._replace(verdict=verdict, reason=f"{decision.reason} "
                                             f"({decision.depends_on[:8]}: {other.verdict})")


def classify_all(items: Sequence[Item], config: RulesConfig) -> list[Decision]:
    refs = Refs(items)
    decisions = [decide(item, config, refs) for item in items]
    if config.lookahead:
        _lookahead(items, decisions, refs)
    _conditionals(decisions, refs)
    return decisions
