"""The pagination bar (forum/_pagination.html, forum.templatetags.forum_pages): first and last
page, two either side of the current one, one "…" for each run of pages left out."""

import pytest

from forum.templatetags.forum_pages import page_window


def shown(number: int, num_pages: int) -> list:
    return ["…" if link.get("gap") else link["number"] for link in page_window(number, num_pages)]


@pytest.mark.parametrize(
    ("number", "num_pages", "expected"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 100, [1, 2, 3, "…", 100]),
        (5, 100, [1, "…", 3, 4, 5, 6, 7, "…", 100]),
        (4, 100, [1, 2, 3, 4, 5, 6, "…", 100]),
        (50, 100, [1, "…", 48, 49, 50, 51, 52, "…", 100]),
        (97, 100, [1, "…", 95, 96, 97, 98, 99, 100]),
        (100, 100, [1, "…", 98, 99, 100]),
        (3, 7, [1, 2, 3, 4, 5, "…", 7]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_page_window(number, num_pages, expected):
    assert shown(number, num_pages) == expected
    current = [link["number"] for link in page_window(number, num_pages) if link.get("current")]
    assert current == [number]


def test_the_bar_on_a_long_thread_list():
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page_obj = Paginator(range(2000), 20).page(50)
    html = render_to_string(
        "forum/_pagination.html", {"page_obj": page_obj, "base_qs": "?sort=new&", "label": "x"}
    )
    assert html.count('aria-hidden="true">…</span>') == 2
    assert '<a href="?sort=new&amp;page=50" aria-current="page">50</a>' in html
    assert 'aria-label="Page 100">100</a>' in html and 'aria-label="Page 47"' not in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Page 50 of 100" in html
