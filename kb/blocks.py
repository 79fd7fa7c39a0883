"""StreamField blocks shared by every Resource Center page type (one place, as in bakerydemo)."""

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.images.blocks import ImageChooserBlock

from kb.highlighting import LANGUAGE_CHOICES, LANGUAGE_LABELS, highlight_code
from kb.video import video_embed_url
from resourcecenter.text import html_to_text

# Search text lives on each block (Wagtail's `get_searchable_content`: the body text it adds to
# its page) beside `get_searchable_headings` (the headings it adds, ranked above body text).
# kb.search_documents asks every block of a page for both, so a new block brings its own.


def _rich_text(value) -> str:
    source = getattr(value, "source", None)
    return html_to_text(source if source is not None else str(value or ""))


class SearchableHeadings:
    """A block that gives its page no headings unless it says otherwise."""

    def get_searchable_headings(self, value) -> list[str]:
        return []


CALLOUT_KINDS = [
    ("info", "Info"),
    ("note", "Note"),
    ("tip", "Tip"),
    ("warning", "Warning"),
    ("danger", "Danger"),
]


class HeadingBlock(SearchableHeadings, blocks.StructBlock):
    """A section heading; its anchor feeds the page's table of contents."""

    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")], default="h2")
    anchor = blocks.CharBlock(
        required=False, max_length=80, help_text="Link target; made from the text if left blank."
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"

    def get_searchable_headings(self, value) -> list[str]:
        return [value.get("text", "")]

    def get_searchable_content(self, value) -> list[str]:
        return []

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = heading_anchor(value)
        return context


def heading_anchor(value) -> str:
    """The id of a heading: the editor's anchor or the text, slugified.

    `ResourcePage.headings` stores a de-duplicated anchor under `_anchor` so that two headings
    with the same text still get distinct ids in the page and in its table of contents.
    """
    if value.get("_anchor"):
        return value["_anchor"]
    return slugify(value.get("anchor") or value.get("text") or "") or "section"


class CalloutBlock(SearchableHeadings, blocks.StructBlock):
    """An info / note / tip / warning / danger box; the kind is named in text, not only colour."""

    kind = blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="info")
    title = blocks.CharBlock(required=False, max_length=120)
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "code", "ol", "ul"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"

    def get_searchable_headings(self, value) -> list[str]:
        return [value["title"]] if value.get("title") else []

    def get_searchable_content(self, value) -> list[str]:
        return [_rich_text(value.get("body"))]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["kind_label"] = dict(CALLOUT_KINDS).get(value.get("kind"), "Note")
        return context


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link", "code", "ol", "ul"]
    )


class StepsBlock(SearchableHeadings, blocks.StructBlock):
    """A numbered procedure: each step has a short title and optional detail."""

    steps = blocks.ListBlock(StepBlock())

    def get_searchable_headings(self, value) -> list[str]:
        return [step.get("title", "") for step in value.get("steps", [])]

    def get_searchable_content(self, value) -> list[str]:
        return [_rich_text(step.get("body")) for step in value.get("steps", [])]

    class Meta:
        icon = "list-ol"
        template = "blocks/steps_block.html"


class CodeValue(blocks.StructValue):
    """A code block's value; `highlighted_html` carries the HTML stored at save time.

    It is an attribute, not a key: the value's keys must stay exactly the child blocks, or the
    page editor and `get_prep_value` would trip over an unknown field.
    """

    highlighted_html: str | None = None


class HighlightedCodeBlock(blocks.StructBlock):
    """Source code, highlighted with Pygments when the page is saved (not on every view).

    Subclasses declare `language` and `code` (and may add fields). The highlighted HTML is
    stored in the JSON beside the source under the `highlighted` key; loading keeps it on the
    value as `highlighted_html`; rendering falls back to highlighting on the fly for content
    saved before that (or built in code and never saved).
    """

    class Meta:
        icon = "code"
        template = "blocks/code_block.html"
        value_class = CodeValue

    def get_prep_value(self, value):
        prep = super().get_prep_value(value)
        prep["highlighted"] = highlight_code(prep.get("code", ""), prep.get("language", "text"))
        return prep

    def _raw_without_highlight(self, raw):
        if isinstance(raw, dict) and "highlighted" in raw:
            raw = {key: val for key, val in raw.items() if key != "highlighted"}
        return raw

    def to_python(self, value):
        struct_value = super().to_python(self._raw_without_highlight(value))
        if isinstance(value, dict) and value.get("highlighted"):
            struct_value.highlighted_html = value["highlighted"]
        return struct_value

    def bulk_to_python(self, values):
        # StreamField loads pages through bulk_to_python, not to_python: keep the stored HTML.
        values = list(values)
        struct_values = super().bulk_to_python([self._raw_without_highlight(v) for v in values])
        for raw, struct_value in zip(values, struct_values, strict=True):
            if isinstance(raw, dict) and raw.get("highlighted"):
                struct_value.highlighted_html = raw["highlighted"]
        return struct_values

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        highlighted = getattr(value, "highlighted_html", None) or highlight_code(
            value.get("code", ""), value.get("language", "text")
        )
        # Pygments escapes the source itself; the stored HTML is produced only by our code.
        context["highlighted"] = mark_safe(highlighted)  # noqa: S308
        context["language_label"] = LANGUAGE_LABELS.get(value.get("language"), "Code")
        return context


class CodeBlock(SearchableHeadings, HighlightedCodeBlock):
    """A code listing: language, optional file name, the source (with a copy button)."""

    language = blocks.ChoiceBlock(choices=LANGUAGE_CHOICES, default="text")
    filename = blocks.CharBlock(required=False, max_length=200)
    code = blocks.TextBlock()

    def get_searchable_content(self, value) -> list[str]:
        return [value.get("code", "")]


class CodeTabBlock(HighlightedCodeBlock):
    """One tab of a code-tabs block: a code listing with an optional tab name."""

    label = blocks.CharBlock(
        required=False,
        max_length=60,
        help_text='The tab\'s name ("macOS", "Node 18" ...); the language if left blank.',
    )
    language = blocks.ChoiceBlock(choices=LANGUAGE_CHOICES, default="text")
    filename = blocks.CharBlock(required=False, max_length=200)
    code = blocks.TextBlock()


class CodeTabsBlock(SearchableHeadings, blocks.StructBlock):
    """The same snippet in several languages (curl / Python / JavaScript / Java ...)."""

    title = blocks.CharBlock(required=False, max_length=200)
    tabs = blocks.ListBlock(CodeTabBlock(), min_num=1)

    def get_searchable_headings(self, value) -> list[str]:
        return [value["title"]] if value.get("title") else []

    def get_searchable_content(self, value) -> list[str]:
        return [tab.get("code", "") for tab in value.get("tabs", [])]

    class Meta:
        icon = "code"
        template = "blocks/code_tabs_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["tab_list"] = [
            {"value": tab, "key": tab_key(tab), "label": tab_label(tab)}
            for tab in value.get("tabs", [])
        ]
        return context


def tab_key(tab) -> str:
    """What the reader's choice of tab is remembered by (and synced across tab groups): the
    language, unless the editor named the tab something else ("macOS", "Node 18")."""
    language = tab.get("language") or "text"
    label = slugify((tab.get("label") or "").strip())
    if label and label != slugify(_automatic_label(tab)):
        return label
    return language


def tab_label(tab) -> str:
    """The tab's name: the editor's label, else the language ("curl" for a curl call)."""
    return (tab.get("label") or "").strip() or _automatic_label(tab)


def _automatic_label(tab) -> str:
    language = tab.get("language")
    if language == "bash" and (tab.get("code") or "").lstrip().startswith("curl"):
        return "curl"
    return LANGUAGE_LABELS.get(language, "Code")


class ImageBlock(SearchableHeadings, blocks.StructBlock):
    """An image from the library with alternative text and an optional visible caption."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text="Describe the image for screen readers."
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"

    def get_searchable_content(self, value) -> list[str]:
        return [f"{value.get('alt_text', '')} {value.get('caption', '')}"]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        image = value.get("image")
        alt = value.get("alt_text") or ""
        if not alt and image is not None and not value.get("caption"):
            alt = getattr(image, "default_alt_text", "") or image.title
        context["alt"] = alt
        return context


class VideoEmbedBlock(SearchableHeadings, blocks.StructBlock):
    """A YouTube or Vimeo video, embedded privacy-friendly without an oEmbed round trip."""

    url = blocks.URLBlock(help_text="YouTube or Vimeo address")
    title = blocks.CharBlock(max_length=200, help_text="Names the video for screen readers.")

    class Meta:
        icon = "media"
        template = "blocks/video_embed_block.html"

    def get_searchable_content(self, value) -> list[str]:
        return [value.get("title", "")]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["embed_url"] = video_embed_url(value.get("url"))
        return context

    def clean(self, value):
        value = super().clean(value)
        if value.get("url") and not video_embed_url(value["url"]):
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        "Use a YouTube (youtube.com/watch?v=..., youtu.be/...) or Vimeo "
                        "(vimeo.com/123456) address."
                    )
                }
            )
        return value


INLINE_FEATURES = ["bold", "italic", "code", "link"]


class RichTableBlock(SearchableHeadings, blocks.StructBlock):
    """A table whose cells keep inline formatting: bold, italic, code and links.

    The plain `table` block (a spreadsheet-like editor) stores text only; this one stores each
    cell as rich text restricted to inline features, so `AT+CGDCONT` stays code and a link to
    another page follows that page. The docs importer uses it for Markdown tables with
    formatting in their cells.
    """

    caption = blocks.CharBlock(
        required=False, max_length=250, help_text="Names the table for screen readers."
    )
    first_row_is_header = blocks.BooleanBlock(required=False, default=True)
    first_col_is_header = blocks.BooleanBlock(required=False, default=False)
    rows = blocks.ListBlock(
        blocks.ListBlock(
            blocks.RichTextBlock(features=INLINE_FEATURES, required=False, label="Cell"),
            label="Row",
            min_num=1,
        ),
        min_num=1,
    )

    class Meta:
        icon = "table"
        label = "Table (formatted cells)"
        template = "blocks/rich_table_block.html"

    def get_searchable_content(self, value) -> list[str]:
        caption = [value["caption"]] if value.get("caption") else []
        rows = value.get("rows") or []
        return caption + [" ".join(_rich_text(cell) for cell in row) for row in rows]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        rows = [list(row) for row in value.get("rows") or []]
        width = max((len(row) for row in rows), default=0)
        rows = [row + [""] * (width - len(row)) for row in rows]
        header = rows[0] if rows and value.get("first_row_is_header") else None
        context["header_row"] = header
        context["body_rows"] = rows[1:] if header is not None else rows
        return context


HEADING_LEVELS = {"h2": 2, "h3": 3, "h4": 4}


def heading_outline_errors(stream_value) -> dict[int, str]:
    """Headings that skip a level, by block index, with what to use instead.

    The page title is the H1, so the first heading must be an H2 and each next heading at most
    one level deeper than the one before: screen reader users move through a page by heading
    level, and the table of contents nests by it.
    """
    errors: dict[int, str] = {}
    previous = 1
    for index, child in enumerate(stream_value):
        if child.block_type != "heading":
            continue
        level = HEADING_LEVELS.get(child.value.get("level"), 2)
        if level > previous + 1:
            errors[index] = (
                f"This H{level} follows "
                + ("the page title (H1)" if previous == 1 else f"an H{previous}")
                + f": use H{previous + 1} so that no heading level is skipped."
            )
            level = previous + 1
        previous = level
    return errors


class ParagraphBlock(SearchableHeadings, blocks.RichTextBlock):
    """Rich text; its search text is the project's plain text of the HTML."""

    def get_searchable_content(self, value) -> list[str]:
        return [_rich_text(value)]


class SpreadsheetTableBlock(SearchableHeadings, TableBlock):
    """Wagtail's table editor (text cells); a row is one line of search text."""

    def get_searchable_content(self, value) -> list[str]:
        rows = (value or {}).get("data") or []
        return [" ".join(str(cell or "") for cell in row) for row in rows]


class BaseStreamBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "code", "blockquote"],
        icon="pilcrow",
    )
    heading = HeadingBlock()
    callout = CalloutBlock()
    steps = StepsBlock()
    code = CodeBlock()
    code_tabs = CodeTabsBlock()
    image = ImageBlock()
    table = SpreadsheetTableBlock(template="blocks/table_block.html")
    rich_table = RichTableBlock()
    video = VideoEmbedBlock()

    def clean(self, value):
        value = super().clean(value)
        errors = heading_outline_errors(value)
        if errors:
            raise StreamBlockValidationError(
                block_errors={
                    index: StructBlockValidationError(
                        block_errors={"level": ValidationError(message)}
                    )
                    for index, message in errors.items()
                }
            )
        return value


class ChapterBlock(SearchableHeadings, blocks.StructBlock):
    """A chapter of a training video: where it starts and what it covers."""

    start = blocks.CharBlock(max_length=8, help_text="mm:ss or hh:mm:ss")
    title = blocks.CharBlock(max_length=200)

    def get_searchable_headings(self, value) -> list[str]:
        return [value.get("title", "")]

    def get_searchable_content(self, value) -> list[str]:
        return []

    class Meta:
        icon = "time"
