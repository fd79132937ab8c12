"""The GitHub layer: the only code that talks to GitHub (over PyGithub's requester). This face hands names on.

The client and one repository's calls: labeler.gh.client. Lists: labeler.gh.paging (the one paging function).
Failures: one type, labeler.gh.errors.GitHubError (a UserError); nothing of PyGithub or requests leaves the package.
POST retries: labeler.gh.writes. Records built from GitHub's dicts: labeler.gh.records.
"""

from __future__ import annotations

from labeler.gh.client import DEFAULT_BOT_LOGIN, Client, GitHub, connect, open_repo, request, same_context
from labeler.gh.errors import GitHubError, TimelineUnreadable
from labeler.gh.issues import open_issues
from labeler.gh.records import Comment, Issue, PullRequest
from labeler.gh.timeline import issue_timeline, timeline_comments

__all__ = [
    "DEFAULT_BOT_LOGIN",
    "Client",
    "Comment",
    "GitHub",
    "GitHubError",
    "Issue",
    "PullRequest",
    "TimelineUnreadable",
    "connect",
    "issue_timeline",
    "open_issues",
    "open_repo",
    "request",
    "same_context",
    "timeline_comments",
]
