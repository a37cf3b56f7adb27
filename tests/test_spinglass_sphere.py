"""Dynamics on the sphere: descent ends at minima, p = 2 critical points are the eigenvectors with index = rank,
Langevin samples e^{−H/T} (N = 3 by quadrature), annealing is chunk- and thread-independent."""
import math

import numba
import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.spinglass.pspin import pspin_model
from statmech_nn.spinglass.sphere import anneal, classify, descend, init_sphere, langevin


def test_descent_ends_at_local_minima_and_chunks_reproduce_it():
    model = pspin_model(24, 3, 41)
    state = init_sphere(model, 4, 42)
    start = classify(model, state["sigma"])
    chunked = {k: v.copy() for k, v in state.items()}
    res = descend(model, state, tol=1e-9)
    assert res["converged"].all() and np.all(res["rms_gradient"] < 1e-9)
    end = classify(model, state["sigma"])
    assert np.all(end["index"] == 0) and np.all(end["lowest_eigenvalue"] > 0)
    assert np.all(start["index"] > 0) and np.all(end["energy"] < start["energy"])
    np.testing.assert_allclose(np.sum(state["sigma"] ** 2, axis=1), 24, rtol=1e-12)
    for _ in range(200):
        if descend(model, chunked, tol=1e-9, max_steps=97)["converged"].all():
            break
    np.testing.assert_array_equal(chunked["sigma"], state["sigma"])


def test_p2_critical_points_are_eigenvectors_with_index_equal_to_rank():
    """H = ½ σᵀAσ (A = ∇²H): σ = √N u_k is critical with index k; descent reaches N λ_min / 2."""
    n = 12
    model = pspin_model(n, 2, 43)
    lam, vec = np.linalg.eigh(model.hessian(np.ones(n)))
    for k in range(n):
        s = math.sqrt(n) * vec[:, k]
        assert np.linalg.norm(model.riemannian_gradient(s)) < 1e-10
        assert model.index_of(s) == k
    state = init_sphere(model, 3, 44)
    assert descend(model, state, step=0.1, tol=1e-10)["converged"].all()
    np.testing.assert_allclose(classify(model, state["sigma"])["energy"], lam[0] / 2, rtol=1e-9)


def _sphere_average(model, temperature, n_grid=400):
    """⟨H⟩ under e^{−H/T} on the N = 3 sphere of radius √3 (Gauss–Legendre in cos θ, trapezoid in φ)."""
    x, w = np.polynomial.legendre.leggauss(n_grid)
    phi = np.linspace(0, 2 * np.pi, 2 * n_grid, endpoint=False)
    c, f = np.meshgrid(x, phi, indexing="ij")
    pts = math.sqrt(3) * np.stack([np.sqrt(1 - c ** 2) * np.cos(f), np.sqrt(1 - c ** 2) * np.sin(f), c], -1)
    a = model.hessian(np.ones(3))
    h = 0.5 * np.einsum("...i,ij,...j->...", pts, a, pts)
    weight = w[:, None] * np.exp(-(h - h.min()) / temperature)
    return np.sum(weight * h) / np.sum(weight)


def test_langevin_samples_the_boltzmann_law_on_the_sphere():
    """Independent chains' final energies: mean within 4.4 standard errors (plus the O(dt) bias bound 0.01) of the
    exact ⟨H⟩; the exact value at 1.3 T is rejected (negative control)."""
    model, t = pspin_model(3, 2, 45), 0.5
    state = init_sphere(model, 4000, 46)
    langevin(model, state, 2000, 0.005, t)
    e = classify(model, state["sigma"])["energy"] * 3
    err = 4.4 * e.std(ddof=1) / math.sqrt(e.size) + 0.01
    assert abs(e.mean() - _sphere_average(model, t)) < err
    assert abs(e.mean() - _sphere_average(model, 1.3 * t)) > err


def test_annealing_is_bit_identical_for_any_chunking_and_thread_count():
    model = pspin_model(20, 3, 47)
    runs = []
    for chunks, threads in [([300], numba.config.NUMBA_NUM_THREADS), ([120, 0, 180], 1)]:
        numba.set_num_threads(threads)
        try:
            state = init_sphere(model, 3, 48)
            for n in chunks:
                anneal(model, state, n, 0.01, 1.0, 0.0, 300)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        runs.append(state)
    for k in runs[0]:
        np.testing.assert_array_equal(runs[0][k], runs[1][k], err_msg=k)
    descend(model, runs[0])
    assert np.all(classify(model, runs[0]["sigma"])["index"] == 0)


@pytest.mark.parametrize("call, name", [
    (lambda m, s: init_sphere(m, 0, 0), "n_chains"),
    (lambda m, s: langevin(m, s, 10, 0.0, 1.0), "dt"),
    (lambda m, s: langevin(m, s, 10, 0.01, -1.0), "temperature"),
    (lambda m, s: anneal(m, s, 10, 0.01, 1.0, 2.0, 100), "t_end"),
    (lambda m, s: descend(pspin_model(6, 3, 0), s), "state"),
    (lambda m, s: descend(m, s, tol=0.0), "tol"),
])
def test_sphere_dynamics_rejects_bad_input(call, name):
    model = pspin_model(5, 3, 0)
    with pytest.raises(ParameterError) as err:
        call(model, init_sphere(model, 2, 0))
    assert err.value.name == name
