"""The web interface: one ASGI app serving the JSON API (``/api``) and its OpenAPI spec.

``mineralflow serve`` runs :func:`create_app` on uvicorn.  Requests never name files: packs
are bundled names or folders registered when the server starts, scenarios are bundled names
or posted YAML read by the same safe loader as the command line, and runs are store ids.
"""

from mineralflow.web.app import create_app
from mineralflow.web.settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]
