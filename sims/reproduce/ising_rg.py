"""The Ising model and the renormalization group: Binder's cumulant crossing against Onsager's T_c, and Mehta &
Schwab's stacked RBMs on 2-D Ising configurations."""
from __future__ import annotations

import math

from statmech_nn.analysis import rg as rg_figures
from statmech_nn.analysis.sweeps import ising_critical_temperature, sweep_figure
from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.study import get_study

from . import Check, Item, Run, Sweep

BINDER = "Binder 1981, Finite size scaling analysis of Ising model block distribution functions (Z. Phys. B 43, 119)"
MEHTA = "Mehta & Schwab 2014, An exact mapping between the variational renormalization group and deep learning (arXiv:1410.3831)"


def _binder_runs(quick: bool) -> dict:
    grid = {"L": [8, 16], "T": {"start": 2.15, "stop": 2.4, "num": 6}} if quick else \
        {"L": [8, 16, 32], "T": {"start": 2.1, "stop": 2.45, "num": 15}}
    return {"binder": Sweep({"study": "ising", "seed": 7, "fixed": {"algorithm": "wolff",
                                                                   "sweeps": 20000 if quick else 150000,
                                                                   "burn_in": 1000}, "grid": grid})}


def _tc(outputs) -> tuple[float, float]:
    tc = ising_critical_temperature(outputs["binder"]).tc
    return tc.value, tc.error


BINDER_FIG1 = Item(
    "binder1981-fig1", BINDER, "Fig. 1 (cumulant crossings)",
    "The Binder cumulants U_L(T) of the 2-D Ising model for several sizes cross at the critical temperature, "
    "T_c = 2/ln(1 + √2) = 2.269185 (Onsager 1944).",
    _binder_runs, lambda out: sweep_figure(out["binder"], "T", "binder", "L"),
    checks=(Check("T_c from the crossing of the two largest sizes", T_CRITICAL, 0.004,
                  "corrections to scaling at L = 16/32 shift the crossing by ~1e-3 (docs/ising.md); plus 4.5 σ",
                  _tc, quick_tolerance=0.03, sigmas=4.5, source="Onsager's exact value"),),
    minutes=(0.5, 4.0),
    differences="Binder's figure used 2-D Ising block distributions from Metropolis runs; here Wolff clusters, "
                "sizes 8, 16, 32 (quick: 8, 16; the quick tolerance allows the larger finite-size shift). Figure number not verified.")


def _stack_runs(quick: bool) -> dict:
    if quick:
        return {"stack": Run("rg-stack", {"L": 16, "T": 2.451, "layers": (256, 64, 16), "samples": 2000,
                                          "epochs": 6, "seed": 1})}
    return {"stack": Run("rg-stack", {"L": 40, "T": 2.451, "layers": (1600, 400, 100, 25), "samples": 20000,
                                      "seed": 1})}


def _locality(outputs) -> tuple[float, float]:
    """Depth-1 receptive-field locality of the trained stack minus its shuffled-weights control."""
    run = outputs["stack"]
    est = get_study(run.study).analyze(run)
    gap = est["block_fraction_1"].value - est["block_fraction_shuffled_1"].value
    error = math.hypot(est["block_fraction_1"].error, est["block_fraction_shuffled_1"].error)
    return gap, error


MEHTA_FIG5 = Item(
    "mehta2014-fig5", MEHTA, "Fig. 5",
    "RBMs stacked on 2-D Ising configurations (T = 2.451, L = 40) learn receptive fields that are more local than "
    "chance at depths 1 and 2 (median blocks of 2 and 3 spins), like block spins; at depth 3 most units are spread "
    "over the lattice. Shown for a random sample of units, not the most local.",
    _stack_runs, lambda out: rg_figures.receptive_fields_figure(out["stack"]),
    checks=(Check("depth-1 locality f_k above the shuffled-weights control", 0.0, 0.0,
                  "the paper's claim is qualitative (local fields); we require the excess over the control to be "
                  "more than 4.5 standard errors over units", _locality, sigmas=4.5, direction="above",
                  source="the paper prints no number"),),
    minutes=(1.0, 2.0),
    differences="The paper shows hand-picked receptive fields; an audit found many units as spread as a shuffled "
                "control (at T_c most of them), so the figure shows a random sample with each unit's locality, and "
                "the check asks only for an excess over the control. Quick: L = 16, layers 256-64-16.")

ITEMS = (BINDER_FIG1, MEHTA_FIG5)
