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

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, configurations
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm import monitor
from statmech_nn.rbm.ais import ais, reverse_ais
from statmech_nn.rbm.data import check_data_source, data_params, empirical_entropy, load_data
from statmech_nn.rbm.exact import MAX_EXACT_UNITS, exact_samples, log_partition, visible_log_probabilities
from statmech_nn.io.modelfile import check_model, model_arrays, model_params
from statmech_nn.rbm.sampling import gibbs_trace
from statmech_nn.rbm.train import TRAIN_PARAMS, init_state, model_of, train
from statmech_nn.rng import seed_sequence
from statmech_nn.samplers.rbm_gibbs import gibbs, init_chains
from statmech_nn.study import Study, seed_param

# Stream keys after the run's seed (training itself uses 0 and 1; see statmech_nn.rbm.train): 5 Ising data,
# 6 the AIS of monitored log-likelihoods (then the epoch).
DATA_STREAM, MONITOR_STREAM = 5, 6

# ------------------------------------------------------------------------------------------------ rbm-train
#: Command-line names of training settings whose library name differs.
TRAIN_NAMES = {"hidden": "n_hidden", "chains": "n_chains"}
_TRAIN_FLAGS = {v: k for k, v in TRAIN_NAMES.items()}

#: rbm-train's defaults where the library's (a constant rate, 10 chains) leave PCD chains behind a sharpening
#: model: bars and stripes 3×3 with 16 hidden units reaches ⟨log p⟩ = −2.85 in 2000 epochs instead of −4.17.
STUDY_DEFAULTS = {"learning_rate": 0.1, "momentum": 0.5, "n_chains": 100, "lr_schedule": "linear", "lr_epochs": 0}


def _study_param(p: Param) -> Param:
    """A training parameter as ``rbm-train`` declares it: its command-line name and the study's default."""
    if p.name == "lr_epochs":
        p = replace(p, low=0, doc=p.doc + " (0: the whole run)")
    if p.name in STUDY_DEFAULTS:
        p = replace(p, default=STUDY_DEFAULTS[p.name])
    return replace(p, name=_TRAIN_FLAGS.get(p.name, p.name))


TRAIN_STUDY_PARAMS = (
    *data_params(),
    *(_study_param(p) for p in TRAIN_PARAMS),
    Param("epochs", int, 1000, "training epochs (passes over the data)", low=1),
    Param("log_every", int, 1, "epochs per row of observables", low=1),
    Param("snapshot_every", int, 100, "epochs between weight snapshots (a multiple of log_every; 0: none)",
          low=0),
    Param("ais_betas", int, 1000, "AIS inverse temperatures of the monitored log-likelihood (large models)",
          low=2),
    Param("ais_chains", int, 100, "AIS chains of the monitored log-likelihood (large models)", low=2),
    seed_param(),
)


def training_settings(s: Settings) -> Settings:
    """The :data:`~statmech_nn.rbm.train.TRAIN_PARAMS` settings of an ``rbm-train`` run (validated there)."""
    values = {TRAIN_NAMES.get(p.name, p.name): s[p.name] for p in TRAIN_STUDY_PARAMS
              if TRAIN_NAMES.get(p.name, p.name) in TRAIN_PARAMS}
    return TRAIN_PARAMS.resolve({**values, "lr_epochs": values["lr_epochs"] or s.epochs})


def _check_train(s: Settings) -> None:
    training_settings(s)
    if s.snapshot_every % s.log_every:
        raise ParameterError("snapshot_every", s.snapshot_every, f"0 or a multiple of log_every = {s.log_every}")
    check_data_source(s.data, s.units)
    if s.data == "bars-and-stripes" and s.size > 10:
        raise ParameterError("size", s.size, "2 .. 10 for bars-and-stripes")


TRAIN_PARAMSET = ParamSet(*TRAIN_STUDY_PARAMS, check=_check_train)


@dataclass(frozen=True)
class Training:
    """State = the training state of :func:`statmech_nn.rbm.train.init_state` (its ``epoch`` counts progress)."""

    settings: Settings
    seed: np.random.SeedSequence

    study = "rbm-train"

    @cached_property
    def train_settings(self) -> Settings:
        return training_settings(self.settings)

    @cached_property
    def dataset(self) -> tuple[np.ndarray, dict]:
        return load_data(self.settings, seed_sequence(self.seed, DATA_STREAM))

    @property
    def data(self) -> np.ndarray:
        return self.dataset[0]

    @property
    def observables(self) -> dict:
        n_v, n_h = self.data.shape[1], self.settings.hidden
        obs = {name: (np.float64, ()) for name in ("log_likelihood", "log_likelihood_error",
                                                   "reconstruction_error", "flip_rate", "learning_rate")}
        if self.settings.method == "pt":
            obs["swap_acceptance"] = (np.float64, (self.settings.pt_temperatures - 1,))
        if self.settings.snapshot_every:
            obs.update(W=(np.float64, (n_v, n_h)), visible_bias=(np.float64, (n_v,)),
                       hidden_bias=(np.float64, (n_h,)))
        return obs

    def init_state(self) -> dict[str, np.ndarray]:
        return init_state(self.train_settings, self.data, self.seed)

    def model(self, state) -> RBM:
        return model_of(state, self.settings.units)

    def monitor(self, state) -> monitor.LogLikelihood:
        s = self.settings
        return monitor.log_likelihood(self.model(state), self.data, ais_betas=s.ais_betas, ais_chains=s.ais_chains,
                                      seed=seed_sequence(self.seed, MONITOR_STREAM, int(state["epoch"])))

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Train up to ``max_rows`` rows of ``log_every`` epochs (the last row at ``epochs``), measuring after each."""
        s = self.settings
        rows: dict[str, list] = {name: [] for name in self.observables}
        steps, snapshot_steps = [], []
        for _ in range(max_rows):
            epoch = int(state["epoch"])
            if epoch >= s.epochs:
                break
            target = min((epoch // s.log_every + 1) * s.log_every, s.epochs)
            diag = train(self.train_settings, self.data, state, target - epoch)
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

    def progress(self, state) -> tuple[int, int]:
        return int(state["epoch"]), self.settings.epochs

    def results(self, state) -> dict[str, np.ndarray]:
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


def build_training(s: Settings, seed: np.random.SeedSequence) -> Training:
    return Training(s, seed)


# ------------------------------------------------------------------------------------------------- rbm-logz
#: Smaller layers up to this size also get the exact log Z next to an AIS estimate, and reverse AIS starts from
#: exact samples when the visible layer is this small (from Gibbs chains otherwise).
EXACT_CHECK_UNITS = 20


def _check_logz(s: Settings) -> None:
    model = check_model(s)
    smaller = min(model.n_visible, model.n_hidden)
    if s.method == "exact" and smaller > MAX_EXACT_UNITS:
        raise ParameterError("method", s.method, f"ais for a model whose smaller layer has {smaller} > "
                             f"{MAX_EXACT_UNITS} units")


LOGZ_PARAMS = ParamSet(
    *model_params(),
    Param("method", str, "ais", "exact (enumerate the smaller layer) or ais", choices=("ais", "exact")),
    Param("betas", int, 10000, "AIS inverse temperatures (equally spaced from 0 to 1)", low=2),
    Param("chains", int, 100, "AIS chains", low=2),
    seed_param(),
    check=_check_logz,
)

_LOGZ_SCALARS = ("log_z", "log_z_error", "ess", "log_z_base", "log_z_reverse", "log_z_reverse_error",
                 "reverse_ess", "log_z_exact")


@dataclass(frozen=True)
class LogPartition:
    """State: ``done`` () plus the estimates (nan until computed), so a finished computation is checkpointed."""

    settings: Settings
    seed: np.random.SeedSequence

    study = "rbm-logz"
    observables = {}

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    def init_state(self) -> dict[str, np.ndarray]:
        n = self.settings.chains if self.settings.method == "ais" else 0
        return {"done": np.array(0, np.int64), **{k: np.array(np.nan) for k in _LOGZ_SCALARS},
                "log_weights": np.full(n, np.nan), "reverse_log_weights": np.full(n, np.nan)}

    def _reverse_start(self) -> tuple[np.ndarray, str]:
        """Exact samples of the model when its visible layer is small, else Gibbs chains run ``betas`` steps."""
        s, m = self.settings, self.model
        if m.n_visible <= EXACT_CHECK_UNITS:
            return exact_samples(m, s.chains, self.seed), "exact"
        chains = init_chains(m, s.chains, seed_sequence(self.seed, 7))
        gibbs(m, chains, s.betas)
        return chains["visible"], "gibbs"

    def advance(self, state, max_rows: int) -> dict:
        s, m = self.settings, self.model
        if s.method == "exact":
            state.update(log_z=np.array(log_partition(m)), log_z_error=np.array(0.0))
        else:
            fwd = ais(m, s.betas, s.chains, self.seed)
            start, _ = self._reverse_start()
            rev = reverse_ais(m, s.betas, start, self.seed)
            state.update(log_z=np.array(fwd.log_z), log_z_error=np.array(fwd.log_z_err), ess=np.array(fwd.ess),
                         log_z_base=np.array(fwd.log_z_base), log_weights=fwd.log_weights,
                         log_z_reverse=np.array(rev.log_z), log_z_reverse_error=np.array(rev.log_z_err),
                         reverse_ess=np.array(rev.ess), reverse_log_weights=rev.log_weights)
            if min(m.n_visible, m.n_hidden) <= EXACT_CHECK_UNITS:
                state["log_z_exact"] = np.array(log_partition(m))
        state["done"] = np.array(1, np.int64)
        return {}

    def progress(self, state) -> tuple[int, int]:
        return int(state["done"]), 1

    def results(self, state) -> dict[str, np.ndarray]:
        """log_z, log_z_error (0 when exact) and, for AIS, ess, log_z_base, the chains' log_weights, the
        reverse estimate (log_z_reverse ± log_z_reverse_error, reverse_ess, reverse_log_weights, reverse_start)
        and log_z_exact when the smaller layer is small enough to enumerate cheaply."""
        m = self.model
        out = {"method": np.bytes_(self.settings.method), "units": np.bytes_(m.units),
               "n_visible": np.int64(m.n_visible), "n_hidden": np.int64(m.n_hidden)}
        for name, value in state.items():
            if name != "done" and np.size(value) and np.all(np.isfinite(value)):
                out[name] = value
        if self.settings.method == "ais":
            out["reverse_start"] = np.bytes_("exact" if m.n_visible <= EXACT_CHECK_UNITS else "gibbs")
        return out


def build_logz(s: Settings, seed: np.random.SeedSequence) -> LogPartition:
    return LogPartition(s, seed)


# ----------------------------------------------------------------------------------------------- rbm-sample
def _check_sample(s: Settings) -> None:
    check_model(s)
    if s.save_every > s.sweeps:
        raise ParameterError("save_every", s.save_every, f"0..sweeps = {s.sweeps}")


SAMPLE_PARAMS = ParamSet(
    *model_params(),
    Param("chains", int, 64, "independent Gibbs chains (random starts)", low=1),
    Param("sweeps", int, 1000, "measured block Gibbs steps (v -> h -> v) per chain", low=1),
    Param("burn_in", int, 100, "Gibbs steps discarded before measuring", low=0),
    Param("save_every", int, 10, "store the chains' configurations every this many sweeps (0: never)", low=0),
    seed_param(),
    check=_check_sample,
)


@dataclass(frozen=True)
class Sampling:
    """State: ``visible`` (chains, n_visible) and ``rng`` (chains, 4) of the chains, ``sweep`` () steps done."""

    settings: Settings
    seed: np.random.SeedSequence

    study = "rbm-sample"

    @cached_property
    def model(self) -> RBM:
        return check_model(self.settings)

    @property
    def observables(self) -> dict:
        c, n_v = self.settings.chains, self.model.n_visible
        obs = {"free_energy": (np.float64, (c,)), "magnetization": (np.float64, (c,)),
               "flip_rate": (np.float64, (c,))}
        if self.settings.save_every:
            obs["visible"] = (np.int8, (c, n_v))
        return obs

    def init_state(self) -> dict[str, np.ndarray]:
        return {**init_chains(self.model, self.settings.chains, self.seed), "sweep": np.array(0, np.int64)}

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Burn in (no rows), then up to ``max_rows`` sweeps, one row each: F(v), the mean unit value and the
        fraction of visible units changed, per chain; configurations every ``save_every`` sweeps."""
        s, m = self.settings, self.model
        chains = {"visible": state["visible"], "rng": state["rng"]}
        if int(state["sweep"]) < s.burn_in:
            gibbs(m, chains, s.burn_in - int(state["sweep"]))
            state["sweep"] = np.array(s.burn_in, np.int64)
            return {}
        first = int(state["sweep"]) + 1
        n = min(max_rows, s.burn_in + s.sweeps + 1 - first)
        trace, flips = gibbs_trace(m, chains, n)
        state["sweep"] = np.array(first + n - 1, np.int64)
        steps = np.arange(first, first + n, dtype=np.int64)
        v = trace.astype(np.float64)
        out = {"free_energy": (steps, m.free_energy(v)), "magnetization": (steps, v.mean(axis=2)),
               "flip_rate": (steps, flips / m.n_visible)}
        if s.save_every:
            keep = (steps - s.burn_in) % s.save_every == 0
            out["visible"] = (steps[keep], trace[keep])
        return out

    def progress(self, state) -> tuple[int, int]:
        return int(state["sweep"]), self.settings.burn_in + self.settings.sweeps

    def results(self, state) -> dict[str, np.ndarray]:
        """units, n_visible and, for n_visible ≤ 20, the exact ⟨F(v)⟩ and ⟨(1/n) Σ_i v_i⟩ under p(v)."""
        m = self.model
        out = {"units": np.bytes_(m.units), "n_visible": np.int64(m.n_visible)}
        if m.n_visible <= EXACT_CHECK_UNITS:
            p = np.exp(visible_log_probabilities(m))
            v = configurations(m.n_visible, m.units)
            out.update(free_energy_exact=np.float64(p @ m.free_energy(v)),
                       magnetization_exact=np.float64(p @ v.mean(axis=1)))
        return out


def build_sampling(s: Settings, seed: np.random.SeedSequence) -> Sampling:
    return Sampling(s, seed)


TRAIN_STUDY = Study("rbm-train", "train an RBM (CD-k, PCD, PT) on bars and stripes, Ising configurations or a "
                    "user array", TRAIN_PARAMSET, build_training)
LOGZ_STUDY = Study("rbm-logz", "log partition function of an RBM: exact enumeration or AIS (+ reverse AIS)",
                   LOGZ_PARAMS, build_logz)
SAMPLE_STUDY = Study("rbm-sample", "block Gibbs sampling of an RBM", SAMPLE_PARAMS, build_sampling)
STUDIES = (TRAIN_STUDY, LOGZ_STUDY, SAMPLE_STUDY)
