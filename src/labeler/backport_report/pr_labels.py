"""Reading the backport labels of the range's pull requests from GitHub (the edge): one listing per
configured label name, only when some commit of the range came through a pull request.

`auto` reads them when the job has a token and a repository and turns a failure into a warning
(verdicts then use git alone); `on` makes a failure the job's error; `off` never asks GitHub."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

from labeler import runner
from labeler.backport_report.pulls import LabelRule
from labeler.errors import UserError, setting


def read(
    mode: str, numbers: Collection[int], rules: Sequence[LabelRule], since: str | None
) -> dict[int, frozenset[str]]:
    """PR number -> the configured label names it carries, for the PRs in `numbers`."""
    if mode == "off" or not numbers or not rules:
        return {}
    missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not os.environ.get(name)]
    if missing:
        if mode == "on":
            raise UserError(
                f"reading pull request labels ({setting('--pr-labels on', 'pr-labels')}) needs "
                f"{' and '.join(missing)} (the action's github-token input and the workflow's repository)"
            )
        return {}
    try:
        return _read(numbers, rules, since)
    except UserError as problem:  # the gh layer's GitHubError, or a garbled answer; anything else is a bug
        if mode == "on":
            raise
        runner.warning(f"pull request labels were not read, verdicts use git alone: {problem}")
        return {}


def _read(numbers: Collection[int], rules: Sequence[LabelRule], since: str | None) -> dict[int, frozenset[str]]:
    from labeler import gh
    from labeler.gh import pulls

    hub = gh.open_repo()
    wanted = set(numbers)
    found: dict[int, set[str]] = {}
    for name in dict.fromkeys(rule.name for rule in rules):
        for number in pulls.with_label(hub, name, since):
            if number in wanted:
                found.setdefault(number, set()).add(name)
    return {n: frozenset(names) for n, names in found.items()}
