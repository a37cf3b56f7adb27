"""The 64-replica multi-spin-coded Metropolis kernel (statmech_nn.samplers.multispin) against exact enumeration.

Replicas are independent chains, so the spread of their 64 time averages is an honest error bar that already
contains the autocorrelation; it is checked against the τ_int-corrected error of the pooled series. Tolerance:
|estimate − exact| < Z σ with Student-t quantiles far beyond 1e-4 (Z = 5 with 63 degrees of freedom: 5e-6 per
comparison; 5.5 with 31: 5e-6). Negative controls: replacing p8 by p4 in the acceptance, and a sampler that shares
its uniforms among replicas (replicas coalesce), fail the same assertions.
"""
from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from scipy.special import ellipk

from statmech_nn import stats
from statmech_nn.models.ising import exact_ensemble
from statmech_nn.rng import seed_sequence
from statmech_nn.samplers import multispin as ms

L = 4
N = L * L
Z63, Z31 = 5.0, 5.5


def run(T, rows, seed=3, J=1.0, masks=None, L=L, burn=200, ordered=False):
    """(energy, magnetization) (rows, 64) of 64 replicas from random (or all-up) spins after ``burn`` sweeps."""
    words = np.random.default_rng(seed).integers(0, 2**64, size=(L, L), dtype=np.uint64)
    if ordered:
        words[:] = 0
    streams = ms.replica_streams(seed_sequence(seed), L)
    masks = ms.acceptance_masks(1.0 / np.asarray(T, float), J) if masks is None else masks
    e, m = np.empty((rows, 64)), np.empty((rows, 64))
    ms.multispin_chunk(words, streams, masks, J, burn, e[:1], m[:1])
    ms.multispin_chunk(words, streams, masks, J, 1, e, m)
    return e, m


def replica_estimate(x):
    """(mean, error from the spread of the per-replica time averages) of x (rows, replicas)."""
    per = x.mean(axis=0)
    return per.mean(), per.std(ddof=1) / np.sqrt(per.size)


def exact_moments(T, J=1.0):
    ex = exact_ensemble(L, T, J, 0.0)
    return {"energy": ex.expect(lambda e, m: e), "m2": ex.expect(lambda e, m: m * m),
            "abs_m": ex.expect(lambda e, m: np.abs(m))}


def series(e, m):
    return {"energy": e, "m2": m * m, "abs_m": np.abs(m)}


def test_exact_4x4_and_honest_errors():
    T = 2.5
    e, m = run(T, 3000)
    exact = exact_moments(T)
    for name, x in series(e, m).items():
        value, err = replica_estimate(x)
        assert abs(value - exact[name]) < Z63 * err, (name, value, exact[name], err)
        # the replica spread agrees with the autocorrelation-corrected error of the pooled replicas
        taus = [stats.tau_int(x[:, r])[0] for r in range(8)]
        tau_err = np.sqrt(2 * np.mean(taus) * x.var() / x.size)
        assert 0.5 < err / tau_err < 2.0, (name, err, tau_err)


def test_negative_control_p8_replaced_by_p4():
    T = 2.5
    masks = ms.acceptance_masks(1.0 / T)
    masks[1] = masks[0]
    e, _ = run(T, 3000, masks=masks)
    value, err = replica_estimate(e)
    assert abs(value - exact_moments(T)["energy"]) > Z63 * err


def test_per_replica_temperatures_and_antiferromagnet():
    """Replicas 0–31 at T = 2.0, 32–63 at T = 3.2 through one set of per-lane digit masks; J = −1 as well."""
    temps = np.repeat([2.0, 3.2], 32)
    for J in (1.0, -1.0):
        e, m = run(temps, 3000, seed=5, J=J)
        for half, T in ((slice(0, 32), 2.0), (slice(32, 64), 3.2)):
            value, err = replica_estimate(e[:, half])
            assert abs(value - exact_moments(T, J)["energy"]) < Z31 * err, (J, T, value, err)


def onsager_energy(T):
    """Onsager's energy per spin of the infinite lattice, u = −coth 2β [1 + (2/π)(2 tanh² 2β − 1) K(κ)],
    κ = 2 sinh 2β / cosh² 2β (J = 1)."""
    b = 2.0 / T
    kappa = 2.0 * math.sinh(b) / math.cosh(b) ** 2
    return -(1.0 + 2.0 / math.pi * (2.0 * math.tanh(b) ** 2 - 1.0) * ellipk(kappa**2)) / math.tanh(b)


def test_onsager_energy_on_rows_wider_than_the_lanes():
    """L = 136: rows of 68 columns use all LANES streams and wrap onto them (the 4×4 tests use 2 columns); at
    T = 2 the correlation length is ~1, so finite-size corrections are far below the error. Ordered start: from
    random spins, domains at T < T_c coarsen for far longer than the burn-in."""
    T, L_big = 2.0, 136
    e, _ = run(T, 400, L=L_big, burn=300, ordered=True)
    value, err = replica_estimate(e)
    assert abs(value - onsager_energy(T)) < Z63 * err, (value, onsager_energy(T), err)


def test_observables_match_the_configuration():
    rng = np.random.default_rng(0)
    words = rng.integers(0, 2**64, size=(6, 6), dtype=np.uint64)
    streams = ms.replica_streams(seed_sequence(1), 6)
    e, m = np.empty((1, 64)), np.empty((1, 64))
    ms.multispin_chunk(words, streams, ms.acceptance_masks(0.3, -0.7), -0.7, 2, e, m)
    s = ms.unpack(words).astype(float)
    bonds = (s * (np.roll(s, -1, 1) + np.roll(s, -1, 2))).sum(axis=(1, 2))
    np.testing.assert_allclose(e[0], 0.7 * bonds / 36)
    np.testing.assert_allclose(m[0], s.sum(axis=(1, 2)) / 36)
    np.testing.assert_array_equal(ms.pack(ms.unpack(words)), words)


# --------------------------------------------------------------------------------------- replica independence
def exact_q2(T):
    """⟨q²⟩ = N⁻² Σ_ij ⟨s_i s_j⟩² for two independent replicas (q = N⁻¹ Σ_i s_i^a s_i^b), by enumeration."""
    s = 1 - 2 * ((np.arange(2**N)[:, None] >> np.arange(N)) & 1)
    g = s.reshape(-1, L, L)
    E = -(g * (np.roll(g, -1, 1) + np.roll(g, -1, 2))).sum(axis=(1, 2))
    w = np.exp(-(E - E.min()) / T)
    corr = (s.T * w) @ s / w.sum()
    return float((corr**2).sum() / N**2)


def overlaps(spins):
    """q of the 32 disjoint replica pairs (0, 1), (2, 3), ...: spins (rows, 64, N) -> (rows, 32)."""
    return (spins[:, 0::2] * spins[:, 1::2]).mean(axis=2)


def check_independent(q, T):
    """Mean overlap 0 and ⟨q²⟩ exact, errors from the spread over the 32 independent pairs."""
    mean, err = replica_estimate(q)
    q2, err2 = replica_estimate(q * q)
    return abs(mean) < Z31 * err and abs(q2 - exact_q2(T)) < Z31 * err2


def reference_spins(T, rows, shared, seed=9, burn=50):
    """A plain numpy checkerboard Metropolis of 64 replicas (rows, 64, N) after ``burn`` sweeps; ``shared``: every
    replica uses the same uniform at a site (the forbidden shortcut: replicas coalesce, as in coupling from the
    past)."""
    rng = np.random.default_rng(seed)
    s = rng.choice(np.array([-1, 1], np.int8), size=(64, L, L))
    colour = (np.add.outer(np.arange(L), np.arange(L)) % 2)
    out = np.empty((rows, 64, N), np.int8)
    for t in range(-burn, rows):
        for c in (0, 1):
            n = np.roll(s, 1, 1) + np.roll(s, -1, 1) + np.roll(s, 1, 2) + np.roll(s, -1, 2)
            u = rng.random((1 if shared else 64, L, L))
            flip = (u < np.exp(-2.0 * s * n / T)) & (colour == c)
            s = np.where(flip, -s, s)
        if t >= 0:
            out[t] = s.reshape(64, N)
    return out


def test_replicas_are_independent():
    T = 4.0
    words = np.random.default_rng(4).integers(0, 2**64, size=(L, L), dtype=np.uint64)
    streams = ms.replica_streams(seed_sequence(4), L)
    masks = ms.acceptance_masks(1.0 / T)
    e, m = np.empty((1, 64)), np.empty((1, 64))
    ms.multispin_chunk(words, streams, masks, 1.0, 100, e, m)  # burn-in: random starts have ⟨q²⟩ = 1/N
    rows = []
    for _ in range(2000):
        ms.multispin_chunk(words, streams, masks, 1.0, 1, e, m)
        rows.append(ms.unpack(words).reshape(64, N))
    assert check_independent(overlaps(np.array(rows)), T)


def test_negative_control_shared_uniforms_fail_independence():
    T = 4.0
    assert check_independent(overlaps(reference_spins(T, 800, shared=False)), T)  # the reference is right
    assert not check_independent(overlaps(reference_spins(T, 800, shared=True)), T)


# ----------------------------------------------------------------------------------------- reproducibility
def chunked(L, threads, cuts):
    words = np.random.default_rng(L).integers(0, 2**64, size=(L, L), dtype=np.uint64)
    streams = ms.replica_streams(seed_sequence(8, L), L)
    masks = ms.acceptance_masks(1.0 / np.linspace(1.5, 3.5, 64))
    e, m = np.empty((sum(cuts), 64)), np.empty((sum(cuts), 64))
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        start = 0
        for n in cuts:
            ms.multispin_chunk(words, streams, masks, 1.0, 2, e[start:start + n], m[start:start + n])
            start += n
    finally:
        numba.set_num_threads(previous)
    return words, streams, e, m


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 Numba threads")
def test_bit_identical_for_any_thread_count_and_chunking():
    one = chunked(48, 1, (6,))
    for got in (chunked(48, 2, (6,)), chunked(48, 2, (1, 2, 3))):
        for a, b in zip(one, got):
            np.testing.assert_array_equal(a, b)


def test_masks_are_the_binary_expansion():
    betas = np.linspace(0.0, 2.0, 64)
    masks = ms.acceptance_masks(betas)
    for r, beta in enumerate(betas):
        for which, gap in enumerate((4.0, 8.0)):
            P = sum(((int(masks[which, k]) >> r) & 1) << (63 - k) for k in range(64))
            assert P == min(int(np.ldexp(np.exp(-gap * beta), 64)), 2**64 - 1)
    with pytest.raises(ms.ParameterError):
        ms.acceptance_masks(np.full(64, -1.0))


# ------------------------------------------------------------------------------------------ the ising study
def test_study_runs_replicas_and_pools_them():
    import statmech_nn as sm

    run = sm.run("ising", algorithm="multispin", L=4, T=2.5, sweeps=2000, burn_in=100, seed=6)
    assert run["energy"].shape == (2000, 64) and run["magnetization"].shape == (2000, 64)
    est = sm.analyze(run)
    exact = exact_moments(2.5)
    assert abs(est["energy"].value - exact["energy"]) < Z63 * est["energy"].error
    assert abs(est["abs_magnetization"].value - exact["abs_m"]) < Z63 * est["abs_magnetization"].error
    assert est["energy"].n == 2000 * 64
    for name, value in (("h", 0.5), ("L", 5)):
        with pytest.raises(ms.ParameterError, match=name):
            sm.run("ising", algorithm="multispin", sweeps=10, seed=1, **{name: value})


def test_a_replica_run_is_analysed_and_plotted_from_the_terminal(tmp_path, capsys):
    from statmech_nn.sims.cli import main

    path = tmp_path / "replicas.h5"
    assert main(["ising", "--algorithm", "multispin", "--L", "8", "--T", "2.3", "--sweeps", "50", "--seed", "2",
                 "--out", str(path), "--quiet"]) == 0
    assert main(["analyze", str(path)]) == 0 and "energy" in capsys.readouterr().out
    assert main(["plot", str(path), "--out", str(tmp_path / "replicas.png")]) == 0
    assert (tmp_path / "replicas.png").stat().st_size > 0
