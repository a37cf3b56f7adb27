"""log Z of an RBM as the ``rbm-logz`` study reports it: exact enumeration, or forward AIS bracketed by reverse AIS
(Burda, Grosse & Salakhutdinov 2015) with the exact value beside it when the smaller layer is small
(:mod:`.ais`, :mod:`.exact`)."""
from __future__ import annotations

import numpy as np

from statmech_nn.models.rbm import RBM
from statmech_nn.rbm.ais import ais, reverse_ais
from statmech_nn.rbm.exact import exact_samples, log_partition
from statmech_nn.samplers.rbm_gibbs import gibbs, init_chains

#: Smaller layers up to this size also get the exact log Z next to an AIS estimate, and reverse AIS starts from
#: exact samples when the visible layer is this small (from Gibbs chains otherwise).
EXACT_CHECK_UNITS = 20

#: The scalar estimates (nan when not computed).
SCALARS = ("log_z", "log_z_error", "ess", "log_z_base", "log_z_reverse", "log_z_reverse_error", "reverse_ess",
           "log_z_exact")


def reverse_start_method(model: RBM) -> str:
    """Where reverse AIS starts: ``"exact"`` samples (small visible layer) or ``"gibbs"`` chains."""
    return "exact" if model.n_visible <= EXACT_CHECK_UNITS else "gibbs"


def _reverse_start(model: RBM, betas: int, chains: int, seed, gibbs_seed) -> np.ndarray:
    """Exact samples of the model (stream ``seed``), or Gibbs chains (stream ``gibbs_seed``) run ``betas`` steps."""
    if reverse_start_method(model) == "exact":
        return exact_samples(model, chains, seed)
    state = init_chains(model, chains, gibbs_seed)
    gibbs(model, state, betas)
    return state["visible"]


def estimate(model: RBM, method: str, betas: int, chains: int, seed, gibbs_seed) -> dict[str, np.ndarray]:
    """``method = "exact"``: log_z, log_z_error = 0. ``"ais"``: log_z ± log_z_error, ess, log_z_base and the
    chains' log_weights of forward AIS with ``betas`` temperatures and ``chains`` chains (stream ``seed``),
    log_z_reverse ± log_z_reverse_error, reverse_ess, reverse_log_weights of reverse AIS, and log_z_exact when
    the smaller layer has at most :data:`EXACT_CHECK_UNITS` units."""
    if method == "exact":
        return {"log_z": np.array(log_partition(model)), "log_z_error": np.array(0.0)}
    fwd = ais(model, betas, chains, seed)
    rev = reverse_ais(model, betas, _reverse_start(model, betas, chains, seed, gibbs_seed), seed)
    out = {"log_z": np.array(fwd.log_z), "log_z_error": np.array(fwd.log_z_err), "ess": np.array(fwd.ess),
           "log_z_base": np.array(fwd.log_z_base), "log_weights": fwd.log_weights,
           "log_z_reverse": np.array(rev.log_z), "log_z_reverse_error": np.array(rev.log_z_err),
           "reverse_ess": np.array(rev.ess), "reverse_log_weights": rev.log_weights}
    if min(model.n_visible, model.n_hidden) <= EXACT_CHECK_UNITS:
        out["log_z_exact"] = np.array(log_partition(model))
    return out
