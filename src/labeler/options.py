"""Command-line options several commands share: one name, type, env var and help for each."""

from __future__ import annotations

import click

EVENT_HELP = "Webhook event payload (JSON file); in Actions the runner sets it."

# Every command that reads an event takes it the same way: `--event FILE`, default GITHUB_EVENT_PATH.
event = click.option(
    "--event",
    "event_path",
    envvar="GITHUB_EVENT_PATH",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help=EVENT_HELP,
)
