"""Complexity measures of Boolean functions f : {0,1}^n → {0,1} given as packed truth tables.

A function is its 2^n-bit truth table s = f(x_0) f(x_1) … f(x_{2^n−1}) in input-index order (input x_a is the
binary expansion of a, most significant bit first), packed into ⌈2^n/64⌉ uint64 words: bit a lives in word a // 64 at
bit position a % 64 (least significant bit first). Measures (Valle-Pérez, Camargo & Louis, ICLR 2019,
"Deep learning generalizes because the parameter-function map is biased towards simple functions"):

* ``lz_phrases(s)`` — the Kaspar–Schuster LZ76 phrase count c(s) (Phys. Rev. A 36, 842 (1987)).
* ``lz_complexity`` — K_LZ(s) = log2(N) · [c(s) + c(reverse s)] / 2 for a string of length N, and log2(N) for the
  two constant strings (Valle-Pérez et al., Eq. 3 and App. E).
* ``bit_entropy`` — the binary entropy (bits) of the fraction of ones, H(p1) = −p1 log2 p1 − p0 log2 p0.
* ``sensitivity`` — the average sensitivity, (1/2^n) Σ_x #{i : f(x ⊕ e_i) ≠ f(x)}.
* ``critical_sample_ratio`` — the fraction of inputs with at least one Hamming neighbour of different output
  (Arpit et al. 2017, as used on {0,1}^n by Valle-Pérez et al.).
* ``compressed_length`` — the zlib (level 9) length in bytes of the packed truth table.
"""
from __future__ import annotations

import math
import zlib

import numpy as np
from numba import njit


def n_words(n: int) -> int:
    """Words of 64 bits needed for the truth table of a function of n inputs."""
    return max(1, (1 << n) // 64)


@njit(cache=True)
def unpack_bits(words, n_bits):
    """The truth table (uint8 array of length ``n_bits``) of one packed function."""
    out = np.empty(n_bits, np.uint8)
    for a in range(n_bits):
        out[a] = (words[a >> 6] >> np.uint64(a & 63)) & np.uint64(1)
    return out


def pack_bits(bits) -> np.ndarray:
    """Inverse of :func:`unpack_bits`: a 0/1 array of length 2^n → uint64 words (bit a in word a // 64)."""
    bits = np.asarray(bits, dtype=np.uint64).ravel()
    out = np.zeros(max(1, (bits.size + 63) // 64), np.uint64)
    for a in np.flatnonzero(bits):
        out[a >> 6] |= np.uint64(1) << np.uint64(a & 63)
    return out


@njit(cache=True)
def lz_phrases(s):
    """Kaspar–Schuster LZ76 complexity c(s): the number of phrases of the exhaustive history of ``s`` (uint8
    array, length ≥ 1). Each new phrase is the shortest extension not seen as a substring starting earlier."""
    n = s.size
    if n == 1:
        return 1
    c, ell, i, k, k_max = 1, 1, 0, 1, 1
    while True:
        if s[i + k - 1] == s[ell + k - 1]:
            k += 1
            if ell + k > n:
                c += 1
                break
        else:
            if k > k_max:
                k_max = k
            i += 1
            if i == ell:
                c += 1
                ell += k_max
                if ell + 1 > n:
                    break
                i, k, k_max = 0, 1, 1
            else:
                k = 1
    return c


@njit(cache=True)
def lz_complexity_bits(s):
    """K_LZ of a 0/1 uint8 string: log2 N · [c(s) + c(reverse s)]/2, log2 N for the constant strings."""
    n = s.size
    log_n = math.log2(n)
    first = s[0]
    constant = True
    for a in range(1, n):
        if s[a] != first:
            constant = False
            break
    if constant:
        return log_n
    return log_n * 0.5 * (lz_phrases(s) + lz_phrases(s[::-1].copy()))


@njit(cache=True)
def lz_complexity(functions, n):
    """K_LZ of each row of ``functions`` (uint64, one packed truth table of 2^n bits per row)."""
    out = np.empty(functions.shape[0])
    for r in range(functions.shape[0]):
        out[r] = lz_complexity_bits(unpack_bits(functions[r], 1 << n))
    return out


@njit(cache=True)
def _ones(words):
    total = 0
    for w in words:
        x = w
        while x:
            x &= x - np.uint64(1)
            total += 1
    return total


@njit(cache=True)
def ones(functions):
    """Number of inputs mapped to 1, per row of packed ``functions``."""
    out = np.empty(functions.shape[0], np.int64)
    for r in range(functions.shape[0]):
        out[r] = _ones(functions[r])
    return out


def bit_entropy(functions, n: int) -> np.ndarray:
    """Binary entropy in bits of each function's fraction of ones (0 for the constant functions)."""
    p = ones(np.atleast_2d(functions)) / float(1 << n)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return np.nan_to_num(h, nan=0.0)


@njit(cache=True)
def _neighbour_stats(functions, n):
    n_in = 1 << n
    sens = np.empty(functions.shape[0])
    crit = np.empty(functions.shape[0])
    for r in range(functions.shape[0]):
        bits = unpack_bits(functions[r], n_in)
        flips, critical = 0, 0
        for a in range(n_in):
            d = 0
            for i in range(n):
                d += bits[a] != bits[a ^ (1 << i)]
            flips += d
            critical += d > 0
        sens[r] = flips / n_in
        crit[r] = critical / n_in
    return sens, crit


def sensitivity(functions, n: int) -> np.ndarray:
    """Average sensitivity (1/2^n) Σ_x #{i : f(x ⊕ e_i) ≠ f(x)} of each row of packed ``functions``."""
    return _neighbour_stats(np.atleast_2d(functions), n)[0]


def critical_sample_ratio(functions, n: int) -> np.ndarray:
    """Fraction of inputs having a Hamming neighbour with the other output, per row of packed ``functions``."""
    return _neighbour_stats(np.atleast_2d(functions), n)[1]


def compressed_length(functions) -> np.ndarray:
    """zlib (level 9) length in bytes of each packed truth table (little-endian words)."""
    rows = np.atleast_2d(np.asarray(functions, dtype="<u8"))
    return np.array([len(zlib.compress(row.tobytes(), 9)) for row in rows], dtype=np.int64)
