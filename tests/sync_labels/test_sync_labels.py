import pytest

from labeler import config, sync_labels
from labeler.cli import main

CFG = config.parse("""
labels:
  - name: bug
    color: d73a4a
    description: Broken
    aliases: [defect]
  - name: enhancement
    color: a2eeef
  - name: docs
    color: 0075ca
    aliases: [documentation]
""")


def test_plan_creates_updates_renames_and_prunes_only_when_asked():
    existing = {
        "Bug": {"color": "ffffff", "description": "Broken"},
        "documentation": {"color": "0075ca", "description": ""},
        "random": {"color": "000000", "description": ""},
    }
    changes = sync_labels.plan(CFG, existing)
    assert [(c.action, c.name, c.new_name) for c in changes] == [
        ("update", "Bug", "bug"),
        ("create", "enhancement", ""),
        ("rename", "documentation", "docs"),
    ]
    pruned = sync_labels.plan(CFG, existing, prune=True)
    assert ("delete", "random") in [(c.action, c.name) for c in pruned]
    assert not [c for c in pruned if c.action == "delete" and c.name == "documentation"]


def test_nothing_to_do():
    existing = {lbl.name: {"color": lbl.color, "description": lbl.description} for lbl in CFG.labels}
    assert sync_labels.plan(CFG, existing) == []


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text(
        "labels:\n  - {name: bug, color: d73a4a, aliases: [defect]}\n  - {name: enhancement, color: a2eeef}\n"
    )
    return str(path)


def test_sync_against_github(fake_github, cfg_file, capsys):
    fake_github.add_label("defect", "ffffff")
    fake_github.add_label("stale", "000000")
    fake_github.add_issue(3, labels=["defect"])
    assert main(["sync-labels", "--config", cfg_file]) == 0
    assert set(fake_github.repo_labels()) == {"bug", "enhancement", "stale"}
    assert fake_github.issue_labels(3) == ["bug"]  # renamed in place: the issue keeps it
    assert main(["sync-labels", "--config", cfg_file]) == 0
    assert "already match" in capsys.readouterr().out


def test_dry_run_changes_nothing(fake_github, cfg_file, capsys):
    assert main(["sync-labels", "--config", cfg_file, "--dry-run", "--prune"]) == 0
    assert fake_github.writes() == []
    assert "Would make 2 change(s)" in capsys.readouterr().out


def test_a_create_that_landed_before_a_502_is_not_repeated(fake_github, cfg_file):
    fake_github.fail("POST", r"/labels$", status=502, after_apply=True)
    assert main(["sync-labels", "--config", cfg_file]) == 0
    assert set(fake_github.repo_labels()) == {"bug", "enhancement"}
