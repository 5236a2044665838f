"""Commodity data packs: schema, validation and loading."""

from mineralflow.data.pack import Pack, bundled_packs, check_pack, load_pack

__all__ = ["Pack", "bundled_packs", "check_pack", "load_pack"]
