"""A Markov chain on the 2-D Ising model: settings + explicit state, advanced by the Numba kernels.

State (all numpy arrays, stored verbatim in a run's ``/checkpoint``):

* ``spins``    int8 (L, L), ±1, natural layout;
* ``rng``      uint32 (4, L/2) xoshiro128+ lanes (metropolis, heat-bath) or uint64 (4,) xoshiro256** (cluster);
* ``counters`` int64 [sweeps done (burn-in included), rows measured, Wolff clusters per sweep K (0 until
  calibrated), Wolff calibration clusters, Wolff calibration spins].

``sweeps`` counts measurement sweeps after the burn-in; a row (energy and magnetization per spin) is measured after
every ``measure_every`` sweeps and stamped with the total number of sweeps done, burn-in included.

Wolff sweeps are K = round(L²/⟨|C|⟩) cluster updates, with ⟨|C|⟩ measured over the second half of the burn-in
(at least ``WOLFF_CALIBRATION_SWEEPS`` long for Wolff; the first half lets clusters grow from the random start)
and K then frozen, so that measurements are taken at fixed numbers of Markov steps (docs/ising.md explains why a
size-based stopping rule would bias them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import rng as rng_mod
from ..threads import threads_for
from .checkerboard import checkerboard_chunk, half_sweep_work
from .cluster import swendsen_wang_chunk, wolff_chunk

ALGORITHMS = ("metropolis", "heat-bath", "wolff", "swendsen-wang")
LOCAL_ALGORITHMS = ("metropolis", "heat-bath")
OBSERVABLES = {"energy": (np.float64, ()), "magnetization": (np.float64, ())}
WOLFF_CALIBRATION_SWEEPS = 20
SWEEPS, ROWS, WOLFF_K, CAL_CLUSTERS, CAL_SPINS = range(5)


@dataclass(frozen=True)
class IsingChain:
    """Immutable settings of one chain; ``seed`` is a SeedSequence (run seed, or sweep point's child)."""

    L: int
    T: float
    algorithm: str
    sweeps: int
    seed: np.random.SeedSequence
    J: float = 1.0
    h: float = 0.0
    burn_in: int = 0
    measure_every: int = 1
    start: str = "random"

    observables = OBSERVABLES

    @property
    def n_rows(self) -> int:
        return self.sweeps // self.measure_every

    @property
    def n_burn_in(self) -> int:
        """Sweeps before the first measurement (Wolff needs a few to calibrate its sweep length)."""
        return max(self.burn_in, WOLFF_CALIBRATION_SWEEPS) if self.algorithm == "wolff" else self.burn_in

    def init_state(self) -> dict[str, np.ndarray]:
        config_seq, kernel_seq = self.seed.spawn(2)
        if self.start == "ordered":
            spins = np.ones((self.L, self.L), dtype=np.int8)
        else:
            bits = np.random.Generator(np.random.PCG64(config_seq)).integers(0, 2, size=(self.L, self.L))
            spins = (1 - 2 * bits).astype(np.int8)
        if self.algorithm in LOCAL_ALGORITHMS:
            state_rng = rng_mod.xoshiro128_lanes(kernel_seq, self.L // 2)
        else:
            state_rng = rng_mod.xoshiro256_state(kernel_seq)
        return {"spins": spins, "rng": state_rng, "counters": np.zeros(5, dtype=np.int64)}

    def _kernel(self, state, sweeps_per_row: int, energy: np.ndarray, magnetization: np.ndarray,
                calibrate: bool = False) -> None:
        beta, counters = 1.0 / self.T, state["counters"]
        if self.algorithm in LOCAL_ALGORITHMS:
            with threads_for(half_sweep_work(self.L)):  # threshold measured with a half-sweep per region
                checkerboard_chunk(state["spins"], state["rng"], beta, self.J, self.h,
                                   self.algorithm == "heat-bath", sweeps_per_row, energy, magnetization)
        elif self.algorithm == "wolff":
            clusters, grown = wolff_chunk(state["spins"], state["rng"], beta, self.J, self.h, sweeps_per_row,
                                          counters[WOLFF_K], energy, magnetization)
            if calibrate:  # second half of the burn-in: accumulate ⟨|C|⟩
                counters[CAL_CLUSTERS] += clusters
                counters[CAL_SPINS] += grown
        else:
            swendsen_wang_chunk(state["spins"], state["rng"], beta, self.J, self.h, sweeps_per_row,
                                energy, magnetization)

    def burn(self, state, n: int) -> None:
        """Run ``n`` burn-in sweeps (Wolff: the second half of the burn-in measures ⟨|C|⟩, then K is frozen)."""
        counters = state["counters"]
        half = self.n_burn_in // 2  # Wolff calibrates on [half, n_burn_in)
        scratch = np.empty(1)
        while n > 0:
            done = int(counters[SWEEPS])
            k = min((half if done < half else self.n_burn_in) - done, n)
            self._kernel(state, k, scratch, scratch.copy(), calibrate=done >= half)
            counters[SWEEPS] += k
            n -= k
            if self.algorithm == "wolff" and counters[SWEEPS] == self.n_burn_in:
                counters[WOLFF_K] = max(1, round(self.L**2 * counters[CAL_CLUSTERS] / counters[CAL_SPINS]))

    def measure(self, state, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Measure ``n`` rows, one every ``measure_every`` sweeps, stamped with the sweeps done so far."""
        counters = state["counters"]
        done = int(counters[SWEEPS])
        energy, magnetization = np.empty(n), np.empty(n)
        self._kernel(state, self.measure_every, energy, magnetization)
        steps = done + self.measure_every * np.arange(1, n + 1, dtype=np.int64)
        counters[SWEEPS] += n * self.measure_every
        counters[ROWS] += n
        return {"energy": (steps, energy), "magnetization": (steps, magnetization)}

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Run up to ``max_rows`` rows' worth of sweeps (burn-in first, up to its half-way point for Wolff's
        calibration); return the rows measured."""
        done = int(state["counters"][SWEEPS])
        if done < self.n_burn_in:
            half = self.n_burn_in // 2
            self.burn(state, min((half if done < half else self.n_burn_in) - done, max_rows * self.measure_every))
            return {}
        return self.measure(state, min(max_rows, self.n_rows - int(state["counters"][ROWS])))

    def progress(self, state) -> tuple[int, int]:
        """(sweeps done, sweeps in all), burn-in included; measured sweeps past the last row are not run."""
        return int(state["counters"][SWEEPS]), self.n_burn_in + self.n_rows * self.measure_every

    def results(self, state) -> dict[str, np.ndarray]:
        return {}
