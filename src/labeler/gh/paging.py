"""The one way a list is read: 100 items a request, following Link: rel="next"; and the request quota.

Raw requests through the requester: PyGithub's objects (`repo.get_pull(n).get_files()`) would add a GET
per object first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from labeler.gh.errors import GitHubError, request_name

if TYPE_CHECKING:
    from labeler.gh.client import GitHub

PER_PAGE = 100
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def next_link(headers: dict[str, str]) -> str | None:
    """The rel="next" URL of a Link header (names lower-cased), or None on the last page."""
    found = _NEXT.search(headers.get("link", ""))
    return found.group(1) if found else None


def pages(
    gh: GitHub,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    limit: int | None = 100,
    enough: Callable[[list[Any]], bool] | None = None,
) -> list[Any]:
    """GET a list through every page: at most `limit` pages (None: all), stopping early once `enough(items)`.

    An answer that is not a list (a proxy's error page, a changed API) is a GitHubError, not an empty list."""
    url: str | None = path  # then the absolute URLs of Link headers
    query: dict[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
    items: list[Any] = []
    read = 0
    while url is not None and (limit is None or read < limit):
        headers, data = gh.request("GET", url, params=query)
        if not isinstance(data, list):
            raise GitHubError(
                "GitHub's answer was not a list: check that GITHUB_API_URL points at the REST API",
                request=request_name("GET", gh.url(url)),
                status=200,
            )
        items += data
        read += 1
        if enough is not None and enough(items):
            break
        url, query = next_link(headers), None
    return items


def rate_limit(gh: GitHub) -> tuple[int, int]:
    """(requests remaining, reset time in epoch seconds) from the last response's headers: no request.
    Remaining is negative before the first response."""
    remaining, _ = gh.client.requester.rate_limiting
    return int(remaining), int(gh.client.requester.rate_limiting_resettime)
