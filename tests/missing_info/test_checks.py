def test_headings_inside_html_pre_are_not_sections():
    """The one Markdown scanner (labeler.slash) hides <pre> blocks here too."""
    from labeler.missing_info.checks import sections

    body = "### Version\n1.2\n\n<pre>\n### Steps\nnot a heading\n</pre>\n"
    assert [s.heading for s in sections(body)] == ["Version"]
