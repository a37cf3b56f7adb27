"""Study ``ising``: the periodic square-lattice Ising model, H = -J Σ<ij> s_i s_j - h Σ s_i.

Algorithms: checkerboard Metropolis and heat bath (even L), Wolff and Swendsen–Wang clusters (any L ≥ 2).
Cluster "sweeps" are defined to cost about one local sweep (docs/ising.md).
"""
from __future__ import annotations

from statmech_nn.errors import ParameterError
from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.samplers.ising import ALGORITHMS, LOCAL_ALGORITHMS, IsingChain
from statmech_nn.study import Study, seed_param


def _check(s: Settings) -> None:
    if s.algorithm in LOCAL_ALGORITHMS and s.L % 2:
        raise ParameterError("L", s.L, f"an even integer >= 2 for algorithm '{s.algorithm}' (checkerboard order)")
    if s.measure_every > s.sweeps:
        raise ParameterError("measure_every", s.measure_every, f"an integer from 1 to sweeps={s.sweeps}")


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


def build(s: Settings, seed) -> IsingChain:
    return IsingChain(L=s.L, T=s.T, J=s.J, h=s.h, algorithm=s.algorithm, sweeps=s.sweeps, burn_in=s.burn_in,
                      measure_every=s.measure_every, start=s.start, seed=seed)


STUDY = Study("ising", "2-D Ising model: Metropolis, heat bath, Wolff, Swendsen-Wang", PARAMS, build)
