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
