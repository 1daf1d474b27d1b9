"""Security headers on every response, and a Content-Security-Policy on the HTML pages (the
playground, the explorer): scripts and styles from this origin only (every asset is vendored:
scripts/vendor-graphiql.sh, scripts/vendor-explore.sh), no inline script, requests to this
origin only, never framed by another site. Styles may be inline, as GraphiQL and vis-timeline
set them at run time. A test loads both pages in Chromium and fails on any violation."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
EVERY = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
HTML = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    """ASGI middleware adding the headers above to each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                names = {k.lower() for k, _ in headers}
                extra = list(EVERY)
                kind = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    extra += HTML
                headers.extend((k, v) for k, v in extra if k not in names)
            await send(message)

        await self.app(scope, receive, send_with_headers)
