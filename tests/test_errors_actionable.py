"""GitHub read failures end in one error line saying what to check, exit 1."""

import pytest

from labeler.cli import main
from taxonomy_bot.helpers import ORG_TOKEN, comment_event, ours, seed_pr, write_config, write_event


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize(
    "status, hint",
    [
        (401, "check GITHUB_TOKEN"),
        (404, "check the repository name"),
    ],
)
def test_read_failures_name_what_to_check(fake_github, capsys, status, hint):
    fake_github.violations_ok = True
    fake_github.fail("GET", r"/pulls/7$", status, times=10)
    code, text = run(capsys, "precheck", "--pr", "7")
    assert code == 1 and hint in text
    assert "Traceback" not in text and "internal error" not in text
    assert text.count("error:") == 1


def test_persistent_5xx_after_retries(fake_github, capsys, monkeypatch):
    monkeypatch.setenv("LABELER_GITHUB_PACE", "0.001")  # retries on, no real waiting
    fake_github.fail("GET", r"/pulls/7$", 502, times=50)
    code, text = run(capsys, "precheck", "--pr", "7")
    assert code == 1 and "try again later" in text and "Traceback" not in text


def test_connection_refused_names_the_url(fake_github, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    code, text = run(capsys, "precheck", "--pr", "7")
    assert code == 1 and "cannot reach GitHub at http://127.0.0.1:9" in text and "GITHUB_API_URL" in text
    assert "Traceback" not in text


def test_team_check_500_still_replies(fake_github, actions_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LABELER_GITHUB_PACE", "0.001")
    monkeypatch.setenv("LABELER_ORG_TOKEN", ORG_TOKEN)
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_github.fail("GET", r"/orgs/acme/teams/triagers/memberships/", 500, times=50)
    event = write_event(tmp_path, comment_event(f"@instructlab-bot enable {head[:7]}"))
    cfg = write_config(tmp_path, "  teams: [acme/triagers]\n")
    assert main(["bot", "--event", event, "--event-name", "issue_comment", "--config", cfg]) == 0
    assert fake_github.statuses(head) == []
    (answer,) = ours(fake_github, 7, "reply to=9001")
    assert "could not check" in answer


def test_label_issue_without_any_event_is_an_error(capsys, tmp_path):
    """Neither --event nor GITHUB_EVENT_PATH (nor --issue): an error naming both, not exit 0."""
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\n", encoding="utf-8")
    code, text = run(capsys, "label-issue", "--config", str(cfg))
    assert code == 1 and "--event" in text and "GITHUB_EVENT_PATH" in text


def test_unhandled_event_says_which_are_handled(capsys, tmp_path):
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\n", encoding="utf-8")
    event = tmp_path / "e.json"
    event.write_text("{}", encoding="utf-8")
    code, text = run(capsys, "label-issue", "--event", str(event), "--event-name", "push", "--config", str(cfg))
    assert code == 0 and "it handles issues, issue_comment and workflow_dispatch" in text
