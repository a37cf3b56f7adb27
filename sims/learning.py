"""Studies ``capacity``, ``hopfield`` and ``teacher-student``: the statistical mechanics of learning in
single-layer networks, each simulation stored beside its replica theory (docs/learning.md).

All three evaluate independent trials on a grid of loads α (``--alpha a:b:n`` or a list). Trial t at grid point p
draws every random number from ``seed_sequence(seed, p, t, ...)`` (:mod:`statmech_nn.learning`), so a phase unit is
one (point, batch of trials) and the numbers do not depend on how the work is chunked, interrupted or resumed. State:
``samples`` (points, trials, values) with NaN for trials not yet done. One row per finished point (step = its index)
holds its per-trial values (``<value>_trials``), so an interrupted run keeps its finished points; ``/results`` holds
``alpha``, the simulation ``<name>`` ± ``<name>_error`` (standard error over trials), ``<name>_theory`` on the same
grid and the scalar theory values.
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from statmech_nn.learning import batched, capacity, hopfield, hopfield_theory, ising_perceptron, teacher_student
from statmech_nn.learning.hopfield import n_patterns
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries import learning as summaries

MAX_ENUMERATED_N = 31


def _alpha(default: str, doc: str = "loads α = P/N: a list 0.5,1,2 or a:b:n (n values from a to b)") -> Param:
    return Param("alpha", float, Param("alpha", float, None, "", many=True).coerce(default), doc, low=0,
                 low_open=True, many=True)


def _odd_enumerable(params: ParamSet, s: Settings, why: str) -> None:
    params["N"].check(s.N % 2 == 1 and 3 <= s.N <= MAX_ENUMERATED_N, s.N,
                      f"an odd integer from 3 to {MAX_ENUMERATED_N} for {why} (all 2^N weight vectors are enumerated; "
                      "odd N excludes ties w·ξ = 0)")


class TrialGrid(Simulation):
    """One phase, ``trials``: unit u is grid point p = u // batches and its trials [b·B, (b+1)·B), b = u % batches,
    with B = :attr:`batch` trials per unit. A study names its per-trial ``values`` and gives :meth:`evaluate`."""

    values: tuple[str, ...] = ()
    batch = 1

    @property
    def observables(self) -> dict:
        return {f"{name}_trials": (np.float64, (self.settings.trials,), ("trial",)) for name in self.values}

    @property
    def batches(self) -> int:
        return -(-self.settings.trials // self.batch)

    def phases(self) -> dict[str, int]:
        return {"trials": len(self.settings.alpha) * self.batches}

    def init_state(self) -> dict[str, np.ndarray]:
        return {"samples": np.full((len(self.settings.alpha), self.settings.trials, len(self.values)), np.nan)}

    def evaluate(self, point: int, trials: range) -> np.ndarray:
        """(len(trials), len(values)) per-trial values at grid point ``point``."""
        raise NotImplementedError

    def step(self, state, phase: str, start: int, n: int):
        samples, finished = state["samples"], []
        for unit in range(start, start + n):
            point, b = divmod(unit, self.batches)
            trials = range(b * self.batch, min((b + 1) * self.batch, self.settings.trials))
            samples[point, trials.start:trials.stop] = self.evaluate(point, trials)
            if trials.stop == self.settings.trials:
                finished.append(point)
        if not finished:
            return {}
        steps = np.array(finished, dtype=np.int64)
        return {f"{name}_trials": (steps, samples[finished, :, k]) for k, name in enumerate(self.values)}

    def simulated(self, state, k: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Mean over trials and its standard error per grid point (NaN where the point is not finished)."""
        x = state["samples"][:, :, k]
        n = x.shape[1]
        done = ~np.isnan(x).any(axis=1)
        mean, err = np.full(len(x), np.nan), np.full(len(x), np.nan)
        mean[done] = x[done].mean(axis=1)
        err[done] = x[done].std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else 0.0
        return mean, err

    def curve(self, state, name: str, theory: np.ndarray, k: int = 0) -> dict[str, np.ndarray]:
        mean, err = self.simulated(state, k)
        return {"alpha": np.asarray(self.settings.alpha, dtype=float), name: mean, f"{name}_error": err,
                f"{name}_theory": np.asarray(theory, dtype=float)}


# ---------------------------------------------------------------- capacity


def _check_capacity(s: Settings) -> None:
    if s.weights == "ising":
        CAPACITY_PARAMS["kappa"].check(s.kappa == 0.0, s.kappa, "0 for weights 'ising' (Krauth–Mézard, κ = 0)")
        _odd_enumerable(CAPACITY_PARAMS, s, "weights 'ising'")


CAPACITY_PARAMS = ParamSet(
    Param("N", int, 100, "inputs per pattern (weights 'ising': odd, ≤ 31)", low=2, high=100000),
    _alpha("0.5:4:36"),
    Param("kappa", float, 0.0, "margin κ: every stability y w·x/√N ≥ κ at |w|² = N (weights 'spherical')",
          low=0),
    Param("weights", str, "spherical", "weight space: real (spherical) or ±1 (ising, exact enumeration)",
          choices=("spherical", "ising")),
    Param("trials", int, 200, "random pattern sets per load", low=1, high=10**6),
    seed_param(),
    check=_check_capacity,
)


class Capacity(TrialGrid):
    """Separability of P = round(αN) random ±1 patterns with random labels: exact LP (κ = 0), the optimal
    stability ≥ κ (κ > 0), or enumeration of all ±1 weight vectors (weights 'ising')."""

    values = ("separable",)
    batch = 10

    def evaluate(self, point, trials):
        s = self.settings
        P = max(1, round(s.alpha[point] * s.N))
        if s.weights == "ising":
            out = batched.storable_batch(s.N, P, self.seed, point, trials)
        else:
            out = capacity.separability_trials(s.N, P, self.seed, point, trials, s.kappa)
        return out.astype(float)[:, None]

    def results(self, state):
        s = self.settings
        if s.weights == "ising":
            alpha_c = ising_perceptron.krauth_mezard_alpha_c()
            theory = (np.asarray(s.alpha) < alpha_c).astype(float)
        else:
            alpha_c = capacity.gardner_alpha_c(s.kappa)
            theory = capacity.separable_fraction_theory(s.N, s.alpha, s.kappa)
        return {**self.curve(state, "separable_fraction", theory), "alpha_c_theory": np.float64(alpha_c)}


def capacity_memory(s: Settings) -> tuple[float, str]:
    """The LP's dense constraint matrix and HiGHS' copies, ~5 (P + 1)(N + 1) doubles at the largest P."""
    P = max(1, round(max(s.alpha) * s.N))
    return 40.0 * (P + 1) * (s.N + 1) + 1e6, "N"


CAPACITY = Study("capacity", "perceptron storage capacity: Cover, Gardner α_c(κ), Krauth–Mézard (±1 weights)",
                 CAPACITY_PARAMS, Capacity, summarize=summaries.analyze_capacity,
                 example={"N": 12, "alpha": (0.5, 1.5, 2.5, 3.5), "trials": 12}, memory=capacity_memory)


# ---------------------------------------------------------------- hopfield


HOPFIELD_PARAMS = ParamSet(
    Param("N", int, 2000, "neurons", low=2, high=200000),
    _alpha("0.02:0.2:19", "loads α = P/N (patterns per neuron): a list or a:b:n"),
    Param("T", float, 0.0, "temperature of the Glauber dynamics (0: asynchronous sign updates to a fixed point)",
          low=0, high=1.5),
    Param("noise", float, 0.0, "fraction of the recalled pattern's spins flipped in the cue", low=0, high=1),
    Param("sweeps", int, 100, "sweeps: the most at T = 0 (stops at a fixed point), exactly this many at T > 0",
          low=1, high=10**6),
    Param("trials", int, 20, "independent networks (patterns, cue, dynamics) per load", low=1, high=10**6),
    seed_param(),
)


class Hopfield(TrialGrid):
    """Retrieval of pattern 1 from a cue at distance ``noise``: final Mattis overlap m per trial."""

    values = ("overlap",)

    def evaluate(self, point, trials):
        s = self.settings
        return hopfield.retrieval_trials(s.N, s.alpha[point], self.seed, point, trials, s.T, s.noise,
                                         s.sweeps)[:, None]

    @cached_property
    def theory(self) -> dict[str, np.ndarray]:
        s = self.settings
        alpha_c, m_c = hopfield_theory.ags_critical()
        return {"overlap_theory": np.array([hopfield_theory.retrieval_overlap(a, s.T) for a in s.alpha]),
                "alpha_c_theory": np.float64(alpha_c), "overlap_c_theory": np.float64(m_c)}

    def results(self, state):
        return {**self.curve(state, "overlap", self.theory["overlap_theory"]), **self.theory,
                "T": np.float64(self.settings.T)}


def hopfield_memory(s: Settings) -> tuple[float, str]:
    """One trial at a time: float64 ξᵀξ (8N²), its int32 copy N·J (4N²) and the int64 copy for the first fields
    (8N²), plus the patterns (8PN)."""
    P = n_patterns(s.N, max(s.alpha))
    return 20.0 * s.N**2 + 8.0 * P * s.N, "N"


HOPFIELD = Study("hopfield", "Hopfield network retrieval vs load α at temperature T (AGS theory)", HOPFIELD_PARAMS,
                 Hopfield, summarize=summaries.analyze_hopfield,
                 example={"N": 60, "alpha": (0.05, 0.15, 0.3), "trials": 3}, memory=hopfield_memory)


# ---------------------------------------------------------------- teacher-student


def _check_teacher_student(s: Settings) -> None:
    if s.weights == "ising":
        TS_PARAMS["rule"].check(s.rule == "gibbs", s.rule, "'gibbs' for weights 'ising' (exact version-space average)")
        TS_PARAMS["T"].check(s.T == 0.0, s.T, "0 for weights 'ising' (the version space is enumerated)")
        _odd_enumerable(TS_PARAMS, s, "weights 'ising'")
    TS_PARAMS["T"].check(s.T == 0.0 or s.rule != "hebb", s.T, "0 for rule 'hebb' (it has no training temperature)")


TS_PARAMS = ParamSet(
    Param("weights", str, "spherical", "teacher and student weights: real (spherical) or ±1 (ising)",
          choices=("spherical", "ising")),
    Param("rule", str, "gibbs", "student: Gibbs (version space / training temperature T), Bayes (centroid of "
          "the Gibbs students), Hebb", choices=teacher_student.RULES),
    Param("N", int, 100, "inputs (weights 'ising': odd, ≤ 31)", low=2, high=100000),
    _alpha("0.5:10:20", "examples per weight α = P/N: a list or a:b:n"),
    Param("T", float, 0.0, "training temperature of the Gibbs students (0: the version space)", low=0),
    Param("students", int, 4, "Gibbs students per trial (rule 'bayes': the centroid of this many)", low=1, high=64),
    Param("steps_per_n", int, teacher_student.STEPS_PER_N, "elliptical-slice updates per student, in units of N",
          low=1, high=10**5),
    Param("trials", int, 10, "independent teachers and training sets per load", low=1, high=10**6),
    seed_param(),
    check=_check_teacher_student,
)


class TeacherStudent(TrialGrid):
    """Generalization error ε of the student per trial (and, for ±1 weights, whether the teacher is the only
    weight vector consistent with the examples)."""

    @property
    def values(self) -> tuple[str, ...]:
        return ("generalization_error", "unique") if self.settings.weights == "ising" else ("generalization_error",)

    @property
    def batch(self) -> int:
        s = self.settings
        return 1 if s.weights == "ising" else 10 if s.rule == "hebb" else 2

    def evaluate(self, point, trials):
        s, a = self.settings, self.settings.alpha[point]
        if s.weights == "ising":
            return np.column_stack(batched.ising_gibbs_batch(s.N, a, self.seed, point, trials))
        if s.rule == "hebb":
            return teacher_student.hebb_trials(s.N, a, self.seed, point, trials)[:, None]
        gibbs, centroid = batched.gibbs_batch(s.N, a, self.seed, point, trials, s.students, s.T,
                                              s.steps_per_n * s.N)
        return (gibbs if s.rule == "gibbs" else centroid)[:, None]

    @cached_property
    def theory(self) -> np.ndarray:
        s = self.settings
        if s.weights == "ising":
            return ising_perceptron.ising_gibbs_error_theory(s.alpha)
        return summaries.learning_curve_theory(s.alpha, s.rule, s.students if s.rule == "bayes" else None, s.T)

    def results(self, state):
        out = {**self.curve(state, "generalization_error", self.theory), "T": np.float64(self.settings.T)}
        if self.settings.weights == "ising":
            out["unique_fraction"], out["unique_fraction_error"] = self.simulated(state, 1)
            out["alpha_transition_theory"] = np.float64(ising_perceptron.ising_gibbs_transition())
        return out


def ts_memory(s: Settings) -> tuple[float, str]:
    """A batch of trials: patterns, their transpose and signed copy (24PN bytes each) and the students."""
    P = max(1, round(max(s.alpha) * s.N))
    return 2 * (24.0 * P * s.N + 16.0 * s.students * (P + s.N)) + 1e6, "N"


TEACHER_STUDENT = Study(
    "teacher-student", "perceptron generalization ε(α): Gibbs (T ≥ 0), Bayes, Hebb; ±1 weights by enumeration",
    TS_PARAMS, TeacherStudent, summarize=summaries.analyze_teacher_student,
    example={"N": 10, "alpha": (0.5, 2.0), "trials": 3, "students": 2, "steps_per_n": 5}, memory=ts_memory)
