"""How the Elasticsearch / OpenSearch engine talks to the cluster: the flavour and version from
the URL or `GET /`, and a small client over elasticsearch-py or opensearch-py.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from elasticsearch import __versionstr__ as elasticsearch_version


def parse_search_url(url: str) -> tuple[str, str | None]:
    """("http://host:9200", "opensearch" | "elasticsearch" | None) from SEARCH_URL."""
    parts = urlsplit(url)
    flavour = None
    scheme = parts.scheme
    if "+" in scheme:
        flavour, scheme = scheme.split("+", 1)
    params = parse_qs(parts.query)
    if "flavour" in params or "flavor" in params:
        flavour = (params.get("flavour") or params.get("flavor"))[0]
    query = urlencode({k: v[0] for k, v in params.items() if k not in ("flavour", "flavor")})
    if flavour not in (None, "opensearch", "elasticsearch"):
        raise ValueError(f"SEARCH_URL flavour must be opensearch or elasticsearch, not {flavour}")
    return urlunsplit((scheme, parts.netloc, parts.path, query, "")), flavour


def server_info(base_url: str, timeout: float = 5.0) -> dict:
    """The server's `GET /` answer (plain HTTP, no product headers; credentials from the URL)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("SEARCH_URL must be an http(s) address")
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    headers = {"Accept": "application/json"}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/", "", ""))
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s), checked
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read().decode() or "{}")


def flavour_of(info: dict) -> str:
    """OpenSearch says so in `GET /`; anything else is Elasticsearch."""
    version = info.get("version", {})
    if version.get("distribution") == "opensearch" or "OpenSearch" in info.get("tagline", ""):
        return "opensearch"
    return "elasticsearch"


def major_version(info: dict) -> int | None:
    number = str(info.get("version", {}).get("number", ""))
    head = number.partition(".")[0]
    return int(head) if head.isdigit() else None


ELASTIC_CLIENT_MAJOR = int(elasticsearch_version.partition(".")[0])
_COMPATIBLE_WITH_RE = re.compile(r"compatible-with=\d+")


def compatible_transport(server_major: int) -> type:
    """An elastic-transport Transport that asks for `server_major`'s API.

    The elasticsearch client of major N sends `compatible-with=N` media types, and a server
    only accepts its own major and the one before: the 9.x client is refused by every 8.x
    cluster ("Invalid media-type value"). Pinning the value to the server's major (never above
    the client's) lets one client serve Elasticsearch 8 and 9 clusters.
    """
    from elastic_transport import Transport

    pinned = f"compatible-with={min(server_major, ELASTIC_CLIENT_MAJOR)}"

    class CompatibleTransport(Transport):
        def perform_request(self, method, target, *, headers=None, **kwargs):
            if headers is not None:
                headers = headers.copy()
                for name in ("Accept", "Content-Type"):
                    if headers.get(name):
                        headers[name] = _COMPATIBLE_WITH_RE.sub(pinned, headers[name])
            return super().perform_request(method, target, headers=headers, **kwargs)

    return CompatibleTransport


class ElasticClient:
    """The handful of calls we need, over either client library."""

    def __init__(
        self, base_url: str, flavour: str, timeout: float = 30.0, server_major: int | None = None
    ):
        self.flavour = flavour
        if flavour == "opensearch":
            from opensearchpy import OpenSearch

            self.client = OpenSearch(hosts=[base_url], timeout=timeout, max_retries=0)
        else:
            from elasticsearch import Elasticsearch

            if server_major is not None and server_major < 8:
                raise ValueError(
                    f"Elasticsearch {server_major} is not supported: use Elasticsearch 8 or newer"
                )
            self.client = Elasticsearch(
                base_url,
                request_timeout=timeout,
                max_retries=0,
                transport_class=compatible_transport(server_major or ELASTIC_CLIENT_MAJOR),
            )

    def exists_alias(self, name: str) -> bool:
        return bool(self.client.indices.exists_alias(name=name))

    def get_alias(self, name: str) -> list[str]:
        if not self.exists_alias(name):
            return []
        return list(self.client.indices.get_alias(name=name).keys())

    def create_index(self, name: str, body: dict) -> None:
        if self.flavour == "opensearch":
            self.client.indices.create(index=name, body=body)
        else:
            self.client.indices.create(index=name, **body)

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name)

    def update_aliases(self, actions: list[dict]) -> None:
        if self.flavour == "opensearch":
            self.client.indices.update_aliases(body={"actions": actions})
        else:
            self.client.indices.update_aliases(actions=actions)

    def bulk(self, operations: list[dict], refresh: bool) -> dict:
        if self.flavour == "opensearch":
            return self.client.bulk(body=operations, refresh=refresh)
        return self.client.bulk(operations=operations, refresh=refresh)

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    def search(self, index: str, body: dict) -> dict:
        if self.flavour == "opensearch":
            return self.client.search(index=index, body=body)
        body = dict(body)
        if "from" in body:
            body["from_"] = body.pop("from")
        return dict(self.client.search(index=index, **body))

    def count(self, index: str) -> int:
        return int(self.client.count(index=index)["count"])

    def scan_ids(self, index: str, kind: str | None = None, page_size: int = 5000) -> set[str]:
        """Every document id (of one kind), in pages ordered by id: one search returns at most
        10,000 hits, and a reindex must see them all to remove the stale ones."""
        query = {"term": {"kind": kind}} if kind else {"match_all": {}}
        ids: set[str] = set()
        after = None
        while True:
            body = {
                "query": query,
                "_source": False,
                "size": page_size,
                "sort": [{"doc_id": "asc"}],
            }
            if after is not None:
                body["search_after"] = after
            hits = self.search(index, body)["hits"]["hits"]
            ids.update(hit["_id"] for hit in hits)
            if len(hits) < page_size:
                return ids
            after = hits[-1]["sort"]
