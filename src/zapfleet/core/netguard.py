"""The private-network guard for URLs zapfleet calls on a customer's behalf (webhooks, and media
to fetch): only public addresses, checked when the URL is saved and again when it is called, and
the call goes to the very address that was checked (no second DNS answer can swap it for one
inside the network)."""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from zapfleet.core.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
CGNAT = ipaddress.ip_network("100.64.0.0/10")


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (the system's resolver); [] when it does not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: Address) -> str | None:
    """Why an address is not a public one (None when it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in NAT64):
            return "NAT64"
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d
            return refusal(address.ipv4_mapped)
        if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d, the old IPv4-compatible form
            return refusal(ipaddress.IPv4Address(int(address)))
    if address.is_multicast:
        return "multicast"
    if address in CGNAT:
        return "carrier-grade NAT"
    if address.is_loopback or address.is_unspecified:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private or address.is_reserved or not address.is_global:
        return "private or reserved"
    return None


@dataclass(frozen=True)
class Target:
    """A URL with the address it was checked against, to connect to that address."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def check_url(url: str, allow_private: bool = False, resolver: Resolver | None = None,
              field: str = "url") -> Target:
    """The URL's target when it is http(s) to a public address; InvalidInput naming the field
    otherwise. With allow_private (WEBHOOK_ALLOW_PRIVATE, for development), any address will do."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(field, "must be an http:// or https:// URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput(field, "has a port that is not a number") from None
    addresses = _addresses(parts.hostname, port, resolver or resolve)
    if not addresses and allow_private:
        return Target(url, parts.scheme, parts.hostname, port, parts.hostname)
    if not addresses:
        raise InvalidInput(field, "names a host that does not resolve (%(host)s)", host=parts.hostname)
    if not allow_private:
        for address in addresses:
            reason = refusal(ipaddress.ip_address(address))
            if reason:
                raise InvalidInput(field, "points to a %(reason)s address (%(address)s): only public addresses",
                                   reason=reason, address=address)
    return Target(url, parts.scheme, parts.hostname, port, addresses[0])


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body to the target's checked address (never resolving its name again), with
    the name in the Host header and, over https, in SNI and the certificate check; redirects are
    not followed. Returns the HTTP status; urllib3's errors propagate."""
    parts = urlsplit(target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": parts.netloc},
                                redirect=False, retries=False, assert_same_host=False)
        return response.status
    finally:
        pool.close()


def get(target: Target, timeout: float) -> urllib3.BaseHTTPResponse:
    """GET the target from its checked address like post(), the body left unread: read it in
    chunks, then release_conn(). urllib3's errors propagate."""
    parts = urlsplit(target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Connection": "close"}  # nothing kept open once read
    return _pool(target, timeout).urlopen("GET", path, headers=headers,
                                          redirect=False, retries=False, preload_content=False,
                                          assert_same_host=False)


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(target.address, target.port, timeout=timeout,
                                           server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout)


def _addresses(host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return resolver(host, port)
