"""The JSON API: packs, scenarios, runs and jobs, results, comparisons, claims, reports.

Every route reads the server's :class:`State`; none solves inside a request (runs go to the
job queue) and none takes a path.  Answers are JSON unless ``format=csv`` (results and
tables) or the route is a report (HTML).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from mineralflow import __version__
from mineralflow.data.pack import bundled_packs
from mineralflow.records import json_records
from mineralflow.reporting.i18n import check_language, labels
from mineralflow.scenario.model import Scenario
from mineralflow.scenario.schema import scenario_json_schema
from mineralflow.store import ResultsStore
from mineralflow.web.catalog import (
    Catalog,
    pack_summary,
    scenario_detail,
    scenario_summary,
    table_rows,
)
from mineralflow.web.errors import ApiError
from mineralflow.web.jobs import Jobs
from mineralflow.web.results import StoredResults, csv_text, resolve

#: what a text parameter may be at most (names, filters)
SHORT = 200
Name = Annotated[str, Field(min_length=1, max_length=SHORT)]
Format = Literal["json", "csv"]


@dataclass
class State:
    """What the routes share: the catalog, the queue of runs and the stored results."""

    catalog: Catalog
    jobs: Jobs
    results: StoredResults

    def store(self) -> ResultsStore:
        return self.results.opened


def state(request: Request) -> State:
    return request.app.state.mineralflow


class ErrorDetail(BaseModel):
    status: int
    field: str | None
    message: str
    allowed: str | None
    line: int | None = None


class ErrorBody(BaseModel):
    """Every refused request's answer (see :mod:`mineralflow.web.errors`)."""

    error: ErrorDetail


#: the refusals any route may answer with, each with the one error shape
REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": why}
    for code, why in ((400, "the body cannot be read (not JSON, or not UTF-8 text)"),
                      (401, "the server's token is missing or wrong"),
                      (404, "no such pack, scenario, run or job"),
                      (409, "the run cannot be served here"),
                      (413, "the body is too large"),
                      (422, "the request is not valid: the field and what is allowed"))
}  # fmt: skip

router = APIRouter(prefix="/api", responses=REFUSALS)


class RunRequest(BaseModel):
    """A run to solve: a bundled scenario by name, or scenario YAML."""

    scenario: Name | None = Field(None, description="a bundled scenario's name")
    yaml: str | None = Field(None, max_length=256_000, description="scenario YAML")


class ClaimsRequest(BaseModel):
    text: str = Field(min_length=1, max_length=200_000, description="an article's text")
    pack: Name | None = Field(
        None,
        description="one pack to check against (default: every "
        "bundled pack, each claim against its commodity's)",
    )
    date: dt.date | None = Field(None, description="when the text was written (default: found)")


@router.get("", summary="What this server is")
async def index() -> dict[str, Any]:
    return {"name": "mineralflow", "version": __version__, "openapi": "/openapi.json"}


@router.get("/words", summary="The names a view shows (stages, countries, verdicts) in a language")
def words(
    request: Request, lang: Annotated[str, Query(max_length=20)] = "en"
) -> dict[str, dict[str, str]]:
    cat = state(request).catalog
    codes = {str(c) for n in cat.pack_names() for c in cat.pack(n).table("regions")["code"]}
    return labels(check_language(lang), [*codes, "World", "WLD", "EU"])


@router.get("/packs", summary="Packs a request may name")
def packs(request: Request) -> list[dict[str, Any]]:
    cat = state(request).catalog
    return [pack_summary(n, cat.pack(n)) for n in cat.pack_names()]


@router.get("/packs/{pack}", summary="One pack: its tables and row counts")
def pack(request: Request, pack: str) -> dict[str, Any]:
    return pack_summary(pack, state(request).catalog.pack(pack))


@router.get("/packs/{pack}/tables/{table}", summary="A pack table's rows, each with its source")
def pack_table(
    request: Request,
    pack: str,
    table: str,
    region: Annotated[str | None, Query(max_length=SHORT)] = None,
    stage: Annotated[str | None, Query(max_length=SHORT)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    all_editions: bool = False,
    format: Format = "json",
) -> Response:
    loaded = state(request).catalog.pack(pack)
    rows = table_rows(loaded, table, {"region": region, "stage": stage, "year": year},
                      latest=not all_editions)  # fmt: skip
    return _rows(rows, format)


@router.get("/scenarios", summary="The bundled scenarios")
def scenarios(request: Request) -> list[dict[str, Any]]:
    from mineralflow.scenario.loading import bundled_scenarios  # noqa: PLC0415

    cat = state(request).catalog
    return [scenario_summary(cat.scenario(n)) for n in bundled_scenarios()]


@router.get("/scenarios/schema", summary="JSON Schema of scenario files, for editors")
def schema() -> dict[str, Any]:
    return scenario_json_schema()


@router.get("/scenarios/{name}", summary="A bundled scenario after inheritance")
def scenario(request: Request, name: str) -> dict[str, Any]:
    return scenario_detail(state(request).catalog.scenario(name))


@router.post("/scenarios/validate", summary="Check scenario YAML without solving it")
def validate(
    request: Request, text: Annotated[str, Body(media_type="text/plain", max_length=256_000)]
) -> dict[str, Any]:
    return {"valid": True} | scenario_detail(state(request).catalog.posted(text))


@router.post("/runs", status_code=202, summary="Submit a run: a job id to follow")
def submit(request: Request, run: RunRequest) -> dict[str, Any]:
    if (run.scenario is None) == (run.yaml is None):
        raise ApiError(422, "give a scenario's name or its YAML, not both", "body",
                       "scenario or yaml")  # fmt: skip
    cat = state(request).catalog
    spec = cat.scenario(run.scenario) if run.scenario is not None else cat.posted(str(run.yaml))
    return state(request).jobs.submit(spec).as_json()


@router.get("/jobs/{job}", summary="A submitted run's state")
async def job(request: Request, job: str) -> dict[str, Any]:
    found = state(request).jobs.get(job)
    if found is None:
        raise ApiError(404, f"no job '{job[:40]}'", "job", "an id from POST /api/runs")
    return found.as_json()


@router.get("/runs", summary="Runs in the store, newest first")
def runs(request: Request) -> list[dict[str, Any]]:
    with state(request).store() as store:
        listed = store.list()
    listed["created"] = listed["created"].astype(str)
    return json_records(listed)


@router.get("/runs/{run}", summary="A stored run: what was run")
def run(request: Request, run: str) -> dict[str, Any]:
    with state(request).store() as store:
        info = store.get(resolve(store, run))
    return {"run_id": info.run_id, "scenario": info.scenario, "kind": info.kind,
            "packs": info.packs, "code_version": info.code_version, "seed": info.seed,
            "created": info.created.isoformat(), "wall_seconds": info.wall_seconds,
            "rows": info.rows, "scenario_text": info.scenario_text}  # fmt: skip


@router.delete("/runs/{run}", summary="Remove a run from the store")
def delete(request: Request, run: str) -> dict[str, Any]:
    shared = state(request)
    with shared.store() as store:
        full = resolve(store, run)
        store.delete(full)
    shared.results.forget(full)
    return {"deleted": full}


@router.get("/runs/{run}/ensembles", summary="Stored ensembles of a run's exact inputs")
def ensembles(request: Request, run: str) -> list[dict[str, Any]]:
    """Ensembles whose scenario, packs and code are those of ``run`` (their quantiles are
    the ranges around it), most members first."""
    with state(request).store() as store:
        info = store.get(resolve(store, run))
        listed = store.list()
        found = []
        for run_id in listed[listed["kind"] == "ensemble"]["run_id"]:
            other = store.get(run_id)
            same = (other.scenario_text, other.pack_hash, other.code_version, other.seed) == (
                info.scenario_text, info.pack_hash, info.code_version, info.seed)  # fmt: skip
            if same:
                found.append({"run_id": run_id, **store.details(run_id)})
    for item in found:
        item.pop("inputs", None)
    return sorted(found, key=lambda e: (-int(e["members"]), e["run_id"]))


@router.get("/runs/{run}/sensitivity", summary="An ensemble's sensitivity indices")
def sensitivity(request: Request, run: str) -> list[dict[str, Any]]:
    """Sobol (S1, ST with confidence) or Morris (mu*, sigma) indices of the headline values
    of a stored Sobol or Morris ensemble; its quantiles are ``...|p05``-``...|p95``
    variables of ``GET /api/results``."""
    from mineralflow.store import StoreError  # noqa: PLC0415
    from mineralflow.uncertainty.stored import INDICES  # noqa: PLC0415

    with state(request).store() as store:
        full = resolve(store, run)
        info = store.get(full)
        if info.kind != "ensemble":
            raise ApiError(404, f"run {full} is one run, not an ensemble", "run",
                           "an ensemble's id (kind 'ensemble' in GET /api/runs)")  # fmt: skip
        try:
            return json_records(store.file(full, INDICES))
        except (StoreError, KeyError):
            raise ApiError(
                404,
                f"ensemble {full} has no indices (a Monte Carlo design)",
                "run",
                "an ensemble of method sobol or morris",
            ) from None


@router.get("/results", summary="Stored results, queried like pyam (IAMC rows)")
async def results(
    request: Request,
    run: Annotated[list[str], Query(min_length=1, max_length=20)],
    region: Annotated[list[str] | None, Query(max_length=50)] = None,
    variable: Annotated[list[str] | None, Query(max_length=50)] = None,
    unit: Annotated[list[str] | None, Query(max_length=50)] = None,
    year: Annotated[list[int] | None, Query(max_length=100)] = None,
    format: Format = "json",
) -> Response:
    filters = {"region": region or [], "variable": variable or [], "unit": unit or []}
    for name, values in filters.items():
        if any(len(v) > SHORT for v in values):
            raise ApiError(422, f"a {name} filter is too long", f"query.{name}", f"{SHORT} chars")
    body, media = state(request).results.answer(run, filters, year or [], format)
    return Response(body, media_type=media)


def _rows(frame: Any, format: str) -> Response:
    if format == "csv":
        return PlainTextResponse(csv_text(frame), media_type="text/csv")
    return JSONResponse(json_records(frame))


@router.get("/compare", summary="Key differences between two stored runs, by year")
def compare(
    request: Request,
    a: Annotated[str, Query(max_length=SHORT)],
    b: Annotated[str, Query(max_length=SHORT)],
    year: Annotated[list[int] | None, Query(max_length=20)] = None,
    top: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[dict[str, Any]]:
    return state(request).results.compared(a, b, tuple(year or ()), top)


@router.post("/claims/check", summary="Every figure in a text, judged against a pack")
def claims(request: Request, posted: ClaimsRequest) -> dict[str, Any]:
    from mineralflow.claims import check_text  # noqa: PLC0415

    cat = state(request).catalog
    names = [posted.pack] if posted.pack else bundled_packs()
    checked = check_text(posted.text, [cat.pack(n) for n in names], posted.date)
    return {
        "lang": checked.lang, "packs": checked.packs,
        "date": checked.date.isoformat() if checked.date else None,
        "claims": [c.as_json(i) for i, c in enumerate(checked.claims)],
    }  # fmt: skip


@router.get("/runs/{run}/report", summary="The HTML report of a stored run")
def report(
    request: Request,
    run: str,
    lang: Annotated[str, Query(max_length=20)] = "en",
    base: Annotated[str | None, Query(max_length=SHORT)] = None,
) -> HTMLResponse:
    from mineralflow.reporting import html  # noqa: PLC0415

    shared = state(request)
    with shared.store() as store:
        info = store.get(resolve(store, run))
        tables = store.tables(info.run_id)[0]
        base_info = store.get(resolve(store, base)) if base is not None else None
        base_tables = store.tables(base_info.run_id)[0] if base_info is not None else None
    spec = Scenario.model_validate_json(info.scenario_text)
    packs = [shared.catalog.pack_of_run(p) for p in spec.packs]
    lang = check_language(lang)
    document = html.build(
        spec.name, spec.description_in(lang), tables, packs, lang, base=base_tables,
        base_name=base_info.scenario if base_info is not None else "",
    )  # fmt: skip
    return HTMLResponse(document)
