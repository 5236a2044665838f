"""The ASGI app: the API's routes behind the guard, errors as JSON, the job queue's life."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mineralflow import __version__
from mineralflow.web.catalog import Catalog
from mineralflow.web.dashboard import router as dashboard
from mineralflow.web.errors import install_handlers
from mineralflow.web.jobs import Jobs
from mineralflow.web.results import StoredResults
from mineralflow.web.routes import State, router
from mineralflow.web.security import Guard
from mineralflow.web.settings import ServeSettings


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    """The server's app for ``settings`` (default: 127.0.0.1, no token, the default store)."""
    settings = settings or ServeSettings()
    shared = State(
        Catalog(settings.packs),
        Jobs(settings.store, settings.workers),
        StoredResults(settings.store),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        shared.jobs.close()

    app = FastAPI(
        title="mineralflow",
        version=__version__,
        summary="Rare-earth and aluminium supply chains: cited data, scenarios, runs, results.",
        lifespan=lifespan,
        docs_url=None,  # the interactive pages load their scripts from a CDN: the server is offline
        redoc_url=None,
    )
    app.state.mineralflow = shared
    install_handlers(app)
    app.include_router(router)
    app.include_router(dashboard)
    app.add_middleware(Guard, token=settings.token, max_body=settings.max_body)
    return app
