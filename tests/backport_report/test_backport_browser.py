"""The review page in a real headless Chromium (Debian's), driven by Playwright, opened from disk."""

from __future__ import annotations

import os
import shutil

import pytest

from backport_report.helpers import XSS_SUBJECT, build_repo
from labeler.backport_report.render import render_html
from labeler.cli import main

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("LABELER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
META = {
    "since": "v2.9-dev0",
    "until": "HEAD",
    "stable": ["2.8"],
    "provider": "rules",
    "model": "rules:default",
    "generated": "2023-12-18 10:00 UTC",
}


def rec(seq, verdict, subject=None, backported=False, reason="because"):
    return {
        "seq": seq,
        "sha": f"{seq:02d}" + "ab" * 19,
        "subject": subject or f"MINOR: commit {seq}",
        "author": "A <a@b.example>",
        "author_email": "a@b.example",
        "date": "2023-12-18T10:00:00+00:00",
        "verdict": verdict,
        "reason": reason,
        "backported": backported,
        "backported_to": ["2.8"] if backported else [],
    }


RECORDS = [
    rec(1, "yes", backported=True),
    rec(2, "no"),
    rec(3, "yes", backported=True),
    rec(4, "yes", reason="see #12 and 0123abcd"),
    rec(5, "no", subject=XSS_SUBJECT),
    rec(6, "wait"),
    rec(7, "uncertain"),
    rec(8, "yes", subject="BUG/MINOR: a bug"),
]


def sha(seq):
    return f"{seq:02d}" + "ab" * 19


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Page:
    """A tab on the page, recording dialogs, errors and every request it makes."""

    def __init__(self, browser, path):
        self.path = path
        self.tab = browser.new_page()
        self.dialogs, self.errors, self.requests = [], [], []
        self.tab.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.tab.on("request", lambda r: self.requests.append(r.url))

    def open(self, fragment=""):
        self.tab.goto(self.path.as_uri() + fragment)
        return self

    def out(self):
        """The cid_ lists by verdict (the "needed by a pick" line is `needed()`)."""
        lines = dict(line.split("=", 1) for line in self.tab.input_value("#out").splitlines())
        return {k: v for k, v in lines.items() if k.startswith("cid_")}

    def needed(self):
        lines = dict(line.split("=", 1) for line in self.tab.input_value("#out").splitlines())
        return lines["needed_by_a_pick"].strip("( )").split()

    def command(self):
        """The ids of the command line shown on the page (empty when nothing is picked)."""
        text = self.tab.text_content("#command")
        return text.removeprefix("git cherry-pick -sx ").split() if text.startswith("git ") else []

    def visible(self):
        return [
            int(s)
            for s in self.tab.eval_on_selector_all(
                "tr.row", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.seq)"
            )
        ]

    def fragment(self):
        return self.tab.evaluate("location.hash")


@pytest.fixture
def page(browser, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        render_html(
            META,
            RECORDS,
            commit_url="https://github.example/a/b/commit/{sha}",
            issue_url="https://github.example/a/b/issues/{number}",
        )
    )
    tab = Page(browser, path)
    yield tab
    tab.tab.close()
    assert tab.errors == [] and tab.dialogs == []
    assert all(url.startswith("file://") for url in tab.requests), tab.requests


def test_default_view_starts_after_the_last_backported(page):
    page.open()
    assert page.visible() == [4, 5, 6, 7, 8]
    assert page.out() == {
        "cid_y": f"( {sha(4)} {sha(8)} )",
        "cid_w": f"( {sha(6)} )",
        "cid_u": f"( {sha(7)} )",
        "cid_n": f"( {sha(5)} )",
    }
    assert page.tab.text_content("#count-y") == "2" and page.tab.text_content("#count-b") == "0"


def test_all_shows_everything_and_skips_backported_in_the_lists(page):
    page.open()
    page.tab.check('input[name="start"][value="all"]')
    assert page.visible() == list(range(1, 9))
    assert page.out()["cid_n"] == f"( {sha(2)} {sha(5)} )"
    assert sha(1) not in page.out()["cid_y"] and page.tab.text_content("#count-b") == "2"


def test_clicking_a_verdict_updates_row_textarea_and_fragment(page):
    page.open()
    page.tab.click("#c5 input.y")
    assert page.out()["cid_y"] == f"( {sha(4)} {sha(5)} {sha(8)} )" and page.out()["cid_n"] == "( )"
    assert "s-y" in page.tab.get_attribute("#c5", "class") and "changed" in page.tab.get_attribute("#c5", "class")
    assert page.fragment() == "#show=bpnuwy&start=4&set=5y"
    page.tab.click("#c5 input.n")
    assert page.fragment() == "#show=bpnuwy&start=4"


def test_filters_hide_rows_and_count_table_shows_only(page):
    page.open()
    page.tab.uncheck("#show-y")
    assert page.visible() == [5, 6, 7]
    page.tab.uncheck("#show-n")
    assert page.visible() == [6, 7] and page.fragment().startswith("#show=bpuw&")
    page.tab.click('.counts td.c[data-b="1"][data-v="y"]')  # backported x yes
    assert page.visible() == [1, 3]
    page.tab.click('.counts td.c[data-b="0"][data-v="nuwy"]')  # every commit not backported
    assert page.visible() == [2, 4, 5, 6, 7, 8] and page.fragment() == "#show=pnuwy&start=all"


def test_start_review_radio_hides_earlier_rows(page):
    page.open()
    page.tab.check('input[name="start"][value="7"]')
    assert page.visible() == [7, 8] and page.out()["cid_y"] == f"( {sha(8)} )"


def test_fragment_restores_the_view_after_reload_and_on_paste(page):
    page.open("#start=all")
    page.tab.check('input[name="start"][value="2"]')
    page.tab.click("#c2 input.w")
    page.tab.uncheck("#show-u")
    state = (page.visible(), page.out(), page.fragment())
    page.tab.reload()
    assert (page.visible(), page.out(), page.fragment()) == state
    page.tab.evaluate("location.hash = '#show=bpy&start=all&set=2u.bogus.99y&junk=1'")
    page.tab.wait_for_function("document.querySelector('#c2').classList.contains('s-u')")
    assert page.visible() == [1, 3, 4, 8] and page.out()["cid_u"] == f"( {sha(2)} {sha(7)} )"


def test_reset_returns_to_the_bots_verdicts(page):
    page.open("#show=bpnuwy&start=all&set=4n")
    assert sha(4) in page.out()["cid_n"] and sha(4) not in page.out()["cid_y"]
    page.tab.click("#reset")
    assert sha(4) in page.out()["cid_y"] and page.visible() == [4, 5, 6, 7, 8] and "set=" not in page.fragment()


def test_untrusted_subject_stays_text(page):
    page.open()
    assert page.tab.text_content("#c5 .subj a") == XSS_SUBJECT
    assert page.tab.eval_on_selector_all("#commits img", "imgs => imgs.length") == 0
    assert page.tab.get_attribute("#c4 .reason a:first-child", "href") == "https://github.example/a/b/issues/12"


def test_real_command_output_opens_from_disk(browser, tmp_path):
    repo = build_repo(tmp_path / "repo")
    assert (
        main(["backport-report", "--repo", str(repo.path), "--stable", "2.8", "--html", str(tmp_path / "page.html")])
        == 0
    )
    tab = Page(browser, tmp_path / "page.html").open("#start=all")
    try:
        assert len(tab.visible()) == 9 and tab.dialogs == [] and tab.errors == []
        # waited long enough: ready, but still a Wait for the reviewer to pick, never a silent Yes
        assert repo.sha["wait"] in tab.out()["cid_w"] and repo.sha["wait"] not in tab.command()
        assert "Wait, ready since 2023-" in tab.tab.text_content(f'tr[data-sha="{repo.sha["wait"]}"] .ready')
        assert tab.tab.text_content(f"#c{tab.visible()[-2]} .subj").startswith(XSS_SUBJECT)
    finally:
        tab.tab.close()


def test_changed_verdicts_survive_a_new_page_without_fragment(page):
    page.open()
    page.tab.click("#c5 input.y")
    page.tab.goto(page.path.as_uri())  # tomorrow's page: same commits, no fragment
    assert "s-y" in page.tab.get_attribute("#c5", "class") and page.fragment().endswith("&set=5y")
    page.tab.click("#reset")
    page.tab.goto(page.path.as_uri())
    assert "s-n" in page.tab.get_attribute("#c5", "class") and "set=" not in page.fragment()


def test_a_link_with_changes_wins_over_stored_ones(page):
    page.open()
    page.tab.click("#c5 input.y")
    page.tab.goto(page.path.as_uri() + "#start=all&set=5w")
    assert "s-w" in page.tab.get_attribute("#c5", "class")


def grouped(seq, verdict, conf, **extra):
    return {**rec(seq, verdict), "confidence": conf, "kind": f"default:{verdict}", **extra}


@pytest.fixture
def groups_page(browser, tmp_path):
    records = [
        grouped(1, "no", 0.86),
        grouped(2, "yes", 0.97, fixed_by=[sha(3)]),
        grouped(3, "yes", 0.65, fixes=[{"sha": sha(2), "on_stable": False}], depends_on=[sha(1)]),
        grouped(4, "wait", 0.6, age_days=3.0, ready=False),
        grouped(5, "wait", 0.6, age_days=30.0, ready=True, ready_since="2023-11-30", reason="wait a bit"),
    ]
    records[0]["needed_by"] = [sha(3)]
    path = tmp_path / "groups.html"
    path.write_text(render_html(META, records))
    tab = Page(browser, path)
    yield tab
    tab.tab.close()
    assert tab.errors == [] and tab.dialogs == []


def test_what_a_yes_needs_but_is_not_yes_is_listed_to_confirm_not_pasted(groups_page):
    page = groups_page.open("#start=all")
    assert page.out()["cid_y"] == f"( {sha(2)} {sha(3)} )" and page.out()["cid_n"] == f"( {sha(1)} )"
    assert page.command() == [sha(2), sha(3)] and page.needed() == [sha(1)]
    assert "needed" in page.tab.get_attribute("#c1", "class") and "needed" not in page.tab.get_attribute("#c2", "class")
    assert page.tab.text_content("#c3 .links").split() == ["needs", "#1", "#2", "(fixes", "it)"]
    assert "fixed later by #3" in page.tab.text_content("#c2 .links")
    page.tab.click("#c3 input.n")  # nothing needs #1 any more
    assert page.out()["cid_y"] == f"( {sha(2)} )" and page.out()["cid_n"] == f"( {sha(1)} {sha(3)} )"
    assert page.needed() == [] and "needed" not in page.tab.get_attribute("#c1", "class")
    page.tab.click("#c3 .links a.need")  # jumping to a related row keeps the view
    assert "set=3n" in page.fragment()


def test_confidence_sorts_and_filters(groups_page):
    page = groups_page.open("#start=all")
    assert page.tab.text_content("#c2 .conf") == "0.97"
    page.tab.select_option("#sort", "conf-asc")
    order = page.tab.eval_on_selector_all("tr.row", "rows => rows.map(r => r.dataset.seq)")
    assert order == ["4", "5", "3", "1", "2"] and "sort=conf-asc" in page.fragment()
    page.tab.fill("#maxconf", "0.7")
    page.tab.dispatch_event("#maxconf", "change")
    assert sorted(page.visible()) == [3, 4, 5] and "conf=0.7" in page.fragment()
    page.tab.reload()
    assert sorted(page.visible()) == [3, 4, 5] and page.tab.input_value("#sort") == "conf-asc"


def test_wait_shows_its_age_and_ready_after_the_period(groups_page):
    page = groups_page.open("#start=all")
    assert page.tab.text_content("#c4 .waiting") == "waiting: 3 d so far"
    assert page.tab.text_content("#c5 .ready") == "Wait, ready since 2023-11-30 (waited 30 d)"
    # highlighted, but the reviewer picks it: Wait stays selected and it is not in the command
    assert "ready-row" in page.tab.get_attribute("#c5", "class") and page.tab.is_checked("#c5 input.w")
    assert sha(5) not in page.command() and sha(5) in page.out()["cid_w"]
