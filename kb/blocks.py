"""StreamField blocks shared by every Resource Center page type (one place, as in bakerydemo)."""

from django.utils.safestring import mark_safe
from django.utils.text import slugify

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.images.blocks import ImageChooserBlock

from kb.highlighting import LANGUAGE_CHOICES, highlight_code

CALLOUT_KINDS = [
    ("info", "Info"),
    ("note", "Note"),
    ("tip", "Tip"),
    ("warning", "Warning"),
    ("danger", "Danger"),
]


class HeadingBlock(blocks.StructBlock):
    """A section heading; its anchor feeds the page's table of contents."""

    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")], default="h2")
    anchor = blocks.CharBlock(
        required=False, max_length=80, help_text="Link target; made from the text if left blank."
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = heading_anchor(value)
        return context


def heading_anchor(value) -> str:
    return slugify(value.get("anchor") or value.get("text") or "") or "section"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="info")
    title = blocks.CharBlock(required=False, max_length=120)
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "code", "ol", "ul"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link", "code", "ol", "ul"]
    )


class StepsBlock(blocks.StructBlock):
    steps = blocks.ListBlock(StepBlock())

    class Meta:
        icon = "list-ol"
        template = "blocks/steps_block.html"


class CodeBlock(blocks.StructBlock):
    """Source code, highlighted with Pygments when the page is saved (not on every view).

    The highlighted HTML is stored beside the source under the `highlighted` key, which
    `to_python` keeps; rendering falls back to highlighting on the fly for old revisions.
    """

    language = blocks.ChoiceBlock(choices=LANGUAGE_CHOICES, default="text")
    filename = blocks.CharBlock(required=False, max_length=200)
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blocks/code_block.html"

    def get_prep_value(self, value):
        prep = super().get_prep_value(value)
        prep["highlighted"] = highlight_code(prep.get("code", ""), prep.get("language", "text"))
        return prep

    def to_python(self, value):
        struct_value = super().to_python(value)
        if isinstance(value, dict) and value.get("highlighted"):
            struct_value["highlighted"] = value["highlighted"]
        return struct_value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        highlighted = value.get("highlighted") or highlight_code(
            value.get("code", ""), value.get("language", "text")
        )
        # Pygments escapes the source itself; the stored HTML is produced only by our code.
        context["highlighted"] = mark_safe(highlighted)  # noqa: S308
        return context


class CodeTabsBlock(blocks.StructBlock):
    """The same snippet in several languages (curl / Python / JavaScript / Java ...)."""

    title = blocks.CharBlock(required=False, max_length=200)
    tabs = blocks.ListBlock(CodeBlock(), min_num=1)

    class Meta:
        icon = "code"
        template = "blocks/code_tabs_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text="Describe the image for screen readers."
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class VideoEmbedBlock(blocks.StructBlock):
    """A YouTube or Vimeo video, embedded privacy-friendly without an oEmbed round trip."""

    url = blocks.URLBlock(help_text="YouTube or Vimeo address")
    title = blocks.CharBlock(max_length=200, help_text="Names the video for screen readers.")

    class Meta:
        icon = "media"
        template = "blocks/video_embed_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "code", "blockquote"],
        icon="pilcrow",
    )
    heading = HeadingBlock()
    callout = CalloutBlock()
    steps = StepsBlock()
    code = CodeBlock()
    code_tabs = CodeTabsBlock()
    image = ImageBlock()
    table = TableBlock(template="blocks/table_block.html")
    video = VideoEmbedBlock()


class ChapterBlock(blocks.StructBlock):
    """A chapter of a training video: where it starts and what it covers."""

    start = blocks.CharBlock(max_length=8, help_text="mm:ss or hh:mm:ss")
    title = blocks.CharBlock(max_length=200)

    class Meta:
        icon = "time"
