"""Grouping of integer-coded rows, shared by the result tables and origin tracing."""

from __future__ import annotations

import numpy as np


def distinct_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keys, inverse) of the rows of a non-negative integer array (n, k).

    ``keys`` are the distinct rows sorted lexicographically and ``inverse[i]`` is the key of
    row i, as ``np.unique(codes, axis=0, return_inverse=True)`` gives; the rows are first
    folded into one integer each (sorting integers instead of byte strings) where the
    column ranges allow it.
    """
    n, k = codes.shape
    if n == 0:
        return codes.reshape(0, k), np.zeros(0, dtype=np.int64)
    dims = [int(c) + 1 for c in codes.max(0)]
    if k and float(np.prod(dims, dtype=float)) < 2.0**62:
        folded = np.ravel_multi_index(tuple(codes.T), dims)
        distinct, inverse = np.unique(folded, return_inverse=True)
        return np.column_stack(np.unravel_index(distinct, dims)).astype(codes.dtype), inverse
    distinct, inverse = np.unique(codes, axis=0, return_inverse=True)
    return distinct, inverse.ravel()
