"""The dashboard: one page and its assets, all served from the package (no CDN).

Assets are a fixed list of names, each mapped to a file of the package (plotly.js from the
plotly package, the world map and plotly's Chinese locale from the report's assets), so no
part of a request's path is looked up on the file system.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mineralflow.web.errors import ApiError

HERE = Path(__file__).parent / "static"
REPORT_ASSETS = Path(__file__).parent.parent / "reporting" / "assets"

#: the assets by the name a page asks for: (file, media type)
ASSETS = {
    "app.js": (HERE / "app.js", "text/javascript"),
    "app.css": (HERE / "app.css", "text/css"),
    "plotly-locale-zh-cn.js": (REPORT_ASSETS / "plotly-locale-zh-cn.js", "text/javascript"),
}

router = APIRouter(include_in_schema=False)


@cache
def _text(name: str) -> bytes:
    if name == "plotly.min.js":
        from plotly.offline import get_plotlyjs  # noqa: PLC0415

        return get_plotlyjs().encode()
    if name == "geo.js":  # the world map, as plotly reads it without fetching it
        topojson = (REPORT_ASSETS / "world_110m.json").read_text(encoding="utf-8")
        return (
            "window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
            f'window.PlotlyGeoAssets.topojson["world_110m"]={topojson};'
        ).encode()
    return ASSETS[name][0].read_bytes()


@router.get("/", response_class=HTMLResponse)
def page() -> HTMLResponse:
    return HTMLResponse((HERE / "index.html").read_text(encoding="utf-8"))


@router.get("/static/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS and name not in ("plotly.min.js", "geo.js"):
        raise ApiError(404, f"no asset '{name[:40]}'", "name", ", ".join(sorted(ASSETS)))
    media = ASSETS[name][1] if name in ASSETS else "text/javascript"
    return Response(_text(name), media_type=media, headers={"cache-control": "max-age=3600"})
