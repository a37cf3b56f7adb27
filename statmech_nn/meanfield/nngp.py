"""Neural-network Gaussian-process (NNGP) kernels of deep random networks and GP prediction with them
(Neal 1996; Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein, ICLR 2018).

A network z^0 = W^0 x + b^0, z^l = W^l φ(z^{l−1}) + b^l with W^0_ij ~ N(0, σ_w²/d), W^l_ij ~ N(0, σ_w²/N),
b ~ N(0, σ_b²) becomes, as N → ∞, a Gaussian process in x whose layer-l covariance obeys

    K^0(x, x') = σ_w² x·x'/d + σ_b²,
    K^{l+1}(x, x') = σ_w² E[φ(u) φ(v)] + σ_b²,   (u, v) ~ N(0, [[K^l(x,x), K^l(x,x')], [K^l(x,x'), K^l(x',x')]]).

This is the c-map of :mod:`.maps` with unequal variances. E[φ(u)φ(v)] is evaluated for all pairs at once:

* relu (arc-cosine, Cho & Saul 2009): √(k11 k22)/(2π) (sin θ + (π − θ) cos θ), θ = arccos(k12/√(k11 k22));
* erf(a u) (arcsine, Williams 1998): (2/π) arcsin(2a² k12 / √((1 + 2a² k11)(1 + 2a² k22))), a = √π/2 for
  ``erf`` and a = 1 for ``erf-plain``;
* linear: k12;
* any other φ: a Gauss–Hermite tensor rule in the Cholesky factor of the 2×2 covariance (smooth φ; ``GH_NODES``
  nodes per dimension): ≲ 1e-8 relative for K ≲ 1, but a saturating φ looks like a step at large K and the rule
  degrades (tanh at K = 10: 7e-4 relative with 64 nodes, 5e-5 with 96). Use the closed-form activations there.

GP prediction (Rasmussen & Williams 2006, Alg. 2.1): μ = K_*ᵀ (K + σ_ε² I)^{−1} y,
Σ_* = K_** − K_*ᵀ (K + σ_ε² I)^{−1} K_*;
classification as regression regresses centred one-hot targets (1 − 1/C on the true class, −1/C elsewhere) and
predicts the arg-max (Lee et al. 2018, Sec. 2.3).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.linalg import cho_factor, cho_solve

from statmech_nn.errors import ParameterError

from .activations import ERF, ERF_PLAIN, LINEAR, RELU, activation

GH_NODES = 64
_A2 = {ERF: math.pi / 4.0, ERF_PLAIN: 1.0}


def check_variances(sigma_w2: float, sigma_b2: float) -> None:
    """ParameterError unless σ_w² > 0 and σ_b² ≥ 0 are finite."""
    if not (isinstance(sigma_w2, (int, float, np.floating, np.integer)) and math.isfinite(sigma_w2) and sigma_w2 > 0):
        raise ParameterError("sigma_w2", sigma_w2, "a finite number > 0")
    if not (isinstance(sigma_b2, (int, float, np.floating, np.integer)) and math.isfinite(sigma_b2) and sigma_b2 >= 0):
        raise ParameterError("sigma_b2", sigma_b2, "a finite number >= 0")


def check_depth(depth, name: str = "depth") -> int:
    """``depth`` as an int ≥ 0; ParameterError(name, …) otherwise (also used for widths and counts)."""
    if isinstance(depth, (bool, np.bool_)) or not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ParameterError(name, depth, "an integer >= 0")
    return int(depth)


def activation_param(phi):
    """The :class:`Activation` ``phi`` names; ParameterError('phi', …) if it names none."""
    try:
        return activation(phi)
    except ValueError as err:
        raise ParameterError("phi", phi, str(err).split("; ")[-1]) from None


_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(GH_NODES)
_GH_W = _GH_W / _GH_W.sum()


@njit(cache=True, error_model="numpy")
def _pair_gh(f, g, k11, k22, k12, z, w):
    """E[f(u) g(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]), elementwise, by the tensor Gauss–Hermite rule."""
    out = np.empty(k11.size)
    n = z.size
    fu = np.empty(n)
    for p in range(k11.size):
        s1 = math.sqrt(k11[p])
        r = k12[p] / s1 if s1 > 0.0 else 0.0
        s2 = math.sqrt(max(0.0, k22[p] - r * r))
        for i in range(n):
            fu[i] = f(s1 * z[i])
        tot = 0.0
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc += w[j] * g(r * z[i] + s2 * z[j])
            tot += w[i] * fu[i] * acc
        out[p] = tot
    return out


def pair_expectation(phi, k11, k22, k12) -> np.ndarray:
    """E[φ(u) φ(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]), elementwise over broadcast arrays (module
    docstring: closed forms for relu, erf, erf-plain, linear; Gauss–Hermite otherwise)."""
    a = activation_param(phi)
    k11, k22, k12 = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(k11, k22, k12))
    if a.kernel == LINEAR:
        return k12.copy()
    if a.kernel == RELU:
        norm = np.sqrt(k11 * k22)
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.clip(np.where(norm > 0, k12 / norm, 1.0), -1.0, 1.0)
        theta = np.arccos(cos)
        return norm / (2 * np.pi) * (np.sin(theta) + (np.pi - theta) * cos)
    if a.kernel in _A2:
        t = 2.0 * _A2[a.kernel]
        return (2 / np.pi) * np.arcsin(np.clip(t * k12 / np.sqrt((1 + t * k11) * (1 + t * k22)), -1.0, 1.0))
    flat = _pair_gh(a.phi, a.phi, k11.ravel().copy(), k22.ravel().copy(), k12.ravel().copy(), _GH_Z, _GH_W)
    return flat.reshape(k11.shape)


def check_inputs(x, name: str) -> np.ndarray:
    """``x`` as a finite float (points, dimensions) array; ParameterError(name, …) otherwise."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1 or not np.all(np.isfinite(arr)):
        raise ParameterError(name, f"array of shape {np.shape(x)}", "a finite 2-D array (points, dimensions)")
    return arr


def nngp_kernel(phi, sigma_w2: float, sigma_b2: float, x, depth: int, x2=None, diagonal: bool = False):
    """K^depth between the rows of ``x`` (n, d) and of ``x2`` (m, d) (default ``x``): an (n, m) array, or the
    (n,) diagonal K^depth(x_i, x_i) if ``diagonal``. ``depth`` = number of hidden layers (0: the linear K^0)."""
    check_variances(sigma_w2, sigma_b2)
    depth = check_depth(depth)
    x = check_inputs(x, "x")
    d = x.shape[1]
    k1 = sigma_w2 * np.einsum("ij,ij->i", x, x) / d + sigma_b2
    if diagonal:
        for _ in range(depth):
            k1 = sigma_w2 * pair_expectation(phi, k1, k1, k1) + sigma_b2
        return k1
    if x2 is None:
        k12 = sigma_w2 * (x @ x.T) / d + sigma_b2
        k2 = k1
    else:
        x2 = check_inputs(x2, "x2")
        if x2.shape[1] != d:
            raise ParameterError("x2", f"shape {x2.shape}", f"the same number of columns as x ({d})")
        k2 = sigma_w2 * np.einsum("ij,ij->i", x2, x2) / d + sigma_b2
        k12 = sigma_w2 * (x @ x2.T) / d + sigma_b2
    upper = np.triu_indices(x.shape[0]) if x2 is None else None  # a Gram matrix: each pair once
    for _ in range(depth):
        if upper is None:
            k12 = sigma_w2 * pair_expectation(phi, k1[:, None], k2[None, :], k12) + sigma_b2
        else:
            k12[upper] = sigma_w2 * pair_expectation(phi, k1[upper[0]], k1[upper[1]], k12[upper]) + sigma_b2
            k12.T[upper] = k12[upper]
        k1 = sigma_w2 * pair_expectation(phi, k1, k1, k1) + sigma_b2
        k2 = k1 if x2 is None else sigma_w2 * pair_expectation(phi, k2, k2, k2) + sigma_b2
    return k12


def gp_predict(k_train, k_cross, k_test_diag, y_train, noise: float = 1e-10):
    """GP posterior (mean (m, …), variance (m,)) at test points from K (n, n), K_* (n, m) = K(train, test),
    diag K_** (m,) and targets y (n,) or (n, C); ``noise`` = σ_ε² added to K's diagonal (jitter for noiseless data)."""
    if not (math.isfinite(noise) and noise >= 0):
        raise ParameterError("noise", noise, "a finite number >= 0")
    k = np.asarray(k_train, dtype=float)
    factor = cho_factor(k + noise * np.eye(k.shape[0]), lower=True)
    mean = np.asarray(k_cross).T @ cho_solve(factor, np.asarray(y_train, dtype=float))
    variance = np.asarray(k_test_diag) - np.einsum("ij,ij->j", k_cross, cho_solve(factor, k_cross))
    return mean, variance


def centred_one_hot(labels, classes: int) -> np.ndarray:
    """Targets for classification as regression: 1 − 1/C at the true class, −1/C elsewhere."""
    return np.eye(classes)[np.asarray(labels)] - 1.0 / classes


def gp_test_error(phi, sigma_w2: float, sigma_b2: float, depth: int, x_train, labels_train, x_test, labels_test,
                  classes: int, noise: float = 1e-10) -> float:
    """Fraction of test points misclassified by the NNGP posterior mean regressing centred one-hot targets;
    ``noise`` is σ_ε² in units of the mean of diag K (a relative jitter)."""
    k = nngp_kernel(phi, sigma_w2, sigma_b2, x_train, depth)
    k_cross = nngp_kernel(phi, sigma_w2, sigma_b2, x_train, depth, x2=x_test)
    diag = nngp_kernel(phi, sigma_w2, sigma_b2, x_test, depth, diagonal=True)
    mean, _ = gp_predict(k, k_cross, diag, centred_one_hot(labels_train, classes), noise * np.mean(np.diag(k)))
    return float(np.mean(np.argmax(mean, axis=1) != np.asarray(labels_test)))


def split_task(x, labels, n_train: int, classes: int) -> dict:
    """The first ``n_train`` points for training, the rest for testing (tasks: :mod:`statmech_nn.nets.data`)."""
    if not 1 <= n_train < len(labels):
        raise ParameterError("n_train", n_train, f"1 <= n_train < {len(labels)} (the number of points)")
    return {"x_train": x[:n_train], "y_train": labels[:n_train], "x_test": x[n_train:], "y_test": labels[n_train:],
            "classes": classes}


def gp_error_grid(phi, sigma_w2s, depths, sigma_b2: float, task: dict, noise: float = 1e-10) -> np.ndarray:
    """Test error over σ_w² × depth (shape (len(sigma_w2s), len(depths))) for a :func:`split_task` dict: the
    order-to-chaos transition shows as the error rising with depth on both sides of σ_w²,c and staying low near it."""
    out = np.empty((len(sigma_w2s), len(depths)))
    for i, sw2 in enumerate(sigma_w2s):
        for j, depth in enumerate(depths):
            out[i, j] = gp_test_error(phi, float(sw2), sigma_b2, int(depth), task["x_train"], task["y_train"],
                                      task["x_test"], task["y_test"], task["classes"], noise)
    return out
