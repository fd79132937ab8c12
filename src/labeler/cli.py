"""The `labeler` command line: a flat table of commands, each imported only when it runs.

Startup stays cheap: nothing here imports github, anthropic or openai; command modules import
them inside the functions that talk to those services.
"""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from labeler import __version__, md, runner, secrets
from labeler.errors import UserError

# name -> (module, one-line help). The help is repeated here so `labeler --help` needs no import.
COMMANDS: dict[str, tuple[str, str]] = {
    "backport-report": (
        "labeler.backport_report.command",
        "Review page of backport verdicts for a development range (patchbot).",
    ),
    "label-issue": ("labeler.label_issue.command", "Label an issue from labels.yml with a model or offline."),
    "publish-benchmarks": (
        "labeler.publish_benchmarks.command",
        "Post a model build's before/after benchmark results to its PRs.",
    ),
    "sync-labels": ("labeler.sync_labels", "Create or update the repository's labels from labels.yml."),
    "bot": ("labeler.taxonomy_bot.bot", "Taxonomy PR bot: route a `@bot <command>` PR comment or a PR-opened event."),
    "enable": (
        "labeler.taxonomy_bot.enable",
        "Taxonomy PR bot: enable the commands on a PR's head commit (team check).",
    ),
    "precheck": ("labeler.taxonomy_bot.precheck", "Taxonomy PR bot: ask the current model a PR's qna.yaml questions."),
    "postcheck": (
        "labeler.taxonomy_bot.postcheck",
        "Taxonomy PR bot: the same against a candidate model, before/after.",
    ),
    "generate": ("labeler.taxonomy_bot.generate", "Taxonomy PR bot: sample synthetic data from a PR's seed examples."),
    "model": ("labeler.model.command", "Train or evaluate the offline classifier on labelled issues (labeler[local])."),
    "history": ("labeler.history.command", "Sync the repository's issues into a local SQLite history file."),
    "missing-info": (
        "labeler.missing_info.command",
        "Ask for missing information (label + one polite comment); never closes issues.",
    ),
    "dataset": (
        "labeler.dataset.command",
        "Export labelled JSONL splits, fine-tuning files and a dataset card from the history.",
    ),
    "monitor": (
        "labeler.monitor.command",
        "Label drift of recent issues against history, plus a sample for human review.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="labeler")
def cli() -> None:
    """Triage automation for GitHub repositories, built to run as GitHub Actions.

    Every command also runs from a terminal. Inside Actions the event comes from
    GITHUB_EVENT_PATH; the API from GITHUB_API_URL (GitHub Enterprise Server works).
    """


def main(argv: list[str] | None = None) -> int:
    runner.mask_secrets()
    try:
        # Without standalone mode click returns a command's exit code (e.g. from ctx.exit) instead of raising.
        rv = cli.main(args=argv, prog_name="labeler", standalone_mode=False)
    except UserError as e:
        _fail(e.message, file=e.file, line=e.line)  # ::error:: in Actions, `error:` on stderr elsewhere
        return 1
    except click.exceptions.Exit as e:
        return int(e.exit_code)
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        return 130
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: GitHub's failures arrive as UserError (labeler.gh.GitHubError)
        return _internal_error(e)
    return rv if isinstance(rv, int) else 0


def _fail(message: str, *, file: str | None = None, line: int | None = None) -> None:
    """Why the job failed: an ::error:: annotation, and the same text in the job summary, where a scheduled
    run's reader looks first (and which survives a log cut short)."""
    runner.error(message, file=file, line=line)
    where = ":".join(str(v) for v in (file, line) if v is not None)
    runner.summary(f"### labeler failed\n\n{md.code_block(f'{where}: {message}' if where else message)}\n")


def _internal_error(e: BaseException) -> int:
    _fail(f"internal error in labeler {__version__}: {type(e).__name__}: {e}")
    with runner.group("traceback (please include it in a bug report)"):
        print(secrets.redact(traceback.format_exc()), file=sys.stdout)
    return 3
