import pytest

from labeler import slash


@pytest.mark.parametrize("body, expected", [
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
])
def test_commands_only_where_a_reader_sees_them(body, expected):
    assert slash.commands(body, "/label") == expected


def test_an_edit_runs_only_new_commands():
    assert slash.new_commands("/label auto\n/label off", "/label auto", "/label") == [("off",)]
    assert slash.new_commands("/label auto (edited)", "/label auto (typo)", "/label") == []
    assert slash.new_commands("/label auto", None, "/label") == [("auto",)]
