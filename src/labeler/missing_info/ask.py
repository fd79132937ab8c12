"""missing-info's model path: ask a model whether an issue is complete (prompts/missing_info.md)."""

from __future__ import annotations

from typing import Any

from labeler import limits, llm
from labeler.missing_info.checks import ANSWER_SCHEMA, MissingInfo, build_prompt


def check_llm(model: Any, title: str, body: str | None, *, kind: str = "bug", folder: str | None = None) -> MissingInfo:
    system, user = build_prompt(title, body, kind=kind, folder=folder)
    if budget := getattr(model, "max_input_tokens", None):  # GitHub Models' free request size: cut the body
        (system, user), _ = limits.fit(lambda b: build_prompt(title, b, kind=kind, folder=folder), body or "", budget)
    answer = llm.ask_json(model, system=system, prompt=user, schema=ANSWER_SCHEMA, max_tokens=600)
    missing = [" ".join(str(m).split())[:200] for m in answer["missing"] if str(m).strip()][:8]
    complete = bool(answer["complete"]) or not missing
    return MissingInfo(
        missing=[] if complete else missing,
        complete=complete,
        source="llm",
        remarks=" ".join(str(answer["remarks"]).split())[:500],
    )
