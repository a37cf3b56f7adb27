"""Energy landscapes: basin hopping to the Lennard-Jones global minima (Wales & Doye 1997, energies as in the
Cambridge Cluster Database) and the stationary points of the Müller–Brown surface (Müller & Brown 1979), each with
its disconnectivity graph. The published energies are exact numbers of the potentials; the tolerances are their
quoted precision."""
from __future__ import annotations

import numpy as np

from statmech_nn.analysis import energy_landscape as landscape_figures

from . import Check, Item, Run
from .deepnets import summary

WALES = ("Wales & Doye 1997, Global optimization by basin-hopping and the lowest energy structures of "
         "Lennard-Jones clusters containing up to 110 atoms (J. Phys. Chem. A 101, 5111)")
MULLER = ("Müller & Brown 1979, Location of saddle points and minimum energy paths by a constrained simplex "
          "optimization procedure (Theor. Chim. Acta 53, 75)")


# ------------------------------------------------------------------------------------------ Wales & Doye 1997
def _wales_runs(quick: bool) -> dict:
    hops = (300, 200) if quick else (2000, 1000)
    return {f"lj{n}": Run("landscape", {"system": "lj", "atoms": n, "hops": h, "connect": 3 if quick else 30,
                                        "seed": 1997})
            for n, h in zip((13, 7), hops)}


def _lj_check(n: int, energy: float) -> Check:
    return Check(f"LJ{n} global minimum energy (ε)", energy, 1e-5,
                 "the database quotes six decimals; L-BFGS to max|∂E| < 1e-6 puts the energy within ~1e-10",
                 summary(f"lj{n}", "global_minimum_energy"),
                 source="Wales & Doye 1997, Table 1; Cambridge Cluster Database")


WALES_TABLE1 = Item(
    "wales1997-table1", WALES, "Table 1 (LJ13 and LJ7)",
    "Basin hopping from random starts finds the Lennard-Jones global minima: LJ13's icosahedron at −44.326801 ε "
    "and LJ7's pentagonal bipyramid at −16.505384 ε.",
    _wales_runs, lambda out: landscape_figures.run_figure(out["lj7"]),
    checks=(_lj_check(13, -44.326801), _lj_check(7, -16.505384)),
    minutes=(0.4, 5.0),
    differences="One seed, 300 / 200 hops (quick) or 2000 / 1000 (full) at the paper's step 0.36 and temperature "
                "0.8; the paper tabulates every size up to 110 from many runs. The figure is LJ7's "
                "disconnectivity graph (the quick LJ13 database connects only 3 minima; its graph is mostly "
                "unconnected minima). Table number not verified; the two energies agree with the Cambridge Cluster "
                "Database.")


# ------------------------------------------------------------------------------------------ Müller & Brown 1979
def _muller_runs(quick: bool) -> dict:
    return {"mb": Run("landscape", {"system": "muller-brown", "hops": 200 if quick else 1000,
                                    "connect": 5 if quick else 30, "seed": 1979})}


def _stationary(kind: str, rank: int):
    """Energy of the ``rank``-th lowest minimum, or of the transition state that is ``rank``-th from the top."""
    def measure(outputs):
        energies = np.sort(np.asarray(outputs["mb"].results[kind]["energy"]))
        return float(energies[rank] if kind == "minima" else energies[::-1][rank]), 0.0
    return measure


def _mb_check(kind: str, rank: int, energy: float, label: str) -> Check:
    return Check(f"{label} energy", energy, 0.01,
                 "the paper quotes two decimals (±0.005); the stationary point is converged far below that",
                 _stationary(kind, rank), source="Müller & Brown 1979, table of stationary points")


MULLER_TABLE1 = Item(
    "mullerbrown1979-table1", MULLER, "Table 1 (stationary points)",
    "The Müller–Brown surface has three minima (−146.70, −108.17, −80.77) joined by two saddles (−40.66 between "
    "A and C, −72.25 between B and C).",
    _muller_runs, lambda out: landscape_figures.run_figure(out["mb"]),
    checks=(_mb_check("minima", 0, -146.70, "minimum A"), _mb_check("minima", 1, -108.17, "minimum B"),
            _mb_check("minima", 2, -80.77, "minimum C"), _mb_check("ts", 0, -40.66, "saddle A–C"),
            _mb_check("ts", 1, -72.25, "saddle B–C"),
            Check("number of transition states found", 2.0, 0.0, "the surface has exactly two first-order saddles",
                  summary("mb", "transition_states"), source="Müller & Brown 1979")),
    minutes=(0.2, 0.5),
    differences="Basin hopping plus doubly-nudged elastic bands and eigenvector following instead of the paper's "
                "constrained simplex; the disconnectivity graph is the package's drawing of the same three minima "
                "and two saddles. Table number from memory; the saddle energies (−40.66, −72.25) are the values "
                "commonly quoted from the paper.")

ITEMS = (WALES_TABLE1, MULLER_TABLE1)
