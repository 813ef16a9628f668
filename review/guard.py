"""A wrapper around Datasette's app that makes every POST carry a CSRF token and refuses the bodies we never read."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CSRF_COOKIE = "ds_csrftoken"


def guard_posts(app):
    """ASGI middleware in front of asgi-csrf, which lets through a POST with no cookies or a Bearer header.

    Neither exemption fits a site with cookie sign-in: a POST without the token cookie is refused (no login
    CSRF), an Authorization header is dropped so the token is checked anyway, and multipart bodies, which no
    route here takes, are refused before they reach a parser.
    """

    async def guarded(scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await app(scope, receive, send)
            return
        headers = [(name, value) for name, value in scope.get("headers", []) if name != b"authorization"]
        content_type = dict(headers).get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type == b"multipart/form-data":
            await _refuse(send, 400, "multipart/form-data is not accepted: send the form urlencoded")
            return
        if CSRF_COOKIE not in _cookies(headers):
            await _refuse(send, 403, "no CSRF token: open the page with the form first, with cookies allowed")
            return
        await app({**scope, "headers": headers}, receive, send)

    return guarded


def _cookies(headers: list[tuple[bytes, bytes]]) -> set[str]:
    jar = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:  # an unreadable Cookie header carries no token
                continue
    return set(jar)


async def _refuse(send, status: int, message: str) -> None:
    body = f"error: {message}\n".encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
