"""GitHub errors as user errors, for callers that catch PyGithub's exceptions themselves."""

from __future__ import annotations

from labeler.errors import UserError


def refused(e: Exception, what: str) -> UserError:
    status = getattr(e, "status", None)
    data = getattr(e, "data", None)
    message = data.get("message") if isinstance(data, dict) else str(e)
    return UserError(f"GitHub refused to {what}: {status or ''} {message}".replace("  ", " ").strip())
