"""Build tests/events/*.json from npm @octokit/webhooks-examples and check them against
@octokit/webhooks-schemas (both 7.6.1, installed by tests/fakes/fetch_assets.sh).

    .venv/bin/python tests/fakes/webhooks.py        # regenerate the fixtures

Each fixture = a real example, normalised (repository acme/widgets owned by the org `acme`, small
issue numbers, users alice/bob, no `installation`), validated strictly against the schema, then
trimmed to the keys `labeler` may read. tests/test_fakes_events.py re-derives every fixture from
the package (strict validation of the untrimmed payload, equality with the committed file) and
checks the committed trimmed file leniently (missing keys allowed, present keys must conform).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NPM = ROOT / ".cache" / "npm" / "node_modules" / "@octokit"
EXAMPLES = NPM / "webhooks-examples" / "api.github.com" / "index.json"
SCHEMA = NPM / "webhooks-schemas" / "schema.json"
EVENTS_DIR = ROOT / "tests" / "events"
VERSION = "7.6.1"
REPO, OWNER = "acme/widgets", "acme"

# fixture name -> (event, example index in index.json, expected action)
SOURCES: dict[str, tuple[str, int, str | None]] = {
    "issues.opened": ("issues", 17, "opened"),
    "issues.edited": ("issues", 8, "edited"),
    "issue_comment.created": ("issue_comment", 4, "created"),
    "issue_comment.created.pr": ("issue_comment", 4, "created"),
    "issue_comment.edited": ("issue_comment", 8, "edited"),
    "pull_request.opened": ("pull_request", 12, "opened"),  # [0] predates required keys
    "workflow_dispatch": ("workflow_dispatch", 0, None),
}

USER_KEYS = ["login", "id", "node_id", "type", "site_admin", "html_url", "url"]
LABEL_KEYS = ["id", "node_id", "name", "color", "default", "description", "url"]
ISSUE_KEYS = [
    "id",
    "node_id",
    "number",
    "title",
    "body",
    "user",
    "labels",
    "state",
    "locked",
    "comments",
    "author_association",
    "created_at",
    "updated_at",
    "closed_at",
    "html_url",
    "url",
    "pull_request",
]
COMMENT_KEYS = [
    "id",
    "node_id",
    "body",
    "user",
    "author_association",
    "created_at",
    "updated_at",
    "html_url",
    "url",
    "issue_url",
]
REPO_KEYS = [
    "id",
    "node_id",
    "name",
    "full_name",
    "owner",
    "private",
    "fork",
    "html_url",
    "url",
    "default_branch",
    "visibility",
]
PULL_KEYS = [
    "id",
    "node_id",
    "number",
    "state",
    "locked",
    "title",
    "body",
    "user",
    "labels",
    "draft",
    "merged",
    "author_association",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "html_url",
    "url",
    "diff_url",
    "head",
    "base",
]
BRANCH_KEYS = ["label", "ref", "sha", "user", "repo"]
ORG_KEYS = ["login", "id", "node_id", "url"]


def available() -> bool:
    return EXAMPLES.is_file() and SCHEMA.is_file()


def load_examples() -> dict[str, list[dict[str, Any]]]:
    return {e["name"]: e["examples"] for e in json.loads(EXAMPLES.read_text(encoding="utf-8"))}


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace_strings(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_strings(v, old, new) for v in value]
    return value


def _user(user: dict[str, Any], login: str, uid: int, kind: str = "User") -> dict[str, Any]:
    out = _replace_strings(user, user["login"], login)
    out.update(login=login, id=uid, node_id=f"U_fake{uid}", type=kind)
    return out


def _retarget(payload: dict[str, Any]) -> dict[str, Any]:
    old_full = payload["repository"]["full_name"]
    payload = _replace_strings(payload, old_full, REPO)
    payload = _replace_strings(payload, old_full.split("/")[1], "widgets")
    repo = payload["repository"]
    owner = _user(repo["owner"], OWNER, 9000, "Organization")
    repo.update(name="widgets", full_name=REPO, owner=owner)
    for side in ("head", "base"):
        branch = payload.get("pull_request", {}).get(side)
        if branch:
            branch["repo"]["owner"] = branch["user"] = owner
            branch["label"] = f"{OWNER}:{branch['ref']}"
    if "organization" in payload:
        org = _replace_strings(payload["organization"], payload["organization"]["login"], OWNER)
        payload["organization"] = {**org, "login": OWNER, "id": 9000}
    return payload


def normalise(name: str, example: dict[str, Any]) -> dict[str, Any]:
    """The full (untrimmed) fixture payload derived from a package example."""
    p = _retarget(copy.deepcopy(example))
    p.pop("installation", None)
    # Keys GitHub sends today that older examples predate (the schema requires them).
    p["repository"].setdefault("web_commit_signoff_required", False)
    p["repository"].setdefault("custom_properties", {})
    alice, bob = (lambda u: _user(u, "alice", 9001)), (lambda u: _user(u, "bob", 9002))
    if "issue" in p:
        p["issue"]["user"] = alice(p["issue"]["user"])
        p["issue"]["author_association"] = "CONTRIBUTOR"
        p["sender"] = alice(p["sender"])
    if "comment" in p:
        p["comment"]["user"] = bob(p["comment"]["user"])
        p["comment"]["author_association"] = "MEMBER"
        p["comment"]["body"] = "/label bug"
        p["sender"] = bob(p["sender"])
    if name == "issues.edited":
        p["changes"] = {
            "title": {"from": "Spelling eror in README"},
            "body": {"from": "It looks like you spelled it wrong."},
        }
    if name == "issue_comment.edited":
        p["changes"] = {"body": {"from": "/label documentation"}}
    if name == "issue_comment.created.pr":
        _make_pr_comment(p)
    if "pull_request" in p:
        p["pull_request"]["user"] = alice(p["pull_request"]["user"])
        p["pull_request"]["author_association"] = "CONTRIBUTOR"
        p["sender"] = alice(p["sender"])
    if name == "workflow_dispatch":
        p["sender"] = bob(p["sender"])
        p["workflow"] = ".github/workflows/labeler.yml"
    return p


def _make_pr_comment(p: dict[str, Any]) -> None:
    """The examples have no comment on a PR: renumber to #2 and add `issue.pull_request` as GitHub does."""
    p["issue"] = _replace_strings(p["issue"], "/issues/1", "/issues/2")
    p["comment"] = _replace_strings(p["comment"], "/issues/1", "/pull/2")
    p["comment"]["issue_url"] = p["comment"]["issue_url"].replace("/pull/2", "/issues/2")
    p["issue"].update(number=2, title="Fix the spelling of commit", html_url=f"https://github.com/{REPO}/pull/2")
    p["issue"]["pull_request"] = {
        "url": f"https://api.github.com/repos/{REPO}/pulls/2",
        "html_url": f"https://github.com/{REPO}/pull/2",
        "diff_url": f"https://github.com/{REPO}/pull/2.diff",
        "patch_url": f"https://github.com/{REPO}/pull/2.patch",
        "merged_at": None,
    }


def _pick(obj: dict[str, Any] | None, keys: list[str]) -> dict[str, Any] | None:
    return None if obj is None else {k: obj[k] for k in keys if k in obj}


def trim(p: dict[str, Any]) -> dict[str, Any]:
    """Keep what the code may read; drop the ~100 URL templates and counters per object."""
    out: dict[str, Any] = {k: p[k] for k in ("action", "number", "changes", "inputs", "ref", "workflow") if k in p}
    user = lambda u: _pick(u, USER_KEYS)  # noqa: E731
    if "issue" in p:
        out["issue"] = {
            **_pick(p["issue"], ISSUE_KEYS),
            "user": user(p["issue"]["user"]),
            "labels": [_pick(x, LABEL_KEYS) for x in p["issue"]["labels"]],
        }
    if "comment" in p:
        out["comment"] = {**_pick(p["comment"], COMMENT_KEYS), "user": user(p["comment"]["user"])}
    if "pull_request" in p:
        pr = p["pull_request"]
        out["pull_request"] = {
            **_pick(pr, PULL_KEYS),
            "user": user(pr["user"]),
            "labels": [_pick(x, LABEL_KEYS) for x in pr["labels"]],
            "head": _branch(pr["head"]),
            "base": _branch(pr["base"]),
        }
    out["repository"] = {**_pick(p["repository"], REPO_KEYS), "owner": user(p["repository"]["owner"])}
    if "organization" in p:
        out["organization"] = _pick(p["organization"], ORG_KEYS)
    out["sender"] = user(p["sender"])
    return out


def _branch(b: dict[str, Any]) -> dict[str, Any]:
    out = _pick(b, BRANCH_KEYS)
    out["user"] = _pick(b["user"], USER_KEYS)
    out["repo"] = {**_pick(b["repo"], REPO_KEYS), "owner": _pick(b["repo"]["owner"], USER_KEYS)}
    return out


def build(name: str, examples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    event, index, action = SOURCES[name]
    example = examples[event][index]
    assert example.get("action") == action, f"{name}: example {event}[{index}] is {example.get('action')!r}"
    return normalise(name, example)


def definition(name: str, payload: dict[str, Any]) -> str:
    event = name.split(".")[0]
    return f"{event}${payload['action']}" if "action" in payload else f"{event}$event"


def strict_errors(schema: dict[str, Any], name: str, payload: dict[str, Any]) -> list[str]:
    return [_fmt(e) for e in _validator(schema, name, payload).iter_errors(payload)]


def lenient_errors(schema: dict[str, Any], name: str, payload: dict[str, Any]) -> list[str]:
    """Errors other than missing keys: what is present must have the right type/enum/format."""
    return [_fmt(e) for e in _validator(schema, name, payload).iter_errors(payload) if not _only_missing(e)]


def _validator(schema: dict[str, Any], name: str, payload: dict[str, Any]) -> Any:
    import jsonschema

    ref = {"$ref": f"#/definitions/{definition(name, payload)}", "definitions": schema["definitions"]}
    return jsonschema.Draft7Validator(ref)


def _only_missing(error: Any) -> bool:
    if error.validator == "required":
        return True
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        return any(all(_only_missing(s) for s in subs) for subs in branches.values())
    return False


def _fmt(error: Any) -> str:
    return f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:200]}"


def main() -> int:
    if not available():
        print("webhook packages missing: run bash tests/fakes/fetch_assets.sh", file=sys.stderr)
        return 1
    examples, schema = load_examples(), load_schema()
    for name in SOURCES:
        payload = build(name, examples)
        errors = strict_errors(schema, name, payload)
        if errors:
            print(f"{name}: {len(errors)} schema errors, e.g. {errors[:3]}", file=sys.stderr)
            return 1
        path = EVENTS_DIR / f"{name}.json"
        path.write_text(json.dumps(trim(payload), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
