"""The depth-scale reproduce item (Schoenholz et al. 2017): ξ fitted from the iterated mean-field maps against the
closed forms −1/ln V'(q*), −1/ln χ_c, the networks' estimator run on N = ∞ curves, and the divergence at σ_w²,c;
each with a negative control. Deterministic (no sampling): tolerances are numerical."""
import math

import numpy as np
import pytest

from statmech_nn.meanfield import fixed_point, sigma_w2_critical, theory_curves
from statmech_nn.sims.reproduce import get_item
from statmech_nn.sims.reproduce import depth_scales as ds
from statmech_nn.study import get_study

SB2 = ds.SIGMA_B2


@pytest.mark.parametrize("sw2", [1.3, 2.5])
def test_iterated_maps_give_closed_form_depth_scales(sw2):
    """Fitted in the linear regime, the maps' decay lengths equal the closed forms (measured ≤ 4e-6 relative)."""
    fp = fixed_point("tanh", sw2, SB2)
    xi_q, xi_c = ds.iterated_depth_scales("tanh", sw2, SB2)
    assert abs(xi_q / fp.xi_q - 1) < 1e-4 and abs(xi_c / fp.xi_c - 1) < 1e-4
    # negative controls: another σ_b², and the nonlinear first layers instead of the linear regime
    wrong = ds.iterated_depth_scales("tanh", sw2, SB2 + 0.01)[1]
    assert abs(wrong / fp.xi_c - 1) > 1e-2
    _, c = theory_curves("tanh", sw2, SB2, fp.q_star, fp.c_star - 0.5, 10)
    assert abs(ds.decay_length(c - fp.c_star, np.arange(11)) / fp.xi_c - 1) > 1e-2


def _map_outputs(sw2: float, sb2: float, replicates: int = 3) -> dict:
    """Stand-ins for the item's runs: the N = ∞ curves q^l, c^l from the item's inputs, at ``sb2``."""
    out = {}
    for kind in ("c", "q"):
        depth = int(ds.fit_layers(kind, sw2)[-1])
        for end, (q0, c0) in zip(("lo", "hi"), ds.input_pair(kind, sw2)):
            if c0 < 1.0:
                q, c = theory_curves("tanh", sw2, sb2, q0, c0, depth)
                for r in range(replicates):
                    out[ds._name(kind, sw2, end, r)] = {"q": q, "c": c}
    return out


@pytest.mark.parametrize("sw2", ds.ORDERED + ds.CHAOTIC)
def test_network_estimator_on_infinite_width_curves(sw2):
    """The item's network estimator (two-input difference, fit window, window bias removed) fed with the N = ∞
    curves returns the closed forms up to rounding; curves at σ_b² = 0.06 instead of 0.05 are told apart."""
    fp = fixed_point("tanh", sw2, SB2)
    for kind, closed in (("c", fp.xi_c), ("q", fp.xi_q)):
        value, error = ds.simulated_xi(_map_outputs(sw2, SB2), kind, sw2)
        assert error == 0.0 and abs(value / closed - 1) < 1e-9
        assert abs(ds.window_bias(kind, sw2)) < 0.1 * closed  # the window is close to the linear regime
    wrong, _ = ds.simulated_xi(_map_outputs(sw2, SB2 + 0.01), "c", sw2)
    assert abs(wrong / fp.xi_c - 1) > 0.02


def test_divergence_at_the_critical_line():
    """1/ξ_c of the iterated maps, extrapolated from both sides, vanishes at the solver's σ_w²,c (the curvature of
    1/ξ_c puts the crossing 1.4e-3 low); at σ_b² = 0.1 the line moves to 1.986 and is rejected."""
    crossing, _ = ds._divergence({})
    assert abs(crossing - sigma_w2_critical("tanh", SB2)) < 3e-3
    assert abs(crossing - sigma_w2_critical("tanh", 0.1)) > 0.2


def test_items_declare_valid_runs():
    for item_id in ("schoenholz2017-fig2", "pennington2017-fig3"):
        item = get_item(item_id)
        for quick in (True, False):
            runs = item.runs(quick)
            for run in runs.values():
                get_study(run.study).settings(run.params)  # raises on a parameter the study refuses
        assert item.differences and item.checks
    runs = get_item("schoenholz2017-fig2").runs(True)
    assert not any(name.startswith("c1.2_hi") for name in runs)  # ordered side: the c = 1 pair is not run
    assert math.isclose(runs["c3_lo_0"].params["c0"], fixed_point("tanh", 3.0, SB2).c_star - 0.2)
