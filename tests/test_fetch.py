"""Fetch-level behaviour against a real HTTP server on 127.0.0.1: retries, limits, redirects, safety, robots."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from extractors.text import page_from
from monitor.feeds import FeedError, parse_feed
from monitor.fetch import Fetched, Fetcher, FetchError, FetchSettings, fetch, parse_retry_after
from monitor.robots import RobotsCache
from monitor.safety import UnsafeURL, check_url
from monitor.urls import canonical_url
from tests.conftest import RoutedNetwork, drip, rss, sample_page, sequence

FAST = FetchSettings(connect_timeout=2, read_timeout=2, deadline=5, max_attempts=3, backoff=0.01,
                     max_retry_after=2, per_host_delay=0.001, allow_private_hosts=True)


def settings(**changes) -> FetchSettings:
    return FetchSettings(**{**FAST.__dict__, **changes})


def get(url: str, **changes) -> Fetched:
    with Fetcher(settings(**changes)) as fetcher:
        return fetcher.get(url)


def test_conditional_get_sends_the_etag_and_a_304_is_not_modified(server):
    def body(handler) -> None:
        matched = handler.headers.get("If-None-Match") == '"v1"'
        handler.send_response(304 if matched else 200)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", "0" if matched else "4")
        handler.end_headers()
        if not matched:
            handler.wfile.write(b"feed")

    url = server.add("/feed.xml", body)
    with Fetcher(FAST) as fetcher:
        first = fetcher.get(url)
        second = fetcher.get(url, etag=first.headers["etag"], last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert (first.status, first.content, second.status, second.not_modified) == (200, b"feed", 304, True)
    sent = server.requests[-1][1]
    assert sent["If-None-Match"] == '"v1"' and "If-Modified-Since" not in sent


def test_if_modified_since_is_sent_when_there_is_no_etag(server):
    url = server.add("/feed.xml", "x")
    with Fetcher(FAST) as fetcher:
        fetcher.get(url, last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert server.requests[-1][1]["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_a_500_is_retried_until_it_succeeds(server):
    url = server.add("/flaky", sequence((500, {}, b"down"), (200, {}, b"up")))
    fetched = get(url)
    assert (fetched.content, fetched.attempts, server.hits("/flaky")) == (b"up", 2, 2)


def test_a_404_is_not_retried(server):
    with pytest.raises(FetchError) as caught:
        get(server.url("/missing"))
    assert (caught.value.status, caught.value.kind, server.hits("/missing")) == (404, "permanent", 1)


def test_a_read_timeout_is_retried_then_reported_as_temporary(server):
    def slow(handler) -> None:
        time.sleep(1.0)
        sequence((200, {}, b"late"))(handler)

    url = server.add("/slow", slow)
    with pytest.raises(FetchError) as caught:
        get(url, read_timeout=0.2, max_attempts=2)
    assert caught.value.kind == "temporary" and "timed out" in caught.value.reason
    assert server.hits("/slow") == 2


def test_an_endless_body_is_cut_at_the_size_cap(server):
    url = server.add("/endless", drip(b"x" * 500, 0.01))
    with pytest.raises(FetchError) as caught:
        get(url, max_bytes=5_000)
    assert caught.value.kind == "content" and "5,000-byte limit" in caught.value.reason


def test_a_dripping_body_is_cut_at_the_deadline_and_not_retried(server):
    url = server.add("/drip", drip(b"x", 0.05))
    with pytest.raises(FetchError) as caught:
        get(url, deadline=0.5)
    assert "deadline" in caught.value.reason and server.hits("/drip") == 1


def test_a_declared_oversized_body_is_refused_before_reading(server):
    url = server.add("/big", b"x" * 20_000)
    with pytest.raises(FetchError, match="20,000 declared"):
        get(url, max_bytes=10_000)


def test_a_redirect_loop_is_detected(server):
    server.add("/a", b"", 302, Location="/b")
    server.add("/b", b"", 302, Location="/a")
    with pytest.raises(FetchError, match="redirect loop"):
        get(server.url("/a"))
    assert (server.hits("/a"), server.hits("/b")) == (1, 1)


def test_a_permanent_redirect_is_recorded(server):
    server.add("/old.xml", b"", 301, Location="/new.xml")
    server.add("/new.xml", b"feed")
    fetched = get(server.url("/old.xml"))
    assert fetched.permanent_url == server.url("/new.xml") and fetched.final_url == server.url("/new.xml")


def test_retry_after_is_honoured(server):
    url = server.add("/busy", sequence((429, {"Retry-After": "1"}, b""), (200, {}, b"ok")))
    assert get(url).content == b"ok"
    assert server.hits("/busy") == 2


def test_a_retry_after_beyond_the_limit_gives_up_at_once(server):
    url = server.add("/closed", sequence((503, {"Retry-After": "3600"}, b"")))
    with pytest.raises(FetchError) as caught:
        get(url)
    assert caught.value.retry_after == 3600 and server.hits("/closed") == 1


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None


def test_loopback_is_refused_without_connecting(server):
    url = server.add("/internal", "secret")
    with pytest.raises(FetchError, match=r"internal address 127\.0\.0\.1"):
        get(url, allow_private_hosts=False)
    assert server.hits("/internal") == 0


def fake_dns(answers: dict[str, str]):
    return lambda host, port: [answers[host]]


def test_a_name_resolving_to_a_private_or_metadata_address_is_refused():
    for address in ("10.0.0.8", "192.168.1.1", "169.254.169.254", "::1", "fd00:ec2::254", "::ffff:127.0.0.1"):
        with pytest.raises(UnsafeURL, match="internal address"):
            check_url("http://intranet.example/", False, fake_dns({"intranet.example": address}))
    check_url("http://news.example/", False, fake_dns({"news.example": "93.184.216.34"}))


def test_the_address_is_checked_again_after_a_redirect(server):
    port = server.url("").rsplit(":", 1)[1]
    server.add("/start", b"", 302, Location=f"http://intranet.example:{port}/target")
    server.add("/target", "secret")
    resolver = fake_dns({"news.example": "93.184.216.34", "intranet.example": "10.0.0.1"})
    network = RoutedNetwork({"93.184.216.34": "127.0.0.1", "10.0.0.1": "127.0.0.1"})
    with Fetcher(settings(allow_private_hosts=False), resolver=resolver, network=network) as fetcher, \
            pytest.raises(FetchError, match=r"internal address 10\.0\.0\.1"):
        fetcher.get(f"http://news.example:{port}/start")
    assert (server.hits("/start"), server.hits("/target"), network.connected) == (1, 0, ["93.184.216.34"])
    assert server.requests[0][1]["Host"] == f"news.example:{port}"


def test_other_schemes_are_refused_from_the_network():
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch(url, FAST, allow_local=False)


def test_robots_txt_is_fetched_once_per_host_and_obeyed(server):
    server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", Content_Type="text/plain")
    with Fetcher(FAST) as fetcher:
        robots = RobotsCache(fetcher, "claimwatch")
        assert not robots.check(server.url("/private/story")).allowed
        assert robots.check(server.url("/news/story")).allowed
    assert server.hits("/robots.txt") == 1


def test_a_missing_robots_txt_allows_and_a_failing_one_disallows(server):
    with Fetcher(FAST) as fetcher:
        assert RobotsCache(fetcher, "claimwatch").check(server.url("/story")).allowed
        server.add("/robots.txt", "down", 500)
        verdict = RobotsCache(fetcher, "claimwatch").check(server.url("/story"))
    assert not verdict.allowed and "could not be fetched" in verdict.reason


def test_no_host_gets_more_than_its_concurrency_cap(server):
    active, peak, lock = [0], [0], threading.Lock()

    def counted(handler) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        sequence((200, {}, b"ok"))(handler)

    url = server.add("/count", counted)
    with Fetcher(settings(per_host_concurrency=2)) as fetcher, ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: fetcher.get(url), range(8)))
    assert peak[0] <= 2 and server.hits("/count") == 8


def test_invalid_utf8_is_decoded_with_replacement_characters():
    html = b"<html><body><article><p>" + b"Prices rose 12 percent in March \xff\xfe, the agency said. " * 5 + \
        b"</p></article></body></html>"
    page = page_from(Fetched("http://x/", "http://x/", html, headers={"content-type": "text/html; charset=utf-8"}))
    assert "12 percent" in page.text and "\ufffd" in page.text


def test_a_meta_charset_is_sniffed_when_the_header_has_none():
    html = ('<html><head><meta charset="iso-8859-1"></head><body><article><p>'
            + "Café prices rose 12 percent in March, the agency said in a statement. " * 4
            + "</p></article></body></html>").encode("latin-1")
    page = page_from(Fetched("http://x/", "http://x/", html, headers={"content-type": "text/html"}))
    assert "Café" in page.text


def test_tracking_parameters_and_fragments_are_not_part_of_the_canonical_url():
    assert canonical_url("HTTPS://News.Example:443/story?utm_source=rss&id=7&fbclid=x#comments") == \
        "https://news.example/story?id=7"
    assert canonical_url("/tmp/page.html") == "/tmp/page.html"


def test_html_served_as_a_feed_and_an_empty_feed_are_errors_and_a_bozo_feed_with_entries_a_warning():
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(sample_page("vox-delhi-air-pollution"), "http://x/feed")
    with pytest.raises(FeedError, match="no entries"):
        parse_feed(rss([]).encode(), "http://x/feed")
    broken = rss([("one", "http://x/1")]).replace("</channel></rss>", "<item><title>cut").encode()
    assert parse_feed(broken, "http://x/feed").warning
