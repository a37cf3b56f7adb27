"""One landscape exploration as explicit state: basin hopping, then connect steps, then the database as arrays
(what ``statmech-nn landscape`` stores; docs/landscape.md).

A *part* is one system explored on its own (one per hidden width of a network sweep, else one). Its state:
``walker`` (``x``, ``energy``, ``rng`` — a xoshiro256** state) and ``db`` (:meth:`.database.Database.to_arrays`),
so hops and connect steps resume bit-identically from a checkpoint.
"""
from __future__ import annotations

import numpy as np

from .basinhopping import hop, start_walker
from .database import Database, components, merges
from .disconnectivity import tree_arrays
from .minimize import hessian_eigenvalues
from .transition import connect_step


def init_part(system, seed) -> dict:
    db = Database(system)
    walker = start_walker(system, db, seed)
    return {"walker": walker, "db": db.to_arrays()}


def hops(system, part: dict, n: int, step: float, temperature: float):
    """n hops of one part: (energies (n,), accepted int8 (n,), new-minimum int8 (n,), lowest so far (n,))."""
    db = Database.from_arrays(system, part["db"])
    out = np.empty((4, n))
    for k in range(n):
        h = hop(system, db, part["walker"], step, temperature)
        out[:3, k] = h.energy, h.accepted, h.new
        out[3, k] = min(db.min_energy)
    part["db"] = db.to_arrays()
    return out[0], out[1].astype(np.int8), out[2].astype(np.int8), out[3]


def connects(system, part: dict, start: int, n: int, n_images: int = 10) -> np.ndarray:
    """Connect steps start .. start + n − 1 (:func:`.transition.connect_step`): TSs stored by each (n,)."""
    db = Database.from_arrays(system, part["db"])
    found = np.array([connect_step(system, db, k, n_images) for k in range(start, start + n)], np.int64)
    part["db"] = db.to_arrays()
    return found


def database_results(system, arrays: dict) -> dict:
    """The stored layout of one part: ``minima`` (energy ascending, coords, lowest non-zero Hessian eigenvalue,
    connected-component label, test loss for networks), ``ts`` (energy, coords, connects into the sorted minima,
    the negative eigenvalue), ``merges`` (edges, levels; a forest when the database is disconnected) and the
    tree (:func:`.disconnectivity.tree_arrays`)."""
    out = Database.from_arrays(system, arrays).sorted_arrays()
    minima, ts = out["minima"], out["ts"]
    m = len(minima["energy"])
    minima["lowest_eigenvalue"] = np.array([hessian_eigenvalues(system, x)[0] for x in minima["coords"]])
    ts["negative_eigenvalue"] = np.array([hessian_eigenvalues(system, x)[0] for x in ts["coords"]])
    minima["component"] = components(m, ts["connects"])
    if getattr(system, "test", None) is not None:
        minima["test_loss"] = np.array([system.test(x) for x in minima["coords"]])
    edges, levels = merges(m, ts["energy"], ts["connects"])
    node_levels, node_edges = tree_arrays(minima["energy"], edges, levels)
    out["merges"] = {"edges": edges, "levels": levels}
    out["tree"] = {"levels": node_levels, "edges": node_edges}
    return out


def concatenate(parts: list[dict]) -> dict:
    """Several parts' results in one layout: minima and TSs concatenated (energies ascending within each part,
    ``minima/part`` and ``ts/part`` say which), coordinates NaN-padded to the widest part, indices (connects,
    merges, components, tree) shifted to the concatenation; ``global_minimum_energy`` a scalar for one part,
    one per part otherwise."""
    if len(parts) == 1:
        out = parts[0]
        out["minima"]["part"] = np.zeros(len(out["minima"]["energy"]), np.int64)
        out["ts"]["part"] = np.zeros(len(out["ts"]["energy"]), np.int64)
        out["global_minimum_energy"] = np.float64(out["minima"]["energy"][0])
        return out
    width = max(p["minima"]["coords"].shape[1] for p in parts)
    shift = np.cumsum([0] + [len(p["minima"]["energy"]) for p in parts])
    out = {}
    for group in ("minima", "ts"):
        out[group] = {}
        for key in parts[0][group]:
            values = []
            for k, p in enumerate(parts):
                v = np.asarray(p[group][key])
                if key == "coords":
                    v = np.pad(v, ((0, 0), (0, width - v.shape[1])), constant_values=np.nan)
                elif key in ("connects", "component"):
                    v = v + shift[k]
                values.append(v)
            out[group][key] = np.concatenate(values)
        out[group]["part"] = np.concatenate([np.full(len(p[group]["energy"]), k, np.int64)
                                             for k, p in enumerate(parts)])
    out["ts"]["connects"] = out["ts"]["connects"].reshape(-1, 2)
    edges = np.concatenate([p["merges"]["edges"] + shift[k] for k, p in enumerate(parts)]).reshape(-1, 2)
    levels = np.concatenate([p["merges"]["levels"] for p in parts])
    node_levels, node_edges = tree_arrays(out["minima"]["energy"], edges, levels)
    out["merges"] = {"edges": edges, "levels": levels}
    out["tree"] = {"levels": node_levels, "edges": node_edges}
    out["global_minimum_energy"] = np.array([p["minima"]["energy"][0] for p in parts])
    return out


def rbm_database(rbm_results: dict) -> dict:
    """rbm-landscape's results (:func:`statmech_nn.rbm.landscape.landscape_results`) in the landscape layout:
    ``minima/energy`` = F of the minima, ``minima/coords`` = the visible states; the merges of the disconnectivity
    tree stand for the transition states (``ts/energy`` = saddle levels F*, ``ts/connects`` = the pairs they
    join; no saddle configurations on a hypercube: ``ts/coords`` is empty). The other rbm-landscape results are
    kept under their names (the array ``minima`` becomes ``minima/coords``)."""
    out = {k: v for k, v in rbm_results.items() if k != "minima"}
    minima = np.asarray(rbm_results["minima"])
    energy = np.asarray(rbm_results["free_energy"])
    edges, levels = rbm_results["merge_edges"], rbm_results["merge_levels"]
    out["minima"] = {"energy": energy, "coords": minima.astype(np.float64),
                     "component": components(len(energy), edges), "part": np.zeros(len(energy), np.int64)}
    out["ts"] = {"energy": np.asarray(levels, np.float64), "coords": np.zeros((0, minima.shape[1])),
                 "connects": np.asarray(edges, np.int64).reshape(-1, 2), "part": np.zeros(len(levels), np.int64)}
    out["merges"] = {"edges": edges, "levels": levels}
    out["tree"] = {"levels": rbm_results["tree_levels"], "edges": rbm_results["tree_edges"]}
    out["global_minimum_energy"] = np.float64(energy[0])
    out["units"] = np.bytes_("free energy F(v) of the RBM (k_B T = 1)")
    return out

