"""Signal propagation, second part: gradients on Schoenholz et al.'s depth scale ξ_∇ = −1/ln χ_1, residual networks'
polynomial growth (Yang & Schoenholz 2017), and the NNGP's accuracy following the order-to-chaos diagram (Lee et
al. 2018). The papers state equations rather than numbers; the checks compare the simulation with the paper's
equation as the package evaluates it (within the run's error), and with chance where the paper says a kernel
collapses."""
from __future__ import annotations

import math

from statmech_nn.analysis import gradients as gradient_figures
from statmech_nn.analysis import nngp as nngp_figures
from statmech_nn.analysis import signal_prop as signal_figures

from . import Check, Item, Run
from .deepnets import SCHOENHOLZ, against_theory, summary

YANG = "Yang & Schoenholz 2017, Mean field residual networks: on the edge of chaos (NeurIPS)"
LEE = ("Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein 2018, Deep neural networks as Gaussian "
       "processes (ICLR)")


# ------------------------------------------------------------------------------------------ Schoenholz 2017
GRAD_SIGMA_W2 = (1.5, 2.5)


def _schoenholz_runs(quick: bool) -> dict:
    width, depth, networks = (300, 30, 6) if quick else (500, 50, 10)
    return {"grad": Run("gradients", {"phi": "tanh", "sigma_w2": GRAD_SIGMA_W2, "sigma_b2": 0.05, "depth": depth,
                                      "width": width, "networks": networks, "seed": 2017})}


def _slope_gap(sw2: float):
    """Measured 1/ξ_∇ (log-slope of |δ^l|² per layer) minus the paper's −ln χ_1."""
    def measure(outputs):
        value, error = summary("grad", f"inv_xi_grad_sw{sw2:g}")(outputs)
        return value - summary("grad", f"inv_xi_grad_theory_sw{sw2:g}")(outputs)[0], error
    return measure


def _slope_check(sw2: float, phase: str) -> Check:
    return Check(f"1/ξ_∇ at σ_w² = {sw2:g} ({phase}), simulation − theory", 0.0, 0.0,
                 "within 4.5 standard errors over networks", _slope_gap(sw2), sigmas=4.5,
                 source="Schoenholz et al. 2017, Sec. 5: ξ_∇ = −1/ln χ_1; the figure prints no number")


SCHOENHOLZ_FIG = Item(
    "schoenholz2017-fig4", SCHOENHOLZ, "Fig. 4 (gradient norms against depth)",
    "Backpropagated gradients of tanh networks (σ_b² = 0.05) shrink towards the input on the ordered side and grow "
    "on the chaotic side, exponentially with depth scale ξ_∇ = −1/ln χ_1.",
    _schoenholz_runs, lambda out: gradient_figures.run_figure(out["grad"]),
    checks=(_slope_check(1.5, "ordered"), _slope_check(2.5, "chaotic")),
    minutes=(0.3, 1.0),
    differences="Depth 50, width 500, 10 networks per σ_w² (quick: 30, 300, 6), inputs at the fixed point q*; the "
                "paper's figure trains on MNIST/CIFAR and plots gradient norms of trained-from-random networks. The "
                "log-slope of one network estimates E[ln q̃], not ln E[q̃] (an O(1/N) difference per layer, too "
                "small to see here). Figure number from memory.")


# ------------------------------------------------------------------------------------------ Yang & Schoenholz 2017
def _yang_runs(quick: bool) -> dict:
    width, depth, networks = (300, 50, 16) if quick else (500, 200, 20)
    return {"resnet": Run("signal-prop", {"phi": "tanh", "architecture": "resnet", "residual": "reduced",
                                          "sigma_w2": 1.5, "sigma_b2": 0.05, "depth": depth, "width": width,
                                          "networks": networks, "seed": 2017})}


YANG_FIG = Item(
    "yang2017-fig1", YANG, "Fig. 1 (length growth in residual tanh networks)",
    "In a reduced residual tanh network the squared length p^l only grows — linearly at large depth, "
    "p^l ≈ (σ_w² + σ_b²) l — and the correlation approaches c_∞ as a power law: no fixed point, no exponential "
    "edge of chaos.",
    _yang_runs, lambda out: signal_figures.run_figure(out["resnet"]),
    checks=(against_theory("q^L (simulation − mean-field recursion)", "resnet", "q_L",
                           source="Yang & Schoenholz 2017, the reduced-block recursion"),
            against_theory("c^L (simulation − mean-field recursion)", "resnet", "c_L", bias=0.05,
                           why="without a contracting c-map the O(1/N) shifts add up, ≈ l/N: +0.03 at L = 50 and "
                               "+0.047 at L = 200 for N = 500 (docs/signal_prop.md)",
                           source="Yang & Schoenholz 2017, the reduced-block recursion")),
    minutes=(0.3, 2.0),
    differences="Reduced block x^l = x^{l−1} + W φ(x^{l−1}) + b at σ_w² = 1.5, σ_b² = 0.05, depth 200, width 500 "
                "(quick: 50, 300, 16 networks). The paper's asymptotic law p^l ≈ (σ_w² + σ_b²) l is approached "
                "slowly: E[tanh²] → 1 only as p^{−1/2}, so q^L/L is 1.29 at L = 50 (simulation and recursion "
                "alike) against 1.55; the check is therefore against the recursion, not the asymptote. Beyond "
                "l ≈ 10 the simulated c^l sits above the recursion by a finite-width effect that accumulates ≈ l/N "
                "(docs/signal_prop.md), which the c^L check allows for. Figure number from memory.")


# ------------------------------------------------------------------------------------------ Lee 2018
def _lee_runs(quick: bool) -> dict:
    sigma_w2 = (1.0, 2.0) if quick else (1.0, 1.5, 2.0, 2.5, 4.0)
    return {"nngp": Run("nngp", {"task": "teacher", "phi": "erf", "depth": (1, 100) if quick else (1, 3, 10, 30, 100),
                                 "sigma_w2": sigma_w2, "sigma_b2": 0.05, "train": 500, "test": 500, "seed": 2018})}


def _chance_gap(outputs) -> tuple[float, float]:
    """Test error at depth 100: ordered σ_w² = 1 (collapsed kernel) minus near-critical σ_w² = 2."""
    a = summary("nngp", "test_error_sw1_L100")(outputs)
    b = summary("nngp", "test_error_sw2_L100")(outputs)
    return a[0] - b[0], math.hypot(a[1], b[1])


LEE_FIG = Item(
    "lee2018-fig4", LEE, "Fig. 4 (NNGP accuracy over σ_w² and depth)",
    "The NNGP's test accuracy follows the signal-propagation phase diagram: at depth 100 the ordered-side kernel "
    "has collapsed to a constant (chance), while near the critical line it still predicts (here erf(√π h/2), unit slope at 0, whose σ_w²,c = 1.69 at σ_b² = 0.05 is the package's number; the paper uses tanh and ReLU).",
    _lee_runs, lambda out: nngp_figures.run_figure(out["nngp"]),
    checks=(Check("test error at σ_w² = 1, L = 100 (ordered: chance)", 0.5, 0.03,
                  "a constant kernel predicts the majority sign: chance up to the class imbalance of the teacher "
                  "(0.48 measured); plus 4.5 binomial errors", summary("nngp", "test_error_sw1_L100"), sigmas=4.5,
                  source="Lee et al. 2018, Sec. 3 (3.2 in the review version): deep kernels forget their input off criticality"),
            Check("test error at L = 100: ordered (σ_w² = 1) minus near-critical (σ_w² = 2)", 0.0, 0.0,
                  "the near-critical kernel must beat the collapsed one by more than 4.5 combined binomial errors",
                  _chance_gap, sigmas=4.5, direction="above", source="Lee et al. 2018, Fig. 4")),
    minutes=(0.3, 1.0),
    differences="A teacher task (10-dimensional Gaussian inputs labelled by a random tanh network) with erf instead "
                "of tanh (closed-form kernel), 500 training and test points instead of MNIST/CIFAR10 at up to "
                "50000 points; σ_w² = 1, 1.5, 2, 2.5, 4 and depths 1–100 (quick: σ_w² = 1, 2; depths 1, 100). At 300 "
                "training points the near-critical kernel's error at L = 100 rose to 0.26 (0.09 at 500). "
                "Lee et al. report accuracies, not a number this task can match, so the checks test the phase "
                "structure. The heat map is Fig. 3 of the ICLR review version; Fig. 4 is the number as the package "
                "reads the final version, not verified.")

ITEMS = (SCHOENHOLZ_FIG, YANG_FIG, LEE_FIG)
