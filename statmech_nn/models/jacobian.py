"""Input–output Jacobians of sampled deep random networks and their singular values (the finite-N counterpart of
:mod:`statmech_nn.meanfield.spectrum`; Pennington, Schoenholz & Ganguli, NIPS 2017).

Network k of a run is the network of :mod:`statmech_nn.models.deepnet` with the same seed: its input h^0 is the
first input of ``deepnet.input_pair`` (squared length q0) and layer l draws W^l, b^l from ``deepnet.stream(seed,
k, l)`` in the order ``deepnet.layer`` draws them, so h^l = W^l φ(h^{l−1}) + b^l are the same pre-activations.
The Jacobian of the post-activations x^l = φ(h^l) is

    J = ∂x^L/∂x^0 = D^L W^L D^{L−1} W^{L−1} ⋯ D^1 W^1,   D^l = diag φ'(h^l),

accumulated as M ← D^l (W^l M) from M = I, and the singular values of J are the square roots of the eigenvalues of
JJᵀ (``eigvalsh``; accurate to ε_mach λ_max in λ).

Orthogonal weights W = σ_w O: O is deepnet's Haar matrix, the product O = H_1 H_2 ⋯ H_{N−1} S of Householder
reflections (subgroup algorithm, see ``deepnet.haar_apply``) and S = diag(1, …, 1, ±1). Its reflectors are written in
LAPACK's compact form (the layout ``dgeqrf`` leaves) and applied to M with ``dormqr``, a blocked BLAS-3 update
costing 2N³ flops: no QR factorisation and no explicit Q. :func:`haar_matrix` forms O when it is needed (tests).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit
from scipy.linalg import lapack

from statmech_nn.meanfield import activation

from . import deepnet


@njit(cache=True, nogil=True)
def _householder_compact(gauss, n):
    """(Vᵀ, τ) for dgeqrf's layout of deepnet.haar_apply's reflectors (n ≥ 2): column i = n − k of V holds u/u_0
    below the diagonal, u = e_1 − v_k, v_k = gauss block k normalised; τ_i = 2u_0²/(uᵀu) (0 when v_k = e_1)."""
    vt = np.zeros((n - 1, n))
    tau = np.zeros(n - 1)
    offset = 0
    for k in range(2, n + 1):
        col = n - k
        norm = 0.0
        for i in range(k):
            norm += gauss[offset + i] ** 2
        norm = math.sqrt(norm)
        u0 = 1.0 - gauss[offset] / norm
        uu = u0 * u0
        for i in range(1, k):
            uu += (gauss[offset + i] / norm) ** 2
        if uu > 0.0 and u0 != 0.0:
            for i in range(1, k):
                vt[col, col + i] = -gauss[offset + i] / norm / u0
            tau[col] = 2.0 * u0 * u0 / uu
        offset += k
    return vt, tau


class _Haar:
    """deepnet's Haar matrix O in compact Householder form, applied with LAPACK."""

    def __init__(self, gauss: np.ndarray, sign: float, n: int):
        self.n, self.sign = n, sign
        vt, self.tau = _householder_compact(gauss, n)
        self.v = vt.T  # Fortran order, as LAPACK wants it
        self.lwork = max(1, 64 * n)

    def apply(self, m: np.ndarray) -> np.ndarray:
        """O m (m is overwritten); m Fortran-ordered (n, k)."""
        m[self.n - 1] *= self.sign
        out, _, info = lapack.dormqr("L", "N", self.v, self.tau, m, self.lwork, overwrite_c=1)
        if info != 0:
            raise RuntimeError(f"dormqr failed (info = {info})")
        return out


def haar_matrix(rng: np.random.Generator, n: int) -> np.ndarray:
    """The N×N Haar-orthogonal matrix of one ``orthogonal`` layer drawn from ``rng`` (biases drawn and dropped)."""
    lw = deepnet.draw_layer(rng, n, 0.0, "orthogonal")
    return _Haar(lw.gauss, lw.sign, n).apply(np.eye(n, order="F"))


def jacobian(seed: np.random.SeedSequence, network: int, phi, sigma_w2: float, sigma_b2: float, depth: int,
             width: int, q0: float, weights: str) -> np.ndarray:
    """J = ∂x^L/∂x^0 of network ``network`` (module docstring), an N×N Fortran-ordered array."""
    a = activation(phi)
    dphi = np.vectorize(a.dphi.ctypes, otypes=[float])
    h = deepnet.input_pair(deepnet.stream(seed, network, 0), width, q0, 1.0)[:, 0].copy()
    m = None
    scale = math.sqrt(sigma_w2 / width) if weights == "gaussian" else math.sqrt(sigma_w2)
    for layer in range(1, depth + 1):
        lw = deepnet.draw_layer(deepnet.stream(seed, network, layer), width, sigma_b2, weights)
        x = a(h)
        if weights == "gaussian":
            h = scale * (lw.gauss @ x) + lw.bias
            m = lw.gauss * scale if m is None else scale * (lw.gauss @ m)
        else:
            haar = _Haar(lw.gauss, lw.sign, width)
            h = scale * haar.apply(x.reshape(-1, 1).copy(order="F"))[:, 0] + lw.bias
            m = haar.apply(np.eye(width, order="F") if m is None else m)
            m *= scale
        m *= dphi(h)[:, None]
    return np.asfortranarray(m)


def jjt_eigenvalues(j: np.ndarray) -> np.ndarray:
    """The eigenvalues of JJᵀ, ascending (clipped at 0)."""
    return np.maximum(np.linalg.eigvalsh(j @ j.T), 0.0)


def singular_values(seed: np.random.SeedSequence, networks, phi, sigma_w2: float, sigma_b2: float,
                    depth: int, width: int, q0: float, weights: str, threads: int = 1) -> np.ndarray:
    """Singular values of J (ascending), one row per network index in ``networks``.

    Networks run on ``threads`` Python threads (the kernels release the GIL); under the package's threading policy
    (:mod:`statmech_nn.threads`, owner "numba") each has single-threaded BLAS. Every network's numbers are
    independent of the number of threads."""
    def one(k):
        j = jacobian(seed, int(k), phi, sigma_w2, sigma_b2, depth, width, q0, weights)
        return np.sqrt(jjt_eigenvalues(j))

    networks = list(networks)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        return np.array(list(pool.map(one, networks))).reshape(len(networks), width)
