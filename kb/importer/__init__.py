"""Import a tree of Markdown/MDX docs (Docusaurus, MkDocs ...) into the Resource Center.

`import_docs(path, parent, dry_run=False, progress=False) -> ImportReport` is the entry point;
the `import_docs` management command is a thin wrapper around it.

How the tree maps onto pages:

- folders -> `ResourceIndexPage`s; a folder's `index.md` / `_index.md` / `README.md` gives the
  title and the introduction, else Docusaurus' `_category_.json` (`label`, `position`,
  `link.description`), else the folder name;
- other `.md` / `.mdx` / `.markdown` files -> `ArticlePage`s; files starting with `_` are
  partials (inlined where an MDX document uses them), hidden files are ignored;
- front matter: `title` (else the first H1, else the file name), `description` (summary and
  search description), `tags`, `sidebar_position` (else a `01-` name prefix) for the order,
  `slug`, `last_reviewed` / `last_update.date` / `last_updated` / `updated` / `date`, and
  optionally `kind`, `difficulty`, `product_area`; `draft: true` documents are skipped,
  `unlisted: true` ones are reachable but not listed; `kind: code_sample` / `kind: video` make
  code sample and training video pages (see `kb.importer.pagetypes`);
- Markdown -> StreamField blocks: rich text paragraphs (lists, quotes, inline markup), headings
  with anchors, code (language and `title="file"`), code tabs (`<Tabs>`/`<TabItem>`, MkDocs
  `=== "Tab"`), callouts (`:::note|tip|info|warning|caution|danger`, MkDocs `!!!`, GitHub
  `> [!NOTE]`, `<details>`), tables (a formatted-cells table when cells have bold, italic, code
  or links, else a plain table), images (imported into the image library once, by content
  hash) and YouTube/Vimeo frames; tab labels become the code tabs' names (tabs holding
  prose become parts of the page, each under a heading named by its label);
- relative links -> Wagtail page links (resolved once every page exists), keeping the heading
  anchor of `other.md#heading` (see `kb.richtext`); links to other files in the tree import
  them into the document library;
- raw HTML and unknown JSX components never reach a page: they are unwrapped or removed with
  a warning.

Pages are matched to earlier runs by `source_path` below the parent, so a re-run updates them in
place and only publishes a new revision when something changed. Editors' own pages (no
`source_path`) are never touched.
"""

from kb.importer.parents import ImportDocsError, ensure_section, find_parent
from kb.importer.report import ImportReport, ImportWarning, PageResult
from kb.importer.service import import_docs

__all__ = [
    "ImportDocsError",
    "ImportReport",
    "ImportWarning",
    "PageResult",
    "ensure_section",
    "find_parent",
    "import_docs",
]
