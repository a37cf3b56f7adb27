"""Random deep networks: Poole et al. 2016 (Figs. 1–4), Schoenholz et al. 2017, Raghu et al. 2017, Pennington et al.
2017. The mean-field papers print few numbers; where a figure has none, its check compares the simulation with the
paper's own equation (mean-field prediction) within the run's error bar, and says so."""
from __future__ import annotations

import math

from statmech_nn.analysis import chaos as chaos_figures
from statmech_nn.analysis import isometry as isometry_figures
from statmech_nn.analysis import signal_prop as signal_figures
from statmech_nn.meanfield.curvature import HARD_TANH_BOUND_CONSTANT, raghu_hard_tanh_bound
from statmech_nn.stats import Estimate
from statmech_nn.study import get_study

from . import Check, Item, Run

POOLE = "Poole, Lahiri, Raghu, Sohl-Dickstein, Ganguli 2016, Exponential expressivity in deep neural networks through transient chaos (NeurIPS)"
SCHOENHOLZ = "Schoenholz, Gilmer, Ganguli, Sohl-Dickstein 2017, Deep information propagation (ICLR)"
RAGHU = "Raghu, Poole, Kleinberg, Ganguli, Sohl-Dickstein 2017, On the expressive power of deep neural networks (ICML)"
PENNINGTON = ("Pennington, Schoenholz, Ganguli 2017, Resurrecting the sigmoid in deep learning through dynamical "
              "isometry: theory and practice (NeurIPS)")


def summary(name: str, key: str):
    """A check's measure: the study's summary ``key`` of output ``name`` as (value, error)."""
    def measure(outputs) -> tuple[float, float]:
        run = outputs[name]
        e: Estimate = get_study(run.study).analyze(run)[key]
        return e.value, e.error
    return measure


def theory(name: str, key: str):
    """The mean-field number the run stored (the paper's equation evaluated by the package)."""
    def measure(outputs) -> tuple[float, float]:
        return float(outputs[name].results[key]), 0.0
    return measure


def against_theory(name: str, output: str, key: str, sigmas: float = 4.5, source: str = "", bias: float = 0.0,
                   why: str = "") -> Check:
    """Simulation ``key`` of ``output`` against the mean-field ``key_theory`` it stores, within ``sigmas`` errors
    plus an allowance ``bias`` for the finite-width (O(1/N)) corrections the N → ∞ theory leaves out."""
    def measure(outputs):
        run = outputs[output]
        est = get_study(run.study).analyze(run)
        return est[key].value - est[f"{key}_theory"].value, est[key].error
    reason = f"simulation minus mean-field theory, within {sigmas:g} standard errors over networks" + (
        f" plus {bias:g} for finite width ({why})" if bias else "")
    return Check(name, 0.0, bias, reason, measure, sigmas=sigmas,
                 source=source or "the paper's mean-field equations; the figure prints no number")


# ------------------------------------------------------------------------------------------ Poole Fig. 1, 2
def _poole_fig1_runs(quick: bool) -> dict:
    width, networks, depth = (200, 4, 8) if quick else (1000, 10, 12)
    return {f"sw{sw}_q{q0}": Run("signal-prop", {"phi": "tanh", "sigma_w2": sw**2, "sigma_b2": 0.09, "depth": depth,
                                                   "width": width, "networks": networks, "q0": q0, "seed": 2016})
            for sw in signal_figures.POOLE_SIGMA_W for q0 in ((0.5, 14.0) if quick else (0.5, 4.0, 14.0))}


POOLE_FIG1 = Item(
    "poole2016-fig1", POOLE, "Fig. 1",
    "The length map q^{l+1} = V(q^l) of tanh networks at σ_b = 0.3 converges to its fixed point q* within a few "
    "layers, for σ_w = 1.3, 2.5, 4.0 and any q^0; sampled networks follow the map.",
    _poole_fig1_runs, lambda out: signal_figures.poole_fig1(list(out.values())),
    checks=(against_theory("q^L at σ_w = 4, q^0 = 14 (simulation − theory)", "sw4.0_q14.0", "q_L"),
            against_theory("q^L at σ_w = 1.3, q^0 = 0.5 (simulation − theory)", "sw1.3_q0.5", "q_L")),
    minutes=(0.2, 2.0),
    differences="The paper's panel (b) shows iterated maps; here each point is the mean of sampled networks "
                "(width 1000, 10 networks; quick: 200, 4). The figure prints no numbers, so the checks compare "
                "simulation with the paper's own map.")

POOLE_FIG2 = Item(
    "poole2016-fig2", POOLE, "Fig. 2D (χ_1 over σ_w, σ_b)",
    "χ_1 over (σ_w, σ_b) for tanh: the χ_1 = 1 line separates order from chaos; at σ_b² = 0.05 it sits at "
    "σ_w² ≈ 1.76 (Schoenholz et al. 2017).",
    lambda quick: {"critical": Run("signal-prop", {"phi": "tanh", "sigma_w2": 1.76, "sigma_b2": 0.05, "seed": 1})},
    lambda out: signal_figures.poole_fig2(n=21),
    checks=(Check("σ_w²,c at σ_b² = 0.05", 1.76, 0.005, "the paper quotes two decimals",
                  theory("critical", "sigma_w2_critical"), source="Schoenholz et al. 2017, text (1.76095 from the package's solver)"),
            Check("χ_1 at (1.76, 0.05)", 1.0, 0.005, "at the quoted critical point χ_1 = 1 to the quoted precision",
                  theory("critical", "chi1"), source="definition of the critical line")),
    minutes=(0.2, 0.5),
    differences="Theory only (a 21 × 21 grid in the quick and full variants; the paper's figure is a heat map "
                "of the same quantity).")


# ------------------------------------------------------------------------------------------ Poole Figs. 3–4
def _chaos_runs(quick: bool) -> dict:
    from statmech_nn.sims.chaos import POOLE_RUN, POOLE_SIGMA_W2

    size = {"width": 400, "points": 2000, "depth": 8} if quick else {}
    return {phase: Run("chaos", {**POOLE_RUN, **size, "sigma_w2": sw2, "networks": 2 if quick else 3, "seed": 2016})
            for phase, sw2 in POOLE_SIGMA_W2.items()}


def _poole_fig3_runs(quick: bool) -> dict:
    from statmech_nn.sims.chaos import POOLE_RUN, POOLE_SIGMA_W2

    size = {"width": 400, "points": 1000, "depth": 8, "networks": 4} if quick else {"networks": 4}
    return {phase: Run("chaos", {**POOLE_RUN, **size, "sigma_w2": sw2, "seed": 2016})
            for phase, sw2 in POOLE_SIGMA_W2.items()}


def _share_gap(outputs) -> tuple[float, float]:
    """Top-2 PCA share at the last layer, ordered minus chaotic, with its standard error over networks."""
    a, b = (get_study(outputs[p].study).analyze(outputs[p])["pca_top2_fraction_L"] for p in ("ordered", "chaotic"))
    return a.value - b.value, math.hypot(a.error, b.error)


def _pca_check(phase: str, allowance: float, quick_allowance: float) -> Check:
    """The top-2 share of the circle's variance at the last layer against the mean-field spectrum (the Fourier
    coefficients of the iterated c-map, exact for the circulant Gram matrix of N → ∞)."""
    def measure(outputs):
        est = get_study(outputs[phase].study).analyze(outputs[phase])
        return est["pca_top2_fraction_L"].value - est["pca_top2_fraction_L_theory"].value, \
            est["pca_top2_fraction_L"].error

    return Check(f"top-2 PCA share at the last layer, {phase} (simulation − c-map spectrum)", 0.0, allowance,
                 f"within 3 standard errors over networks plus {allowance:g} ({quick_allowance:g} quick): the "
                 "network-to-network scatter of the share, ~0.03 in the chaotic phase at N = 400-1000 (kernel "
                 "fluctuations accumulated over layers, ~√(l/N)), is poorly estimated from 4 networks",
                 measure, quick_tolerance=quick_allowance, sigmas=3.0,
                 source="mean field: the Gram matrix of the circle is q^l c^l(θ_i − θ_j), its eigenvalues the "
                        "Fourier coefficients of c^l (the figure prints no number)")


_LENGTH_WHY = "the length ratio sits 0.1-0.2 % below √χ_1 at N = 1000 (O(1/N), docs/chaos.md)"

POOLE_FIG3 = Item(
    "poole2016-fig3", POOLE, "Fig. 3A (projections); lengths as Fig. 4D",
    "A great circle of inputs through tanh networks (σ_b² = 0.1): its length shrinks per layer in the ordered phase, "
    "is kept at χ_1 = 1 and grows by √χ_1 per layer in the chaotic phase (σ_w² = 4: 1.1504). Projected on its top "
    "two principal components it shrinks to a point keeping a nearly circular shape (ordered), stays a slowly "
    "deforming loop (critical) and crumples into an increasingly curved, space-filling curve (chaotic): at depth 16 "
    "the share of its variance on two components is 0.83, 0.65 and 0.25, as the Fourier spectrum of the iterated "
    "c-map predicts.",
    _poole_fig3_runs, lambda out: chaos_figures.poole_fig3(list(out.values())),
    checks=(against_theory("length ratio per layer, chaotic (simulation − √χ_1)", "chaotic", "length_ratio",
                           bias=0.005, why=_LENGTH_WHY),
            against_theory("length ratio per layer, critical (simulation − 1)", "critical", "length_ratio",
                           bias=0.005, why=_LENGTH_WHY),
            against_theory("length ratio per layer, ordered (simulation − √χ_1)", "ordered", "length_ratio",
                           bias=0.005, why=_LENGTH_WHY),
            _pca_check("ordered", 0.01, 0.015),
            _pca_check("critical", 0.02, 0.03),
            _pca_check("chaotic", 0.03, 0.04),
            Check("top-2 PCA share at the last layer, ordered minus chaotic", 0.0, 0.0,
                  "the ordered circle stays planar while the chaotic one spreads over many components: the gap "
                  "must exceed 4.5 standard errors", _share_gap, sigmas=4.5, direction="above",
                  source="the paper's Fig. 3 (projections), qualitative")),
    minutes=(0.4, 6.0),
    differences="The paper plots the projections of single example networks (N = 1000) at chosen depths; here "
                "every layer's points are projected on their own top principal axes (first network), and the share "
                "of the variance on two axes is compared with the mean-field spectrum. Width 1000, 2000 points, "
                "depth 16, 4 networks (quick: 400, 1000 points, depth 8). The paper's panels project onto three "
                "components; the run stores three (`pca_projection`) and the figure draws the first two. The length and curvature "
                "panels drawn beside them are the paper's Figs. 4D and 4C. The paper uses σ_b = 0.3 with σ_w = 1.3, "
                "2.5, 4.0 (one ordered, two chaotic networks, none critical); here σ_b² = 0.1 at σ_w² = 1.5, 1.986 "
                "(critical) and 4.")

POOLE_FIG4 = Item(
    "poole2016-fig4", POOLE, "Fig. 4C (curvature) and 4E (Grassmannian length)",
    "The normalised curvature κ̄ = √N κ of the propagated circle approaches its mean-field value, largest in the "
    "chaotic phase, and its Grassmannian length L^G = κ̄ L^E/√N saturates in the ordered phase and grows "
    "exponentially in the chaotic one (drawn here; κ̄ against depth is drawn with poole2016-fig3).",
    _chaos_runs, lambda out: chaos_figures.poole_fig4(list(out.values())),
    checks=(against_theory("κ̄ at the last layer, chaotic (simulation − theory)", "chaotic", "curvature_L",
                           bias=0.06, why="κ̄ sits 2 % above theory at N = 1000, depth 20 (docs/chaos.md)"),),
    minutes=(0.3, 10.0),
    differences="The paper's curvature theory is for N → ∞; the package's mean field uses the exact finite-width "
                "factor N(N−1)/((N−2)(N−4)) of E[κ'²] (docs/chaos.md), and the check allows the remaining O(1/N) "
                "terms. Quick: N = 400, 2000 points, depth 8. The paper uses σ_b = 0.3 with σ_w = 1.3, 2.5, 4.0 "
                "and no critical network; here σ_b² = 0.1 at σ_w² = 1.5, 1.986 (critical) and 4.")


# ------------------------------------------------------------------------------------------ Raghu 2017
def _raghu_runs(quick: bool) -> dict:
    from statmech_nn.sims.chaos import (RAGHU_CASES, RAGHU_HARD_TANH_RUN, RAGHU_HARD_TANH_SIGMA_W2, RAGHU_RUN,
                                        RAGHU_WIDTHS, raghu_networks)

    size = {"width": 300, "points": 2000, "depth": 6} if quick else {}
    runs = {f"{phi}_{sw2:g}": Run("chaos", {**RAGHU_RUN, **size, "phi": phi, "sigma_w2": sw2,
                                            "sigma_b2": 0.0 if phi == "relu" else 0.1, "networks": 2 if quick else 3,
                                            "seed": 2017})
            for phi, sw2 in RAGHU_CASES}
    hard = {"points": 2000, "depth": 8} if quick else {}
    for sw2 in RAGHU_HARD_TANH_SIGMA_W2:
        for width in RAGHU_WIDTHS[:-1] if quick else RAGHU_WIDTHS:
            runs[f"hard-tanh_{sw2:g}_k{width}"] = Run("chaos", {**RAGHU_HARD_TANH_RUN, **hard, "sigma_w2": sw2,
                                                                "width": width, "networks": raghu_networks(width),
                                                                "seed": 2017})
    return runs


def _hard_tanh(outputs, sigma_w2: float) -> list:
    """The hard-tanh runs at ``sigma_w2``, by width."""
    runs = [r for r in outputs.values()
            if r.parameters["phi"] == "hard-tanh" and float(r.parameters["sigma_w2"]) == sigma_w2]
    return sorted(runs, key=lambda r: r.parameters["width"])


def _hard_tanh_widest(outputs) -> tuple[float, float]:
    run = _hard_tanh(outputs, 4.0)[-1]
    est = get_study(run.study).analyze(run)
    return est["length_ratio"].value - est["length_ratio_theory"].value, est["length_ratio"].error


def _width_gain(outputs) -> tuple[float, float]:
    """Growth per layer at the largest minus the smallest width, hard-tanh σ_w² = 4."""
    runs = _hard_tanh(outputs, 4.0)
    wide, narrow = (get_study(r.study).analyze(r)["length_ratio"] for r in (runs[-1], runs[0]))
    return wide.value - narrow.value, math.hypot(wide.error, narrow.error)


def _saturation_rice(outputs) -> tuple[float, float]:
    """Hard-tanh σ_w² = 4, widest k: saturation transitions at the last layer over Rice's count for the measured
    length, S = 2 √N L^E e^{−1/(2q)} / (π √q), mean ± s.e.m. over networks."""
    run = _hard_tanh(outputs, 4.0)[-1]
    theory = run.results["saturation_transitions_theory"][-1] / run.results["length_theory"][-1]
    ratio = run["saturation_transitions"][-1] / (theory * run["length"][-1])
    return float(ratio.mean()), float(ratio.std(ddof=1) / math.sqrt(ratio.size))


def _over_bound(outputs) -> tuple[float, float]:
    """The smallest measured growth per layer over Raghu et al.'s Theorem 1 expression, over all hard-tanh runs."""
    worst = (math.inf, 0.0)
    for run in outputs.values():
        p = run.parameters
        if p["phi"] != "hard-tanh":
            continue
        est = get_study(run.study).analyze(run)["length_ratio"]
        bound = raghu_hard_tanh_bound(float(p["sigma_w2"]), float(p["sigma_b2"]), int(p["width"]))
        worst = min(worst, (est.value / bound, est.error / bound))
    return worst


RAGHU_FIG = Item(
    "raghu2017-fig1", RAGHU, "Fig. 1 (trajectory length)",
    "Trajectory length grows exponentially with depth for tanh at large σ_w² and not for ReLU at σ_w² = 2 "
    "(χ_1 = 1); neuron transitions (sign changes; for hard-tanh also saturation changes) grow in proportion to the "
    "length. For hard-tanh (the paper's main activation) "
    "the growth factor per layer rises with the width k towards the mean-field √χ_1 and stays above the paper's "
    "lower bound σ_w √k / √(σ_w² + σ_b² + k √(σ_w² + σ_b²)) (Theorem 1) times a constant of order 1.",
    _raghu_runs, lambda out: chaos_figures.raghu_length(list(out.values())),
    checks=(against_theory("length ratio per layer, tanh σ_w² = 9 (simulation − theory)", "tanh_9", "length_ratio",
                           bias=0.005, why="the length ratio sits 0.1-0.2 % below √χ_1 at N = 500-1000 (O(1/N))"),
            Check("length ratio per layer, ReLU σ_w² = 2", 1.0, 0.0, "ReLU at He initialisation keeps lengths "
                  "(χ_1 = 1) within 4.5 standard errors", summary("relu_2", "length_ratio"), sigmas=4.5,
                  source="mean field: χ_1 = σ_w²/2 = 1"),
            Check("length ratio per layer, hard-tanh σ_w² = 4, widest k (simulation − √χ_1)", 0.0, 0.005,
                  "within 4.5 standard errors over networks plus 0.005 (0.01 quick, k = 256) for the O(1/k) deficit "
                  "of the growth rate and the O(1/P) chord error of a kinked curve (docs/chaos.md)",
                  _hard_tanh_widest, quick_tolerance=0.01, sigmas=4.5,
                  source="mean field √χ_1, the k → ∞ limit the paper's bound approaches up to its constant"),
            Check("growth per layer, hard-tanh σ_w² = 4: widest k minus k = 16", 0.0, 0.0,
                  "growth rises with width (the bound's √(k/(k + √(σ_w² + σ_b²))) factor): the gain must exceed "
                  "4.5 standard errors", _width_gain, sigmas=4.5, direction="above",
                  source="Theorem 1: the width enters only through the base of the exponential"),
            Check("saturation transitions / Rice count for the measured length, hard-tanh σ_w² = 4, widest k", 1.0,
                  0.02, "within 4.5 standard errors over networks plus 0.02: neighbouring points that straddle two "
                  "crossings of a unit count none (O(1/P))", _saturation_rice, sigmas=4.5,
                  source="Rice's formula for the crossings of h = ±1; the paper: transitions proportional to "
                         "trajectory length"),
            Check("smallest growth per layer / Theorem 1 expression, hard-tanh runs", HARD_TANH_BOUND_CONSTANT, 0.0,
                  "Theorem 1 is a lower bound up to the constant its O(·) leaves unstated; the mean field fixes that "
                  "constant at ≥ (2/π)^{1/4} = 0.893 (√χ_1 over the k → ∞ expression, reached as σ_w → ∞), so the "
                  "measured growth must exceed 0.893 × the expression by 4.5 standard errors",
                  _over_bound, sigmas=4.5, direction="above",
                  source="Raghu et al. 2017, Theorem 1 (hard tanh)")),
    minutes=(0.6, 12.0),
    differences="The figure number is the trajectory-length figure of the paper as the package reads it; the "
                "paper grows lengths from random starts, here from circles of radius √(N q0) (q0 = 1 for tanh and "
                "ReLU, q0 = q* for hard-tanh). Theorem 1 is an O(·) lower bound whose constant the paper does not "
                "state: the measured growth sits at 0.95-0.97 times its expression at every width, so the expression "
                "with constant 1 lies above the measurement (and above √χ_1) at large k; the check uses the constant "
                "(2/π)^{1/4} that the mean field implies. Transitions: sign changes of the pre-activations for every "
                "run, and for hard-tanh also the changes of saturation (crossings of h = ±1, the paper's count for "
                "hard tanh), both against Rice's formula. Widths 16-1024 "
                "(quick: 16-256), σ_w² = 2 and 4 at σ_b² = 0.1.")


# ------------------------------------------------------------------------------------------ Pennington 2017
def _pennington_runs(quick: bool) -> dict:
    width, networks = (120, 4) if quick else (400, 8)
    return {f"{weights}_L{depth}": Run("isometry", {"phi": "tanh", "weights": weights, "sigma_b2": 1e-4,
                                                     "depth": depth, "width": width, "networks": networks,
                                                     "seed": 2017})
            for weights in ("orthogonal", "gaussian") for depth in ((2, 8) if quick else (2, 8, 32))}


PENNINGTON_FIG2 = Item(
    "pennington2017-fig2", PENNINGTON, "Fig. 2",
    "At criticality the singular values of the input–output Jacobian of tanh networks stay concentrated near 1 "
    "for orthogonal weights and spread with depth for Gaussian weights; free probability predicts both densities.",
    _pennington_runs, lambda out: isometry_figures.pennington_figure(list(out.values())),
    checks=(Check("mean eigenvalue of JJᵀ, orthogonal, L = 8", 1.0, 0.0, "χ_1 = 1 makes the mean 1; within 4.5 "
                  "standard errors over networks", summary("orthogonal_L8", "jjt_mean"), sigmas=4.5,
                  source="paper, Sec. 2: E[λ] = χ_1^L"),
            Check("variance of JJᵀ eigenvalues, Gaussian, L = 8 (sampled − predicted)", 0.0, 0.0,
                  "within 4.5 standard errors over networks", lambda out: _variance_gap(out["gaussian_L8"]),
                  sigmas=4.5, source="free-probability prediction of the paper")),
    minutes=(0.3, 6.0),
    differences="σ_b² = 1e-4 at the critical σ_w² the package solves for; width 400 (quick 120) instead of 1000.")


def _variance_gap(run) -> tuple[float, float]:
    est = get_study(run.study).analyze(run)
    return est["jjt_variance"].value - est["jjt_variance_predicted"].value, est["jjt_variance"].error


ITEMS = (POOLE_FIG1, POOLE_FIG2, POOLE_FIG3, POOLE_FIG4, RAGHU_FIG, PENNINGTON_FIG2)
