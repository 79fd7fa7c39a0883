"""Small constructors for StreamField blocks, so the demo content reads like an outline.

Every function returns the block's raw (JSON) form, which `StreamField` accepts directly; code
is dedented here so the content modules can indent it naturally.
"""

from textwrap import dedent


def _clean(source: str) -> str:
    return dedent(source).strip("\n")


def p(html: str) -> dict:
    """A rich text paragraph (HTML: p, h2/h3, strong, em, a, ul/ol/li, code, blockquote)."""
    return {"type": "paragraph", "value": _clean(html)}


def h2(text: str, anchor: str = "") -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2", "anchor": anchor}}


def h3(text: str, anchor: str = "") -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h3", "anchor": anchor}}


def callout(kind: str, body: str, title: str = "") -> dict:
    """kind: info, note, tip, warning or danger."""
    return {"type": "callout", "value": {"kind": kind, "title": title, "body": _clean(body)}}


def steps(*items: tuple[str, str]) -> dict:
    """Numbered steps from (title, rich text body) pairs."""
    return {
        "type": "steps",
        "value": {"steps": [{"title": title, "body": _clean(body)} for title, body in items]},
    }


def snippet(language: str, source: str, filename: str = "") -> dict:
    """The value of one code block (used on its own by `code` and as a tab by `tabs`)."""
    return {"language": language, "filename": filename, "code": _clean(source)}


def code(language: str, source: str, filename: str = "") -> dict:
    return {"type": "code", "value": snippet(language, source, filename)}


def tabs(title: str, *snippets: dict) -> dict:
    """The same task in several languages; each tab made with `snippet`."""
    return {"type": "code_tabs", "value": {"title": title, "tabs": list(snippets)}}


def table(rows: list[list[str]], caption: str = "", header_row: bool = True) -> dict:
    """A TableBlock value; the first row is the header unless header_row is False."""
    return {
        "type": "table",
        "value": {
            "data": [list(row) for row in rows],
            "first_row_is_table_header": header_row,
            "first_col_is_header": False,
            "table_caption": caption,
        },
    }


def video(url: str, title: str) -> dict:
    return {"type": "video", "value": {"url": url, "title": title}}


def image(key: str, alt_text: str, caption: str = "") -> dict:
    """An image block showing the generated diagram `key` (see kb.demo_content.diagrams).

    The image's id is only known at load time, so the loader fills it in from `demo_image`.
    """
    return {
        "type": "image",
        "value": {"image": None, "alt_text": alt_text, "caption": caption},
        "demo_image": key,
    }
