"""Spin glasses as loss surfaces: the spherical p-spin's ground-state and threshold energies (Auffinger, Ben Arous
& Černý 2013) with the end points of gradient descent, and Choromanska et al.'s band of network losses that narrows
with size (2015, Fig. 1)."""
from __future__ import annotations

import math

from statmech_nn.analysis import spinglass as spinglass_figures

from . import Check, Item, Run
from .deepnets import summary

ABC = "Auffinger, Ben Arous & Černý 2013, Random matrices and complexity of spin glasses (CPAM 66, 165)"
CHOROMANSKA = ("Choromanska, Henaff, Mathieu, Ben Arous & LeCun 2015, The loss surfaces of multilayer networks "
               "(AISTATS)")


def _abc_runs(quick: bool) -> dict:
    n, starts = (60, 16) if quick else (200, 200)
    return {"pspin": Run("spinglass", {"model": "pspin", "p": 3, "N": n, "algorithm": "gd", "starts": starts,
                                       "seed": 2013})}


ABC_FIG = Item(
    "auffinger2013-fig1", ABC, "Fig. 1 (complexity of the 3-spin)",
    "For the spherical 3-spin glass the ground-state energy is −E_0 = −1.657 and local minima concentrate at the "
    "threshold −E_∞ = −2√(2/3) = −1.633; gradient descent from random starts ends at minima above both.",
    _abc_runs, lambda out: spinglass_figures.run_figure(out["pspin"]),
    checks=(Check("−E_0 (ground state, p = 3)", -1.657, 0.0005, "the paper quotes three decimals",
                  summary("pspin", "e_ground"), source="ABČ 2013, text"),
            Check("−E_∞ (threshold, p = 3)", -1.633, 0.0005, "closed form −2√((p−1)/p), quoted to three decimals",
                  summary("pspin", "e_threshold"), source="ABČ 2013, text"),
            Check("lowest descent end point above −E_0", -1.657, 0.0,
                  "no critical point lies below the ground state; the end points must sit above it",
                  summary("pspin", "lowest_minimum"), direction="above", source="ABČ 2013"),
            Check("fraction of descent end points that are minima (index 0)", 1.0, 0.0,
                  "descent to rms gradient 1e-4 stops at minima (the Riemannian Hessian's index, radial term "
                  "included)", summary("pspin", "minimum_fraction"), source="ABČ 2013: minima are the index-0 "
                  "critical points")),
    minutes=(0.3, 15.0),
    differences="The paper's figure is the complexity Θ_{k,p}(u) (drawn under the histogram). **At finite N the "
                "descent end points do not reach the band [−E_0, −E_∞]:** at N = 200 they sit 0.05–0.11 above "
                "−E_∞ (docs/spinglass.md), at N = 60 (quick) further above; the band moves down with N. So the data "
                "support 'above the ground state, minima', not 'at the threshold'. Figure number from memory.")


def _choromanska_runs(quick: bool) -> dict:
    hidden, starts = ((25, 100), 12) if quick else ((25, 50, 100, 250), 200)
    return {"band": Run("loss-band", {"depth": 3, "hidden": hidden, "starts": starts, "seed": 2015})}


def _narrowing(key: str):
    """Statistic ``key`` at the narrowest width minus at the widest, with the combined error."""
    def measure(outputs):
        widths = outputs["band"].results["widths"]
        a = summary("band", f"{key}_w{int(min(widths))}")(outputs)
        b = summary("band", f"{key}_w{int(max(widths))}")(outputs)
        return a[0] - b[0], math.hypot(a[1], b[1])
    return measure


CHOROMANSKA_FIG = Item(
    "choromanska2015-fig1", CHOROMANSKA, "Fig. 1 (test losses of many networks)",
    "The test losses of networks trained from independent starts spread over a band that narrows, and moves down, "
    "as the networks grow — as the critical values of the p-spin concentrate.",
    _choromanska_runs, lambda out: spinglass_figures.loss_band_figure(out["band"]),
    checks=(Check("spread (sd) of test losses: narrowest minus widest network", 0.0, 0.0,
                  "the paper's claim is qualitative; we require the narrowing to exceed 2 combined standard errors "
                  "(sd errors sd/√(2(n−1)) over 12 starts are large in the quick variant)",
                  _narrowing("test_loss_sd"), sigmas=2.0, direction="above", source="Choromanska et al. 2015, Fig. 1"),
            Check("mean test loss: narrowest minus widest network", 0.0, 0.0,
                  "the band moves down with size; more than 4.5 combined standard errors",
                  _narrowing("test_loss"), sigmas=4.5, direction="above", source="Choromanska et al. 2015, Fig. 1")),
    minutes=(0.2, 7.0),
    differences="Digits (the package's 8×8 glyphs, 500 training samples, 20 epochs of SGD) instead of MNIST, "
                "depth 3, widths 25–250 (quick: 25 and 100, 12 starts). The mapping to the p-spin rests on "
                "assumptions that do not hold for these networks (docs/spinglass.md): the figures support a "
                "qualitative analogy only, and no check compares a loss with a p-spin energy.")

ITEMS = (ABC_FIG, CHOROMANSKA_FIG)
