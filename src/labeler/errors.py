"""The one user-facing failure type: shown as ::error:: and exit 1, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: bad config, bad input, a missing key, a refused call."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return f"{where}{self.message}"


class ConfigError(UserError):
    """A config file that does not match its schema."""


def setting(flag: str, action_input: str | None = None, variable: str | None = None) -> str:
    """Name a setting the way the user sets it: inside Actions the action input (and the repository variable the
    drop-in workflow passes to it), in a terminal the command-line flag.

    >>> setting("--stable REF", "stable", "BACKPORT_STABLE")   # GITHUB_ACTIONS=true
    'the `stable` input (repository variable `BACKPORT_STABLE` in the drop-in workflow)'
    """
    import os

    if os.environ.get("GITHUB_ACTIONS") != "true" or not (action_input or variable):
        return flag
    if action_input and variable:
        return f"the `{action_input}` input (repository variable `{variable}` in the drop-in workflow)"
    return f"the `{action_input}` input" if action_input else f"the repository variable `{variable}`"
