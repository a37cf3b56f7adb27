"""Summaries of an ``info-plane`` run: where each layer's I(X;T) peaks (the end of the fitting phase), how much it
falls afterwards (compression), the final losses and generalization gap, and when each layer's gradients enter
the diffusion phase (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018). One run is deterministic: every number is
exact (Estimate.exact); error bars come from repeating the run over seeds (a sweep over ``replicate``)."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def check_run(run: Run) -> None:
    if run.study != "info-plane":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'info-plane'")
    if "mi_xt" not in run.observables or len(run.observables["mi_xt"]) < 1:
        raise FormatError(f"{run.path}: no logged epochs yet")


def minibatch_snr(run: Run) -> np.ndarray:
    """(rows, weight layers): √B |mean per-sample gradient| / std, the signal-to-noise ratio of a minibatch
    gradient of B samples (B = batch_size, or the training set for full batch)."""
    batch = int(run.parameters["batch_size"]) or int(run.results["n_train"])
    with np.errstate(divide="ignore", invalid="ignore"):  # a dead layer (all gradients 0) has no ratio: nan
        return math.sqrt(batch) * run["grad_mean"] / run["grad_std"]


def compression(run: Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per hidden layer: (max over logged epochs of I(X;T), the epoch of that maximum, max − final value)."""
    series = run.observables["mi_xt"]
    peak = np.argmax(series.value, axis=0)
    top = series.value[peak, np.arange(series.value.shape[1])]
    return top, series.step[peak], top - series.value[-1]


def analyze(run: Run) -> dict[str, Estimate]:
    """Per hidden layer l = 1…: ``mi_xt_max_l``, ``epoch_mi_xt_max_l`` (the two phases' boundary),
    ``compression_l`` = max − final I(X;T) in bits, ``mi_xt_final_l``, ``mi_ty_final_l``; per weight layer
    ``epoch_diffusion_l``: the first logged epoch > 0 at which :func:`minibatch_snr` < 1 (nan if never);
    ``compression_mean`` over the hidden layers; the final ``train_loss``, ``test_loss``, ``test_accuracy``
    and ``generalization_gap`` = test − train loss."""
    check_run(run)
    top, epoch, drop = compression(run)
    out = {}
    for l in range(len(top)):
        out[f"mi_xt_max_l{l + 1}"] = Estimate.exact(top[l])
        out[f"epoch_mi_xt_max_l{l + 1}"] = Estimate.exact(epoch[l])
        out[f"compression_l{l + 1}"] = Estimate.exact(drop[l])
        out[f"mi_xt_final_l{l + 1}"] = Estimate.exact(run["mi_xt"][-1, l])
        out[f"mi_ty_final_l{l + 1}"] = Estimate.exact(run["mi_ty"][-1, l])
    out["compression_mean"] = Estimate.exact(np.mean(drop))
    steps, snr = run.observables["grad_mean"].step, minibatch_snr(run)
    for l in range(snr.shape[1]):
        below = np.flatnonzero((steps > 0) & (snr[:, l] < 1.0))
        out[f"epoch_diffusion_l{l + 1}"] = Estimate.exact(steps[below[0]] if below.size else math.nan)
    for name in ("train_loss", "test_loss", "test_accuracy"):
        out[name] = Estimate.exact(run[name][-1])
    out["generalization_gap"] = Estimate.exact(run["test_loss"][-1] - run["train_loss"][-1])
    return out
