"""Video addresses editors paste (YouTube, Vimeo) and the privacy-friendly embed URL of each."""

import re
from urllib.parse import parse_qs, urlparse

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{4,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "youtube-nocookie.com", "music.youtube.com"}


def parse_video_url(url: str | None) -> tuple[str, str] | None:
    """("youtube" | "vimeo", id) for a YouTube or Vimeo address, else None.

    Accepts watch?v=, youtu.be/, /embed/, /shorts/, /live/ and /v/ forms for YouTube and
    vimeo.com/ID, vimeo.com/channels/x/ID, vimeo.com/groups/x/videos/ID and
    player.vimeo.com/video/ID for Vimeo. Anything else (other hosts, malformed ids) is None.
    """
    if not url or not isinstance(url, str):
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    if parsed.scheme not in ("http", "https"):
        return None
    host = (parsed.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    parts = [part for part in parsed.path.split("/") if part]
    if host in _YOUTUBE_HOSTS:
        candidate = None
        if parts[:1] == ["watch"]:
            candidate = (parse_qs(parsed.query).get("v") or [None])[0]
        elif len(parts) >= 2 and parts[0] in ("embed", "shorts", "live", "v"):
            candidate = parts[1]
        if candidate and _YOUTUBE_ID.match(candidate):
            return ("youtube", candidate)
        return None
    if host == "youtu.be":
        if parts and _YOUTUBE_ID.match(parts[0]):
            return ("youtube", parts[0])
        return None
    if host == "player.vimeo.com":
        if len(parts) >= 2 and parts[0] == "video" and _VIMEO_ID.match(parts[1]):
            return ("vimeo", parts[1])
        return None
    if host == "vimeo.com" and parts and _VIMEO_ID.match(parts[-1]):
        return ("vimeo", parts[-1])
    return None


def video_embed_url(url: str | None) -> str | None:
    """A privacy-friendly player address for `url` (youtube-nocookie / player.vimeo.com)."""
    parsed = parse_video_url(url)
    if parsed is None:
        return None
    provider, video_id = parsed
    if provider == "youtube":
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    return f"https://player.vimeo.com/video/{video_id}?dnt=1"
