"""Basin hopping (Wales & Doye, J. Phys. Chem. A 101, 5111 (1997); Li & Scheraga 1987): Monte Carlo on the
transformed landscape Ẽ(x) = E(min(x)). A hop perturbs the current minimum (``system.perturb``, size ``step``),
minimises (:func:`.minimize.minimize`) and accepts the new minimum with the Metropolis probability
min(1, exp[−(Ẽ_new − Ẽ_old)/T]). Every minimum reached goes into the :class:`.database.Database` once.

The random stream is a xoshiro256** state (:mod:`statmech_nn.rng`) carried with the walker, so hops resume
bit-identically from a checkpoint.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from statmech_nn.rng import next_double, seed_sequence, xoshiro256_state

from .database import Database
from .minimize import converged, minimize


class Hop(NamedTuple):
    energy: float      # energy of the minimum the hop reached
    accepted: bool
    index: int         # its database index (insertion order)
    new: bool          # first time found


def hop(system, db: Database, walker: dict, step: float, temperature: float, gtol: float | None = None) -> Hop:
    """One hop from ``walker = {"x", "energy", "rng"}`` (updated in place on acceptance; ``rng`` always)."""
    s = walker["rng"]
    trial = minimize(system, system.perturb(walker["x"], s, step), gtol)
    u = next_double(s)
    if not converged(system, trial, gtol):  # not a minimum: nothing stored, the hop is rejected
        return Hop(trial.energy, False, -1, False)
    index, new = db.add_minimum(trial.x, trial.energy)
    delta = trial.energy - float(walker["energy"])
    accepted = delta <= 0 or (temperature > 0 and u < math.exp(-delta / temperature))
    if accepted:
        walker["x"][...] = trial.x
        walker["energy"][...] = trial.energy
    return Hop(trial.energy, bool(accepted), index, new)


def start_walker(system, db: Database, seed, gtol: float | None = None) -> dict:
    """A walker at the minimum reached from the system's random start drawn from stream ``seed``."""
    s = xoshiro256_state(seed_sequence(seed))
    first = minimize(system, system.start(s), gtol)
    db.add_minimum(first.x, first.energy)
    return {"x": first.x.copy(), "energy": np.array(first.energy), "rng": s}


def basin_hopping(system, hops: int, seed, step: float, temperature: float, target: float | None = None,
                  target_tol: float = 1e-5, db: Database | None = None):
    """``hops`` hops from a random start; stops early once an energy ≤ ``target`` + ``target_tol`` is reached.
    Returns (database, energies of the hops (n,), hops done until the target was first reached or −1)."""
    db = db if db is not None else Database(system)
    walker = start_walker(system, db, seed)
    energies, reached = [], -1
    if target is not None and walker["energy"] <= target + target_tol:
        return db, np.array(energies), 0
    for k in range(hops):
        h = hop(system, db, walker, step, temperature)
        energies.append(h.energy)
        if target is not None and h.energy <= target + target_tol:
            reached = k + 1
            break
    return db, np.array(energies), reached
