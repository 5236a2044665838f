"""Guards on every request: the server's token (when it has one) and a cap on body size.

Written as plain ASGI middleware so that a body is counted as it arrives: a client that
sends no Content-Length, or a false one, is stopped at the cap all the same.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mineralflow.web.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: the header (or query parameter, for links opened in a browser) that carries the token
TOKEN_HEADER, TOKEN_QUERY = "x-mineralflow-token", "token"


async def _refuse(send: Send, status: int, message: str, allowed: str | None = None) -> None:
    body = json.dumps(error_body(status, message, None, allowed)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _given_token(scope: Scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    if TOKEN_HEADER in headers:
        return headers[TOKEN_HEADER]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    for part in scope.get("query_string", b"").decode("latin-1").split("&"):
        key, _, value = part.partition("=")
        if key == TOKEN_QUERY:
            return value
    return None


class Guard:
    """Refuses requests without the token (401) and bodies over ``max_body`` bytes (413)."""

    def __init__(self, app: ASGIApp, token: str | None, max_body: int) -> None:
        self.app, self.token, self.max_body = app, token, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token is not None:
            given = _given_token(scope) or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                await _refuse(send, 401, "this server needs its token", f"header {TOKEN_HEADER}")
                return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(send, 413, "request body too large", f"at most {self.max_body} bytes")
            return
        await self._capped(scope, receive, send)

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the body counted as it arrives; past the cap the app reads a
        disconnect, its answer is dropped and the client gets 413."""
        seen, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if over:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _refuse(send, 413, "request body too large", f"at most {self.max_body} bytes")
