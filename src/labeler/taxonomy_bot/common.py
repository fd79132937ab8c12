"""What the taxonomy bot's commands share (bot.py, enable.py, precheck.py, postcheck.py,
generate.py): replies and sticky comments, the status lifecycle, the shell every
model command runs in (gate on the head SHA -> pending -> validated qna.yaml -> work -> comment ->
final status), model endpoints, prompt sections, and the command-line options they have in common.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from labeler import llm, md, options, prompts, runner, secrets
from labeler.errors import UserError
from labeler.gh.records import PullRequest
from labeler.taxonomy_bot.gate import refusal
from labeler.taxonomy_bot.settings import Settings, Trigger, trigger

if TYPE_CHECKING:
    from labeler.gh import GitHub

F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------------------------- records, replies, statuses
def reply(gh: GitHub, number: int, comment_id: int | None, body: str, *, dry_run: bool, name: str = "reply") -> None:
    """Answer one command comment: one reply per triggering comment, edited (never duplicated) on retries."""
    mark = md.marker(name, to=str(comment_id)) if comment_id else md.marker(name)
    body = md.fit_comment(f"{mark}\n{body}")
    if dry_run:
        click.echo(body)
    else:
        gh.upsert_comment(number, mark, body)


@dataclass
class Outcome:
    state: str = "error"
    description: str = "labeler stopped unexpectedly: see the workflow run"


@contextlib.contextmanager
def command_status(gh: GitHub, sha: str, context: str, *, dry_run: bool, accepted: str) -> Iterator[Outcome]:
    """pending now; success/failure/error when the block ends, whatever happens inside it."""
    outcome = Outcome()
    target = runner.run_url()
    if not dry_run:
        gh.set_status(sha, "pending", context, accepted, target)
    try:
        yield outcome
    except UserError as e:
        outcome.state, outcome.description = "error", e.message
        raise
    finally:
        if not dry_run:
            _finish(gh, sha, context, outcome, target)


def _finish(gh: GitHub, sha: str, context: str, outcome: Outcome, target: str | None) -> None:
    try:
        gh.set_status(sha, outcome.state, context, outcome.description, target)
    except UserError as e:  # the run already failed or is failing; say why the status stayed pending
        runner.error(f"could not finalise status {context} on {sha[:12]}: {e.message}")


# ---------------------------------------------------------------------------------- the model-command shell
Work = Callable[[PullRequest, list[Any], Outcome], str]


def run_model_command(
    gh: GitHub,
    settings: Settings,
    name: str,
    number: int,
    *,
    comment_id: int | None,
    dry_run: bool,
    accepted: str,
    work: Work,
) -> Outcome | None:
    """What precheck, postcheck and generate share: the gate on the current head SHA, the status
    lifecycle, reading + validating the changed qna.yaml files at that SHA, one sticky comment.
    Returns the final outcome, or None when the command was refused (a reply says why)."""
    pr = gh.pull(number)  # the head SHA, captured once; every read is pinned to it
    if not dry_run:
        why = refusal(settings, pr, gh.own_statuses(pr.head_sha, settings.contexts["enabled"]), name)
        if why:
            _refuse(gh, name, number, comment_id, why)
            return None
    with command_status(gh, pr.head_sha, settings.contexts[name], dry_run=dry_run, accepted=accepted) as outcome:
        try:
            body = _checked_work(gh, settings, name, pr, outcome, work)
        except UserError as e:
            _post_result(gh, name, number, f"### {name} failed\n\n❌ {md.escape(e.message)}", dry_run=dry_run)
            raise
        except Exception:  # not swallowed: the PR hears about it, then cli.main reports the traceback
            run = runner.run_url()
            where = f"[the workflow run]({run})" if run else "the log"
            _post_result(
                gh,
                name,
                number,
                f"### {name} failed\n\n❌ labeler stopped unexpectedly; {where} has the details.",
                dry_run=dry_run,
            )
            raise
        _post_result(gh, name, number, body, dry_run=dry_run)
    return outcome


def _refuse(gh: GitHub, name: str, number: int, comment_id: int | None, why: str) -> None:
    if comment_id is None:
        raise UserError(f"{name} refused: {why.replace('`', '')}")
    runner.warning(f"{name} refused on #{number}: {why.replace('`', '')}")
    reply(gh, number, comment_id, f"🚫 {md.code(name)} refused: {why}", dry_run=False)


def _checked_work(gh: GitHub, settings: Settings, name: str, pr: PullRequest, outcome: Outcome, work: Work) -> str:
    from labeler.taxonomy_bot import qna as taxonomy

    files, problems = taxonomy.read_changed(
        gh,
        pr.number,
        pr.head_sha,
        require_latest=settings.require_latest,
        require_attribution=settings.require_attribution,
        max_files=settings.max_files,
    )
    for p in problems:
        (runner.error if p.severity == "error" else runner.warning)(p.message, file=p.path, line=p.line)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        outcome.state, outcome.description = (
            "failure",
            f"{len(errors)} problem(s) in the qna.yaml files: see the PR comment",
        )
        return render_problems(name, pr.head_sha, problems)
    if not files:
        outcome.state, outcome.description = "success", "No changed qna.yaml files: nothing to do"
        return f"### {name}\n\nThis pull request changes no `qna.yaml` under `knowledge/` or `compositional_skills/`."
    body = work(pr, files, outcome)
    moved = gh.pull(pr.number).head_sha
    notes = (
        [
            f"> [!WARNING]\n> The pull request moved to {md.code(moved[:7])} while this ran; these results are for "
            f"{md.code(pr.head_sha[:7])}."
        ]
        if moved != pr.head_sha
        else []
    )
    warnings = [p for p in problems if p.severity == "warning"]
    return "\n\n".join([body.rstrip(), *notes, *([render_problems("", pr.head_sha, warnings)] if warnings else [])])


def render_problems(name: str, sha: str, problems: list[Any]) -> str:
    """Validation problems as a list with file and line (the same are annotations on the run)."""
    errors = [p for p in problems if p.severity == "error"]
    head = (
        [
            f"### {name}: the qna.yaml files need fixing",
            "",
            f"❌ {len(errors)} problem(s) at commit "
            f"{md.code(sha[:7])} (checked against the instructlab-schema JSON Schemas):",
        ]
        if errors
        else ["⚠️ Warnings about the qna.yaml files:"]
    )
    rows = [f"- {md.code(p.path + (f':{p.line}' if p.line else ''))}: {md.escape(p.message)}" for p in problems]
    more = [f"- … and {len(rows) - 200} more"] if len(rows) > 200 else []
    return "\n".join([*head, "", *rows[:200], *more])


def _post_result(gh: GitHub, name: str, number: int, body: str, *, dry_run: bool) -> None:
    mark = md.marker(name)
    body = md.fit_comment(f"{mark}\n{body}")
    runner.summary(body)
    if dry_run:
        click.echo(body)
    else:
        gh.upsert_comment(number, mark, body)


def event_target(name: str, event_path: str | None, event_name: str, settings: Settings) -> Trigger | None:
    """In Actions without --pr: re-check the comment that asked for this command (defence in depth:
    the job's `if:` already filtered it)."""
    trig = trigger(event_name, runner.event(event_path), settings)
    if trig.command != name:
        runner.notice(f"{name}: the event does not ask for it ({trig.reason or trig.command}); nothing to do")
        return None
    return trig


def execute(
    name: str,
    *,
    number: int | None,
    repo: str | None,
    config_path: str | None,
    event_path: str | None,
    event_name: str,
    dry_run: bool,
    accepted: str,
    make_work: Callable[[Settings], Work],
) -> None:
    """Resolve the PR (flag or event), then run the shared model-command shell."""
    from labeler import gh as ghmod
    from labeler.taxonomy_bot.settings import load_settings

    settings = load_settings(config_path)
    comment_id = None
    if number is None:
        trig = event_target(name, event_path, event_name, settings)
        if trig is None:
            return
        number, comment_id = trig.number, trig.comment_id
    gh = ghmod.open_repo(repo)
    outcome = run_model_command(
        gh, settings, name, number, comment_id=comment_id, dry_run=dry_run, accepted=accepted, work=make_work(settings)
    )
    if outcome is not None and outcome.state != "success":  # the status says failure/error: so does the job
        raise UserError(f"{name}: {outcome.state}: {outcome.description}")


# ---------------------------------------------------------------------------------- endpoints, prompts, options
@dataclass(frozen=True)
class Endpoint:
    role: str  # "current model", "candidate model", "judge"
    env: str  # the env var prefix, named in errors
    base_url: str | None
    model: str | None
    api_key: str | None
    provider: str = "openai"

    def connect(self) -> llm.Model:
        if self.provider == "openai" and not self.base_url:
            raise UserError(f"no endpoint for the {self.role}: set {self.env}_BASE_URL (an OpenAI-compatible /v1 URL)")
        name = self.model or (
            discover_model(self.base_url or "", self.api_key, self) if self.provider == "openai" else None
        )
        return llm.get_model(self.provider, name, base_url=self.base_url, api_key=self.api_key)


def discover_model(base_url: str, api_key: str | None, endpoint: Endpoint) -> str:
    """The served model's id from GET /v1/models (what the InstructLab bot did)."""
    openai = llm.sdk("openai")

    url = base_url.rstrip("/") + ("" if base_url.rstrip("/").endswith("/v1") else "/v1")
    try:
        models = openai.OpenAI(base_url=url, api_key=api_key or "unused", timeout=30, max_retries=1).models.list()
        names = [m.id for m in models.data if m.id]
    except openai.APIError as e:
        raise UserError(f"cannot list the models at {url} ({type(e).__name__}): set {endpoint.env}_MODEL") from None
    if not names:
        raise UserError(f"{url}/models lists no model: set {endpoint.env}_MODEL")
    return str(names[0])


def write_jsonl(path: str | None, rows: list[str]) -> None:
    if not path:
        return
    from labeler import runner

    with open(path, "w", encoding="utf-8") as f:
        f.writelines(secrets.redact(row) + "\n" for row in rows)
    runner.set_output("jsonl", path)


def prompt_sections(name: str) -> dict[str, str]:
    """The sections of prompts/<name>.md (labeler.prompts' one format), plus "version"."""
    prompt = prompts.load(name, package="labeler.taxonomy_bot", required=("system",))
    return {"version": prompt.version, **prompt.sections}


fill = prompts.fill


OUTPUT = click.option(
    "--output",
    envvar="LABELER_OUTPUT",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="Write every answer as JSONL here (upload it as an artifact).",
)


def common_options(func: F) -> F:
    """Options every model command shares (precheck, postcheck, generate)."""
    shared = [
        options.pr(),
        options.repo(),
        options.config("labels.yml with a bot: section."),
        options.event,
        options.event_name("The event's name.", default="issue_comment"),
        OUTPUT,
        options.dry_run("Print the comment; set no status, skip the enable gate."),
    ]
    for option in reversed(shared):
        func = option(func)
    return func
