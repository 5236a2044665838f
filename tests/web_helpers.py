"""Scenarios the web tests post."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: a short run of the rare-earth pack, posted as YAML
SHORT_RUN = """\
name: short-run
description: the rare-earth pack, 2024-2026
pack: rare_earths
years: [2024, 2026]
"""
#: the same with Russia's mine output doubled by 2026
SHORT_RUSSIA = (
    SHORT_RUN.replace("short-run", "short-russia")
    + """\
levers:
  - type: capacity_target
    region: RUS
    stage: mining
    multiple: 2
    year: 2026
"""
)


@contextmanager
def running_server(store: Path, workers: int = 2) -> Iterator[str]:
    """``mineralflow serve`` on a free port of 127.0.0.1 and a store; its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    command = [sys.executable, "-m", "mineralflow.cli", "serve", "--port", str(port),
               "--store", str(store), "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    why = server.communicate()[1].decode(errors="replace")[-2000:]
                    raise RuntimeError(f"the server did not start: {why}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.communicate(timeout=60)  # reaps it and closes its stderr
