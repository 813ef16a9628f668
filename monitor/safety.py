"""Safety: before any request, refuse URLs a news crawler has no business fetching (other schemes, internal hosts).

The host is resolved once, every address is checked, and the connection goes to a checked address
(`PinnedNetwork`), so a name that answers differently the second time (DNS rebinding) cannot reach
an internal service.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpcore

from monitor.urls import NETWORK_SCHEMES

LOGGER = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]

# Cloud metadata services that are not inside a private or link-local range.
_METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeURL(ValueError):
    """The URL uses a scheme we do not fetch, or its host resolves to an internal address."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as text, in the system resolver's order of preference."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"cannot resolve host {host!r}: {error}") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_scheme(url: str) -> tuple[str, int]:
    """Refuse `url` unless it is http(s) with a host; return the host and port it would connect to.

    Raises:
        UnsafeURL: naming the scheme, or saying the host is missing.
    """
    parts = urlsplit(url)
    if parts.scheme not in NETWORK_SCHEMES:
        raise UnsafeURL(f"refused: only http and https are fetched from the network, not {parts.scheme or 'a path'!r}")
    if not parts.hostname:
        raise UnsafeURL("refused: the URL has no host")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def checked_addresses(host: str, port: int, allow_private_hosts: bool, resolver: Resolver = resolve) -> list[str]:
    """Resolve `host` once and return its addresses, refusing it if any of them is internal.

    Raises:
        UnsafeURL: naming the host and the internal address it resolved to.
    """
    addresses = resolver(host, port)
    if not addresses:
        raise UnsafeURL(f"cannot resolve host {host!r}: no addresses")
    if allow_private_hosts:
        return addresses
    for address in addresses:
        if _is_internal(address):
            raise UnsafeURL(
                f"refused: host {host} resolves to internal address {address} "
                "(set `allow_private_hosts: true` in the feeds file's defaults to allow it)"
            )
    return addresses


def check_url(url: str, allow_private_hosts: bool, resolver: Resolver = resolve) -> None:
    """Refuse `url` unless it is http(s) to a public address (or private ones are allowed).

    Raises:
        UnsafeURL: naming the scheme or the host and the address it resolved to.
    """
    host, port = check_scheme(url)
    if not allow_private_hosts:
        checked_addresses(host, port, allow_private_hosts, resolver)


class PinnedNetwork(httpcore.NetworkBackend):
    """An httpcore network that connects only to addresses it has just resolved and checked.

    httpcore keeps the URL's host for the Host header and the TLS server name (SNI and certificate
    check), so only the TCP connection is pinned. `network` is the one that really opens sockets.
    """

    def __init__(self, allow_private_hosts: bool, resolver: Resolver = resolve,
                 network: httpcore.NetworkBackend | None = None) -> None:
        self._allow_private_hosts = allow_private_hosts
        self._resolver = resolver
        self._network = network or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self._allow_private_hosts, self._resolver)
        for address in addresses[:-1]:
            try:
                return self._network.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                LOGGER.debug("could not connect to %s (%s) at %s: %s", host, address, port, error)
        return self._network.connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise UnsafeURL(f"refused: unix socket {path} is not a news site")

    def sleep(self, seconds: float) -> None:
        self._network.sleep(seconds)


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or ip in _METADATA_ADDRESSES)
