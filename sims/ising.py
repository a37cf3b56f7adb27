"""Study ``ising``: the periodic square-lattice Ising model, H = -J Σ<ij> s_i s_j - h Σ s_i.

Algorithms: checkerboard Metropolis and heat bath (even L), Wolff and Swendsen–Wang clusters (any L ≥ 2).
Cluster "sweeps" are defined to cost about one local sweep (docs/ising.md).
"""
from __future__ import annotations

from functools import cached_property

from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.samplers.ising import ALGORITHMS, LOCAL_ALGORITHMS, OBSERVABLES, IsingChain
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.ising import analyze


def _check(s: Settings) -> None:
    PARAMS["L"].check(s.algorithm not in LOCAL_ALGORITHMS or s.L % 2 == 0, s.L,
                      f"an even integer >= 2 for algorithm '{s.algorithm}' (checkerboard order)")
    PARAMS["measure_every"].check(s.measure_every <= s.sweeps, s.measure_every,
                                  f"an integer from 1 to sweeps={s.sweeps}")


PARAMS = ParamSet(
    Param("L", int, 32, "linear lattice size (periodic L×L)", low=2, high=65536),
    Param("T", float, round(T_CRITICAL, 6), "temperature (k_B = 1)", low=0, low_open=True),
    Param("J", float, 1.0, "nearest-neighbour coupling (negative: antiferromagnet)"),
    Param("h", float, 0.0, "external field"),
    Param("algorithm", str, "wolff", "Monte Carlo update", choices=ALGORITHMS),
    Param("sweeps", int, 10000, "measurement sweeps after burn-in", low=1),
    Param("burn_in", int, 1000, "sweeps discarded before measuring", low=0),
    Param("measure_every", int, 1, "sweeps between measurements", low=1),
    Param("start", str, "random", "initial configuration", choices=("random", "ordered")),
    seed_param(),
    check=_check,
)


class Ising(Simulation):
    """Phases: ``burn-in`` (sweeps, no rows), ``measure`` (rows of energy and magnetization per spin)."""

    observables = OBSERVABLES

    @cached_property
    def chain(self) -> IsingChain:
        s = self.settings
        return IsingChain(L=s.L, T=s.T, J=s.J, h=s.h, algorithm=s.algorithm, sweeps=s.sweeps, burn_in=s.burn_in,
                          measure_every=s.measure_every, start=s.start, seed=self.seed)

    def phases(self) -> dict[str, int]:
        return {"burn-in": self.chain.n_burn_in, "measure": self.chain.n_rows}

    def init_state(self):
        return self.chain.init_state()

    def step(self, state, phase: str, start: int, n: int):
        if phase == "burn-in":
            self.chain.burn(state, n)
            return {}
        return self.chain.measure(state, n)


def memory(s: Settings) -> tuple[float, str]:
    """Spins (1 byte) plus the cluster kernels' per-site scratch (≤ 9 bytes) on the L × L lattice."""
    return 10.0 * s.L**2, "L"


STUDY = Study("ising", "2-D Ising model: Metropolis, heat bath, Wolff, Swendsen-Wang", PARAMS, Ising,
              summarize=analyze, example={"L": 8, "T": 2.3, "sweeps": 200, "burn_in": 10}, memory=memory)
