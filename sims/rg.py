"""Studies of the renormalization group and deep learning (docs/rg.md).

* ``rg-decimate-1d`` — exact decimation of the periodic 1-D chain written as a stack of RBMs (Mehta & Schwab 2014):
  one row per level n = 0..steps with the coupling K_n, and the enumeration check of the step n → n+1.
* ``rg-stack`` — stacked ±1 RBMs (e.g. 1600-400-100-25) trained layer by layer with L1 on equilibrated L×L Ising
  configurations; one row per training epoch; /results: weights, locality by depth, block-spin vs RBM statistics.
* ``rg-flow`` — an RBM trained on configurations across T ∈ (0, 6] and iterated v → h → v (Iso, Shiba & Yokoo
  2018); one row per flow iteration with the energy, |m| and the temperatures matched to the sampler's curves.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm.train import init_state, model_of, train
from statmech_nn.rg import blockspin, decimation, locality, stack
from statmech_nn.rng import seed_sequence
from statmech_nn.samplers.ising import ALGORITHMS
from statmech_nn.samplers.ising_ensemble import equilibrium_configurations, quenched_configurations
from statmech_nn.study import Study, seed_param

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
DECIMATE_OBSERVABLES = {name: (np.float64, ()) for name in
                        ("K", "kl", "free_energy_error", "log_z_error", "correlation_length", "g")}


class Decimation1D:
    """Row n: K_n, and the check of decimating the N-spin chain at K_n (KL, free-energy constant g, log Z)."""

    study = "rg-decimate-1d"
    observables = DECIMATE_OBSERVABLES

    def __init__(self, settings: Settings):
        self.settings = settings
        self.couplings = decimation.flow(settings.K, settings.steps)

    def init_state(self) -> dict[str, np.ndarray]:
        return {"level": np.zeros(1, np.int64)}

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        first = int(state["level"][0])
        levels = np.arange(first, min(first + max_rows, self.settings.steps + 1), dtype=np.int64)
        rows = {name: np.empty(len(levels)) for name in self.observables}
        for r, n in enumerate(levels):
            K = float(self.couplings[n])
            check = decimation.decimation_check(K, self.settings.N)
            rows["K"][r], rows["g"][r] = K, decimation.free_energy_constant(K)
            rows["correlation_length"][r] = decimation.correlation_length(K)
            for name in ("kl", "free_energy_error", "log_z_error"):
                rows[name][r] = check[name]
        state["level"][0] = first + len(levels)
        return {name: (levels, values) for name, values in rows.items()}

    def progress(self, state) -> tuple[int, int]:
        return int(state["level"][0]), self.settings.steps + 1

    def results(self, state) -> dict[str, np.ndarray]:
        return {"K_flow": self.couplings}


DECIMATE_STUDY = Study("rg-decimate-1d", "exact 1-D decimation as an RBM stack, checked by enumeration",
                       DECIMATE_PARAMS, lambda s, seed: Decimation1D(s))


# ---------------------------------------------------------------------------------------------------------------
# rg-stack
# ---------------------------------------------------------------------------------------------------------------
def parse_layers(text: str, L: int) -> list[int]:
    """"1600,400,100,25" → [1600, 400, 100, 25]; the first must be L², the sizes strictly decreasing."""
    allowed = f"comma-separated layer sizes, the first L² = {L * L}, strictly decreasing, at least two"
    try:
        sizes = [int(x) for x in text.split(",")]
    except ValueError:
        raise ParameterError("layers", text, allowed) from None
    if len(sizes) < 2 or sizes[0] != L * L or any(b >= a or b < 1 for a, b in zip(sizes, sizes[1:])):
        raise ParameterError("layers", text, allowed)
    return sizes


def block_sizes(L: int, sizes: list[int]) -> list[int]:
    """Majority-rule block size matching each hidden layer (L / √n_d), 0 where n_d is not a square dividing L²."""
    out = []
    for n in sizes[1:]:
        side = math.isqrt(n)
        out.append(L // side if side * side == n and L % side == 0 else 0)
    return out


def _check_stack(s: Settings) -> None:
    parse_layers(s.layers, s.L)
    if s.L % 2:  # the checkerboard samplers of the data and of the quenched control need even L
        raise ParameterError("L", s.L, "an even integer >= 2")
    if s.batch_size > s.samples:
        raise ParameterError("batch_size", s.batch_size, f"an integer from 1 to samples = {s.samples}")


STACK_PARAMS = ParamSet(
    Param("L", int, 40, "linear size of the periodic Ising lattice", low=2, high=256),
    Param("T", float, 2.451, "temperature of the training configurations (T_c = 2.269)", low=0, low_open=True),
    Param("layers", str, "1600,400,100,25", "layer sizes, visible first (= L²)"),
    Param("samples", int, 20000, "equilibrium configurations", low=2),
    Param("epochs", int, 8, "training epochs per layer", low=1),
    Param("learning_rate", float, 0.02, "CD-1 learning rate", low=0, low_open=True),
    Param("l1", float, 0.03, "L1 penalty λ₁ on the weights", low=0),
    Param("batch_size", int, 100, "minibatch size", low=1),
    Param("algorithm", str, "wolff", "Ising sampler of the data", choices=ALGORITHMS),
    seed_param(),
    check=_check_stack,
)
STACK_OBSERVABLES = {"layer": (np.int64, ()), "reconstruction_error": (np.float64, ()),
                     "mean_abs_weight": (np.float64, ()), "block_fraction": (np.float64, ())}
DATA, LAYER, EPOCH = range(3)


def pack(configs: np.ndarray) -> np.ndarray:
    """±1 configurations (n, L, L) → bits (n, ⌈L²/8⌉) uint8 (+1 ↦ 1): the stored, 8× compressed form."""
    return np.packbits(np.asarray(configs).reshape(len(configs), -1) > 0, axis=1)


def unpack(bits: np.ndarray, L: int) -> np.ndarray:
    """Inverse of :func:`pack`: int8 (n, L, L) of ±1."""
    b = np.unpackbits(np.asarray(bits, np.uint8), axis=1, count=L * L)
    return (2 * b.astype(np.int8) - 1).reshape(-1, L, L)


class RBMStack:
    """State: ``counters`` [data ready, layer, epochs done in layer], ``configurations`` (packed), the data set's
    equilibration record ``equilibration`` [τ_max, spacing, min burn-in, max τ of stored energies, max τ of stored
    |m|], and per layer d the training state of :func:`statmech_nn.rbm.train.init_state` under ``layer{d}_*``."""

    study = "rg-stack"
    observables = STACK_OBSERVABLES

    def __init__(self, settings: Settings, seed: np.random.SeedSequence):
        self.settings, self.seed = settings, seed
        self.sizes = parse_layers(settings.layers, settings.L)
        self.train_settings = [stack.layer_settings(n, learning_rate=settings.learning_rate, l1=settings.l1,
                                                    batch_size=settings.batch_size) for n in self.sizes[1:]]
        self.k = max(2, settings.L // 8)  # block of the locality measure
        self._layer_data: tuple[int, np.ndarray] | None = None

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def init_state(self) -> dict[str, np.ndarray]:
        s = self.settings
        state = {"counters": np.zeros(3, np.int64),
                 "configurations": np.zeros((s.samples, (s.L * s.L + 7) // 8), np.uint8),
                 "equilibration": np.zeros(5)}
        for d, ts in enumerate(self.train_settings):
            placeholder = init_state(ts, np.ones((1, self.sizes[d])), seed_sequence(self.seed, 1, d))
            state.update({f"layer{d}_{k}": v for k, v in placeholder.items()})
        return state

    def _train_state(self, state, d: int) -> dict[str, np.ndarray]:
        prefix = f"layer{d}_"
        return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}

    def models(self, state, depth: int | None = None):
        return [model_of(self._train_state(state, d), "spin") for d in range(self.depth if depth is None else depth)]

    def data(self, state) -> np.ndarray:
        return unpack(state["configurations"], self.settings.L).reshape(self.settings.samples, -1).astype(np.float64)

    def layer_data(self, state, d: int) -> np.ndarray:
        """Training data of layer d: hidden configurations of layers < d drawn from the data (cached)."""
        if self._layer_data is None or self._layer_data[0] != d:
            self._layer_data = (d, stack.propagate_up(self.models(state, d), self.data(state),
                                                      seed_sequence(self.seed, 2, d)))
        return self._layer_data[1]

    def _make_data(self, state) -> None:
        s = self.settings
        configs, info = equilibrium_configurations(s.L, s.T, s.samples, seed_sequence(self.seed, 0),
                                                   algorithm=s.algorithm)
        state["configurations"][:] = pack(configs)
        state["equilibration"][:] = (info["tau_max"], info["spacing"], info["burn_in"].min(),
                                     info["tau_samples_energy"].max(), info["tau_samples_abs_m"].max())
        state["counters"][DATA] = 1

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        counters = state["counters"]
        if not counters[DATA]:
            self._make_data(state)
            return {}
        d, epoch = int(counters[LAYER]), int(counters[EPOCH])
        ts, data = self.train_settings[d], self.layer_data(state, d)
        if epoch == 0:  # fresh layer: initial state from its own data (visible biases at the base rates)
            fresh = init_state(ts, data, seed_sequence(self.seed, 1, d))
            state.update({f"layer{d}_{k}": v for k, v in fresh.items()})
        train_state = self._train_state(state, d)
        train(ts, data, train_state, 1)
        state.update({f"layer{d}_{k}": v for k, v in train_state.items()})
        model = model_of(train_state, "spin")
        fields = locality.receptive_fields([m.weights for m in self.models(state, d + 1)])[-1]
        row = self.done(state)
        counters[EPOCH] += 1
        if counters[EPOCH] == self.settings.epochs:
            counters[LAYER] += 1
            counters[EPOCH] = 0
        step = np.array([row + 1], np.int64)
        return {"layer": (step, np.array([d + 1])),
                "reconstruction_error": (step, np.array([stack.reconstruction_error(model, data[:N_STATISTICS])])),
                "mean_abs_weight": (step, np.array([np.abs(model.weights).mean()])),
                "block_fraction": (step, np.array([locality.block_fraction(fields, self.settings.L, self.k).mean()]))}

    def done(self, state) -> int:
        c = state["counters"]
        return int(c[LAYER]) * self.settings.epochs + int(c[EPOCH])

    def progress(self, state) -> tuple[int, int]:
        return int(state["counters"][DATA]) + self.done(state), 1 + self.depth * self.settings.epochs

    def results(self, state) -> dict[str, np.ndarray]:
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
        out.update(locality_by_depth([m.weights for m in models], s.L, self.k, seed_sequence(self.seed, 3)))
        configs = unpack(state["configurations"][:N_STATISTICS], s.L)
        out.update(coarse_statistics(models, configs, block_sizes(s.L, self.sizes), seed_sequence(self.seed, 4)))
        n_quenched = min(s.samples, N_STATISTICS // 4)
        quenched = quenched_configurations(s.L, s.T, n_quenched, QUENCH_SWEEPS, seed_sequence(self.seed, 5),
                                           algorithm="metropolis")
        out.update(quenched_samples=np.int64(n_quenched), quenched_sweeps=np.int64(QUENCH_SWEEPS),
                   statistics_samples=np.int64(len(configs)))
        for name, value in blockspin.lattice_statistics(quenched).items():
            if not name.startswith("correlation"):
                out["quenched_" + name] = np.float64(value)
        return out


def locality_by_depth(weights: list[np.ndarray], L: int, k: int, seed) -> dict[str, np.ndarray]:
    """Locality of the receptive fields W1, W1·W2, … (see :mod:`statmech_nn.rg.locality`), one entry per depth."""
    rows = [locality.locality_summary(f, L, k, seed_sequence(seed, d))
            for d, f in enumerate(locality.receptive_fields(weights))]
    return {name: np.array([r[name] for r in rows]) for name in rows[0]}


def coarse_statistics(models, configs: np.ndarray, blocks: list[int], seed) -> dict[str, np.ndarray]:
    """Energy, |m| and G(r) of the data, of the majority-rule block spins matching each depth (b = L/√n_d; nan if
    none) and of the RBM reconstructions from each depth; also 8 example reconstructions per depth."""
    L = configs.shape[1]
    flat = configs.reshape(len(configs), -1).astype(np.float64)
    out = {"data_" + k: v for k, v in blockspin.lattice_statistics(configs).items()}
    n_r = L // 2 + 1
    keys = ("energy", "abs_magnetization", "correlation")
    for prefix in ("blockspin_", "reconstruction_"):
        for k in keys:
            shape = (len(models), n_r) if k == "correlation" else (len(models),)
            out[prefix + k] = np.full(shape, np.nan)
            out[prefix + k + "_error"] = np.full(shape, np.nan)
    examples = np.empty((len(models), 8, L, L), np.int8)
    for d in range(len(models)):
        recon = stack.reconstruct(models[: d + 1], flat, seed_sequence(seed, 0, d)).reshape(-1, L, L).astype(np.int8)
        examples[d] = recon[:8]
        stats = {"reconstruction_": blockspin.lattice_statistics(recon)}
        if blocks[d] and L // blocks[d] >= 2:
            stats["blockspin_"] = blockspin.lattice_statistics(
                blockspin.majority_rule(configs, blocks[d], seed_sequence(seed, 1, d)))
        for prefix, st in stats.items():
            for k, v in st.items():
                if k.startswith("correlation"):
                    out[prefix + k][d, : len(v)] = v
                else:
                    out[prefix + k][d] = v
    out["reconstruction_examples"] = examples
    out["data_examples"] = configs[:8]
    return out


STACK_STUDY = Study("rg-stack", "stacked RBMs on equilibrium Ising configurations: receptive fields vs block spins",
                    STACK_PARAMS, lambda s, seed: RBMStack(s, seed))


# ---------------------------------------------------------------------------------------------------------------
# rg-flow
# ---------------------------------------------------------------------------------------------------------------
def parse_temperatures(text: str) -> list[float]:
    allowed = "comma-separated temperatures > 0"
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise ParameterError("flow_starts", text, allowed) from None
    if not values or not all(math.isfinite(t) and t > 0 for t in values):
        raise ParameterError("flow_starts", text, allowed)
    return values


def _check_flow(s: Settings) -> None:
    parse_temperatures(s.flow_starts)
    if s.batch_size > s.samples_per_T * s.temperatures:
        raise ParameterError("batch_size", s.batch_size, "at most the number of training configurations")


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
    Param("flow_starts", str, "1.0,2.0,3.0,4.5,6.0", "temperatures of the flows' initial configurations"),
    Param("flow_samples", int, 200, "configurations per flow", low=2),
    seed_param(),
    check=_check_flow,
)
FLOW_DATA, FLOW_EPOCH, FLOW_STEP = range(3)


def temperature_grid(n: int) -> np.ndarray:
    return 6.0 * np.arange(1, n + 1) / n


def match_energy(e: np.ndarray, grid: np.ndarray, ref_energy: np.ndarray) -> np.ndarray:
    """T with e_ref(T) = e by linear interpolation of the (increasing) reference curve; clipped to the grid."""
    order = np.argsort(ref_energy)
    return np.interp(e, ref_energy[order], grid[order])


def match_correlation(g: np.ndarray, grid: np.ndarray, ref: np.ndarray, ref_error: np.ndarray) -> np.ndarray:
    """Per row of g (…, n_r): the T minimising χ²(T) = Σ_{r≥1} (G(r) - G_ref(r; T))² / σ_ref(r; T)² over the
    reference curves interpolated linearly in T onto a 20× finer grid."""
    fine = np.linspace(grid[0], grid[-1], 20 * len(grid))
    ref_f = np.stack([np.interp(fine, grid, ref[:, r]) for r in range(1, ref.shape[1])], axis=1)
    var_f = np.stack([np.interp(fine, grid, ref_error[:, r] ** 2) for r in range(1, ref.shape[1])], axis=1)
    chi2 = (((g[..., None, 1:] - ref_f) ** 2) / np.maximum(var_f, 1e-12)).sum(axis=-1)
    return fine[np.argmin(chi2, axis=-1)]


class RBMFlow:
    """State: ``counters`` [data ready, epochs done, flow steps done], ``configurations`` (packed training set,
    temperatures in grid order), ``reference`` (n_T, 2 + L/2 + 1 + L/2 + 1): e, |m|, G(r), σ_G(r) per grid
    temperature, ``flow`` (starts × flow_samples, L²) current flow configurations, and the training state."""

    study = "rg-flow"

    def __init__(self, settings: Settings, seed: np.random.SeedSequence):
        self.settings, self.seed = settings, seed
        self.starts = parse_temperatures(settings.flow_starts)
        self.grid = temperature_grid(settings.temperatures)
        self.train_settings = stack.layer_settings(settings.n_hidden, learning_rate=settings.learning_rate,
                                                   l1=settings.l1, batch_size=settings.batch_size)
        n = len(self.starts)
        self.observables = {"reconstruction_error": (np.float64, ()), "energy": (np.float64, (n,)),
                            "abs_magnetization": (np.float64, (n,)), "T_energy": (np.float64, (n,)),
                            "T_correlation": (np.float64, (n,))}

    @property
    def n_r(self) -> int:
        return self.settings.L // 2 + 1

    def init_state(self) -> dict[str, np.ndarray]:
        s = self.settings
        n_train, n_v = s.temperatures * s.samples_per_T, s.L * s.L
        state = {"counters": np.zeros(3, np.int64),
                 "configurations": np.zeros((n_train, (n_v + 7) // 8), np.uint8),
                 "reference": np.zeros((s.temperatures, 2 + 2 * self.n_r)),
                 "flow": np.zeros((len(self.starts) * s.flow_samples, n_v))}
        train = init_state(self.train_settings, np.ones((1, n_v)), seed_sequence(self.seed, 1))
        state.update({"rbm_" + k: v for k, v in train.items()})
        return state

    def _train_state(self, state):
        return {k[4:]: v for k, v in state.items() if k.startswith("rbm_")}

    def _make_data(self, state) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        s = self.settings
        parts = []
        for k, T in enumerate(self.grid):
            configs, _ = equilibrium_configurations(s.L, float(T), s.samples_per_T, seed_sequence(self.seed, 0, k))
            st = blockspin.lattice_statistics(configs)
            state["reference"][k] = np.concatenate([[st["energy"], st["abs_magnetization"]], st["correlation"],
                                                    st["correlation_error"]])
            parts.append(pack(configs))
        state["configurations"][:] = np.concatenate(parts)
        flows = [equilibrium_configurations(s.L, T, s.flow_samples, seed_sequence(self.seed, 2, i))[0]
                 for i, T in enumerate(self.starts)]
        state["flow"][:] = np.concatenate(flows).reshape(len(state["flow"]), -1)
        state["counters"][FLOW_DATA] = 1
        return self._flow_rows(state, 0)

    def _flow_rows(self, state, step: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        s, ref = self.settings, state["reference"]
        configs = state["flow"].reshape(len(self.starts), s.flow_samples, s.L, s.L).astype(np.int8)
        stats = [blockspin.lattice_statistics(c) for c in configs]
        e = np.array([st["energy"] for st in stats])
        g = np.array([st["correlation"] for st in stats])
        steps = np.array([step], np.int64)
        return {"energy": (steps, e[None]),
                "abs_magnetization": (steps, np.array([[st["abs_magnetization"] for st in stats]])),
                "T_energy": (steps, match_energy(e, self.grid, ref[:, 0])[None]),
                "T_correlation": (steps, match_correlation(g, self.grid, ref[:, 2:2 + self.n_r],
                                                           ref[:, 2 + self.n_r:])[None])}

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        s, counters = self.settings, state["counters"]
        if not counters[FLOW_DATA]:
            return self._make_data(state)
        if counters[FLOW_EPOCH] < s.epochs:
            data = unpack(state["configurations"], s.L).reshape(len(state["configurations"]), -1).astype(np.float64)
            ts = self._train_state(state)
            if counters[FLOW_EPOCH] == 0:
                ts.update(init_state(self.train_settings, data, seed_sequence(self.seed, 1)))
            train(self.train_settings, data, ts, 1)
            state.update({"rbm_" + k: v for k, v in ts.items()})
            counters[FLOW_EPOCH] += 1
            model = model_of(ts, "spin")
            error = stack.reconstruction_error(model, data[:: max(1, len(data) // N_STATISTICS)])
            return {"reconstruction_error": (np.array([counters[FLOW_EPOCH]], np.int64), np.array([error]))}
        model = model_of(self._train_state(state), "spin")
        step = int(counters[FLOW_STEP]) + 1
        gen = np.random.default_rng(seed_sequence(self.seed, 3, step))
        h = stack.draw(stack.hidden_means(model, state["flow"]), gen)
        state["flow"][:] = stack.draw(stack.visible_means(model, h), gen)
        counters[FLOW_STEP] = step
        return self._flow_rows(state, step)

    def progress(self, state) -> tuple[int, int]:
        c, s = state["counters"], self.settings
        return int(c[FLOW_DATA] + c[FLOW_EPOCH] + c[FLOW_STEP]), 1 + s.epochs + s.flow_steps

    def results(self, state) -> dict[str, np.ndarray]:
        done, total = self.progress(state)
        if done < total:
            return {}
        m = model_of(self._train_state(state), "spin")
        ref = state["reference"]
        return {"temperatures": self.grid, "flow_starts": np.array(self.starts),
                "reference_energy": ref[:, 0], "reference_abs_magnetization": ref[:, 1],
                "reference_correlation": ref[:, 2:2 + self.n_r], "reference_correlation_error": ref[:, 2 + self.n_r:],
                "configurations": state["configurations"], "weights": m.weights, "visible_bias": m.visible_bias,
                "hidden_bias": m.hidden_bias, "T_critical": np.float64(T_CRITICAL),
                "flow_examples": state["flow"].reshape(len(self.starts), -1, self.settings.L, self.settings.L)[:, :4]
                .astype(np.int8)}


FLOW_STUDY = Study("rg-flow", "RBM flow v → h → v of Ising configurations; temperatures matched to the sampler",
                   FLOW_PARAMS, lambda s, seed: RBMFlow(s, seed))

STUDIES = (DECIMATE_STUDY, STACK_STUDY, FLOW_STUDY)
