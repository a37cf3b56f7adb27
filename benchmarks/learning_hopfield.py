"""Throughput of the learning kernels, against baselines timed in the same run.

1. Hopfield Glauber (heat-bath) spin updates per second at N = 2000 (α = 0.05, T = 0.4: a retrieval state, m ≈ 0.96)
   of ``hopfield_sweeps`` against a NumPy implementation of the same random-sequential update (per-spin Python
   loop, field update as a vectorised row addition); the ratio numba/numpy is printed.
2. Exact LP separability checks per second (``is_separable``, HiGHS) of random ±1 pattern sets at α = 2.

Target: Glauber numba/numpy >= 20× (no figure in the docs; a floor under this script's first measurement, 54× on
a loaded machine). The LP checks have no baseline and no target (printed for the record).

    python benchmarks/learning_hopfield.py --N 2000 --sweeps 20 --lp-N 100 --lp-count 50
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.learning.capacity import is_separable  # noqa: E402
from statmech_nn.learning.hopfield import hopfield_sweeps, init_retrieval, retrieval_problem  # noqa: E402
from _report import Targets  # noqa: E402

GLAUBER_TARGET = 20.0  # spin updates/s, numba / numpy


def numpy_glauber(NJ, spins, fields, gen, beta_over_n, n_sweeps):
    """Reference: the same heat-bath update, random sequential order, fields kept by row additions."""
    n = len(spins)
    for _ in range(n_sweeps):
        for i in gen.permutation(n):
            new = 1 if gen.random() < 1.0 / (1.0 + np.exp(-2.0 * beta_over_n * fields[i])) else -1
            if new != spins[i]:
                spins[i] = new
                fields += 2 * new * NJ[i]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=2000)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--T", type=float, default=0.4)
    ap.add_argument("--sweeps", type=int, default=20)
    ap.add_argument("--numpy-sweeps", type=int, default=1)
    ap.add_argument("--lp-N", type=int, default=100)
    ap.add_argument("--lp-count", type=int, default=50)
    args = ap.parse_args(argv)

    N = args.N
    xi, NJ = retrieval_problem(N, args.alpha, 0, 0, 0)
    state = init_retrieval(xi, NJ, 0.0, 0, 0, 0)
    beta_over_n = 1.0 / (args.T * N)
    hopfield_sweeps(NJ, state["spins"].copy(), state["fields"].copy(), state["rng"].copy(), beta_over_n, 1, False)
    t0 = time.perf_counter()
    hopfield_sweeps(NJ, state["spins"], state["fields"], state["rng"], beta_over_n, args.sweeps, False)
    numba_rate = args.sweeps * N / (time.perf_counter() - t0)
    m = float(state["spins"].astype(np.int64) @ xi[0]) / N

    ref = init_retrieval(xi, NJ, 0.0, 0, 0, 0)
    t0 = time.perf_counter()
    numpy_glauber(NJ.astype(np.int64), ref["spins"], ref["fields"], np.random.default_rng(0), beta_over_n,
                  args.numpy_sweeps)
    numpy_rate = args.numpy_sweeps * N / (time.perf_counter() - t0)
    print(f"Hopfield retrieval state after the numba sweeps: m = {m:.3f}")
    targets = Targets()
    targets.ratio(f"Hopfield Glauber N={N} alpha={args.alpha} T={args.T} (numba vs numpy)", numba_rate, numpy_rate,
                  GLAUBER_TARGET, " updates/s")

    gen = np.random.default_rng(1)
    sets = [(gen.choice([-1.0, 1.0], size=(2 * args.lp_N, args.lp_N)), gen.choice([-1.0, 1.0], size=2 * args.lp_N))
            for _ in range(args.lp_count)]
    t0 = time.perf_counter()
    separable = sum(is_separable(X, y) for X, y in sets)
    rate = args.lp_count / (time.perf_counter() - t0)
    print(f"LP separability N={args.lp_N} P={2 * args.lp_N}: {rate:.1f} checks/s "
          f"({separable}/{args.lp_count} separable; Cover: 1/2)")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
