"""Maximum-likelihood training of an RBM by stochastic gradient ascent, with exactly resumable state.

The log-likelihood gradient is a difference of correlations in the data and in the model,

    ∂⟨log p(v)⟩/∂W_ij = ⟨v_i E[h_j|v]⟩_data - ⟨v_i E[h_j|v]⟩_model,   (biases alike with v_i, E[h_j|v]),

where E[h_j|v] = σ(x_j) (binary) or tanh(x_j) (spin), x_j = b_j + (vᵀW)_j. The model average comes from
block Gibbs chains (:mod:`statmech_nn.samplers.rbm_gibbs`):

* ``"cd"``  — CD-k: k steps from each example of the minibatch (Hinton 2002);
* ``"pcd"`` — persistent chains advanced k steps per update (Tieleman 2008); they lag behind a sharpening
  model, so watch the flip-rate diagnostic and decay the learning rate;
* ``"pt"``  — persistent parallel-tempering ensembles, k sweeps per update, the β = 1 replicas giving the
  average (Desjardins et al. 2010); β linear from ``pt_beta_min`` to 1 over ``pt_temperatures`` replicas.

Updates per minibatch, with g the gradient estimate and rate η_t of the epoch's schedule:
u ← μ u + η_t (g - λ₂ W - λ₁ sign W) for the weights (u ← μ u + η_t g for the biases), θ ← θ + u.

An epoch is one call of :func:`statmech_nn.rbm.epoch.epoch_kernel` (Numba, its row blocks on the Numba threads;
single-threaded BLAS does the products): the matrix products run in float32, biases, E[h|v], draws and the
parameter updates in float64 (see there). The numbers do not depend on the Numba thread count. The kernel reads
the data as float32 (unit values are exact): float32 C-contiguous data are used as they are, anything else is
converted once per call.

Everything a run depends on lives in an explicit state dict of numpy arrays (:func:`init_state`), so
``train(…, n)`` equals ``train(…, m)`` then ``train(…, n - m)`` bit for bit, also from a checkpoint written
and read back in between: ``weights``, ``visible_bias``, ``hidden_bias``; ``velocity_weights``,
``velocity_visible_bias``, ``velocity_hidden_bias``; ``chains`` (T, n_chains, n_visible), pcd/pt only;
``rng_chains`` (chains, 4) and ``rng_data`` (4,) xoshiro256** states; ``epoch`` ().
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, UNITS
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm.data import as_dataset, base_rate_bias
from statmech_nn.rbm.epoch import METHOD_CODES, epoch_kernel
from statmech_nn.rng import permutation, seed_sequence, xoshiro256_state, xoshiro256_states


def _check(s: Settings) -> None:
    if s.lr_schedule == "exponential" and s.lr_final <= 0.0:
        raise ParameterError("lr_final", s.lr_final, "> 0 with lr_schedule = exponential")


TRAIN_PARAMS = ParamSet(
    Param("n_hidden", int, None, "number of hidden units", low=1),
    Param("units", str, "binary", "unit values: binary {0,1} or spin {-1,+1}", choices=UNITS),
    Param("method", str, "pcd", "negative phase: cd, pcd or pt", choices=("cd", "pcd", "pt")),
    Param("k", int, 1, "Gibbs steps (pt: sweeps) per update", low=1),
    Param("batch_size", int, 10, "examples per minibatch", low=1),
    Param("n_chains", int, 10, "persistent chains (pcd) or tempering ensembles (pt); cd: one per example", low=1),
    Param("learning_rate", float, 0.05, "initial learning rate", low=0.0, low_open=True),
    Param("lr_schedule", str, "constant", "learning-rate schedule", choices=("constant", "linear", "exponential")),
    Param("lr_final", float, 0.0, "rate reached after lr_epochs (linear, exponential schedules)", low=0.0),
    Param("lr_epochs", int, 1000, "epochs over which the schedule moves to lr_final", low=1),
    Param("momentum", float, 0.0, "momentum coefficient", low=0.0, high=1.0, high_open=True),
    Param("l1", float, 0.0, "L1 penalty on the weights", low=0.0),
    Param("l2", float, 0.0, "L2 penalty (weight decay) on the weights", low=0.0),
    Param("init_scale", float, 0.01, "standard deviation of the initial weights", low=0.0),
    Param("pt_temperatures", int, 5, "replicas per tempering ensemble (pt)", low=2),
    Param("pt_beta_min", float, 0.5, "smallest inverse temperature (pt)", low=0.0, high=1.0, high_open=True),
    check=_check,
)


#: ±1 units s = 2v − 1, t = 2h − 1 describe the {0,1} model with weights W/4 (vᵀWh = ¼ sᵀWt + bias terms), and
#: their weight gradient ⟨s_i t_j⟩_data − ⟨s_i t_j⟩_model is ≈ 4× the {0,1} one; so a step η on ±1 weights moves
#: the equivalent {0,1} weights by ≈ 16η (biases: 2 × 2 = 4η). A rate divided by this factor takes the same steps
#: on the model in both conventions.
SPIN_RATE_FACTOR = 16.0


def rate_for_units(binary_rate: float, units: str) -> float:
    """The learning rate for ``units`` that moves the model's weights as ``binary_rate`` does for {0,1} units:
    ``binary_rate`` itself, or ``binary_rate / SPIN_RATE_FACTOR`` for ±1 units."""
    return binary_rate / SPIN_RATE_FACTOR if units == "spin" else binary_rate


def train_settings(**values) -> Settings:
    """Validated training settings; see :data:`TRAIN_PARAMS` for names, defaults and ranges."""
    return TRAIN_PARAMS.resolve(values)


def learning_rate(settings: Settings, epoch: int) -> float:
    """η_t: constant, or moving linearly / geometrically from ``learning_rate`` to ``lr_final`` over
    ``lr_epochs`` epochs and constant afterwards."""
    eta, final = settings.learning_rate, settings.lr_final
    x = min(epoch / settings.lr_epochs, 1.0)
    if settings.lr_schedule == "linear":
        return eta + (final - eta) * x
    if settings.lr_schedule == "exponential":
        return eta * (final / eta) ** x
    return eta


def pt_betas(settings: Settings) -> np.ndarray:
    """The tempering ladder of ``"pt"`` training (β = 1 alone otherwise)."""
    if settings.method != "pt":
        return np.ones(1)
    return np.linspace(settings.pt_beta_min, 1.0, settings.pt_temperatures)


def init_state(settings: Settings, data, seed) -> dict[str, np.ndarray]:
    """A fresh training state: W ~ N(0, init_scale²), visible biases at the data's base rates, hidden biases
    0, zero velocities, persistent chains (pcd/pt) of uniformly random units; ``seed`` an int or SeedSequence."""
    data = as_dataset(data, settings.units)
    n_v, n_h = data.shape[1], settings.n_hidden
    gen = np.random.default_rng(seed_sequence(seed, 0))
    state = {"weights": gen.normal(0.0, settings.init_scale, (n_v, n_h)),
             "visible_bias": base_rate_bias(data, settings.units), "hidden_bias": np.zeros(n_h)}
    for name in ("weights", "visible_bias", "hidden_bias"):
        state["velocity_" + name] = np.zeros_like(state[name])
    n_chains = settings.batch_size if settings.method == "cd" else settings.n_chains
    if settings.method != "cd":
        bits = gen.integers(0, 2, (pt_betas(settings).size, n_chains, n_v)).astype(np.float64)
        state["chains"] = 2.0 * bits - 1.0 if settings.units == "spin" else bits
    state["rng_chains"] = xoshiro256_states(seed, n_chains, 0)
    state["rng_data"] = xoshiro256_state(seed_sequence(seed, 1))
    state["epoch"] = np.array(0, np.int64)
    return state


def model_of(state: dict[str, np.ndarray], units: str = "binary") -> RBM:
    """The RBM of a training state (a copy)."""
    return RBM(state["weights"], state["visible_bias"], state["hidden_bias"], units)


def _checked(settings: Settings, state: dict, n_v: int) -> dict[str, np.ndarray]:
    """The state's arrays as writable C-contiguous arrays of the expected dtypes and shapes."""
    n_h = settings.n_hidden
    n_chains = settings.batch_size if settings.method == "cd" else settings.n_chains
    expected = {"weights": (n_v, n_h), "visible_bias": (n_v,), "hidden_bias": (n_h,),
                "velocity_weights": (n_v, n_h), "velocity_visible_bias": (n_v,), "velocity_hidden_bias": (n_h,),
                "rng_chains": (n_chains, 4), "rng_data": (4,), "epoch": ()}
    if settings.method != "cd":
        expected["chains"] = (pt_betas(settings).size, n_chains, n_v)
    if set(state) != set(expected):
        raise ParameterError("state", sorted(state), "the keys " + ", ".join(sorted(expected)))
    out = {}
    for name, shape in expected.items():
        dtype = np.uint64 if name.startswith("rng") else np.int64 if name == "epoch" else np.float64
        x = np.asarray(state[name])
        if x.shape != shape or x.dtype != dtype:
            raise ParameterError(name, f"{x.dtype} array of shape {x.shape}", f"{np.dtype(dtype)} of shape {shape}")
        out[name] = np.require(x, requirements=("C", "W"))
    return out


def train(settings: Settings, data, state: dict[str, np.ndarray], n_epochs: int) -> dict[str, np.ndarray]:
    """Train for ``n_epochs`` epochs (each a pass over ``data`` in a fresh random order, minibatches of
    ``batch_size``, the last one possibly smaller), updating ``state`` in place. Returns per-epoch
    diagnostics: ``epoch`` (counted after the epoch), ``learning_rate``, ``flip_rate`` (fraction of visible
    units the β = 1 negative chains change per Gibbs step: near 0 means the chains are stuck) and, for pt,
    ``swap_acceptance`` (epochs, T-1) of neighbour swaps."""
    data = as_dataset(data, settings.units)
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, (int, np.integer)) or n_epochs < 0:
        raise ParameterError("n_epochs", n_epochs, "an integer >= 0")
    state.update(_checked(settings, state, data.shape[1]))
    spin = settings.units == "spin"
    betas = pt_betas(settings)
    betas.setflags(write=False)
    out = {"epoch": np.empty(n_epochs, np.int64), "learning_rate": np.empty(n_epochs),
           "flip_rate": np.empty(n_epochs)}
    if settings.method == "pt":
        out["swap_acceptance"] = np.empty((n_epochs, betas.size - 1))
    _epochs(settings, data, state, betas, out, spin)
    return out


def _epochs(settings: Settings, data: np.ndarray, state: dict[str, np.ndarray], betas: np.ndarray,
            out: dict[str, np.ndarray], spin: bool) -> None:
    """The epochs of :func:`train`, one :func:`~statmech_nn.rbm.epoch.epoch_kernel` call each, filling its
    diagnostics ``out``."""
    n_temps, n_chains = betas.size, state["rng_chains"].shape[0]
    data32 = np.ascontiguousarray(data, dtype=np.float32)  # unit values, exact; no copy if already float32
    chains = state.get("chains", np.empty((1, 0, data.shape[1])))
    for e in range(len(out["epoch"])):
        model_of(state, settings.units)  # rejects parameters that have diverged to inf or NaN
        epoch = int(state["epoch"])
        eta = learning_rate(settings, epoch)
        flips = np.zeros((n_temps, n_chains), np.int64)
        accepted = np.zeros((n_temps - 1, n_chains), np.int64)
        order = permutation(data.shape[0], state["rng_data"])
        chain_steps = epoch_kernel(data32, order, settings.batch_size, state["weights"], state["visible_bias"],
                                   state["hidden_bias"], state["velocity_weights"], state["velocity_visible_bias"],
                                   state["velocity_hidden_bias"], chains, state["rng_chains"],
                                   METHOD_CODES[settings.method], settings.k, spin, betas, eta, settings.momentum,
                                   settings.l1, settings.l2, flips, accepted)
        state["epoch"] = np.array(epoch + 1, np.int64)
        out["epoch"][e] = epoch + 1
        out["learning_rate"][e] = eta
        out["flip_rate"][e] = flips[-1].sum() / (chain_steps * data.shape[1])
        if settings.method == "pt":
            out["swap_acceptance"][e] = accepted.sum(axis=1) / chain_steps
