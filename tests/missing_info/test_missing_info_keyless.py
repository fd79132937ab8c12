"""missing-info's model method on the keyless path: GitHub Models (FakeLLM at a models URL) with the workflow token;
a refusal checks with the rules instead, one warning, exit 0; without the opt-in it asks for a key."""

from conftest import FAKE_GITHUB_TOKEN
from labeler.cli import main

EMPTY_FORM = "### Describe the bug\n\n### Steps to reproduce\n\n### Version\n"


def test_method_llm_asks_github_models_with_the_workflow_token(fake_github, fake_models, monkeypatch):
    monkeypatch.setenv("LABELER_GITHUB_MODELS", "true")
    fake_github.add_issue(7, "Crash on save", EMPTY_FORM)
    fake_models.enqueue({"complete": False, "missing": ["the version"], "remarks": "no version"})
    assert main(["missing-info", "--issue", "7", "--method", "llm"]) == 0
    [request] = fake_models.requests
    assert request.headers["authorization"] == f"Bearer {FAKE_GITHUB_TOKEN}"
    assert fake_github.issue_labels(7) == ["needs more info"]
    assert "the version" in fake_github.comments(7)[0]


def test_a_refusal_checks_with_the_rules(fake_github, fake_models, monkeypatch, capsys):
    monkeypatch.setenv("LABELER_GITHUB_MODELS", "true")
    fake_github.add_issue(7, "Crash on save", EMPTY_FORM)
    fake_models.fault(403, times=9)
    assert main(["missing-info", "--issue", "7", "--method", "llm"]) == 0
    assert len(fake_models.requests) == 1
    said = capsys.readouterr()
    out = said.out + said.err
    assert out.count("GitHub Models refused the workflow token (HTTP 403)") == 1 and "with the rules" in out
    assert fake_github.issue_labels(7) == ["needs more info"]


def test_without_the_opt_in_method_llm_names_what_to_set(fake_github, fake_models, capsys):
    fake_github.add_issue(7, "Crash on save", EMPTY_FORM)
    assert main(["missing-info", "--issue", "7", "--method", "llm"]) == 1
    err = capsys.readouterr()
    assert "--github-models" in err.out + err.err and fake_models.requests == []
