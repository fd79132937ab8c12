"""The act harness (tests/act/harness.py) proven on a tiny workflow against FakeGitHub."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from act import harness

WORKFLOW = textwrap.dedent("""\
    name: harness-selftest
    on: [issues]
    permissions: {}
    jobs:
      comment:
        runs-on: ubuntu-24.04
        steps:
          - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
            id: py
            with:
              python-version: "3.12"
          - id: talk
            shell: bash
            env:
              GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
              TITLE: ${{ github.event.issue.title }}
            run: |
              python - <<'PY'
              import json, os
              from github import Auth, Github
              event = json.load(open(os.environ["GITHUB_EVENT_PATH"]))
              g = Github(base_url=os.environ["GITHUB_API_URL"], auth=Auth.Token(os.environ["GITHUB_TOKEN"]),
                         retry=0, seconds_between_requests=0, seconds_between_writes=0)
              issue = g.get_repo(os.environ["GITHUB_REPOSITORY"]).get_issue(event["issue"]["number"])
              issue.create_comment(f"seen: {os.environ['TITLE']}")
              with open(os.environ["GITHUB_OUTPUT"], "a") as f:
                  f.write("lines<<EOF_1\\nfirst\\nsecond\\nEOF_1\\n")
                  f.write(f"leak={os.environ.get('LEAKY_SECRET', 'absent')}\\n")
                  f.write(f"python={os.path.realpath(os.sys.prefix)}\\n")
              with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as f:
                  f.write("### commented\\n")
              PY
      other-label:
        runs-on: [self-hosted, linux]
        steps:
          - run: echo "mapped"
            shell: bash
      skipped:
        if: github.event.issue.pull_request
        runs-on: ubuntu-latest
        steps:
          - run: exit 1
""")


def test_copy_project_is_a_git_repo_with_origin(act_repo):
    assert (act_repo / "pyproject.toml").is_file() and not (act_repo / ".venv").exists()
    remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=act_repo, capture_output=True, text=True)
    assert remote.stdout.strip() == "https://github.com/acme/widgets"


def test_runs_on_labels_and_setup_python_refs(tmp_path):
    (tmp_path / "wf.yml").write_text(WORKFLOW)
    assert harness.runs_on_labels(tmp_path / "wf.yml") == ["ubuntu-24.04", "self-hosted", "linux", "ubuntu-latest"]
    assert "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065" in harness.setup_python_refs(
        tmp_path, tmp_path / "wf.yml"
    )


@pytest.mark.act
def test_harness_runs_a_workflow_against_fake_github(run_act, fake_github, event_file, tmp_path, monkeypatch):
    monkeypatch.setenv("LEAKY_SECRET", "from-the-host")  # must not reach the steps
    fake_github.add_issue(1, "Spelling error in the README file")
    repo = tmp_path / "repo"
    (repo / "selftest").mkdir(parents=True)
    (repo / "selftest" / "wf.yml").write_text(WORKFLOW)
    harness.init_repo(repo)
    event = event_file("issues.opened")

    result = run_act("issues", event, "selftest/wf.yml", repo, env={"GITHUB_API_URL": fake_github.url})

    assert result.ok, result.log()
    assert result.job_results == {"comment": "success", "other-label": "success"}  # `skipped` left no record
    assert fake_github.comments(1) == ["seen: Spelling error in the README file"]
    assert fake_github.writes()[0].header("authorization") == f"token {harness.FAKE_TOKEN}"
    assert result.outputs["lines"] == "first\nsecond"
    assert result.outputs["leak"] == "absent"
    assert result.outputs["python"].endswith("venv") and result.outputs["python-version"]
    assert result.summaries == ["### commented\n"]


@pytest.mark.act
def test_harness_reports_failure(run_act, event_file, tmp_path):
    repo = tmp_path / "repo"
    (repo / "wf").mkdir(parents=True)
    (repo / "wf" / "fail.yml").write_text(
        "on:\n  workflow_dispatch:\n    inputs: {what: {type: string}}\njobs:\n  boom:\n    runs-on: ubuntu-latest\n"
        '    steps:\n      - run: echo "input=$X" | tee -a "$GITHUB_STEP_SUMMARY"; exit 3\n        shell: bash\n'
        "        env: {X: '${{ inputs.what }}'}\n"
    )
    harness.init_repo(repo)
    result = run_act("workflow_dispatch", event_file("workflow_dispatch"), "wf/fail.yml", repo, inputs={"what": "hi"})
    assert result.returncode == 1 and result.job_results == {"boom": "failure"} and not result.ok
    assert "input=hi" in result.transcript()
    assert json.dumps(result.records)  # records are plain JSON
