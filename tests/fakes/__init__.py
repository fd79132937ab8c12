"""Offline stand-ins for GitHub and the LLM APIs: loopback HTTP servers the real clients talk to.

Import as `from fakes import FakeGitHub, FakeLLM` (tests/ is on sys.path via tests/conftest.py).
Fixtures wrapping them live in tests/conftest.py: fake_github, fake_llm, event_file, actions_env.
"""

from __future__ import annotations

from .github_server import FakeGitHub
from .llm_server import FakeLLM, Raw, Stopped


class NetworkBlocked(RuntimeError):
    """Raised instead of touching the network; not an OSError, so clients do not retry it."""


__all__ = ["FakeGitHub", "FakeLLM", "NetworkBlocked", "Raw", "Stopped"]
