"""Pairwise-distance bounds on the information of a noisy representation T + Z, Z ~ N(0, σ² 1_d) (Kolchinsky &
Tracey, Entropy 19, 361 (2017); used as "KDE" by Saxe et al., ICLR 2018).

For n distinct equally likely inputs with representations t_i, T + Z is a mixture of n Gaussians N(t_i, σ²), and
I(X; T + Z) = H(T + Z) − H(Z). Kolchinsky & Tracey bound the mixture entropy by a pairwise distance D between
components: H ≈ H(Z) − (1/n) Σ_i ln (1/n) Σ_j exp(−D_ij), an upper bound for the Kullback–Leibler divergence
D_ij = |t_i − t_j|²/(2σ²) and a lower bound for the Bhattacharyya distance D_ij = |t_i − t_j|²/(8σ²):

    Î(X;T) = −(1/n) Σ_i ln[(1/n) Σ_j e^{−D_ij}]                       (0 ≤ Î ≤ ln n, the j = i term is 1)
    Î(T;Y) = Î(X;T) − Σ_y p_y Î(X;T | Y = y) = (1/n) Σ_i ln[(n/n_{y_i}) Σ_{j: y_j = y_i} e^{−D_ij} / Σ_j e^{−D_ij}]

Î(T;Y) ≤ H(Y) exactly (the class sum is part of the full sum); like Saxe et al. we report the difference of two
estimates of the same kind, which is an estimate, not a bound. Cost O(n² d), one Numba pass over all pairs with
rows in parallel (each row's sums are independent, so results do not depend on the thread count).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError

BOUNDS = {"upper": 2.0, "lower": 8.0}  # D_ij = |t_i − t_j|² / (factor σ²): Kullback–Leibler, Bhattacharyya


@njit(cache=True, parallel=True)
def kernel_sums(t, y, scale_upper, scale_lower):
    """For every row i of ``t`` and both scales a: Σ_j e^{−a |t_i − t_j|²} and the same sum over j with
    y_j = y_i, as two arrays (2, n) (row 0: ``scale_upper``, row 1: ``scale_lower``)."""
    n, d = t.shape
    s_all = np.empty((2, n))
    s_same = np.empty((2, n))
    for i in prange(n):
        up, low, up_same, low_same = 0.0, 0.0, 0.0, 0.0
        for j in range(n):
            d2 = 0.0
            for k in range(d):
                diff = t[i, k] - t[j, k]
                d2 += diff * diff
            wu = math.exp(-scale_upper * d2)
            wl = math.exp(-scale_lower * d2)
            up += wu
            low += wl
            if y[j] == y[i]:
                up_same += wu
                low_same += wl
        s_all[0, i], s_all[1, i], s_same[0, i], s_same[1, i] = up, low, up_same, low_same
    return s_all, s_same


def pairwise_mi(t: np.ndarray, y: np.ndarray, noise_var: float) -> dict[str, tuple[float, float]]:
    """{"upper": (Î(X; T+Z), Î(T+Z; Y)) from the KL distance, "lower": the same from the Bhattacharyya
    distance} in bits, Z ~ N(0, ``noise_var`` 1) (module docstring); both from one pass over the pairs."""
    if not (math.isfinite(noise_var) and noise_var > 0):
        raise ParameterError("noise_var", noise_var, "a positive finite noise variance")
    t = np.ascontiguousarray(t, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.int64)
    n = len(t)
    s_all, s_same = kernel_sums(t, y, 1.0 / (BOUNDS["upper"] * noise_var), 1.0 / (BOUNDS["lower"] * noise_var))
    class_size = np.bincount(y)[y]
    mi_xt = -np.mean(np.log(s_all / n), axis=1) / math.log(2.0)
    mi_ty = np.mean(np.log(s_same * n / (class_size * s_all)), axis=1) / math.log(2.0)
    return {name: (float(mi_xt[a]), float(mi_ty[a])) for a, name in enumerate(BOUNDS)}
