"""Stored results as the API serves them: IAMC rows filtered like pyam's queries.

Filters take one or more values each; ``*`` matches any run of characters (as in pyam:
``variable=Price|Rare Earths|*``), everything else is matched exactly.  A stored run never
changes under its id, so its table is read once and kept (a run deleted from the store is
refused again on the next request).
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from mineralflow.records import json_records
from mineralflow.store import RESULT_COLUMNS, ResultsStore, StoreError
from mineralflow.tables import Tables
from mineralflow.web.errors import ApiError

T = TypeVar("T")

#: stored runs whose tables are kept in memory
KEPT_RUNS = 64
#: answers to results queries kept (the text of each)
KEPT_ANSWERS = 1_024
#: the most rows one answer holds (ask for fewer with filters)
MAX_ROWS = 200_000
#: the text columns a query filters on
TEXT_FILTERS = ("model", "scenario", "region", "variable", "unit")


def pattern(values: list[str]) -> re.Pattern[str]:
    """One expression matching any of ``values``, ``*`` a wildcard."""
    parts = ["".join(".*" if c == "*" else re.escape(c) for c in v) for v in values]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.DOTALL)


def select(frame: pd.DataFrame, filters: dict[str, list[str]], years: list[int]) -> pd.DataFrame:
    """The rows of an IAMC table matching every filter given (an empty filter keeps all)."""
    keep = pd.Series(True, index=frame.index)
    for column, values in filters.items():
        if values:
            expr = pattern(values)
            names = frame[column].cat.categories  # matched once each, not once per row
            keep &= frame[column].isin([n for n in names if expr.fullmatch(str(n))])
    if years:
        keep &= frame["year"].isin(years)
    return frame[keep]


#: what a run id looks like (its first characters are enough when they are unique)
RUN_ID = re.compile(r"[0-9a-f]{4,12}")


def resolve(store: ResultsStore, run_id: str) -> str:
    """The full id of a stored run from an id or its first characters (404 if none)."""
    if not RUN_ID.fullmatch(run_id):
        raise ApiError(
            404, f"'{run_id[:40]}' is not a run id", "run",
            "4 to 12 lower-case hex characters, from GET /api/runs",
        )  # fmt: skip
    try:
        return run_id if store.has(run_id) else store.resolve_id(run_id)
    except StoreError as exc:
        message = str(exc).replace(f" in {store.path}", " in the store")
        raise ApiError(404, message, "run", "an id from GET /api/runs") from None


class StoredResults:
    """Reads runs' IAMC tables from one store, keeping the latest :data:`KEPT_RUNS`."""

    def __init__(self, store: Path | None) -> None:
        self.store = store
        self.opened = ResultsStore(store)  # holds nothing open; made once for its checks
        self._answers: OrderedDict[tuple[object, ...], tuple[str, str]] = OrderedDict()
        self._working: dict[object, threading.Lock] = {}
        self._kept: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._tables: OrderedDict[str, Tables] = OrderedDict()
        self._compared: OrderedDict[tuple[str, str, tuple[int, ...], int], list[dict[str, Any]]]
        self._compared = OrderedDict()
        self._lock = threading.Lock()

    def _kept_or_made(
        self, name: str, cache: OrderedDict[Any, T], key: Any, limit: int, make: Callable[[], T]
    ) -> T:
        """``cache[key]``, or ``make()`` kept there (the oldest past ``limit`` forgotten);
        many clients asking for the same key at once wait for one to work it out."""
        with self._once((name, key)):
            with self._lock:
                if key in cache:
                    cache.move_to_end(key)
                    return cache[key]
            made = make()
            with self._lock:
                cache[key] = made
                while len(cache) > limit:
                    cache.popitem(last=False)
        return made

    def frame(self, run_id: str) -> pd.DataFrame:
        """The IAMC table of a stored run (404 if the store has no such run)."""
        full = resolve(self.opened, run_id)

        def read() -> pd.DataFrame:
            frame = self.opened.results(full)[RESULT_COLUMNS]
            return frame.astype(dict.fromkeys(TEXT_FILTERS, "category"))

        return self._kept_or_made("frame", self._kept, full, KEPT_RUNS, read)

    def tables(self, run_id: str) -> Tables:
        """The result tables of a stored run (404 if none), read once."""
        full = resolve(self.opened, run_id)
        return self._kept_or_made(
            "tables", self._tables, full, KEPT_RUNS, lambda: self.opened.tables(full)[0]
        )

    def compared(self, a: str, b: str, years: tuple[int, ...], top: int) -> list[dict[str, Any]]:
        """The key differences from run ``a`` to run ``b`` as JSON rows (worked out once
        for the same runs, years and length)."""
        from mineralflow.comparison import compare  # noqa: PLC0415

        key = (resolve(self.opened, a), resolve(self.opened, b), years, top)

        def work_out() -> list[dict[str, Any]]:
            table = compare(self.tables(key[0]), self.tables(key[1]), list(years) or None, top)
            return json_records(table)

        return self._kept_or_made("compared", self._compared, key, KEPT_RUNS, work_out)

    def _once(self, key: object) -> threading.Lock:
        """The lock under which ``key`` is worked out (kept for as many keys as answers)."""
        with self._lock:
            lock = self._working.setdefault(key, threading.Lock())
            if len(self._working) > KEPT_ANSWERS:
                self._working.pop(next(iter(self._working)))
        return lock

    def answer(
        self, runs: list[str], filters: dict[str, list[str]], years: list[int], format: str
    ) -> tuple[str, str]:
        """(body, media type) of a results query: the rows of ``runs`` that match, as JSON
        or CSV.  Runs never change under their ids, so an answer is worked out once."""
        full = tuple(resolve(self.opened, r) for r in runs)
        key = (full, tuple((k, tuple(v)) for k, v in sorted(filters.items())), tuple(years),
               format)  # fmt: skip

        def work_out() -> tuple[str, str]:
            frames = [select(self.frame(r), filters, years) for r in full]
            rows = checked_size(pd.concat(frames, ignore_index=True))
            if format == "csv":
                return csv_text(rows), "text/csv"
            return json.dumps(json_records(rows)), "application/json"

        return self._kept_or_made("answer", self._answers, key, KEPT_ANSWERS, work_out)

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._kept.pop(run_id, None)
            self._tables.pop(run_id, None)
            for key in [k for k in self._compared if run_id in k[:2]]:
                del self._compared[key]
            for answer in [k for k in self._answers if run_id in k[0]]:  # type: ignore[operator]
                del self._answers[answer]


def csv_text(frame: pd.DataFrame) -> str:
    """IAMC rows as CSV, as ``mineralflow run --export`` writes them."""
    return str(frame.to_csv(index=False, lineterminator="\n"))


def checked_size(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) > MAX_ROWS:
        raise ApiError(
            422, f"the query matches {len(frame):,} rows", "query",
            f"at most {MAX_ROWS:,}: narrow it with variable, region or year",
        )  # fmt: skip
    return frame
