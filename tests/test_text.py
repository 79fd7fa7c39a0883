"""resourcecenter.text: the one HTML-to-text helper."""

import pytest

from resourcecenter.text import collapse_whitespace, html_to_lines, html_to_text, truncate_words


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("a<em>b</em>c", "abc"),
        (
            'x<strong>y</strong><a href="/z">z</a><code>q</code><span>r</span><mark>s</mark>',
            "xyzqrs",
        ),
        ("<p>one</p><p>two</p>", "one two"),
        ("<ul><li>first</li><li>second</li></ul>", "first second"),
        ("<h2>Title</h2>Body", "Title Body"),
        ("line<br>break<br/>again", "line break again"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("Tom &amp; Jerry &lt;3 &#8217;s &nbsp;end", "Tom & Jerry <3 ’s end"),
        ("  lots \n\n of\t space  ", "lots of space"),
        ("<script>alert(1)</script>safe<style>p{}</style>", "safe"),
        ("a < b and c > d", "a < b and c > d"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


def test_limit_cuts_on_a_word_boundary():
    text = html_to_text("<p>alpha beta gamma delta</p>", limit=14)
    assert text == "alpha beta…"
    assert len(text) <= 14
    assert html_to_text("<p>short</p>", limit=14) == "short"


def test_truncate_words_without_a_space_cuts_the_word():
    assert truncate_words("abcdefghij", 5) == "abcd…"


def test_collapse_whitespace():
    assert collapse_whitespace(" a \n b\u00a0 c ") == "a b c"


def test_html_to_lines_keeps_an_emails_lines_and_drops_what_is_not_read():
    html = (
        "<html><head><style>p { color: red }</style><title>x</title></head><body>"
        "<p>Hello   team,</p><p>The modem says <b>+CME ERROR: 30</b> &amp; drops.</p>"
        "<div>Steps:<br>1. reboot<br>2. attach</div><p></p><p></p><p>Thanks</p>"
        "<script>alert(1)</script></body></html>"
    )
    assert html_to_lines(html) == (
        "Hello team,\n\nThe modem says +CME ERROR: 30 & drops.\n\nSteps:\n1. reboot\n"
        "2. attach\n\nThanks"
    )
    assert html_to_lines("") == "" and html_to_lines(None) == ""
