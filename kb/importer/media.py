"""Images and other files that documents reference, brought into Wagtail's libraries once.

Files are identified by the SHA-1 of their content (Wagtail's own `file_hash`), so re-running an
import, or two documents using the same picture, never creates a second copy.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.utils import get_allowed_image_extensions

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from kb.importer.report import ImportReport

DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


@dataclass
class MediaResult:
    """The library object's id (None in a dry run when it would be new), or why there is none."""

    id: int | None = None
    problem: str = ""
    note: str = ""  # imported, but not quite as it is in the tree (the document says why)


class MediaLibrary:
    """Imports images and documents on first use; in a dry run, only checks them."""

    def __init__(self, report: ImportReport, dry_run: bool):
        self.report = report
        self.dry_run = dry_run
        self._images: dict[Path, MediaResult] = {}
        self._documents: dict[Path, MediaResult] = {}
        self._digests: dict[tuple[str, str], MediaResult] = {}

    def image(self, path: Path, title: str) -> MediaResult:
        if path not in self._images:
            self._images[path] = self._import_image(path, title)
        return self._images[path]

    def document(self, path: Path) -> MediaResult:
        if path not in self._documents:
            self._documents[path] = self._import_document(path)
        return self._documents[path]

    def _import_image(self, path: Path, title: str) -> MediaResult:
        extension = path.suffix.lower().lstrip(".")
        allowed = get_allowed_image_extensions()
        if extension not in allowed:
            return MediaResult(
                problem=f"'.{extension}' images are not supported (use {', '.join(allowed)})"
            )
        data, problem = _read(path, _max_image_bytes())
        if problem:
            return MediaResult(problem=problem)
        note = ""
        if extension == "svg":
            problem = _svg_problem(data)
            if problem:
                return MediaResult(problem=problem)
        else:
            try:
                with PILImage.open(io.BytesIO(data)) as picture:
                    picture.verify()
                if _is_animated_png(data):
                    data = _first_frame(data)
                    note = (
                        "an animated PNG, which the image library cannot resize; imported as "
                        "a still image (its first frame)"
                    )
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                return MediaResult(problem=f"not a readable image ({exc})")
        digest = hashlib.sha1(data).hexdigest()  # noqa: S324 - content identity, as Wagtail does
        if ("image", digest) in self._digests:
            return self._digests[("image", digest)]
        Image = get_image_model()
        existing = Image.objects.filter(file_hash=digest).order_by("pk").first()
        if existing is not None:
            self.report.images_reused += 1
            result = MediaResult(existing.pk, note=note)
        elif self.dry_run:
            self.report.images_imported += 1
            result = MediaResult(None, note=note)
        else:
            try:
                with transaction.atomic():
                    result = MediaResult(self._save_image(path, data, title), note=note)
            except Exception as exc:  # noqa: BLE001 - one odd picture must not cost its page
                return MediaResult(problem=f"the image library cannot read it ({exc})")
            self.report.images_imported += 1
        self._digests[("image", digest)] = result
        return result

    def _save_image(self, path: Path, data: bytes, title: str) -> int:
        Image = get_image_model()
        image = Image(title=(title or _title_from(path))[:255])
        image.file = ImageFile(io.BytesIO(data), name=path.name)
        image._set_image_file_metadata()
        image.save()
        return image.pk

    def _import_document(self, path: Path) -> MediaResult:
        allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
        extension = path.suffix.lower().lstrip(".")
        if allowed and extension not in allowed:
            return MediaResult(problem=f"'.{extension}' files are not accepted as documents")
        data, problem = _read(path, MAX_DOCUMENT_BYTES)
        if problem:
            return MediaResult(problem=problem)
        digest = hashlib.sha1(data).hexdigest()  # noqa: S324 - content identity, as Wagtail does
        if ("document", digest) in self._digests:
            return self._digests[("document", digest)]
        Document = get_document_model()
        existing = Document.objects.filter(file_hash=digest).order_by("pk").first()
        if existing is not None:
            self.report.documents_reused += 1
            result = MediaResult(existing.pk)
        else:
            self.report.documents_imported += 1
            result = MediaResult(None if self.dry_run else self._save_document(path, data))
        self._digests[("document", digest)] = result
        return result

    def _save_document(self, path: Path, data: bytes) -> int:
        Document = get_document_model()
        document = Document(title=_title_from(path)[:255])
        document.file = SimpleUploadedFile(path.name, data)
        document._set_document_file_metadata()
        document.save()
        return document.pk


_SVG_ACTIVE = re.compile(
    rb"<\s*(?:script|foreignObject|iframe|embed|object)\b|\son\w+\s*=|javascript:|<!ENTITY",
    re.IGNORECASE,
)


def _svg_problem(data: bytes) -> str:
    """Why an SVG file cannot be an image here: not SVG, or active content (scripts, event
    handlers, embedded HTML, entities), which would run when the file is opened directly."""
    if b"<svg" not in data[:4096].lower() and b"<svg" not in data.lower():
        return "not an SVG image"
    if _SVG_ACTIVE.search(data):
        return "the SVG holds scripts or other active content"
    return ""


def _is_animated_png(data: bytes) -> bool:
    """An APNG: a PNG with an animation control chunk before its image data."""
    if not data.startswith(b"\x89PNG"):
        return False
    head = data[: data.find(b"IDAT")] if b"IDAT" in data else data
    return b"acTL" in head


def _first_frame(data: bytes) -> bytes:
    with PILImage.open(io.BytesIO(data)) as picture:
        picture.seek(0)
        still = io.BytesIO()
        picture.save(still, format="PNG")  # without save_all: the current frame only
    return still.getvalue()


def _read(path: Path, limit: int) -> tuple[bytes, str]:
    try:
        size = path.stat().st_size
        if size > limit:
            return b"", (
                f"file is too large ({size // 1024 // 1024} MB; "
                f"the limit is {limit // 1024 // 1024} MB)"
            )
        return path.read_bytes(), ""
    except OSError as exc:
        return b"", f"file cannot be read ({exc.strerror or exc})"


def _max_image_bytes() -> int:
    return getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", None) or DEFAULT_MAX_IMAGE_BYTES


def _title_from(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip() or path.name
