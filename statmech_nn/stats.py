"""Error analysis for correlated Monte Carlo time series.

Conventions (Sokal, "Monte Carlo methods in statistical mechanics: foundations and new algorithms",
Cargèse lectures 1996; Madras & Sokal, J. Stat. Phys. 50, 109 (1988)):

* normalised autocorrelation  ρ(t) = C(t)/C(0),  C(t) = (1/n) Σ_{i<n-t} δx_i δx_{i+t};
* integrated autocorrelation time  τ_int = 1/2 + Σ_{t≥1} ρ(t), so τ_int = 1/2 for uncorrelated data and
  Var(x̄) ≈ 2 τ_int σ² / n.

Functions of several means (specific heat, susceptibility, Binder cumulant) get their errors from a
blocked jackknife, which also accounts for the correlations between the series.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

__all__ = [
    "Estimate",
    "autocorrelation",
    "tau_int",
    "tau_int_error",
    "mean",
    "jackknife",
    "binning_error",
    "effective_samples",
    "specific_heat",
    "susceptibility",
    "binder",
    "Crossings",
    "binder_crossings",
]

#: Default jackknife block length in units of the largest τ_int of the input series.
BLOCK_TAU_FACTOR = 20.0
#: Upper bound on the default number of jackknife blocks (block length ≥ n / MAX_BLOCKS).
MAX_BLOCKS = 1000


def _series(x) -> np.ndarray:
    """``x`` as a finite, non-empty 1-D float64 array (ValueError otherwise)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"expected a 1-D time series, got shape {a.shape}")
    if a.size == 0:
        raise ValueError("empty time series")
    if not np.all(np.isfinite(a)):
        raise ValueError("time series contains non-finite values")
    return a


# --------------------------------------------------------------------------------------------------
# Autocorrelation
# --------------------------------------------------------------------------------------------------
def autocorrelation(x) -> np.ndarray:
    """Normalised autocorrelation ρ(t), t = 0..n-1, with ρ(0) = 1.

    ρ(t) = C(t)/C(0),  C(t) = (1/n) Σ_{i=0}^{n-t-1} (x_i − x̄)(x_{i+t} − x̄), computed by a zero-padded FFT
    (Wiener–Khinchin; padding to ≥ 2n removes the circular wrap-around). The 1/n (not 1/(n−t))
    normalisation keeps |ρ| ≤ 1 and the estimate positive semi-definite. A constant series gives
    ρ = (1, 0, 0, ...).
    """
    a = _series(x)
    n = a.size
    d = a - a.mean()
    rho = np.zeros(n)
    rho[0] = 1.0
    if n == 1:
        return rho
    nfft = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(d, nfft)
    acov = np.fft.irfft(f.real**2 + f.imag**2, nfft)[:n]
    c0 = acov[0]
    # Constant series (up to rounding): zero variance, no correlations.
    if not c0 > 1e-28 * n * max(1.0, float(np.max(np.abs(a)))) ** 2:
        return rho
    return acov / c0


def tau_int(x, c: float = 5.0) -> tuple[float, int]:
    """Integrated autocorrelation time with Sokal's automatic window: ``(tau, window)``.

    τ_int(W) = 1/2 + Σ_{t=1}^{W} ρ(t); the window is the smallest even W ≥ 2 with W ≥ c·τ_int(W)
    (Madras & Sokal 1988; Sokal 1996, §3). Only even windows are used: for an anti-correlated series (a Wolff
    chain flipping the sign of m at every step has ρ(t) ≈ (−0.75)^t) the odd partial sums dip below zero, while
    the even ones (sums of pairs ρ(2k−1) + ρ(2k), as in Geyer's initial sequence) approach τ_int from above;
    for positively correlated series the restriction changes nothing that matters. If no such W < n exists
    the full sum is returned (the series is then far too short; check ``n ≫ window``). A non-positive
    estimate (possible only for very short or pathological series) is replaced by the independent-sample value
    1/2. Constant series: (0.5, 0).
    """
    a = _series(x)
    rho = autocorrelation(a)
    if a.size < 3 or np.all(rho[1:] == 0.0):
        return 0.5, 0
    taus = (0.5 + np.cumsum(rho[1:]))[1::2]  # τ_int(W) for W = 2, 4, 6, ...
    w = np.arange(2, a.size, 2)
    ok = w >= c * taus
    i = int(np.argmax(ok)) if ok.any() else len(w) - 1
    tau = float(taus[i])
    return (tau if tau > 0 else 0.5), int(w[i])


def tau_int_error(tau: float, window: int, n: int) -> float:
    """Madras–Sokal statistical error of τ_int:  δτ ≈ τ · sqrt(2(2W+1)/n)."""
    return float(tau) * math.sqrt(2.0 * (2 * window + 1) / n)


def effective_samples(x) -> float:
    """Number of effectively independent samples  n_eff = n / (2 τ_int)."""
    a = _series(x)
    return a.size / (2.0 * tau_int(a)[0])


# --------------------------------------------------------------------------------------------------
# Estimates
# --------------------------------------------------------------------------------------------------
def _format_pm(value: float, error: float) -> str:
    """``value ± error`` with the error to two significant digits and the value to the same decimal."""
    if not (math.isfinite(value) and math.isfinite(error)) or error <= 0:
        return f"{value:.6g} ± {error:.2g}"
    err = float(f"{error:.2g}")  # round first so that e.g. 0.0996 -> 0.10 gets 2 digits, not 3
    exp = math.floor(math.log10(err))
    decimals = 1 - exp
    mag = math.floor(math.log10(max(abs(value), err)))
    if exp < -5 or mag > 6:  # scientific: (1.2345 ± 0.0012)e-07
        digits = mag - exp + 1
        s = 10.0**mag
        return f"({value / s + 0.0:.{digits}f} ± {error / s:.{digits}f})e{mag:+03d}"
    v = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    if decimals >= 0:
        return f"{v:.{decimals}f} ± {err:.{decimals}f}"
    return f"{v:.0f} ± {err:.0f}"


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate: ``value ± error`` from ``n`` samples with autocorrelation time ``tau``.

    ``tau`` is the integrated autocorrelation time used for the error (nan if none was used).
    """

    value: float
    error: float
    tau: float
    n: int

    @classmethod
    def exact(cls, value: float) -> Estimate:
        """A number known without statistical error (theory, enumeration): error 0, no τ, n = 0."""
        return cls(float(value), 0.0, math.nan, 0)

    def __str__(self) -> str:
        return _format_pm(self.value, self.error)

    def to_dict(self) -> dict:
        """Plain-Python dict (JSON-serialisable) of the four fields."""
        d = asdict(self)
        return {"value": float(d["value"]), "error": float(d["error"]), "tau": float(d["tau"]),
                "n": int(d["n"])}


def mean(x) -> Estimate:
    """Sample mean with the autocorrelation-corrected error  sqrt(2 τ_int σ² / n)  (Sokal 1996, eq. 2.20)."""
    a = _series(x)
    n = a.size
    tau, _ = tau_int(a)
    var = a.var(ddof=1) if np.ptp(a) > 0 else 0.0  # exactly 0 for a constant series
    return Estimate(float(a.mean()), math.sqrt(2.0 * tau * var / n), tau, n)


def jackknife(fn: Callable[..., float], *series, block: int | None = None) -> Estimate:
    """Blocked jackknife estimate of ``fn(⟨x_1⟩, ⟨x_2⟩, ...)``.

    The equal-length series (measured at the same times) are cut into nb blocks of length ``block``
    (the tail that does not fill a block is dropped); θ_i = fn(means with block i deleted) and
        error = sqrt((nb − 1)/nb · Σ_i (θ_i − θ̄)²)      (Efron 1982; Young, arXiv:1210.3781, §3.4).
    Default block = max(ceil(BLOCK_TAU_FACTOR · max_k τ_int(x_k)), ceil(n / MAX_BLOCKS), 1).
    The value is fn(full-sample means), not the jackknife average. With fewer than 2 blocks the error
    is nan. ``tau`` is the max τ_int used for the default block (nan if ``block`` is given).
    """
    if not series:
        raise ValueError("jackknife needs at least one series")
    arrs = [_series(s) for s in series]
    n = arrs[0].size
    if any(a.size != n for a in arrs):
        raise ValueError("all series must have the same length")
    if block is None:
        tau = max(tau_int(a)[0] for a in arrs)
        block = max(math.ceil(BLOCK_TAU_FACTOR * tau), math.ceil(n / MAX_BLOCKS), 1)
    else:
        tau = math.nan
        block = int(block)
        if block < 1:
            raise ValueError("block must be >= 1")
    value = float(fn(*(float(a.mean()) for a in arrs)))
    nb = n // block
    if nb < 2:
        return Estimate(value, math.nan, tau, n)
    m = nb * block
    deleted = []
    for a in arrs:
        bm = a[:m].reshape(nb, block).mean(axis=1)
        c = bm.mean()
        deleted.append(c + (c - bm) / (nb - 1))  # mean of the other nb-1 blocks
    theta = np.array([fn(*(float(d[i]) for d in deleted)) for i in range(nb)], dtype=np.float64)
    if np.ptp(theta) == 0 or not np.all(np.isfinite(theta)):
        err = 0.0 if np.ptp(theta) == 0 else math.nan
    else:
        err = math.sqrt((nb - 1) / nb * float(np.sum((theta - theta.mean()) ** 2)))
    return Estimate(value, err, tau, n)


def binning_error(x, min_bins: int = 32) -> np.ndarray:
    """Naive error of the mean after k = 0, 1, 2, ... pairwise (log2) binning steps.

    err_k = sqrt(Var(bin means of length 2^k) / nb_k), for all levels with nb_k ≥ min_bins. For
    correlated data err_k rises and plateaus at the true error ≈ sqrt(2 τ_int σ²/n) (Flyvbjerg &
    Petersen, J. Chem. Phys. 91, 461 (1989)); intended for diagnostics and plots.
    """
    a = _series(x)
    min_bins = max(int(min_bins), 2)
    errs = []
    while a.size >= min_bins:
        errs.append(math.sqrt(a.var(ddof=1) / a.size) if np.ptp(a) > 0 else 0.0)
        m = a.size // 2
        a = 0.5 * (a[: 2 * m : 2] + a[1 : 2 * m : 2])
    return np.array(errs, dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# Ising estimators (per-spin series: e = E/N, m = M/N; N = L² spins, β = 1/T)
# --------------------------------------------------------------------------------------------------
def _variance_estimate(x: np.ndarray, scale: float) -> Estimate:
    """scale · (⟨x²⟩ − ⟨x⟩²) by blocked jackknife; x is shifted by its mean first (variance is
    shift-invariant) to avoid cancellation when |⟨x⟩| ≫ σ."""
    y = x - (x.mean() if np.ptp(x) > 0 else x[0])  # constant series -> exact zeros
    return jackknife(lambda m1, m2: scale * (m2 - m1 * m1), y, y * y)


def specific_heat(e, beta: float, n_spins: int) -> Estimate:
    """Specific heat per spin  C = β² N (⟨e²⟩ − ⟨e⟩²)  from the energy per spin e."""
    return _variance_estimate(_series(e), beta * beta * n_spins)


def susceptibility(m, beta: float, n_spins: int) -> Estimate:
    """Finite-size susceptibility per spin  χ = β N (⟨m²⟩ − ⟨|m|⟩²)  from the magnetisation per spin m.

    (Uses |m|, the usual convention for finite lattices, where ⟨m⟩ = 0 by symmetry; note
    ⟨m²⟩ − ⟨|m|⟩² = Var|m|.)
    """
    return _variance_estimate(np.abs(_series(m)), beta * n_spins)


def binder(m) -> Estimate:
    """Binder cumulant  U₄ = 1 − ⟨m⁴⟩ / (3 ⟨m²⟩²)  (Binder, Z. Phys. B 43, 119 (1981)).

    U₄ → 0 for Gaussian m (disordered phase), → 2/3 for m = ±m₀ (ordered phase); nan if ⟨m²⟩ = 0.
    """
    m2 = _series(m) ** 2
    return jackknife(lambda a, b: 1.0 - b / (3.0 * a * a) if a > 0 else math.nan, m2, m2 * m2)

# --------------------------------------------------------------------------------------------------
# Critical temperatures from Binder-cumulant crossings
# --------------------------------------------------------------------------------------------------
# Critical temperature from Binder-cumulant crossings (Binder, Z. Phys. B 43, 119 (1981)).
#
# U_L(T) = 1 − ⟨m⁴⟩/(3⟨m²⟩²) is scale-invariant at T_c up to corrections to scaling, so the curves of two sizes
# cross near T_c. For each pair of sizes the difference d(T) = U_a(T) − U_b(T) is fitted by a weighted polynomial of
# ``degree`` on the ``window`` grid points around its sign change; its root in the bracketing interval is the crossing. Errors come from a parametric
# bootstrap: every U_L(T) is an independent run, so each replicate redraws all of them from N(U, σ²) and repeats the
# whole estimate. Pair crossings drift towards T_c as the sizes grow (corrections to scaling ∝ L^(−ω)); the estimate
# reported as T_c is the crossing of the two largest sizes, and the drift of the others shows how large the
# corrections still are.


@dataclass(frozen=True)
class Crossings:
    pairs: dict[tuple[int, int], Estimate]   # (L_a, L_b) -> crossing temperature
    tc: Estimate                             # the crossing of the two largest sizes


def _root(T: np.ndarray, d: np.ndarray, w: np.ndarray, window: int, degree: int) -> float:
    """Root of a weighted polynomial fit of d(T) around its first sign change (nan if there is none)."""
    sign = np.sign(d)
    change = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    if len(change) == 0:
        return math.nan
    k = int(change[np.argmin(np.abs(change - len(T) / 2))])  # the sign change nearest the middle of the scan
    lo = max(0, k + 1 - window // 2)
    hi = min(len(T), lo + window)
    lo = max(0, hi - window)
    t0 = 0.5 * (T[k] + T[k + 1])
    coeffs = np.polyfit(T[lo:hi] - t0, d[lo:hi], min(degree, hi - lo - 1), w=w[lo:hi])
    roots = np.roots(coeffs)
    roots = roots[np.isreal(roots)].real
    inside = roots[np.abs(roots) <= T[k + 1] - T[k]]  # the root within the bracketing interval (± one step)
    return t0 + inside[np.argmin(np.abs(inside))] if len(inside) else math.nan


def binder_crossings(T, sizes, U, U_err, window: int = 6, degree: int = 3, n_boot: int = 2000,
                     seed: int = 0) -> Crossings:
    """Crossing temperatures of U_L(T) for every pair of ``sizes``; ``U``, ``U_err`` have shape (len(sizes), len(T))."""
    T = np.asarray(T, float)
    U, U_err = np.asarray(U, float), np.asarray(U_err, float)
    if U.shape != (len(sizes), len(T)) or U_err.shape != U.shape:
        raise ValueError("U and U_err must have shape (len(sizes), len(T))")
    pairs = list(itertools.combinations(range(len(sizes)), 2))
    rng = np.random.default_rng(seed)

    def estimate(u):
        return np.array([_root(T, u[a] - u[b], 1.0 / np.hypot(U_err[a], U_err[b]), window, degree) for a, b in pairs])

    central = estimate(U)
    boot = np.array([estimate(U + U_err * rng.standard_normal(U.shape)) for _ in range(n_boot)])
    errors = np.nanstd(boot, axis=0, ddof=1)
    result = {(int(sizes[a]), int(sizes[b])): Estimate(float(c), float(e), math.nan, n_boot)
              for (a, b), c, e in zip(pairs, central, errors)}
    largest = tuple(int(v) for v in sorted(sizes)[-2:])
    return Crossings(result, result[largest])
