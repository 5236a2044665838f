"""YAML read safely: no tag runs code, aliases and nesting are capped, no duplicate keys.

PyYAML's safe loader alone still expands any number of aliases (a few lines can grow to
gigabytes) and keeps the last of two equal keys without a word; scenario files and pack
manifests both go through :func:`load_yaml` instead.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_ALIASES = 50
MAX_DEPTH = 20


class _Loader(yaml.SafeLoader):
    """Safe loader that counts aliases, limits nesting and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.YAMLError(
                    f"more than {MAX_ALIASES} aliases (line {event.start_mark.line + 1}); "
                    "these files need none"
                )
        return super().compose_node(parent, index)


def _check_depth(node: yaml.Node, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise yaml.YAMLError(
            f"nested deeper than {MAX_DEPTH} levels (line {node.start_mark.line + 1})"
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.YAMLError(
                        f"key '{key.value}' appears twice (lines {seen[key.value]} and "
                        f"{key.start_mark.line + 1})"
                    )
                seen[key.value] = key.start_mark.line + 1
            _check_depth(value, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_depth(item, depth + 1)


def load_yaml(text: str) -> Any:
    """The document in ``text`` (None when empty); ``yaml.YAMLError`` says what is wrong."""
    try:
        loader = _Loader(text)  # a control character is found here, before parsing starts
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise yaml.YAMLError(
            f"line {line} holds the control character {chr(exc.character)!r}, which YAML does "
            "not allow; remove it"
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_depth(node)
        return loader.construct_document(node)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None
    finally:
        loader.dispose()


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_line(text: str, path: str) -> int | None:
    """The line (1-based) of ``path`` ('levers[0].multiple') in the YAML ``text``, or of its
    deepest part that is there; None when the text does not parse or has none of it."""
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for key, index in _STEP.findall(path):
        node = _child(node, key, int(index) if index else None)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: Any, key: str, index: int | None) -> Any:
    if index is not None and isinstance(node, yaml.SequenceNode):
        return node.value[index] if index < len(node.value) else None
    if key and isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if getattr(name, "value", None) == key:
                return value
    return None
