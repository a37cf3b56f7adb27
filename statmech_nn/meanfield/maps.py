"""The length and correlation maps of a deep random network and their layer-by-layer iterates.

For h^l = W^l φ(h^{l−1}) + b^l with W_ij ~ N(0, σ_w²/N), b_i ~ N(0, σ_b²) and N → ∞ (Poole et al. 2016;
Schoenholz et al. 2017), two inputs whose pre-activations have equal squared length q^l and
correlation c^l evolve as

    q^{l+1} = V(q^l) = σ_w² E[φ(√q^l z)²] + σ_b²
    c^{l+1} = C(q^l, c^l) = (σ_w² E[φ(u1) φ(u2)] + σ_b²) / q^{l+1},   u1, u2 ~ N(0, q^l) with correlation c^l.

``phi`` is an :class:`~.activations.Activation` or the name of a built-in one.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .activations import activation, moments1, moments2


@njit(cache=True, error_model="numpy")
def _q_map_many(kernel, phi, dphi, d2phi, sw2, sb2, q):
    out = np.empty_like(q)
    for i in range(q.size):
        out[i] = sw2 * moments1(kernel, phi, dphi, d2phi, q[i])[0] + sb2
    return out


@njit(cache=True, error_model="numpy")
def _c_map_many(kernel, phi, dphi, d2phi, sw2, sb2, q, c):
    out = np.empty_like(c)
    for i in range(c.size):
        q_next = sw2 * moments1(kernel, phi, dphi, d2phi, q[i])[0] + sb2
        out[i] = (sw2 * moments2(kernel, phi, dphi, q[i], c[i])[0] + sb2) / q_next
    return out


@njit(cache=True, error_model="numpy")
def _curves(kernel, phi, dphi, d2phi, sw2, sb2, q0, c0, depth):
    q, c = np.empty(depth + 1), np.empty(depth + 1)
    q[0], c[0] = q0, c0
    for layer in range(depth):
        q[layer + 1] = sw2 * moments1(kernel, phi, dphi, d2phi, q[layer])[0] + sb2
        c[layer + 1] = (sw2 * moments2(kernel, phi, dphi, q[layer], c[layer])[0] + sb2) / q[layer + 1]
    return q, c


def _args(phi):
    a = activation(phi)
    return a.kernel, a.phi, a.dphi, a.d2phi


def q_map(phi, sigma_w2: float, sigma_b2: float, q):
    """V(q) = σ_w² E[φ(√q z)²] + σ_b², elementwise over ``q`` (≥ 0)."""
    q_arr = np.asarray(q, dtype=float)
    out = _q_map_many(*_args(phi), float(sigma_w2), float(sigma_b2), q_arr.ravel())
    return out.reshape(q_arr.shape) if q_arr.ndim else float(out[0])


def c_map(phi, sigma_w2: float, sigma_b2: float, q, c):
    """C(q, c): the next layer's correlation of two inputs with squared length ``q`` and correlation ``c``
    (broadcast together)."""
    q_arr, c_arr = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(c, dtype=float))
    out = _c_map_many(*_args(phi), float(sigma_w2), float(sigma_b2), q_arr.ravel().copy(), c_arr.ravel().copy())
    return out.reshape(q_arr.shape) if q_arr.ndim else float(out[0])


def theory_curves(phi, sigma_w2: float, sigma_b2: float, q0: float, c0: float, depth: int):
    """(q^l, c^l) for l = 0..depth from inputs with squared length q^0 = ``q0`` and correlation c^0 = ``c0``."""
    return _curves(*_args(phi), float(sigma_w2), float(sigma_b2), float(q0), float(c0), int(depth))
