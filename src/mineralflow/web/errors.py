"""Errors as JSON: a status code, the field path, the message and what is allowed.

Every mistake in a request is a 4xx answer with one shape::

    {"error": {"status": 422, "field": "query.year", "message": "...", "allowed": "..."}}

A mistake in posted scenario YAML also gives the ``line`` of its field, for an editor to mark.

A user mistake raised deeper (a :class:`MineralflowError`: an unknown scenario, a bad lever)
keeps its message, which names the field and what is allowed.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mineralflow.errors import MineralflowError


class ApiError(Exception):
    """A request the API refuses: ``status`` (4xx), the field it concerns, what is allowed."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        allowed: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.allowed = status, message, field, allowed
        self.line = line


def error_body(
    status: int,
    message: str,
    field: str | None = None,
    allowed: str | None = None,
    line: int | None = None,
) -> dict[str, Any]:
    detail = {"status": status, "field": field, "message": message, "allowed": allowed}
    return {"error": detail | ({"line": line} if line is not None else {})}


def _json(  # type: ignore[no-untyped-def]
    status: int,
    message: str,
    field: str | None = None,
    allowed: str | None = None,
    line: int | None = None,
):
    return JSONResponse(error_body(status, message, field, allowed, line), status_code=status)


def install_handlers(app: FastAPI) -> None:
    """Answer every refused request with :func:`error_body`."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, exc.message, exc.field, exc.allowed, exc.line)

    @app.exception_handler(MineralflowError)
    async def _mineralflow(_: Request, exc: MineralflowError) -> JSONResponse:
        return _json(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        ctx = first.get("ctx") or {}
        allowed = ", ".join(f"{k} {v}" for k, v in ctx.items()) or None
        return _json(422, str(first.get("msg", "invalid request")), field, allowed)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json(exc.status_code, str(exc.detail))
