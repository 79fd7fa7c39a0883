"""Reaching the cluster: SEARCH_URL parsing, flavour and version from `GET /`, and media types
an Elasticsearch 8 cluster accepts from the elasticsearch 9.x client library."""

import base64

import pytest
from elasticsearch import ApiError, Elasticsearch

from search.engines.base import SearchRequest, SearchUnavailable
from search.engines.elastic import ElasticEngine, parse_search_url
from search.engines.elastic_client import ElasticClient
from search.query import parse_query

pytestmark = pytest.mark.django_db


def test_elasticsearch_8_cluster_gets_media_types_it_accepts(es8_gateway, doc):
    engine = ElasticEngine(es8_gateway.url, prefix="t")
    engine.upsert([doc("page:1", "Configure the APN", "Send AT+CGDCONT first.")])
    result = engine.search(SearchRequest(query=parse_query("apn"), audiences={"public"}))
    assert [hit.doc_id for hit in result.hits] == ["page:1"]
    assert engine.name == "elasticsearch"

    vendor = [m for m in es8_gateway.media_types if "vnd.elasticsearch" in m]
    assert any("+x-ndjson" in m for m in vendor)  # the bulk write
    assert vendor and all(m.endswith("compatible-with=8") for m in vendor)


def test_the_client_libraries_default_media_type_is_refused_by_an_8_cluster(es8_gateway):
    """Why the engine pins the version: without it every call fails on Elasticsearch 8."""
    client = Elasticsearch(es8_gateway.url, max_retries=0)
    with pytest.raises(ApiError) as error:
        client.count(index="anything")
    assert error.value.meta.status == 406


def test_credentials_in_the_url_reach_the_version_check(es8_gateway):
    url = es8_gateway.url.replace("http://", "http://search%40ops:s3cr%3At@")
    assert ElasticEngine(url, prefix="t").client.flavour == "elasticsearch"
    expected = "Basic " + base64.b64encode(b"search@ops:s3cr:t").decode()
    assert es8_gateway.authorizations[0] == expected


def test_search_url_forms():
    assert parse_search_url("https://es.example:9200") == ("https://es.example:9200", None)
    assert parse_search_url("opensearch+http://os:9200") == ("http://os:9200", "opensearch")
    assert parse_search_url("https://es:9200/?flavour=elasticsearch&x=1") == (
        "https://es:9200/?x=1",
        "elasticsearch",
    )
    with pytest.raises(ValueError, match="opensearch or elasticsearch"):
        parse_search_url("solr+http://solr:8983")


def test_elasticsearch_before_8_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="Elasticsearch 7 is not supported"):
        ElasticClient("http://127.0.0.1:9", "elasticsearch", server_major=7)


def test_unreachable_server_is_reported_as_unavailable():
    with pytest.raises(SearchUnavailable, match="unreachable"):
        ElasticEngine("http://127.0.0.1:9", prefix="t").client  # noqa: B018
