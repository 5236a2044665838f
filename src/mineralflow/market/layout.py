"""The layout of the yearly LP: named blocks of columns and rows over labelled entities.

Every column and row of the LP belongs to one *block* (a variable or constraint family).  A
block spans a table of entities with named dimensions (for example trade arcs with
``exporter``, ``importer`` and ``product``) and, for the curve families, a number of *steps*
per entity.  Positions are looked up by label (``positions(exporter="CHN")``), solutions are
cut back into entity x step arrays with ``unstack``, and any column or row can be named for
a message with ``describe``: no code does index arithmetic or parses ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mineralflow.market.errors import MarketError

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    """One family of columns (or rows): ``steps`` consecutive positions per entity.

    ``index`` labels the entities (the keys other tables align on); ``dims`` holds their
    named dimensions, one column each, in the same order.
    """

    name: str
    index: pd.Index
    dims: pd.DataFrame
    steps: int
    start: int

    @property
    def entities(self) -> int:
        return len(self.index)

    @property
    def size(self) -> int:
        return self.entities * self.steps

    @property
    def stop(self) -> int:
        return self.start + self.size

    @property
    def span(self) -> slice:
        return slice(self.start, self.stop)

    def all(self) -> IntArray:
        """Every position of the block, in order."""
        return np.arange(self.start, self.stop, dtype=np.int64)

    def select(self, **labels: Any) -> NDArray[np.bool_]:
        """Mask over entities: each dimension equals the value (or is in the list) given."""
        mask = np.ones(self.entities, dtype=bool)
        for dim, value in labels.items():
            if dim not in self.dims.columns:
                raise MarketError(
                    f"internal: block '{self.name}' has no dimension '{dim}' "
                    f"(dimensions: {', '.join(self.dims.columns)})"
                )
            column = self.dims[dim].to_numpy()
            if isinstance(value, str) or not isinstance(value, Iterable):
                mask &= column == value
            else:
                mask &= np.isin(column, list(value))
        return mask

    @cached_property
    def _lookup(self) -> tuple[list[dict[Any, int]], IntArray]:
        """Each dimension's codes of its distinct labels, and a table from codes to ordinals."""
        levels, codes = [], []
        for column in self.dims.columns:
            code, distinct = pd.factorize(self.dims[column].to_numpy(object))
            levels.append({label: k for k, label in enumerate(distinct.tolist())})
            codes.append(code)
        shape = tuple(len(level) for level in levels)
        table = np.full(int(np.prod(shape)), -1, dtype=np.int64)
        if self.entities:
            table[np.ravel_multi_index(codes, shape)] = np.arange(self.entities)
        return levels, table

    def ordinals(self, *labels: Any) -> IntArray:
        """Ordinals of the entities whose dimensions equal ``labels`` (one array per
        dimension, in order); -1 where no entity matches."""
        levels, table = self._lookup
        if len(labels) != len(levels):
            raise MarketError(f"internal: block '{self.name}' has {len(levels)} dimensions")
        asked = [np.asarray(v, dtype=object).tolist() for v in labels]
        codes = np.array(
            [[lv.get(x, -1) for x in v] for lv, v in zip(levels, asked, strict=True)],
            dtype=np.int64,
        ).reshape(len(levels), -1)
        missing = (codes < 0).any(axis=0)
        shape = tuple(len(level) for level in levels)
        at = np.ravel_multi_index(tuple(np.where(missing, 0, codes)), shape)
        return np.where(missing, -1, table[at]).astype(np.int64)

    def positions(self, step: int | None = None, **labels: Any) -> IntArray:
        """Positions of the entities matching ``labels``: every step, or the one given."""
        return self.at(np.flatnonzero(self.select(**labels)), step)

    def at(self, entities: Sequence[int] | NDArray[Any], step: int | None = None) -> IntArray:
        """Positions of entities given by their ordinal (all steps, or one)."""
        base = self.start + np.asarray(entities, dtype=np.int64) * self.steps
        if step is not None:
            return base + step
        return (base[:, None] + np.arange(self.steps)[None, :]).ravel()

    def unstack(self, values: NDArray[Any]) -> NDArray[Any]:
        """The block's part of a full vector (or of each row of a matrix) as entity x step."""
        part = values[..., self.start : self.stop]
        return part.reshape(*part.shape[:-1], self.entities, self.steps)

    def totals(self, values: NDArray[Any]) -> NDArray[Any]:
        """The block's part of a vector (or matrix rows) summed over steps: one per entity."""
        return self.unstack(values).sum(axis=-1)

    def spread(self, per_step: NDArray[Any]) -> NDArray[Any]:
        """An entity x step array as the block's flat part (the inverse of ``unstack``)."""
        return np.asarray(per_step).reshape(*np.shape(per_step)[:-2], self.size)

    def labels(self) -> list[str]:
        """One stable text label per position: block, entity dimensions and step."""
        columns = [self.dims[c].astype(str).tolist() for c in self.dims.columns]
        parts = ["|".join(values) for values in zip(*columns, strict=True)]
        return [f"{self.name}:{p}:{k}" for p in parts for k in range(self.steps)]


class Layout:
    """The blocks of the LP's columns and rows, in order."""

    def __init__(self, columns: list[Block], rows: list[Block]) -> None:
        self.columns = {b.name: b for b in columns}
        self.rows = {b.name: b for b in rows}
        self.n_cols = columns[-1].stop if columns else 0
        self.n_rows = rows[-1].stop if rows else 0

    @staticmethod
    def stack(specs: list[tuple[str, pd.Index, pd.DataFrame, int]]) -> list[Block]:
        """Blocks laid out one after another from (name, index, dims, steps)."""
        blocks, start = [], 0
        for name, index, dims, steps in specs:
            if len(dims) != len(index):
                raise MarketError(f"internal: block '{name}' has dims for another index")
            blocks.append(Block(name, index, dims.reset_index(drop=True), steps, start))
            start += len(index) * steps
        return blocks

    def col(self, name: str) -> Block:
        return self.columns[name]

    def row(self, name: str) -> Block:
        return self.rows[name]

    def with_rows(self, name: str, index: pd.Index, dims: pd.DataFrame) -> Layout:
        """A layout with one more block of rows at the end."""
        extra = Block(name, index, dims.reset_index(drop=True), 1, self.n_rows)
        return Layout(list(self.columns.values()), [*self.rows.values(), extra])

    def column_labels(self) -> list[str]:
        return [label for block in self.columns.values() for label in block.labels()]

    def describe(self, position: int, *, row: bool = False) -> tuple[Block, object, dict[str, str]]:
        """(block, entity label, entity dimensions) of a column (or row), for messages."""
        for block in (self.rows if row else self.columns).values():
            if block.start <= position < block.stop:
                entity = (position - block.start) // block.steps
                labels = {str(k): str(v) for k, v in block.dims.iloc[entity].items()}
                return block, block.index[entity], labels
        raise IndexError(position)
