"""Parallel tempering (replica exchange; Hukushima & Nemoto 1996) of a pairwise ±1 spin glass (SK or EA).

A run holds ``n_sets`` independent replica sets (two for the overlap q = (1/N) Σ_i s_i^a s_i^b between sets a, b
at the same temperature, whence P(q)); each set has one replica per temperature of the ladder T_0 < … < T_{K−1}.
One sweep: every replica does one Metropolis sweep (spins in order, flip accepted with min(1, e^{−ΔE/T}),
ΔE = 2 s_i h_i) at its current temperature; then in every set neighbouring temperatures (t, t+1) exchange their
replicas, even t first, then odd t, each with probability min(1, exp[(1/T_t − 1/T_{t+1})(E_t − E_{t+1})]) on the
total energies. Exchanges move temperature labels (``slot``/``replica`` permutations), not configurations.

Round trips: a replica is labelled "up" after visiting T_0 and "down" after visiting T_{K−1}; arriving at T_0 while
"down" completes a round trip. The label histograms ``flow_up``/``flow_down`` per temperature give the fraction
f(T) = n_up/(n_up + n_down) of the feedback-optimised ladder (Katzgraber, Trebst, Huse & Troyer 2006).

Replica r of set a draws its Metropolis numbers from its own xoshiro256** stream ``rng[a, r]`` (keyed by (a, r));
exchanges in set a use ``swap_rng[a]``. The state is a dict of arrays that :func:`advance` updates in place
(fields and energies are carried, not recomputed), so a run is bit-identical for any thread count and any split
into chunks, and a checkpoint is the dict itself.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.rng import next_double, seed_sequence, xoshiro256_states

from .checks import integer, positive, temperatures as check_temperatures
from .ising_couplings import IsingCouplings, energy_from_fields, local_fields

#: Stream keys (after the seed): replica Metropolis streams (then set, replica), exchange streams (then set),
#: initial configurations.
PT_REPLICA_KEY, PT_SWAP_KEY, PT_INIT_KEY = 10, 11, 12
UP, DOWN = 1, 2


@njit(cache=True)
def metropolis_sweep(offsets, neighbours, couplings, beta, spins, fields, s):
    """One Metropolis sweep of one replica in place; returns ΔE of the sweep."""
    de_total = 0.0
    for i in range(spins.size):
        de = 2.0 * spins[i] * fields[i]
        if de <= 0.0 or next_double(s) < math.exp(-beta * de):
            spins[i] = -spins[i]
            two_s = 2.0 * spins[i]
            for k in range(offsets[i], offsets[i + 1]):
                fields[neighbours[k]] += two_s * couplings[k]
            de_total += de
    return de_total


@njit(cache=True)
def exchange(betas, energy, slot, replica, s, accepted):
    """Even then odd neighbour exchanges of one set's temperature labels."""
    for parity in range(2):
        for t in range(parity, betas.size - 1, 2):
            a, b = replica[t], replica[t + 1]
            log_r = (betas[t] - betas[t + 1]) * (energy[a] - energy[b])
            if log_r >= 0.0 or next_double(s) < math.exp(log_r):
                replica[t], replica[t + 1] = b, a
                slot[a], slot[b] = t + 1, t
                accepted[t] += 1


@njit(cache=True)
def track_flow(replica, direction, round_trips, flow_up, flow_down):
    """Round-trip labels after an exchange step (see the module docstring)."""
    k = replica.size
    bottom, top = replica[0], replica[k - 1]
    if direction[bottom] == DOWN:
        round_trips[bottom] += 1
    direction[bottom] = UP
    direction[top] = DOWN
    for t in range(k):
        d = direction[replica[t]]
        if d == UP:
            flow_up[t] += 1
        elif d == DOWN:
            flow_down[t] += 1


@njit(cache=True, parallel=True)
def pt_kernel(offsets, neighbours, couplings, betas, spins, fields, energy, slot, replica, rng, swap_rng,
              direction, round_trips, accepted, flow_up, flow_down, n_sweeps, thin, sweeps_done, rec_energy,
              rec_overlap):
    """``n_sweeps`` PT sweeps (see the module docstring). After global sweep number g (1-based) with g % thin == 0
    a row is recorded: ``rec_energy`` (rows, sets, K) energy at each temperature, ``rec_overlap``
    (rows, sets // 2, K) the overlap of sets (2m, 2m+1) at each temperature."""
    n_sets, k, n = spins.shape
    row = 0
    for sweep in range(n_sweeps):
        for job in prange(n_sets * k):
            a, r = job // k, job % k
            energy[a, r] += metropolis_sweep(offsets, neighbours, couplings, betas[slot[a, r]], spins[a, r],
                                             fields[a, r], rng[a, r])
        for a in range(n_sets):
            exchange(betas, energy[a], slot[a], replica[a], swap_rng[a], accepted[a])
            track_flow(replica[a], direction[a], round_trips[a], flow_up, flow_down)
        if (sweeps_done + sweep + 1) % thin == 0:
            for a in range(n_sets):
                for t in range(k):
                    rec_energy[row, a, t] = energy[a, replica[a, t]]
            for m in range(n_sets // 2):
                for t in range(k):
                    x, y = spins[2 * m, replica[2 * m, t]], spins[2 * m + 1, replica[2 * m + 1, t]]
                    q = 0
                    for i in range(n):
                        q += x[i] * y[i]
                    rec_overlap[row, m, t] = q / n
            row += 1


def geometric_ladder(t_min: float, t_max: float, n_temperatures: int) -> np.ndarray:
    """T_k = T_min (T_max/T_min)^{k/(K−1)}, k = 0..K−1 (K ≥ 2, 0 < T_min < T_max)."""
    lo, hi = positive("t_min", t_min), positive("t_max", t_max)
    if hi <= lo:
        raise ParameterError("t_max", t_max, f"a temperature above t_min = {lo}")
    k = integer("n_temperatures", n_temperatures, 2)
    return lo * (hi / lo) ** (np.arange(k) / (k - 1))


def _ladder(temperatures) -> np.ndarray:
    t = check_temperatures("temperatures", temperatures)
    if t.size < 2 or np.any(np.diff(t) <= 0.0):
        raise ParameterError("temperatures", temperatures, "at least 2 increasing temperatures > 0")
    return t


def init_tempering(model: IsingCouplings, temperatures, seed, n_sets: int = 2) -> dict[str, np.ndarray]:
    """A PT state from uniformly random configurations: ``temperatures`` (K,); per set a and replica r:
    ``spins`` (S, K, N) int8, ``fields`` (S, K, N), ``energy`` (S, K), ``slot`` (S, K) (temperature index of
    replica r), ``replica`` (S, K) (replica at temperature t), ``rng`` (S, K, 4) uint64, ``direction`` (S, K) int8,
    ``round_trips`` (S, K); per set ``swap_rng`` (S, 4), ``accepted`` (S, K−1) exchanges of pair (t, t+1);
    ``flow_up``, ``flow_down`` (K,); ``sweeps`` () int64."""
    t = _ladder(temperatures)
    n_sets = integer("n_sets", n_sets, 1)
    k, n = t.size, model.n_spins
    bits = np.random.default_rng(seed_sequence(seed, PT_INIT_KEY)).integers(0, 2, (n_sets, k, n))
    spins = (1 - 2 * bits).astype(np.int8)
    fields = np.empty((n_sets, k, n))
    energy = np.empty((n_sets, k))
    for a in range(n_sets):
        for r in range(k):
            local_fields(model.offsets, model.neighbours, model.couplings, spins[a, r], fields[a, r])
            energy[a, r] = energy_from_fields(spins[a, r], fields[a, r])
    rng = np.stack([xoshiro256_states(seed, k, PT_REPLICA_KEY, a) for a in range(n_sets)])
    order = np.tile(np.arange(k), (n_sets, 1))
    return {"temperatures": t, "spins": spins, "fields": fields, "energy": energy, "slot": order.copy(),
            "replica": order.copy(), "rng": rng, "swap_rng": xoshiro256_states(seed, n_sets, PT_SWAP_KEY),
            "direction": np.zeros((n_sets, k), np.int8), "round_trips": np.zeros((n_sets, k), np.int64),
            "accepted": np.zeros((n_sets, k - 1), np.int64), "flow_up": np.zeros(k, np.int64),
            "flow_down": np.zeros(k, np.int64), "sweeps": np.array(0, np.int64)}


_STATE_DTYPES = {"spins": np.int8, "fields": np.float64, "energy": np.float64, "slot": np.int64,
                 "replica": np.int64, "rng": np.uint64, "swap_rng": np.uint64, "direction": np.int8,
                 "round_trips": np.int64, "accepted": np.int64, "flow_up": np.int64, "flow_down": np.int64}


def _check_state(model: IsingCouplings, state: dict) -> np.ndarray:
    t = _ladder(state.get("temperatures"))
    spins = state.get("spins")
    ok = isinstance(spins, np.ndarray) and spins.ndim == 3 and spins.shape[1:] == (t.size, model.n_spins)
    shapes = {}
    if ok:
        s, k, n = spins.shape
        shapes = {"spins": (s, k, n), "fields": (s, k, n), "energy": (s, k), "slot": (s, k), "replica": (s, k),
                  "rng": (s, k, 4), "swap_rng": (s, 4), "direction": (s, k), "round_trips": (s, k),
                  "accepted": (s, k - 1), "flow_up": (k,), "flow_down": (k,)}
    for name, dtype in _STATE_DTYPES.items():
        x = state.get(name)
        if not (ok and isinstance(x, np.ndarray) and x.dtype == dtype and x.shape == shapes[name]
                and x.flags.c_contiguous and x.flags.writeable):
            raise ParameterError("state", name, f"a state from init_tempering for this model ({model.n_spins} spins, "
                                                f"{t.size} temperatures)")
    return t


def advance(model: IsingCouplings, state: dict, n_sweeps: int, thin: int = 1) -> dict[str, np.ndarray]:
    """Advance ``state`` by ``n_sweeps`` sweeps in place. Returns the measurements after every global sweep number
    divisible by ``thin``: ``"energy"`` (rows, S, K) at each temperature (ascending T) and ``"overlap"``
    (rows, S // 2, K) of sets (2m, 2m+1)."""
    t = _check_state(model, state)
    n_sweeps, thin = integer("n_sweeps", n_sweeps, 0), integer("thin", thin, 1)
    done = int(state["sweeps"])
    rows = (done + n_sweeps) // thin - done // thin
    s, k, _ = state["spins"].shape
    rec_energy, rec_overlap = np.empty((rows, s, k)), np.empty((rows, s // 2, k))
    pt_kernel(model.offsets, model.neighbours, model.couplings, 1.0 / t, state["spins"], state["fields"],
              state["energy"], state["slot"], state["replica"], state["rng"], state["swap_rng"], state["direction"],
              state["round_trips"], state["accepted"], state["flow_up"], state["flow_down"], n_sweeps, thin, done,
              rec_energy, rec_overlap)
    state["sweeps"] = np.array(done + n_sweeps, np.int64)
    return {"energy": rec_energy, "overlap": rec_overlap}


def configurations_at(state: dict, t: int) -> np.ndarray:
    """(S, N) int8: the configuration at temperature index t in every set."""
    return state["spins"][np.arange(state["spins"].shape[0]), state["replica"][:, t]]


def swap_acceptance(state: dict) -> np.ndarray:
    """(K−1,) fraction of accepted exchanges of each pair (t, t+1), over all sets and sweeps so far."""
    return state["accepted"].sum(axis=0) / max(int(state["sweeps"]) * state["accepted"].shape[0], 1)


def up_fraction(state: dict) -> np.ndarray:
    """(K,) f(T) = n_up / (n_up + n_down) (NaN where no labelled replica has been seen)."""
    total = state["flow_up"] + state["flow_down"]
    return np.where(total > 0, state["flow_up"] / np.maximum(total, 1), np.nan)


def adapted_ladder(state: dict) -> np.ndarray:
    """A new ladder (same ends, same K) from the measured f(T), in the spirit of the feedback method of Katzgraber
    et al. (2006) but simplified: T'_k = f^{-1}(f_0 + (f_{K−1} − f_0) k/(K−1)) with f interpolated linearly in T,
    which crowds temperatures where f falls fastest (the bottleneck). Use between chunks, then reset ``flow_up``,
    ``flow_down``. Returns the current ladder unchanged when f is not yet measured everywhere or not decreasing."""
    t = state["temperatures"]
    f = up_fraction(state)
    if np.any(np.isnan(f)):
        return t.copy()
    f = np.minimum.accumulate(f)  # monotone non-increasing from T_0 (f=1) to T_max (f=0)
    if f[0] <= f[-1]:
        return t.copy()
    targets = f[0] + (f[-1] - f[0]) * np.arange(t.size) / (t.size - 1)
    inverse = np.interp(targets[::-1], f[::-1], t[::-1])[::-1]
    inverse[0], inverse[-1] = t[0], t[-1]
    return np.maximum.accumulate(inverse)
