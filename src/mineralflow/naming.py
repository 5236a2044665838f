"""How pack names appear in IAMC variable names: ``heavy_separation`` -> ``Heavy Separation``."""

from __future__ import annotations


def title(name: str) -> str:
    """A stage, sector or deposit name of a pack as it is written in variable names."""
    return name.replace("_", " ").title()
