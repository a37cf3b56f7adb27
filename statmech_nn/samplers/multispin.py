"""Multi-spin-coded checkerboard Metropolis for 64 independent replicas of the periodic 2-D Ising model (h = 0).

Bit r of a uint64 word is replica r's spin at that site (bit 1 = spin −1), so one word holds one site of all 64
replicas (Jacobs & Rebbi 1981; Bhanot, Duke & Salvador 1986). With J ≠ 0 and h = 0 a flip changes the energy by
ΔE = 4|J|(2 − u), u = the number of unsatisfied bonds (J s_i s_j < 0) at the site; the four "unsatisfied" words are
added bit-sliced into u = b0 + 2 b1 + 4 b2, and replica r flips

* always when u ≥ 2 (ΔE ≤ 0);
* with probability p4_r = e^{−4β_r|J|} when u = 1, p8_r = e^{−8β_r|J|} when u = 0 (Metropolis).

Acceptance is exact per replica, with its own random numbers: replica r draws a uniform U (bit r of successive
random words gives U's binary digits, most significant first) and accepts iff U < P_r, P_r = ⌊p_r 2⁶⁴⌋, so the
probability is P_r 2⁻⁶⁴ (the double p_r itself when p_r ≥ 2⁻¹², else within 2⁻⁶⁴). The comparison is lazy: at the
first digit where U and P_r differ the lane is decided, so a lane needs 2 digits on average (Knuth & Yao 1976).
Every site draws ``ROUNDS`` words vectorised over sites; the few sites with lanes still undecided (about 5 % at
T_c) continue scalar from the same stream. The digit masks M4[k], M8[k] (bit r = digit k of P4_r, P8_r) make the
comparison per lane, so every replica may have its own temperature at no extra cost (replicas sorted by β for
parallel tempering, or all equal).

Sharing one random number among replicas would couple them (they coalesce, as in coupling from the past); here
the bits of a word are independent, and replica r's bit stream is the r-th bit of xoshiro256++ outputs (Blackman
& Vigna 2021; ++ rather than + because its lowest bits, which replicas 0–2 would use, are not linear).

Layout (as :mod:`statmech_nn.samplers.checkerboard`): black sites (i + j even) and white sites in two (L, L/2)
arrays; column k of row i of colour c is site j = 2k + ((i + c) & 1). Row i owns ``LANES`` xoshiro256++ streams
(column k uses lane k mod LANES, black half-sweep before white), so rows of a half-sweep are independent and the
numbers are bit-identical for any partition of rows among Numba threads.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from ..errors import ParameterError
from ..rng import xoshiro256_advance
from ..threads import threads_for
from .checkerboard import _merge, _split

REPLICAS = 64
#: xoshiro256++ streams per lattice row (consecutive columns use consecutive lanes: the vectorised width).
LANES = 64
#: Random words every site draws vectorised; lanes still undecided after them (each with probability 2^-ROUNDS)
#: continue in the scalar fallback.
ROUNDS = 10

_U64 = np.uint64
_LOW = np.uint64(0x0101010101010101)
# Words between the scratch rows of different row blocks (keeps two threads' scratch in different cache lines).
_SEPARATE = 64


def replica_streams(seq: np.random.SeedSequence, L: int) -> np.ndarray:
    """uint64 (L, 4, LANES) xoshiro256++ states: row i's LANES streams (no lane all zero), drawn from ``seq``."""
    state = seq.generate_state(L * 4 * LANES, dtype=np.uint64).reshape(L, 4, LANES)
    state[:, 0] |= _U64(1)
    return np.ascontiguousarray(state)


def acceptance_masks(betas, J: float = 1.0) -> np.ndarray:
    """uint64 (2, 64) digit masks: bit r of ``masks[0, k]`` (``masks[1, k]``) is binary digit k + 1 (after the
    point) of P4_r = ⌊e^{−4β_r|J|} 2⁶⁴⌋ (P8_r = ⌊e^{−8β_r|J|} 2⁶⁴⌋), capped at 2⁶⁴ − 1.

    ``betas``: one inverse temperature (all replicas) or 64 of them (replica r at betas[r]), finite and ≥ 0."""
    b = np.broadcast_to(np.asarray(betas, dtype=np.float64), (REPLICAS,))
    if not (np.all(np.isfinite(b)) and np.all(b >= 0)):
        raise ParameterError("betas", betas, f"one or {REPLICAS} finite inverse temperatures >= 0")
    if not np.isfinite(J):
        raise ParameterError("J", J, "a finite coupling")
    masks = np.zeros((2, REPLICAS), np.uint64)
    for which, gap in enumerate((4.0, 8.0)):
        for r in range(REPLICAS):
            p = float(np.exp(-gap * b[r] * abs(J)))
            P = min(int(np.ldexp(p, 64)), 2**64 - 1)  # ldexp is exact, int() truncates: the floor
            for k in range(64):
                if (P >> (63 - k)) & 1:
                    masks[which, k] |= _U64(1 << r)
    return masks


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << _U64(k)) | (x >> _U64(64 - k))


@njit(cache=True, inline="always")
def _xoshiro_pp(a, b, e, d):
    """One xoshiro256++ step (Blackman & Vigna 2021) on the state (a, b, e, d): (output, new state)."""
    R = _rotl(a + d, 23) + a
    a, b, e, d = xoshiro256_advance(a, b, e, d)
    return R, a, b, e, d


@njit(cache=True)
def _classify(A, B, i, up, dn, side, flip_sense, one_out, ge2_out):
    """Per column k of row i: the replicas with u = 1 and with u ≥ 2 unsatisfied bonds (bit-sliced adder; the
    others have u = 0)."""
    for k in range(A.shape[1]):
        c = A[i, k]
        x1 = c ^ B[up, k] ^ flip_sense
        x2 = c ^ B[dn, k] ^ flip_sense
        x3 = c ^ B[i, k] ^ flip_sense
        x4 = c ^ side[k] ^ flip_sense
        s12 = x1 ^ x2
        s34 = x3 ^ x4
        b0 = s12 ^ s34
        ge2 = (x1 & x2) | (x3 & x4) | (s12 & s34)
        one_out[k] = b0 & ~ge2
        ge2_out[k] = ge2


@njit(cache=True)
def _draw(st, base, one_a, ge2_a, und_out, acc_out, m8, x48, c0, n):
    """Lanes l < n, columns c0 + l: ROUNDS digits of each replica's uniform against P4 (u = 1) or P8 (u = 0):
    digit r of its threshold is m8[r] ^ (x48[r] & one), x48 = m4 ^ m8; ``acc_out``: the replicas decided to flip,
    ``und_out``: those still undecided. Word w of lane l's state is
    st[base + w LANES + l]. Vectorised over l: unsigned indices (no negative-index wraparound, whose selects stop
    the vectoriser) into whole 1-D arrays (views would cost reference counting on every call)."""
    for j in range(n):
        k = _U64(c0 + j)
        l = _U64(base + j)
        one = one_a[k]
        und = ~ge2_a[k]  # u = 0 or 1: needs a uniform
        acc = _U64(0)
        a = st[l]
        b = st[l + _U64(LANES)]
        e = st[l + _U64(2 * LANES)]
        d = st[l + _U64(3 * LANES)]
        for r in range(ROUNDS):
            R, a, b, e, d = _xoshiro_pp(a, b, e, d)
            m = m8[r] ^ (one & x48[r])          # digit r of each replica's threshold
            acc |= und & m & ~R                 # first differing digit: U's is 0, P's is 1: U < P
            und &= ~(R ^ m)
        st[l] = a
        st[l + _U64(LANES)] = b
        st[l + _U64(2 * LANES)] = e
        st[l + _U64(3 * LANES)] = d
        und_out[k] = und
        acc_out[k] = acc


@njit(cache=True)
def _row(A, B, i, colour, st, m8, x48, flip_sense, side, one, ge2, und, acc):
    """Metropolis update of row i of sublattice A (colour 0 black, 1 white) given the other sublattice B. ``st``:
    every row's streams, flattened (row i's are st[4 LANES i:4 LANES (i + 1)]); ``m8``, ``x48``: the digit masks
    of P8 and of P4 ^ P8;
    ``flip_sense`` is all ones for J < 0 (a bond is unsatisfied when aligned); the other arrays (≥ W words) are
    scratch: the shifted neighbour row, then per column u = 1, u ≥ 2, undecided, accepted."""
    L, W = A.shape
    up = i - 1 if i > 0 else L - 1
    dn = i + 1 if i + 1 < L else 0
    if (i + colour) & 1 == 0:  # the horizontal neighbour not at B[i, k]: B[i, k - 1] or B[i, k + 1]
        side[0] = B[i, W - 1]
        for k in range(1, W):
            side[k] = B[i, k - 1]
    else:
        for k in range(W - 1):
            side[k] = B[i, k + 1]
        side[W - 1] = B[i, 0]
    _classify(A, B, i, up, dn, side, flip_sense, one, ge2)
    base = 4 * LANES * i
    for c0 in range(0, W, LANES):
        _draw(st, base, one, ge2, und, acc, m8, x48, c0, min(LANES, W - c0))
    for k in range(W):
        A[i, k] ^= ge2[k] | acc[k]
    for k in range(W):  # scalar fallback, lanes undecided after ROUNDS digits: the rest of the digits (rare)
        u = und[k]
        if u == _U64(0):
            continue
        l = base + k % LANES
        o = one[k]
        a = st[l]
        b = st[l + LANES]
        e = st[l + 2 * LANES]
        d = st[l + 3 * LANES]
        flips = _U64(0)
        r = ROUNDS
        while u != _U64(0) and r < 64:
            R, a, b, e, d = _xoshiro_pp(a, b, e, d)
            m = m8[r] ^ (o & x48[r])
            flips |= u & m & ~R
            u &= ~(R ^ m)
            r += 1
        st[l] = a
        st[l + LANES] = b
        st[l + 2 * LANES] = e
        st[l + 3 * LANES] = d
        A[i, k] ^= flips  # a lane whose 64 digits all equal P_r has U = P_r: rejected


@njit(cache=True)
def _sweep_rows(black, white, st, digits, flip_sense, scratch, i0, i1, interior):
    """``interior``: black rows [i0, i1), each followed by the white row above it once that row's three black
    neighbours are done (white rows i0 + 1 … i1 − 2: one pass over the rows, so they are still in cache);
    otherwise the white rows i0 and i1 − 1, whose black neighbours lie in other blocks. Every row reads its
    neighbours in the same state as in two separate half-sweeps, so the numbers are those of that order.
    ``digits`` (3, 64): the digit masks of P4, P8 and P4 ^ P8; the array views are made once here, not per row."""
    m8 = digits[1]
    x48 = digits[2]
    side = scratch[0]
    one = scratch[1]
    ge2 = scratch[2]
    und = scratch[3]
    acc = scratch[4]
    if interior:
        for i in range(i0, i1):
            _row(black, white, i, 0, st, m8, x48, flip_sense, side, one, ge2, und, acc)
            if i >= i0 + 2:
                _row(white, black, i - 1, 1, st, m8, x48, flip_sense, side, one, ge2, und, acc)
    else:
        _row(white, black, i0, 1, st, m8, x48, flip_sense, side, one, ge2, und, acc)
        if i1 - 1 > i0:
            _row(white, black, i1 - 1, 1, st, m8, x48, flip_sense, side, one, ge2, und, acc)


@njit(cache=True, parallel=True)
def _sweep_blocks(black, white, st, digits, flip_sense, scratch, interior):
    """:func:`_sweep_rows` in scratch.shape[0] contiguous row blocks, one per thread."""
    L = black.shape[0]
    nb = scratch.shape[0]
    for blk in prange(nb):
        _sweep_rows(black, white, st, digits, flip_sense, scratch[blk], blk * L // nb, (blk + 1) * L // nb,
                    interior)


@njit(cache=True)
def _count_bits(x, n, counts, weight):
    """counts[r] += weight × (the number of words x[:n] with bit r set). Byte j of accumulator q counts bit
    8j + q, flushed every 255 words (before a byte can overflow); scalar accumulators, so the loop vectorises."""
    for start in range(0, n, 255):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = _U64(0)
        block = x[start:min(n, start + 255)]  # a view from 0: indices provably >= 0, so the loop vectorises
        for k in range(block.shape[0]):
            w = block[k]
            a0 += w & _LOW
            a1 += (w >> _U64(1)) & _LOW
            a2 += (w >> _U64(2)) & _LOW
            a3 += (w >> _U64(3)) & _LOW
            a4 += (w >> _U64(4)) & _LOW
            a5 += (w >> _U64(5)) & _LOW
            a6 += (w >> _U64(6)) & _LOW
            a7 += (w >> _U64(7)) & _LOW
        for q, v in enumerate((a0, a1, a2, a3, a4, a5, a6, a7)):
            for j in range(8):
                counts[8 * j + q] += weight * np.int64((v >> _U64(8 * j)) & _U64(255))


@njit(cache=True)
def _observables(black, white, J, energy, magnetization):
    """Per replica r: energy[r] = E_r/L² = −J (2L² − 2 a_r)/L² with a_r its anti-aligned bonds (each bond has one
    black end; on L = 2 the two bonds of a pair count separately), magnetization[r] = M_r/L² = 1 − 2 (down)/L²."""
    L, W = black.shape
    anti = np.zeros(REPLICAS, np.int64)
    down = np.zeros(REPLICAS, np.int64)
    rows = max(1, min(L, 4096 // W))  # rows per block: long arrays amortise the counters' flushes
    planes = np.empty((3, rows * W), np.uint64)  # a black site's anti-aligned neighbours u = b0 + 2 b1 + 4 b2
    for i0 in range(0, L, rows):
        i1 = min(L, i0 + rows)
        for i in range(i0, i1):
            up = i - 1 if i > 0 else L - 1
            dn = i + 1 if i + 1 < L else 0
            shift = W - 1 if i & 1 == 0 else 1  # black column k's other horizontal neighbour: white[i, k ∓ 1]
            o = (i - i0) * W
            for k in range(W):
                c = black[i, k]
                x1 = c ^ white[up, k]
                x2 = c ^ white[dn, k]
                x3 = c ^ white[i, k]
                kk = k + shift
                x4 = c ^ white[i, kk - W if kk >= W else kk]
                s12 = x1 ^ x2
                c12 = x1 & x2
                s34 = x3 ^ x4
                c34 = x3 & x4
                cc = s12 & s34
                planes[0, o + k] = s12 ^ s34
                planes[1, o + k] = c12 ^ c34 ^ cc
                planes[2, o + k] = (c12 & c34) | (cc & (c12 ^ c34))
        n_words = (i1 - i0) * W
        _count_bits(planes[0], n_words, anti, 1)
        _count_bits(planes[1], n_words, anti, 2)
        _count_bits(planes[2], n_words, anti, 4)
    _count_bits(black.ravel(), L * W, down, 1)
    _count_bits(white.ravel(), L * W, down, 1)
    n = L * L
    for r in range(REPLICAS):
        energy[r] = -J * (2.0 * n - 2.0 * anti[r]) / n
        magnetization[r] = 1.0 - 2.0 * down[r] / n


@njit(cache=True)
def _chunk(words, streams, masks, J, sweeps_per_row, energy_out, magnetization_out, threads):
    L = words.shape[0]
    if words.shape[1] != L or L < 2 or L % 2 != 0:
        raise ValueError("words must be an L x L array with L even and >= 2")
    if streams.shape[0] != L or streams.shape[1] != 4 or streams.shape[2] != LANES:
        raise ValueError("streams must have shape (L, 4, LANES)")
    if masks.shape[0] != 2 or masks.shape[1] != 64:
        raise ValueError("masks must have shape (2, 64)")
    if energy_out.shape != magnetization_out.shape or energy_out.shape[1] != REPLICAS:
        raise ValueError("energy_out and magnetization_out must both have shape (rows, 64)")
    W = L // 2
    black = np.empty((L, W), np.uint64)
    white = np.empty((L, W), np.uint64)
    _split(words, black, white)
    flip_sense = _U64(0xFFFFFFFFFFFFFFFF) if J < 0 else _U64(0)
    st = streams.reshape(L * 4 * LANES)
    nb = max(1, min(threads, L // 8))
    scratch = np.zeros((nb, 5, W + _SEPARATE), np.uint64)
    digits = np.empty((3, 64), np.uint64)  # P4, P8 and P4 ^ P8 digit masks
    digits[:2] = masks
    digits[2] = masks[0] ^ masks[1]
    for row in range(energy_out.shape[0]):
        for _ in range(sweeps_per_row):
            if nb == 1:
                _sweep_rows(black, white, st, digits, flip_sense, scratch[0], 0, L, True)
                _sweep_rows(black, white, st, digits, flip_sense, scratch[0], 0, L, False)
            else:  # every black row and the interior white rows, then (after the blocks meet) the edge rows
                _sweep_blocks(black, white, st, digits, flip_sense, scratch, True)
                _sweep_blocks(black, white, st, digits, flip_sense, scratch, False)
        _observables(black, white, J, energy_out[row], magnetization_out[row])
    _merge(black, white, words)


def multispin_chunk(words, streams, masks, J, sweeps_per_row, energy_out, magnetization_out) -> None:
    """Advance 64 replicas of the periodic L×L Ising model (H = −J Σ<ij> s_i s_j, h = 0) by
    ``len(energy_out) * sweeps_per_row`` checkerboard Metropolis sweeps (black sites, then white), writing each
    replica's E/L² and M/L² after every ``sweeps_per_row`` sweeps into the next row of ``energy_out`` /
    ``magnetization_out`` (float64 (rows, 64), rows may be 0).

    ``words``: uint64 (L, L), L even, bit r = 1 where replica r has spin −1; ``streams``: uint64 (L, 4, LANES)
    from :func:`replica_streams`; ``masks``: :func:`acceptance_masks` of the replicas' β and this J. Both arrays
    are updated in place, so consecutive calls continue the chains bit for bit. Sweeps run in row blocks on
    min(Numba threads, L/8) threads; the numbers do not depend on that number.
    """
    _chunk(words, streams, masks, float(J), int(sweeps_per_row), energy_out, magnetization_out,
           numba.get_num_threads())


def sweep_work(L: int) -> int:
    """Word operations of one sweep (nearly all in one parallel region: L² site words, ~200 operations each,
    mostly the ROUNDS random words), for :func:`statmech_nn.threads.threads_for`."""
    return 200 * L * L


def unpack(words: np.ndarray) -> np.ndarray:
    """int8 (64, *words.shape) spins ±1 of each replica (bit r of a word = 1 where replica r has spin −1)."""
    bits = (words[None, ...] >> np.arange(REPLICAS, dtype=np.uint64).reshape((-1,) + (1,) * words.ndim)) & 1
    return (1 - 2 * bits).astype(np.int8)


def pack(spins: np.ndarray) -> np.ndarray:
    """The inverse of :func:`unpack`: uint64 words from int8 (64, ...) spins ±1."""
    bits = (np.asarray(spins) < 0).astype(np.uint64)
    return np.bitwise_or.reduce(bits << np.arange(REPLICAS, dtype=np.uint64).reshape((-1,) + (1,) * (bits.ndim - 1)),
                                axis=0)


#: Per-replica rows of the ``multispin`` runs: E/L² and M/L² of each of the 64 replicas.
REPLICA_OBSERVABLES = {"energy": (np.float64, (REPLICAS,), ("replica",)),
                       "magnetization": (np.float64, (REPLICAS,), ("replica",))}
SWEEPS, ROWS = range(2)


@dataclass(frozen=True)
class IsingReplicas:
    """64 independent Metropolis chains of the periodic L×L Ising model (h = 0), all at temperature T, advanced
    together by :func:`multispin_chunk`; same interface as :class:`statmech_nn.samplers.ising.IsingChain`.

    State: ``words`` uint64 (L, L) (bit r = replica r, 1 = spin −1), ``streams`` uint64 (L, 4, LANES),
    ``counters`` int64 [sweeps done (burn-in included), rows measured]. ``start="random"`` gives every replica its
    own random spins; ``"ordered"`` all spins +1. ``seed`` is a SeedSequence."""

    L: int
    T: float
    sweeps: int
    seed: np.random.SeedSequence
    J: float = 1.0
    burn_in: int = 0
    measure_every: int = 1
    start: str = "random"

    observables = REPLICA_OBSERVABLES

    @property
    def n_rows(self) -> int:
        return self.sweeps // self.measure_every

    @property
    def n_burn_in(self) -> int:
        return self.burn_in

    def init_state(self) -> dict[str, np.ndarray]:
        config_seq, kernel_seq = self.seed.spawn(2)
        if self.start == "ordered":
            words = np.zeros((self.L, self.L), np.uint64)
        else:
            words = np.random.Generator(np.random.PCG64(config_seq)).integers(
                0, 2**64, size=(self.L, self.L), dtype=np.uint64)
        return {"words": words, "streams": replica_streams(kernel_seq, self.L),
                "counters": np.zeros(2, np.int64)}

    def _run(self, state, sweeps_per_row: int, energy: np.ndarray, magnetization: np.ndarray) -> None:
        with threads_for(sweep_work(self.L)):
            multispin_chunk(state["words"], state["streams"], acceptance_masks(1.0 / self.T, self.J), self.J,
                            sweeps_per_row, energy, magnetization)

    def burn(self, state, n: int) -> None:
        """Run ``n`` burn-in sweeps."""
        scratch = np.empty((1, REPLICAS))
        self._run(state, n, scratch, scratch.copy())
        state["counters"][SWEEPS] += n

    def measure(self, state, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Measure ``n`` rows (each replica's e and m), one every ``measure_every`` sweeps, stamped with the sweeps
        done so far."""
        counters = state["counters"]
        done = int(counters[SWEEPS])
        energy, magnetization = np.empty((n, REPLICAS)), np.empty((n, REPLICAS))
        self._run(state, self.measure_every, energy, magnetization)
        steps = done + self.measure_every * np.arange(1, n + 1, dtype=np.int64)
        counters[SWEEPS] += n * self.measure_every
        counters[ROWS] += n
        return {"energy": (steps, energy), "magnetization": (steps, magnetization)}
