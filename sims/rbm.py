"""Studies ``rbm-train``, ``rbm-logz`` and ``rbm-sample``: restricted Boltzmann machines (docs/rbm.md).

* ``rbm-train`` — maximum-likelihood training (:mod:`statmech_nn.rbm.train`: CD-k, PCD, PT) on bars and stripes,
  2-D Ising configurations or a user array; one row per ``log_every`` epochs with the mean log-likelihood (exact
  when the smaller layer has ≤ 20 units, AIS otherwise), the reconstruction error and the chain-mixing
  diagnostics; weight snapshots every ``snapshot_every`` epochs; the final model in ``/results``. The checkpoint
  is the training state, so a resumed run equals an uninterrupted one bit for bit.
* ``rbm-logz`` — log Z of a model file (:mod:`statmech_nn.io.modelfile`) by enumeration or AIS, the latter with a
  reverse-AIS estimate from the other side (Burda et al. 2015).
* ``rbm-sample`` — block Gibbs chains of a model file: per-sweep free energy F(v) and magnetisation of every
  chain, stored configurations, and exact averages to compare with when the visible layer is small.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np

from statmech_nn.io.modelfile import check_model, model_arrays, model_params
from statmech_nn.models.rbm import RBM
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm import logz, monitor
from statmech_nn.rbm.data import check_data_source, data_params, empirical_entropy, load_data
from statmech_nn.rbm.exact import MAX_EXACT_UNITS, visible_averages
from statmech_nn.rbm.sampling import gibbs_trace
from statmech_nn.rbm.train import SPIN_RATE_FACTOR, TRAIN_PARAMS, init_state, model_of, rate_for_units, train
from statmech_nn.runner import Simulation
from statmech_nn.samplers.rbm_gibbs import gibbs, init_chains
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.rbm import analyze

# ------------------------------------------------------------------------------------------------ rbm-train


def _check_train(s: Settings) -> None:
    training_settings(s)
    TRAIN_PARAMSET["snapshot_every"].check(s.snapshot_every % s.log_every == 0, s.snapshot_every,
                                           f"0 or a multiple of log_every = {s.log_every}")
    check_data_source(s.data, s.units)
    TRAIN_PARAMSET["size"].check(s.data != "bars-and-stripes" or s.size <= 10, s.size, "2 .. 10 for bars-and-stripes")


#: The rate of ``learning_rate = 0`` for {0,1} units; ±1 units get ``rate_for_units`` of it (1/16: the same steps on
#: the model).
DEFAULT_BINARY_RATE = 0.1

#: The library's training parameters under rbm-train's names (``hidden``, ``chains``) and defaults, where the
#: library's (a constant rate, 10 chains) leave PCD chains behind a sharpening model: bars and stripes 3×3 with
#: 16 hidden units reaches ⟨log p⟩ = −2.85 in 2000 epochs instead of −4.17. The default rate depends on the units:
#: 0.1 suits {0,1} units, but with it ±1 units end at ⟨log p⟩ = −35 (0.1/16: −2.72; docs/rbm.md).
TRAIN_PARAMSET = TRAIN_PARAMS.derive(
    replace(TRAIN_PARAMS["lr_epochs"], default=0, low=0, doc=TRAIN_PARAMS["lr_epochs"].doc + " (0: the whole run)"),
    replace(TRAIN_PARAMS["learning_rate"], default=0.0, low_open=False,
            doc=f"initial learning rate (0: {DEFAULT_BINARY_RATE:g} for binary units, "
                f"{DEFAULT_BINARY_RATE:g}/{SPIN_RATE_FACTOR:g} for spin units)"),
    *data_params(),
    Param("epochs", int, 1000, "training epochs (passes over the data)", low=1),
    Param("log_every", int, 1, "epochs per row of observables", low=1),
    Param("snapshot_every", int, 100, "epochs between weight snapshots (a multiple of log_every; 0: none)",
          low=0),
    Param("ais_betas", int, 1000, "AIS inverse temperatures of the monitored log-likelihood (large models)",
          low=2),
    Param("ais_chains", int, 100, "AIS chains of the monitored log-likelihood (large models)", low=2),
    seed_param(),
    rename={"n_hidden": "hidden", "n_chains": "chains"},
    defaults={"momentum": 0.5, "chains": 100, "lr_schedule": "linear"},
    drop=("lr_epochs", "learning_rate"),
    check=_check_train,
)


def training_settings(s: Settings) -> Settings:
    """The :data:`~statmech_nn.rbm.train.TRAIN_PARAMS` settings of an ``rbm-train`` run (validated there)."""
    return TRAIN_PARAMSET.original(s.replace(lr_epochs=s.lr_epochs or s.epochs,
                                             learning_rate=s.learning_rate
                                             or rate_for_units(DEFAULT_BINARY_RATE, s.units)))


class Training(Simulation):
    """Phase ``train``: one unit per row of ``log_every`` epochs (the last row at ``epochs``). State:
    ``training``, the state of :func:`statmech_nn.rbm.train.init_state` (its ``epoch`` counts epochs)."""

    streams = {"data": 5, "monitor": 6}  # training itself uses 0 and 1 (statmech_nn.rbm.train); monitor: + epoch

    @cached_property
    def train_settings(self) -> Settings:
        return training_settings(self.settings)

    @cached_property
    def dataset(self) -> tuple[np.ndarray, dict]:
        return load_data(self.settings, self.stream("data"))

    @property
    def data(self) -> np.ndarray:
        return self.dataset[0]

    @property
    def observables(self) -> dict:
        n_v, n_h = self.data.shape[1], self.settings.hidden
        obs = {name: (np.float64, ()) for name in ("log_likelihood", "log_likelihood_error",
                                                   "reconstruction_error", "flip_rate", "learning_rate")}
        if self.settings.method == "pt":
            obs["swap_acceptance"] = (np.float64, (self.settings.pt_temperatures - 1,), ("temperature_pair",))
        if self.settings.snapshot_every:
            obs.update(W=(np.float64, (n_v, n_h), ("visible", "hidden")),
                       visible_bias=(np.float64, (n_v,), ("visible",)),
                       hidden_bias=(np.float64, (n_h,), ("hidden",)))
        return obs

    def phases(self) -> dict[str, int]:
        return {"train": -(-self.settings.epochs // self.settings.log_every)}

    def init_state(self):
        return {"training": init_state(self.train_settings, self.data, self.seed)}

    def model(self, state) -> RBM:
        return model_of(state["training"], self.settings.units)

    def monitor(self, state) -> monitor.LogLikelihood:
        s = self.settings
        return monitor.log_likelihood(self.model(state), self.data, ais_betas=s.ais_betas, ais_chains=s.ais_chains,
                                      seed=self.stream("monitor", int(state["training"]["epoch"])))

    def step(self, state, phase: str, start: int, n: int):
        """Train rows ``start`` … ``start + n - 1`` of ``log_every`` epochs, measuring after each."""
        s = self.settings
        rows: dict[str, list] = {name: [] for name in self.observables}
        steps, snapshot_steps = [], []
        for row in range(start, start + n):
            target = min((row + 1) * s.log_every, s.epochs)
            diag = train(self.train_settings, self.data, state["training"], target - int(state["training"]["epoch"]))
            model = self.model(state)
            ll = self.monitor(state)
            steps.append(target)
            rows["log_likelihood"].append(ll.value)
            rows["log_likelihood_error"].append(ll.error)
            rows["reconstruction_error"].append(monitor.reconstruction_error(model, self.data))
            rows["flip_rate"].append(diag["flip_rate"].mean())
            rows["learning_rate"].append(diag["learning_rate"][-1])
            if "swap_acceptance" in rows:
                rows["swap_acceptance"].append(diag["swap_acceptance"].mean(axis=0))
            if s.snapshot_every and target % s.snapshot_every == 0:
                snapshot_steps.append(target)
                for name, value in model_arrays(model).items():
                    if name in rows:
                        rows[name].append(value)
        out = {}
        for name, values in rows.items():
            at = snapshot_steps if name in ("W", "visible_bias", "hidden_bias") else steps
            shape = self.observables[name][1]
            out[name] = (np.array(at, np.int64), np.array(values, np.float64).reshape(len(at), *shape))
        return out

    def results(self, state):
        """The final model (W, visible_bias, hidden_bias, units), how log-likelihoods were measured, the data
        and the best mean log-likelihood any model can reach on it (-H of the empirical distribution)."""
        model = self.model(state)
        info = self.dataset[1]
        out = {**model_arrays(model),
               "log_likelihood_method": np.bytes_("exact" if monitor.is_exact(model) else "ais"),
               "log_likelihood_bound": np.float64(-empirical_entropy(self.data)),
               "data": self.data.astype(np.int8), "data_source": np.bytes_(info["source"])}
        if info["source"] == "ising":
            out.update(data_tau_max=np.float64(info["tau_max"]), data_spacing=np.int64(info["spacing"]))
        return out


# ------------------------------------------------------------------------------------------------- rbm-logz
def _check_logz(s: Settings) -> None:
    model = check_model(s)
    smaller = min(model.n_visible, model.n_hidden)
    LOGZ_PARAMS["method"].check(s.method != "exact" or smaller <= MAX_EXACT_UNITS, s.method,
                                f"ais for a model whose smaller layer has {smaller} > {MAX_EXACT_UNITS} units")


LOGZ_PARAMS = ParamSet(
    *model_params(),
    Param("method", str, "ais", "exact (enumerate the smaller layer) or ais", choices=("ais", "exact")),
    Param("betas", int, 10000, "AIS inverse temperatures (equally spaced from 0 to 1)", low=2),
    Param("chains", int, 100, "AIS chains", low=2),
    seed_param(),
    check=_check_logz,
)


class LogPartition(Simulation):
    """Phase ``compute`` (one unit). State: ``estimates``, those of :func:`statmech_nn.rbm.logz.estimate` (nan
    until computed), so a finished computation is checkpointed."""

    streams = {"reverse_gibbs": 7}  # AIS and exact samples use the run's seed itself

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    def phases(self) -> dict[str, int]:
        return {"compute": 1}

    def init_state(self):
        n = self.settings.chains if self.settings.method == "ais" else 0
        return {"estimates": {**{k: np.array(np.nan) for k in logz.SCALARS},
                              "log_weights": np.full(n, np.nan), "reverse_log_weights": np.full(n, np.nan)}}

    def step(self, state, phase: str, start: int, n: int):
        s = self.settings
        state["estimates"].update(logz.estimate(self.model, s.method, s.betas, s.chains, self.seed,
                                                self.stream("reverse_gibbs")))
        return {}

    def results(self, state):
        """log_z, log_z_error (0 when exact) and, for AIS, ess, log_z_base, the chains' log_weights, the
        reverse estimate (log_z_reverse ± log_z_reverse_error, reverse_ess, reverse_log_weights, reverse_start)
        and log_z_exact when the smaller layer is small enough to enumerate cheaply."""
        m = self.model
        out = {"method": np.bytes_(self.settings.method), "units": np.bytes_(m.units),
               "n_visible": np.int64(m.n_visible), "n_hidden": np.int64(m.n_hidden)}
        for name, value in state["estimates"].items():
            if np.size(value) and np.all(np.isfinite(value)):
                out[name] = value
        if self.settings.method == "ais":
            out["reverse_start"] = np.bytes_(logz.reverse_start_method(m))
        return out


# ----------------------------------------------------------------------------------------------- rbm-sample
def _check_sample(s: Settings) -> None:
    check_model(s)
    SAMPLE_PARAMS["save_every"].check(s.save_every <= s.sweeps, s.save_every, f"0..sweeps = {s.sweeps}")


SAMPLE_PARAMS = ParamSet(
    *model_params(),
    Param("chains", int, 64, "independent Gibbs chains (random starts)", low=1),
    Param("sweeps", int, 1000, "measured block Gibbs steps (v -> h -> v) per chain", low=1),
    Param("burn_in", int, 100, "Gibbs steps discarded before measuring", low=0),
    Param("save_every", int, 10, "store the chains' configurations every this many sweeps (0: never)", low=0),
    seed_param(),
    check=_check_sample,
)


class Sampling(Simulation):
    """Phases ``burn-in`` (sweeps, no rows) and ``measure`` (one row per sweep: F(v), the mean unit value and
    the fraction of visible units changed, per chain; configurations every ``save_every`` sweeps). State:
    ``chains``: ``visible`` (chains, n_visible) and ``rng`` (chains, 4)."""

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    @property
    def observables(self) -> dict:
        c, n_v = self.settings.chains, self.model.n_visible
        obs = {name: (np.float64, (c,), ("chain",)) for name in ("free_energy", "magnetization", "flip_rate")}
        if self.settings.save_every:
            obs["visible"] = (np.int8, (c, n_v), ("chain", "visible"))
        return obs

    def phases(self) -> dict[str, int]:
        return {"burn-in": self.settings.burn_in, "measure": self.settings.sweeps}

    def init_state(self):
        return {"chains": init_chains(self.model, self.settings.chains, self.seed)}

    def step(self, state, phase: str, start: int, n: int):
        s, m = self.settings, self.model
        if phase == "burn-in":
            gibbs(m, state["chains"], n)
            return {}
        trace, flips = gibbs_trace(m, state["chains"], n)
        steps = np.arange(s.burn_in + start + 1, s.burn_in + start + n + 1, dtype=np.int64)
        v = trace.astype(np.float64)
        out = {"free_energy": (steps, m.free_energy(v)), "magnetization": (steps, v.mean(axis=2)),
               "flip_rate": (steps, flips / m.n_visible)}
        if s.save_every:
            keep = (steps - s.burn_in) % s.save_every == 0
            out["visible"] = (steps[keep], trace[keep])
        return out

    def results(self, state):
        """units, n_visible and, for n_visible ≤ 20, the exact ⟨F(v)⟩ and ⟨(1/n) Σ_i v_i⟩ under p(v)."""
        m = self.model
        out = {"units": np.bytes_(m.units), "n_visible": np.int64(m.n_visible)}
        if m.n_visible <= logz.EXACT_CHECK_UNITS:
            exact = visible_averages(m)
            out.update(free_energy_exact=np.float64(exact["free_energy"]),
                       magnetization_exact=np.float64(exact["magnetization"]))
        return out


TRAIN_STUDY = Study("rbm-train", "train an RBM (CD-k, PCD, PT) on bars and stripes, Ising configurations or a "
                    "user array", TRAIN_PARAMSET, Training, summarize=analyze,
                    example={"data": "bars-and-stripes", "size": 2, "hidden": 3, "epochs": 20, "log_every": 2,
                             "snapshot_every": 10})
LOGZ_STUDY = Study("rbm-logz", "log partition function of an RBM: exact enumeration or AIS (+ reverse AIS)",
                   LOGZ_PARAMS, LogPartition, summarize=analyze,
                   example={"model": "{rbm_model}", "betas": 50, "chains": 8})
SAMPLE_STUDY = Study("rbm-sample", "block Gibbs sampling of an RBM", SAMPLE_PARAMS, Sampling, summarize=analyze,
                     example={"model": "{rbm_model}", "chains": 4, "sweeps": 50, "burn_in": 5})
