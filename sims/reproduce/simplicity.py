"""Simplicity bias of random networks (Valle-Pérez, Camargo & Louis 2018, Fig. 1): the prior P(f) over Boolean
functions that random weights put on a 7-40-40-1 ReLU network spans many decades, is highest for the constant
functions and falls with the Lempel–Ziv complexity of the truth table. The paper states these as properties of its
figure rather than numbers, so the checks test the properties, with the sample size's limits as the reasons."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.analysis import simplicity as simplicity_figures

from . import Check, Item, Run
from .deepnets import summary

VALLE = ("Valle-Pérez, Camargo & Louis 2018, Deep learning generalizes because the parameter-function map is biased "
         "towards simple functions (arXiv:1805.08522; ICLR 2019)")


def _valle_runs(quick: bool) -> dict:
    samples, block = (100_000, 10_000) if quick else (10_000_000, 1_000_000)
    return {"prior": Run("simplicity", {"inputs": 7, "layers": (40, 40), "phi": "relu", "sigma_w2": 1.0,
                                        "sigma_b2": 1.0, "samples": samples, "block_size": block, "seed": 2018})}


def _constants_on_top(outputs) -> tuple[float, float]:
    """Mass of the two most frequent functions over the mass of the two constants: exactly 1 iff they coincide."""
    r = outputs["prior"].results
    counts = np.sort(np.asarray(r["counts"]))[::-1]
    p_constant = summary("prior", "p_constant")(outputs)[0]
    return float(counts[:2].sum()) / (p_constant * float(counts.sum())), 0.0


def _decades(outputs) -> tuple[float, float]:
    """log10 of the most over the least frequent sampled function's probability."""
    counts = np.asarray(outputs["prior"].results["counts"])
    counts = counts[counts > 0]
    return math.log10(counts.max() / counts.min()), 0.0


VALLE_FIG = Item(
    "valleperez2018-fig1", VALLE, "Fig. 1 (P(f) of a 7-40-40-1 network)",
    "Random weights give a 7-40-40-1 ReLU network a prior over its 2^128 Boolean functions that spans many decades, "
    "gives the two constant functions the highest probability and falls with the functions' Lempel–Ziv complexity.",
    _valle_runs, lambda out: simplicity_figures.run_figure(out["prior"]),
    checks=(Check("mass of the two most probable functions / mass of the two constants", 1.0, 0.0,
                  "exactly 1 when the two most frequent functions are the constants (an identity of the counts)",
                  _constants_on_top, source="Valle-Pérez et al. 2018, Fig. 1 and text"),
            Check("decades spanned by the sampled P(f) (must exceed 3)", 0.0, 3.0,
                  "the paper's figure spans ~7 decades at 10^8 samples; N samples resolve at most log10(p_top N) "
                  "(4.6 at the quick 10^5); a uniform prior over 2^128 functions would give 0",
                  _decades, direction="above", source="Valle-Pérez et al. 2018, Fig. 1 (read off)"),
            Check("slope a of log2 P(f) ≲ −a K(f) − b (must exceed 0)", 0.0, 0.0,
                  "P(f) must fall with complexity by more than 4.5 bootstrap errors",
                  summary("prior", "a"), sigmas=4.5, direction="above",
                  source="Valle-Pérez et al. 2018, Eq. 1 (simplicity bound)")),
    minutes=(0.3, 8.0),
    differences="10^7 sampled networks (quick: 10^5) instead of the paper's 10^8; σ_w² = σ_b² = 1 as the package's "
                "default. The fitted slope a depends on the sample size (0.51 at 2·10^5, 0.34 at 10^7; "
                "docs/simplicity.md), so it is checked only for its sign; P(constant) = 0.728 at 10^7 is the "
                "package's number, not one the paper states, and is not checked.")

ITEMS = (VALLE_FIG,)
