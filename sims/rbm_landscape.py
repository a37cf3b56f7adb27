"""Study ``rbm-landscape``: the free-energy landscape F(v) of a trained (or any) RBM read from ``--model``.

Each of ``starts`` uniformly random visible states descends at zero temperature by single flips
(:mod:`statmech_nn.landscape.descent`; one row per start: the F reached and the number of flips). At the end
the distinct minima, the fraction of starts reaching each (basin sizes), the lowest barriers between them
(:mod:`statmech_nn.landscape.barriers`) and the disconnectivity tree go to ``/results``
(:func:`statmech_nn.rbm.landscape.landscape_results`; docs/rbm_landscape.md):

* ``barriers = "exact"`` (n_visible ≤ 22): all local minima by enumerating the 2^n states, their exact
  steepest-descent basins (``basin_size_exact``) and exact minimax barriers;
* ``barriers = "path"``: the minima the descents found; barriers are upper bounds from greedy direct paths,
  among the ``max_minima`` lowest minima;
* ``barriers = "auto"``: exact when n_visible ≤ 16, otherwise path.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn import landscape
from statmech_nn.io.modelfile import check_model, model_params
from statmech_nn.models.rbm import RBM
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm.landscape import landscape_results
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.landscape import analyze

BARRIERS = ("auto", "exact", "path")
AUTO_EXACT_VISIBLE = 16


def barrier_method(s: Settings, model: RBM) -> str:
    if s.barriers == "auto":
        return "exact" if model.n_visible <= AUTO_EXACT_VISIBLE else "path"
    return s.barriers


def _check(s: Settings) -> None:
    model = check_model(s)
    PARAMS["barriers"].check(barrier_method(s, model) != "exact" or model.n_visible <= landscape.MAX_EXACT_VISIBLE,
                             s.barriers, f"auto or path for n_visible = {model.n_visible} (exact enumerates "
                             f"2^n_visible states: n_visible <= {landscape.MAX_EXACT_VISIBLE})")


PARAMS = ParamSet(
    *model_params(),
    Param("starts", int, 1000, "random starting states, one zero-temperature descent each", low=1, high=10**8),
    Param("descent", str, "steepest", "single-flip descent: steepest, or random order (first improvement)",
          choices=landscape.DESCENTS),
    Param("barriers", str, "auto", "barriers and basins: exact enumeration, greedy paths, or auto", choices=BARRIERS),
    Param("max_minima", int, 200, "path barriers: the lowest minima included in barriers and tree", low=1,
          high=100000),
    seed_param(),
    check=_check,
)


class Landscape(Simulation):
    """Phase ``descend`` (one unit and one row per start). State: ``ends`` (starts, n_visible) int8 minima
    reached, ``free_energy`` (starts,) their F."""

    observables = {"minimum_free_energy": (np.float64, ()), "descent_flips": (np.int64, ())}

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    def phases(self) -> dict[str, int]:
        return {"descend": self.settings.starts}

    def init_state(self):
        n = self.settings.starts
        return {"ends": np.zeros((n, self.model.n_visible), np.int8), "free_energy": np.zeros(n)}

    def step(self, state, phase: str, start: int, n: int):
        ends, free_energy, flips = landscape.descend(self.model, self.seed, start, n, self.settings.descent)
        state["ends"][start:start + n] = ends
        state["free_energy"][start:start + n] = free_energy
        steps = np.arange(start, start + n, dtype=np.int64)
        return {"minimum_free_energy": (steps, free_energy), "descent_flips": (steps, flips)}

    def results(self, state):
        done = int(state["progress"])
        if done == 0:
            return {}
        s = self.settings
        return landscape_results(self.model, state["ends"][:done], state["free_energy"][:done],
                                 barrier_method(s, self.model), s.max_minima, exact_basin=s.descent == "steepest")


STUDY = Study("rbm-landscape", "free-energy landscape of an RBM: minima, basins, barriers, disconnectivity graph",
              PARAMS, Landscape, summarize=analyze, example={"model": "{rbm_model}", "starts": 40})
