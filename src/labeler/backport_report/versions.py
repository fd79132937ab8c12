"""Version arithmetic of instructions: which stable versions a request targets ("as far as 2.6",
"2.8 only") and which a negation rules out ("No backport needed before 2.6", "2.6 is not
affected"). Versions are (major, minor) tuples."""

from __future__ import annotations

import re

from labeler.backport_report import patterns as P
from labeler.backport_report.rules_config import RulesConfig

Version = tuple[int, int]


def parse(text: str) -> Version:
    """`2.8.4` -> (2, 8)."""
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


ALL: frozenset[Version] = frozenset({(-1, -1)})  # "every stable version", also when none is known


def stable_set(config: RulesConfig) -> frozenset[Version]:
    return frozenset(parse(s) for s in config.stable_versions)


def is_dev(version: Version, config: RulesConfig) -> bool:
    return config.dev_version is not None and version >= parse(config.dev_version)


def targets(sentence: str, config: RulesConfig) -> frozenset[Version] | None:
    stable = stable_set(config)
    only = [parse(a or b) for a, b in P.ONLY.findall(sentence)]
    named = [parse(m) for m in P.TARGET.findall(sentence)]
    if not stable:
        return None
    if only:
        return frozenset(v for v in only if v in stable)
    named = [v for v in named if not is_dev(v, config)]
    return frozenset(s for s in stable if s >= min(named)) if named else None


def _negation_clause(sentence: str, config: RulesConfig) -> tuple[str, str]:
    """(the clause holding the negation, its part from the negation on): in "Backport is not needed,
    the code doesn't exist in older versions" the "older" explains, it does not limit."""
    found = [P.NO.search(sentence), *(p.search(sentence) for p in config.phrases.get("no", ()))]
    match = next((m for m in found if m), None)
    if match is None:
        return sentence, sentence
    bounds = list(P.CLAUSE_END.finditer(sentence, 0, match.start()))
    start = bounds[-1].end() if bounds else 0
    previous = bounds[-2].end() if len(bounds) > 1 else 0
    if (
        bounds
        and not sentence[start : match.start()].strip()
        and bounds[-1].group() == ","
        and not re.search(P.BACKPORT, sentence[previous:start], re.I)
    ):
        start = previous  # "For 2.6 and older, no backport is needed": the limit leads the clause
    end_match = P.CLAUSE_END.search(sentence, match.end())
    end = end_match.start() if end_match else len(sentence)
    return sentence[start:end], sentence[match.start() : end]


def excluded(sentence: str, config: RulesConfig) -> frozenset[Version] | None:
    """Stable versions a negation rules out; None when its scope is a limit we cannot place."""
    stable = stable_set(config)
    clause, after = _negation_clause(sentence, config)
    named = [parse(m) for m in P.TARGET.findall(clause)] + [parse(a or b) for a, b in P.ONLY.findall(clause)]
    named += [parse(m) for m in P.SUBJECT_VERSION.findall(clause)]
    if any(is_dev(v, config) for v in named) or "-dev" in clause:
        return stable or ALL
    lower = [parse(m) for m in P.LOWER_BOUND.findall(clause)]
    older = [parse(m) for m in P.AND_OLDER.findall(clause)] + named
    if lower or older:
        if not stable:
            return None
        bound = max(older + [(v[0], v[1] - 1) for v in lower])
        return frozenset(s for s in stable if s <= bound)
    if P.SCOPE.search(after):
        return None
    return stable or ALL


def covers_all(excluded: frozenset[Version], config: RulesConfig) -> bool:
    stable = stable_set(config)
    return excluded == ALL or (bool(stable) and stable <= excluded)
