"""`labeler bot`: the taxonomy PR bot's router, its settings and the command grammar.

A PR comment whose first words are `@<handle> <command>` runs a command; a PR being opened gets
the welcome. The router itself answers `help`, unknown commands and `enable`; for the model
commands (precheck, postcheck, generate) it only writes `command` and `pr` outputs so a separate
job, holding the model keys but not the org token, runs them. Every gate here is repeated by the
workflow's `if:` (cheap) and by the command itself (the enable status on the head SHA). What the
commands share at run time (replies, statuses, the model-command shell) is labeler/taxonomy_bot/common.py;
settings and the grammar are settings.py; the PR record is labeler.gh.PullRequest.
"""

import click

from labeler import options, runner
from labeler.taxonomy_bot.settings import DEFAULT_HANDLE, MODEL_COMMANDS, load_settings, trigger


@click.command("bot")
@options.event
@options.event_name("issue_comment, pull_request_target or pull_request.", default="issue_comment")
@options.repo()
@options.config("labels.yml with a bot: section.")
@click.option("--handle", envvar="LABELER_HANDLE", show_envvar=True, help=f"Command prefix (default {DEFAULT_HANDLE}).")
@options.teams("org/team-slug list allowed to enable, overrides the config.")
@options.dry_run("Print comments; set no status or label.")
def command(
    event_path: str | None,
    event_name: str,
    repo: str | None,
    config_path: str | None,
    handle: str | None,
    teams: str | None,
    dry_run: bool,
) -> None:
    """Route a PR comment (`@instructlab-bot <command>`) or a PR-opened event.

    enable needs LABELER_ORG_TOKEN: a token that can read org team membership (the default
    GITHUB_TOKEN cannot). Writes the outputs `command` and `pr` for the model commands.
    """
    from labeler import gh as ghmod
    from labeler.taxonomy_bot import enable

    settings = load_settings(config_path, handle=handle, teams=teams)
    trig = trigger(event_name, runner.event(event_path), settings)
    # Only allow-listed names reach the workflow (its command jobs key on this output).
    runner.set_output("command", trig.command if trig.command in MODEL_COMMANDS else "")
    runner.set_output("pr", str(trig.number or ""))
    if trig.command is None:
        runner.notice(f"nothing to do: {trig.reason}")
        return
    gh = ghmod.open_repo(repo)
    enable.route(gh, settings, trig, dry_run=dry_run)
