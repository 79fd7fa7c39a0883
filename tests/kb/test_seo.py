"""sitemap.xml, the Atom feed, OpenGraph tags and canonical URLs."""

import re
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_sitemap_lists_only_live_public_pages(client, section, make_article):
    from wagtail.models import PageViewRestriction

    live = make_article(section, "Live guide")
    make_article(section, "Draft guide", live=False)
    private = make_article(section, "Private guide")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    assert any(loc.endswith(live.url) for loc in locs)
    assert any(loc.endswith(section.url) for loc in locs)
    assert not any("draft-guide" in loc or "private-guide" in loc for loc in locs)
    assert "<lastmod>" in response.content.decode()


def test_atom_feed_of_new_and_updated_articles(client, section, make_article, make_video):
    first = make_article(section, "First guide", summary="About the first.")
    make_video(section, "A video")
    make_article(section, "Draft", live=False)
    first.summary = "Revised."
    first.save_revision().publish()
    response = client.get("/feeds/articles.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["First guide", "A video"]  # the revised guide is newest
    entry = entries[0]
    assert entry.find(f"{ATOM}updated").text > entry.find(f"{ATOM}published").text
    assert entry.find(f"{ATOM}link").get("href").endswith(first.url)
    assert entry.find(f"{ATOM}summary").text == "Revised."
    assert entries[1].find(f"{ATOM}category").get("term") == "Video"


def test_opengraph_and_canonical_on_an_article(client, section, make_article, make_area):
    page = make_article(
        section, "APN setup", summary="Set the APN.", tags=["apn"], product_area=make_area("SIMs")
    )
    body = client.get(page.url + "?utm_source=x").content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{page.url}">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:title" content="APN setup">' in body
    assert '<meta property="og:description" content="Set the APN.">' in body
    assert '<meta name="description" content="Set the APN.">' in body
    assert '<meta property="article:tag" content="apn">' in body
    assert '<meta property="article:section" content="SIMs">' in body
    assert 'property="article:modified_time"' in body
    assert 'type="application/atom+xml"' in body


def test_section_and_home_are_websites_with_canonical(client, section, home_page):
    body = client.get(section.url + "?kind=guide").content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{section.url}">' in body
    assert '<meta property="og:type" content="website">' in body
    home = client.get("/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in home
    assert '<meta property="og:type" content="website">' in home


def test_pages_are_accessible_landmarks_without_inline_script(client, section, make_article):
    from tests.kb.conftest import rich_body

    page = make_article(section, "Landmarks", body=rich_body())
    response = client.get(page.url)
    body = response.content.decode()
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body and "<header" in body and "<footer" in body
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in body
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) is None  # no inline scripts
    assert " style=" not in body and " onclick=" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_link_previews_use_the_first_image(client, section, make_article, settings, tmp_path):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    settings.MEDIA_ROOT = str(tmp_path)
    image = Image.objects.create(title="Router LEDs", file=get_test_image_file())
    page = make_article(
        section,
        "Router lights",
        body=[
            ("paragraph", "<p>Look at the lights.</p>"),
            ("image", {"image": image, "alt_text": "Four green LEDs", "caption": ""}),
        ],
    )
    body = client.get(page.url).content.decode()
    url = re.search(r'<meta property="og:image" content="([^"]+)">', body).group(1)
    assert url.startswith("http") and "fill-1200x630" in url
    assert '<meta property="og:image:alt" content="Four green LEDs">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    plain = make_article(section, "No pictures")
    assert "og:image" not in client.get(plain.url).content.decode()


def test_section_feed_follows_one_section(client, section, make_section, make_article):
    from django.urls import reverse

    sub = make_section("APN guides", parent=section)
    make_article(section, "In the section")
    make_article(sub, "In a subsection")
    other = make_section("Other")
    make_article(other, "Elsewhere")
    url = reverse("kb:section_feed", args=[section.pk])
    listing = client.get(section.url).content.decode()
    link = f'title="New and updated in {section.title}" href="{url}">'
    assert f'<link rel="alternate" type="application/atom+xml" {link}' in listing
    assert f'href="{url}">Follow new and updated pages' in listing
    response = client.get(url)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert feed.find(f"{ATOM}title").text == f"New and updated in {section.title}"
    titles = sorted(e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry"))
    assert titles == ["In a subsection", "In the section"]
    assert client.get(reverse("kb:section_feed", args=[999999])).status_code == 404
    draft = make_section("Draft section")
    draft.unpublish()
    assert client.get(reverse("kb:section_feed", args=[draft.pk])).status_code == 404
