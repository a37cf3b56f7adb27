"""Exact Hessians and Hessian-vector products of a ~10^4-parameter MLP against finite differences of gradients,
timed in the same run.

Ours (:class:`statmech_nn.nets.Objective`): Hv by Pearlmutter's R-operator, the full Hessian by R-operator passes
over blocks of ``--block`` unit vectors at once (batched matrix products).
Baseline (plain numpy, one gradient at a time, the same backpropagation code): Hv ≈ [∇L(θ + εv) − ∇L(θ − εv)]/2ε
and the Hessian column by column from e_i, ε = ``--eps``.
Printed: HVPs/s and Hessians/s of both, their ratios, and the baseline's max abs error against the exact values
(relative to max |H_ij|), plus the exact Hessian's asymmetry max |H − Hᵀ| as its own rounding check. Then the
spectral density both ways: stochastic Lanczos quadrature from HVPs (:mod:`statmech_nn.nets.spectra`,
``--slq-vectors`` × ``--slq-steps`` products) against the exact Hessian plus a full eigendecomposition, with the
SLQ estimate of tr H beside the exact trace.

Targets at the documented size (P = 9668; conservative floors under docs/optimization.md and docs/nets.md):
HVP >= 0.5× (an exact HVP costs ~1.1–1.5 two-gradient differences), full Hessian >= 1× (measured 1.2–3.3×),
density by SLQ >= 50× the exact Hessian + eigvalsh (measured 333×; the ratio grows as P², so small nets fall short).
A comparison fails if the finite-difference result is off by more than 1e-5 of the exact one (or SLQ's λ_max by
more than 1e-3 relative): then the two did not compute the same thing.

    python benchmarks/nets_hessian.py --sizes 16,64,64,64,4 --samples 64 --blas-threads 1
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.nets import MLP, Objective  # noqa: E402
from statmech_nn.nets.spectra import slq, trace  # noqa: E402
from _report import Targets  # noqa: E402

HVP_TARGET, HESSIAN_TARGET, DENSITY_TARGET = 0.5, 1.0, 50.0  # exact / finite differences; SLQ / exact density
FD_AGREE, LAMBDA_MAX_AGREE = 1e-5, 1e-3  # relative


def finite_difference_hvp(obj: Objective, theta: np.ndarray, v: np.ndarray, eps: float) -> np.ndarray:
    return (obj.grad(theta + eps * v) - obj.grad(theta - eps * v)) / (2.0 * eps)


def finite_difference_hessian(obj: Objective, theta: np.ndarray, eps: float) -> np.ndarray:
    hess = np.empty((theta.size, theta.size))
    unit = np.zeros(theta.size)
    for i in range(theta.size):
        unit[i] = 1.0
        hess[i] = finite_difference_hvp(obj, theta, unit, eps)
        unit[i] = 0.0
    return hess


def rate(fn, repeats: int) -> tuple[float, object]:
    """(calls per second, last result) over ``repeats`` calls."""
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    return repeats / (time.perf_counter() - start), out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16,64,64,64,4", help="layer widths, input first")
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--hvps", type=int, default=200, help="HVPs timed per method")
    parser.add_argument("--block", type=int, default=128)
    parser.add_argument("--eps", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slq-vectors", type=int, default=10)
    parser.add_argument("--slq-steps", type=int, default=80)
    parser.add_argument("--blas-threads", type=int, default=0, help="BLAS threads for both (0: leave alone)")
    args = parser.parse_args(argv)
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads)

    net = MLP(tuple(int(s) for s in args.sizes.split(",")), args.activation)
    gen = np.random.default_rng(args.seed)
    x = gen.standard_normal((args.samples, net.sizes[0]))
    y = gen.standard_normal((args.samples, net.sizes[-1]))
    obj = Objective(net, "mse", x, y, l2=1e-4)
    theta = net.init(args.seed, sigma_w2=1.5, sigma_b2=0.05)
    v = gen.standard_normal(theta.size)
    print(f"MLP {net.sizes} {args.activation}: P = {net.n_params} parameters, {args.samples} samples, MSE")
    targets = Targets()

    ours_hvp, hv = rate(lambda: obj.hvp(theta, v), args.hvps)
    base_hvp, hv_fd = rate(lambda: finite_difference_hvp(obj, theta, v, args.eps), args.hvps)
    fd_error = np.abs(hv_fd - hv).max() / np.abs(hv).max()
    print(f"HVP: max |error| of FD / max |Hv| = {fd_error:.1e}")
    targets.ratio("Hessian-vector products (exact R-operator vs finite differences)", ours_hvp, base_hvp, HVP_TARGET,
                  "/s", valid=fd_error <= FD_AGREE)

    ours_h, hess = rate(lambda: obj.hessian(theta, block=args.block), 1)
    base_h, hess_fd = rate(lambda: finite_difference_hessian(obj, theta, args.eps), 1)
    scale = np.abs(hess).max()
    fd_error = np.abs(hess_fd - hess).max() / scale
    print(f"Hessian: max |error| of FD / max |H| = {fd_error:.1e}")
    targets.ratio(f"full Hessian, P = {theta.size} (exact vs finite differences)", ours_h, base_h, HESSIAN_TARGET, "/s",
                  valid=fd_error <= FD_AGREE)
    print(f"exact Hessian: max |H − Hᵀ| / max |H| = {np.abs(hess - hess.T).max() / scale:.1e};"
          f" max |H v − HVP| / max |Hv| = {np.abs(hess @ v - hv).max() / np.abs(hv).max():.1e}")

    eig_rate, eigenvalues = rate(lambda: np.linalg.eigvalsh(0.5 * (hess + hess.T)), 1)
    exact_rate = 1.0 / (1.0 / ours_h + 1.0 / eig_rate)
    slq_rate, (nodes, weights) = rate(lambda: slq(lambda u: obj.hvp(theta, u), theta.size, args.slq_vectors,
                                                  args.slq_steps, args.seed), 1)
    estimate, error = trace(nodes, weights, lambda x: x, theta.size)
    print(f"density: tr H: SLQ {estimate:.4g} ± {error:.2g}, exact {eigenvalues.sum():.4g};"
          f" λ_max: SLQ {nodes.max():.6g}, exact {eigenvalues[-1]:.6g}")
    lambda_agree = abs(nodes.max() - eigenvalues[-1]) <= LAMBDA_MAX_AGREE * abs(eigenvalues[-1])
    targets.ratio("Hessian spectral density (SLQ vs exact Hessian + eigvalsh)", slq_rate, exact_rate, DENSITY_TARGET,
                  "/s", valid=lambda_agree)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
