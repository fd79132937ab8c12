from labeler import md


def test_mentions_are_neutralised_but_emails_and_code_stay():
    out = md.neutralize_mentions("ping @octocat and @acme/team, mail a@b.com")
    assert "@octocat" not in out and "@acme/team" not in out
    assert "a@b.com" in out
    assert out.replace("\u2060", "") == "ping @octocat and @acme/team, mail a@b.com"


def test_escape_removes_html_tables_and_links():
    out = md.escape("<img src=x onerror=alert(1)> | [x](javascript:alert(1)) *b* @here\nnext")
    assert "<img" not in out and "&lt;img" in out
    assert "\\|" in out and "\\[x\\]" in out and "\\*b\\*" in out
    assert "\n" not in out and "@here" not in out


def test_code_span_survives_backticks():
    assert md.code("a`b") == "``a`b``"
    assert md.code("`x") == "`` `x ``"


def test_fit_comment_and_cut():
    assert len(md.fit_comment("x" * 70000)) <= md.COMMENT_LIMIT
    assert md.fit_comment("short") == "short"
    assert md.cut("abcdef", 4) == "abc…"


def test_marker_values_cannot_close_the_comment():
    made = md.marker("publish-benchmarks", build="a-->b <x>")
    assert made.startswith("<!-- labeler:publish-benchmarks build=a") and made.endswith(" -->")
    assert made.count("-->") == 1 and "<x>" not in made


def test_a_code_block_cannot_be_closed_by_the_text_inside():
    from labeler import md

    assert md.code_block("plain") == "```text\nplain\n```"
    block = md.code_block("a ````` run\n```\n<b>@x</b>")
    assert block.startswith("``````text\n") and block.endswith("\n``````")
