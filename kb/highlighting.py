"""Pygments highlighting for code blocks: one lexer table, one formatter."""

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

LANGUAGE_CHOICES = [
    ("text", "Plain text"),
    ("bash", "Shell / curl"),
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("java", "Java"),
    ("go", "Go"),
    ("csharp", "C#"),
    ("c", "C"),
    ("php", "PHP"),
    ("ruby", "Ruby"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("xml", "XML"),
    ("http", "HTTP"),
    ("ini", "INI / config"),
    ("at", "AT commands"),
]
LANGUAGE_CODES = {code for code, _ in LANGUAGE_CHOICES}
# Short names for tabs and labels ("Shell / curl" reads long on a tab).
LANGUAGE_LABELS = {**dict(LANGUAGE_CHOICES), "bash": "Shell", "ini": "Config", "at": "AT"}

# Names that Markdown authors commonly use for the same languages.
LANGUAGE_ALIASES = {
    "sh": "bash",
    "shell": "bash",
    "curl": "bash",
    "console": "bash",
    "zsh": "bash",
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "cs": "csharp",
    "c#": "csharp",
    "golang": "go",
    "yml": "yaml",
    "plaintext": "text",
    "txt": "text",
    "": "text",
    "html": "xml",
    "rb": "ruby",
}

_FORMATTER = HtmlFormatter(nowrap=True)


def normalise_language(name: str | None) -> str:
    name = (name or "").strip().lower()
    name = LANGUAGE_ALIASES.get(name, name)
    return name if name in LANGUAGE_CODES else "text"


def highlight_code(code: str, language: str) -> str:
    """Return highlighted HTML (without the surrounding <pre>) for `code`."""
    lexer_name = {"at": "text", "text": "text"}.get(language, language)
    try:
        lexer = get_lexer_by_name(lexer_name, stripnl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False)
    return highlight(code, lexer, _FORMATTER)
