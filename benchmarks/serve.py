"""Load on ``mineralflow serve``: many clients at once on 127.0.0.1, bounded in requests.

Starts the server (the real command, on a free port and a new store), solves a few short
runs through its queue, then has ``--clients`` threads send ``--requests`` requests in all,
mixing stored-result queries (7 in 10), comparisons (2 in 10) and run submissions (1 in 10,
of five short scenarios: three stored before and two first submitted during the load, so
that most submissions are answered from the store or join a pending job).  It
prints the latency percentiles of each kind against the server's answer to ``GET /api`` in
the same run (the reference), the errors, and whether every run submitted was solved and
stored once; the server is stopped at the end.  Its last line is JSON with ``--json``.
Run: ``.venv/bin/python benchmarks/serve.py [--requests 5000] [--clients 16] [--json]``.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from output import emit

#: short scenarios the load submits: the first PRESOLVED are solved before it (and queried
#: in it), the others are first submitted during it, by many clients at once
PRESOLVED = 3
SCENARIOS = [
    f"name: load-{m}\ndescription: load test\npack: rare_earths\nyears: [2024, 2025]\n"
    f"levers:\n  - type: capacity_target\n    region: RUS\n    stage: mining\n"
    f"    multiple: {m}\n    year: 2025\n"
    for m in (1.5, 2, 3, 4, 5)
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object, float]:
        """Status, decoded body and seconds of one request (again on a new connection if the
        server closed an idle one)."""
        started = time.perf_counter()
        data = None if body is None else json.dumps(body)
        headers = {} if body is None else {"content-type": "application/json"}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            answer = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            self.conn.close()
            started = time.perf_counter()
            self.conn.request(method, path, body=data, headers=headers)
            answer = self.conn.getresponse()
        raw = answer.read()
        seconds = time.perf_counter() - started
        kind = answer.getheader("content-type", "")
        return answer.status, json.loads(raw) if "json" in kind else raw, seconds


def start_server(port: int, store: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "mineralflow.cli", "serve", "--port", str(port),
               "--store", str(store), "--workers", "2"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Client(port).call("GET", "/api")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}")


def wait_done(client: Client, jobs: set[str]) -> dict[str, dict]:
    states: dict[str, dict] = {}
    deadline = time.monotonic() + 600
    while jobs - states.keys() and time.monotonic() < deadline:
        for job in sorted(jobs - states.keys()):
            _, state, _ = client.call("GET", f"/api/jobs/{job}")
            if state["state"] in ("done", "failed"):  # type: ignore[index]
                states[job] = state  # type: ignore[assignment]
        time.sleep(0.2)
    return states


def worker(port: int, count: int, seed: int, runs: list[str], out: dict) -> None:
    """``count`` requests of the mix; latencies by kind, errors and the jobs submitted."""
    rng, client = np.random.default_rng(seed), Client(port)
    for _ in range(count):
        pick = rng.random()
        if pick < 0.7:
            query = {"run": runs[int(rng.integers(len(runs)))], "variable": "Share|*",
                     "region": ["CHN", "USA", "RUS"][int(rng.integers(3))]}  # fmt: skip
            kind, args = "result", ("GET", "/api/results?" + urlencode(query, doseq=True))
        elif pick < 0.9:
            a, b = rng.choice(len(runs), 2, replace=False)
            kind, args = "compare", ("GET", f"/api/compare?a={runs[a]}&b={runs[b]}")
        else:
            text = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
            kind, args = "submit", ("POST", "/api/runs", {"yaml": text})
        status, body, seconds = client.call(*args)
        out["seconds"].setdefault(kind, []).append(seconds)
        if status >= 400:
            out["errors"].append((kind, status, str(body)[:200]))
        elif kind == "submit":
            out["jobs"].add(body["job"])  # type: ignore[index]


def load(port: int, requests: int, clients: int, runs: list[str]) -> dict:
    out: dict = {"seconds": {}, "errors": [], "jobs": set()}
    shares = [requests // clients + (i < requests % clients) for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(port, n, i, runs, out))
               for i, n in enumerate(shares)]  # fmt: skip
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["wall"] = time.perf_counter() - started
    return out


def main() -> None:
    requests = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 5000
    clients = int(sys.argv[sys.argv.index("--clients") + 1]) if "--clients" in sys.argv else 16
    port, store = free_port(), Path(tempfile.mkdtemp(prefix="mineralflow-load-"))
    server = start_server(port, store)
    try:
        client = Client(port)
        first = {client.call("POST", "/api/runs", {"yaml": t})[1]["job"]  # type: ignore[index]
                 for t in SCENARIOS[:PRESOLVED]}  # fmt: skip
        runs = sorted({s["run_id"] for s in wait_done(client, first).values()})
        reference = [client.call("GET", "/api")[2] for _ in range(200)]
        out = load(port, requests, clients, runs)
        states = wait_done(client, out["jobs"])
        _, listed, _ = client.call("GET", "/api/runs")
    finally:
        server.terminate()
        server.communicate(timeout=60)
    stored = [r["run_id"] for r in listed]  # type: ignore[union-attr]
    p = {k: np.percentile(v, [50, 95]) * 1000 for k, v in out["seconds"].items()}
    ref95 = float(np.percentile(reference, 95) * 1000)
    emit({
        "requests": sum(len(v) for v in out["seconds"].values()), "clients": clients,
        "errors": len(out["errors"]), "first_errors": out["errors"][:3],
        "requests_per_s": round(requests / out["wall"], 1),
        **{f"{k}_ms_p50": round(float(v[0]), 1) for k, v in sorted(p.items())},
        **{f"{k}_ms_p95": round(float(v[1]), 1) for k, v in sorted(p.items())},
        "index_ms_p95_alone": round(ref95, 2),
        "result_p95_vs_index": round(float(p["result"][1]) / ref95, 1),
        "jobs": len(out["jobs"]),
        "jobs_done": sum(s["state"] == "done" for s in states.values()),
        "runs_stored": len(stored), "runs_stored_once": len(stored) == len(set(stored)),
        "runs_expected": len(SCENARIOS),
        "runs_failed": sum(s["state"] == "failed" for s in states.values()),
    })  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
