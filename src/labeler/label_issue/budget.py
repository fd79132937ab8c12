"""How many model calls label-issue may spend (pure).

Per issue: the count lives in the bot's own audit comment (State.calls), so edits and repeated
`/label auto` cannot run up the bill. Per run (backlog, replay): a RunBudget counts down. Only the
hosted providers cost money; keywords and local are free and never counted. A re-ask of an
invalid answer is part of the same call.

With `comment: never` there is no comment to keep the count in, so the per-issue cap does not
apply (chosen over a hidden state comment, which `never` rules out): each run says so in a
notice, and the per-run cap (--max-model-calls) and the workflow's triggers bound the spend.
"""

from __future__ import annotations

from dataclasses import dataclass

# GitHub Models is free within limits, but counted all the same: the per-issue and per-run caps keep its daily
# quota for new issues.
PAID = frozenset({"anthropic", "openai", "github-models"})


def spends(provider: str) -> bool:
    return provider in PAID


def issue_cap_reason(provider: str, calls_so_far: int, cap: int | None) -> str | None:
    if spends(provider) and cap is not None and calls_so_far >= cap:
        return (
            f"the per-issue budget of {cap} model call(s) is spent "
            f"(label-issue.max-model-calls-per-issue in labels.yml)"
        )
    return None


def untracked_reason(provider: str, comment: str, cap: int | None) -> str | None:
    if spends(provider) and cap is not None and comment == "never":
        return (
            f"the per-issue budget ({cap} model calls) does not apply with `comment: never`: "
            "the count lives in the audit comment"
        )
    return None


@dataclass
class RunBudget:
    """A per-run cap on model calls; None = no cap."""

    cap: int | None = None
    used: int = 0

    def exhausted(self, provider: str) -> bool:
        return spends(provider) and self.cap is not None and self.used >= self.cap

    def charge(self, provider: str) -> None:
        if spends(provider):
            self.used += 1

    def reason(self) -> str:
        from labeler.errors import setting

        return (
            f"the run's budget of {self.cap} model call(s) is spent "
            f"({setting('--max-model-calls', 'max-model-calls')}): stopped here"
        )
