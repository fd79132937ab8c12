import json

import pytest

from labeler import runner
from labeler.errors import UserError


def test_outputs_use_a_random_delimiter_attackers_cannot_close(actions_env):
    hostile = "x\nghadelimiter_0\nlabels=pwned\nEOF"
    runner.set_output("plan", hostile)
    runner.set_output("labels", '["bug"]')
    assert actions_env.outputs() == {"plan": hostile, "labels": '["bug"]'}
    first = actions_env.output_path.read_text().splitlines()[0]
    assert first.startswith("plan<<ghadelimiter_") and len(first) > 40


def test_summary_is_appended_and_capped(actions_env):
    runner.summary("# one")
    runner.summary("two\n")
    assert actions_env.summary() == "# one\ntwo\n"
    runner.summary("é" * runner.SUMMARY_LIMIT)
    assert len(actions_env.summary().encode()) < 1024 * 1024


def test_annotations_escape_properties_and_newlines(capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    runner.error("bad\nthing 100%", file="a,b:c.yml", line=3)
    assert capsys.readouterr().out == "::error file=a%2Cb%3Ac.yml,line=3::bad%0Athing 100%25\n"


@pytest.mark.parametrize("actions", [True, False])
def test_one_error_line_annotation_only_in_actions(capsys, monkeypatch, actions):
    """`::error::` under GITHUB_ACTIONS=true, plain `error:` otherwise, never both."""
    from labeler.cli import main

    if actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["bot", "--event", "/nonexistent/event.json"]) == 1
    out, err = capsys.readouterr()
    if actions:
        assert out.count("::error") == 1 and "error:" not in err
    else:
        assert "::" not in out + err and err.count("error: /nonexistent/event.json: cannot read") == 1


def test_a_failure_is_also_in_the_job_summary_where_markup_cannot_escape(actions_env, capsys, monkeypatch):
    from labeler.cli import main

    monkeypatch.setenv("LABELER_TEACHER_API_KEY", "sk-teacher-0123456789")
    hostile = actions_env.output_path.parent / "```\n<img src=x> @admin sk-teacher-0123456789.json"
    assert main(["bot", "--event", str(hostile)]) == 1
    summary = actions_env.summary()
    assert summary.startswith("### labeler failed\n\n````text\n") and summary.endswith("\n````\n")
    assert (
        "cannot read" in summary
        and "sk-teacher" not in summary
        and str(hostile).replace("sk-teacher-0123456789", "***") in summary
    )
    assert capsys.readouterr().out.count("::error") == 1


def test_secrets_are_redacted_everywhere_they_leave(capsys, monkeypatch, tmp_path):
    from labeler import secrets

    monkeypatch.setenv("LABELER_TEACHER_API_KEY", "sk-teacher-0123456789")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "o.txt"))
    runner.error("echo sk-teacher-0123456789")
    runner.summary("key sk-teacher-0123456789")
    runner.set_output("x", "sk-teacher-0123456789")
    secrets.register("flag-secret-value")
    text = capsys.readouterr().err + (tmp_path / "s.md").read_text() + (tmp_path / "o.txt").read_text()
    assert "sk-teacher" not in text and text.count("***") == 3
    assert secrets.redact("a flag-secret-value b") == "a *** b"
    assert secrets.redact("short") == "short"


def test_masking_only_inside_actions(capsys, monkeypatch):
    runner.mask("secret")
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    runner.mask("line1\nline2")
    assert capsys.readouterr().out == "::add-mask::line1\n::add-mask::line2\n"


def test_event_errors_name_the_file(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="no event"):
        runner.event()
    bad = tmp_path / "e.json"
    bad.write_text('{"a": 1,\n oops}')
    with pytest.raises(UserError) as caught:
        runner.event(str(bad))
    assert caught.value.file == str(bad) and caught.value.line == 2
    with pytest.raises(UserError, match="cannot read"):
        runner.event(str(tmp_path / "missing.json"))
    good = tmp_path / "g.json"
    good.write_text(json.dumps({"action": "opened"}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(good))
    assert runner.event() == {"action": "opened"}


def test_event_text_no_utf_8_writer_takes_is_repaired_once_where_it_is_read(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(
        b'{"issue": {"title": "a\\ud800b\\u0000", "labels": [{"name": "\\udfff"}]}, "x": "\\ud83d\\ude00"}'
    )
    payload = runner.event(str(path))
    assert payload == {"issue": {"title": "a\ufffdb\ufffd", "labels": [{"name": "\ufffd"}]}, "x": "\U0001f600"}
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 990 + "1" + "}" * 990)
    try:
        runner.event(str(deep))
    except UserError as e:
        assert "nests too deeply" in e.message


def test_urls_follow_the_enterprise_server(monkeypatch):
    assert runner.api_url() == "https://api.github.com" and runner.server_url() == "https://github.com"
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://ghe.example.com/")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_RUN_ID", "9")
    assert runner.run_url() == "https://ghe.example.com/o/r/actions/runs/9"


@pytest.mark.parametrize("value", ["", "noslash", "a/b/c", "/b", "a/"])
def test_repository_must_be_owner_name(value):
    with pytest.raises(UserError):
        runner.repository(value)
