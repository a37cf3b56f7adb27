"""Analysis of simulation output (installed as ``statmech_nn.analysis``).

``load(path)`` reads a run into numpy arrays; ``analyze(path_or_run)`` gives the study's estimates with
autocorrelation-corrected errors, the same numbers ``statmech-nn analyze`` prints (the library's summaries,
re-exported). This is the only layer that plots; importing it never changes matplotlib's backend.
"""
from __future__ import annotations

import os

from statmech_nn import analyze
from statmech_nn.io.runfile import Run, read_run
from statmech_nn.stats import Estimate
from statmech_nn.study import unreadable_content

from . import chaos, energy_landscape, info_plane, isometry, landscape, plots, rbm, rbm_random, rg, signal_prop
from . import learning, optimization, simplicity
from . import gradients, nngp
from . import spinglass

#: The figure ``statmech-nn plot`` draws for a run of each study (default: time series and histograms).
RUN_FIGURES = {
    "spinglass": spinglass.run_figure,
    "loss-band": spinglass.loss_band_figure,
    "capacity": learning.capacity_figure,
    "hopfield": learning.hopfield_figure,
    "teacher-student": learning.teacher_student_figure,
    "simplicity": simplicity.run_figure,
    "signal-prop": signal_prop.run_figure,
    "gradients": gradients.run_figure,
    "nngp": nngp.run_figure,
    "trainability": signal_prop.trainability_figure,
    "chaos": chaos.run_figure,
    "isometry": isometry.run_figure,
    "rbm-train": rbm.run_figure,
    "rbm-logz": rbm.run_figure,
    "rbm-sample": rbm.run_figure,
    "rbm-random": rbm_random.run_figure,
    "rbm-landscape": landscape.run_figure,
    "landscape": energy_landscape.run_figure,
    "basin-volume": energy_landscape.volume_figure,
    "rg-decimate-1d": rg.run_figure,
    "rg-stack": rg.run_figure,
    "rg-flow": rg.run_figure,
    "deep-linear": optimization.deep_linear_figure,
    "hessian": optimization.hessian_figure,
    "factorization": optimization.factorization_figure,
    "random-labels": optimization.random_labels_figure,
    "info-plane": info_plane.run_figure,
}

#: The figure ``statmech-nn plot`` draws for a sweep of a study when no --x/--y/--hue/--map is given.
SWEEP_FIGURES = {
    "spinglass": spinglass.band_figure,
    "signal-prop": signal_prop.residual_phase_figure,
    "hopfield": learning.hopfield_sweep_figure,
    "teacher-student": learning.teacher_student_sweep_figure,
    "simplicity": simplicity.depth_figure,
    "rbm-random": rbm_random.phase_figure,
    "info-plane": info_plane.seeds_figure,
    "landscape": energy_landscape.width_figure,
}


def run_figure(run: Run):
    """The study's figure of one run (a damaged run is a one-line FormatError naming its file)."""
    with unreadable_content(run.path):
        return RUN_FIGURES.get(run.study, plots.run_figure)(run)


def load(path: str | os.PathLike) -> Run:
    """Open a run file: ``run.parameters``, ``run["energy"]``, ``run.observables[name].step`` ..."""
    return read_run(path)


__all__ = ["Estimate", "analyze", "load", "run_figure"]
