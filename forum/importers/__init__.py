"""Importers that bring an old community into the forum (`manage.py import_community`).

Each source format has a package (`stackexchange`); what they share lives here beside them:
`report` (what an import did, warnings by kind), `members` (imported members without a usable
password) and `claims` (how a person takes over an imported member by verifying its e-mail).
Imported posts are stored like every other post: Markdown source, HTML from forum.markdown (one
renderer, one sanitiser policy), threads re-indexed by saving them (the search provider listens).
"""


class CommunityImportError(Exception):
    """The input cannot be imported as it is (missing file, malformed XML, unknown record type);
    the message says which file and record, and nothing was changed."""
