"""Analysis of simulation output (installed as ``statmech_nn.analysis``).

``load(path)`` reads a run into numpy arrays; ``analyze(path_or_run)`` gives the study's estimates with
autocorrelation-corrected errors, the same numbers ``statmech-nn analyze`` prints.
"""
from __future__ import annotations

import os

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run, read_run

from . import chaos, ising, isometry, landscape, plots, rbm, rbm_random, rg, signal_prop
from .stats import Estimate

ANALYSES = {
    "ising": ising.analyze,
    "signal-prop": signal_prop.analyze,
    "chaos": chaos.analyze,
    "isometry": isometry.analyze,
    "rbm-train": rbm.analyze,
    "rbm-logz": rbm.analyze,
    "rbm-sample": rbm.analyze,
    "rbm-random": rbm_random.analyze,
    "rbm-landscape": landscape.analyze,
    "rg-decimate-1d": rg.analyze,
    "rg-stack": rg.analyze,
    "rg-flow": rg.analyze,
}
#: The figure ``statmech-nn plot`` draws for a run of each study (default: time series and histograms).
RUN_FIGURES = {
    "signal-prop": signal_prop.run_figure,
    "chaos": chaos.run_figure,
    "isometry": isometry.run_figure,
    "rbm-train": rbm.run_figure,
    "rbm-logz": rbm.run_figure,
    "rbm-sample": rbm.run_figure,
    "rbm-random": rbm_random.run_figure,
    "rbm-landscape": landscape.run_figure,
    "rg-decimate-1d": rg.run_figure,
    "rg-stack": rg.run_figure,
    "rg-flow": rg.run_figure,
}

#: The figure ``statmech-nn plot`` draws for a sweep of a study when no --x/--y/--hue/--map is given.
SWEEP_FIGURES = {
    "rbm-random": rbm_random.phase_figure,
}


def run_figure(run: Run):
    """The study's figure of one run."""
    return RUN_FIGURES.get(run.study, plots.run_figure)(run)


def load(path: str | os.PathLike) -> Run:
    """Open a run file: ``run.parameters``, ``run["energy"]``, ``run.observables[name].step`` ..."""
    return read_run(path)


def analyze(run: Run | str | os.PathLike, **options) -> dict[str, Estimate]:
    """The study's estimates for a run (or a path to one)."""
    if not isinstance(run, Run):
        run = load(run)
    try:
        fn = ANALYSES[run.study]
    except KeyError:
        raise FormatError(f"{run.path}: no analysis for study '{run.study}'") from None
    return fn(run, **options)


__all__ = ["ANALYSES", "Estimate", "analyze", "load", "run_figure"]
