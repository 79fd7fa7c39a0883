"""`{% page_window page_obj as links %}`: the page numbers a pagination bar shows.

The bar shows the first and last page, two pages either side of the current one and a gap
("…") where numbers are left out. Working that out in the template meant a loop with three
`{% if %}`s over every page number (100 on a long thread list); here it is one pass in Python
and the template loops over at most nine entries.
"""

from django import template

register = template.Library()

WINDOW = 2  # pages shown either side of the current one


def page_window(number: int, num_pages: int) -> list[dict]:
    """[{"number": n, "current": bool} or {"gap": True}] for page `number` of `num_pages`."""
    shown = {1, num_pages, *range(number - WINDOW, number + WINDOW + 1)}
    links: list[dict] = []
    for page in sorted(n for n in shown if 1 <= n <= num_pages):
        if links and page - links[-1]["number"] > 1:
            links.append({"gap": True})
        links.append({"number": page, "current": page == number})
    return links


@register.simple_tag
def page_links(page_obj) -> list[dict]:
    return page_window(page_obj.number, page_obj.paginator.num_pages)
