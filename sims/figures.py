"""``statmech-nn figures``: the papers' figures, with the runs they need.

This is the simulation side (it writes run files with :func:`~statmech_nn.study.run_study`); the figures
themselves are drawn from those files by the analysis modules. :data:`FIGURE_SETS` names each set.
"""
from __future__ import annotations

import os
from pathlib import Path


from statmech_nn.analysis import chaos as chaos_analysis
from statmech_nn.analysis.isometry import pennington_figure, variance_figure
from statmech_nn.analysis.plots import save
from statmech_nn.analysis.signal_prop import (POOLE_SIGMA_B, POOLE_SIGMA_W, poole_fig1, poole_fig2, schoenholz_xi,
                                              trainability_figure)
from statmech_nn.io.runfile import read_run
from statmech_nn.study import run_study

from .chaos import chaos_runs
from .isometry import isometry_runs
from .signal_prop import STUDY
from .trainability import STUDY as TRAINABILITY


def poole_runs(outdir: str | os.PathLike, q0s=(0.5, 4.0, 14.0), width: int = 1000, networks: int = 10,
               depth: int = 12, seed: int = 2016) -> list[Path]:
    """Simulate the Fig. 1 networks (one signal-prop run per σ_w and q^0) into ``outdir``; returns the paths."""
    paths = []
    for sw in POOLE_SIGMA_W:
        for q0 in q0s:
            path = Path(outdir) / f"poole_fig1_sw{sw}_q{q0}.h5"
            run_study(STUDY, {"phi": "tanh", "sigma_w2": sw**2, "sigma_b2": POOLE_SIGMA_B**2, "depth": depth,
                              "width": width, "networks": networks, "q0": q0, "seed": seed}, path, overwrite=True)
            paths.append(path)
    return paths


def signal_prop_figures(outdir: str | os.PathLike, trainability: bool = False) -> list[Path]:
    """Write poole_fig1.png (running its simulations into ``outdir``/runs), poole_fig2.png, schoenholz_xi.png and,
    if ``trainability`` (the ``trainability`` study with its defaults, about 7 CPU minutes; its run is
    runs/trainability.h5), trainability.png."""
    outdir = Path(outdir)
    (outdir / "runs").mkdir(parents=True, exist_ok=True)
    written = [save(poole_fig1(poole_runs(outdir / "runs")), outdir / "poole_fig1.png"),
               save(poole_fig2(), outdir / "poole_fig2.png"),
               save(schoenholz_xi(), outdir / "schoenholz_xi.png")]
    if trainability:
        path = outdir / "runs" / "trainability.h5"
        run_study(TRAINABILITY, {"seed": 2017}, path, overwrite=True)
        written.append(save(trainability_figure(read_run(path)), outdir / "trainability.png"))
    return written


def chaos_figures(outdir: str | os.PathLike, **options) -> list[Path]:
    """Run :func:`chaos_runs` into ``outdir``/runs and write chaos_poole_fig3.png, chaos_poole_fig4.png and
    chaos_raghu_length.png into ``outdir``; returns the PNG paths. ``options`` go to :func:`chaos_runs`."""
    outdir = Path(outdir)
    (outdir / "runs").mkdir(parents=True, exist_ok=True)
    runs = chaos_runs(outdir / "runs", **options)
    return [save(chaos_analysis.poole_fig3(runs["poole"]), outdir / "chaos_poole_fig3.png"),
            save(chaos_analysis.poole_fig4(runs["poole"]), outdir / "chaos_poole_fig4.png"),
            save(chaos_analysis.raghu_length(runs["raghu"]), outdir / "chaos_raghu_length.png")]


def isometry_figures(outdir: str | Path, width: int = 400, networks: int = 4) -> list[Path]:
    """Write isometry_spectra.png (Pennington et al.'s singular-value densities, runs in ``outdir``/runs) and
    isometry_variance.png; returns the figure paths. About a minute on 2 cores with the defaults (N = 400;
    N = 1000 takes ~15× longer, dominated by the L = 128 runs)."""
    outdir = Path(outdir)
    runs = isometry_runs(outdir / "runs", width=width, networks=networks)
    return [save(pennington_figure(runs), outdir / "isometry_spectra.png"),
            save(variance_figure(runs), outdir / "isometry_variance.png")]


#: Figure sets of ``statmech-nn figures --only``: Poole 2016 Figs. 1-2 and Schoenholz 2017 (signal-prop),
#: Poole Figs. 3-4 and Raghu 2017 (chaos), Pennington 2017 (isometry).
FIGURE_SETS = {"signal-prop": signal_prop_figures, "chaos": chaos_figures, "isometry": isometry_figures}


def make_figures(outdir: str | os.PathLike, sets=tuple(FIGURE_SETS), trainability: bool = False) -> list[Path]:
    """Every figure of the named ``sets`` in ``outdir`` (runs in ``outdir``/runs); returns the PNG paths."""
    written = []
    for name in sets:
        options = {"trainability": trainability} if name == "signal-prop" else {}
        written += FIGURE_SETS[name](outdir, **options)
    return written
