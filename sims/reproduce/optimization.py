"""Optimisation and generalisation in small networks: Saxe et al.'s deep-linear learning times, Sagun et al.'s
Hessian outliers, Gunasekar et al.'s implicit nuclear-norm bias, Zhang et al.'s memorisation of random labels.
Gradient descent is deterministic, so these checks carry no sampling error; their tolerances name the systematic
ones (finite learning rate, finite initialisation, finite training)."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.analysis import optimization as optimization_figures

from . import Check, Item, Run
from .deepnets import summary

SAXE = ("Saxe, McClelland & Ganguli 2014, Exact solutions to the nonlinear dynamics of learning in deep linear neural "
        "networks (ICLR)")
SAGUN = ("Sagun, Evci, Güney, Dauphin & Bottou 2017, Empirical analysis of the Hessian of over-parametrized neural "
         "networks (arXiv:1706.04454)")
GUNASEKAR = ("Gunasekar, Woodworth, Bhojanapalli, Neyshabur & Srebro 2017, Implicit regularization in matrix "
             "factorization (NeurIPS)")
ZHANG = ("Zhang, Bengio, Hardt, Recht & Vinyals 2017, Understanding deep learning requires rethinking "
         "generalization (ICLR)")


# ------------------------------------------------------------------------------------------ Saxe 2014
SAXE_SCALE = 0.3


def _saxe_runs(quick: bool) -> dict:
    lr, steps = (2e-3, 2000) if quick else (1e-3, 20000)
    return {"dl": Run("deep-linear", {"depth": (2, 3) if quick else (2, 3, 5), "singular_values": (3.0, 2.0, 1.0),
                                      "init_scale": SAXE_SCALE, "init": "balanced", "lr": lr, "steps": steps,
                                      "seed": 2014})}


def saxe_half_time(s: float, u0: float) -> float:
    """Saxe et al.'s closed form for a two-layer network from u0: t_½ = (τ/2s) ln(s/u0 − 1), τ = 1."""
    return math.log(s / u0 - 1.0) / (2.0 * s)


def _saxe_check(s: float) -> Check:
    return Check(f"half-time of the s = {s:g} mode, D = 2", saxe_half_time(s, SAXE_SCALE ** 2), 0.004,
                 "gradient descent is forward Euler on the paper's gradient flow: its half-time lies O(lr) above "
                 "(measured 0.3–2 lr); 0.004 = 2 × the quick lr",
                 summary("dl", f"half_time_D2_s{s:g}"), source="Saxe et al. 2014, closed form t = (τ/2s) ln(s/u0 − 1)")


SAXE_FIG = Item(
    "saxe2014-fig3", SAXE, "Fig. 3 (mode learning times)",
    "From a small balanced start each singular mode of a deep linear network is learned along a sigmoid, the "
    "strongest first; for two layers the half-time is (τ/2s) ln(s/u0 − 1); at a fixed per-layer initial scale deeper networks take longer (the paper's Eq. 17: at a fixed total initial strength they learn faster).",
    _saxe_runs, lambda out: optimization_figures.deep_linear_figure(out["dl"]),
    checks=(_saxe_check(3.0), _saxe_check(1.0)),
    minutes=(0.2, 1.0),
    differences="Whitened inputs make the loss exactly the paper's ½|S − W_D⋯W_1|²; targets with s = 3, 2, 1, "
                "init scale 0.3 (u0 = 0.09 for D = 2), lr 1e-3 (quick: 2e-3, D = 2, 3). Deeper networks are checked "
                "against the quadrature of the same mode ODE in the package's tests, not here (the paper gives the "
                "closed form only for D = 2). Figure 3 (right: half-learning times) confirmed from the paper's text.")


# ------------------------------------------------------------------------------------------ Sagun 2017
def _sagun_runs(quick: bool) -> dict:
    if quick:
        return {"hessian": Run("hessian", {"classes": (2, 3), "hidden": (20,), "epochs": 150, "samples": 500,
                                           "seed": 2017})}
    return {"hessian": Run("hessian", {"classes": (2, 3, 5, 10), "hidden": (50,), "epochs": 500, "seed": 1})}


def _hessian_key(outputs, prefix: str) -> str:
    """The summary key ``prefix_h<width>`` of the run's (single) hidden width."""
    return f"{prefix}_h{int(outputs['hessian'].parameters['hidden'][0])}"


def _outlier_groups(k: int):
    """The paper predicts k outliers; we measure k groups of k (MSE), so the check is on n_outliers / k."""
    def measure(outputs):
        value, _ = summary("hessian", _hessian_key(outputs, f"n_outliers_k{k}"))(outputs)
        return value / k, 0.0
    return measure


def _residual_share(outputs):
    return summary("hessian", _hessian_key(outputs, "residual_share_k3"))(outputs)


def _groups_check(k: int) -> Check:
    return Check(f"outlier groups (n_outliers / k) at k = {k}", float(k), 0.0,
                 "an integer count; the paper's k outliers appear here as k groups of k eigenvalues (MSE)",
                 _outlier_groups(k), source="Sagun et al. 2017, text: outliers ≈ number of classes")


SAGUN_FIG = Item(
    "sagun2017-fig4", SAGUN, "Fig. 4 (outliers against classes)",
    "The trained Hessian is a bulk at zero plus outliers set by the number of classes k; under MSE we find k² "
    "outliers in k groups of k, not k.",
    _sagun_runs, lambda out: optimization_figures.hessian_figure(out["hessian"]),
    checks=(_groups_check(2), _groups_check(3),
            Check("max |eig(H − G)| / λ_max at k = 3", 0.0, 0.01,
                  "the paper: after training the top of the spectrum is Gauss–Newton; we allow 1 % of λ_max",
                  _residual_share, source="Sagun et al. 2017, text")),
    minutes=(0.3, 3.0),
    differences="**Disagreement with the paper:** Sagun et al. report ≈ k outliers; with MSE on one-hot targets we "
                "find k² (4, 25, 100 for k = 2, 5, 10 in the full run), because the read-out's Gauss–Newton block "
                "is E[h hᵀ] ⊗ 1_k and every feature direction repeats once per output (docs/optimization.md). The "
                "checks therefore test the number of groups, n_outliers/k = k, which is what the data support. The "
                "paper used cross-entropy; with it our spectra showed no clean gap. Full: the issue's command with "
                "k = 3 added (hidden width 50, 500 epochs, seed 1); quick: width 20, 150 epochs, 500 samples, "
                "k = 2, 3. Figure number from memory.")


# ------------------------------------------------------------------------------------------ Gunasekar 2017
def _gunasekar_runs(quick: bool) -> dict:
    if quick:
        return {"mf": Run("factorization", {"n": 20, "rank": 2, "observations": 200, "init_scale": (1e-4, 1.0),
                                            "steps": 5000, "seed": 2017})}
    return {"mf": Run("factorization", {"n": 30, "rank": 2, "observations": 300, "init_scale": (1e-4, 1e-2, 1.0),
                                        "seed": 1})}


def _excess(scale: float):
    """Relative excess of the nuclear norm over the minimum at init ``scale`` (full width, d = n)."""
    def measure(outputs):
        d = int(outputs["mf"].parameters["n"])
        return summary("mf", f"excess_nuclear_norm_a{scale:g}_d{d}")(outputs)[0], 0.0
    return measure


GUNASEKAR_FIG = Item(
    "gunasekar2017-fig1", GUNASEKAR, "Fig. 1 (nuclear norm against initialisation)",
    "Gradient descent on a full-width factorisation X = UUᵀ from a small initialisation converges to the "
    "minimum-nuclear-norm solution; from a large one it interpolates with a larger norm.",
    _gunasekar_runs, lambda out: optimization_figures.factorization_figure(out["mf"]),
    checks=(Check("relative excess of |X|_* over the minimum, init 1e-4", 0.0, 1e-3,
                  "the paper's limit is α → 0 and t → ∞; at α = 1e-4 the measured excess is 2–3e-5 (docs), 1e-3 "
                  "allows for the finite steps", _excess(1e-4), source="Gunasekar et al. 2017, conjecture and Fig. 1"),
            Check("relative excess of |X|_* over the minimum, init 1 (must exceed 5 %)", 0.0, 0.05,
                  "the paper shows the norm growing with the initialisation; we require a clear excess",
                  _excess(1.0), direction="above", source="Gunasekar et al. 2017, Fig. 1")),
    minutes=(0.2, 2.0),
    differences="Symmetric Gaussian measurements, reference by the package's ADMM. **Disagreement with the usual "
                "reading:** at finite initialisation wider factors did not lower the trace norm, they raised it "
                "(α = 1, 100 measurements: 3.9, 14.2, 21.3 for widths 3, 10, 30; docs/optimization.md); only small α "
                "gives the minimum at every width. Quick: n = 20, 200 measurements, 5000 steps. Figure number from "
                "memory.")


# ------------------------------------------------------------------------------------------ Zhang 2017
def _zhang_runs(quick: bool) -> dict:
    if quick:
        return {"rl": Run("random-labels", {"label_noise": (0.0, 1.0), "hidden": (200,), "epochs": 60,
                                            "seed": 1})}
    return {"rl": Run("random-labels", {"label_noise": (0.0, 0.2, 0.5, 1.0), "hidden": (200,), "seed": 1})}


def _train_accuracy_random(outputs):
    r = outputs["rl"].results
    sel = np.asarray(r["label_noise"]) == 1.0
    return float(np.min(np.asarray(r["train_accuracy"])[sel])), 0.0


def _test_accuracy_random(outputs):
    r = outputs["rl"].results
    sel = np.asarray(r["label_noise"]) == 1.0
    n_test = int(outputs["rl"].parameters["test_samples"])
    acc = float(np.mean(np.asarray(r["test_accuracy"])[sel]))
    return acc, math.sqrt(0.25 / (n_test * int(sel.sum())))


ZHANG_FIG = Item(
    "zhang2017-fig1", ZHANG, "Fig. 1 (random labels)",
    "A network fits completely random training labels (training accuracy 1, somewhat later than true labels) while "
    "its test accuracy falls to chance.",
    _zhang_runs, lambda out: optimization_figures.random_labels_figure(out["rl"]),
    checks=(Check("training accuracy on random labels", 1.0, 0.0, "the paper: random labels are fitted exactly",
                  _train_accuracy_random, source="Zhang et al. 2017, Fig. 1a and text"),
            Check("test accuracy with random training labels (2 classes: chance ½)", 0.5, 0.0,
                  "chance level within 4.5 binomial errors of the test set", _test_accuracy_random, sigmas=4.5,
                  source="Zhang et al. 2017, Fig. 1c (test error at chance)")),
    minutes=(0.4, 2.0),
    differences="A two-class Gaussian mixture (d = 20, 500 training points) and a one-hidden-layer ReLU network "
                "(h = 200) instead of CIFAR10 and Inception; chance is ½ here, 0.9 test error there. Quick: label "
                "noise 0 and 1, at most 60 epochs (fits at ~27).")

ITEMS = (SAXE_FIG, SAGUN_FIG, GUNASEKAR_FIG, ZHANG_FIG)
