"""Command-line options several commands share: one name, type, env var and default for each.

A command passes its own help where the option means something particular to it; the name, the env
var and the default stay the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from labeler import runner

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

EVENT_HELP = "Webhook event payload (JSON file); in Actions the runner sets it."
DEFAULT_BOT_LOGIN = "github-actions[bot]"

# Every command that reads an event takes it the same way: `--event FILE`, default GITHUB_EVENT_PATH.
event = click.option(
    "--event",
    "event_path",
    envvar="GITHUB_EVENT_PATH",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help=EVENT_HELP,
)


def event_name(help: str = "The event's name.", default: str | None = None) -> Decorator[Any]:
    return click.option(
        "--event-name",
        envvar="GITHUB_EVENT_NAME",
        show_envvar=True,
        default=default,
        show_default=bool(default),
        help=help,
    )


def repo(help: str = "OWNER/NAME.") -> Decorator[Any]:
    """The GitHub repository, OWNER/NAME (a local clone is `--git-dir`)."""
    return click.option("--repo", envvar="GITHUB_REPOSITORY", show_envvar=True, help=help)


def config(help: str = "labels.yml path.") -> Decorator[Any]:
    return click.option("--config", "config_path", envvar="LABELER_CONFIG", show_envvar=True, help=help)


def dry_run(help: str, *, toggle: bool = False, default: bool | None = False) -> Decorator[Any]:
    """`--dry-run` as a flag, or with `toggle` as `--dry-run/--no-dry-run` (None: the command decides)."""
    if not toggle:
        return click.option("--dry-run", is_flag=True, envvar="LABELER_DRY_RUN", show_envvar=True, help=help)
    return click.option(
        "--dry-run/--no-dry-run", envvar="LABELER_DRY_RUN", show_envvar=True, default=default, help=help
    )


def issue(help: str) -> Decorator[Any]:
    return click.option(
        "--issue", "number", envvar="LABELER_ISSUE_NUMBER", show_envvar=True, type=click.IntRange(min=1), help=help
    )


def pr(help: str = "Pull request number; without it the event's (--event) is used.") -> Decorator[Any]:
    return click.option("--pr", "number", type=click.IntRange(min=1), envvar="LABELER_PR", show_envvar=True, help=help)


# The model endpoint: which provider, which model, where (a trained model's directory, or a URL).
def provider(help: str, choices: Sequence[str] | None = None) -> Decorator[Any]:
    kind = click.Choice(tuple(choices)) if choices else None
    return click.option("--provider", envvar="LABELER_PROVIDER", show_envvar=True, type=kind, help=help)


def model(help: str = "Model name for the provider.", dest: str = "model") -> Decorator[Any]:
    return click.option("--model", dest, envvar="LABELER_MODEL", show_envvar=True, help=help)


def model_path(help: str = "Directory of a model from `labeler model train`.") -> Decorator[Any]:
    return click.option("--model-path", envvar="LABELER_MODEL_PATH", show_envvar=True, help=help)


# GitHub Models through the workflow token: asked for explicitly (the drop-in workflows' `github-models: true`,
# next to `permissions: models: read`), so a command line that did not ask never calls out.
def github_models(
    help: str = "With no Anthropic or OpenAI key, ask GitHub Models with GITHUB_TOKEN (the workflow token; the job "
    "needs `permissions: models: read`); when it refuses or its free limits are spent, go on offline.",
) -> Decorator[Any]:
    return click.option(
        "--github-models/--no-github-models",
        "github_models",
        envvar="LABELER_GITHUB_MODELS",
        show_envvar=True,
        default=False,
        help=help,
    )


def models_url() -> Decorator[Any]:
    return click.option(
        "--models-url",
        envvar="LABELER_MODELS_URL",
        show_envvar=True,
        help="GitHub Models endpoint (provider github-models). [default: https://models.github.ai/inference; "
        "an organization's: https://models.github.ai/orgs/ORG/inference]",
    )


def endpoint(prefix: str, env: str, role: str) -> Decorator[Any]:
    """--[prefix-]base-url, --[prefix-]model, --[prefix-]api-key of an OpenAI-compatible server, from ENV_*."""

    def wrap(func: F) -> F:
        dash = f"{prefix}-" if prefix else ""
        for flag, suffix, text in reversed(
            [
                ("base-url", "BASE_URL", f"OpenAI-compatible URL of the {role}, e.g. http://host:8000/v1"),
                ("model", "MODEL", f"Model id of the {role} (default: the first of GET /v1/models)"),
                ("api-key", "API_KEY", f"API key of the {role} (local servers need none)"),
            ]
        ):
            func = click.option(
                f"--{dash}{flag}",
                f"{prefix.replace('-', '_')}_{suffix.lower()}".lstrip("_"),
                envvar=f"{env}_{suffix}",
                show_envvar=True,
                help=f"{text}.",
            )(func)
        return func

    return wrap


# The history file and what is read from it.
def history_db(help: str = "History file.") -> Decorator[Any]:
    return click.option("--db", required=True, envvar="LABELER_HISTORY_DB", show_envvar=True, help=help)


def family() -> Decorator[Any]:
    return click.option(
        "--family", envvar="LABELER_FAMILY", show_envvar=True, help="Only labels matching this glob, e.g. 'area/*'."
    )


def exclude_label(help: str) -> Decorator[Any]:
    return click.option("--exclude-label", multiple=True, envvar="LABELER_EXCLUDE_LABELS", show_envvar=True, help=help)


def bot_login(help: str) -> Decorator[Any]:
    return click.option(
        "--bot-login",
        envvar="LABELER_BOT_LOGIN",
        show_envvar=True,
        default=DEFAULT_BOT_LOGIN,
        show_default=True,
        help=help,
    )


# Renamed options: the old spelling keeps working for a while, with a warning.
def deprecated(old: str, new: str, dest: str) -> Decorator[Any]:
    """`old` still sets `dest` (the option now spelled `new`, declared with `callback=aliased(dest)`),
    warning once; `new` wins when both are given."""

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            runner.warning(f"{old} is deprecated: use {new} (same meaning)")
            ctx.meta[f"labeler.alias.{dest}"] = value
        return value

    return click.option(old, f"deprecated_{dest}", hidden=True, expose_value=False, is_eager=True, callback=remember)


def aliased(dest: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def pick(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        old = ctx.meta.get(f"labeler.alias.{dest}")
        given = ctx.get_parameter_source(param.name or dest) == click.core.ParameterSource.COMMANDLINE
        return value if old is None or given else old

    return pick


# Options two commands of one family share.
def teams(help: str) -> Decorator[Any]:
    return click.option("--teams", envvar="LABELER_TEAMS", show_envvar=True, help=help)


def target_precision(help: str, lowest: float = 0.0) -> Decorator[Any]:
    return click.option(
        "--target-precision",
        envvar="LABELER_TARGET_PRECISION",
        show_envvar=True,
        type=click.FloatRange(lowest, 1.0),
        default=0.9,
        show_default=True,
        help=help,
    )


def min_examples(help: str, default: int) -> Decorator[Any]:
    return click.option(
        "--min-examples",
        default=default,
        show_default=True,
        type=click.IntRange(1),
        envvar="LABELER_MIN_EXAMPLES",
        show_envvar=True,
        help=help,
    )


def embed_cache(help: str, default: str | None = None) -> Decorator[Any]:
    return click.option(
        "--embed-cache",
        default=default,
        show_default=default is not None,
        envvar="LABELER_EMBED_CACHE",
        show_envvar=True,
        help=help,
    )
