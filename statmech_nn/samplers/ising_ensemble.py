"""Equilibrated, decorrelated configurations of the periodic 2-D Ising model (a data set, not a run).

Each of ``n_chains`` independent chains (stream keyed by chain index) starts from random spins and runs

1. a *pilot*: sweeps with (e, |m|) recorded every sweep, doubled until its second half holds ≥ ``PILOT_TAUS`` ×
   τ_int of both series (Sokal's windowed estimate on that half, :func:`statmech_nn.stats.tau_int`). The first half,
   at least as long as the second, is discarded, so the burn-in before the first stored sample is ≥ 100 τ, well
   above the usual 20 τ;
2. a production phase: one configuration stored every ``spacing = ceil(SPACING_TAUS · τ_max)`` sweeps, with τ_max the
   largest τ_int of e and |m| over all chains (one spacing for the whole data set).

The chains are :class:`statmech_nn.samplers.ising.IsingChain` (so Wolff sweeps are K = round(L²/⟨|C|⟩) cluster
updates, ⟨|C|⟩ calibrated over the second half of the burn-in, as in the ``ising`` study). The τ_int of the stored
samples' energies and |m| (in units of samples) is measured again and returned, so that the decorrelation is
documented, not assumed.
"""
from __future__ import annotations

import math

import numpy as np

from .. import rng as rng_mod
from ..stats import tau_int
from ..errors import ParameterError
from .ising import ALGORITHMS, LOCAL_ALGORITHMS, WOLFF_K, IsingChain

#: The pilot's measured (second) half must hold at least this many τ_int of e and |m|.
PILOT_TAUS = 100.0
#: Stored configurations are this many τ_int (sweeps) apart.
SPACING_TAUS = 2.0
#: First pilot length in sweeps (doubled as needed; its measured half of 1000 sweeps pins τ_int of a cluster
#: algorithm to ~10 %) and the cap on it.
PILOT_START = 2000
PILOT_MAX = 1 << 20


#: Sweeps of a chain that is stopped by its caller, not by its own length.
_UNBOUNDED = 1 << 62


def chain_of(L: int, T: float, algorithm: str, seq, measure_every: int = 1) -> IsingChain:
    """An open-ended :class:`IsingChain` from random spins (J = 1, h = 0); a chain with another ``measure_every``
    continues the same state (Wolff's K is calibrated during the first sweeps, as in the ``ising`` study)."""
    return IsingChain(L=int(L), T=float(T), algorithm=algorithm, sweeps=_UNBOUNDED, seed=seq,
                      measure_every=measure_every)


def rows(chain: IsingChain, state, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Advance ``chain`` until it has measured ``n`` more rows; (e, m) per spin of those rows."""
    e, m = [], []
    while sum(map(len, e)) < n:
        out = chain.advance(state, n - sum(map(len, e)))
        if out:
            e.append(out["energy"][1])
            m.append(out["magnetization"][1])
    return np.concatenate(e), np.concatenate(m)


def _tau(series) -> float:
    return tau_int(series)[0]


def _pilot(chain: IsingChain, state) -> tuple[int, float, float]:
    """Run the pilot of one chain; return (pilot sweeps, τ_int(e), τ_int(|m|)) measured on its second half."""
    e, m = rows(chain, state, PILOT_START)
    while True:
        half = e.size // 2
        tau_e, tau_m = _tau(e[half:]), _tau(np.abs(m[half:]))
        if e.size - half >= PILOT_TAUS * max(tau_e, tau_m) or e.size >= PILOT_MAX:
            return e.size, tau_e, tau_m
        more_e, more_m = rows(chain, state, e.size)
        e, m = np.concatenate([e, more_e]), np.concatenate([m, more_m])


def _validate(L, T, n_samples, algorithm, n_chains):
    if algorithm not in ALGORITHMS:
        raise ParameterError("algorithm", algorithm, "one of " + ", ".join(ALGORITHMS))
    local = algorithm in LOCAL_ALGORITHMS
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 2 or (local and L % 2):
        raise ParameterError("L", L, "an even integer >= 2" if local else "an integer >= 2")
    if not (isinstance(T, (int, float, np.floating)) and math.isfinite(T) and T > 0):
        raise ParameterError("T", T, "a finite temperature > 0")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ParameterError("n_samples", n_samples, "an integer >= 1")
    if isinstance(n_chains, bool) or not isinstance(n_chains, (int, np.integer)) or n_chains < 1:
        raise ParameterError("n_chains", n_chains, "an integer >= 1")


def equilibrium_configurations(L: int, T: float, n_samples: int, seed, *, algorithm: str = "wolff",
                               n_chains: int = 4) -> tuple[np.ndarray, dict]:
    """``n_samples`` equilibrium configurations of the J = 1, h = 0 periodic L×L Ising model at temperature T.

    Returns ``(configs, info)``: ``configs`` int8 (n_samples, L, L) of ±1, chain c's samples in a contiguous
    block (chains in order); ``info`` holds ``algorithm``, ``n_chains``, per-chain ``burn_in`` sweeps (= pilot
    length), ``tau_energy`` and ``tau_abs_m`` (pilot τ_int per chain, in sweeps), ``tau_max``, ``spacing``
    (sweeps between stored samples), ``clusters_per_sweep`` (Wolff K per chain, else 0), the stored samples'
    ``energy`` and ``magnetization`` per spin, and ``tau_samples_energy`` / ``tau_samples_abs_m`` (τ_int of the
    stored series per chain, in units of samples; ≈ 1/2 when the spacing decorrelates). Same seed ⇒ same output.
    """
    _validate(L, T, n_samples, algorithm, n_chains)
    n_chains = min(int(n_chains), int(n_samples))
    seqs = [rng_mod.seed_sequence(seed, c) for c in range(n_chains)]
    pilot_chains = [chain_of(L, T, algorithm, seq) for seq in seqs]
    states = [chain.init_state() for chain in pilot_chains]
    pilots = np.array([_pilot(chain, state) for chain, state in zip(pilot_chains, states)])
    tau_max = float(pilots[:, 1:].max())
    spacing = max(1, math.ceil(SPACING_TAUS * tau_max))
    bounds = [n_samples * c // n_chains for c in range(n_chains + 1)]
    configs = np.empty((n_samples, L, L), np.int8)
    energy, magnetization = np.empty(n_samples), np.empty(n_samples)
    tau_samples_e, tau_samples_m = np.full(n_chains, 0.5), np.full(n_chains, 0.5)
    for c, (seq, state) in enumerate(zip(seqs, states)):
        production = chain_of(L, T, algorithm, seq, measure_every=spacing)
        for i in range(bounds[c], bounds[c + 1]):
            e, m = rows(production, state, 1)
            configs[i], energy[i], magnetization[i] = state["spins"], e[0], m[0]
        block = slice(bounds[c], bounds[c + 1])
        if bounds[c + 1] - bounds[c] >= 3:
            tau_samples_e[c] = _tau(energy[block])
            tau_samples_m[c] = _tau(np.abs(magnetization[block]))
    info = {
        "algorithm": algorithm, "n_chains": n_chains, "burn_in": pilots[:, 0].astype(np.int64),
        "tau_energy": pilots[:, 1], "tau_abs_m": pilots[:, 2], "tau_max": tau_max, "spacing": spacing,
        "clusters_per_sweep": np.array([state["counters"][WOLFF_K] for state in states], np.int64),
        "energy": energy, "magnetization": magnetization,
        "tau_samples_energy": tau_samples_e, "tau_samples_abs_m": tau_samples_m,
    }
    return configs, info


def quenched_configurations(L: int, T: float, n_samples: int, sweeps: int, seed, *,
                            algorithm: str = "metropolis") -> np.ndarray:
    """The *non*-equilibrium control: ``n_samples`` configurations, each from its own random start after only
    ``sweeps`` sweeps (chain c keyed by (seed, c)); int8 (n_samples, L, L). With few local sweeps near T_c these
    are far from equilibrium (used to show what an insufficient burn-in does)."""
    _validate(L, T, n_samples, algorithm, 1)
    if isinstance(sweeps, bool) or not isinstance(sweeps, (int, np.integer)) or sweeps < 1:
        raise ParameterError("sweeps", sweeps, "an integer >= 1")
    out = np.empty((n_samples, L, L), np.int8)
    for c in range(n_samples):
        chain = chain_of(L, T, algorithm, rng_mod.seed_sequence(seed, c), measure_every=sweeps)
        state = chain.init_state()
        rows(chain, state, 1)
        out[c] = state["spins"]
    return out
