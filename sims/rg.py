"""Studies of the renormalization group and deep learning (docs/rg.md); the physics is in :mod:`statmech_nn.rg`.

* ``rg-decimate-1d`` — exact decimation of the periodic 1-D chain written as a stack of RBMs (Mehta & Schwab 2014):
  one row per level n = 0..steps with the coupling K_n, and the enumeration check of the step n → n+1.
* ``rg-stack`` — stacked ±1 RBMs (e.g. 1600-400-100-25) trained layer by layer with L1 on equilibrated L×L Ising
  configurations; one row per training epoch; /results: weights, locality by depth, block-spin vs RBM statistics.
* ``rg-flow`` — an RBM trained on configurations across T ∈ (0, 6] and iterated v → h → v (Iso, Shiba & Yokoo
  2018); one row per flow iteration with the energy, |m| and the temperatures matched to the sampler's curves.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm.train import init_state, model_of, train
from statmech_nn.rg import decimation, flow, locality, stack
from statmech_nn.rg.compare import (block_sizes, coarse_statistics, pack, quenched_statistics, unpack,
                                    valid_layer_sizes)
from statmech_nn.runner import Simulation
from statmech_nn.samplers.ising import ALGORITHMS
from statmech_nn.samplers.ising_ensemble import equilibrium_configurations
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries import rg as summaries

#: The published reproductions' (insufficient) preparation: this many Metropolis sweeps from random starts.
QUENCH_SWEEPS = 100
#: Configurations used for reconstructions, block-spin and control statistics.
N_STATISTICS = 2000


# ---------------------------------------------------------------------------------------------------------------
# rg-decimate-1d
# ---------------------------------------------------------------------------------------------------------------
DECIMATE_PARAMS = ParamSet(
    Param("K", float, 1.0, "nearest-neighbour coupling K = J/T of the fine chain", low=0),
    Param("steps", int, 4, "decimation steps", low=1, high=64),
    Param("N", int, 16, "chain length of the enumeration check (even)", low=4, high=decimation.MAX_ENUMERATED_N),
    seed_param("root seed (stored; the construction is exact and uses no randomness)"),
    check=lambda s: decimation.check_chain_length(s.N),
)


class Decimation1D(Simulation):
    """Phase ``levels``: row n = K_n and the check of decimating the N-spin chain at K_n (KL, free-energy
    constant g, log Z). No state besides the progress: the construction is exact."""

    observables = {name: (np.float64, ()) for name in
                   ("K", "kl", "free_energy_error", "log_z_error", "correlation_length", "g")}

    @cached_property
    def couplings(self) -> np.ndarray:
        return decimation.flow(self.settings.K, self.settings.steps)

    def phases(self):
        return {"levels": self.settings.steps + 1}

    def init_state(self):
        return {}

    def step(self, state, phase, start, n):
        levels = np.arange(start, start + n, dtype=np.int64)
        rows = {name: np.empty(n) for name in self.observables}
        for r, level in enumerate(levels):
            K = float(self.couplings[level])
            check = decimation.decimation_check(K, self.settings.N)
            rows["K"][r], rows["g"][r] = K, decimation.free_energy_constant(K)
            rows["correlation_length"][r] = decimation.correlation_length(K)
            for name in ("kl", "free_energy_error", "log_z_error"):
                rows[name][r] = check[name]
        return {name: (levels, values) for name, values in rows.items()}

    def results(self, state):
        return {"K_flow": self.couplings}


DECIMATE_STUDY = Study("rg-decimate-1d", "exact 1-D decimation as an RBM stack, checked by enumeration",
                       DECIMATE_PARAMS, Decimation1D, summarize=summaries.decimate,
                       example={"K": 1.0, "steps": 2, "N": 8})


# ---------------------------------------------------------------------------------------------------------------
# rg-stack
# ---------------------------------------------------------------------------------------------------------------
def _check_stack(s: Settings) -> None:
    STACK_PARAMS["layers"].check(valid_layer_sizes(s.layers, s.L), ",".join(map(str, s.layers)),
                                 f"layer sizes, the first L² = {s.L * s.L}, strictly decreasing, at least two")
    # the checkerboard samplers of the data and of the quenched control need even L
    STACK_PARAMS["L"].check(s.L % 2 == 0, s.L, "an even integer >= 2")
    STACK_PARAMS["batch_size"].check(s.batch_size <= s.samples, s.batch_size,
                                     f"an integer from 1 to samples = {s.samples}")


STACK_PARAMS = ParamSet(
    Param("L", int, 40, "linear size of the periodic Ising lattice", low=2, high=256),
    Param("T", float, 2.451, "temperature of the training configurations (T_c = 2.269)", low=0, low_open=True),
    Param("layers", int, (1600, 400, 100, 25), "layer sizes, visible first (= L²)", low=1, many=True, min_len=2),
    Param("samples", int, 20000, "equilibrium configurations", low=2),
    Param("epochs", int, 8, "training epochs per layer", low=1),
    Param("learning_rate", float, 0.02, "CD-1 learning rate", low=0, low_open=True),
    Param("l1", float, 0.03, "L1 penalty λ₁ on the weights", low=0),
    Param("batch_size", int, 100, "minibatch size", low=1),
    Param("algorithm", str, "wolff", "Ising sampler of the data", choices=ALGORITHMS),
    seed_param(),
    check=_check_stack,
)


class RBMStack(Simulation):
    """Phases ``data`` (equilibrium configurations, one unit) and ``train`` (one unit = one epoch of one layer,
    layer by layer; a row per epoch). State: ``configurations`` (packed), ``equilibration`` [τ_max, spacing,
    min burn-in, max τ of stored energies, max τ of stored |m|], and ``layers`` {d: training state of layer d}."""

    observables = {"layer": (np.int64, ()), "reconstruction_error": (np.float64, ()),
                   "mean_abs_weight": (np.float64, ()), "block_fraction": (np.float64, ())}
    streams = {"data": 0, "init": 1, "propagate": 2, "locality": 3, "coarse": 4, "quenched": 5}

    def __init__(self, settings, seed):
        super().__init__(settings, seed)
        self.sizes = list(settings.layers)
        self.train_settings = [stack.layer_settings(n, learning_rate=settings.learning_rate, l1=settings.l1,
                                                    batch_size=settings.batch_size) for n in self.sizes[1:]]
        self.k = max(2, settings.L // 8)  # block of the locality measure
        self._layer_data: tuple[int, np.ndarray] | None = None

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def phases(self):
        return {"data": 1, "train": self.depth * self.settings.epochs}

    def init_state(self):
        s = self.settings
        return {"configurations": np.zeros((s.samples, (s.L * s.L + 7) // 8), np.uint8),
                "equilibration": np.zeros(5),
                "layers": {str(d): init_state(ts, np.ones((1, self.sizes[d])), self.stream("init", d))
                           for d, ts in enumerate(self.train_settings)}}

    def models(self, state, depth: int | None = None):
        return [model_of(state["layers"][str(d)], "spin") for d in range(self.depth if depth is None else depth)]

    def layer_data(self, state, d: int) -> np.ndarray:
        """Training data of layer d: hidden configurations of layers < d drawn from the data (cached)."""
        if self._layer_data is None or self._layer_data[0] != d:
            data = unpack(state["configurations"], self.settings.L).reshape(self.settings.samples, -1)
            self._layer_data = (d, stack.propagate_up(self.models(state, d), data.astype(np.float64),
                                                      self.stream("propagate", d)))
        return self._layer_data[1]

    def step(self, state, phase, start, n):
        if phase == "data":
            s = self.settings
            configs, info = equilibrium_configurations(s.L, s.T, s.samples, self.stream("data"),
                                                       algorithm=s.algorithm)
            state["configurations"][:] = pack(configs)
            state["equilibration"][:] = (info["tau_max"], info["spacing"], info["burn_in"].min(),
                                         info["tau_samples_energy"].max(), info["tau_samples_abs_m"].max())
            return {}
        rows = [self._epoch(state, unit) for unit in range(start, start + n)]
        steps = np.arange(start + 1, start + n + 1, dtype=np.int64)
        return {name: (steps, np.array([r[name] for r in rows])) for name in self.observables}

    def _epoch(self, state, unit: int) -> dict[str, float]:
        d, epoch = divmod(unit, self.settings.epochs)
        ts, data = self.train_settings[d], self.layer_data(state, d)
        layer = state["layers"][str(d)]
        if epoch == 0:  # fresh layer: initial state from its own data (visible biases at the base rates)
            layer.update(init_state(ts, data, self.stream("init", d)))
        train(ts, data, layer, 1)
        model = model_of(layer, "spin")
        fields = locality.receptive_fields([m.weights for m in self.models(state, d + 1)])[-1]
        return {"layer": d + 1, "reconstruction_error": stack.reconstruction_error(model, data[:N_STATISTICS]),
                "mean_abs_weight": np.abs(model.weights).mean(),
                "block_fraction": locality.block_fraction(fields, self.settings.L, self.k).mean()}

    def results(self, state):
        done, total = self.progress(state)
        if done < total:
            return {}
        s = self.settings
        models = self.models(state)
        out = {"configurations": state["configurations"], "layer_sizes": np.array(self.sizes, np.int64),
               "equilibration": state["equilibration"], "block_k": np.int64(self.k)}
        for d, m in enumerate(models, start=1):
            out[f"weights_{d}"], out[f"visible_bias_{d}"], out[f"hidden_bias_{d}"] = (
                m.weights, m.visible_bias, m.hidden_bias)
        out.update(locality.locality_by_depth([m.weights for m in models], s.L, self.k, self.stream("locality")))
        configs = unpack(state["configurations"][:N_STATISTICS], s.L)
        out.update(coarse_statistics(models, configs, block_sizes(s.L, self.sizes), self.stream("coarse")))
        out.update(quenched_statistics(s.L, s.T, min(s.samples, N_STATISTICS // 4), QUENCH_SWEEPS,
                                       self.stream("quenched")))
        out["statistics_samples"] = np.int64(len(configs))
        return out


STACK_STUDY = Study("rg-stack", "stacked RBMs on equilibrium Ising configurations: receptive fields vs block spins",
                    STACK_PARAMS, RBMStack, summarize=summaries.stack,
                    example={"L": 6, "layers": (36, 9), "samples": 100, "epochs": 1, "batch_size": 20})


# ---------------------------------------------------------------------------------------------------------------
# rg-flow
# ---------------------------------------------------------------------------------------------------------------
def _check_flow(s: Settings) -> None:
    FLOW_PARAMS["batch_size"].check(s.batch_size <= s.samples_per_T * s.temperatures, s.batch_size,
                                    "at most the number of training configurations")


FLOW_PARAMS = ParamSet(
    Param("L", int, 16, "linear size of the periodic Ising lattice", low=2, high=128),
    Param("temperatures", int, 24, "training temperatures T_k = 6k/temperatures, k = 1..temperatures", low=2),
    Param("samples_per_T", int, 400, "equilibrium configurations per training temperature", low=2),
    Param("n_hidden", int, 64, "hidden units of the RBM", low=1),
    Param("epochs", int, 30, "training epochs", low=1),
    Param("learning_rate", float, 0.01, "CD-1 learning rate", low=0, low_open=True),
    Param("l1", float, 0.0, "L1 penalty on the weights", low=0),
    Param("batch_size", int, 100, "minibatch size", low=1),
    Param("flow_steps", int, 30, "iterations v → h → v", low=1),
    Param("flow_starts", float, (1.0, 2.0, 3.0, 4.5, 6.0), "temperatures of the flows' initial configurations",
          low=0, low_open=True, many=True),
    Param("flow_samples", int, 200, "configurations per flow", low=2),
    seed_param(),
    check=_check_flow,
)


class RBMFlow(Simulation):
    """Phases ``data`` (training set, reference curves and the flows' starts; row 0 of the flow), ``train`` (one
    epoch per unit) and ``flow`` (one iteration v → h → v per unit). State: ``configurations`` (packed training
    set, temperatures in grid order), ``reference`` (n_T, 2 + 2 (L/2 + 1)) rows of
    :func:`statmech_nn.rg.flow.reference_row`, ``flow`` (starts × flow_samples, L²) current flow configurations,
    and ``rbm``, the training state."""

    streams = {"data": 0, "init": 1, "starts": 2, "flow": 3}

    def __init__(self, settings, seed):
        super().__init__(settings, seed)
        self.starts = settings.flow_starts
        self.grid = flow.temperature_grid(settings.temperatures)
        self.train_settings = stack.layer_settings(settings.n_hidden, learning_rate=settings.learning_rate,
                                                   l1=settings.l1, batch_size=settings.batch_size)

    @property
    def observables(self):
        n = len(self.starts)
        per_start = (np.float64, (n,), ("start",))
        return {"reconstruction_error": (np.float64, ()), "energy": per_start, "abs_magnetization": per_start,
                "T_energy": per_start, "T_correlation": per_start}

    def phases(self):
        return {"data": 1, "train": self.settings.epochs, "flow": self.settings.flow_steps}

    def init_state(self):
        s = self.settings
        n_train, n_v = s.temperatures * s.samples_per_T, s.L * s.L
        return {"configurations": np.zeros((n_train, (n_v + 7) // 8), np.uint8),
                "reference": np.zeros((s.temperatures, 2 * (s.L // 2 + 2))),
                "flow": np.zeros((len(self.starts) * s.flow_samples, n_v)),
                "rbm": init_state(self.train_settings, np.ones((1, n_v)), self.stream("init"))}

    def data(self, state) -> np.ndarray:
        bits = state["configurations"]
        return unpack(bits, self.settings.L).reshape(len(bits), -1).astype(np.float64)

    def step(self, state, phase, start, n):
        if phase == "data":
            s = self.settings
            state["configurations"][:], state["reference"][:] = flow.training_set(s.L, self.grid, s.samples_per_T,
                                                                                  self.stream("data"))
            state["flow"][:] = flow.start_configurations(s.L, self.starts, s.flow_samples, self.stream("starts"))
            return self._flow_rows(state, [0])
        if phase == "train":
            data = self.data(state)
            errors = []
            for epoch in range(start, start + n):
                if epoch == 0:
                    state["rbm"].update(init_state(self.train_settings, data, self.stream("init")))
                train(self.train_settings, data, state["rbm"], 1)
                model = model_of(state["rbm"], "spin")
                errors.append(stack.reconstruction_error(model, data[:: max(1, len(data) // N_STATISTICS)]))
            return {"reconstruction_error": (np.arange(start + 1, start + n + 1, dtype=np.int64), np.array(errors))}
        model = model_of(state["rbm"], "spin")
        rows = []
        for it in range(start + 1, start + n + 1):
            state["flow"][:] = flow.flow_step(model, state["flow"], np.random.default_rng(self.stream("flow", it)))
            rows.append(self._flow_rows(state, [it]))
        return {name: (np.concatenate([r[name][0] for r in rows]), np.concatenate([r[name][1] for r in rows]))
                for name in rows[0]}

    def _flow_rows(self, state, step: list[int]):
        s = self.settings
        configs = state["flow"].reshape(len(self.starts), s.flow_samples, s.L, s.L).astype(np.int8)
        stats = flow.flow_statistics(configs, self.grid, state["reference"])
        steps = np.array(step, np.int64)
        return {name: (steps, values[None]) for name, values in stats.items()}

    def results(self, state):
        done, total = self.progress(state)
        if done < total:
            return {}
        m = model_of(state["rbm"], "spin")
        ref, n_r, L = state["reference"], self.settings.L // 2 + 1, self.settings.L
        return {"temperatures": self.grid, "flow_starts": np.array(self.starts),
                "reference_energy": ref[:, 0], "reference_abs_magnetization": ref[:, 1],
                "reference_correlation": ref[:, 2:2 + n_r], "reference_correlation_error": ref[:, 2 + n_r:],
                "configurations": state["configurations"], "weights": m.weights, "visible_bias": m.visible_bias,
                "hidden_bias": m.hidden_bias, "T_critical": np.float64(T_CRITICAL),
                "flow_examples": state["flow"].reshape(len(self.starts), -1, L, L)[:, :4].astype(np.int8)}


FLOW_STUDY = Study("rg-flow", "RBM flow v → h → v of Ising configurations; temperatures matched to the sampler",
                   FLOW_PARAMS, RBMFlow, summarize=summaries.flow,
                   example={"L": 4, "temperatures": 3, "samples_per_T": 20, "n_hidden": 6, "epochs": 2,
                            "flow_steps": 2, "flow_samples": 10, "batch_size": 10, "flow_starts": (1.0, 5.0)})
