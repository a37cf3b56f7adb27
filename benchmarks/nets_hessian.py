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

    python benchmarks/nets_hessian.py --sizes 16,64,64,64,4 --samples 64 --blas-threads 1
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to

from statmech_nn.nets import MLP, Objective  # noqa: E402
from statmech_nn.nets.spectra import slq, trace  # noqa: E402


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


def main(argv=None) -> None:
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

    ours_hvp, hv = rate(lambda: obj.hvp(theta, v), args.hvps)
    base_hvp, hv_fd = rate(lambda: finite_difference_hvp(obj, theta, v, args.eps), args.hvps)
    print(f"HVP      exact {ours_hvp:9.1f}/s   finite differences {base_hvp:9.1f}/s   ratio {ours_hvp / base_hvp:5.2f}"
          f"   max |error| of FD / max |Hv| = {np.abs(hv_fd - hv).max() / np.abs(hv).max():.1e}")

    ours_h, hess = rate(lambda: obj.hessian(theta, block=args.block), 1)
    base_h, hess_fd = rate(lambda: finite_difference_hessian(obj, theta, args.eps), 1)
    scale = np.abs(hess).max()
    print(f"Hessian  exact {ours_h:9.3f}/s   finite differences {base_h:9.3f}/s   ratio {ours_h / base_h:5.2f}"
          f"   max |error| of FD / max |H| = {np.abs(hess_fd - hess).max() / scale:.1e}")
    print(f"exact Hessian: max |H − Hᵀ| / max |H| = {np.abs(hess - hess.T).max() / scale:.1e};"
          f" max |H v − HVP| / max |Hv| = {np.abs(hess @ v - hv).max() / np.abs(hv).max():.1e}")

    eig_rate, eigenvalues = rate(lambda: np.linalg.eigvalsh(0.5 * (hess + hess.T)), 1)
    exact_rate = 1.0 / (1.0 / ours_h + 1.0 / eig_rate)
    slq_rate, (nodes, weights) = rate(lambda: slq(lambda u: obj.hvp(theta, u), theta.size, args.slq_vectors,
                                                  args.slq_steps, args.seed), 1)
    estimate, error = trace(nodes, weights, lambda x: x, theta.size)
    print(f"density  SLQ {slq_rate:9.3f}/s   exact Hessian + eigvalsh {exact_rate:9.3f}/s   ratio "
          f"{slq_rate / exact_rate:5.2f}   tr H: SLQ {estimate:.4g} ± {error:.2g}, exact {eigenvalues.sum():.4g};"
          f" λ_max: SLQ {nodes.max():.6g}, exact {eigenvalues[-1]:.6g}")


if __name__ == "__main__":
    main()
