"""What the docs site around a tree says: generator, docs folder, static folders, URLs, sidebars.

A Docusaurus site keeps `docusaurus.config.js` (its `url`, `baseUrl`, the docs preset's `path`
and `routeBasePath`, `staticDirectories`) and `sidebars.js` beside the docs folder; an MkDocs
project keeps `mkdocs.yml` (`site_url`, `docs_dir`, `nav`, `use_directory_urls`). The importer
accepts either the docs folder or the site folder; both are read as data, nothing is run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from kb.importer.jsdata import Unknown, read_module

DOCUSAURUS_CONFIGS = (
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "docusaurus.config.mjs",
    "docusaurus.config.cjs",
)
SIDEBAR_FILES = ("sidebars.js", "sidebars.ts", "sidebars.mjs", "sidebars.cjs", "sidebars.json")


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml often holds `!!python/name:...` and `!ENV` tags; they do not matter here."""


_MkDocsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass
class SiteInfo:
    """The site a docs tree belongs to (all optional: a bare folder of Markdown has none)."""

    docs_root: Path
    generator: str = ""  # "docusaurus" | "mkdocs" | ""
    site_root: Path | None = None
    url: str = ""  # https://docs.example.com
    base_url: str = "/"  # Docusaurus baseUrl / the path of MkDocs' site_url
    route_base: str = ""  # Docusaurus docs routeBasePath ("docs" by default, "" at the root)
    static_dirs: list[Path] = field(default_factory=list)
    sidebars: dict | None = None  # Docusaurus sidebars, read as data
    sidebar_file: str = ""
    mkdocs_nav: list | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def site_path(self, href: str) -> str | None:
        """The docs path an absolute link on this site names ('/docs/a/b/' -> 'a/b'), or None
        when it is another site's address."""
        parts = urlsplit(href)
        other_site = not self.host or (parts.hostname or "").lower() != self.host
        if (parts.scheme or href.startswith("//")) and other_site:
            return None
        path = parts.path
        for prefix in (self.base_url, "/" + self.route_base):
            prefix = "/" + prefix.strip("/")
            if prefix != "/" and (path == prefix or path.startswith(prefix + "/")):
                path = path[len(prefix) :]
        return path.strip("/")


def read_site(path: Path, static: Path | None = None) -> SiteInfo:
    """Find the docs folder and the site's configuration for the folder the user named."""
    for site_root, named_site in ((path, True), (path.parent, False)):
        config = next(
            (site_root / n for n in DOCUSAURUS_CONFIGS if (site_root / n).is_file()), None
        )
        if config is not None:
            info = _docusaurus(site_root, config, path if not named_site else None)
            break
        mkdocs = site_root / "mkdocs.yml"
        if mkdocs.is_file():
            info = _mkdocs(site_root, mkdocs, path if not named_site else None)
            break
    else:
        info = SiteInfo(docs_root=path)
        candidate = path.parent / "static"
        if candidate.is_dir():
            info.static_dirs.append(candidate)
    if static is not None:
        info.static_dirs.insert(0, static)
    return info


def _docusaurus(site_root: Path, config: Path, docs_root: Path | None) -> SiteInfo:
    info = SiteInfo(docs_root=docs_root or site_root / "docs", generator="docusaurus")
    info.site_root = site_root
    data = _read_js(config, info)
    data = data if isinstance(data, dict) else {}
    info.url = data.get("url") if isinstance(data.get("url"), str) else ""
    info.base_url = data.get("baseUrl") if isinstance(data.get("baseUrl"), str) else "/"
    docs_options = _docs_options(data)
    route = docs_options.get("routeBasePath", "docs")
    info.route_base = route.strip("/") if isinstance(route, str) else "docs"
    if docs_root is None and isinstance(docs_options.get("path"), str):
        info.docs_root = site_root / docs_options["path"]
    statics = data.get("staticDirectories", ["static"])
    for name in statics if isinstance(statics, list) else ["static"]:
        if isinstance(name, str) and (site_root / name).is_dir():
            info.static_dirs.append(site_root / name)
    sidebar_path = docs_options.get("sidebarPath")
    names = list(SIDEBAR_FILES)
    if isinstance(sidebar_path, Unknown):  # require.resolve("./sidebars.js")
        match = re.search(r"[\"']\.?/?([^\"']+)[\"']", sidebar_path.text)
        if match:
            names.insert(0, match.group(1))
    elif isinstance(sidebar_path, str):
        names.insert(0, sidebar_path.lstrip("./"))
    for name in names:
        file = site_root / name
        if file.is_file():
            sidebars = _read_js(file, info) if file.suffix != ".json" else _read_json(file, info)
            if isinstance(sidebars, dict):
                info.sidebars, info.sidebar_file = sidebars, name
            else:
                info.problems.append(f"{name}: no sidebars found in it; folder order is used")
            break
    return info


def _docs_options(config: dict) -> dict:
    for preset in config.get("presets") or []:
        if isinstance(preset, list) and len(preset) > 1 and isinstance(preset[1], dict):
            docs = preset[1].get("docs")
            if isinstance(docs, dict):
                return docs
    for plugin in config.get("plugins") or []:
        if (
            isinstance(plugin, list)
            and plugin
            and plugin[0] in ("@docusaurus/plugin-content-docs", "content-docs")
            and len(plugin) > 1
            and isinstance(plugin[1], dict)
        ):
            return plugin[1]
    return {}


def _read_js(path: Path, info: SiteInfo):
    try:
        exported, _ = read_module(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        info.problems.append(f"{path.name} cannot be read ({exc}); ignored")
        return None
    return exported


def _read_json(path: Path, info: SiteInfo):
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        info.problems.append(f"{path.name} cannot be read ({exc}); ignored")
        return None


def _mkdocs(site_root: Path, config: Path, docs_root: Path | None) -> SiteInfo:
    info = SiteInfo(docs_root=docs_root or site_root / "docs", generator="mkdocs")
    info.site_root = site_root
    try:
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=_MkDocsLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        info.problems.append(f"mkdocs.yml cannot be read ({reason}); its nav is ignored")
        return info
    if not isinstance(data, dict):
        return info
    if docs_root is None:
        info.docs_root = site_root / str(data.get("docs_dir") or "docs")
    site_url = data.get("site_url") if isinstance(data.get("site_url"), str) else ""
    info.url = site_url
    info.base_url = urlsplit(site_url).path or "/"
    if isinstance(data.get("nav"), list):
        info.mkdocs_nav = data["nav"]
    return info
