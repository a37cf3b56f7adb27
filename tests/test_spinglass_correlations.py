"""Exact spin correlations ⟨s_i s_j⟩ and ⟨q²⟩ against a direct sum over all states and their limits."""
from __future__ import annotations

import itertools

import numpy as np

from statmech_nn import spinglass as sg
from statmech_nn.spinglass.correlations import overlap_second_moment, spin_correlations


def test_correlations_equal_a_direct_sum_over_states():
    model = sg.ea_model("random-regular:7:2", 4)
    states = np.array(list(itertools.product((-1, 1), repeat=7)), dtype=np.float64)
    w = np.exp(-model.energy(states) / 0.7)
    w /= w.sum()
    direct = states.T @ (w[:, None] * states)
    np.testing.assert_allclose(spin_correlations(model, 0.7), direct, rtol=1e-12, atol=1e-14)
    # negative control: another temperature gives other correlations
    assert not np.allclose(spin_correlations(model, 1.4), direct, atol=1e-3)


def test_overlap_moment_limits():
    model = sg.sk_model(9, 2)
    assert abs(overlap_second_moment(model, 1e4) - 1 / 9) < 1e-3   # independent spins: ⟨q²⟩ = 1/N
    levels = np.unique(np.round(sg.all_energies(model), 12))
    gap = levels[1] - levels[0]                                     # one ground-state pair ±s below the rest
    assert abs(overlap_second_moment(model, gap / 50) - 1.0) < 1e-9  # q = ±1 between its two replicas
