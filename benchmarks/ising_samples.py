"""Independent Ising configurations per second at T_c: Wolff clusters vs checkerboard Metropolis, same run.

For each algorithm one chain on the periodic L×L lattice (after a burn-in of ``--burn-in`` sweeps) records e and |m|
every sweep for ``--sweeps`` sweeps; with t the wall time per sweep and τ = max(τ_int(e), τ_int(|m|)) in sweeps,
independent configurations per second = 1 / (2 τ t). Also timed: :func:`equilibrium_configurations` end to end
(pilot, τ measurement, production at spacing ⌈2τ⌉). Prints the Wolff / Metropolis ratio of independent
configurations per second; target >= 1.2 at L = 40 (docs/rg.md measured 1.9 on a quiet machine; the advantage grows
with L, z ≈ 0.25 against 2.17, so smaller lattices may fall short of it).

    python benchmarks/ising_samples.py --L 40 --sweeps 200000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.stats import tau_int  # noqa: E402
from statmech_nn.models.ising import T_CRITICAL  # noqa: E402
from statmech_nn.rng import seed_sequence  # noqa: E402
from statmech_nn.samplers.ising_ensemble import chain_of, equilibrium_configurations, rows  # noqa: E402
from _report import Targets  # noqa: E402

TARGET = 1.2  # Wolff / Metropolis, independent configurations per second at T_c, L = 40


def chain_rate(L: int, algorithm: str, sweeps: int, burn_in: int, seed: int) -> dict[str, float]:
    chain = chain_of(L, T_CRITICAL, algorithm, seed_sequence(seed))
    state = chain.init_state()
    rows(chain, state, burn_in)  # also compiles before timing
    t0 = time.perf_counter()
    e, m = rows(chain, state, sweeps)
    seconds = time.perf_counter() - t0
    tau = max(tau_int(e)[0], tau_int(np.abs(m))[0])
    per_sweep = seconds / sweeps
    return {"seconds_per_sweep": per_sweep, "tau": tau, "independent_per_second": 1.0 / (2.0 * tau * per_sweep)}


def ensemble_rate(L: int, algorithm: str, n: int, seed: int) -> float:
    equilibrium_configurations(L, T_CRITICAL, 4, seed, algorithm=algorithm)  # compile
    t0 = time.perf_counter()
    equilibrium_configurations(L, T_CRITICAL, n, seed, algorithm=algorithm)
    return n / (time.perf_counter() - t0)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--L", type=int, default=40)
    p.add_argument("--sweeps", type=int, default=200000, help="measured sweeps per algorithm")
    p.add_argument("--burn-in", type=int, default=5000)
    p.add_argument("--samples", type=int, default=2000, help="configurations drawn by equilibrium_configurations")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rates = {}
    for algorithm in ("wolff", "metropolis"):
        r = chain_rate(a.L, algorithm, a.sweeps, a.burn_in, a.seed)
        rates[algorithm] = r["independent_per_second"]
        print(f"{algorithm:10s} L={a.L} T=Tc: {r['seconds_per_sweep'] * 1e6:8.1f} us/sweep, tau_int = "
              f"{r['tau']:7.2f} sweeps -> {r['independent_per_second']:9.1f} independent configurations/s")
        print(f"{'':10s} equilibrium_configurations({a.samples}): "
              f"{ensemble_rate(a.L, algorithm, a.samples, a.seed):9.1f} configurations/s (burn-in and pilot included)")
    targets = Targets()
    targets.ratio(f"independent configurations at T_c, L = {a.L} (Wolff vs checkerboard Metropolis)",
                  rates["wolff"], rates["metropolis"], TARGET, "/s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
