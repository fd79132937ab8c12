"""`labeler backport-report` end to end, in-process, on real git repositories (rules provider)."""

from __future__ import annotations

import json

import pytest

from backport_report.helpers import build_repo
from labeler.cli import main

FIELDS = {"seq", "sha", "subject", "author", "date", "verdict", "reason", "backported", "backported_to"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("cmd") / "haproxy")


def run(repo, tmp_path, *extra):
    args = [
        "backport-report",
        "--repo",
        str(repo.path),
        "--stable",
        "2.8",
        "--html",
        str(tmp_path / "page.html"),
        "--json",
        str(tmp_path / "report.json"),
        *extra,
    ]
    return main(args)


def load(tmp_path):
    return json.loads((tmp_path / "report.json").read_text())


def test_rules_run_writes_json_page_summary_and_outputs(repo, tmp_path, actions_env, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/haproxy")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://ghe.example")
    assert run(repo, tmp_path) == 0
    data = load(tmp_path)
    assert data["since"] == "v2.9-dev0" and data["provider"] == "rules" and data["stable"] == ["2.8"]
    commits = {c["sha"]: c for c in data["commits"]}
    assert repo.sha["merge"] not in commits and repo.sha["side"] in commits
    assert all(set(c) >= FIELDS for c in commits.values())
    assert [c["seq"] for c in data["commits"]] == list(range(1, len(commits) + 1))
    verdicts = {name: commits[sha]["verdict"] for name, sha in repo.sha.items() if sha in commits}
    assert verdicts == {
        "fix": "yes",
        "feature": "no",
        "nobackport": "no",
        "doc": "yes",
        "adapted": "yes",
        "side": "no",
        "wait": "wait",
        "xss": "no",
        "abbrev": "yes",
    }
    waited = commits[repo.sha["wait"]]  # "wait a bit" in 2023: long past the observation period
    assert waited["ready"] is True and waited["age_days"] > 14 and waited["reason"].startswith("Wait, ready since ")
    assert waited["kind"] == "instruction:wait" and 0 < waited["confidence"] <= 1
    assert commits[repo.sha["doc"]]["backported_to"] == ["2.8"]
    assert commits[repo.sha["doc"]]["backport_commits"][0]["match"] == "patch-id"
    assert commits[repo.sha["wait"]]["backported"] is False
    page = (tmp_path / "page.html").read_text()
    assert f'href="https://ghe.example/acme/haproxy/commit/{repo.sha["fix"]}"' in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    summary = actions_env.summary()
    assert "| wait | 1 | 0 |" in summary
    assert "**To backport (yes, not yet backported): 0**" in summary
    outputs = actions_env.outputs()
    assert outputs["wait"] == "1" and outputs["yes"] == "0" and outputs["json"].endswith("report.json")
    assert "wait: 1 (+0 backported)" in capsys.readouterr().out


def test_a_wait_inside_the_observation_period_stays_wait(repo, tmp_path):
    assert run(repo, tmp_path, "--observation-days", "100000") == 0
    waited = {c["sha"]: c for c in load(tmp_path)["commits"]}[repo.sha["wait"]]
    assert waited["verdict"] == "wait" and waited["ready"] is False and waited["age_days"] > 14


def test_help_names_every_env_var(capsys):
    assert main(["backport-report", "--help"]) == 0
    text = capsys.readouterr().out
    for name in (
        "REPO",
        "SINCE",
        "UNTIL",
        "STABLE",
        "PROVIDER",
        "MODEL",
        "PROMPTS",
        "RULES",
        "CACHE",
        "CONCURRENCY",
        "HTML",
        "JSON",
        "COMMIT_URL",
        "ISSUE_URL",
        "SHARD",
        "MERGE",
        "DRY_RUN",
    ):
        assert f"LABELER_{name}" in text
    assert "--shard 1/4" in text


def test_options_from_env(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("LABELER_REPO", str(repo.path))
    monkeypatch.setenv("LABELER_STABLE", "2.8 2.8")
    monkeypatch.setenv("LABELER_SINCE", "v2.9-dev1")
    monkeypatch.setenv("LABELER_JSON", str(tmp_path / "r.json"))
    assert main(["backport-report"]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["since"] == "v2.9-dev1" and len(data["commits"]) == 6


def test_shards_merge_into_the_whole_report(repo, tmp_path):
    assert run(repo, tmp_path) == 0
    whole = load(tmp_path)
    parts = []
    for i in (1, 2, 3):
        part = tmp_path / f"part-{i}.json"
        assert (
            main(
                [
                    "backport-report",
                    "--repo",
                    str(repo.path),
                    "--stable",
                    "2.8",
                    "--shard",
                    f"{i}/3",
                    "--json",
                    str(part),
                ]
            )
            == 0
        )
        parts += ["--merge", str(part)]
    sizes = [len(json.loads((tmp_path / f"part-{i}.json").read_text())["commits"]) for i in (1, 2, 3)]
    assert sum(sizes) == len(whole["commits"]) and max(sizes) < len(whole["commits"])
    assert (
        main(
            [
                "backport-report",
                *parts,
                "--json",
                str(tmp_path / "merged.json"),
                "--html",
                str(tmp_path / "merged.html"),
            ]
        )
        == 0
    )
    merged = json.loads((tmp_path / "merged.json").read_text())
    # the apply check needs the whole pick list: a shard does not run it
    assert [{k: v for k, v in c.items() if k != "apply"} for c in whole["commits"]] == merged["commits"]
    assert merged["merged_from"] == 3 and merged["pick"] == whole["pick"]
    assert (tmp_path / "merged.html").read_text().count('class="row') == len(whole["commits"])


def test_merge_refuses_shards_of_different_ranges(repo, tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["backport-report", "--repo", str(repo.path), "--stable", "2.8", "--json", str(a)]) == 0
    assert (
        main(["backport-report", "--repo", str(repo.path), "--stable", "2.8", "--since", "v2.9-dev1", "--json", str(b)])
        == 0
    )
    assert main(["backport-report", "--merge", str(a), "--merge", str(b), "--json", str(tmp_path / "m.json")]) == 1
    assert "another range" in capsys.readouterr().err


def test_merge_rejects_a_file_that_is_not_a_report(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"commits": []}')
    assert main(["backport-report", "--merge", str(bad), "--json", str(tmp_path / "m.json")]) == 1
    assert "not a backport-report JSON file" in capsys.readouterr().err


def test_dry_run_writes_nothing(repo, tmp_path, capsys):
    assert run(repo, tmp_path, "--dry-run") == 0
    assert not (tmp_path / "page.html").exists() and not (tmp_path / "report.json").exists()
    assert "9 commits (merges skipped)" in capsys.readouterr().out


def test_commit_url_pattern(repo, tmp_path):
    assert (
        run(
            repo,
            tmp_path,
            "--commit-url",
            "https://git.example/?h={sha}",
            "--issue-url",
            "https://bugs.example/{number}",
        )
        == 0
    )
    assert f'href="https://git.example/?h={repo.sha["fix"]}"' in (tmp_path / "page.html").read_text()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--stable", "2.8", "--json", "x.json", "--repo", "/nonexistent/dir"], "is not a directory"),
        (["--json", "x.json"], "name at least one stable branch"),
        (["--stable", "2.8"], "nothing to write"),
        (["--stable", "nope", "--json", "x.json"], "--stable 'nope' is not a commit"),
        (["--stable", "2.8", "--since", "v9.9-dev0", "--json", "x.json"], "--since 'v9.9-dev0' is not a commit"),
        (["--stable", "2.8", "--shard", "4/3", "--json", "x.json"], "--shard 4/3"),
        (["--stable", "2.8", "--shard", "half", "--json", "x.json"], "--shard must look like i/n"),
        (["--stable", "2.8", "--model", "m", "--json", "x.json"], "--model and --prompts need"),
        (["--stable", "2.8", "--commit-url", "javascript:alert({sha})", "--json", "x.json"], "--commit-url must be"),
        (["--stable", "2.8", "--commit-url", "https://x.example/", "--json", "x.json"], "containing {sha}"),
        (["--stable", "2.8", "--rules", "missing.yml", "--json", "x.json"], "cannot read the rules file"),
        (["--stable", "2.8", "--provider", "anthropic", "--json", "x.json"], "needs an API key: set ANTHROPIC_API_KEY"),
    ],
)
def test_user_errors(repo, tmp_path, monkeypatch, capsys, args, words):
    monkeypatch.chdir(tmp_path)
    if "--repo" not in args:
        args = ["--repo", str(repo.path), *args]
    assert main(["backport-report", *args]) == 1
    out = capsys.readouterr()
    assert words in out.out + out.err
    assert "Traceback" not in out.out + out.err


def test_not_a_git_repository(tmp_path, capsys):
    assert main(["backport-report", "--repo", str(tmp_path), "--stable", "2.8", "--json", str(tmp_path / "x")]) == 1
    assert "is not a git repository" in capsys.readouterr().err


def test_rules_file_is_used(repo, tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("default: uncertain\nsubjects: []\n")
    assert run(repo, tmp_path, "--rules", str(rules)) == 0
    data = load(tmp_path)
    assert data["rules"] == str(rules)
    feature = next(c for c in data["commits"] if c["sha"] == repo.sha["feature"])
    assert feature["verdict"] == "uncertain"


def test_the_command_module_imports_no_heavy_dependency():
    import subprocess
    import sys

    code = (
        "import sys, labeler.backport_report.command as m; "
        "print(sorted(n for n in ('jinja2', 'anthropic', 'openai', 'github', 'yaml') if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unwritable_outputs_are_user_errors(repo, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert (
        main(["backport-report", "--repo", str(repo.path), "--stable", "2.8", "--json", str(blocker / "r.json")]) == 1
    )
    out = capsys.readouterr().err
    assert "cannot write the report" in out and "Traceback" not in out


def test_prompts_dir_missing_a_file(repo, tmp_path, capsys, fake_llm):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "backport_report_prefix.md").write_text("version: 1\nprefix\n")
    assert run(repo, tmp_path, "--provider", "anthropic", "--prompts", str(tmp_path / "prompts")) == 1
    assert "--prompts: cannot read backport_report_suffix.md" in capsys.readouterr().err
    assert fake_llm.requests == []
