"""A growable open-addressing hash table counting Boolean functions (packed uint64 truth tables).

Keys are rows of ``n_words`` uint64 words, values int64 counts; an empty slot has count 0. Linear probing from a
splitmix64 hash of the words; the capacity is a power of two and doubles whenever the load would pass 1/2.
Memory: 8·(n_words + 1) bytes per slot, so 10^8 distinct 7-input functions (n_words = 2) need a 2^28-slot table,
6 GiB, and 9 GiB while it grows from 2^27 slots — within 24 GiB.

The table is its two arrays: :meth:`FunctionTable.to_arrays` gives them in canonical order (counts decreasing, ties
by truth table in increasing lexicographic word order, word 0 first) and :meth:`FunctionTable.from_arrays` rebuilds
a table from them, so a checkpoint is two datasets; merging two tables sums their counts.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError

_MAX_LOAD = 0.5


@njit(cache=True, inline="always")
def _mix(x):
    """splitmix64's finaliser (Steele, Lea & Flood 2014)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def _slot(keys, counts, words):
    """The slot holding ``words``, or the empty slot where it belongs."""
    mask = np.uint64(keys.shape[0] - 1)
    h = np.uint64(0x9E3779B97F4A7C15)
    for w in words:
        h = _mix(h ^ w)
    i = np.int64(h & mask)
    while counts[i] != 0:
        same = True
        for j in range(words.size):
            if keys[i, j] != words[j]:
                same = False
                break
        if same:
            return i
        i = np.int64(np.uint64(i + 1) & mask)
    return i


@njit(cache=True)
def _insert(keys, counts, items, weights, start, size, max_size):
    """Add ``weights[r]`` to the count of ``items[r]`` for r = start, …; stop before the table would hold more than
    ``max_size`` keys. Returns (size, next r)."""
    r = start
    while r < items.shape[0]:
        if weights[r] > 0:
            i = _slot(keys, counts, items[r])
            if counts[i] == 0:
                if size >= max_size:
                    break
                keys[i] = items[r]
                size += 1
            counts[i] += weights[r]
        r += 1
    return size, r


@njit(cache=True)
def _rehash(old_keys, old_counts, keys, counts):
    for i in range(old_counts.size):
        if old_counts[i] != 0:
            j = _slot(keys, counts, old_keys[i])
            keys[j] = old_keys[i]
            counts[j] = old_counts[i]


class FunctionTable:
    """Counts of distinct packed truth tables of ``n_words`` words each."""

    def __init__(self, n_words: int, capacity: int = 1024):
        if int(n_words) < 1:
            raise ParameterError("n_words", n_words, "an integer >= 1")
        cap = 1 << max(4, int(capacity - 1).bit_length())
        self.keys = np.zeros((cap, int(n_words)), np.uint64)
        self.counts = np.zeros(cap, np.int64)
        self.n_distinct = 0
        self.n_samples = 0

    @property
    def n_words(self) -> int:
        return self.keys.shape[1]

    def _grow(self):
        keys = np.zeros((2 * self.keys.shape[0], self.n_words), np.uint64)
        counts = np.zeros(2 * self.counts.size, np.int64)
        _rehash(self.keys, self.counts, keys, counts)
        self.keys, self.counts = keys, counts

    def add(self, functions, counts=None) -> "FunctionTable":
        """Count each row of ``functions`` (uint64, n_words columns) once, or ``counts[r]`` times."""
        functions = np.ascontiguousarray(functions, dtype=np.uint64).reshape(-1, self.n_words)
        weights = (np.ones(functions.shape[0], np.int64) if counts is None
                   else np.ascontiguousarray(counts, dtype=np.int64))
        if weights.shape != (functions.shape[0],) or (weights < 0).any():
            raise ParameterError("counts", counts, "one non-negative count per function")
        start = 0
        while start < functions.shape[0]:
            max_size = int(_MAX_LOAD * self.counts.size)
            self.n_distinct, start = _insert(self.keys, self.counts, functions, weights, start, self.n_distinct,
                                             max_size)
            if start < functions.shape[0]:
                self._grow()
        self.n_samples += int(weights.sum())
        return self

    def merge(self, other: "FunctionTable") -> "FunctionTable":
        """Add every count of ``other`` to this table (in place)."""
        if other.n_words != self.n_words:
            raise ParameterError("other", f"table of {other.n_words} words", f"a table of {self.n_words} words")
        occupied = other.counts != 0
        return self.add(other.keys[occupied], other.counts[occupied])

    def to_arrays(self, canonical: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(functions (n_distinct, n_words) uint64, counts int64) in canonical order (module docstring), or in slot
        order if not ``canonical`` (no sort: the quick form for checkpoints)."""
        occupied = np.flatnonzero(self.counts)
        keys, counts = self.keys[occupied], self.counts[occupied]
        if not canonical:
            return keys, counts
        order = np.lexsort(tuple(keys[:, w] for w in range(self.n_words - 1, -1, -1)) + (-counts,))
        return keys[order], counts[order]

    @classmethod
    def from_arrays(cls, functions, counts) -> "FunctionTable":
        """The table holding ``counts[r]`` of ``functions[r]`` (as written by :meth:`to_arrays`)."""
        functions = np.atleast_2d(np.asarray(functions, dtype=np.uint64))
        table = cls(functions.shape[1], capacity=int(functions.shape[0] / _MAX_LOAD) + 1)
        return table.add(functions, counts)
