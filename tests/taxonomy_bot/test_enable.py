"""enable: the team check (org token), the status on the head SHA, the welcome; and the gate."""

import pytest

from labeler.cli import main
from labeler.gh.records import PullRequest
from labeler.taxonomy_bot.enable import authorize, labels_from_paths, render_welcome
from labeler.taxonomy_bot.gate import enabled_on, refusal
from labeler.taxonomy_bot.settings import Settings
from taxonomy_bot.helpers import KNOWLEDGE, ORG_TOKEN, comment_event, ours, seed_pr, write_config, write_event

TEAMS = ("acme/taxonomy-triagers", "acme/taxonomy-maintainers")


@pytest.mark.parametrize(
    "answers, allowed, team, reason",
    [
        ({"taxonomy-triagers": True}, True, "acme/taxonomy-triagers", ""),
        ({"taxonomy-triagers": False, "taxonomy-maintainers": True}, True, "acme/taxonomy-maintainers", ""),
        ({"taxonomy-triagers": False, "taxonomy-maintainers": False}, False, None, "is not an active member"),
        ({"taxonomy-triagers": None, "taxonomy-maintainers": False}, False, None, "cannot read the membership"),
        ({"taxonomy-triagers": None, "taxonomy-maintainers": True}, True, "acme/taxonomy-maintainers", ""),
    ],
)
def test_authorize(answers, allowed, team, reason):
    d = authorize("tri", TEAMS, lambda org, slug: answers.get(slug, False))
    assert (d.allowed, d.team) == (allowed, team)
    assert reason in d.reason


def test_empty_team_list_means_nobody():
    d = authorize("tri", (), lambda org, slug: True)
    assert not d.allowed and "no teams are configured" in d.reason


def test_no_org_token_denies_with_the_reason():
    d = authorize("tri", TEAMS, None)
    assert not d.allowed and "GITHUB_TOKEN cannot read team membership" in d.reason


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], False),
        ([{"context": "labeler/enabled", "state": "success"}], True),
        ([{"context": "Labeler/Enabled", "state": "success"}], True),  # contexts are case-insensitive
        (
            [{"context": "labeler/enabled", "state": "failure"}, {"context": "labeler/enabled", "state": "success"}],
            False,
        ),
        ([{"context": "other", "state": "success"}], False),
    ],
)
def test_enabled_on(statuses, expected):
    assert enabled_on(statuses, "labeler/enabled") is expected


def test_labels_from_paths():
    s = Settings()
    assert labels_from_paths(["compositional_skills/a/qna.yaml", "knowledge/b/qna.yaml", "README.md"], s) == [
        "skill",
        "knowledge",
    ]
    assert labels_from_paths(["docs/x.md"], s) == []


def test_refusal_reasons():
    s = Settings()
    pr = PullRequest(7, "a" * 40, ("knowledge",), "open", "c")
    ok = [{"context": "labeler/enabled", "state": "success"}]
    assert refusal(s, pr, ok, "precheck") is None
    assert "not available for `knowledge` PRs" in refusal(s, pr, ok, "generate")
    assert "not enabled on the current commit `aaaaaaa`" in refusal(s, pr, [], "precheck")
    assert "closed" in refusal(s, PullRequest(7, "a" * 40, ("skill",), "closed", "c"), ok, "precheck")


def test_welcome_lists_only_what_the_labels_allow():
    body = render_welcome(Settings(teams=TEAMS), ("knowledge",), enabled_sha="b" * 40, enabled_by="tri")
    assert "**Enabled** on commit `bbbbbbb` by `tri`" in body
    gen = next(line for line in body.splitlines() if "generate`" in line)
    assert "_(not available for `knowledge` PRs: generation needs the source documents)_" in gen
    pre = next(line for line in body.splitlines() if "precheck`" in line)
    assert "_(" not in pre
    assert "`acme/taxonomy-triagers`, `acme/taxonomy-maintainers`" in body
    assert "@instructlab-bot" not in body.replace("`@instructlab-bot", "")  # the handle never pings anyone


# ---------------------------------------------------------------------------------- HTTP
def enable_cli(
    tmp_path,
    monkeypatch,
    fake,
    *,
    user="triager",
    org_token=ORG_TOKEN,
    bot="  teams: [acme/triagers]\n",
    comment_id=9001,
    body=None,
    **event_kw,
):
    if org_token:
        monkeypatch.setenv("LABELER_ORG_TOKEN", org_token)
    cfg = write_config(tmp_path, bot)
    head = fake.pulls[7].head_sha if 7 in fake.pulls else "0" * 40
    body = f"@instructlab-bot enable {head[:7]}" if body is None else body
    event = write_event(tmp_path, comment_event(body, user=user, comment_id=comment_id, **event_kw))
    return main(["bot", "--event", event, "--event-name", "issue_comment", "--config", cfg])


def test_member_enables_the_head_sha(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    assert enable_cli(tmp_path, monkeypatch, fake_github) == 0
    (status,) = fake_github.statuses(head)
    assert (status["state"], status["context"]) == ("success", "labeler/enabled")
    assert status["description"] == f"Enabled by triager (acme/triagers) for {head[:7]}"
    (welcome,) = ours(fake_github, 7, "welcome")
    for name in ("precheck", "postcheck", "generate"):
        line = next(x for x in welcome.splitlines() if f"{name}`" in x)
        assert "_(" not in line
    assert ours(fake_github, 7, "reply") == []  # the fresh welcome is the answer
    team_calls = [r for r in fake_github.requests if r.path.startswith("/orgs/")]
    assert [r.header("authorization") for r in team_calls] == [f"token {ORG_TOKEN}"]  # never GITHUB_TOKEN
    assert all(r.header("authorization") != f"token {ORG_TOKEN}" for r in fake_github.writes())


def test_enable_after_welcome_edits_it_and_replies(fake_github, actions_env, tmp_path, monkeypatch):
    seed_pr(fake_github, leaves=(KNOWLEDGE,), labels=("knowledge",))
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_github.add_comment(7, "<!-- labeler:welcome -->\nold welcome", user="github-actions[bot]", user_type="Bot")
    assert enable_cli(tmp_path, monkeypatch, fake_github) == 0
    (welcome,) = ours(fake_github, 7, "welcome")
    assert "**Enabled**" in welcome
    (answer,) = ours(fake_github, 7, "reply to=9001")
    assert "precheck`" in answer and "generate`" not in answer


def test_non_member_is_denied_without_status(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team("acme", "triagers")
    assert enable_cli(tmp_path, monkeypatch, fake_github, user="passerby") == 0
    assert fake_github.statuses(head) == []
    (answer,) = ours(fake_github, 7, "reply to=9001")
    assert "`passerby` is not an active member of `acme/triagers`" in answer


def test_pending_membership_is_not_enough(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager", state="pending")
    enable_cli(tmp_path, monkeypatch, fake_github)
    assert fake_github.statuses(head) == []


@pytest.mark.parametrize("access", [403, 401])
def test_token_without_org_read_is_denied_with_the_reason(fake_github, actions_env, tmp_path, monkeypatch, access):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_github.team_access = access
    enable_cli(tmp_path, monkeypatch, fake_github)
    assert fake_github.statuses(head) == []
    (answer,) = ours(fake_github, 7, "reply")
    assert "cannot read the membership of `acme/triagers`" in answer and "Members: read" in answer


def test_missing_org_token_is_denied(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    enable_cli(tmp_path, monkeypatch, fake_github, org_token=None)
    assert fake_github.statuses(head) == []
    assert "org-token" in ours(fake_github, 7, "reply")[0]
    assert not any("/orgs/" in path for _, path in fake_github.calls())


def test_no_teams_configured_denies(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    enable_cli(tmp_path, monkeypatch, fake_github, bot="  handle: instructlab-bot\n")
    assert fake_github.statuses(head) == []
    assert "no teams are configured" in ours(fake_github, 7, "reply")[0]


def test_enable_without_a_gating_label(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github, labels=())
    fake_github.add_team_member("acme", "triagers", "triager")
    enable_cli(tmp_path, monkeypatch, fake_github)
    assert fake_github.statuses(head) == []
    assert "needs the `skill` or `knowledge` label" in ours(fake_github, 7, "reply")[0]


def test_enable_applies_the_label_when_configured(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github, labels=())
    fake_github.add_team_member("acme", "triagers", "triager")
    enable_cli(tmp_path, monkeypatch, fake_github, bot="  teams: [acme/triagers]\n  auto-label: true\n")
    assert fake_github.issue_labels(7) == ["skill"]
    assert fake_github.statuses(head)[0]["state"] == "success"


def test_enable_from_the_terminal(fake_github, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    monkeypatch.setenv("LABELER_ORG_TOKEN", ORG_TOKEN)
    assert main(["enable", "--pr", "7", "--user", "triager", "--teams", "acme/triagers"]) == 0
    assert fake_github.statuses(head)[0]["context"] == "labeler/enabled"
    assert main(["enable", "--pr", "7", "--teams", "acme/triagers"]) == 1  # --pr needs --user


def test_enable_dry_run_sets_nothing(fake_github, tmp_path, monkeypatch, capsys):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    monkeypatch.setenv("LABELER_ORG_TOKEN", ORG_TOKEN)
    assert main(["enable", "--pr", "7", "--user", "triager", "--teams", "acme/triagers", "--dry-run"]) == 0
    assert fake_github.statuses(head) == [] and fake_github.writes() == []
    assert "<!-- labeler:welcome -->" in capsys.readouterr().out


# ---------------------------------------------------------------------------------- the enable gate
def test_editing_someone_elses_comment_into_enable_does_nothing(fake_github, actions_env, tmp_path, monkeypatch):
    """Item 1: the editor (sender) is not the triager who wrote the comment."""
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    event = comment_event(f"@instructlab-bot enable {head[:7]}", user="triager", action="edited", before="LGTM")
    event["sender"] = {"login": "mallory", "type": "User"}
    monkeypatch.setenv("LABELER_ORG_TOKEN", ORG_TOKEN)
    cfg = write_config(tmp_path, "  teams: [acme/triagers]\n")
    assert main(["bot", "--event", write_event(tmp_path, event), "--event-name", "issue_comment", "--config", cfg]) == 0
    assert fake_github.statuses(head) == [] and fake_github.writes() == []


def test_the_editor_is_the_one_authorized(fake_github, actions_env, tmp_path, monkeypatch):
    from labeler.taxonomy_bot.settings import trigger

    event = comment_event("@instructlab-bot enable abcdef1", user="triager", action="edited", before="x")
    event["sender"] = {"login": "triager"}
    trig = trigger("issue_comment", event, Settings())
    assert (trig.command, trig.actor, trig.args) == ("enable", "triager", ("abcdef1",))


def test_a_push_between_comment_and_job_is_never_enabled(fake_github, actions_env, tmp_path, monkeypatch):
    """Item 2: the triager reviewed (and named) the old head; the job sees the new one."""
    old = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_github.set_head(7, "f" * 40)
    assert enable_cli(tmp_path, monkeypatch, fake_github, body=f"@instructlab-bot enable {old[:7]}") == 0
    assert fake_github.statuses("f" * 40) == [] and fake_github.statuses(old) == []
    (answer,) = ours(fake_github, 7, "reply to=9001")
    assert "head is `fffffff`" in answer


def test_bare_enable_names_the_command_to_use(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    assert enable_cli(tmp_path, monkeypatch, fake_github, body="@instructlab-bot enable") == 0
    assert fake_github.statuses(head) == []
    assert f"`@instructlab-bot enable {head[:7]}`" in ours(fake_github, 7, "reply to=9001")[0]


def test_enable_with_the_full_sha(fake_github, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    enable_cli(tmp_path, monkeypatch, fake_github, body=f"@instructlab-bot enable {head.upper()}")
    assert fake_github.statuses(head)[0]["state"] == "success"


def test_terminal_enable_refuses_a_moved_head(fake_github, tmp_path, monkeypatch):
    seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    monkeypatch.setenv("LABELER_ORG_TOKEN", ORG_TOKEN)
    assert main(["enable", "--pr", "7", "--user", "triager", "--teams", "acme/triagers", "--sha", "1234567"]) == 0
    assert fake_github.statuses(fake_github.pulls[7].head_sha) == []


def test_another_apps_enabled_status_does_not_unlock(fake_github, actions_env, tmp_path, monkeypatch):
    """Item 3: only the configured bot login's statuses count (no `type == Bot` fallback)."""
    from labeler import gh as ghmod

    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled", creator="other-app[bot]")
    g = ghmod.open_repo()
    assert g.own_statuses(head) == []
    assert ghmod.GitHub(g.client, "acme/widgets", bot_login="other-app[bot]").own_statuses(head)


def test_statuses_are_paged_until_the_context_is_found(fake_github, actions_env, tmp_path, monkeypatch):
    """Item 4: 150 CI statuses after the enable status do not push it out."""
    from labeler import gh as ghmod

    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled", creator="github-actions[bot]")
    for i in range(150):
        fake_github.add_status(head, "success", f"ci/{i}", creator="github-actions[bot]")
    assert enabled_on(ghmod.open_repo().own_statuses(head, "labeler/enabled"), "labeler/enabled")


def test_decide_is_pure_and_fails_closed():
    from labeler.taxonomy_bot.enable import Facts, decide
    from labeler.taxonomy_bot.settings import Trigger

    s = Settings(teams=TEAMS)
    pr = PullRequest(7, "a" * 40, ("skill",), "open", "c")
    trig = Trigger(7, "enable", actor="tri", comment_id=1, args=("aaaaaaa",))
    paths = ("compositional_skills/x/qna.yaml",)
    unreadable = decide(s, trig, Facts(((TEAMS[0], None), (TEAMS[1], False)), pr, paths))
    assert unreadable.status is None and "could not check" in unreadable.reply
    ok = decide(s, trig, Facts(((TEAMS[0], True),), pr, paths))
    assert ok.status == ("a" * 40, "labeler/enabled", "Enabled by tri (acme/taxonomy-triagers) for aaaaaaa")
    moved = decide(
        s, Trigger(7, "enable", actor="tri", comment_id=1, args=("bbbbbbb",)), Facts(((TEAMS[0], True),), pr, paths)
    )
    assert moved.status is None and moved.welcome is None
