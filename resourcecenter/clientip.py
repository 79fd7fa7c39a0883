"""The client's IP address, the same way everywhere (allauth's and the forum's rate limits).

Why: behind a reverse proxy (nginx, a load balancer, a CDN) every request arrives from the
proxy, so REMOTE_ADDR is the proxy's address and every per-IP limit becomes one bucket shared
by all visitors. The client's address travels in a header instead, but headers are written by
clients too: trusting the leftmost X-Forwarded-For entry lets anyone pick their own address.

The site reads django-allauth's own settings, so one configuration serves both:

- ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` (default None): the name of a header that a proxy you
  run *overwrites* on every request with the client's address ("X-Real-IP" from nginx,
  "CF-Connecting-IP" from Cloudflare). When set, it wins.
- ``ALLAUTH_TRUSTED_PROXY_COUNT`` (default 0): how many proxies you run in front of the app,
  each appending the address it received the request from to X-Forwarded-For. The client is
  then the entry that many places from the right; entries further left were written by the
  client and are ignored, whatever they say.

With both off (the default) the headers are ignored and REMOTE_ADDR is used: safe when the
app is reached directly, wrong (one shared bucket) behind a proxy. Values that are not IP
addresses fall back to REMOTE_ADDR rather than to an attacker-chosen string. Unlike allauth's
own reader, a short X-Forwarded-For (a request that skipped a proxy) never raises: the leftmost
entry is used, which a proxy of ours wrote.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port


def clean_ip(value: str | None) -> str | None:
    """`value` as a normalised IP address (ports and IPv6 brackets removed), or None."""
    value = (value or "").strip().strip('"')
    if not value:
        return None
    try:
        return str(_unmap(ipaddress.ip_address(value)))
    except ValueError:
        pass
    host, port = split_domain_port(value)  # "203.0.113.7:443", "[2001:db8::1]:443"
    if port and host:
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            return str(_unmap(ipaddress.ip_address(host)))
        except ValueError:
            return None
    return None


def _unmap(address):
    """An IPv4 client seen by an IPv6 socket (::ffff:203.0.113.7) is that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0))


def trusted_client_ip_header() -> str | None:
    return getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None) or None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address under the trusted-proxy settings, or None if none is known."""
    remote = clean_ip(request.META.get("REMOTE_ADDR"))
    header = trusted_client_ip_header()
    if header:
        return clean_ip(request.headers.get(header)) or remote
    count = trusted_proxy_count()
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        candidate = entries[-count] if len(entries) >= count else entries[0]
        return clean_ip(candidate) or remote
    return remote


def rate_limit_key(ip: str | None) -> str:
    """The bucket an address counts in: the address, or its /64 network for IPv6.

    One IPv6 subscriber usually holds a whole /64, so counting single addresses would let a
    client dodge a per-IP limit by switching address (allauth groups them the same way).
    """
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        prefix = int(getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64))
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False).network_address)
    return str(address)
