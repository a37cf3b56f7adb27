"""NNGP Gram matrices: kernel evaluations per second of :func:`statmech_nn.meanfield.nngp.nngp_kernel` against a
plain numpy implementation timed in the same run.

An evaluation is one entry K^l(x_i, x_j) at one layer: an n×n Gram matrix at depth L costs n²·L of them.
Baseline: the textbook loop — for every pair and layer, the 2×2 covariance, then E[φ(u)φ(v)] by the same closed form
(relu: arc-cosine; erf: arcsine) with numpy scalar math, or for tanh by a 64×64 Gauss–Hermite tensor rule in
numpy (a vectorised expression per pair, the textbook choice). It runs on ``--baseline-n`` points and its rate is
compared with ours on the full ``--n``; the largest relative difference of the two Gram matrices on the common points
is printed. For tanh that difference is the baseline's own error (the Gauss–Hermite rule misses tanh's transition
at these variances, K ≈ 1–2: ~2e-6), so both are also compared with a dense trapezoid reference (step 0.02 on
|z| ≤ 9, ~1e-30) on ``--check`` pairs of the first layer (K^0, the largest variances of the run): ours must be
within 1e-11 of it.

    python benchmarks/nngp_kernel.py --n 1000 --depth 10 --baseline-n 60

Targets (no figure in the docs; floors under this script's measurements on a loaded machine): relu >= 10×,
erf >= 8× (first measured 21×, 16×); tanh >= 5× (measured 13× with the conditional sinh-trapezoid rule, which costs
~2× the former Gauss–Hermite kernel per pair at these variances and is ~1e-13 accurate instead of ~1e-6).
A comparison fails if the two Gram matrices differ by more than 1e-4 relative, or (tanh) ours is off the dense
reference by more than 1e-11.

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

from statmech_nn.meanfield.nngp import nngp_kernel, pair_expectation  # noqa: E402
from _report import Targets  # noqa: E402

SW2, SB2 = 1.8, 0.1
TARGETS = {"relu": 10.0, "erf": 8.0, "tanh": 5.0}  # evaluations/s, ours / numpy
AGREE = 1e-4  # max relative difference of the Gram matrices
ACCURATE = 1e-11  # tanh: max relative error of ours against the dense reference
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


def dense_tanh(k11: float, k22: float, k12: float) -> float:
    """E[tanh(u) tanh(v)] by the trapezoid rule, step 0.02 on |z1|, |z2| ≤ 9 (analytic integrand: error ~1e-30 here)."""
    z = np.arange(-450, 451) * 0.02
    w = np.exp(-0.5 * z**2)
    w /= w.sum()
    s1 = math.sqrt(k11)
    r = k12 / s1
    return float(w @ (np.tanh(s1 * z)[:, None] * np.tanh(r * z[:, None] + math.sqrt(max(0.0, k22 - r * r)) * z)) @ w)


def tanh_errors(x: np.ndarray, pairs: int) -> tuple[float, float, float]:
    """(largest variance, max relative error of ours, of the baseline's rule) against :func:`dense_tanh` on
    ``pairs`` off-diagonal covariances of K^0 (the first layer's E[φφ]; the run's largest variances, ≈ 1.9)."""
    k = nngp_kernel("tanh", SW2, SB2, x, 0)
    i, j = np.triu_indices(k.shape[0], 1)
    pick = np.random.default_rng(1).choice(i.size, size=min(pairs, i.size), replace=False)
    k11, k22, k12 = k[i[pick], i[pick]], k[j[pick], j[pick]], k[i[pick], j[pick]]
    ref = np.array([dense_tanh(*c) for c in zip(k11, k22, k12)])
    ours = pair_expectation("tanh", k11, k22, k12)
    theirs = np.array([pair_baseline("tanh", *c) for c in zip(k11, k22, k12)])
    return (float(max(k11.max(), k22.max())), float(np.max(np.abs(ours - ref) / np.abs(ref))),
            float(np.max(np.abs(theirs - ref) / np.abs(ref))))


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
    parser.add_argument("--check", type=int, default=20, help="tanh pairs checked against the dense reference")
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
        valid = diff <= AGREE
        if phi == "tanh":
            k_max, err_ours, err_base = tanh_errors(x[:m], args.check)
            print(f"tanh: {args.check} pairs of the first layer (variances <= {k_max:.2f}) against the dense "
                  f"reference: ours {err_ours:.1e}, numpy Gauss-Hermite {err_base:.1e} (limit for ours {ACCURATE:g})")
            valid = valid and err_ours <= ACCURATE
        targets.ratio(f"NNGP kernel evaluations, {phi}, depth {args.depth} (ours vs numpy per pair)", r_ours, r_base,
                      TARGETS[phi], " eval/s", valid=valid)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
