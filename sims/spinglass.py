"""Study ``spinglass``: spin glasses as energy landscapes — the Sherrington–Kirkpatrick model, the Edwards–Anderson
model on a graph and the spherical p-spin (models, kernels and theory: :mod:`statmech_nn.spinglass`).

Conventions (also stored in ``/results/hamiltonian`` and ``/results/energy_unit``; energies are per spin):
SK H = −N^{−1/2} Σ_{i<j} J_ij s_i s_j with J_ij ~ N(0, 1) (``--couplings FILE``: an N×N ``.npy`` whose upper
triangle holds the unit-variance J_ij); EA H = −Σ_{(ij)∈E} J_ij s_i s_j; p-spin H = −√(p!) N^{−(p−1)/2}
Σ_{i1<…<ip} J σ_{i1}⋯σ_{ip} on ‖σ‖² = N (Auffinger–Ben Arous–Černý's normalisation).

Algorithms: ``exact`` (Gray-code enumeration, N ≤ 30) and ``pt`` (parallel tempering, two replica sets) for SK
and EA; ``gd`` (projected gradient descent), ``langevin`` (at T) and ``anneal`` (T falling linearly from T_start
to 0, then descent) for the p-spin, each start's end point classified by the index of the Riemannian Hessian.
"""
from __future__ import annotations

import math
import os
from functools import cached_property

import numpy as np

from statmech_nn import spinglass as sg
from statmech_nn.io.spinglass_inputs import graph_input, read_couplings
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rng import seed_sequence
from statmech_nn.runner import Simulation
from statmech_nn.spinglass.correlations import MAX_SPINS_CORRELATIONS, overlap_second_moment
from statmech_nn.spinglass.ea import COUPLING_KINDS
from statmech_nn.spinglass.enumeration import MAX_SPINS
from statmech_nn.spinglass.pspin import MAX_TERMS, P_MAX, P_MIN
from statmech_nn.study import Study, seed_param
from statmech_nn.threads import threads_for
from statmech_nn.summaries.spinglass import analyze

MODELS = ("sk", "ea", "pspin")
ISING_ALGORITHMS, SPHERE_ALGORITHMS = ("exact", "pt"), ("gd", "langevin", "anneal")
REPLICA_SETS = 2
#: p-spin starts per unit of progress: the sphere kernels run the starts of one call in parallel, so a unit holds
#: several (a fixed number, so results never depend on the thread count).
STARTS_PER_UNIT = 8
HAMILTONIANS = {
    "sk": "H = -N^(-1/2) sum_{i<j} J_ij s_i s_j, s_i = +-1, J_ij ~ N(0,1)",
    "ea": "H = -sum_{(ij) in E} J_ij s_i s_j, s_i = +-1, J_ij ~ N(0,1) (bonds=gaussian) or +-1 (bonds=pm1)",
    "pspin": "H = -sqrt(p!) N^(-(p-1)/2) sum_{i1<...<ip} J_{i1..ip} s_i1...s_ip, |s|^2 = N, J ~ N(0,1)",
}


def build_model(s: Settings, seed):
    """The model named by the settings, disorder from ``--instance-seed`` (or ``seed`` when it is −1)."""
    instance = s.instance_seed if s.instance_seed >= 0 else seed
    if s.model == "sk":
        return sg.sk_from_matrix(read_couplings(s.couplings)) if s.couplings else sg.sk_model(s.N, instance)
    if s.model == "ea":
        return sg.ea_model(graph_input(s.graph), instance, s.bonds)
    return sg.pspin_model(s.N, s.p, instance)


def _check(s: Settings) -> None:
    allowed = ISING_ALGORITHMS if s.model in ("sk", "ea") else SPHERE_ALGORITHMS
    PARAMS["algorithm"].check(s.algorithm in allowed, s.algorithm, f"one of {', '.join(allowed)} for {s.model}")
    PARAMS["couplings"].check(not s.couplings or s.model == "sk", s.couplings, "a file only with --model sk")
    if s.model == "pspin":
        PARAMS["N"].check(s.N >= s.p, s.N, f"an integer >= p = {s.p}")
        PARAMS["N"].check(math.comb(s.N, s.p) <= MAX_TERMS, s.N, f"C(N, p) <= {MAX_TERMS} (p = {s.p})")
    PARAMS["T_max"].check(s.T_max > s.T_min, s.T_max, f"a temperature above T_min = {s.T_min}")
    model = build_model(s, seed_sequence(s.seed))
    if s.algorithm == "exact":
        PARAMS["N"].check(model.n_spins <= MAX_SPINS, model.n_spins, f"at most {MAX_SPINS} spins for exact "
                                                                      "enumeration (2^N states)")


PARAMS = ParamSet(
    Param("model", str, "sk", "sk, ea (Edwards-Anderson on --graph) or pspin (spherical p-spin)", choices=MODELS),
    Param("N", int, 20, "number of spins (sk, pspin; ea takes it from --graph)", low=2, high=1_000_000),
    Param("couplings", str, "", "sk: N x N .npy file, upper triangle = unit-variance J_ij (N^-1/2 applied by "
          "the model; N is taken from the file); empty: Gaussian J_ij from the instance seed"),
    Param("graph", str, "grid:8x8", "ea: 'grid:LxL' (periodic), 'random-regular:N:k' or an edge-list file"),
    Param("bonds", str, "gaussian", "ea: coupling distribution", choices=COUPLING_KINDS),
    Param("p", int, 3, "pspin: spins per interaction", low=P_MIN, high=P_MAX),
    Param("algorithm", str, "exact", "exact or pt (sk, ea); gd, langevin or anneal (pspin)",
          choices=ISING_ALGORITHMS + SPHERE_ALGORITHMS),
    Param("T", float, 1.0, "temperature of exact and langevin", low=0.0, low_open=True),
    Param("T_min", float, 0.3, "pt: lowest temperature of the geometric ladder", low=0.0, low_open=True),
    Param("T_max", float, 2.0, "pt: highest temperature of the ladder", low=0.0, low_open=True),
    Param("replicas", int, 16, "pt: temperatures in the ladder (one replica each, per replica set)", low=2,
          high=4096),
    Param("sweeps", int, 10000, "pt: measured sweeps after burn-in", low=1, high=10**12),
    Param("burn_in", int, 1000, "pt: sweeps discarded before measuring", low=0, high=10**12),
    Param("measure_every", int, 10, "pt: sweeps between recorded rows", low=1, high=10**9),
    Param("starts", int, 100, "pspin: random starting points on the sphere, one end point each", low=1,
          high=10**6),
    Param("step", float, 0.15, "gd/anneal: gradient-descent step size", low=0.0, low_open=True, high=1.0),
    Param("tol", float, 1e-4, "gd/anneal: stop when the rms Riemannian gradient is below this", low=0.0,
          low_open=True),
    Param("max_steps", int, 100000, "gd/anneal: most descent steps per start", low=1, high=10**9),
    Param("dt", float, 0.01, "langevin/anneal: time step", low=0.0, low_open=True, high=1.0),
    Param("steps", int, 2000, "langevin/anneal: Langevin steps per start", low=2, high=10**9),
    Param("T_start", float, 1.0, "anneal: initial temperature (falls linearly to 0)", low=0.0, low_open=True),
    Param("instance_seed", int, -1, "seed of the disorder (couplings, random graph); -1: the run's seed", low=-1,
          high=2**63 - 1),
    seed_param(),
    check=_check,
)


class SpinGlass(Simulation):
    """``exact``: phase ``enumerate`` (1 unit). ``pt``: phases ``burn-in`` and ``measure`` (sweeps); rows of
    ``energy`` (set, temperature) and ``overlap`` (temperature) per spin every ``measure_every`` sweeps.
    ``gd``/``langevin``/``anneal``: phase ``starts`` (one row per start, STARTS_PER_UNIT starts per unit)."""

    @cached_property
    def model(self):
        return build_model(self.settings, self.seed)

    @cached_property
    def ladder(self) -> np.ndarray:
        s = self.settings
        return sg.geometric_ladder(s.T_min, s.T_max, s.replicas)

    @property
    def observables(self):
        s = self.settings
        if s.algorithm == "pt":
            k = s.replicas
            return {"energy": (np.float64, (REPLICA_SETS, k), ("set", "temperature")),
                    "overlap": (np.float64, (k,), ("temperature",))}
        if s.algorithm == "exact":
            return {}
        return {"end_energy": (np.float64, ()), "hessian_index": (np.int64, ()), "rms_gradient": (np.float64, ()),
                "descent_steps": (np.int64, ())}

    def phases(self) -> dict[str, int]:
        s = self.settings
        if s.algorithm == "exact":
            return {"enumerate": 1}
        if s.algorithm == "pt":
            return {"burn-in": s.burn_in, "measure": s.sweeps}
        return {"starts": -(-s.starts // STARTS_PER_UNIT)}

    def init_state(self):
        s, n = self.settings, self.model.n_spins
        if s.algorithm == "exact":
            return {"ground_energy": np.zeros(()), "energy_mean": np.zeros(()), "energy_variance": np.zeros(()),
                    "log_z": np.zeros(()), "q2": np.full((), np.nan), "ground_states": np.zeros((0, n), np.int8),
                    "dos_energy": np.zeros(0), "dos_count": np.zeros(0, np.int64)}
        if s.algorithm == "pt":
            return sg.init_tempering(self.model, self.ladder, self.seed, REPLICA_SETS)
        return {"sphere": sg.init_sphere(self.model, s.starts, self.seed),
                "end_energy": np.zeros(s.starts), "hessian_index": np.zeros(s.starts, np.int64)}

    def step(self, state, phase: str, start: int, n: int):
        if phase == "enumerate":
            return self._enumerate(state)
        if phase in ("burn-in", "measure"):
            return self._temper(state, phase, n)
        first = start * STARTS_PER_UNIT
        return self._sphere(state, first, min((start + n) * STARTS_PER_UNIT, self.settings.starts) - first)

    def _enumerate(self, state):
        s, model = self.settings, self.model
        n = model.n_spins
        e = sg.enumerate_states(model, (s.T,))
        state.update(ground_energy=np.array(e.ground_energy), energy_mean=np.array(e.mean_energy[0]),
                     energy_variance=np.array(e.energy_variance[0]), log_z=np.array(e.log_z[0]),
                     ground_states=e.ground_states)
        if n <= MAX_SPINS_CORRELATIONS:
            state["q2"] = np.array(overlap_second_moment(model, s.T))
        full = e.counts > 0
        state["dos_energy"] = 0.5 * (e.bin_edges[1:] + e.bin_edges[:-1])[full] / n
        state["dos_count"] = e.counts[full]
        return {}

    def _temper(self, state, phase, n):
        thin, done = self.settings.measure_every, int(state["sweeps"])
        per_sweep = state["spins"].size * (self.model.neighbours.size / self.model.n_spins)
        with threads_for(per_sweep):  # one parallel region per sweep: small systems run faster on one thread
            rec = sg.advance(self.model, state, n, thin)
        if phase == "burn-in":
            return {}
        steps = np.arange((done // thin + 1) * thin, done + n + 1, thin, dtype=np.int64)
        per_spin = 1.0 / self.model.n_spins
        return {"energy": (steps, rec["energy"] * per_spin), "overlap": (steps, rec["overlap"][:, 0, :])}

    def _sphere(self, state, start, n):
        s, model = self.settings, self.model
        part = {"sigma": state["sphere"]["sigma"][start:start + n], "rng": state["sphere"]["rng"][start:start + n],
                "steps": np.zeros((), np.int64)}
        descent = {"steps": np.zeros(n, np.int64)}
        if s.algorithm == "langevin":
            sg.langevin(model, part, s.steps, s.dt, s.T)
        else:
            if s.algorithm == "anneal":
                sg.anneal(model, part, s.steps, s.dt, s.T_start, 0.0, s.steps)
            descent = sg.descend(model, part, s.step, s.tol, s.max_steps)
        ends = sg.classify(model, part["sigma"])
        state["end_energy"][start:start + n] = ends["energy"]
        state["hessian_index"][start:start + n] = ends["index"]
        steps = np.arange(start, start + n, dtype=np.int64)
        return {"end_energy": (steps, ends["energy"]), "hessian_index": (steps, ends["index"].astype(np.int64)),
                "rms_gradient": (steps, ends["rms_gradient"]), "descent_steps": (steps, descent["steps"])}

    def results(self, state):
        s = self.settings
        conventions = {"hamiltonian": np.bytes_(HAMILTONIANS[s.model]), "energy_unit": np.bytes_("per spin"),
                       "n_spins": np.int64(self.model.n_spins)}
        done = int(state["progress"])
        if s.algorithm == "exact":
            if done == 0:
                return conventions
            n = self.model.n_spins
            return {**conventions, "temperature": np.float64(s.T), "ground_energy": state["ground_energy"] / n,
                    "energy_mean": state["energy_mean"] / n, "log_z": state["log_z"],
                    "specific_heat": state["energy_variance"] / (n * s.T ** 2), "q2": state["q2"],
                    "ground_states": state["ground_states"], "dos_energy": state["dos_energy"],
                    "dos_count": state["dos_count"]}
        if s.algorithm == "pt":
            return {**conventions, "temperatures": state["temperatures"],
                    "swap_acceptance": sg.swap_acceptance(state), "round_trips": state["round_trips"],
                    "up_fraction": sg.up_fraction(state)}
        out = {**conventions, "p": np.int64(s.p), "e_ground": np.float64(-sg.ground_energy(s.p)),
               "e_threshold": np.float64(-sg.threshold_energy(s.p))}
        if done:
            ends = min(done * STARTS_PER_UNIT, s.starts)
            out.update(minima_energy=state["end_energy"][:ends], hessian_index=state["hessian_index"][:ends])
        return out


def memory(s: Settings) -> tuple[float, str]:
    """Bytes of the model and the state (the dominant terms)."""
    if s.model == "pspin":
        return (2 * s.p + 16) * math.comb(s.N, s.p) + 8.0 * s.starts * s.N + 24.0 * s.N ** 2, "N"
    if s.algorithm == "exact":
        return 24.0 * 2 ** min(s.N, MAX_SPINS_CORRELATIONS) + 16.0 * s.N ** 2, "N"
    n = s.N if s.model == "sk" else _ea_spins_bound(s.graph)
    return 9.0 * REPLICA_SETS * s.replicas * n + (16.0 * n ** 2 if s.model == "sk" else 64.0 * n), "replicas"


def _ea_spins_bound(graph: str) -> int:
    """An upper bound on the spins of an EA graph before it is built (an edge-list line names >= 1 new spin in
    >= 2 bytes)."""
    kind, _, rest = graph.partition(":")
    try:
        if kind == "grid":
            return math.prod(int(x) for x in rest.lower().split("x"))
        if kind == "random-regular":
            return int(rest.split(":")[0])
        return max(os.path.getsize(graph) // 2, 2)
    except (ValueError, OSError):
        return 2


STUDY = Study("spinglass", "spin glasses as loss surfaces: SK, Edwards-Anderson, spherical p-spin", PARAMS,
              SpinGlass, summarize=analyze, memory=memory,
              example={"model": "sk", "N": 8, "algorithm": "pt", "replicas": 4, "sweeps": 200, "burn_in": 20,
                       "measure_every": 2})
