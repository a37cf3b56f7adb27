"""Basin hopping on LJ38 and local minimisations of network losses, each against scipy-only code timed in the same
run; and the hops basin hopping needs to reach the LJ38 global minimum (−173.928427 ε, Cambridge Cluster
Database) from random starts.

* LJ38 hops/s — ours (:func:`statmech_nn.landscape.basin_hopping`: the Numba LJ energy-and-gradient kernel, scipy
  L-BFGS, the symmetry-aware database) against ``scipy.optimize.basinhopping`` on a NumPy LJ energy-and-gradient
  (the same step 0.36 σ, T = 0.8 ε, L-BFGS-B local minimiser);
* network minimisations/s — ours (:func:`statmech_nn.landscape.minimize` with the analytic backpropagation
  gradient) against ``scipy.optimize.minimize(method="L-BFGS-B")`` with scipy's finite-difference gradient of the
  same loss, from the same starts (XOR, width 5; teacher-student, width 20);
* hops to the LJ38 global minimum for ``--seeds`` seeds, at most ``--max-hops`` each (plain basin hopping finds
  the fcc truncated octahedron rarely: Wales & Doye report it as the hardest cluster below 75 atoms).

Targets (conservative floors under docs/landscape.md's 4.2×, 22×, 6× on a loaded machine): LJ38 hops/s >= 2×,
XOR minimisations/s >= 10×, teacher minimisations/s >= 3×. The hops to the global minimum have no baseline and
no target (a search statistic, not a speed).

    python benchmarks/landscape_hops.py --hops 100 --minimisations 20 --seeds 3 --max-hops 3000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import basinhopping
from scipy.optimize import minimize as scipy_minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.landscape import LennardJones, basin_hopping, minimize  # noqa: E402
from statmech_nn.threads import owned_by  # noqa: E402
from statmech_nn.landscape.networks import network_system  # noqa: E402
from statmech_nn.rng import seed_sequence, xoshiro256_state  # noqa: E402
from _report import Targets  # noqa: E402

LJ38 = -173.928427
TARGETS = {"lj38": 2.0, "xor": 10.0, "teacher": 3.0}  # ours / scipy


def numpy_lj(x):
    """E and ∇E of an LJ cluster with NumPy pair arrays (the scipy-only baseline)."""
    r = x.reshape(-1, 3)
    d = r[:, None, :] - r[None, :, :]
    r2 = (d ** 2).sum(-1)
    np.fill_diagonal(r2, np.inf)
    ir6 = r2 ** -3
    e = 2.0 * np.sum(ir6 * ir6 - ir6)
    f = (-48.0 * ir6 * ir6 + 24.0 * ir6) / r2
    return e, (f[..., None] * d).sum(1).ravel()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hops", type=int, default=100)
    ap.add_argument("--minimisations", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--max-hops", type=int, default=3000)
    a = ap.parse_args(argv)
    lj = LennardJones(38)
    targets = Targets()
    with owned_by("numba"):
        lj.energy_and_gradient(lj.start(xoshiro256_state(seed_sequence(0))))  # compile
        t = time.perf_counter()
        basin_hopping(lj, a.hops, 1, 0.36, 0.8)
        ours = a.hops / (time.perf_counter() - t)
        x0 = lj.start(xoshiro256_state(seed_sequence(1)))
        t = time.perf_counter()
        basinhopping(numpy_lj, x0, niter=a.hops, T=0.8, stepsize=0.36, seed=1,
                     minimizer_kwargs={"method": "L-BFGS-B", "jac": True, "options": {"gtol": 1e-6, "ftol": 0.0}})
        base = a.hops / (time.perf_counter() - t)
        targets.ratio("LJ38 basin hopping (ours vs scipy.optimize.basinhopping + NumPy LJ)", ours, base,
                      TARGETS["lj38"], " hops/s")
        for task, width in (("xor", 5), ("teacher", 20)):
            system = network_system(task, width, 1e-4, seed=1)
            starts = [system.start(xoshiro256_state(seed_sequence(2, k))) for k in range(a.minimisations)]
            t = time.perf_counter()
            for x in starts:
                minimize(system, x, gtol=1e-6)
            ours = a.minimisations / (time.perf_counter() - t)
            t = time.perf_counter()
            for x in starts:
                scipy_minimize(system.energy, x, method="L-BFGS-B", options={"gtol": 1e-6, "ftol": 0.0})
            base = a.minimisations / (time.perf_counter() - t)
            targets.ratio(f"{task} width {width} ({system.dim} parameters) minimisations (ours vs scipy L-BFGS-B "
                          f"with finite-difference gradients)", ours, base, TARGETS[task], "/s")
        for seed in range(1, a.seeds + 1):
            t = time.perf_counter()
            db, energies, reached = basin_hopping(lj, a.max_hops, seed, 0.36, 0.8, target=LJ38)
            print(f"LJ38 seed {seed}: " + (f"global minimum after {reached} hops" if reached >= 0 else
                  f"not reached in {a.max_hops} hops (lowest {min(db.min_energy):.6f})")
                  + f", {time.perf_counter() - t:.0f} s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
