"""What a server is started with, and the rule that guards binding beyond this machine."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from mineralflow.errors import MineralflowError

#: the environment variable that gives the server's token
TOKEN_ENV = "MINERALFLOW_TOKEN"
#: the largest request body accepted, bytes (a scenario is at most 256 kB, an article less)
MAX_BODY = 512_000
#: loopback names a server may bind to without a token
LOOPBACK_NAMES = frozenset({"localhost"})


class ServeError(MineralflowError):
    """The server cannot start as asked (a public address without a token, a bad folder)."""


@dataclass(frozen=True)
class ServeSettings:
    """A server's settings; ``packs`` are folders a request may name (by their path as
    given here), beside the bundled packs."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    store: Path | None = None
    packs: tuple[Path, ...] = field(default=())
    workers: int = 1
    max_body: int = MAX_BODY

    @classmethod
    def checked(
        cls,
        host: str,
        port: int,
        token: str | None,
        store: Path | None,
        packs: tuple[Path, ...],
        workers: int,
    ) -> ServeSettings:
        """Settings as the command line gives them, refused where they are unsafe."""
        token = token or os.environ.get(TOKEN_ENV) or None
        if not is_loopback(host) and token is None:
            raise ServeError(
                f"--host {host}: binding beyond this machine needs a token; give --token or "
                f"set {TOKEN_ENV} (for example to {secrets.token_urlsafe(24)!r})"
            )
        if not 1 <= port <= 65_535:
            raise ServeError(f"--port {port}: allowed 1 to 65535")
        if not 1 <= workers <= 64:
            raise ServeError(f"--workers {workers}: allowed 1 to 64")
        for folder in packs:
            if not (folder / "pack.yaml").is_file():
                raise ServeError(f"--pack-folder {folder}: no pack.yaml in that folder")
        return cls(host, port, token, store, tuple(p.resolve() for p in packs), workers)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
