"""Shared helpers of the learning modules: input checks, per-trial streams, Gaussian measure Dz."""
from __future__ import annotations

import math

import numpy as np
from scipy.special import erfc, erfcx, log_ndtr

from ..errors import ParameterError
from ..rng import seed_sequence

SQRT2 = math.sqrt(2.0)
# ∫Dz f(z) ≈ DZ @ f(Z): trapezoid rule on z ∈ [−Z_MAX, Z_MAX], spectrally accurate for smooth f (node spacing
# 0.0055 also resolves the steep tanh of the Hopfield equations down to T ≈ 0.02)
Z_MAX, N_NODES = 11.0, 4001
Z = np.linspace(-Z_MAX, Z_MAX, N_NODES)
DZ = np.exp(-0.5 * Z**2) * (Z[1] - Z[0]) / math.sqrt(2.0 * math.pi)


def H(x):
    """H(x) = ∫_x^∞ Dt = erfc(x/√2)/2."""
    return 0.5 * erfc(np.asarray(x) / SQRT2)


def log_H(x):
    """ln H(x), accurate in both tails."""
    return log_ndtr(-np.asarray(x))


def gaussian_over_H(x):
    """φ(x)/H(x) with φ the standard normal density, accurate for large x (= √(2/π)/erfcx(x/√2))."""
    return math.sqrt(2.0 / math.pi) / erfcx(np.asarray(x) / SQRT2)


def check_int(name: str, value, low: int, allowed: str | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(name, value, allowed or f"an integer ≥ {low}")
    return int(value)


def check_real(name: str, value, low: float, inclusive: bool = True, high: float = math.inf,
               allowed: str | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed or "a real number") from None
    ok = (x >= low if inclusive else x > low) and x <= high and math.isfinite(x)
    if not ok:
        rel = "≥" if inclusive else ">"
        raise ParameterError(name, value, allowed or f"a finite real number {rel} {low}"
                             + (f" and ≤ {high}" if high < math.inf else ""))
    return x


def check_grid(name: str, values, low: float, inclusive: bool = False, high: float = math.inf) -> np.ndarray:
    """A 1-D float grid with every entry in range (``ParameterError`` naming ``name`` otherwise)."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(name, values, "a non-empty 1-D sequence of numbers")
    for x in arr:
        check_real(name, x, low, inclusive, high)
    return arr


def trial_generator(seed, point: int, trial: int, *key: int) -> np.random.Generator:
    """numpy Generator of trial ``trial`` at grid point ``point`` (keyed, never by worker or order)."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, point, trial, *key)))


def random_signs(gen: np.random.Generator, shape) -> np.ndarray:
    """int8 ±1 array with independent fair signs."""
    return (1 - 2 * gen.integers(0, 2, size=shape, dtype=np.int8)).astype(np.int8)


def mean_and_error(samples: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Mean over independent trials and its standard error (0 for a single trial)."""
    samples = np.asarray(samples, dtype=float)
    n = samples.shape[axis]
    mean = samples.mean(axis=axis)
    err = samples.std(axis=axis, ddof=1) / math.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, err
