"""Nearest-neighbour (nonparametric) estimators for continuous representations, max-norm neighbourhoods.

* Kozachenko–Leonenko entropy (Probl. Inf. Transm. 23, 95 (1987); Kraskov et al. 2004, eq. 20), in nats:
      Ĥ(T) = ψ(n) − ψ(k) + d ⟨ln 2ε_i⟩,    ε_i = max-norm distance from t_i to its k-th neighbour;
* KSG estimator 1 (Kraskov, Stögbauer & Grassberger, PRE 69, 066138 (2004), eq. 8) for continuous (X, Z):
      Î = ψ(k) + ψ(n) − ⟨ψ(n_x + 1) + ψ(n_z + 1)⟩,  n_x: points with |x_j − x_i| < ε_i (joint k-th distance);
* Ross's discrete–continuous variant (PLoS ONE 9, e87357 (2014)) for continuous T and discrete labels Y:
      Î = ψ(n) − ⟨ψ(n_y)⟩ + ψ(k) − ⟨ψ(m_i)⟩,  d_i = k-th distance within t_i's class, m_i = points of any class
      closer than d_i (the k-th neighbour counted, t_i itself not).

In the information plane T is a deterministic function of distinct inputs, so I(X;T) is infinite for continuous
T; :func:`knn_mi` estimates the information of the noisy T + Z (Z ~ N(0, σ² 1), one draw per input, as the
pairwise bounds do): I(X; T+Z) = Ĥ(T+Z) − (d/2) ln(2πe σ²), and I(T+Z; Y) by Ross's estimator.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence


def _points(a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def _check_k(k: int, n: int) -> None:
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ParameterError("k", k, f"an integer in [1, {n - 1}] (fewer than the {n} points)")


def _kth_distance(points: np.ndarray, k: int) -> np.ndarray:
    return cKDTree(points).query(points, k=k + 1, p=np.inf)[0][:, -1]


def _count_within(points: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Points (the query point included) at max-norm distance strictly below ``radius`` from each point."""
    return cKDTree(points).query_ball_point(points, np.nextafter(radius, 0.0), p=np.inf, return_length=True)


def kl_entropy(t, k: int = 3) -> float:
    """Kozachenko–Leonenko differential entropy of the samples ``t`` (n, d) in nats (module docstring)."""
    t = _points(t)
    n, d = t.shape
    _check_k(k, n)
    eps = _kth_distance(t, k)
    if np.any(eps <= 0):
        raise ParameterError("t", "repeated points", "samples of a continuous distribution (no k-fold repeats)")
    return float(digamma(n) - digamma(k) + d * np.mean(np.log(2.0 * eps)))


def ksg_mi(x, z, k: int = 3) -> float:
    """KSG estimator 1 of I(X;Z) in nats for paired continuous samples ``x`` (n, dx), ``z`` (n, dz)."""
    x, z = _points(x), _points(z)
    n = len(x)
    _check_k(k, n)
    eps = _kth_distance(np.hstack([x, z]), k)
    n_x, n_z = _count_within(x, eps) - 1, _count_within(z, eps) - 1
    return float(digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_z + 1)))


def mixed_mi(t, y, k: int = 3) -> float:
    """Ross's estimator of I(T;Y) in nats for continuous ``t`` (n, d) and integer labels ``y`` (n,); every class
    needs more than k points."""
    t, y = _points(t), np.asarray(y)
    n = len(t)
    labels, size = np.unique(y, return_counts=True)
    _check_k(k, int(size.min()))
    radius = np.empty(n)
    for c in labels:
        members = y == c
        radius[members] = _kth_distance(t[members], k)
    m = _count_within(t, radius)  # the point itself stands in for the k-th neighbour at distance exactly d_i
    return float(digamma(n) - np.mean(digamma(size[np.searchsorted(labels, y)])) + digamma(k) - np.mean(digamma(m)))


def knn_mi(t, y, noise_var: float, k: int = 3, seed=0) -> tuple[float, float]:
    """(Î(X; T+Z), Î(T+Z; Y)) in bits for representations ``t`` (n, d) of n distinct equally likely inputs,
    Z ~ N(0, ``noise_var``) drawn from the stream ``seed`` (module docstring)."""
    if not (math.isfinite(noise_var) and noise_var > 0):
        raise ParameterError("noise_var", noise_var, "a positive finite noise variance")
    t = _points(t)
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed)))
    noisy = t + math.sqrt(noise_var) * gen.standard_normal(t.shape)
    h_noise = 0.5 * t.shape[1] * math.log(2.0 * math.pi * math.e * noise_var)
    return (kl_entropy(noisy, k) - h_noise) / math.log(2.0), mixed_mi(noisy, y, k) / math.log(2.0)
