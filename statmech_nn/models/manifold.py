"""Closed curves of inputs propagated through deep random networks, and their geometry layer by layer.

A closed curve is sampled at P points θ_p = 2π p / P (p = 0..P−1, periodic) and stored as a (P, N) array, one
row per point. Each layer applies h^l = W^l φ(h^{l−1}) + b^l of :mod:`statmech_nn.models.deepnet` (same weight
laws, same per-(network, layer) streams :func:`~statmech_nn.models.deepnet.stream`, so a network here is the
network ``deepnet.layer`` draws from the same stream). The geometry of a sampled curve (:func:`geometry`) is
measured with periodic finite differences in θ, step Δ = 2π/P:

    v_p = (h_{p+1} − h_{p−1}) / 2Δ,   a_p = (h_{p+1} − 2 h_p + h_{p−1}) / Δ²
    length                L^E = Σ_p |h_{p+1} − h_p|                       (Euclidean arc length, chords)
    curvature             κ_p = √(|v|²|a|² − (v·a)²) / |v|³,   reported as κ̄ = √(N ⟨κ_p²⟩_p)
    Grassmannian length   L^G = Σ_p κ_p |v_p| Δ                            (length of the unit-tangent curve)
    transitions           Σ_units #{p : sign h_{p,i} ≠ sign h_{p+1,i}}      (neuron transitions, Raghu et al.)
    saturation transitions  the same count for the levels h = ±1 (:func:`saturation_transitions`; hard tanh)

A point where the curve stands still (v_p = 0: possible when every unit saturates, hard-tanh at small width) has
no tangent and is counted with κ_p = 0. For the input circle L^E = 2π √(N q0), κ̄ = 1/√q0 and L^G = 2π, up to the discretisation errors
(κΔs)²/24 (chords) and O(Δ²) (differences), both set by the angle the tangent turns between neighbouring points,
L^G/P: below 1e-5 relative for the input circle at P = 4000, and ~1e-3 while L^G/P ≲ 0.1 (docs/chaos.md).
Transitions count a unit that crosses zero twice between neighbouring points as none, so P must resolve the
zeros (about 2 χ_1^{l/2} per unit around the circle).

:func:`principal_components` gives the principal-component analysis of the points of a curve (the covariance of the
centred points per unit, (1/(PN)) Σ_p (h_p − h̄)(h_p − h̄)ᵀ): its largest eigenvalues, its trace, and the points'
coordinates on the leading axes (Poole et al. 2016, Fig. 3); :func:`.meanfield.curvature.circle_spectrum` is the
mean-field prediction for a propagated circle.

Hot loops are Numba; the Gaussian layer runs points in parallel (``prange``), every point's row computed by the
same sequence of operations whatever the number of threads, so results do not depend on it.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from numba import njit, prange

from statmech_nn.meanfield import activation

from . import deepnet

_DOT = {"reassoc", "nsz", "contract"}  # vectorised dot products: a fixed (compiled) summation order


def circle(rng: np.random.Generator, width: int, points: int, q0: float) -> np.ndarray:
    """The great circle h(θ_p) = cos θ_p x_a + sin θ_p x_b, (P, N), through two orthogonal inputs with
    |x_a|² = |x_b|² = N q0 (:func:`deepnet.input_pair` at c0 = 0): radius √(N q0), every point at q = q0."""
    pair = deepnet.input_pair(rng, width, q0, 0.0)
    theta = 2.0 * np.pi * np.arange(points) / points
    return np.outer(np.cos(theta), pair[:, 0]) + np.outer(np.sin(theta), pair[:, 1])


@njit(cache=True, nogil=True, parallel=True, fastmath=_DOT)
def _gaussian_layer(phi, w, scale, bias, h):
    """out[p] = scale · w @ φ(h[p]) + bias for every point p (rows)."""
    n_points, n = h.shape[0], w.shape[0]
    out = np.empty((n_points, n))
    for p in prange(n_points):
        x = np.empty(h.shape[1])
        for j in range(h.shape[1]):
            x[j] = phi(h[p, j])
        for i in range(n):
            s = 0.0
            for j in range(x.size):
                s += w[i, j] * x[j]
            out[p, i] = scale * s + bias[i]
    return out


def layer(rng: np.random.Generator, h: np.ndarray, phi, sigma_w2: float, sigma_b2: float,
          weights: str = "gaussian") -> np.ndarray:
    """h' = W φ(h) + b for every point (row) of ``h`` (P, N); W, b drawn from ``rng`` exactly as
    :func:`deepnet.layer` draws them. ``phi`` is an :class:`~statmech_nn.meanfield.Activation`."""
    n = h.shape[1]
    lw = deepnet.draw_layer(rng, n, sigma_b2, weights)
    if weights == "gaussian":
        return _gaussian_layer(phi.phi, lw.gauss, math.sqrt(sigma_w2 / n), lw.bias, np.ascontiguousarray(h))
    x = deepnet.activate(phi.phi, np.ascontiguousarray(h))
    edges = np.linspace(0, len(x), min(len(x), 4 * numba.get_num_threads()) + 1).astype(int)
    with ThreadPoolExecutor(numba.get_num_threads()) as pool:  # points are independent; haar_apply is nogil
        list(pool.map(lambda a, b: deepnet.haar_apply(lw.gauss, lw.sign, x[a:b].T), edges[:-1], edges[1:]))
    return math.sqrt(sigma_w2) * x + lw.bias


@njit(cache=True, nogil=True, fastmath=_DOT)
def _geometry(h):
    n_points, n = h.shape
    delta = 2.0 * np.pi / n_points
    chords = np.empty(n_points)
    kappa2 = np.empty(n_points)
    bend = np.empty(n_points)
    flips = np.empty(n_points, dtype=np.int64)
    for p in range(n_points):
        nxt, prv = (p + 1) % n_points, (p - 1) % n_points
        vv = aa = va = dd = 0.0
        count = 0
        for i in range(n):
            v = (h[nxt, i] - h[prv, i]) / (2.0 * delta)
            a = (h[nxt, i] - 2.0 * h[p, i] + h[prv, i]) / (delta * delta)
            d = h[nxt, i] - h[p, i]
            vv += v * v
            aa += a * a
            va += v * a
            dd += d * d
            count += (h[nxt, i] > 0.0) != (h[p, i] > 0.0)
        chords[p] = math.sqrt(dd)
        # a stationary point (every unit saturated, e.g. hard-tanh at small width) has no tangent: κ counted as 0
        k2 = max(0.0, vv * aa - va * va) / (vv * vv * vv) if vv > 0.0 else 0.0
        kappa2[p] = k2
        bend[p] = math.sqrt(k2 * vv) * delta
        flips[p] = count
    return chords.sum(), math.sqrt(n * kappa2.mean()), bend.sum(), flips.sum()


@njit(cache=True, nogil=True)
def _level_crossings(h, level):
    n_points, n = h.shape
    count = 0
    for p in range(n_points):
        nxt = (p + 1) % n_points
        for i in range(n):
            count += (h[nxt, i] > level) != (h[p, i] > level)
    return count


def saturation_transitions(h: np.ndarray) -> int:
    """Σ_units the crossings of h = +1 and of h = −1 between neighbouring points of the closed curve ``h`` (P, N):
    the changes of saturation of hard-tanh units, the neuron transitions Raghu et al. 2017 count for hard tanh."""
    h = np.ascontiguousarray(h, dtype=np.float64)
    return int(_level_crossings(h, 1.0) + _level_crossings(h, -1.0))


def geometry(h: np.ndarray) -> tuple[float, float, float, int]:
    """(L^E, κ̄, L^G, transitions) of the closed curve sampled at the rows of ``h`` (module docstring)."""
    h = np.ascontiguousarray(h, dtype=np.float64)
    if h.ndim != 2 or h.shape[0] < 3:
        raise ValueError(f"need a (points >= 3, width) array of curve points, got shape {h.shape}")
    length, curvature, grassmannian, transitions = _geometry(h)
    return float(length), float(curvature), float(grassmannian), int(transitions)


def principal_components(h: np.ndarray, components: int, axes: int = 0) -> tuple[np.ndarray, float, np.ndarray]:
    """PCA of the points (rows) of ``h`` (P, N): ``(variances, total, coordinates)`` — the ``components`` largest
    eigenvalues of the centred covariance per unit C = (1/(PN)) Σ_p (h_p − h̄)(h_p − h̄)ᵀ (zeros beyond its rank),
    its trace (the mean squared distance of the points from their centroid, per unit), and the (P, ``axes``)
    coordinates (h_p − h̄)·e_i / √N on its leading unit eigenvectors e_i, each axis signed so that its largest
    coordinate is positive. The eigenproblem is posed on the smaller of C and the (P, P) Gram matrix and solved by
    Lanczos iteration (ARPACK, fixed start vector, to machine precision) on the implicit matrix, a few times faster
    than a dense solver here; small problems (side ≤ 64) are solved densely."""
    h = np.asarray(h, dtype=np.float64)
    n_points, n = h.shape
    centred = h - h.mean(axis=0)
    gram = n_points <= n
    size = min(n_points, n)
    k = min(max(components, axes), size)
    scale = 1.0 / (n_points * n)
    if size <= 64:
        m = (centred @ centred.T if gram else centred.T @ centred) * scale
        values, vectors = scipy.linalg.eigh(m, subset_by_index=[size - k, size - 1])
    else:
        def apply(x):
            return (centred @ (centred.T @ x) if gram else centred.T @ (centred @ x)) * scale

        operator = scipy.sparse.linalg.LinearOperator((size, size), matvec=apply, dtype=np.float64)
        values, vectors = scipy.sparse.linalg.eigsh(operator, k=k, v0=np.ones(size), tol=0.0,
                                                    ncv=min(size, max(2 * k + 1, 24)))
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
    values = np.maximum(values[::-1], 0.0)
    variances = np.zeros(components)
    variances[:min(components, k)] = values[:components]
    coordinates = np.zeros((n_points, axes))
    if axes:
        lead = vectors[:, ::-1][:, :min(axes, k)]
        # Gram: centred @ e_i / √N = √(P λ_i) u_i; covariance: project on e_i directly
        coords = lead * np.sqrt(n_points * values[:lead.shape[1]]) if gram else centred @ lead / math.sqrt(n)
        coords *= np.where(coords[np.abs(coords).argmax(axis=0), np.arange(coords.shape[1])] < 0, -1.0, 1.0)
        coordinates[:, :coords.shape[1]] = coords
    return variances, float(np.einsum("ij,ij->", centred, centred) * scale), coordinates


def propagate(h0: np.ndarray, phi, sigma_w2: float, sigma_b2: float, depth: int, seed: np.random.SeedSequence,
              network: int = 0, weights: str = "gaussian") -> np.ndarray:
    """Geometry (:func:`geometry`) of an arbitrary closed sampled curve ``h0`` (P, N) at layers 0..depth of
    network ``network`` of ``seed``: a (depth + 1, 4) array of (L^E, κ̄, L^G, transitions)."""
    phi = activation(phi)
    h = np.ascontiguousarray(h0, dtype=np.float64)
    out = np.empty((depth + 1, 4))
    out[0] = geometry(h)
    for lay in range(1, depth + 1):
        h = layer(deepnet.stream(seed, network, lay), h, phi, sigma_w2, sigma_b2, weights)
        out[lay] = geometry(h)
    return out
