import pytest

from labeler import slash


@pytest.mark.parametrize(
    "body, expected",
    [
        ("/label auto", [("auto",)]),
        ("Thanks!\n\n  /LABEL Off  \n", [("off",)]),
        ("```\n/label auto\n```", []),
        ("~~~~\n/label auto\n~~~\n/label off\n~~~~", []),
        ("> /label auto", []),
        ("    /label auto", []),
        ("<!-- /label auto -->", []),
        ("<!--\n/label auto\n-->\n/label off", [("off",)]),
        ("please run `/label auto`", []),
        ("/labelauto", []),
        ("/label", [()]),
        ("```\nunclosed fence\n/label auto", []),
    ],
)
def test_commands_only_where_a_reader_sees_them(body, expected):
    assert slash.commands(body, "/label") == expected


def test_an_edit_runs_only_new_commands():
    assert slash.new_commands("/label auto\n/label off", "/label auto", "/label") == [("off",)]
    assert slash.new_commands("/label auto (edited)", "/label auto (typo)", "/label") == []
    assert slash.new_commands("/label auto", None, "/label") == [("auto",)]


@pytest.mark.parametrize(
    "body",
    [
        "<pre>\n/label off\n</pre>",
        "<pre>/label off</pre>",
        "<code>/label off</code>",
        "<code>\n/label off\n</code>",
        "x\n<code>/label off</code>",
        "<kbd>/label off</kbd>",
        "<details>\n\n<pre>\n/label off\n</pre>\n</details>",
        "[/label off](https://example.com)",
        "- /label off",
        "# /label off",
        "<div>\n/label off\n</div>",
        "<!--\n/label off",
    ],
)
def test_html_code_and_raw_html_never_hold_a_command(body):
    assert slash.commands(body, "/label") == []


@pytest.mark.parametrize(
    "body, expected",
    [
        ("text\n/label off", [("off",)]),
        ("/label off  \nthanks", [("off",)]),
        ("<b>hi</b>\n\n/label auto", [("auto",)]),
    ],
)
def test_plain_lines_after_markup_still_count(body, expected):
    assert slash.commands(body, "/label") == expected


def test_first_words():
    assert slash.first_words("\n\n@bot enable abc1234\nmore") == ["@bot", "enable", "abc1234"]
    assert slash.first_words("```\n@bot enable\n```") == []


@pytest.mark.parametrize(
    "body",
    [
        "thanks <!-- hidden\n\n/label off",
        "thanks <!--\n/label off",
        "see <!-- unfinished\n\n> quote\n\n/label off",
        "<div>\n<!-- unfinished\n</div>\n\n/label off",
        "**bold** <!-- x --> then <!-- again\n\n/label off",
    ],
)
def test_an_unterminated_html_comment_hides_everything_after_it(body):
    """GitHub renders nothing after a `<!--` that is never closed: a command there is unseen."""
    assert slash.commands(body, "/label") == []
    assert len(body.splitlines()) - 1 in slash.hidden_lines(body)


@pytest.mark.parametrize(
    "body",
    ["`<!--` opens a comment\n\n/label off", "```\n<!--\n```\n\n/label off", "<!-- closed -->\n\n/label off"],
)
def test_a_comment_opener_in_code_or_a_closed_comment_hides_nothing(body):
    assert slash.commands(body, "/label") == [("off",)]
