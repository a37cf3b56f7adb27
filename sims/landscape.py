"""Studies ``landscape`` and ``basin-volume``: energy landscapes of clusters, model surfaces, spin glasses and
networks explored by one library (:mod:`statmech_nn.landscape`; docs/landscape.md).

``landscape``: phase ``hop`` — basin hopping (one unit and one row per hop, per part), phase ``connect`` —
transition-state searches between minima (one unit per connect step, per part); ``/results`` holds the database
of stationary points and the disconnectivity tree. ``--system rbm`` runs rbm-landscape's single-flip descents
on an RBM's free energy and stores its minima and merge levels in the same layout (plus rbm-landscape's results).

``basin-volume``: phase ``minimize`` — one random start per unit, minimised, its basin's log-volume by random
rays, log det Hessian and the test loss (one row per start).
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np

from statmech_nn import landscape
from statmech_nn.io.modelfile import check_model
from statmech_nn.landscape import explorer, volumes
from statmech_nn.landscape.minimize import minimize
from statmech_nn.landscape.networks import TASKS, network_system
from statmech_nn.landscape.systems import LennardJones, MullerBrown, SphericalPSpin
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm.landscape import landscape_results
from statmech_nn.rng import xoshiro256_state
from statmech_nn.runner import Simulation
from statmech_nn.spinglass.pspin import pspin_model
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.energy_landscape import SYSTEMS, analyze, analyze_volumes

from .rbm_landscape import PARAMS as RBM_PARAMS
from .rbm_landscape import _check as rbm_check
from .rbm_landscape import barrier_method

#: Default basin-hopping (step, temperature) of each system (--step 0, --temperature -1).
HOP_DEFAULTS = {"lj": (0.36, 0.8), "muller-brown": (0.3, 20.0), "pspin": (1.5, 1.0), "mlp": (1.0, 0.05)}


def _check(s: Settings) -> None:
    P = PARAMS
    if s.system == "rbm":
        P["model"].check(s.model != "", s.model, "an RBM model file for --system rbm")
        rbm_check(s)
    P["temperature"].check(s.temperature == -1 or s.temperature >= 0, s.temperature, "-1 (the system's default) "
                           "or a temperature >= 0")
    P["hidden"].check(s.system != "mlp" or len(set(s.hidden)) == len(s.hidden), s.hidden, "distinct widths")
    P["N"].check(s.system != "pspin" or s.N >= s.p, s.N, f"an integer >= p = {s.p}")
    P["N"].check(s.system != "pspin" or s.N <= 300, s.N, "at most 300 (the explorer uses exact N x N Hessians)")


NETWORK_PARAMS = (
    Param("data", str, "xor", "network task: xor, or a teacher-student regression", choices=TASKS),
    Param("hidden", int, (3,), "hidden width(s) of the one-hidden-layer tanh network (a list: one exploration "
          "each)", low=1, high=200, many=True),
    Param("l2", float, 1e-4, "weight decay l2/2 |theta|^2", low=0),
    Param("samples", int, 100, "teacher task: training samples", low=1, high=100000),
    Param("test_samples", int, 1000, "teacher task: test samples", low=1, high=1000000),
    Param("inputs", int, 5, "teacher task: input dimension", low=1, high=1000),
    Param("teacher_hidden", int, 4, "teacher task: the teacher's hidden width", low=1, high=1000),
)

PARAMS = ParamSet(
    Param("system", str, "lj", "energy system", choices=SYSTEMS),
    Param("atoms", int, 13, "lj: number of atoms", low=2, high=150),
    Param("hops", int, 1000, "basin-hopping steps (per hidden width for mlp)", low=0, high=10**7),
    Param("step", float, 0.0, "basin-hopping step size (0: the system's default: lj 0.36, muller-brown 0.3, "
          "pspin 1.5, mlp 1.0)", low=0),
    Param("temperature", float, -1.0, "basin-hopping temperature (-1: the system's default: lj 0.8, "
          "muller-brown 20, pspin 1, mlp 0.05)", low=-1),
    Param("connect", int, 30, "transition-state connect steps after hopping (per hidden width for mlp)", low=0,
          high=100000),
    Param("images", int, 10, "images of each doubly-nudged elastic band", low=1, high=200),
    Param("p", int, 3, "pspin: interaction order", low=2, high=5),
    Param("N", int, 60, "pspin: number of spins", low=2, high=300),
    *NETWORK_PARAMS,
    replace(RBM_PARAMS["model"], default="", doc="rbm: " + RBM_PARAMS["model"].doc),
    RBM_PARAMS["units"],
    *(RBM_PARAMS[k] for k in ("starts", "descent", "barriers", "max_minima")),
    seed_param(),
    check=_check,
)


def build_systems(s: Settings, seed) -> list:
    """One system per part (one per hidden width for mlp)."""
    if s.system == "lj":
        return [LennardJones(s.atoms)]
    if s.system == "muller-brown":
        return [MullerBrown()]
    if s.system == "pspin":
        return [SphericalPSpin(pspin_model(s.N, s.p, seed))]
    return [network_system(s.data, h, s.l2, seed, s.samples, s.test_samples, s.inputs, s.teacher_hidden)
            for h in s.hidden]


class Landscape(Simulation):
    """Phases ``hop`` (hops × parts) and ``connect`` (connect × parts); state ``parts/<k>`` = walker and database
    (:mod:`statmech_nn.landscape.explorer`). ``--system rbm``: phase ``descend`` as rbm-landscape."""

    streams = {"system": 1, "hops": 2}

    @property
    def observables(self):
        if self.settings.system == "rbm":
            return {"minimum_free_energy": (np.float64, ()), "descent_flips": (np.int64, ())}
        return {"energy": (np.float64, ()), "lowest": (np.float64, ()), "accepted": (np.int8, ()),
                "new_minimum": (np.int8, ()), "part": (np.int64, ()), "ts_found": (np.int64, ())}

    @cached_property
    def systems(self) -> list:
        return build_systems(self.settings, self.stream("system"))

    @cached_property
    def hop_params(self) -> tuple[float, float]:
        s = self.settings
        step, temperature = HOP_DEFAULTS.get(s.system, (0.0, 0.0))
        return (s.step or step), (temperature if s.temperature == -1 else s.temperature)

    def phases(self) -> dict[str, int]:
        s = self.settings
        if s.system == "rbm":
            return {"descend": s.starts}
        return {"hop": s.hops * len(self.systems), "connect": s.connect * len(self.systems)}

    def init_state(self):
        s = self.settings
        if s.system == "rbm":
            model = check_model(s)
            return {"ends": np.zeros((s.starts, model.n_visible), np.int8), "free_energy": np.zeros(s.starts)}
        return {"parts": {str(k): explorer.init_part(system, self.stream("hops", k))
                          for k, system in enumerate(self.systems)}}

    def step(self, state, phase: str, start: int, n: int):
        s = self.settings
        if phase == "descend":
            ends, free_energy, flips = landscape.descend(check_model(s), self.seed, start, n, s.descent)
            state["ends"][start:start + n] = ends
            state["free_energy"][start:start + n] = free_energy
            steps = np.arange(start, start + n, dtype=np.int64)
            return {"minimum_free_energy": (steps, free_energy), "descent_flips": (steps, flips)}
        per = s.hops if phase == "hop" else s.connect
        offset = 0 if phase == "hop" else s.hops * len(self.systems)
        rows: dict[str, list] = {}
        u = start
        while u < start + n:
            k, first = divmod(u, per)
            count = min(per - first, start + n - u)
            part = state["parts"][str(k)]
            steps = np.arange(offset + u, offset + u + count, dtype=np.int64)
            if phase == "hop":
                energy, accepted, new, lowest = explorer.hops(self.systems[k], part, count, *self.hop_params)
                values = {"energy": energy, "lowest": lowest, "accepted": accepted, "new_minimum": new,
                          "part": np.full(count, k, np.int64)}
            else:
                values = {"ts_found": explorer.connects(self.systems[k], part, first, count, s.images)}
            for name, v in values.items():
                rows.setdefault(name, []).append((steps, v))
            u += count
        return {name: (np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts]))
                for name, parts in rows.items()}

    def results(self, state):
        s = self.settings
        if s.system == "rbm":
            done = int(state["progress"])
            if done == 0:
                return {}
            model = check_model(s)
            out = landscape_results(model, state["ends"][:done], state["free_energy"][:done],
                                    barrier_method(s, model), s.max_minima, exact_basin=s.descent == "steepest")
            return explorer.rbm_database(out)
        parts = [explorer.database_results(system, state["parts"][str(k)]["db"])
                 for k, system in enumerate(self.systems)]
        out = explorer.concatenate(parts)
        out["units"] = np.bytes_(self.systems[0].units)
        out["hop_step"], out["hop_temperature"] = np.float64(self.hop_params[0]), np.float64(self.hop_params[1])
        if s.system == "mlp":
            out["parts"] = {"hidden": np.array(s.hidden, np.int64)}
        return out


def _memory(s: Settings) -> tuple[float, str]:
    if s.system == "rbm":
        return 64.0 * s.starts, "starts"
    dim = {"lj": 3 * s.atoms, "muller-brown": 2, "pspin": s.N}.get(s.system, 2 * max(s.hidden) * (s.inputs + 3))
    return 8.0 * dim * (s.hops + 1) * 3 * max(1, len(s.hidden) * (s.system == "mlp")) + 8.0 * dim * dim * 4, "hops"


STUDY = Study("landscape", "energy landscapes: basin hopping, transition states, disconnectivity graphs (LJ "
              "clusters, Mueller-Brown, p-spin, network losses, RBM free energy)", PARAMS, Landscape,
              summarize=analyze, memory=_memory,
              example={"system": "muller-brown", "hops": 20, "connect": 3})


# ---------------------------------------------------------------------------------------------- basin-volume
def _volume_check(s: Settings) -> None:
    VOLUME_PARAMS["hidden"].check(s.system != "mlp" or len(s.hidden) == 1, s.hidden, "one hidden width")


VOLUME_PARAMS = ParamSet(
    Param("system", str, "mlp", "energy system", choices=("mlp", "muller-brown")),
    *NETWORK_PARAMS,
    Param("minima", int, 50, "random starts, each minimised and measured", low=1, high=100000),
    Param("directions", int, 200, "random rays per basin", low=2, high=10**6),
    Param("delta_e", float, 0.05, "basin height: the basin is where E < E_min + delta_e along each ray "
          "(muller-brown: try 20)", low=0, low_open=True),
    Param("r_max", float, 100.0, "largest ray length", low=0, low_open=True),
    seed_param(),
    check=_volume_check,
)


class BasinVolume(Simulation):
    """Phase ``minimize``: start k → minimum, log V by rays, log det H, test loss (one row each)."""

    streams = {"system": 1, "starts": 2, "rays": 3}
    observables = {"energy": (np.float64, ()), "log_volume": (np.float64, ()), "log_volume_error": (np.float64, ()),
                   "log_det_hessian": (np.float64, ()), "test_loss": (np.float64, ())}

    @cached_property
    def system(self):
        s = self.settings
        if s.system == "muller-brown":
            return MullerBrown()
        return network_system(s.data, s.hidden[0], s.l2, self.stream("system"), s.samples, s.test_samples,
                              s.inputs, s.teacher_hidden)

    def phases(self) -> dict[str, int]:
        return {"minimize": self.settings.minima}

    def init_state(self):
        n, d = self.settings.minima, self.system.dim
        return {"coords": np.zeros((n, d))}

    def step(self, state, phase: str, start: int, n: int):
        s = self.settings
        out = np.empty((5, n))
        for i, k in enumerate(range(start, start + n)):
            m = minimize(self.system, self.system.start(xoshiro256_state(self.stream("starts", k))))
            state["coords"][k] = m.x
            vol = volumes.log_basin_volume(self.system, m.x, s.delta_e, s.directions, self.stream("rays", k),
                                           s.r_max)
            test = self.system.test(m.x) if getattr(self.system, "test", None) else np.nan
            out[:, i] = m.energy, vol.log_volume, vol.error, volumes.log_det_hessian(self.system, m.x), test
        steps = np.arange(start, start + n, dtype=np.int64)
        return {name: (steps, out[j]) for j, name in enumerate(self.observables)}

    def results(self, state):
        done = int(state["progress"])
        return {"coords": state["coords"][:done], "delta_e": np.float64(self.settings.delta_e),
                "units": np.bytes_(self.system.units)}


VOLUME_STUDY = Study("basin-volume", "basin volumes of minima (random rays, log det Hessian) against test loss",
                     VOLUME_PARAMS, BasinVolume, summarize=analyze_volumes,
                     memory=lambda s: (8.0 * s.minima * 2 * max(s.hidden) * (s.inputs + 3), "minima"),
                     example={"data": "xor", "hidden": 2, "minima": 4, "directions": 20, "l2": 1e-2})

