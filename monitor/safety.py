"""Safety: before any request, refuse URLs a news crawler has no business fetching (other schemes, internal hosts)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from monitor.urls import NETWORK_SCHEMES

LOGGER = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]

# Cloud metadata services that are not inside a private or link-local range.
_METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeURL(ValueError):
    """The URL uses a scheme we do not fetch, or its host resolves to an internal address."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as text (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"cannot resolve host {host!r}: {error}") from error
    return sorted({info[4][0] for info in infos})


def check_url(url: str, allow_private_hosts: bool, resolver: Resolver = resolve) -> None:
    """Refuse `url` unless it is http(s) to a public address (or private ones are allowed).

    Raises:
        UnsafeURL: naming the scheme or the host and the address it resolved to.
    """
    parts = urlsplit(url)
    if parts.scheme not in NETWORK_SCHEMES:
        raise UnsafeURL(f"refused: only http and https are fetched from the network, not {parts.scheme or 'a path'!r}")
    if not parts.hostname:
        raise UnsafeURL("refused: the URL has no host")
    if allow_private_hosts:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in resolver(parts.hostname, port):
        if _is_internal(address):
            raise UnsafeURL(
                f"refused: host {parts.hostname} resolves to internal address {address} "
                "(set `allow_private_hosts: true` in the feeds file's defaults to allow it)"
            )


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or ip in _METADATA_ADDRESSES)
