"""The page and the job summary render untrusted commit text safely."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from labeler.backport_report.render import default_start, linkify, render_html, render_summary

COMMIT = "https://github.example/acme/widgets/commit/{sha}"
ISSUE = "https://github.example/acme/widgets/issues/{number}"
META = {
    "since": "v2.9-dev0",
    "until": "HEAD",
    "stable": ["2.8"],
    "provider": "rules",
    "model": "rules:default",
    "generated": "2023-12-18 10:00 UTC",
}


def rec(seq, subject="MINOR: x", verdict="no", backported=False, reason="r", sha=None):
    return {
        "seq": seq,
        "sha": sha or f"{seq:040x}",
        "subject": subject,
        "author": "A <a@b.example>",
        "author_email": "a@b.example",
        "date": "2023-12-18T10:00:00+00:00",
        "verdict": verdict,
        "reason": reason,
        "backported": backported,
        "backported_to": ["2.8"] if backported else [],
    }


@pytest.mark.parametrize(
    "text, html",
    [
        (
            "see #123 and 0123abcd.",
            'see <a href="https://github.example/acme/widgets/issues/123" rel="noopener noreferrer">'
            '#123</a> and <a href="https://github.example/acme/widgets/commit/0123abcd" rel="noopener noreferrer">0123abcd</a>.',
        ),
        (
            "<b>#12</b>",
            '&lt;b&gt;<a href="https://github.example/acme/widgets/issues/12" rel="noopener noreferrer">#12'
            "</a>&lt;/b&gt;",
        ),
        ('it\'s "quoted" & done', "it&#39;s &#34;quoted&#34; &amp; done"),  # entities are not issue numbers
        ("deadbeef is a word, facade too", "deadbeef is a word, facade too"),  # hex words without a digit
        ("a#12 and http://x/#34", "a#12 and http://x/#34"),
        (
            '<a href="javascript:alert(1)">0123abcd</a>',
            '&lt;a href=&#34;javascript:alert(1)&#34;&gt;<a href="https://'
            'github.example/acme/widgets/commit/0123abcd" rel="noopener noreferrer">0123abcd</a>&lt;/a&gt;',
        ),
    ],
)
def test_linkify_escapes_then_links(text, html):
    assert str(linkify(text, COMMIT, ISSUE)) == html


def test_linkify_without_patterns_only_escapes():
    assert str(linkify("<#1 0123abcd>", None, None)) == "&lt;#1 0123abcd&gt;"


@pytest.mark.parametrize(
    "flags, start",
    [
        ([], "1"),
        ([2], "3"),
        ([1, 3], "4"),
        ([4], "5"),
        ([], "1"),
    ],
)
def test_default_start_is_after_the_last_backported(flags, start):
    records = [rec(i, backported=i in flags) for i in range(1, 5)]
    assert default_start(records) == start
    assert default_start([]) == "all"


def test_page_escapes_every_field_and_runs_only_its_own_script():
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    records = [
        rec(1, subject=evil, reason=evil, verdict="yes"),
        rec(2, subject="BUG/MINOR: a", backported=True),
        rec(3, subject="DOC: b", verdict="wait"),
    ]
    page = render_html(META, records, commit_url=COMMIT, issue_url=ISSUE)
    assert page.count("<script") == 2 and "<img" not in page and "onerror=alert(2)&gt;" in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1)
    for text, directive in ((scripts[0], "script-src"), (styles[0], "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "http" not in csp
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!github\.example)', page)  # nothing external


def test_json_for_the_script_is_escaped_for_a_script_context():
    evil = "</script><script>alert(1)</script><!--"
    page = render_html({**META, "since": evil}, [rec(1)])
    assert page.count("<script") == 2 and "<!--" not in page.split("<body>")[1]
    assert '"since": "\\u003c/script\\u003e' in page


def test_page_rows_bold_and_backported():
    page = render_html(
        META,
        [
            rec(1, subject="BUG/MINOR: a", backported=True),
            rec(2, subject="DOC: b"),
            rec(3, subject="MINOR: c", verdict="uncertain"),
        ],
    )
    rows = re.findall(r'<tr id="c\d+" class="([^"]+)"', page)
    assert rows == ["row bp bold s-y".replace(" s-y", " s-n"), "row bold s-n", "row s-u"]
    assert 'name="start" value="2" checked' in page


def test_summary_counts_and_lists_yes_safely():
    records = [
        rec(1, subject="BUG: ping @octocat [x](javascript:alert(1)) <b>", verdict="yes"),
        rec(2, verdict="yes", backported=True),
        rec(3, verdict="wait"),
        rec(4),
    ]
    text = render_summary(META, records, commit_url=COMMIT)
    assert "| yes | 1 | 1 |" in text and "| wait | 1 | 0 |" in text and "| no | 1 | 0 |" in text
    assert "@\u2060octocat" in text and "<b>" not in text and "\\[x\\]" in text
    assert f"[`{records[0]['sha'][:8]}`](https://github.example/acme/widgets/commit/{records[0]['sha']})" in text
    assert "**To backport (yes, not yet backported): 1**" in text


def test_summary_list_is_capped():
    text = render_summary(META, [rec(i, verdict="yes") for i in range(1, 8)], limit=5)
    assert "and 2 more" in text


@pytest.mark.parametrize(
    "value, shown", [(101, True), (None, False), ("101", False), (True, False), (-3, False), ("<script>", False)]
)
def test_a_row_links_the_pull_request_that_brought_it(value, shown):
    page = render_html(META, [{**rec(1), "pull_request": value}], issue_url=ISSUE)
    link = '<a class="pr" href="https://github.example/acme/widgets/issues/101"'
    assert (link in page) is shown and '<script>"' not in page
    if shown:
        assert ">#101</a> " in page
        bare = render_html(META, [{**rec(1), "pull_request": value}])  # no issue pattern: the number only
        assert 'class="pr"' not in bare and ">#101 a" in bare.replace("</div>", "")


def test_summary_says_how_many_commits_came_by_a_labelled_pull_request():
    text = render_summary({**META, "pull_requests": {"mapped": 12, "labelled": 5}}, [rec(1)])
    assert "Commits brought by a pull request: 12, 5 of them by one with a backport label." in text
    assert "pull request" not in render_summary(META, [rec(1)])
