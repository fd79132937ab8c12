import subprocess
import sys

import pytest

from labeler import __version__
from labeler.cli import COMMANDS, main


def test_help_lists_every_command_without_importing_sdks():
    code = (
        "import sys; from labeler.cli import main; rc = main(['--help']); "
        "heavy = [m for m in ('github', 'anthropic', 'openai', 'sklearn', 'jinja2') if m in sys.modules]; "
        "print('HEAVY', heavy); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    for name in COMMANDS:
        assert name in out


def _leaf_commands():
    import click

    from labeler.cli import cli

    for name in sorted(COMMANDS):
        command = cli.get_command(None, name)
        if isinstance(command, click.Group):
            yield from ([name, sub] for sub in sorted(command.commands))
        else:
            yield [name]


def _command(argv):
    from labeler.cli import cli

    command = cli.get_command(None, argv[0])
    return command.commands[argv[1]] if len(argv) > 1 else command


@pytest.mark.parametrize("argv", list(_leaf_commands()), ids=" ".join)
def test_every_command_has_help_naming_its_environment(argv, capsys):
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: labeler " + " ".join(argv) in out
    assert "[env var: LABELER_" in out or "[env var: GITHUB_" in out


@pytest.mark.parametrize("argv", list(_leaf_commands()), ids=" ".join)
def test_options_share_one_way_to_name_env_vars_events_and_models(argv):
    """show_envvar names every option's variable (never the help text); --event is a file from
    GITHUB_EVENT_PATH everywhere; a visible --model is a model name, never a directory."""
    import click

    for param in _command(argv).params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or [])
        assert not names or param.show_envvar, param.opts
        assert not any(name in (param.help or "") for name in names), param.help
        if "--event" in param.opts:
            assert param.envvar == "GITHUB_EVENT_PATH" and isinstance(param.type, click.Path)
            assert not param.type.dir_okay
        if "--model" in param.opts:
            assert param.envvar != "LABELER_MODEL_PATH" and "directory" not in (param.help or "").lower()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_python_dash_m_and_unknown_commands():
    done = subprocess.run([sys.executable, "-m", "labeler", "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and "No such command" in done.stderr


def test_unexpected_errors_are_reported_not_dumped(monkeypatch, capsys):
    from labeler import sync_labels

    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(sync_labels.config_mod, "load", boom)
    assert main(["sync-labels", "--repo", "o/r"]) == 3
    out = capsys.readouterr().out
    assert "::error::internal error in labeler" in out and "kaboom" in out
    assert "::group::traceback" in out


def test_exit_codes_from_commands_are_kept(monkeypatch):
    import click

    from labeler import cli as cli_mod

    @click.command("fails")
    def fails():
        raise click.exceptions.Exit(4)

    @click.command("ctx-exit")
    @click.pass_context
    def ctx_exit(ctx):
        ctx.exit(5)

    monkeypatch.setitem(cli_mod.COMMANDS, "fails", ("x", "x"))
    monkeypatch.setitem(cli_mod.COMMANDS, "ctx-exit", ("x", "x"))
    monkeypatch.setattr(
        cli_mod.LazyGroup, "get_command", lambda self, ctx, name: {"fails": fails, "ctx-exit": ctx_exit}.get(name)
    )
    assert main(["fails"]) == 4
    assert main(["ctx-exit"]) == 5
