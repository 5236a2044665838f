"""mineralflow: the rare-earth and aluminium supply chains, with every figure sourced."""

from mineralflow.data import Pack, bundled_packs, check_pack, load_pack
from mineralflow.errors import MineralflowError, PackError, SelectionError

__version__ = "0.1.0"

__all__ = [
    "MineralflowError",
    "Pack",
    "PackError",
    "SelectionError",
    "__version__",
    "bundled_packs",
    "check_pack",
    "load_pack",
]
