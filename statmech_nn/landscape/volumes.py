"""Basin volumes (Wu, Zhu & E, "Towards understanding generalization of deep learning: perspective of loss
landscapes", arXiv:1706.10239 (2017)).

The basin of a minimum x* at height ΔE is B = {x* + r u : ‖u‖ = 1, 0 ≤ r < R(u)}, with R(u) the first radius
along the ray at which E(x* + r u) ≥ E(x*) + ΔE (exact for a star-shaped sublevel component). Its volume is

    V = ∫ dΩ ∫_0^{R(u)} r^{d−1} dr = V_d · E_u[R(u)^d],     V_d = π^{d/2} / Γ(d/2 + 1),

estimated by :func:`log_basin_volume` from n uniformly random directions (log-mean-exp of d·log R, with a
delta-method standard error). In the harmonic approximation E ≈ E* + ½ yᵀHy,

    log V_harm = log V_d + (d/2) log(2ΔE) − ½ log det H,

(:func:`harmonic_log_volume`), exact for a quadratic well; flat directions make log det H → −∞ and V large.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import gammaln, logsumexp

from statmech_nn.nets.trainers import standard_normals
from statmech_nn.rng import seed_sequence, xoshiro256_state


def log_unit_ball(d: int) -> float:
    """log V_d = (d/2) log π − log Γ(d/2 + 1)."""
    return 0.5 * d * math.log(math.pi) - float(gammaln(0.5 * d + 1))


def ray_radius(system, x0, e0: float, u, delta_e: float, r_max: float, bisections: int = 24) -> float:
    """First r ≤ r_max where E(x0 + r u) ≥ e0 + ΔE: doubling from r_max/1024, then bisection (r_max if none)."""
    level = e0 + delta_e
    lo, hi = 0.0, r_max / 1024
    while system.energy(x0 + hi * u) < level:
        lo, hi = hi, 2 * hi
        if hi > r_max:
            return r_max
    for _ in range(bisections):
        mid = 0.5 * (lo + hi)
        if system.energy(x0 + mid * u) < level:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


class Volume(NamedTuple):
    log_volume: float
    error: float          # standard error of log V (delta method over the directions)
    radii: np.ndarray     # R(u) of each direction


def log_basin_volume(system, x0, delta_e: float, n_directions: int, seed, r_max: float = 100.0,
                     *key: int) -> Volume:
    """log V of the basin of x0 at height ``delta_e`` (see the module docstring); directions from the xoshiro
    stream (seed, *key)."""
    s = xoshiro256_state(seed_sequence(seed, *key))
    x0 = np.asarray(x0, dtype=np.float64)
    e0 = system.energy(x0)
    d = x0.size
    radii = np.empty(n_directions)
    for k in range(n_directions):
        u = standard_normals(s, d)
        radii[k] = ray_radius(system, x0, e0, u / np.linalg.norm(u), delta_e, r_max)
    t = d * np.log(radii)
    log_mean = float(logsumexp(t) - math.log(n_directions))
    w = np.exp(t - log_mean)  # R^d / mean(R^d)
    error = float(np.std(w, ddof=1) / math.sqrt(n_directions)) if n_directions > 1 else math.inf
    return Volume(log_unit_ball(d) + log_mean, error, radii)


def log_det_hessian(system, x) -> float:
    """log det H over the non-zero modes (−inf unless all of them are positive)."""
    from .minimize import hessian_eigenvalues

    w = hessian_eigenvalues(system, x)
    return float(np.sum(np.log(w))) if np.all(w > 0) else -math.inf


def harmonic_log_volume(log_det: float, d: int, delta_e: float) -> float:
    """log V_harm = log V_d + (d/2) log(2ΔE) − ½ log det H."""
    return log_unit_ball(d) + 0.5 * d * math.log(2 * delta_e) - 0.5 * log_det
