"""The keyless chain: GitHub Models through the workflow token, and the offline provider when it cannot answer.

GitHub Models refuses the token (401/403) when the job lacks `permissions: models: read` or the account has
no Models access, may be down, and stops answering when the free limits are spent. None is the issue's fault:
a single issue is labeled by the offline provider instead, and the run says why once. A backlog stops at
spent limits (its next run resumes: labeled issues no longer qualify) and goes offline otherwise; a replay
measures one provider, so it stops on any (its answers so far are cached).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from labeler import llm, runner

T = TypeVar("T")


@dataclass
class Fallback:
    """Run state, shared by every issue of the run."""

    offline: str | None  # the provider that answers instead; None: stop instead (replay)
    stop_when_spent: bool = False  # spent limits stop the run (backlog) rather than go offline
    reason: str = ""  # why GitHub Models is out for the rest of the run

    def deciding(self, asked: str) -> str:
        """Who answered the last question: the offline provider once GitHub Models is out."""
        return self.offline if self.reason and self.offline else asked


def offline_default(model_path: str | None, learn: bool = False) -> str:
    """The provider a run without a hosted model uses: labeling issues (`learn`), the model learned from the
    repository's history; else (a replay) the local model or the keywords."""
    return "learned" if learn else "local" if model_path else "keywords"


def ask(fallback: Fallback | None, model: Callable[[], T], offline: Callable[[str], T]) -> T:
    """`model()`, or `offline(name)` once GitHub Models will not answer; ModelUnavailable when the run stops."""
    if fallback is None:
        return model()
    if not fallback.reason:
        try:
            return model()
        except llm.ModelUnavailable as e:
            if fallback.offline is None or (fallback.stop_when_spent and e.spent):
                raise
            fallback.reason = e.message
            runner.warning(f"{e.message}. Labeling with the offline {fallback.offline} provider meanwhile.")
    return offline(fallback.offline or "keywords")
