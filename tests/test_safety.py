"""The pinned fetch: one resolution per connection, every address checked, the socket sent to a checked address."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest
import trustme

from monitor.fetch import Fetcher, FetchError, FetchSettings
from tests.conftest import LocalServer, RoutedNetwork

PUBLIC = "93.184.216.34"
SETTINGS = FetchSettings(connect_timeout=1, read_timeout=2, deadline=5, max_attempts=1, per_host_delay=0.001,
                         allow_private_hosts=False)


def rebinding_dns(monkeypatch: pytest.MonkeyPatch, host: str, answers: list[str]) -> list[str]:
    """Make the system resolver answer `host` with each of `answers` in turn (the last repeats); log each ask."""
    real, asked = socket.getaddrinfo, []

    def getaddrinfo(name, port, *args, **kwargs):
        if name != host:
            return real(name, port, *args, **kwargs)
        asked.append(name)
        address = answers[min(len(asked), len(answers)) - 1]
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_that_rebinds_to_loopback_after_the_check_never_reaches_it(server, monkeypatch):
    server.add("/secret", "internal")
    asked = rebinding_dns(monkeypatch, "rebind.example", [PUBLIC, "127.0.0.1"])
    with Fetcher(SETTINGS) as fetcher, pytest.raises(FetchError):
        fetcher.get(f"http://rebind.example:{server.port}/secret")
    assert server.hits("/secret") == 0 and asked == ["rebind.example"]


def test_a_name_that_answers_loopback_first_is_refused_without_connecting(server, monkeypatch):
    server.add("/secret", "internal")
    rebinding_dns(monkeypatch, "rebind.example", ["127.0.0.1", PUBLIC])
    with Fetcher(SETTINGS) as fetcher, pytest.raises(FetchError, match=r"internal address 127\.0\.0\.1"):
        fetcher.get(f"http://rebind.example:{server.port}/secret")
    assert server.hits("/secret") == 0


def test_one_internal_address_among_public_ones_refuses_the_host(server):
    network = RoutedNetwork({PUBLIC: "127.0.0.1"})
    with Fetcher(SETTINGS, resolver=lambda host, port: [PUBLIC, "10.1.2.3"], network=network) as fetcher, \
            pytest.raises(FetchError, match=r"internal address 10\.1\.2\.3"):
        fetcher.get(f"http://mixed.example:{server.port}/")
    assert network.connected == [] and server.requests == []


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header(server):
    server.add("/story", "news")
    network = RoutedNetwork({PUBLIC: "127.0.0.1"})
    with Fetcher(SETTINGS, resolver=lambda host, port: [PUBLIC], network=network) as fetcher:
        fetched = fetcher.get(f"http://news.example:{server.port}/story")
    assert fetched.content == b"news" and network.connected == [PUBLIC]
    assert server.requests[0][1]["Host"] == f"news.example:{server.port}"


@pytest.fixture
def tls_server(monkeypatch) -> Iterator[tuple[LocalServer, list[str]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for news.example from a CA the fetcher trusts."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("news.example").configure_cert(context)
    server_names: list[str] = []
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    with authority.cert_pem.tempfile() as ca_file:
        monkeypatch.setenv("SSL_CERT_FILE", ca_file)
        local = LocalServer(tls=context)
        local.start()
        yield local, server_names
        local.stop()


def test_tls_names_the_host_in_sni_and_checks_its_certificate_while_connecting_to_the_checked_address(tls_server):
    server, server_names = tls_server
    server.add("/story", "secure news")
    network = RoutedNetwork({PUBLIC: "127.0.0.1"})
    with Fetcher(SETTINGS, resolver=lambda host, port: [PUBLIC], network=network) as fetcher:
        fetched = fetcher.get(f"https://news.example:{server.port}/story")
    assert fetched.content == b"secure news" and server_names == ["news.example"] and network.connected == [PUBLIC]
    assert server.requests[0][1]["Host"] == f"news.example:{server.port}"


def test_a_certificate_for_another_name_is_refused(tls_server):
    server, _ = tls_server
    server.add("/story", "secure news")
    network = RoutedNetwork({PUBLIC: "127.0.0.1"})
    with Fetcher(SETTINGS, resolver=lambda host, port: [PUBLIC], network=network) as fetcher, \
            pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        fetcher.get(f"https://impostor.example:{server.port}/story")
    assert server.requests == []
