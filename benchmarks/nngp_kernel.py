"""NNGP Gram matrices: kernel evaluations per second of :func:`statmech_nn.meanfield.nngp.nngp_kernel` against a
plain numpy implementation timed in the same run.

An evaluation is one entry K^l(x_i, x_j) at one layer: an n×n Gram matrix at depth L costs n²·L of them.
Baseline: the textbook loop — for every pair and layer, the 2×2 covariance, then E[φ(u)φ(v)] by the same closed form
(relu: arc-cosine; erf: arcsine) with numpy scalar math, or for tanh by a 64×64 Gauss–Hermite tensor rule in
numpy (a vectorised expression per pair). It runs on ``--baseline-n`` points and its rate is compared with ours on
the full ``--n``; the largest relative difference of the two Gram matrices on the common points is printed (for
tanh it is the Gauss–Hermite error, ~1e-6 at K ≈ 2: the rule is not exactly symmetric under swapping the two inputs,
and the baseline evaluates (i, j) and (j, i) separately while a Gram matrix evaluates each pair once).

    python benchmarks/nngp_kernel.py --n 1000 --depth 10 --baseline-n 60

Targets (no figure in the docs; floors under this script's first measurement, 21× and 16× on a loaded machine):
relu >= 10×, erf >= 8×; tanh >= 1× (the compiled quadrature should at least match the per-pair numpy expression).
A comparison fails if the two Gram matrices differ by more than 1e-4 relative.

neural-tangents (the reference implementation of these kernels) is not installed here and is not compared.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.meanfield.nngp import nngp_kernel  # noqa: E402
from _report import Targets  # noqa: E402

SW2, SB2 = 1.8, 0.1
TARGETS = {"relu": 10.0, "erf": 8.0, "tanh": 1.0}  # evaluations/s, ours / numpy
AGREE = 1e-4  # max relative difference of the Gram matrices
_Z, _W = np.polynomial.hermite_e.hermegauss(64)
_W = _W / _W.sum()


def pair_baseline(phi: str, k11: float, k22: float, k12: float) -> float:
    if phi == "relu":
        norm = math.sqrt(k11 * k22)
        cos = max(-1.0, min(1.0, k12 / norm))
        t = math.acos(cos)
        return norm / (2 * math.pi) * (math.sin(t) + (math.pi - t) * cos)
    if phi == "erf":
        t = math.pi / 2  # 2a², a = √π/2
        return 2 / math.pi * math.asin(t * k12 / math.sqrt((1 + t * k11) * (1 + t * k22)))
    s1 = math.sqrt(k11)
    r = k12 / s1
    s2 = math.sqrt(max(0.0, k22 - r * r))
    return float(_W @ (np.tanh(s1 * _Z)[:, None] * np.tanh(r * _Z[:, None] + s2 * _Z[None, :])) @ _W)


def baseline(phi: str, x: np.ndarray, depth: int) -> np.ndarray:
    n, d = x.shape
    k = SW2 * (x @ x.T) / d + SB2
    for _ in range(depth):
        new = np.empty_like(k)
        for i in range(n):
            for j in range(n):
                new[i, j] = SW2 * pair_baseline(phi, k[i, i], k[j, j], k[i, j]) + SB2
        k = new
    return k


def rate(seconds: float, n: int, depth: int) -> float:
    return n * n * depth / seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--baseline-n", type=int, default=60)
    parser.add_argument("--tanh-n", type=int, default=200, help="Gram size for tanh (quadrature path)")
    args = parser.parse_args(argv)
    x = np.random.default_rng(0).standard_normal((args.n, 32))
    nngp_kernel("tanh", SW2, SB2, x[:4], 1)  # compile outside the timings
    targets = Targets()
    for phi, n in (("relu", args.n), ("erf", args.n), ("tanh", args.tanh_n)):
        t0 = time.perf_counter()
        ours = nngp_kernel(phi, SW2, SB2, x[:n], args.depth)
        t_ours = time.perf_counter() - t0
        m = min(args.baseline_n, n)
        t0 = time.perf_counter()
        ref = baseline(phi, x[:m], args.depth)
        t_base = time.perf_counter() - t0
        diff = np.max(np.abs(ours[:m, :m] - ref) / np.abs(ref))
        r_ours, r_base = rate(t_ours, n, args.depth), rate(t_base, m, args.depth)
        print(f"{phi}: Gram {n}×{n} (numpy on {m}×{m}), max relative difference {diff:.1e}")
        targets.ratio(f"NNGP kernel evaluations, {phi}, depth {args.depth} (ours vs numpy per pair)", r_ours, r_base,
                      TARGETS[phi], " eval/s", valid=diff <= AGREE)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
