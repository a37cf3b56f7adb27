"""Plug-in (maximum-likelihood) information of binned representations, in bits.

A deterministic network maps n distinct, equally likely inputs X to T; after binning, T_b is a function of X, so
H(T_b | X) = 0 and I(X; T_b) = H(T_b) ≤ log2 n, while I(T_b; Y) = H(T_b) + H(Y) − H(T_b, Y) ≤ H(Y)
(Shwartz-Ziv & Tishby, arXiv:1703.00810, who bin every unit into equal intervals of [−1, 1]).

Binnings (``BINNINGS``), ``bins`` intervals per unit:

* ``fixed``       edges linspace(low, high, bins + 1) for every layer and epoch; values outside fall into the end
                  bins. [−1, 1] is the paper's choice for tanh; for ReLU it lumps every activation above 1 into one
                  bin, an artefact (Saxe et al., ICLR 2018, bin ReLU layers on [0, max]);
* ``adaptive``    equal intervals of the layer's own range [min T, max T] at this epoch (all units together);
* ``equal-mass``  per unit, edges at the k/bins quantiles of its n values, so each bin holds ≈ n/bins inputs
                  (ties — saturated units — share one bin).

The plug-in entropy is biased low by ≈ (K − 1)/(2n ln 2) bits for K occupied cells (Miller 1955).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import ParameterError

BINNINGS = ("fixed", "adaptive", "equal-mass")


def entropy_bits(codes: np.ndarray) -> float:
    """H = −Σ_c p_c log2 p_c of the empirical distribution of the integer ``codes`` (n,)."""
    counts = np.unique(np.asarray(codes), return_counts=True)[1]
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def row_codes(rows: np.ndarray) -> np.ndarray:
    """One int64 code per row of the non-negative integer array ``rows`` (n, d): equal rows ↔ equal codes
    (mixed-radix digits when the product of the radices fits 62 bits, otherwise ranks of the distinct rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.ndim == 1:
        return rows
    radix = rows.max(axis=0) + 1 if rows.size else np.ones(rows.shape[1], np.int64)
    if np.sum(np.log2(radix)) < 62:
        codes = np.zeros(len(rows), dtype=np.int64)
        for j in range(rows.shape[1]):
            codes = codes * radix[j] + rows[:, j]
        return codes
    return np.unique(rows, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)


def discrete_mi(a: np.ndarray, b: np.ndarray) -> float:
    """Plug-in I(A;B) = H(A) + H(B) − H(A,B) in bits of paired integer samples ``a``, ``b`` ((n,) or (n, d))."""
    a, b = row_codes(a), row_codes(b)
    joint = row_codes(np.stack([np.unique(a, return_inverse=True)[1].reshape(-1),
                                np.unique(b, return_inverse=True)[1].reshape(-1)], axis=1))
    return entropy_bits(a) + entropy_bits(b) - entropy_bits(joint)


def _check(bins: int, binning: str, low: float, high: float) -> None:
    if not (isinstance(bins, (int, np.integer)) and bins >= 2):
        raise ParameterError("bins", bins, "an integer >= 2")
    if binning not in BINNINGS:
        raise ParameterError("binning", binning, ", ".join(BINNINGS))
    if binning == "fixed" and not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ParameterError("bin_high", high, f"a finite number > bin_low = {low}")


def bin_indices(t: np.ndarray, bins: int, binning: str = "fixed", low: float = -1.0,
                high: float = 1.0) -> np.ndarray:
    """The bin (0 … bins − 1) of every entry of ``t`` (n, d), int64 (n, d); see the module docstring."""
    _check(bins, binning, low, high)
    t = np.asarray(t, dtype=np.float64)
    if binning == "equal-mass":
        out = np.empty(t.shape, dtype=np.int64)
        levels = np.linspace(0.0, 1.0, bins + 1)[1:-1]
        for j in range(t.shape[1]):
            edges = np.quantile(t[:, j], levels)
            out[:, j] = np.searchsorted(edges, t[:, j], side="right")
        return out
    if binning == "adaptive":
        low, high = float(t.min()), float(t.max())
        if not high > low:
            return np.zeros(t.shape, dtype=np.int64)
    inner = np.linspace(low, high, bins + 1)[1:-1]
    return np.searchsorted(inner, t, side="right").astype(np.int64)


def binned_mi(t: np.ndarray, y: np.ndarray, bins: int = 30, binning: str = "fixed", low: float = -1.0,
              high: float = 1.0) -> tuple[float, float]:
    """(I(X;T), I(T;Y)) in bits for the representations ``t`` (n, d) of n distinct equally likely inputs with
    labels ``y`` (n,): I(X;T) = H(T_b), I(T;Y) = H(T_b) + H(Y) − H(T_b, Y)."""
    codes = row_codes(bin_indices(t, bins, binning, low, high))
    return entropy_bits(codes), discrete_mi(codes, y)
