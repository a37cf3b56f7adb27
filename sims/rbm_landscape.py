"""Study ``rbm-landscape``: the free-energy landscape F(v) of a trained (or any) RBM read from ``--model``.

Each of ``starts`` uniformly random visible states descends at zero temperature by single flips
(:mod:`statmech_nn.landscape.descent`; one row per start: the F reached and the number of flips). At the end
the distinct minima, the fraction of starts reaching each (basin sizes), the lowest barriers between them
(:mod:`statmech_nn.landscape.barriers`) and the disconnectivity tree go to ``/results`` (docs/rbm_landscape.md):

* ``barriers = "exact"`` (n_visible ≤ 22): all local minima by enumerating the 2^n states, their exact
  steepest-descent basins (``basin_size_exact``) and exact minimax barriers;
* ``barriers = "path"``: the minima the descents found; barriers are upper bounds from greedy direct paths,
  among the ``max_minima`` lowest minima;
* ``barriers = "auto"``: exact when n_visible ≤ 16, otherwise path.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from statmech_nn import landscape
from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.io.modelfile import check_model, model_params
from statmech_nn.study import Study, seed_param

BARRIERS = ("auto", "exact", "path")
AUTO_EXACT_VISIBLE = 16


def barrier_method(s: Settings, model: RBM) -> str:
    if s.barriers == "auto":
        return "exact" if model.n_visible <= AUTO_EXACT_VISIBLE else "path"
    return s.barriers


def _check(s: Settings) -> None:
    model = check_model(s)
    if barrier_method(s, model) == "exact" and model.n_visible > landscape.MAX_EXACT_VISIBLE:
        raise ParameterError("barriers", s.barriers, f"auto or path for n_visible = {model.n_visible} "
                             f"(exact enumerates 2^n_visible states: n_visible <= {landscape.MAX_EXACT_VISIBLE})")


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


@dataclass(frozen=True)
class Landscape:
    """Settings of one run. State: ``ends`` (starts, n_visible) int8 minima reached, ``free_energy`` (starts,)
    their F, ``done`` () starts descended so far."""

    settings: Settings
    seed: np.random.SeedSequence

    study = "rbm-landscape"
    observables = {"minimum_free_energy": (np.float64, ()), "descent_flips": (np.int64, ())}

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    def init_state(self) -> dict[str, np.ndarray]:
        n = self.settings.starts
        return {"ends": np.zeros((n, self.model.n_visible), np.int8), "free_energy": np.zeros(n),
                "done": np.array(0, np.int64)}

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Descend the next ``max_rows`` starts."""
        first = int(state["done"])
        count = min(max_rows, self.settings.starts - first)
        ends, free_energy, flips = landscape.descend(self.model, self.seed, first, count, self.settings.descent)
        state["ends"][first:first + count] = ends
        state["free_energy"][first:first + count] = free_energy
        state["done"] = np.array(first + count, np.int64)
        steps = np.arange(first, first + count, dtype=np.int64)
        return {"minimum_free_energy": (steps, free_energy), "descent_flips": (steps, flips)}

    def progress(self, state) -> tuple[int, int]:
        return int(state["done"]), self.settings.starts

    def results(self, state) -> dict[str, np.ndarray]:
        done = int(state["done"])
        if done == 0:
            return {}
        model, method = self.model, barrier_method(self.settings, self.model)
        minima, free_energy, basin, _ = landscape.unique_minima(state["ends"][:done], state["free_energy"][:done])
        out = {}
        if method == "exact":
            table, _ = landscape.landscape_table(model)
            index, all_minima, all_f, exact_basin = landscape.exact_basins(model)
            found = {m.tobytes(): b for m, b in zip(minima, basin)}
            unknown = set(found) - {m.tobytes() for m in all_minima}
            if unknown:  # a descent ending off the enumerated minima would be a bug
                raise RuntimeError(f"{len(unknown)} descent end points are not local minima")
            basin = np.array([found.get(m.tobytes(), 0.0) for m in all_minima])
            minima, free_energy = all_minima, all_f
            if self.settings.descent == "steepest":
                out["basin_size_exact"] = exact_basin
            edges, levels = landscape.exact_merges(table, index)
        else:
            keep = min(len(minima), self.settings.max_minima)
            edges, levels = landscape.path_merges(model, minima[:keep])
        kept = len(edges) + 1
        node_level, node_pairs = landscape.tree_arrays(free_energy[:kept], edges, levels)
        out.update(minima=minima, free_energy=free_energy, basin_size=basin,
                   barriers=landscape.barrier_matrix(free_energy[:kept], edges, levels),
                   merge_edges=edges, merge_levels=levels, tree_levels=node_level, tree_edges=node_pairs,
                   barrier_method=np.bytes_(method), starts_done=np.int64(done))
        return out


def build(s: Settings, seed: np.random.SeedSequence) -> Landscape:
    return Landscape(s, seed)


STUDY = Study("rbm-landscape", "free-energy landscape of an RBM: minima, basins, barriers, disconnectivity graph",
              PARAMS, build)
