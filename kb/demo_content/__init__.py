"""The demo Resource Center's content, one module per section, in the order sections appear.

Each section is a dict: slug, title, intro (HTML) and pages. Each page is a dict with
type (article, code_sample or video), slug, title, summary, area (a product area slug), tags,
reviewed_days_ago and body (StreamField blocks built with `kb.demo_content.builders`), plus
kind and difficulty (articles), task (code samples), or video_url, duration, chapters and
transcript (videos).
"""

from kb.demo_content import (
    api,
    code_samples,
    connectivity,
    data_sms,
    getting_started,
    portal,
    support,
    troubleshooting,
    videos,
)

PRODUCT_AREAS = [
    # slug, name, description
    ("sims", "SIMs & activation", "Ordering SIMs, activating them and managing their lifecycle."),
    ("connectivity", "Connectivity & APN", "APN settings, network registration, LTE-M and NB-IoT."),
    ("data-sms", "Data & SMS", "Packet data sessions, data usage and SMS to and from devices."),
    (
        "troubleshooting",
        "Troubleshooting",
        "Finding out why a device is not connecting or costs too much.",
    ),
    ("portal", "Customer portal", "Alerts, usage reports and automation rules in the portal."),
    ("api", "API & webhooks", "API keys, REST endpoints, rate limits and event webhooks."),
    ("support", "Support plans", "Community and Infinity support, severity levels and tickets."),
]

SECTIONS = [
    getting_started.SECTION,
    connectivity.SECTION,
    data_sms.SECTION,
    troubleshooting.SECTION,
    portal.SECTION,
    api.SECTION,
    code_samples.SECTION,
    videos.SECTION,
    support.SECTION,
]
