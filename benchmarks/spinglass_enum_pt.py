"""Throughput of the spin-glass kernels, each against a plain-numpy baseline timed in the same run.

1. Exact enumeration of an SK sample (Gray code, one flip per state, streamed log Z at ``--temperatures`` many
   temperatures): states per second, against numpy evaluating H = −½ sᵀWs for blocks of all configurations.
2. Parallel tempering of an SK sample with N = ``--pt-spins`` and ``--replicas`` temperatures (one replica set):
   sweeps per second of :func:`statmech_nn.spinglass.tempering.advance` against a numpy PT that updates all
   replicas' spin i at once (fields kept, one vector operation per site) and exchanges in a Python loop.

Targets (no figure in the docs; floors under this script's first measurement on a loaded machine, 19–25× and
1.6×): enumeration >= 8× per state of the 2^N (fails if the two ground energies differ); PT >= 1× (both are bound
by the O(N) field update after each accepted flip, which numpy does as one vector operation over all replicas).

    python benchmarks/spinglass_enum_pt.py --enum-spins 20 24 --pt-spins 256 --replicas 32 --sweeps 200
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.spinglass.enumeration import enumerate_states  # noqa: E402
from statmech_nn.spinglass.sk import sk_model  # noqa: E402
from statmech_nn.spinglass.tempering import advance, geometric_ladder, init_tempering  # noqa: E402
from _report import Targets  # noqa: E402

ENUMERATION_TARGET, PT_TARGET = 8.0, 1.0  # ours / numpy, per state of the 2^N; sweeps/s


def numpy_enumeration(w: np.ndarray, block: int = 1 << 16) -> float:
    """min H over all 2^N states by blocks of explicit configurations (the baseline)."""
    n = w.shape[0]
    low = np.inf
    for start in range(0, 1 << n, block):
        x = np.arange(start, min(start + block, 1 << n))
        s = 1.0 - 2.0 * ((x[:, None] >> np.arange(n)) & 1)
        low = min(low, float((-0.5 * np.einsum("ci,ci->c", s @ w, s)).min()))
    return low


def numpy_pt(w: np.ndarray, temps: np.ndarray, n_sweeps: int, seed: int) -> np.ndarray:
    """Plain-numpy PT (same algorithm as the package: Metropolis in site order, even/odd exchanges)."""
    rng = np.random.default_rng(seed)
    r, n = temps.size, w.shape[0]
    beta = 1.0 / temps
    s = rng.choice([-1.0, 1.0], (r, n))
    h = s @ w
    e = -0.5 * np.einsum("ri,ri->r", s, h)
    at = np.arange(r)  # replica at temperature t
    b = np.empty(r)
    for _ in range(n_sweeps):
        b[at] = beta
        for i in range(n):
            de = 2.0 * s[:, i] * h[:, i]
            flip = (de <= 0.0) | (rng.random(r) < np.exp(-b * np.maximum(de, 0.0)))
            s[flip, i] *= -1.0
            h[flip] += 2.0 * s[flip, i, None] * w[i]
            e[flip] += de[flip]
        for parity in (0, 1):
            for t in range(parity, r - 1, 2):
                x, y = at[t], at[t + 1]
                if rng.random() < np.exp(min(0.0, (beta[t] - beta[t + 1]) * (e[x] - e[y]))):
                    at[t], at[t + 1] = y, x
    return e


def best_of(repeat: int, f) -> tuple[float, object]:
    """(shortest wall time of ``repeat`` calls, the last call's result)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enum-spins", type=int, nargs="+", default=[20, 24])
    ap.add_argument("--temperatures", type=int, default=4)
    ap.add_argument("--pt-spins", type=int, default=256)
    ap.add_argument("--replicas", type=int, default=32)
    ap.add_argument("--sweeps", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    temps = np.linspace(0.3, 2.0, args.temperatures)
    enumerate_states(sk_model(4, 0), temps)  # compile
    targets = Targets()
    for n in args.enum_spins:
        model = sk_model(n, 1)
        t_kernel, exact = best_of(args.repeat, lambda: enumerate_states(model, temps))
        t_numpy, low = best_of(1, lambda: numpy_enumeration(model.dense()))
        same = abs(exact.ground_energy - low) <= 1e-9 * abs(low)
        print(f"enumeration N={n}: Gray code with s_N fixed visits 2^(N-1) states ({args.temperatures} temperatures), "
              f"numpy all 2^N; ground energy {exact.ground_energy:.10g}, numpy {low:.10g}")
        targets.ratio(f"SK enumeration N={n} (Gray code vs numpy blocks)", 2 ** (n - 1) / t_kernel, 2 ** n / t_numpy,
                      ENUMERATION_TARGET, " states/s", valid=same)

    model = sk_model(args.pt_spins, 2)
    ladder = geometric_ladder(0.3, 2.0, args.replicas)
    state = init_tempering(model, ladder, 3, n_sets=1)
    advance(model, state, 1)  # compile
    t_kernel = best_of(args.repeat, lambda: advance(model, state, args.sweeps))[0]
    numpy_sweeps = max(args.sweeps // 10, 1)
    t_numpy = best_of(1, lambda: numpy_pt(model.dense(), ladder, numpy_sweeps, 4))[0]
    targets.ratio(f"SK parallel tempering N={args.pt_spins}, {args.replicas} replicas (ours vs numpy)",
                  args.sweeps / t_kernel, numpy_sweeps / t_numpy, PT_TARGET, " sweeps/s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
