"""What every HTTP response carries, and whom the server believes about the client.

- Security headers on every response: no MIME sniffing, no referrer, no framing, and a
  Content-Security-Policy that allows nothing for the API's JSON. Only the GraphiQL page
  (served in development alone) gets a policy that lets it load its scripts from the
  CDN it is published on. HSTS once the request came over HTTPS.
- Proxy headers (`X-Forwarded-For`, `X-Forwarded-Proto`) are believed only from the
  proxies named in `UPRIGHT_TRUSTED_PROXIES`: anyone else could claim any address and
  escape the per-address login throttle, or fake HTTPS.
- CORS only for the origins named in `UPRIGHT_CORS_ORIGINS`; none by default, so a
  browser page elsewhere cannot call the API with a user's token.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.settings import Settings

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Strawberry's GraphiQL page: inline bootstrap script and styles, React and GraphiQL
# from unpkg, queries back to this origin.
GRAPHIQL_POLICY = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://unpkg.com; "
    "img-src 'self' data: https://unpkg.com; "
    "font-src 'self' data: https://unpkg.com; "
    "connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the headers to every HTTP response (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                policy = GRAPHIQL_POLICY if html else API_POLICY
                added = [*_COMMON, (b"content-security-policy", policy.encode())]
                if https:
                    added.append((b"strict-transport-security", HSTS.encode()))
                headers += [(name, value) for name, value in added if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the client's real address and scheme, then headers, then CORS."""
    stack = []
    if settings.trusted_proxies:
        stack.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies))
    stack.append(Middleware(SecurityHeaders))
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                allow_credentials=False,
                max_age=600,
            )
        )
    return stack
