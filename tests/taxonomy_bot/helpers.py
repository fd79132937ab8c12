"""Helpers for the taxonomy bot tests: fixture files, a PR seeded in FakeGitHub, comment events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent
SKILL = "compositional_skills/extraction/receipt/totals"
FREEFORM = "compositional_skills/writing/poetry/haiku"
KNOWLEDGE = "knowledge/science/human_body/tonsils"
ORG_TOKEN = "ghp_fake_org_token_0123456789abcdef"


def leaf(rel: str, tree: str = "valid") -> dict[str, str]:
    """A taxonomy leaf's files (qna.yaml and attribution.txt when present) keyed by taxonomy path."""
    folder = ROOT / tree / rel
    return {f"{rel}/{p.name}": p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


def seed_pr(
    fake: Any,
    number: int = 7,
    leaves: tuple[str, ...] = (SKILL,),
    labels: tuple[str, ...] = ("skill",),
    tree: str = "valid",
    extra: dict[str, str] | None = None,
) -> str:
    files: dict[str, str | None] = {}
    for rel in leaves:
        files.update(leaf(rel, tree))
    files.update(extra or {})
    pull = fake.add_pr(number, files=files, labels=list(labels), user="contributor")
    return pull.head_sha


def comment_event(
    body: str,
    *,
    number: int = 7,
    user: str = "triager",
    association: str = "MEMBER",
    action: str = "created",
    comment_id: int = 9001,
    user_type: str = "User",
    before: str | None = None,
    is_pr: bool = True,
    state: str = "open",
) -> dict[str, Any]:
    issue: dict[str, Any] = {"number": number, "state": state, "title": "Add a skill", "user": {"login": "contributor"}}
    if is_pr:
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/acme/widgets/pulls/{number}",
            "html_url": f"https://github.com/acme/widgets/pull/{number}",
            "diff_url": "",
            "patch_url": "",
            "merged_at": None,
        }
    payload: dict[str, Any] = {
        "action": action,
        "issue": issue,
        "comment": {
            "id": comment_id,
            "body": body,
            "user": {"login": user, "type": user_type},
            "author_association": association,
        },
        "repository": {"full_name": "acme/widgets"},
        "sender": {"login": user, "type": user_type},
    }
    if before is not None:
        payload["changes"] = {"body": {"from": before}}
    return payload


def pr_event(action: str = "opened", number: int = 7, label: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": action,
        "number": number,
        "pull_request": {"number": number, "state": "open", "user": {"login": "contributor"}},
        "repository": {"full_name": "acme/widgets"},
        "sender": {"login": "contributor"},
    }
    if label:
        payload["label"] = {"name": label}
    return payload


def write_event(tmp_path: Path, payload: dict[str, Any], name: str = "event.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def write_config(tmp_path: Path, bot: str) -> str:
    path = tmp_path / "labels.yml"
    path.write_text("labels:\n  - name: skill\n  - name: knowledge\nbot:\n" + bot, encoding="utf-8")
    return str(path)


def ours(fake: Any, number: int, marker: str) -> list[str]:
    return [b for b in fake.comments(number) if b.startswith(f"<!-- labeler:{marker}")]
