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
* any other φ: a Gauss–Hermite tensor rule in the Cholesky factor of the 2×2 covariance, u = √k11 z1,
  v = (k12/√k11) z1 + √(k22 − k12²/k11) z2 (smooth φ; ``GH_NODES`` = 64 nodes per dimension, of whose 4096 products
  the 1444 with w_i w_j > ``GH_DROP`` = 1e-18 are summed — the others weigh 2.5e-17 together). A saturating φ
  looks like a step at large K and the rule degrades: for tanh, worst relative error over variances ≤ K (against
  a dense trapezoid rule; largest on and near the diagonal): 7e-9 at K = 1, 2e-6 at K = 2, 6e-4 at K = 5, 1e-2 at
  K = 10. Use the closed-form activations there. For the built-in tanh the rule sums the rows z_i > 0 twice
  (φ odd: the nodes (z_i, z_j) and (−z_i, −z_j) contribute equally) and evaluates tanh by :func:`tanh_row`
  (vectorised, a few ulp): the same numbers as the plain rule to ~1e-16 absolute, ~30× faster.

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

from .activations import ACTIVATIONS, ERF, ERF_PLAIN, LINEAR, RELU, activation

GH_NODES = 64
_A2 = {ERF: math.pi / 4.0, ERF_PLAIN: 1.0}
_TANH = ACTIVATIONS["tanh"]


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


_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(GH_NODES)  # ascending, symmetric about 0
_GH_W = _GH_W / _GH_W.sum()
GH_DROP = 1e-18  # tensor nodes with w_i w_j ≤ GH_DROP are left out (their total weight is 2.5e-17 for 64 nodes)


def _gh_layout(first_row: int, row_factor: float):
    """The tensor rule's nodes (z_i, z_j) with w_i w_j > GH_DROP and i ≥ ``first_row``: (z_i of the rows, and per
    node its row, z_i, z_j, row_factor w_i w_j)."""
    i, j = np.nonzero(np.outer(_GH_W[first_row:], _GH_W) > GH_DROP)
    rows, row = np.unique(i, return_inverse=True)
    return (_GH_Z[first_row + rows], row.astype(np.int64), _GH_Z[first_row + i], _GH_Z[j],
            row_factor * _GH_W[first_row + i] * _GH_W[j])


_GH_ALL = _gh_layout(0, 1.0)  # any φ
_GH_ODD = _gh_layout(GH_NODES // 2, 2.0)  # odd φ: the nodes (z_i, z_j) and (−z_i, −z_j) contribute equally

#: 1.5 · 2^52: adding it rounds a double of magnitude < 2^51 to an integer, kept in the low bits of the sum.
_ROUNDER = 6755399441055744.0
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # ln 2 = hi + lo, hi with 32 bits
_LOG2E = 1.4426950408889634
_Y_CAP = 40.0


# error_model="numpy": no zero-division check, which would keep the loops scalar; "contract": FMAs in the series
@njit(cache=True, error_model="numpy", fastmath={"contract"})
def tanh_row(x, work):
    """x[j] ← tanh(x[j]) in place (``work``: float64 scratch of x's length), to a few ulp and exactly odd.

    tanh|x| = −m/(2 + m) with m = e^y − 1, y = −2|x| ≥ −40 (tanh = 1 to double precision beyond); e^y = 2^n e^r
    with n = round(y/ln 2), |r| ≤ ln 2/2 (Cody–Waite reduction), so m = 2^n (e^r − 1) + (2^n − 1), e^r − 1 by its
    Taylor series to r^13/13! (truncation < 1e-17 relative; no cancellation at small |x|, where n = 0) and 2^n
    assembled in the exponent bits: loops without calls or branches, which the compiler vectorises (the C
    library's tanh is a scalar call)."""
    bits = work.view(np.int64)
    for j in range(x.shape[0]):
        work[j] = max(-2.0 * abs(x[j]), -_Y_CAP) * _LOG2E + _ROUNDER
    for j in range(x.shape[0]):
        bits[j] = (bits[j] + 1023) << 52  # the integer n sits in the low bits of y/ln 2 + _ROUNDER: 2^n
    for j in range(x.shape[0]):
        y = max(-2.0 * abs(x[j]), -_Y_CAP)
        n = (y * _LOG2E + _ROUNDER) - _ROUNDER
        r = (y - n * _LN2_HI) - n * _LN2_LO
        em1 = r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (
            1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (
                1.0 / 479001600 + r * (1.0 / 6227020800)))))))))))))
        m = work[j] * em1 + (work[j] - 1.0)
        x[j] = math.copysign(-m / (2.0 + m), x[j])


@njit(cache=True, error_model="numpy")
def _apply(phi, builtin_tanh, x, work):
    """x ← φ(x) in place: :func:`tanh_row` if ``builtin_tanh``, else the compiled φ one value at a time."""
    if builtin_tanh:
        tanh_row(x, work)
    else:
        for j in range(x.shape[0]):
            x[j] = phi(x[j])


@njit(cache=True, fastmath={"reassoc", "nsz", "contract"})  # reassociation lets the sum vectorise
def _weighted_sum(w, fu, row, fv):
    """Σ_j w_j fu[row_j] fv_j."""
    tot = 0.0
    for j in range(w.shape[0]):
        tot += w[j] * fu[row[j]] * fv[j]
    return tot


@njit(cache=True, error_model="numpy")
def _pair_gh(phi, builtin_tanh, k11, k22, k12, z_row, row, z1, z2, w):
    """E[φ(u) φ(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]), elementwise: the tensor Gauss–Hermite rule in the
    Cholesky coordinates u = s1 z_i, v = r z_i + s2 z_j on the nodes of a :func:`_gh_layout`."""
    out = np.empty(k11.size)
    fu = np.empty(z_row.size)
    fv = np.empty(z2.size)
    work = np.empty(z2.size)
    for p in range(k11.size):
        s1 = math.sqrt(k11[p])
        r = k12[p] / s1 if s1 > 0.0 else 0.0
        s2 = math.sqrt(max(0.0, k22[p] - r * r))
        for k in range(z_row.size):
            fu[k] = s1 * z_row[k]
        for j in range(z2.size):
            fv[j] = r * z1[j] + s2 * z2[j]
        _apply(phi, builtin_tanh, fu, work)
        _apply(phi, builtin_tanh, fv, work)
        out[p] = _weighted_sum(w, fu, row, fv)
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
    builtin_tanh = a.phi is _TANH.phi  # odd, and evaluated by tanh_row
    flat = _pair_gh(a.phi, builtin_tanh, k11.ravel().copy(), k22.ravel().copy(), k12.ravel().copy(),
                    *(_GH_ODD if builtin_tanh else _GH_ALL))
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
