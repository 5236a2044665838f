"""Security by default: loopback unless a token is set, the token on every request, bodies
capped as they arrive, and nothing outside the inputs reachable."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mineralflow.web import ServeSettings, create_app
from mineralflow.web.settings import TOKEN_ENV, ServeError, is_loopback


def test_binding_beyond_this_machine_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ServeError, match="needs a token"):
        ServeSettings.checked("0.0.0.0", 8000, None, None, (), 1)
    assert ServeSettings.checked("0.0.0.0", 8000, "s3cret", None, (), 1).token == "s3cret"
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert ServeSettings.checked("10.0.0.5", 8000, None, None, (), 1).token == "from-env"
    assert ServeSettings.checked("127.0.0.1", 8000, None, None, (), 1).host == "127.0.0.1"
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("192.168.1.2")


def test_bad_settings_are_one_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServeError, match=r"no pack\.yaml"):
        ServeSettings.checked("127.0.0.1", 8000, None, None, (tmp_path,), 1)
    with pytest.raises(ServeError, match="--port"):
        ServeSettings.checked("127.0.0.1", 0, None, None, (), 1)


def test_every_request_carries_the_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(ServeSettings(token="s3cret", store=tmp_path))
    with TestClient(app) as client:
        refused = client.get("/api/packs")
        assert refused.status_code == 401
        assert refused.json()["error"]["allowed"] == "header x-mineralflow-token"
        assert client.get("/api/packs", headers={"x-mineralflow-token": "wrong"}).status_code == 401
        assert client.get("/openapi.json").status_code == 401
        assert client.get("/api", headers={"x-mineralflow-token": "s3cret"}).status_code == 200
        assert client.get("/api", headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/api", params={"token": "s3cret"}).status_code == 200


def test_bodies_are_capped_as_they_arrive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(ServeSettings(store=tmp_path, max_body=1_000))
    with TestClient(app) as client:
        big = client.post("/api/claims/check", json={"text": "x" * 5_000})
        assert big.status_code == 413
        assert big.json()["error"]["allowed"] == "at most 1000 bytes"

        def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as read
            for _ in range(10):
                yield b"y" * 500

        streamed = client.post("/api/scenarios/validate", content=chunks(),
                               headers={"content-type": "text/plain"})  # fmt: skip
        assert streamed.status_code == 413


def test_serve_refuses_a_public_address_without_a_token(run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    refused = run_cli("serve", "--host", "0.0.0.0")
    assert refused.code == 2
    assert "needs a token" in refused.err
