"""Import a tree of Markdown/MDX docs (Docusaurus, MkDocs ...) into the Resource Center.

`import_docs(path, parent, dry_run=False, progress=False) -> ImportReport` is the entry point;
the `import_docs` management command is a thin wrapper around it.
"""

from kb.importer.report import ImportReport, ImportWarning, PageResult
from kb.importer.service import ImportDocsError, find_parent, import_docs

__all__ = [
    "ImportDocsError",
    "ImportReport",
    "ImportWarning",
    "PageResult",
    "find_parent",
    "import_docs",
]
