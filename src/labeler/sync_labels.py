"""sync-labels: make the repository's labels match labels.yml.

Creates missing labels, updates color and description, renames an existing alias to its
canonical name (issues keep the label: GitHub renames in place), deletes only with --prune.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from labeler import config as config_mod
from labeler import md, options, runner
from labeler.config import Config

if TYPE_CHECKING:
    from labeler.gh import GitHub


@dataclass(frozen=True)
class Change:
    action: str  # create, update, rename, delete
    name: str
    color: str = ""
    description: str = ""
    new_name: str = ""


def plan(cfg: Config, existing: dict[str, dict[str, str]], *, prune: bool = False) -> list[Change]:
    """Pure: the changes that make `existing` ({name: {color, description}}) match the config."""
    by_lower = {name.lower(): name for name in existing}
    changes: list[Change] = []
    claimed: set[str] = set()
    for label in cfg.labels:
        current = by_lower.get(label.name.lower())
        alias = next((by_lower[a.lower()] for a in label.aliases if a.lower() in by_lower), None)
        if current is None and alias is not None:
            changes.append(Change("rename", alias, label.color, label.description, new_name=label.name))
            claimed.add(alias.lower())
        elif current is None:
            changes.append(Change("create", label.name, label.color, label.description))
        elif (existing[current]["color"].lower(), existing[current]["description"], current) != (
            label.color,
            label.description,
            label.name,
        ):
            changes.append(Change("update", current, label.color, label.description, new_name=label.name))
        claimed.add(label.name.lower())
    if prune:
        changes += [Change("delete", name) for name in sorted(existing) if name.lower() not in claimed]
    return changes


def apply(gh: GitHub, changes: list[Change]) -> None:
    for change in changes:
        if change.action == "create":
            gh.create_label(change.name, change.color, change.description)
        elif change.action in ("update", "rename"):
            gh.update_label(change.name, new_name=change.new_name, color=change.color, description=change.description)
        elif change.action == "delete":
            gh.delete_label(change.name)


def render(changes: list[Change], dry_run: bool) -> str:
    if not changes:
        return "Labels already match labels.yml."
    verb = "Would" if dry_run else "Did"
    lines = [f"{verb} make {len(changes)} change(s):", ""]
    for c in changes:
        target = f" -> {md.code(c.new_name)}" if c.new_name and c.new_name != c.name else ""
        details = f" (#{c.color}, {md.escape(c.description) or 'no description'})" if c.action != "delete" else ""
        lines.append(f"- {c.action} {md.code(c.name)}{target}{details}")
    return "\n".join(lines)


@click.command("sync-labels", epilog="\b\nEnvironment besides each option's own: GITHUB_TOKEN, GITHUB_API_URL.")
@options.repo()
@options.config()
@options.dry_run("Print the plan only.", toggle=True, default=False)
@click.option(
    "--prune/--no-prune",
    envvar="LABELER_PRUNE",
    show_envvar=True,
    default=False,
    help="Also delete labels that labels.yml does not list.",
)
def command(repo: str | None, config_path: str | None, dry_run: bool, prune: bool) -> None:
    """Create or update the repository's labels from labels.yml (never deletes without --prune)."""
    from labeler import gh as gh_mod

    cfg = config_mod.load(config_path)
    gh = gh_mod.open_repo(repo)
    changes = plan(cfg, gh.repo_labels(), prune=prune)
    if not dry_run:
        apply(gh, changes)
    text = render(changes, dry_run)
    click.echo(text)
    runner.summary(f"### sync-labels\n\n{text}\n")
    runner.set_output("changes", json.dumps([c.__dict__ for c in changes]))
