"""Restricted Boltzmann machine as an energy system: a bipartite spin glass between two layers.

    E(v, h) = -aᵀv - bᵀh - vᵀW h,        p(v, h) = e^{-E(v, h)} / Z,

with W of shape (n_visible, n_hidden). Units are ``"binary"`` (v, h ∈ {0, 1}, the default) or ``"spin"``
(v, h ∈ {-1, +1}); the same parameters give different models and different log Z in the two conventions.
Summing out one layer gives the free energies

    F(v) = -aᵀv - Σ_j φ(b_j + (vᵀW)_j),        F(h) = -bᵀh - Σ_i φ(a_i + (W h)_i),

so p(v) = e^{-F(v)} / Z, with φ(x) = log(1 + eˣ) (binary; ``logaddexp(0, x)``) or φ(x) = log(2 cosh x)
(spin; ``logaddexp(x, -x)``), both evaluated without overflow.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError

UNITS = ("binary", "spin")


@njit(cache=True)
def phi(x, spin):
    """log Σ_{s} e^{s x} over one unit's states: log(1 + eˣ) (binary) or log(2 cosh x) (spin), stably."""
    if spin:
        y = abs(x)
        return y + math.log1p(math.exp(-2.0 * y))
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def phi_numpy(x: np.ndarray, units: str) -> np.ndarray:
    """Vectorised :func:`phi`."""
    return np.logaddexp(x, -x) if units == "spin" else np.logaddexp(0.0, x)


def check_units(units: str) -> bool:
    """Validate a unit convention; returns True for ±1 spins."""
    if units not in UNITS:
        raise ParameterError("units", units, "one of " + ", ".join(UNITS))
    return units == "spin"


def states_of_index(index, n: int, units: str = "binary") -> np.ndarray:
    """The states of n units encoded by integer ``index`` (unit i = bit i; bit 0 → 0 or -1), float (..., n)."""
    spin = check_units(units)
    bits = ((np.asarray(index, dtype=np.int64)[..., None] >> np.arange(n)) & 1).astype(np.float64)
    return 2.0 * bits - 1.0 if spin else bits


def configurations(n: int, units: str = "binary") -> np.ndarray:
    """All 2ⁿ states of n units, (2ⁿ, n): row r is :func:`states_of_index` (r)."""
    return states_of_index(np.arange(2**n), n, units)


def _readonly(x: np.ndarray) -> np.ndarray:
    x.setflags(write=False)
    return x


def _finite_array(name: str, value, ndim: int) -> np.ndarray:
    try:
        x = np.array(value, dtype=np.float64, order="C")
    except (TypeError, ValueError):
        raise ParameterError(name, value, f"a {ndim}-D array of real numbers") from None
    if x.ndim != ndim:
        raise ParameterError(name, f"array of shape {x.shape}", f"a {ndim}-D array of real numbers")
    if not np.isfinite(x).all():
        raise ParameterError(name, f"array with {np.count_nonzero(~np.isfinite(x))} non-finite entries",
                             "finite real numbers")
    return _readonly(x)


@dataclass(frozen=True, eq=False)
class RBM:
    """Immutable RBM parameters: ``weights`` W (n_visible × n_hidden), ``visible_bias`` a, ``hidden_bias`` b,
    ``units`` "binary" | "spin". Arrays are copied to read-only float64 on construction."""

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    units: str = "binary"

    def __post_init__(self):
        check_units(self.units)
        w = _finite_array("weights", self.weights, 2)
        if 0 in w.shape:
            raise ParameterError("weights", f"array of shape {w.shape}", "at least one visible and one hidden unit")
        for name, size in (("visible_bias", w.shape[0]), ("hidden_bias", w.shape[1])):
            x = _finite_array(name, getattr(self, name), 1)
            if x.shape != (size,):
                raise ParameterError(name, f"array of shape {x.shape}",
                                     f"shape ({size},) to match weights of shape {w.shape}")
            object.__setattr__(self, name, x)
        object.__setattr__(self, "weights", w)

    @property
    def n_visible(self) -> int:
        return self.weights.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.weights.shape[1]

    @property
    def spin(self) -> bool:
        return self.units == "spin"

    def transpose(self) -> RBM:
        """The same system with the layers' roles swapped (hidden becomes visible)."""
        return RBM(self.weights.T, self.hidden_bias, self.visible_bias, self.units)

    def states(self, x, n: int, name: str) -> np.ndarray:
        """``x`` as a float array of unit states with last axis n, validated against the unit convention."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0 or x.shape[-1] != n:
            raise ParameterError(name, f"array of shape {x.shape}", f"last axis of length {n}")
        allowed = (-1.0, 1.0) if self.spin else (0.0, 1.0)
        if not np.isin(x, allowed).all():
            raise ParameterError(name, "array with entries outside " + str(allowed),
                                 f"{self.units} units {allowed}")
        return x

    def energy(self, v, h) -> np.ndarray:
        """E(v, h) = -aᵀv - bᵀh - vᵀW h over the leading (batch) axes."""
        v = self.states(v, self.n_visible, "v")
        h = self.states(h, self.n_hidden, "h")
        return -(v @ self.visible_bias) - (h @ self.hidden_bias) - np.sum((v @ self.weights) * h, axis=-1)

    def free_energy(self, v) -> np.ndarray:
        """F(v) = -aᵀv - Σ_j φ(b_j + (vᵀW)_j), so that p(v) = e^{-F(v)} / Z."""
        v = self.states(v, self.n_visible, "v")
        field = v @ self.weights + self.hidden_bias
        return -(v @ self.visible_bias) - phi_numpy(field, self.units).sum(axis=-1)

    def free_energy_hidden(self, h) -> np.ndarray:
        """F(h) = -bᵀh - Σ_i φ(a_i + (W h)_i), so that p(h) = e^{-F(h)} / Z."""
        return self.transpose().free_energy(h)


def random_rbm(n_visible: int, n_hidden: int, weight_scale: float, seed: int, *, bias_scale: float = 0.0,
               units: str = "binary") -> RBM:
    """An RBM with i.i.d. Gaussian couplings W_ij ~ N(0, weight_scale²) and biases ~ N(0, bias_scale²)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    return RBM(rng.normal(0.0, weight_scale, (n_visible, n_hidden)), rng.normal(0.0, bias_scale, n_visible),
               rng.normal(0.0, bias_scale, n_hidden), units)
