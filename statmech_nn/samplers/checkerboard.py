"""Checkerboard Metropolis and heat-bath sweeps for the periodic square-lattice Ising model.

H = -J Σ_i s_i (s_{i+x̂} + s_{i+ŷ}) - h Σ_i s_i (see :mod:`statmech_nn.models.ising`). Flipping site i changes the
energy by ΔE = 2 s_i (J n_i + h), with n_i the sum of its four neighbour slots (on L = 2 the slots repeat, matching
the doubled bonds of that lattice).

Layout (as in the C anchor ``ising_checkerboard_simd.c``): the black sites (i + j even) and the white sites are
copied into two int8 arrays of L rows; column k < L/2 of row i of a sublattice is the site j = 2k + p,
p = (i + colour) & 1, colour 0 = black, 1 = white. Lane k of the xoshiro128+ state ``uint32[4, L/2]`` draws the word
for column k, rows in order, black half-sweep then white half-sweep, so every lane advances 2L times per sweep.

Rows of one colour depend only on the other sublattice. On nb > 1 threads a sweep is one parallel region of row
blocks [r_b, r_{b+1}): block b updates a few black rows, then the white rows whose three black neighbours are now
done (white rows r_b + 1 … r_{b+1} - 2, while the rows are in cache); the white rows r_b and r_{b+1} - 1, which
border another block, follow serially. Block b needs lane k's state after r_b draws (black) and after L + r_b + 1
(white): xoshiro128+ is linear over GF(2), so that is M^d s for the 128×128 bit matrix M of one step (Blackman &
Vigna 2021, "Scrambled linear pseudorandom number generators", on jumping these generators), applied through byte
tables, 16 lookups per lane. The edge rows continue lanes the blocks leave (row 0 the last block's black lanes, at
L draws; rows r_{b+1} - 1 and r_{b+1} block b's white lanes), and the last one, row L - 1, leaves the state after 2L
draws. Every site thus gets the same word as in the serial order (kept on one thread: no jumps), so the numbers are
bit-identical for any thread count.

Acceptance is branchless: site i flips iff min(r, 2³² - 2) < t(s_i, n_i) for the lane's 32-bit word r, so the flip
probability is t / 2³² exactly, and t = 2³² - 1 means "always" (probability 1 moves are never rejected).
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

_U32 = np.uint32
_ALWAYS = 0xFFFFFFFF
_CAP = np.uint32(0xFFFFFFFE)
_LOW32 = np.uint64(0xFFFFFFFF)
# Sublattice rows (and the lanes) are padded with dummy columns to a multiple of _PAD, at least 2 _PAD, so that the
# update loop always runs LLVM's vectorised path: short rows (L/2 < 24) and the tail of a row otherwise fall back to a
# scalar loop whose selects become unpredictable branches (~10 ns per site). Dummy columns never feed real sites.
_PAD = 16
# Bytes between the scratch rows of different blocks: rows of one thread's lanes and buffer that sit close to
# another thread's slowed two threads to 1.2x of one (cache-line traffic between the cores).
_SEPARATE = 4096
#: Fewest rows per parallel block.
MIN_BLOCK_ROWS = 16
# A block's jump costs about as much as this many rows of updates at L = 1024 (3.6 µs vs 0.2 µs per row, measured).
JUMP_ROWS = 18
# Black rows per step of a block's pass (then the white rows they complete): one row per step costs ~8 % more.
_GROUP = 16


@njit(cache=True)
def _flip_thresholds(beta, J, h, heat_bath):
    """uint32 t[a, b] for s = 1 - 2a and n = 2b - 4 with flip probability P(s, n), y = 2β s (J n + h):
    Metropolis P = min(1, e^{-y}); heat bath P = 1 / (1 + e^{y}) (the probability that s ends opposite, i.e. the new
    spin is +1 with probability 1 / (1 + e^{-2β (J n + h)})). t = round(P 2³²), or 2³² - 1 ("always") when that
    rounds to 2³² - 1 or more."""
    thr = np.empty((2, 5), np.uint32)
    for a in range(2):
        s = 1.0 - 2.0 * a
        for b in range(5):
            y = 2.0 * beta * s * (J * (2 * b - 4) + h)
            p = 1.0 / (1.0 + np.exp(y)) if heat_bath else min(1.0, np.exp(-y))
            t = np.floor(p * 4294967296.0 + 0.5)
            thr[a, b] = _ALWAYS if t >= 4294967295.0 else np.uint32(t)
    return thr


@njit(cache=True)
def _padded_width(H):
    """Columns of the working arrays for H = L/2 real ones."""
    return max(2 * _PAD, (H + _PAD - 1) // _PAD * _PAD)


@njit(cache=True)
def _split(spins, black, white):
    L = spins.shape[0]
    for i in range(L):
        p = i & 1
        for k in range(L // 2):
            black[i, k] = spins[i, 2 * k + p]
            white[i, k] = spins[i, 2 * k + 1 - p]


@njit(cache=True)
def _merge(black, white, spins):
    L = spins.shape[0]
    for i in range(L):
        p = i & 1
        for k in range(L // 2):
            spins[i, 2 * k + p] = black[i, k]
            spins[i, 2 * k + 1 - p] = white[i, k]


@njit(cache=True)
def _half_sweep(A, B, H, colour, s0, s1, s2, s3, thr, tmp, i0, i1):
    """Update rows [i0, i1) of sublattice A (colour 0 black, 1 white) given the other sublattice B; columns H and
    up are padding. The row shift is written out here: a helper with branches and array arguments costs an atomic
    reference count per call."""
    L, W = A.shape
    tp4, tp2, tp0, tq2, tq4 = thr[0, 0], thr[0, 1], thr[0, 2], thr[0, 3], thr[0, 4]  # s = +1, n = -4 ... 4
    tm4, tm2, tm0, tn2, tn4 = thr[1, 0], thr[1, 1], thr[1, 2], thr[1, 3], thr[1, 4]  # s = -1
    for i in range(i0, i1):
        up = i - 1 if i > 0 else L - 1
        dn = i + 1 if i + 1 < L else 0
        if (i + colour) & 1 == 0:  # tmp[k] = the horizontal neighbour not at B[i, k]: B[i, k - 1] or B[i, k + 1]
            tmp[0] = B[i, H - 1]
            for k in range(1, H):
                tmp[k] = B[i, k - 1]
        else:
            for k in range(H - 1):
                tmp[k] = B[i, k + 1]
            tmp[H - 1] = B[i, 0]
        for k in range(W):  # vectorised: xoshiro128+ per lane, then a select on (s, n)
            x0 = s0[k]
            x1 = s1[k]
            x2 = s2[k]
            x3 = s3[k]
            r = _U32(x0 + x3)
            t = _U32(x1 << _U32(9))
            x2 ^= x0
            x3 ^= x1
            x1 ^= x2
            x0 ^= x3
            x2 ^= t
            x3 = _U32(x3 << _U32(11)) | (x3 >> _U32(21))
            s0[k] = x0
            s1[k] = x1
            s2[k] = x2
            s3[k] = x3
            s = A[i, k]
            n = np.int8(B[up, k] + B[dn, k] + B[i, k] + tmp[k])
            tp = tp4 if n == -4 else (tp2 if n == -2 else (tp0 if n == 0 else (tq2 if n == 2 else tq4)))
            tm = tm4 if n == -4 else (tm2 if n == -2 else (tm0 if n == 0 else (tn2 if n == 2 else tn4)))
            th = tp if s > 0 else tm
            A[i, k] = -s if min(r, _CAP) < th else s


@njit(cache=True)
def jump_tables(distances):
    """uint64 tables[b, p, v, :] = M^d (v << 8(p mod 4)) in word p // 4, for d = distances[b] (non-decreasing,
    ≥ 0): the xoshiro128+ state d steps after the 128-bit state whose only nonzero byte is byte p = v, words 0 | 1 << 32
    and 2 | 3 << 32 (two loads per lookup instead of four: the jump takes 60 % of the time); by linearity, the
    state d steps after s is the XOR over p of tables[b, p, byte p of s]."""
    cols = np.zeros((4, 128), np.uint32)  # column j: bit j % 32 of word j // 32, then advanced
    for j in range(128):
        cols[j // 32, j] = np.uint32(1) << np.uint32(j % 32)
    x0, x1, x2, x3 = cols[0], cols[1], cols[2], cols[3]
    tables = np.zeros((distances.shape[0], 16, 256, 2), np.uint64)
    done = 0
    for b in range(distances.shape[0]):
        for _ in range(distances[b] - done):
            for j in range(128):
                t = _U32(x1[j] << _U32(9))
                x2[j] ^= x0[j]
                x3[j] ^= x1[j]
                x1[j] ^= x2[j]
                x0[j] ^= x3[j]
                x2[j] ^= t
                x3[j] = _U32(x3[j] << _U32(11)) | (x3[j] >> _U32(21))
        done = distances[b]
        for p in range(16):
            for bit in range(8):
                step = 1 << bit
                j = 8 * p + bit
                lo = np.uint64(cols[0, j]) | (np.uint64(cols[1, j]) << np.uint64(32))
                hi = np.uint64(cols[2, j]) | (np.uint64(cols[3, j]) << np.uint64(32))
                for v in range(step, 2 * step):
                    tables[b, p, v, 0] = tables[b, p, v - step, 0] ^ lo
                    tables[b, p, v, 1] = tables[b, p, v - step, 1] ^ hi
    return tables


@njit(cache=True)
def jump_lanes(table, src, dst, n):
    """dst[:, k] = the state of lane src[:, k] after the table's distance (see :func:`jump_tables`), k < n."""
    for k in range(n):
        lo = np.uint64(0)
        hi = np.uint64(0)
        for w in range(4):
            word = src[w, k]
            for byte in range(4):
                v = (word >> _U32(8 * byte)) & _U32(255)
                p = 4 * w + byte
                lo ^= table[p, v, 0]
                hi ^= table[p, v, 1]
        dst[0, k] = _U32(lo & _LOW32)
        dst[1, k] = _U32(lo >> np.uint64(32))
        dst[2, k] = _U32(hi & _LOW32)
        dst[3, k] = _U32(hi >> np.uint64(32))


@njit(cache=True)
def _sweep_rows(black, white, H, lanes, thr, tmp, i0, i1):
    """Black rows [i0, i1) with lanes[0] and the white rows i0 + 1 … i1 - 2 with lanes[1], in one pass: _GROUP black
    rows, then the white rows whose three black neighbours are now done, so the rows are still in cache. Every row
    reads its neighbours as in two separate half-sweeps; the white rows i0 and i1 - 1 are left out."""
    b0, b1, b2, b3 = lanes[0, 0], lanes[0, 1], lanes[0, 2], lanes[0, 3]
    w0, w1, w2, w3 = lanes[1, 0], lanes[1, 1], lanes[1, 2], lanes[1, 3]
    for i in range(i0, i1, _GROUP):
        j = min(i + _GROUP, i1)
        _half_sweep(black, white, H, 0, b0, b1, b2, b3, thr, tmp, i, j)
        _half_sweep(white, black, H, 1, w0, w1, w2, w3, thr, tmp, max(i - 1, i0 + 1), j - 1)


@njit(cache=True, parallel=True)
def _sweep_blocks(black, white, H, state, blocks, starts, tables, thr, tmps):
    """:func:`_sweep_rows` in nb = len(blocks) row blocks [r_b, r_{b+1}) = [starts[b], starts[b + 1]), one per
    thread: block b's black lanes are ``state`` jumped by r_b draws (``tables[b - 1]``, none for b = 0), its white
    lanes by L + r_b + 1 (``tables[nb - 1 + b]``)."""
    W = state.shape[1]
    nb = blocks.shape[0]
    for b in prange(nb):
        lanes = blocks[b]
        if b == 0:
            for w in range(4):
                for k in range(W):
                    lanes[0, w, k] = state[w, k]
        else:
            jump_lanes(tables[b - 1], state, lanes[0], W)
        jump_lanes(tables[nb - 1 + b], state, lanes[1], W)
        _sweep_rows(black, white, H, lanes, thr, tmps[b], starts[b], starts[b + 1])


@njit(cache=True)
def _edge_rows(black, white, H, state, blocks, starts, thr, tmp):
    """The white rows left out by :func:`_sweep_blocks`, in stream order: row 0 continues the last block's black
    lanes (L draws on), rows r_{b+1} - 1 and r_{b+1} (r_nb - 1 = L - 1 alone) block b's white lanes (L + r_{b+1} - 1
    draws on); the last block's white lanes then hold the state after the sweep's 2L draws, copied to ``state``."""
    L, W = black.shape
    nb = blocks.shape[0]
    first = blocks[nb - 1, 0]
    _half_sweep(white, black, H, 1, first[0], first[1], first[2], first[3], thr, tmp, starts[0], starts[0] + 1)
    for b in range(nb):
        lanes = blocks[b, 1]
        _half_sweep(white, black, H, 1, lanes[0], lanes[1], lanes[2], lanes[3], thr, tmp,
                    starts[b + 1] - 1, min(starts[b + 1] + 1, L))
    for w in range(4):
        for k in range(W):
            state[w, k] = blocks[nb - 1, 1, w, k]


def half_sweep_work(L: int) -> int:
    """Multiply-adds of one half-sweep, L²/2 sites with four neighbours each: the work
    :func:`statmech_nn.threads.threads_for` weighs (a sweep's one parallel region does two)."""
    return 2 * L * L


@njit(cache=True)
def _bond_spin_sums(black, white, H, i0, i1):
    """(Σ s_i s_j over the bonds with a black end in rows [i0, i1), Σ s over those rows) from the sublattices
    (columns < H): every bond has exactly one black end."""
    L = black.shape[0]
    bonds = 0
    mag = 0
    for i in range(i0, i1):
        up = i - 1 if i > 0 else L - 1
        dn = i + 1 if i + 1 < L else 0
        for k in range(H):
            b = np.int64(black[i, k])
            bonds += b * (np.int64(white[up, k]) + np.int64(white[dn, k]) + np.int64(white[i, k]))
            mag += b + np.int64(white[i, k])
        if i & 1 == 0:  # black columns 2k, white 2k + 1: the remaining neighbour is white[i, k - 1]
            bonds += np.int64(black[i, 0]) * np.int64(white[i, H - 1])
            for k in range(1, H):
                bonds += np.int64(black[i, k]) * np.int64(white[i, k - 1])
        else:
            for k in range(H - 1):
                bonds += np.int64(black[i, k]) * np.int64(white[i, k + 1])
            bonds += np.int64(black[i, H - 1]) * np.int64(white[i, 0])
    return bonds, mag


@njit(cache=True, parallel=True)
def _bond_spin_sums_blocks(black, white, H, nb):
    """:func:`_bond_spin_sums` over all rows in nb row blocks on the Numba threads (integer sums: exact)."""
    L = black.shape[0]
    bonds = 0
    mag = 0
    for b in prange(nb):
        block_bonds, block_mag = _bond_spin_sums(black, white, H, b * L // nb, (b + 1) * L // nb)
        bonds += block_bonds
        mag += block_mag
    return bonds, mag


@njit(cache=True)
def _energy_magnetization(black, white, H, J, h, nb):
    """(E/L², M/L²), E = -J Σ_<ij> s_i s_j - h M; in nb row blocks on the Numba threads if nb > 1 (one parallel
    region costs more than the whole sum on a small lattice)."""
    L = black.shape[0]
    if nb > 1:
        bonds, mag = _bond_spin_sums_blocks(black, white, H, nb)
    else:
        bonds, mag = _bond_spin_sums(black, white, H, 0, L)
    n = L * L
    return (-J * bonds - h * mag) / n, mag / n


def checkerboard_chunk(spins, lanes, beta, J, h, heat_bath, sweeps_per_row, energy_out, magnetization_out):
    """Advance a periodic L×L Ising lattice (H = -J Σ<ij> s_i s_j - h Σ s_i) by len(energy_out)*sweeps_per_row
    checkerboard sweeps; after every `sweeps_per_row` sweeps write energy per spin E/L² and magnetization per spin
    M/L² into the next slot of energy_out / magnetization_out (float64 arrays of equal length, may be length 0).

    A sweep updates the black sites (i + j even), then the white ones. Metropolis flips s with probability
    min(1, e^{-βΔE}), ΔE = 2s(J n + h), n = Σ of the four neighbours; heat bath (``heat_bath=True``) sets s = +1 with
    probability 1 / (1 + e^{-2β(J n + h)}). ``spins`` (int8 ±1, C-contiguous (L, L), L even ≥ 2) and ``lanes``
    (xoshiro128+ ``uint32[4, L/2]``, see :func:`statmech_nn.rng.xoshiro128_lanes`) are updated in place, so
    consecutive calls continue the same chain bit for bit. Each sweep runs in min(threads, L // MIN_BLOCK_ROWS) row
    blocks on the Numba threads (wrap calls in :func:`statmech_nn.threads.threads_for` with
    :func:`half_sweep_work` to keep small lattices on one); the result does not depend on that number.
    """
    _chunk(spins, lanes, beta, J, h, heat_bath, sweeps_per_row, energy_out, magnetization_out,
           numba.get_num_threads())


@njit(cache=True)
def _chunk(spins, lanes, beta, J, h, heat_bath, sweeps_per_row, energy_out, magnetization_out, threads):
    L = spins.shape[0]
    if spins.shape[1] != L or L < 2 or L % 2 != 0:
        raise ValueError("spins must be an L x L array with L even and >= 2")
    if lanes.shape[0] != 4 or lanes.shape[1] != L // 2:
        raise ValueError("lanes must have shape (4, L // 2)")
    if magnetization_out.shape[0] != energy_out.shape[0]:
        raise ValueError("energy_out and magnetization_out must have the same length")
    if not (np.isfinite(beta) and np.isfinite(J) and np.isfinite(h)):
        raise ValueError("beta, J and h must be finite")
    H = L // 2
    W = _padded_width(H)
    thr = _flip_thresholds(beta, J, h, heat_bath)
    black = np.ones((L, W), np.int8)
    white = np.ones((L, W), np.int8)
    tmp = np.zeros(W, np.int8)
    state = np.zeros((4, W), np.uint32)
    state[:, :H] = lanes
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    _split(spins, black, white)
    nb = max(1, min(threads, L // MIN_BLOCK_ROWS))
    extra = min(JUMP_ROWS // 2, L // (2 * nb))  # block 0 jumps one set of lanes, the others two: it takes more rows
    starts = np.full(nb + 1, L, np.int64)
    for b in range(1, nb):
        starts[b] = extra + b * ((L - extra) // nb)
    starts[0] = 0
    distances = np.empty(2 * nb - 1, np.int64)  # the black lanes of blocks 1 … nb - 1, then every block's white
    distances[:nb - 1] = starts[1:nb]
    distances[nb - 1:] = L + 1 + starts[:nb]
    tables = jump_tables(distances if nb > 1 else distances[:0])
    blocks = np.zeros((nb, 2, 4, W + _SEPARATE // 4), np.uint32)
    tmps = np.zeros((nb, W + _SEPARATE), np.int8)
    for row in range(energy_out.shape[0]):
        for _ in range(sweeps_per_row):
            if nb == 1:
                _half_sweep(black, white, H, 0, s0, s1, s2, s3, thr, tmp, 0, L)
                _half_sweep(white, black, H, 1, s0, s1, s2, s3, thr, tmp, 0, L)
            else:
                _sweep_blocks(black, white, H, state, blocks, starts, tables, thr, tmps)
                _edge_rows(black, white, H, state, blocks, starts, thr, tmp)
        energy_out[row], magnetization_out[row] = _energy_magnetization(black, white, H, J, h, nb)
    _merge(black, white, spins)
    lanes[:, :] = state[:, :H]
