"""A server's app on a fresh store, with two short runs solved through its own queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mineralflow.web import ServeSettings, create_app
from web_helpers import SHORT_RUN, SHORT_RUSSIA


def wait_for(client: TestClient, job: str, seconds: float = 240.0) -> dict:
    """The job's last state, once it is done or failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish in {seconds} s")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of a server on a new store, and the run ids of SHORT_RUN and SHORT_RUSSIA."""
    store: Path = tmp_path_factory.mktemp("web-store")
    app = create_app(ServeSettings(store=store, workers=2))
    with TestClient(app) as client:
        jobs = {
            name: client.post("/api/runs", json={"yaml": text}).json()
            for name, text in (("short", SHORT_RUN), ("russia", SHORT_RUSSIA))
        }
        ids = {}
        for name, job in jobs.items():
            done = wait_for(client, job["job"])
            assert done["state"] == "done", done
            ids[name] = done["run_id"]
        yield client, ids
