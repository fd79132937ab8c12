"""Optional validation of requests received by FakeGitHub against GitHub's OpenAPI description.

The spec comes from npm `@octokit/openapi@23.0.2` (`bash tests/fakes/fetch_assets.sh`), found in
$LABELER_OPENAPI_DIR (the package dir or its `generated/` dir) or in
<repo>/.cache/npm/node_modules/@octokit/openapi. Loaded once per process (~0.3 s), then 3-70 ms a
request. `validator()` returns None when the spec is absent: callers skip with a warning.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._http import Request

SPEC_VERSION = "23.0.2"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".cache" / "npm" / "node_modules" / "@octokit" / "openapi"
SPEC_NAME = "api.github.com.json"

# Requests real clients send that GitHub accepts but spec 23.0.2 does not describe.
# Each entry: (method, path regex, why). Matching requests are not validated.
ALLOWED_QUIRKS: list[tuple[str, str, str]] = [
    # PyGithub follows the `url` of a team object, which GitHub serves under this legacy route.
    ("GET", r"/organizations/\d+/team/\d+(/.*)?", "legacy team URL from GitHub's own `url` fields"),
    # PyGithub's Commit.get_statuses() lists via the legacy alias of /commits/{ref}/statuses.
    ("GET", r"/repos/[^/]+/[^/]+/statuses/[^/]+", "legacy list-statuses route used by PyGithub"),
]
# The spec's {path} parameter cannot hold slashes; encode them so nested paths match.
CONTENTS = re.compile(r"(/repos/[^/]+/[^/]+/contents/)(.+)")
# PyGithub's add_to_labels()/set_labels() send a bare JSON array: validate it as {"labels": [...]}.
BARE_ARRAY_LABELS = re.compile(r"/repos/[^/]+/[^/]+/issues/\d+/labels")


def spec_path(env_dir: str | None = None) -> Path | None:
    env_dir = env_dir if env_dir is not None else os.environ.get("LABELER_OPENAPI_DIR", "")
    candidates = [Path(env_dir) / SPEC_NAME, Path(env_dir) / "generated" / SPEC_NAME] if env_dir else []
    candidates.append(DEFAULT_DIR / "generated" / SPEC_NAME)
    return next((p for p in candidates if p.is_file()), None)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Any:
    from openapi_core import Config, OpenAPI

    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))  # the 13 MB spec itself is trusted


class _SpecRequest:
    """The openapi-core request protocol, built from what the fake received."""

    def __init__(self, method: str, path: str, body: Any, query: dict[str, str]) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = "https://api.github.com"
        self.path = path
        self.full_url_pattern = self.host_url + path
        self.method = method.lower()
        self.body = json.dumps(body).encode() if body is not None else None
        self.content_type = "application/json"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(query.items())), header=Headers({}), cookie=ImmutableMultiDict(), path={}
        )


def validator(env_dir: str | None = None) -> Callable[[Request], list[str]] | None:
    """A function Request -> list of violation messages, or None when the spec is not installed."""
    path = spec_path(env_dir)
    if path is None:
        return None
    api = _load(str(path))
    return functools.partial(validate, api)


def validate(api: Any, req: Request) -> list[str]:
    from openapi_core.exceptions import OpenAPIError

    if any(m == req.method and re.fullmatch(p, req.path) for m, p, _ in ALLOWED_QUIRKS):
        return []
    if req.json_error is not None:
        return [f"{req.method} {req.path}: body is not JSON ({req.json_error})"]
    body = req.body
    if isinstance(body, list) and req.method in ("POST", "PUT") and BARE_ARRAY_LABELS.fullmatch(req.path):
        body = {"labels": body}
    path = CONTENTS.sub(lambda m: m.group(1) + m.group(2).replace("/", "%2F"), req.path)
    try:
        api.validate_request(_SpecRequest(req.method, path, body, req.query))
    except OpenAPIError as e:
        return [f"{req.method} {req.path}: {_describe(e)}"]
    return []


def _describe(error: Exception) -> str:
    """The error class plus the innermost schema messages (openapi-core repeats itself a lot)."""
    parts, cause = [f"{type(error).__name__}: {error}"], error.__cause__
    while cause is not None:
        parts += [str(getattr(sub, "message", sub)) for sub in getattr(cause, "schema_errors", None) or []]
        cause = cause.__cause__
    return " | ".join(dict.fromkeys(parts))
