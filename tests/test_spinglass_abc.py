"""ABČ complexity of the spherical p-spin: published values, the formula's internal consistency, and the p = 2
ground state against the exact minimum of a sampled model."""
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.spinglass.abc_theory import complexity, critical_energy, ground_energy, threshold_energy
from statmech_nn.spinglass.pspin import pspin_model


def test_p3_published_values():
    """ABČ (2013): p = 3, E_0 ≈ 1.657, E_∞ = 2√(2/3) ≈ 1.633 (quoted to three decimals)."""
    assert ground_energy(3) == pytest.approx(1.657, abs=5e-4)
    assert threshold_energy(3) == pytest.approx(1.633, abs=5e-4)


@pytest.mark.parametrize("p", [3, 4, 5])
def test_energies_are_zeros_of_the_complexity_and_decrease_to_the_threshold(p):
    e = np.array([critical_energy(p, k) for k in range(8)])
    for k, ek in enumerate(e):
        assert complexity(p, -ek, k) == pytest.approx(0.0, abs=1e-12)
        assert complexity(p, -ek - 1e-3, k) < 0 < complexity(p, -ek + 1e-3, k)
    assert np.all(np.diff(e) < 0) and e[-1] > threshold_energy(p)
    assert critical_energy(p, 400) - threshold_energy(p) < 0.05 * (e[0] - threshold_energy(p))
    u = np.linspace(-e[0] - 0.3, 0.5, 400)
    total, minima = complexity(p, u), complexity(p, u, 0)
    assert np.all(total >= minima - 1e-15)
    assert np.all(np.diff(minima) >= -1e-15)  # cumulative in u
    assert complexity(p, 0.0) == pytest.approx(0.5 * math.log(p - 1))  # all critical points: ½ log(p−1)


def test_p2_ground_state_matches_the_spectral_edge_of_a_sample():
    """p = 2: min H/N = λ_min(∇²H)/2 exactly, → −E_0 = −√2 with Tracy–Widom corrections of order N^{−2/3}
    (|Δ| < 7·(√2/2)·N^{−2/3} fails with probability < 1e-4). Without the √p! factor the minimum would be −1 and
    is rejected by the same bound (negative control)."""
    n = 400
    lam_min = np.linalg.eigvalsh(pspin_model(n, 2, 51).hessian(np.ones(n)))[0]
    bound = 7 * math.sqrt(2) / 2 * n ** (-2 / 3)
    assert abs(lam_min / 2 + ground_energy(2)) < bound
    assert abs(lam_min / 2 / math.sqrt(2) + ground_energy(2)) > bound


@pytest.mark.parametrize("call, name", [(lambda: ground_energy(1), "p"), (lambda: critical_energy(3, -1), "k"),
                                        (lambda: complexity(3, -1.7, k=1.5), "k")])
def test_abc_rejects_bad_input(call, name):
    with pytest.raises(ParameterError) as err:
        call()
    assert err.value.name == name
