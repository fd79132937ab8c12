"""The taxonomy bot's router: command parsing, triggers, settings, and `labeler bot` end to end."""

import json

import pytest

from labeler import config
from labeler.cli import main
from labeler.errors import UserError
from labeler.slash import visible_lines
from labeler.taxonomy_bot.settings import (
    Settings,
    load_settings,
    normalize_handle,
    parse_command,
    parse_teams,
    trigger,
)
from taxonomy_bot.helpers import FREEFORM, KNOWLEDGE, SKILL, comment_event, ours, pr_event, seed_pr, write_event

H = "@instructlab-bot"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("@instructlab-bot precheck", "precheck"),
        ("@InstructLab-Bot PRECHECK please", "precheck"),
        ("  \n\n@instructlab-bot generate\nthanks!", "generate"),
        ("@instructlab-bot", "help"),
        ("@instructlab-bot: enable", "enable"),
        ("@instructlab-bot precheck.", "precheck"),
        ("@instructlab-bot frobnicate", "frobnicate"),
        ("@instructlab-bot ???", "???"),
        ("please @instructlab-bot precheck", None),  # not the first words
        ("@instructlab-botx precheck", None),
        ("`@instructlab-bot precheck`", None),  # inline code
        ("```\n@instructlab-bot precheck\n```", None),  # fenced code
        ("~~~md\n@instructlab-bot enable\n~~~\n", None),
        ("> @instructlab-bot enable", None),  # quote
        (">> @instructlab-bot enable\n", None),
        ("    @instructlab-bot enable", None),  # indented code
        ("<!-- @instructlab-bot enable -->", None),  # HTML comment
        ("> @instructlab-bot enable\n\n@instructlab-bot help", "help"),  # quoting then asking
        ("```\nunterminated fence\n@instructlab-bot enable", None),
        ("<pre>\n@instructlab-bot enable\n</pre>", None),  # HTML code
        ("<code>@instructlab-bot enable</code>", None),
        ("", None),
    ],
)
def test_parse_command(body, expected):
    assert parse_command(body, H) == expected


def test_fence_closes_only_with_the_same_marker():
    body = "````\n```\n@instructlab-bot enable\n```\n````\n@instructlab-bot help"
    assert visible_lines(body) == ["@instructlab-bot help"]
    assert parse_command(body, H) == "help"


def test_handle_is_configurable():
    assert parse_command("@labeler-bot precheck", "labeler-bot") == "precheck"
    assert parse_command("@instructlab-bot precheck", "@labeler-bot") is None
    assert normalize_handle(" bot ") == "@bot"


S = Settings()


@pytest.mark.parametrize(
    "kwargs, command, reason",
    [
        ({}, "precheck", ""),
        ({"action": "deleted"}, None, "comment deleted"),
        ({"is_pr": False}, None, "not a pull request"),
        ({"user_type": "Bot"}, None, "bot (loop guard)"),
        ({"user": "someone[bot]"}, None, "bot (loop guard)"),
        ({"association": "CONTRIBUTOR"}, None, "is not allowed"),
        ({"association": "NONE"}, None, "is not allowed"),
        ({"state": "closed"}, None, "closed"),
        ({"action": "edited", "before": "@instructlab-bot precheck"}, None, "already ran"),
        ({"action": "edited", "before": "@instructlab-bot precheckk"}, "precheck", ""),
        ({"action": "edited", "before": "typo"}, "precheck", ""),
    ],
)
def test_comment_trigger(kwargs, command, reason):
    trig = trigger("issue_comment", comment_event("@instructlab-bot precheck", **kwargs), S)
    assert trig.command == command
    assert reason in trig.reason
    if command:
        assert (trig.number, trig.actor, trig.comment_id) == (7, "triager", 9001)


def test_no_command_is_ignored():
    assert "no command" in trigger("issue_comment", comment_event("LGTM"), S).reason


def test_associations_are_configurable():
    settings = Settings(associations=("OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR"))
    assert (
        trigger("issue_comment", comment_event("@instructlab-bot help", association="CONTRIBUTOR"), settings).command
        == "help"
    )


@pytest.mark.parametrize(
    "payload, command",
    [
        (pr_event("opened"), "welcome"),
        (pr_event("reopened"), "welcome"),
        (pr_event("labeled", label="skill"), "welcome"),
        (pr_event("labeled", label="bug"), None),
        (pr_event("synchronize"), None),
    ],
)
def test_pull_request_trigger(payload, command):
    assert trigger("pull_request_target", payload, S).command == command


def test_other_events_are_ignored():
    assert "not handled" in trigger("push", {}, S).reason


@pytest.mark.parametrize(
    "labels, expected",
    [
        (("skill",), {"precheck": None, "postcheck": None, "generate": None}),
        (("Knowledge",), {"precheck": None, "postcheck": None, "generate": "knowledge"}),
        (("skill", "knowledge"), {"precheck": None, "postcheck": None, "generate": None}),
        (("bug",), {"precheck": "label", "postcheck": "label", "generate": "label"}),
    ],
)
def test_commands_for_labels(labels, expected):
    got = S.commands_for(labels)
    for name, fragment in expected.items():
        assert (got[name] is None) if fragment is None else (fragment in got[name])


def test_knowledge_generate_can_be_allowed():
    assert Settings(generate={"knowledge": True}).commands_for(("knowledge",))["generate"] is None


def test_settings_from_config(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text(
        "labels:\n  - name: skill\nbot:\n  handle: taxonomy-bot\n  teams: [acme/triagers]\n"
        "  statuses: {enabled: ci/enabled}\n  labels: {skill: skills}\n  auto-label: true\n"
    )
    s = load_settings(str(path))
    assert (s.handle, s.teams, s.contexts["enabled"], s.contexts["precheck"], s.skill_label, s.auto_label) == (
        "@taxonomy-bot",
        ("acme/triagers",),
        "ci/enabled",
        "labeler/precheck",
        "skills",
        True,
    )
    assert load_settings(str(path), teams="acme/a, acme/b", handle="x").teams == ("acme/a", "acme/b")


@pytest.mark.parametrize(
    "bot, line",
    [
        ("  teams: [nobody]\n", 5),
        ("  handle: 'has space'\n", 5),
        ("  statuses: {enabled: ''}\n", 5),
        ("  precheck: {threshold: 2}\n", 5),
        ("  generate: {samples: 0}\n", 5),
        ("  unknown: 1\n", 5),
    ],
)
def test_bad_bot_config_names_the_line(tmp_path, bot, line):
    path = tmp_path / "labels.yml"
    path.write_text("labels:\n  - name: skill\n\nbot:\n" + bot)
    with pytest.raises(config.ConfigError) as e:
        load_settings(str(path))
    assert e.value.line == line


def test_bad_teams_override():
    with pytest.raises(UserError, match="org/team-slug"):
        parse_teams("acme/ok, just-a-name")


# Real payload shapes (tests/events, from @octokit/webhooks-examples)
def test_real_pr_comment_payload():
    from fakes.events import load_event

    payload = load_event("issue_comment.created.pr", comment={"body": "@instructlab-bot precheck\r\nthanks"})
    trig = trigger("issue_comment", payload, S)
    assert (trig.command, trig.number, trig.comment_id) == ("precheck", 2, payload["comment"]["id"])
    assert trig.actor == payload["comment"]["user"]["login"]


def test_real_edited_payload():
    from fakes.events import load_event

    payload = load_event(
        "issue_comment.edited", issue={"pull_request": {"url": "u"}}, comment={"body": "@instructlab-bot generate"}
    )
    assert trigger("issue_comment", payload, S).command == "generate"  # "from" held no command
    payload["changes"]["body"]["from"] = "@instructlab-bot generate now"
    assert "already ran" in trigger("issue_comment", payload, S).reason


def test_real_pull_request_opened_payload():
    from fakes.events import load_event

    trig = trigger("pull_request_target", load_event("pull_request.opened"), S)
    assert (trig.command, trig.number) == ("welcome", 2)


# ---------------------------------------------------------------------------------- CLI, HTTP
def run_bot(tmp_path, payload, event_name="issue_comment", *extra):
    return main(["bot", "--event", write_event(tmp_path, payload), "--event-name", event_name, *extra])


def test_help_replies_once_per_comment(fake_github, actions_env, tmp_path):
    seed_pr(fake_github)
    assert run_bot(tmp_path, comment_event("@instructlab-bot help")) == 0
    assert run_bot(tmp_path, comment_event("@instructlab-bot help")) == 0  # a re-run edits, never duplicates
    replies = ours(fake_github, 7, "reply to=9001")
    assert len(replies) == 1 and "`@instructlab-bot precheck`" in replies[0]
    assert "Waiting for a triager" in replies[0]
    assert actions_env.outputs()["command"] == ""


def test_unknown_command_gets_help(fake_github, actions_env, tmp_path):
    seed_pr(fake_github)
    assert run_bot(tmp_path, comment_event("@instructlab-bot deploy-to-prod")) == 0
    (body,) = ours(fake_github, 7, "reply")
    assert "don't know the command `deploy-to-prod`" in body and "| command" in body
    assert actions_env.outputs()["command"] == ""


def test_model_command_is_handed_to_its_job(fake_github, actions_env, tmp_path):
    seed_pr(fake_github)
    assert run_bot(tmp_path, comment_event("@instructlab-bot postcheck")) == 0
    assert actions_env.outputs() == {"command": "postcheck", "pr": "7"}
    assert fake_github.writes() == []


def test_ignored_comment_touches_nothing(fake_github, actions_env, tmp_path):
    seed_pr(fake_github)
    assert run_bot(tmp_path, comment_event("@instructlab-bot enable", association="NONE")) == 0
    assert fake_github.requests == []
    assert actions_env.outputs() == {"command": "", "pr": "7"}


def test_welcome_on_opened_pr(fake_github, actions_env, tmp_path):
    seed_pr(fake_github, leaves=(KNOWLEDGE,), labels=())
    assert run_bot(tmp_path, pr_event("opened"), "pull_request_target") == 0
    (body,) = ours(fake_github, 7, "welcome")
    assert "Waiting for a triager" in body
    assert "should carry the `knowledge` label" in body
    for name in ("precheck", "postcheck", "generate"):  # no label yet: every model command says why
        line = next(x for x in body.splitlines() if f"{name}`" in x)
        assert "label)_" in line
    assert fake_github.issue_labels(7) == []
    assert run_bot(tmp_path, pr_event("opened"), "pull_request_target") == 0
    assert len(ours(fake_github, 7, "welcome")) == 1


def test_welcome_applies_labels_when_configured(fake_github, actions_env, tmp_path):
    seed_pr(fake_github, leaves=(SKILL, KNOWLEDGE), labels=())
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: skill\nbot:\n  auto-label: true\n")
    assert run_bot(tmp_path, pr_event("opened"), "pull_request_target", "--config", str(cfg)) == 0
    assert sorted(fake_github.issue_labels(7)) == ["knowledge", "skill"]
    (body,) = ours(fake_github, 7, "welcome")
    assert "I added the `skill`, `knowledge` label" in body


def test_no_welcome_for_prs_outside_the_taxonomy(fake_github, actions_env, tmp_path):
    fake_github.add_pr(8, files={"README.md": "hi"})
    assert run_bot(tmp_path, pr_event("opened", number=8), "pull_request_target") == 0
    assert fake_github.writes() == []


def test_dry_run_prints_instead_of_posting(fake_github, actions_env, tmp_path, capsys):
    seed_pr(fake_github, leaves=(FREEFORM,))
    assert run_bot(tmp_path, comment_event("@instructlab-bot help"), "issue_comment", "--dry-run") == 0
    assert "<!-- labeler:reply to=9001 -->" in capsys.readouterr().out
    assert fake_github.writes() == []


# ---------------------------------------------------------------------------------- act (workflow end to end)
UPLOAD_STUB = """name: upload-artifact (offline stub)
description: "Stands in for actions/upload-artifact under act"
inputs:
  name: {description: n, required: false, default: ""}
  path: {description: p, required: false, default: ""}
  if-no-files-found: {description: i, required: false, default: ""}
  retention-days: {description: r, required: false, default: ""}
runs:
  using: composite
  steps:
    - shell: bash
      run: test -s "${ARTIFACT_PATH}" && echo "would upload ${ARTIFACT_PATH}"
      env:
        ARTIFACT_PATH: ${{ inputs.path }}
"""


@pytest.mark.act
def test_workflow_enable_then_precheck(run_act, act_repo, fake_github, fake_llm, tmp_path):
    import yaml

    from taxonomy_bot.helpers import ORG_TOKEN

    workflow = ".github/workflows/taxonomy-bot.yml"
    uses = {
        s["uses"]
        for job in yaml.safe_load((act_repo / workflow).read_text())["jobs"].values()
        for s in job["steps"]
        if "upload-artifact" in s.get("uses", "")
    }
    stub = tmp_path / "upload-stub"
    stub.mkdir()
    (stub / "action.yml").write_text(UPLOAD_STUB)
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_llm.default = "The total is 3.20."
    env = {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_REPOSITORY": "acme/widgets",
        "LABELER_GITHUB_PACE": "0",
        "LABELER_MODEL_RETRIES": "0",
    }
    variables = {
        "LABELER_TEAMS": "acme/triagers",
        "LABELER_PRECHECK_BASE_URL": fake_llm.openai_url,
        "LABELER_PRECHECK_MODEL": "granite-act",
    }

    def act(body, comment_id):
        event = tmp_path / f"event-{comment_id}.json"
        event.write_text(json.dumps(comment_event(body, comment_id=comment_id)))
        return run_act(
            "issue_comment",
            event,
            workflow,
            act_repo,
            env=env,
            variables=variables,
            secrets={"LABELER_ORG_TOKEN": ORG_TOKEN},
            local_repositories=dict.fromkeys(uses, stub),
        )

    opened = tmp_path / "opened.json"
    opened.write_text(json.dumps(pr_event("opened")))
    result = run_act("pull_request_target", opened, workflow, act_repo, env=env, variables=variables)
    assert result.ok and result.job_results == {"route": "success"}, result.log()
    assert "Waiting for a triager" in ours(fake_github, 7, "welcome")[0]

    result = act(f"@instructlab-bot enable {head[:7]}", 1)
    assert result.ok and result.job_results == {"route": "success"}, result.log()
    assert fake_github.statuses(head)[0]["context"] == "labeler/enabled"
    (welcome,) = ours(fake_github, 7, "welcome")  # the same comment, edited
    assert "**Enabled**" in welcome

    result = act("@instructlab-bot precheck", 2)
    assert result.ok and result.job_results == {"route": "success", "check": "success"}, result.log()
    (body,) = ours(fake_github, 7, "precheck")
    assert "`granite-act`" in body and "| 1.00 |" in body
    assert [s["state"] for s in fake_github.statuses(head) if s["context"] == "labeler/precheck"] == [
        "success",
        "pending",
    ]
    assert "would upload" in result.log()

    fake_github.requests.clear()  # an outsider's comment never reaches a job
    outsider = tmp_path / "outsider.json"
    outsider.write_text(json.dumps(comment_event("@instructlab-bot enable", association="NONE")))
    result = run_act("issue_comment", outsider, workflow, act_repo, env=env, variables=variables)
    assert result.returncode == 0 and result.job_results == {} and fake_github.requests == []
