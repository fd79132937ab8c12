"""Lists through every page, and the request quota as the last response reported it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labeler.gh import GitHub

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def pages(gh: GitHub, path: str, params: dict[str, Any] | None = None, *, limit: int = 100) -> list[Any]:
    """GET a list through every Link: rel="next" page (at most `limit` pages).

    One request per page, through the requester: PyGithub's `repo.get_pull(n)` / `get_issue(n)`
    would add a GET per object first."""
    url: str | None = path if path.startswith("http") else f"{gh.repo.url}{path}"
    params = {"per_page": 100, **(params or {})}
    items: list[Any] = []
    for _ in range(limit):
        if url is None:
            break
        headers, data = gh.client.requester.requestJsonAndCheck("GET", url, parameters=params)
        items.extend(data if isinstance(data, list) else [])  # a non-list answer (a proxy's page) lists nothing
        found = _NEXT.search({k.lower(): v for k, v in (headers or {}).items()}.get("link", ""))
        url, params = (found.group(1), None) if found else (None, None)
    return items


def rate_limit(gh: GitHub) -> tuple[int, int]:
    """(requests remaining, reset time in epoch seconds) from the last response's headers: no request.
    Remaining is negative before the first response."""
    remaining, _ = gh.client.requester.rate_limiting
    return int(remaining), int(gh.client.requester.rate_limiting_resettime)
