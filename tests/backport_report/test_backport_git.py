"""git access and already-backported detection, against real repositories built in tmp_path."""

from __future__ import annotations

import pytest

from backport_report.helpers import XSS_SUBJECT, build_repo, commit, init
from labeler import git
from labeler.backport_report import message
from labeler.backport_report.backported import Backport, find_backports, trailer_shas
from labeler.errors import UserError
from labeler.git import Commit


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("bp") / "haproxy")


def test_log_reads_every_field_and_keeps_merges_flagged(repo):
    commits = git.log(str(repo.path), "v2.9-dev0..HEAD")
    by_sha = {c.sha: c for c in commits}
    fix = by_sha[repo.sha["fix"]]
    assert fix.subject == "BUG/MINOR: foo: fix crash on empty input"
    assert fix.author == "Willy Dev <willy@haproxy.example>" and fix.date.startswith("2023-06-03T10:00:00")
    assert "Signed-off-by" in fix.message and fix.body.startswith("The parser")
    assert by_sha[repo.sha["merge"]].is_merge and not fix.is_merge
    assert by_sha[repo.sha["xss"]].subject == XSS_SUBJECT
    assert commits[0].sha == repo.sha["fix"]  # oldest first


def test_default_since_is_the_newest_dev0_tag(repo):
    assert git.default_since(str(repo.path), "HEAD") == "v2.9-dev0"


def test_no_dev0_tag_is_a_user_error(tmp_path):
    path = init(tmp_path / "r")
    commit(path, "first", {"a": "1"})
    with pytest.raises(UserError, match=r"no \*-dev0 tag .* --since"):
        git.default_since(str(path), "HEAD")


def test_resolve_and_check_repo_errors(repo, tmp_path):
    assert (
        git.resolve(str(repo.path), "v2.9-dev0", "--since")
        == git.git(str(repo.path), "rev-parse", "v2.9-dev0^{commit}").strip()
    )
    with pytest.raises(UserError, match="--stable 'nope' is not a commit"):
        git.resolve(str(repo.path), "nope", "--stable")
    with pytest.raises(UserError, match="--since '--output=x' is not a commit"):
        git.resolve(str(repo.path), "--output=x", "--since")  # option injection stays a ref
    with pytest.raises(UserError, match="not a git repository"):
        git.check_repo(str(tmp_path))
    with pytest.raises(UserError, match="not a directory"):
        git.check_repo(str(tmp_path / "missing"))


def test_patch_ids_match_a_reworded_cherry_pick(repo):
    p = str(repo.path)
    dev = git.patch_ids(p, "v2.9-dev0..master")
    stable = git.patch_ids(p, "v2.9-dev0..2.8")
    assert repo.sha["merge"] not in dev
    assert dev[repo.sha["doc"]] in stable.values()
    assert dev[repo.sha["adapted"]] not in stable.values()


def test_version_of():
    assert [git.version_of(r) for r in ("v3.0-dev0", "origin/2.8", "stable-2.6.x", "main")] == [
        "3.0",
        "2.8",
        "2.6",
        None,
    ]


def test_every_backport_is_found_with_how(repo):
    p = str(repo.path)
    dev = [c for c in git.log(p, "v2.9-dev0..master") if not c.is_merge]
    found = find_backports(
        dev,
        {"2.8": git.log(p, "v2.9-dev0..2.8")},
        git.patch_ids(p, "v2.9-dev0..master"),
        {"2.8": git.patch_ids(p, "v2.9-dev0..2.8")},
    )
    how = {name: [b.how for b in found.get(sha, [])] for name, sha in repo.sha.items()}
    assert how == {
        "fix": ["trailer"],
        "doc": ["patch-id"],
        "adapted": ["subject+author"],
        "abbrev": ["trailer"],
        "feature": [],
        "nobackport": [],
        "side": [],
        "wait": [],
        "merge": [],
        "xss": [],
    }
    assert all(b.ref == "2.8" for bs in found.values() for b in bs)


def _c(sha: str, message: str, author: str = "A") -> Commit:
    return Commit(sha, ("p",), author, "a@x", "2023-01-01T00:00:00+00:00", message)


def test_trailer_forms():
    text = (
        "x\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n"
        "(cherry picked from commit ABCDEF12)\ncommit 1111111111111111111111111111111111111111 upstream.\n"
        "[ Upstream commit 2222222 ]\n(cherry picked from commit 123456)\n"
    )
    assert trailer_shas(text) == [
        "0123456789abcdef0123456789abcdef01234567",
        "abcdef12",
        "1111111111111111111111111111111111111111",
        "2222222",
    ]


def test_ambiguous_abbreviation_and_multiple_branches():
    d1, d2 = "abcdef1" + "0" * 33, "abcdef1" + "1" * 33
    dev = [_c(d1, "BUG: one"), _c(d2, "BUG: two")]
    stable = {
        "2.8": [
            _c("s" * 40, "BUG: x\n\n(cherry picked from commit abcdef1)"),
            _c("t" * 40, f"BUG: one\n\n(cherry picked from commit {d1})"),
        ],
        "2.6": [
            _c("u" * 40, f"BUG: one\n\n(cherry picked from commit {d1[:12]})\n(cherry picked from commit {'9' * 40})")
        ],
    }
    found = find_backports(dev, stable, {}, {})
    assert found == {d1: [Backport("2.8", "t" * 40, "trailer"), Backport("2.6", "u" * 40, "trailer")]}


def test_one_stable_commit_proves_one_dev_commit():
    dev = [_c("a" * 40, "BUG: same"), _c("b" * 40, "BUG: same")]
    found = find_backports(
        dev, {"2.8": [_c("s" * 40, "BUG: same")]}, {"a" * 40: "P", "b" * 40: "P"}, {"2.8": {"s" * 40: "P"}}
    )
    assert list(found) == ["a" * 40]


def test_subject_match_needs_the_same_author():
    dev = [_c("a" * 40, "BUG: same", author="Alice")]
    assert find_backports(dev, {"2.8": [_c("s" * 40, "BUG: same", author="Bob")]}, {}, {}) == {}


# ---------------------------------------------------------------------------- what the model sees
def test_model_input_drops_trailers_and_diff_and_indents():
    text = (
        "BUG/MINOR: foo: fix\n\nThe parser crashed.\nMust be backported to 2.8.\n\n"
        "Signed-off-by: A <a@x>\nCc: b@x\nReported-by: c\nAcked-by: d\nreviewed-by: e\n---\n"
        " src/foo.c | 2 +-\ndiff --git a/src/foo.c b/src/foo.c\n"
    )
    out = message.model_input(
        "0123456789abcdef", "BUG/MINOR: foo: fix", "willy@haproxy.org", "2023-12-18T10:00:00+01:00", text
    )
    assert out == (
        "#id: 01234567 willy@haproxy 18-Dec23 BUG/MINOR: foo: fix\n\nSubject: BUG/MINOR: foo: fix\n\n"
        "    The parser crashed.\n    Must be backported to 2.8.\n"
    )


@pytest.mark.parametrize(
    "iso, compact",
    [("2023-12-18T10:00:00+01:00", "18-Dec23"), ("2024-01-02T00:00:00Z", "02-Jan24"), ("garbage", "garbage")],
)
def test_compact_date(iso, compact):
    assert message.compact_date(iso) == compact


def test_sentences_keep_versions_and_join_wrapped_lines():
    text = "This must be backported\nas far as 2.6. It fixes #123; see 2.8.1 too.\n\nNew paragraph"
    assert message.sentences(text) == [
        "This must be backported as far as 2.6.",
        "It fixes #123;",
        "see 2.8.1 too.",
        "New paragraph",
    ]


def test_a_stable_ref_containing_the_dev_commits_proves_nothing():
    dev = [_c("a" * 40, "BUG: one")]
    assert find_backports(dev, {"master": dev}, {"a" * 40: "P"}, {"master": {"a" * 40: "P"}}) == {}
