"""resourcecenter.tags: the one tag-name parser (forum tags, imported kb tags)."""

from resourcecenter.tags import parse_tag_names


def test_commas_split_and_names_are_tidied():
    assert parse_tag_names(" LTE-M ,  Quectel   BG96,,lte-m ") == ["LTE-M", "Quectel BG96"]


def test_forum_style_words():
    parsed = parse_tag_names(
        "#LTE-M, quectel bg96 #quectel", split_on_whitespace=True, lowercase=True, drop_prefix="#"
    )
    assert parsed == ["lte-m", "quectel", "bg96"]


def test_lists_and_limits():
    assert parse_tag_names(["a", None, "", "A", 7], max_length=3) == ["a", "7"]
    assert parse_tag_names(["abcdef"], max_length=3) == ["abc"]
    assert parse_tag_names(None) == []
