"""What an import did (or, in a dry run, would do): one entry per page and a reason per warning."""

from __future__ import annotations

from dataclasses import dataclass, field

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"


@dataclass(frozen=True)
class ImportWarning:
    """A problem with one source file; the import carried on without it (or without that part)."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source or '(tree)'}: {self.message}"


@dataclass
class PageResult:
    """The outcome for one source file or folder."""

    source: str
    action: str  # CREATED | UPDATED | UNCHANGED | SKIPPED
    title: str = ""
    page_id: int | None = None
    url: str = ""
    reason: str = ""
    is_section: bool = False


@dataclass
class ImportReport:
    """The result of `import_docs`: counts for the summary, every page and every warning."""

    root: str
    parent_title: str = ""
    dry_run: bool = False
    results: list[PageResult] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    images_imported: int = 0
    images_reused: int = 0
    documents_imported: int = 0
    documents_reused: int = 0
    reordered: int = 0
    stale: list[str] = field(default_factory=list)
    # For the fidelity check: every image reference met, those that could not be imported
    # (source, what and why), links left unresolved (source, what and why) and sections whose
    # order the sidebar could not fully decide.
    image_refs: int = 0
    image_problems: list[tuple[str, str]] = field(default_factory=list)
    remote_images: list[tuple[str, str]] = field(default_factory=list)  # linked, not stored
    unresolved_links: list[tuple[str, str]] = field(default_factory=list)
    declared_order: dict[str, tuple] = field(default_factory=dict)  # source key -> position

    def warn(self, source: str, message: str) -> None:
        warning = ImportWarning(source, message)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def add(self, result: PageResult) -> PageResult:
        self.results.append(result)
        return result

    def _with(self, action: str) -> list[PageResult]:
        return [r for r in self.results if r.action == action]

    @property
    def created(self) -> list[PageResult]:
        return self._with(CREATED)

    @property
    def updated(self) -> list[PageResult]:
        return self._with(UPDATED)

    @property
    def unchanged(self) -> list[PageResult]:
        return self._with(UNCHANGED)

    @property
    def skipped(self) -> list[PageResult]:
        return self._with(SKIPPED)

    def result_for(self, source: str) -> PageResult | None:
        return next((r for r in self.results if r.source == source), None)

    def warnings_for(self, source: str) -> list[str]:
        return [w.message for w in self.warnings if w.source == source]

    def summary_lines(self) -> list[str]:
        """The human summary the command prints (also handy in logs)."""
        would = "would be " if self.dry_run else ""
        lines = [
            f"{len(self.created)} {would}created, {len(self.updated)} {would}updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped",
        ]
        if self.images_imported or self.images_reused:
            lines.append(
                f"images: {self.images_imported} {would}imported, "
                f"{self.images_reused} already in the library"
            )
        if self.documents_imported or self.documents_reused:
            lines.append(
                f"documents: {self.documents_imported} {would}imported, "
                f"{self.documents_reused} already in the library"
            )
        if self.reordered:
            lines.append(f"{self.reordered} section(s) {would}reordered")
        return lines
