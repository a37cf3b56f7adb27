"""Study ``ising``: the periodic square-lattice Ising model, H = -J Σ<ij> s_i s_j - h Σ s_i.

Algorithms: checkerboard Metropolis and heat bath (even L), Wolff and Swendsen–Wang clusters (any L ≥ 2).
Cluster "sweeps" are defined to cost about one local sweep (docs/ising.md). ``multispin``: 64 independent replicas
of checkerboard Metropolis bit-sliced in uint64 words (even L, h = 0); its rows hold every replica's e and m.
"""
from __future__ import annotations

from functools import cached_property

from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.samplers.ising import ALGORITHMS, LOCAL_ALGORITHMS, OBSERVABLES, IsingChain
from statmech_nn.samplers.multispin import REPLICA_OBSERVABLES, IsingReplicas
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.ising import analyze
from statmech_nn.summaries.ising_replicas import analyze_replicas

MULTISPIN = "multispin"


def _check(s: Settings) -> None:
    PARAMS["L"].check(s.algorithm not in LOCAL_ALGORITHMS + (MULTISPIN,) or s.L % 2 == 0, s.L,
                      f"an even integer >= 2 for algorithm '{s.algorithm}' (checkerboard order)")
    PARAMS["measure_every"].check(s.measure_every <= s.sweeps, s.measure_every,
                                  f"an integer from 1 to sweeps={s.sweeps}")
    PARAMS["h"].check(s.algorithm != MULTISPIN or s.h == 0, s.h, f"0 for algorithm '{MULTISPIN}'")


PARAMS = ParamSet(
    Param("L", int, 32, "linear lattice size (periodic L×L)", low=2, high=65536),
    Param("T", float, round(T_CRITICAL, 6), "temperature (k_B = 1)", low=0, low_open=True),
    Param("J", float, 1.0, "nearest-neighbour coupling (negative: antiferromagnet)"),
    Param("h", float, 0.0, "external field"),
    Param("algorithm", str, "wolff", "Monte Carlo update", choices=ALGORITHMS + (MULTISPIN,)),
    Param("sweeps", int, 10000, "measurement sweeps after burn-in", low=1),
    Param("burn_in", int, 1000, "sweeps discarded before measuring", low=0),
    Param("measure_every", int, 1, "sweeps between measurements", low=1),
    Param("start", str, "random", "initial configuration", choices=("random", "ordered")),
    seed_param(),
    check=_check,
)


class Ising(Simulation):
    """Phases: ``burn-in`` (sweeps, no rows), ``measure`` (rows of energy and magnetization per spin; with
    ``multispin``, one per replica)."""

    @property
    def observables(self):
        return REPLICA_OBSERVABLES if self.settings.algorithm == MULTISPIN else OBSERVABLES

    @cached_property
    def chain(self) -> IsingChain | IsingReplicas:
        s = self.settings
        if s.algorithm == MULTISPIN:
            return IsingReplicas(L=s.L, T=s.T, J=s.J, sweeps=s.sweeps, burn_in=s.burn_in,
                                 measure_every=s.measure_every, start=s.start, seed=self.seed)
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
    """Spins (1 byte) plus the cluster kernels' per-site scratch (≤ 9 bytes) on the L × L lattice; multispin:
    a word (8 bytes) per site, its two sublattice copies and 2 KiB of random streams per row."""
    if s.algorithm == MULTISPIN:
        return 16.0 * s.L**2 + 2048.0 * s.L, "L"
    return 10.0 * s.L**2, "L"


def summarize(run):
    """:func:`~statmech_nn.summaries.ising.analyze`, or its replica form for ``multispin`` runs."""
    return (analyze_replicas if run.parameters["algorithm"] == MULTISPIN else analyze)(run)


STUDY = Study("ising", "2-D Ising model: Metropolis, heat bath, Wolff, Swendsen-Wang", PARAMS, Ising,
              summarize=summarize, example={"L": 8, "T": 2.3, "sweeps": 200, "burn_in": 10}, memory=memory)
