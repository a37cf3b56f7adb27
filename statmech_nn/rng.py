"""Explicit, checkpointable random streams.

Every chain owns its generator state as a plain numpy array, so that a kernel's output is a function of
(state, settings) only: independent of threads, workers and of where a run was interrupted and resumed.
Numba's global ``np.random`` is never used inside kernels (it is per-thread and unseeded from Python).

Two generators (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021):

* ``xoshiro256**`` — one 64-bit stream, state ``uint64[4]``; used by scalar kernels (cluster algorithms).
* ``xoshiro128+`` lanes — ``uint32[4, n_lanes]``, one independent stream per SIMD lane; used by the
  vectorised checkerboard kernels. The low bits of xoshiro128+ are weak, so only comparisons of the full
  32-bit word against thresholds are made with it (the top bits decide).

Seeding goes through :class:`numpy.random.SeedSequence`: a run's root seed, with child streams keyed by
chain or sweep-point index (``spawn_key``), never by worker or thread.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .errors import ParameterError

_U64 = np.uint64


def seed_sequence(seed, *key: int) -> np.random.SeedSequence:
    """The stream for ``seed`` (a non-negative int, or a SeedSequence such as a sweep point's) extended by the
    index path ``key`` (e.g. sweep point, chain, layer)."""
    key = tuple(int(k) for k in key)
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("seed", seed, "a non-negative integer or a numpy SeedSequence")
    return np.random.SeedSequence(entropy=int(seed), spawn_key=key)


def xoshiro256_state(seq: np.random.SeedSequence) -> np.ndarray:
    """A ``uint64[4]`` xoshiro256** state drawn from ``seq`` (never all zero)."""
    state = seq.generate_state(4, dtype=np.uint64)
    if not state.any():  # pragma: no cover - probability 2**-256
        state[0] = 1
    return state


def xoshiro256_states(seed, n: int, *key: int) -> np.ndarray:
    """``(n, 4)`` uint64 xoshiro256** states, one per chain; chain c is keyed by (``key``, c), never by thread."""
    return np.stack([xoshiro256_state(seed_sequence(seed, *key, c)) for c in range(n)]).reshape(n, 4)


def xoshiro128_lanes(seq: np.random.SeedSequence, n_lanes: int) -> np.ndarray:
    """A ``uint32[4, n_lanes]`` array of xoshiro128+ lane states (each lane nonzero)."""
    state = seq.generate_state(4 * n_lanes, dtype=np.uint32).reshape(4, n_lanes)
    state[0] |= np.uint32(1)  # a lane whose four words are all zero would stay zero forever
    return np.ascontiguousarray(state)


@njit(cache=True, inline="always")
def _rotl64(x, k):
    return (x << _U64(k)) | (x >> _U64(64 - k))


@njit(cache=True, inline="always")
def xoshiro256_advance(s0, s1, s2, s3):
    """The linear state transition shared by xoshiro256** and xoshiro256++ (Blackman & Vigna 2021): the new words."""
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    return s0, s1, s2, _rotl64(s3, 45)


@njit(cache=True, inline="always")
def xoshiro256_step(s0, s1, s2, s3):
    """One xoshiro256** step on a state held in four words: (64 random bits, the new words). For hot loops that
    keep a state in registers; :func:`next_u64` is the same step on an array."""
    result = _rotl64(s1 * _U64(5), 7) * _U64(9)
    s0, s1, s2, s3 = xoshiro256_advance(s0, s1, s2, s3)
    return result, s0, s1, s2, s3


@njit(cache=True)
def next_u64(s):
    """Advance the xoshiro256** state ``s`` (uint64[4]) in place and return 64 random bits."""
    result, s[0], s[1], s[2], s[3] = xoshiro256_step(s[0], s[1], s[2], s[3])
    return result


@njit(cache=True)
def next_double(s):
    """A uniform double in [0, 1) with 53 random bits."""
    return np.float64(next_u64(s) >> _U64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def next_below(s, n):
    """A uniform integer in [0, n), unbiased: words below 2**64 mod n are rejected (as arc4random_uniform)."""
    n64 = _U64(n)
    threshold = (_U64(0) - n64) % n64
    while True:
        x = next_u64(s)
        if x >= threshold:
            return np.int64(x % n64)


@njit(cache=True)
def permutation(n, s):
    """A uniformly random permutation of range(n) (Fisher–Yates) from the xoshiro256** state ``s``."""
    p = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = next_below(s, i + 1)
        p[i], p[j] = p[j], p[i]
    return p
