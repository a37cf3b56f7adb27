"""Depth scales and small-q* isometry: Schoenholz et al. 2017's ξ_q, ξ_c against σ_w² (theory, fitted from the
iterated maps, fitted from sampled networks), and Pennington et al. 2017's approach to dynamical isometry as q* → 0
along the critical line (orthogonal tanh networks; Gaussian weights and linear networks as references).

Depth scales from networks: the mean-field statement is that a perturbation about the fixed point decays as
V'(q*)^l (lengths) or χ_c^l (correlations). The network estimator is the difference of the network-mean q^l or c^l
reached from two inputs that straddle the fixed point, D^l = x̄^l(hi) − x̄^l(lo): lengths (1 ∓ 0.5) q*, or
correlations c* − δ and min(c* + δ, 1) at q0 = q* (on the ordered side c* = 1 and the pair at c = 1 stays there
exactly, so it needs no run). ξ is −1/slope of the least-squares line through ln D^l over the fit layers; its error
is a jackknife over independent replicate runs (different seeds). The same fit applied to the N = ∞ maps from the
same inputs over the same layers differs from the closed form by the map's nonlinearity at finite δ (here −0.3 …
+1.9 % for ξ_c, +5 … +7 % for ξ_q); that window bias is computed and removed, and the rest is compared with
−1/ln χ_c within the replicates' error.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.analysis import isometry as isometry_figures
from statmech_nn.analysis import signal_prop as signal_figures
from statmech_nn.meanfield import fixed_point, phase_diagram, sigma_w2_critical, theory_curves
from statmech_nn.stats import jackknife

from . import Check, Item, Run
from .deepnets import PENNINGTON, SCHOENHOLZ, summary, theory
from .deepnets import _variance_gap as run_variance_gap

# ------------------------------------------------------------------------------------------ fitting depth scales
SIGMA_B2 = 0.05
ORDERED, CHAOTIC = (1.2, 1.5), (3.0, 4.0)       # sampled σ_w² on either side of σ_w²,c = 1.761 (σ_b² = 0.05)
DELTA = {"ordered": 0.005, "chaotic": 0.2}      # half-distance of the two input correlations from c*
SPAN = {"ordered": 3.0, "chaotic": 1.5}         # c: fit layers 0..round(SPAN · ξ_c), signal above the noise
Q_DELTA, Q_LAYERS = 0.5, 3                      # q: inputs at (1 ± 0.5) q*, fit layers 0..3 (ξ_q ≈ 1–2)
MAP_WINDOW = (1e-10, 1e-5)                      # iterated maps: fit where the deviation lies in this band
EXTRAPOLATE = {"ordered": (1.70, 1.73), "chaotic": (1.79, 1.82)}  # σ_w² of the two-sided zero of 1/ξ_c


def decay_length(deviation, layers) -> float:
    """ξ = −1/b of the least-squares line ln|deviation[l]| ≈ a + b l over ``layers`` (|deviation| ∝ e^{−l/ξ})."""
    layers = np.asarray(layers)
    slope = np.polyfit(layers, np.log(np.abs(np.asarray(deviation, dtype=float)[layers])), 1)[0]
    return -1.0 / slope


def _map_fit(deviation: np.ndarray, scale: float) -> float:
    """ξ fitted to the iterated map's ``deviation`` where |deviation|/scale lies in MAP_WINDOW (the linear regime,
    above rounding)."""
    rel = np.abs(deviation) / scale
    use = np.nonzero((rel > MAP_WINDOW[0]) & (rel < MAP_WINDOW[1]))[0]
    if len(use) < 3:
        raise ValueError(f"the iterated map did not reach the fit window {MAP_WINDOW} (only {len(use)} layers)")
    return decay_length(deviation, use)


def iterated_depth_scales(phi, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    """(ξ_q, ξ_c) fitted from the iterated mean-field maps (Schoenholz et al. 2017, Sec. 3): |q^l − q*| from
    q^0 = 2 q*, and |c^l − c*| from c^0 = c* − 0.5 at q^l = q*, each fitted where the deviation has fallen into the
    linear regime (relative 1e-5 … 1e-10). Agrees with −1/ln V'(q*), −1/ln χ_c to ~1e-5 away from σ_w²,c."""
    fp = fixed_point(phi, sigma_w2, sigma_b2)
    depth_q = int(40 * max(fp.xi_q, 1.0)) + 20
    q, _ = theory_curves(phi, sigma_w2, sigma_b2, 2.0 * fp.q_star, 0.0, depth_q)
    depth_c = int(30 * fp.xi_c) + 40
    _, c = theory_curves(phi, sigma_w2, sigma_b2, fp.q_star, max(fp.c_star - 0.5, -1.0), depth_c)
    return _map_fit(q - fp.q_star, fp.q_star), _map_fit(c - fp.c_star, 1.0)


def _side(sigma_w2: float) -> str:
    return "ordered" if fixed_point("tanh", sigma_w2, SIGMA_B2).c_star == 1.0 else "chaotic"


def input_pair(kind: str, sigma_w2: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The two inputs (q0, c0) whose difference in q^l (``kind`` = "q") or c^l ("c") measures ξ_q or ξ_c: lengths
    (1 ∓ 0.5) q*, or correlations c* − δ and min(c* + δ, 1) at q0 = q*."""
    fp = fixed_point("tanh", sigma_w2, SIGMA_B2)
    if kind == "q":
        return ((1.0 - Q_DELTA) * fp.q_star, 0.0), ((1.0 + Q_DELTA) * fp.q_star, 0.0)
    delta = DELTA[_side(sigma_w2)]
    return (fp.q_star, fp.c_star - delta), (fp.q_star, min(fp.c_star + delta, 1.0))


def fit_layers(kind: str, sigma_w2: float) -> np.ndarray:
    if kind == "q":
        return np.arange(Q_LAYERS + 1)
    return np.arange(int(round(SPAN[_side(sigma_w2)] * fixed_point("tanh", sigma_w2, SIGMA_B2).xi_c)) + 1)


def map_difference(kind: str, sigma_w2: float) -> np.ndarray:
    """The N = ∞ difference q^l(hi) − q^l(lo) or c^l(hi) − c^l(lo) over the fit layers."""
    depth = int(fit_layers(kind, sigma_w2)[-1])
    lo, hi = (theory_curves("tanh", sigma_w2, SIGMA_B2, q0, c0, depth)[0 if kind == "q" else 1]
              for q0, c0 in input_pair(kind, sigma_w2))
    return hi - lo


def window_bias(kind: str, sigma_w2: float) -> float:
    """The networks' fit (same inputs, same layers) applied to the N = ∞ maps, minus the closed form ξ."""
    fp = fixed_point("tanh", sigma_w2, SIGMA_B2)
    closed = fp.xi_q if kind == "q" else fp.xi_c
    return decay_length(map_difference(kind, sigma_w2), fit_layers(kind, sigma_w2)) - closed


# ------------------------------------------------------------------------------------------ Schoenholz 2017
def _sizes(quick: bool) -> tuple[int, int, int]:
    """(width, networks per replicate run, replicates) of the runs on the chaotic side (ordered: a quarter of the
    networks, whose 1 − c has a small relative noise)."""
    return (300, 16, 8) if quick else (1000, 32, 8)


def _name(kind: str, sigma_w2: float, end: str, replicate: int) -> str:
    return f"{kind}{sigma_w2:g}_{end}_{replicate}"


def _schoenholz_runs(quick: bool) -> dict:
    width, networks, replicates = _sizes(quick)
    out = {}
    for sw2 in ORDERED + CHAOTIC:
        n = networks if _side(sw2) == "chaotic" else networks // 4
        base = {"phi": "tanh", "sigma_w2": sw2, "sigma_b2": SIGMA_B2, "width": width, "networks": n}
        for kind in ("c", "q"):
            depth = int(fit_layers(kind, sw2)[-1])
            for r in range(replicates):
                for end, (q0, c0) in zip(("lo", "hi"), input_pair(kind, sw2)):
                    if c0 < 1.0:  # a pair at c = 1 stays there: no run
                        out[_name(kind, sw2, end, r)] = Run("signal-prop", {**base, "q0": q0, "c0": c0, "depth": depth,
                                                                            "seed": 2017 + 100 * r})
    return out


def _differences(outputs: dict, kind: str, sigma_w2: float) -> np.ndarray:
    """Per replicate (rows), the network-mean q^l(hi) − q^l(lo) or c^l(hi) − c^l(lo) (columns: layers)."""
    rows = []
    r = 0
    while _name(kind, sigma_w2, "lo", r) in outputs:
        lo = outputs[_name(kind, sigma_w2, "lo", r)][kind]
        hi_name = _name(kind, sigma_w2, "hi", r)
        rows.append((outputs[hi_name][kind] if hi_name in outputs else 1.0) - lo)
        r += 1
    return np.array(rows)


def simulated_xi(outputs: dict, kind: str, sigma_w2: float) -> tuple[float, float]:
    """ξ_q or ξ_c fitted to the replicates' mean difference over the fit layers, minus the window bias of the same
    fit on the N = ∞ maps; error by a jackknife over replicates."""
    rows, layers = _differences(outputs, kind, sigma_w2), fit_layers(kind, sigma_w2)
    est = jackknife(lambda *means: decay_length(np.array(means), np.arange(len(layers))),
                    *(rows[:, l] for l in layers), block=1)
    return est.value - window_bias(kind, sigma_w2), est.error


def _xi_c_check(sigma_w2: float) -> Check:
    side = _side(sigma_w2)
    return Check(f"ξ_c from networks at σ_w² = {sigma_w2:g} ({side})", fixed_point("tanh", sigma_w2, SIGMA_B2).xi_c,
                 0.0, f"within 4.5 jackknife errors over replicate runs, after removing the N = ∞ map's own bias for "
                 f"this fit window ({window_bias('c', sigma_w2):+.3g}: input correlations c* ± {DELTA[side]:g}, "
                 f"layers 0..{int(fit_layers('c', sigma_w2)[-1])})", lambda out: simulated_xi(out, "c", sigma_w2),
                 sigmas=4.5,
                 source="Schoenholz et al. 2017, Eq. for ξ_c = −1/ln χ_c; the figure prints no number")


def _divergence(outputs) -> tuple[float, float]:
    """Where 1/ξ_c fitted from the iterated maps vanishes: the crossing of the lines through its values at the two
    ordered and the two chaotic σ_w² of EXTRAPOLATE."""
    lines = []
    for side in ("ordered", "chaotic"):
        x = np.array(EXTRAPOLATE[side])
        y = np.array([1.0 / iterated_depth_scales("tanh", s, SIGMA_B2)[1] for s in x])
        lines.append(np.polyfit(x, y, 1))
    (a1, b1), (a2, b2) = lines
    return (b2 - b1) / (a1 - a2), 0.0


def _map_gap(outputs) -> tuple[float, float]:
    """Largest relative deviation of the map-fitted ξ_q, ξ_c from the closed forms over the sampled σ_w²."""
    worst = 0.0
    for sw2 in ORDERED + CHAOTIC:
        fp = fixed_point("tanh", sw2, SIGMA_B2)
        xi_q, xi_c = iterated_depth_scales("tanh", sw2, SIGMA_B2)
        worst = max(worst, abs(xi_q / fp.xi_q - 1.0), abs(xi_c / fp.xi_c - 1.0))
    return worst, 0.0


def schoenholz_data(outputs: dict) -> dict:
    """Everything the depth-scale figure draws: the closed forms on a fine grid, the map fits on a coarse one, the
    networks' fits, and the per-layer D^l of each sampled σ_w² beside the N = ∞ maps from the same inputs."""
    fine = np.linspace(1.0, 4.0, 601)
    pd = phase_diagram("tanh", fine, [SIGMA_B2])
    coarse = np.array([s for s in np.arange(1.0, 4.01, 0.2) if abs(s - pd["sigma_w2_critical"][0]) > 0.05])
    maps = np.array([iterated_depth_scales("tanh", s, SIGMA_B2) for s in coarse])
    sampled = ORDERED + CHAOTIC
    sims = np.array([simulated_xi(outputs, "c", s) + simulated_xi(outputs, "q", s) for s in sampled])
    panels = []
    for sw2 in sampled:
        rows = _differences(outputs, "c", sw2)
        panels.append({"sigma_w2": sw2, "layers": fit_layers("c", sw2), "value": rows.mean(axis=0),
                       "error": rows.std(axis=0, ddof=1) / math.sqrt(len(rows)), "theory": map_difference("c", sw2)})
    return {"sigma_b2": SIGMA_B2, "sigma_w2": fine, "xi_c": pd["xi_c"][:, 0], "xi_q": pd["xi_q"][:, 0],
            "sigma_w2_critical": float(pd["sigma_w2_critical"][0]), "map_sigma_w2": coarse,
            "map_xi_q": maps[:, 0], "map_xi_c": maps[:, 1], "sim_sigma_w2": np.array(sampled),
            "sim_xi_c": sims[:, 0], "sim_xi_c_error": sims[:, 1], "sim_xi_q": sims[:, 2],
            "sim_xi_q_error": sims[:, 3], "panels": panels}


SCHOENHOLZ_FIG2 = Item(
    "schoenholz2017-fig2", SCHOENHOLZ, "Fig. 2 (depth scales ξ_q, ξ_c against σ_w²)",
    "For tanh at σ_b² = 0.05 the correlation depth scale ξ_c = −1/ln χ_c diverges at the order-to-chaos line "
    "σ_w²,c ≈ 1.76 while ξ_q stays finite; fits of the iterated maps and of sampled networks follow the formulas.",
    _schoenholz_runs, lambda out: signal_figures.depth_scales_figure(schoenholz_data(out)),
    checks=(Check("σ_w²,c at σ_b² = 0.05", 1.76, 0.005, "the paper quotes two decimals",
                  theory(_name("c", ORDERED[0], "lo", 0), "sigma_w2_critical"),
                  source="Schoenholz et al. 2017, text"),
            Check("σ_w² where 1/ξ_c of the iterated maps vanishes (lines through σ_w² = 1.70, 1.73 and 1.79, 1.82)",
                  sigma_w2_critical("tanh", SIGMA_B2), 0.003, "1/ξ_c is curved: the same two-point lines through "
                  "the closed form cross 0.0014 below σ_w²,c", _divergence,
                  source="the package's critical-line solver (Brent, 1e-14)"),
            Check("largest |ξ_fit/ξ − 1| of the iterated maps (ξ_q, ξ_c at the four sampled σ_w²)", 0.0, 1e-3,
                  "fits in the linear regime (deviation 1e-5 … 1e-10) must reproduce −1/ln V'(q*), −1/ln χ_c",
                  _map_gap, source="Schoenholz et al. 2017, Sec. 3"),
            *(_xi_c_check(s) for s in ORDERED + CHAOTIC)),
    minutes=(0.6, 4.0),
    differences="Schoenholz et al. measure the depth scales from networks of width 1000 over a σ_w² grid; here four "
                "σ_w² (1.2, 1.5 ordered; 3, 4 chaotic), each from 8 replicate runs (chaotic: 32 networks of width "
                "1000 per run; ordered: 8, because there 1 − c has a small relative noise; quick: width 300, 16 and "
                "4 networks), with the two-input difference estimator of the module docstring. The fit windows "
                "(correlations c* ± 0.2 and 1.5 ξ_c layers on the chaotic side, 1 − 0.005 and 3 ξ_c layers on the "
                "ordered side; lengths (1 ± 0.5) q* and layers 0..3 for ξ_q) keep the signal above the networks' "
                "O(N^−1/2) noise at the price of a nonlinearity bias of the fit (ξ_c: −0.3 % … +1.9 %; ξ_q: "
                "+5 … +7 %), which the N = ∞ maps over the same window measure and the estimate has removed; the "
                "figure's network points are "
                "these corrected values. ξ_q from networks is drawn, not checked. Near σ_w²,c "
                "(|σ_w² − σ_w²,c| < 0.05) the maps are not fitted: the decay turns algebraic there. The paper "
                "quotes no depth-scale numbers; its σ_w²,c ≈ 1.76 is checked. Figure number from memory (the "
                "depth-scale figure; Fig. 1 shows the residuals |q^l − q*|, |c^l − c*|).")


# ------------------------------------------------------------------------------------------ Pennington 2017, q* → 0
SMALL_Q_SIGMA_B2 = (0.05, 1e-3, 1e-5)   # q* = 0.570, 0.107, 0.0203 on the critical line
ISOMETRY_DEPTH = 16


def _pennington_runs(quick: bool) -> dict:
    width, networks = (200, 16) if quick else (800, 16)
    base = {"depth": ISOMETRY_DEPTH, "width": width, "networks": networks, "seed": 2017}
    out = {f"tanh_{weights}_sb{sb2:g}": Run("isometry", {**base, "phi": "tanh", "weights": weights, "sigma_b2": sb2})
           for weights in ("orthogonal", "gaussian") for sb2 in SMALL_Q_SIGMA_B2}
    out.update({f"linear_{weights}": Run("isometry", {**base, "phi": "linear", "weights": weights, "sigma_b2": 0.0})
                for weights in ("orthogonal", "gaussian")})
    return out


def _variance_gap(name: str):
    """Sampled minus predicted Var λ of output ``name`` (± the sampled error)."""
    return lambda outputs: run_variance_gap(outputs[name])


def _variance_drop(larger: float, smaller: float):
    """Var λ (orthogonal) at the larger q* minus at the smaller q*, errors combined."""
    def measure(outputs):
        a = summary(f"tanh_orthogonal_sb{larger:g}", "jjt_variance")(outputs)
        b = summary(f"tanh_orthogonal_sb{smaller:g}", "jjt_variance")(outputs)
        return a[0] - b[0], math.hypot(a[1], b[1])
    return measure


def _pennington_checks() -> tuple[Check, ...]:
    source = "Pennington et al. 2017, Eq. for σ²_{JJᵀ}; the figure prints no number"
    out = [Check(f"Var λ of JJᵀ, orthogonal, σ_b² = {sb2:g} (sampled − free probability)", 0.0, 0.0,
                 "within 4.5 jackknife errors over networks", _variance_gap(f"tanh_orthogonal_sb{sb2:g}"),
                 sigmas=4.5, source=source) for sb2 in SMALL_Q_SIGMA_B2[:2]]
    out += [Check(f"Var λ falls as q* falls (orthogonal): σ_b² = {a:g} minus {b:g}", 0.0, 0.0,
                  "the drop must exceed 4.5 combined jackknife errors", _variance_drop(a, b), sigmas=4.5,
                  direction="above", source="Pennington et al. 2017: isometry as q* → 0")
            for a, b in zip(SMALL_Q_SIGMA_B2, SMALL_Q_SIGMA_B2[1:])]
    out.append(Check(f"Var λ, Gaussian, smallest q* (σ_b² = {SMALL_Q_SIGMA_B2[-1]:g}; sampled − free probability "
                     f"≈ L = {ISOMETRY_DEPTH}, the linear Gaussian network's value)", 0.0, 0.0,
                     "within 4.5 jackknife errors over networks (heavy-tailed: the error is rough)",
                     _variance_gap(f"tanh_gaussian_sb{SMALL_Q_SIGMA_B2[-1]:g}"), sigmas=4.5, source=source))
    return tuple(out)


PENNINGTON_SMALL_Q = Item(
    "pennington2017-fig3", PENNINGTON, "Fig. 3 (spectra as q* → 0 along the critical line)",
    "At criticality, orthogonal tanh networks become more isometric as q* → 0 (σ_b² → 0, σ_w² → 1): Var λ of JJᵀ "
    "= L(μ₂/μ₁² − 1) falls towards the linear orthogonal network's 0; Gaussian weights stay near the Fuss–Catalan "
    "value L of a product of Gaussian matrices.",
    _pennington_runs, lambda out: isometry_figures.small_q_figure(list(out.values())),
    checks=_pennington_checks(),
    minutes=(0.3, 3.0),
    differences=f"Depth {ISOMETRY_DEPTH}, width 800 (quick 200), 16 networks per point and three q* (0.57, 0.107, "
                "0.020 at σ_b² = 0.05, 1e-3, 1e-5) with the free-probability curve along the critical line between "
                "them; the paper works at larger depth and width. Which figure and panel of the paper show the "
                "small-q* trend is from memory and may differ. At the smallest q* the sampled orthogonal variance "
                "sits above the N = ∞ prediction by an O(1/N) amount (+0.0013 at N = 200, +0.00035 at N = 800; "
                "2–4.5 jackknife errors), so the variance-against-prediction checks use the two larger q*. The "
                "linear networks sit at σ_w² = 1, σ_b² = 0 with inputs of length 1.")

ITEMS = (SCHOENHOLZ_FIG2, PENNINGTON_SMALL_Q)
