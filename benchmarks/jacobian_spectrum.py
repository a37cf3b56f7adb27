"""Jacobian-spectrum throughput (networks per second) against a plain numpy implementation, timed in the same run.

Ours (:func:`statmech_nn.models.jacobian.singular_values`): Haar layers applied as compact Householder products
with LAPACK ``dormqr`` (no QR factorisation, no explicit Q), Gaussian layers as one ``gemm`` each, eigenvalues of
JJᵀ by ``eigvalsh``, networks on ``--threads`` threads with single-threaded BLAS each (the package's threading
policy, ``owned_by("numba")``, as a study runs it).
Baseline (one network at a time, BLAS with its default threads): per layer ``np.linalg.qr`` of a Gaussian matrix
with the sign fix Q·diag(sign R_ii) (orthogonal) or the Gaussian matrix itself, the forward pass, ``W @ M`` and the
row scaling by φ'(h); at the end ``np.linalg.svd(J, compute_uv=False)``.
Both sample tanh networks at the critical point σ_b² = 1e-4 from inputs of squared length q*. Printed per weight
law: networks/s of both, their ratio, and both runs' mean of λ = s² (≈ 1 at criticality) as a sanity check.
Targets: orthogonal >= 1.5×, Gaussian >= 1× — the per-core (algorithmic) gain docs/isometry.md measured with one
core each (2.2×, 1.13×); the default run's larger ratios there (14×, 2.4–3×) came from numpy's threaded BLAS
contending on a loaded machine and are not a floor.

    python benchmarks/jacobian_spectrum.py --width 1000 --depth 32 --networks 4 --baseline-networks 2
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

from statmech_nn.meanfield import fixed_point, sigma_w2_critical  # noqa: E402
from statmech_nn.models.jacobian import singular_values  # noqa: E402
from statmech_nn.threads import owned_by  # noqa: E402
from _report import Targets  # noqa: E402

SIGMA_B2 = 1e-4
TARGETS = {"orthogonal": 1.5, "gaussian": 1.0}  # networks/s, ours / numpy


def numpy_singular_values(rng: np.random.Generator, sw2: float, sb2: float, depth: int, n: int, q0: float,
                          weights: str) -> np.ndarray:
    """Singular values of J = D^L W^L ⋯ D^1 W^1 of one tanh network, the plain way."""
    h = rng.standard_normal(n)
    h *= math.sqrt(q0 * n / (h @ h))
    j = np.eye(n)
    for _ in range(depth):
        g = rng.standard_normal((n, n))
        if weights == "orthogonal":
            q, r = np.linalg.qr(g)
            w = math.sqrt(sw2) * q * np.sign(np.diag(r))
        else:
            w = math.sqrt(sw2 / n) * g
        h = w @ np.tanh(h) + math.sqrt(sb2) * rng.standard_normal(n)
        j = (1.0 / np.cosh(h) ** 2)[:, None] * (w @ j)
    return np.linalg.svd(j, compute_uv=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--depth", type=int, default=32)
    ap.add_argument("--networks", type=int, default=4, help="networks for our implementation")
    ap.add_argument("--baseline-networks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weights", nargs="+", default=["orthogonal", "gaussian"])
    args = ap.parse_args(argv)
    sw2 = sigma_w2_critical("tanh", SIGMA_B2)
    q0 = fixed_point("tanh", sw2, SIGMA_B2).q_star
    n, depth = args.width, args.depth
    singular_values(np.random.SeedSequence(0), [0], "tanh", sw2, SIGMA_B2, 2, 8, q0, "orthogonal")  # compile
    print(f"tanh at criticality (σ_w² = {sw2:.6f}, σ_b² = {SIGMA_B2}, q* = {q0:.4f}), N = {n}, L = {depth}, "
          f"{args.threads} threads")
    targets = Targets()
    for weights in args.weights:
        t0 = time.perf_counter()
        with owned_by("numba"):
            ours = singular_values(np.random.SeedSequence(1), range(args.networks), "tanh", sw2, SIGMA_B2, depth, n,
                                   q0, weights, threads=args.threads)
        t_ours = (time.perf_counter() - t0) / args.networks
        rng = np.random.default_rng(2)
        t0 = time.perf_counter()
        base = [numpy_singular_values(rng, sw2, SIGMA_B2, depth, n, q0, weights)
                for _ in range(args.baseline_networks)]
        t_base = (time.perf_counter() - t0) / args.baseline_networks
        print(f"{weights:>10}: mean λ ours {np.mean(ours**2):.4f}, numpy {np.mean(np.square(base)):.4f}")
        targets.ratio(f"Jacobian spectra, {weights} weights (ours vs numpy qr + svd)", 1 / t_ours, 1 / t_base,
                      TARGETS[weights], " networks/s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
