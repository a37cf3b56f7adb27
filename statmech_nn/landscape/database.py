"""A database of stationary points (Wales, *Energy Landscapes* 2003, ch. 6): minima stored once each (up to the
system's symmetries, :meth:`System.same`), transition states with the two minima they connect.

As arrays (what a run stores under ``/results``): ``minima/energy`` (ascending), ``minima/coords``,
``ts/energy``, ``ts/coords``, ``ts/connects`` (pairs of minimum indices). :meth:`Database.merges` turns the TS
graph into the merge events of a disconnectivity graph: Kruskal's minimum spanning forest with TS energies as
weights gives, for every pair of minima in one component, the lowest saddle level on a path between them.
"""
from __future__ import annotations

import numpy as np


class Database:
    """Minima and transition states of one system; ``energy_tol`` is the energy window within which two minima
    are compared with ``system.same``."""

    def __init__(self, system, energy_tol: float = 1e-5):
        self.system = system
        self.energy_tol = energy_tol
        self.min_energy: list[float] = []
        self.min_coords: list[np.ndarray] = []
        self.ts_energy: list[float] = []
        self.ts_coords: list[np.ndarray] = []
        self.ts_connects: list[tuple[int, int]] = []

    # ----------------------------------------------------------------------------------------------- minima
    def find(self, x, energy: float) -> int:
        """Index (insertion order) of the stored minimum that is the same structure as x, or −1."""
        for k, e in enumerate(self.min_energy):
            if abs(e - energy) <= self.energy_tol * max(1.0, abs(energy)) and self.system.same(x, self.min_coords[k]):
                return k
        return -1

    def add_minimum(self, x, energy: float) -> tuple[int, bool]:
        """(index, True if new): each minimum is stored once."""
        k = self.find(x, energy)
        if k >= 0:
            return k, False
        self.min_energy.append(float(energy))
        self.min_coords.append(np.array(x, dtype=np.float64))
        return len(self.min_energy) - 1, True

    def add_ts(self, x, energy: float, a: int, b: int) -> bool:
        """Store a verified transition state between minima a ≠ b unless the same one is stored (False then)."""
        for k, e in enumerate(self.ts_energy):
            if abs(e - energy) <= self.energy_tol * max(1.0, abs(energy)) and self.system.same(x, self.ts_coords[k]):
                return False
        self.ts_energy.append(float(energy))
        self.ts_coords.append(np.array(x, dtype=np.float64))
        self.ts_connects.append((min(a, b), max(a, b)))
        return True

    @property
    def n_minima(self) -> int:
        return len(self.min_energy)

    # ------------------------------------------------------------------------------------------ as arrays
    def to_arrays(self) -> dict:
        """Insertion-order arrays (a checkpoint: minima not yet sorted)."""
        d = self.system.dim
        return {"min_energy": np.array(self.min_energy, np.float64),
                "min_coords": np.array(self.min_coords, np.float64).reshape(-1, d),
                "ts_energy": np.array(self.ts_energy, np.float64),
                "ts_coords": np.array(self.ts_coords, np.float64).reshape(-1, d),
                "ts_connects": np.array(self.ts_connects, np.int64).reshape(-1, 2)}

    @classmethod
    def from_arrays(cls, system, arrays: dict, energy_tol: float = 1e-5) -> Database:
        db = cls(system, energy_tol)
        db.min_energy = [float(e) for e in arrays["min_energy"]]
        db.min_coords = [np.array(x) for x in np.asarray(arrays["min_coords"]).reshape(-1, system.dim)]
        db.ts_energy = [float(e) for e in arrays["ts_energy"]]
        db.ts_coords = [np.array(x) for x in np.asarray(arrays["ts_coords"]).reshape(-1, system.dim)]
        db.ts_connects = [(int(a), int(b)) for a, b in np.asarray(arrays["ts_connects"]).reshape(-1, 2)]
        return db

    def sorted_arrays(self) -> dict:
        """The stored layout: ``{"minima": {energy (ascending), coords}, "ts": {energy, coords, connects}}``
        with TS connects renumbered to the sorted minima."""
        a = self.to_arrays()
        order = np.lexsort((np.arange(len(a["min_energy"])), a["min_energy"]))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return {"minima": {"energy": a["min_energy"][order], "coords": a["min_coords"][order]},
                "ts": {"energy": a["ts_energy"], "coords": a["ts_coords"],
                       "connects": rank[a["ts_connects"]].reshape(-1, 2)}}


def merges(n_minima: int, ts_energy, ts_connects):
    """Merge events of the disconnectivity graph from a TS graph: (edges (c, 2) of minimum indices, levels (c,)),
    c = n_minima − number of connected components (Kruskal on TS energies; parallel TSs keep the lowest).
    Minima in different components never merge: the graph is a forest."""
    parent = np.arange(n_minima)

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges, levels = [], []
    ts_energy = np.asarray(ts_energy, dtype=np.float64)
    connects = np.asarray(ts_connects, dtype=np.int64).reshape(-1, 2)
    for k in np.lexsort((np.arange(len(ts_energy)), ts_energy)):
        a, b = connects[k]
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
            edges.append((a, b))
            levels.append(ts_energy[k])
    return np.array(edges, np.int64).reshape(-1, 2), np.array(levels, np.float64)


def components(n_minima: int, ts_connects) -> np.ndarray:
    """Connected-component label of every minimum (the label of a component: its lowest index)."""
    parent = np.arange(n_minima)
    for a, b in np.asarray(ts_connects, dtype=np.int64).reshape(-1, 2):
        ra, rb = a, b
        while parent[ra] != ra:
            ra = parent[ra]
        while parent[rb] != rb:
            rb = parent[rb]
        parent[max(ra, rb)] = min(ra, rb)
    out = np.empty(n_minima, np.int64)
    for i in range(n_minima):
        r = i
        while parent[r] != r:
            r = parent[r]
        out[i] = r
    return out
