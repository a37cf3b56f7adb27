"""Elementwise exponentials on rows, written so that the compiler vectorises them (the C library's exp and tanh are
scalar calls): Cody–Waite reduction y = n ln 2 + r, |r| ≤ ln 2 / 2, n = round(y / ln 2) by the rounding constant
trick, e^r by its Taylor series, 2^n assembled in the exponent bits — loops without calls or branches.

Used by the NNGP quadrature (:func:`tanh_row`, :func:`exp_row`, to a few ulp) and the RBM epoch's σ
(:func:`statmech_nn.rbm.epoch.logistic_row`, a shorter series to 3e-12).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

#: 1.5 · 2^52: adding it rounds a double of magnitude < 2^51 to an integer, kept in the low bits of the sum.
ROUNDER = 6755399441055744.0
LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # ln 2 = hi + lo, hi with 32 bits
LOG2E = 1.4426950408889634
_Y_CAP = 40.0
_Y_MIN = -700.0  # exp_row's floor: 2^n stays a normal number


@njit(inline="always")
def expm1_reduced(y):
    """e^r − 1 for r = y − n ln 2, n = round(y/ln 2), |r| ≤ ln 2/2 (Cody–Waite reduction), by its Taylor series to
    r^13/13! (truncation < 1e-17 relative; no cancellation at small |y|, where n = 0)."""
    n = (y * LOG2E + ROUNDER) - ROUNDER
    r = (y - n * LN2_HI) - n * LN2_LO
    return r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (
        1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (
            1.0 / 479001600 + r * (1.0 / 6227020800)))))))))))))


@njit(inline="always")
def two_to_n(work, count):
    """work[j] = y_j/ln 2 + ROUNDER (j < count) ← 2^n, n = round(y_j/ln 2): the integer n sits in the low bits
    and is moved into the exponent bits."""
    bits = work.view(np.int64)
    for j in range(count):
        bits[j] = (bits[j] + 1023) << 52


# error_model="numpy": no zero-division check, which would keep the loops scalar; "contract": FMAs in the series
@njit(cache=True, error_model="numpy", fastmath={"contract"})
def tanh_row(x, work):
    """x[j] ← tanh(x[j]) in place (``work``: float64 scratch at least x's length), to a few ulp and exactly odd.

    tanh|x| = −m/(2 + m) with m = e^y − 1, y = −2|x| ≥ −40 (tanh = 1 to double precision beyond); e^y = 2^n e^r,
    m = 2^n (e^r − 1) + (2^n − 1) (:func:`expm1_reduced`), 2^n assembled in the exponent bits: loops without calls
    or branches, which the compiler vectorises (the C library's tanh is a scalar call)."""
    for j in range(x.shape[0]):
        work[j] = max(-2.0 * abs(x[j]), -_Y_CAP) * LOG2E + ROUNDER
    two_to_n(work, x.shape[0])
    for j in range(x.shape[0]):
        m = work[j] * expm1_reduced(max(-2.0 * abs(x[j]), -_Y_CAP)) + (work[j] - 1.0)
        x[j] = math.copysign(-m / (2.0 + m), x[j])


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp_row(y, work):
    """y[j] ← e^{y[j]} in place for y[j] ≤ 0 (floored at −700), to a few ulp, vectorised like :func:`tanh_row`."""
    for j in range(y.shape[0]):
        work[j] = min(0.0, max(y[j], _Y_MIN)) * LOG2E + ROUNDER
    two_to_n(work, y.shape[0])
    for j in range(y.shape[0]):
        y[j] = work[j] * expm1_reduced(min(0.0, max(y[j], _Y_MIN))) + work[j]
