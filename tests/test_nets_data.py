"""Synthetic tasks: determinism per seed, shapes, balance, and the properties each construction promises."""
import itertools

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.nets import MLP
from statmech_nn.nets import data
from statmech_nn.rng import seed_sequence


def equal(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("make", [lambda s: data.mixture(s, 60, 3, 4, 2.0), lambda s: data.teacher(s, 30),
                                  lambda s: data.tishby12(s), lambda s: data.digits(s, 40, noise=0.1)],
                         ids=["mixture", "teacher", "tishby12", "digits"])
def test_deterministic_per_seed(make):
    assert equal(make(7), make(7)) and not equal(make(7), make(8))
    seq = np.random.SeedSequence(7, spawn_key=(2,))
    assert equal(make(seq), make(np.random.SeedSequence(7, spawn_key=(2,))))
    assert equal(make(seq), make(seed_sequence(7, 2)))


def test_mixture_shapes_balance_and_separation():
    x, y = data.mixture(0, 30_000, k=3, d=4, separation=3.0)
    assert x.shape == (30_000, 4) and x.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), [10_000] * 3)
    means = np.array([x[y == c].mean(axis=0) for c in range(3)])
    # each coordinate of a class mean has standard error 1/√10000 = 0.01: distances good to ≈ 0.015
    for a, b in itertools.combinations(range(3), 2):
        assert abs(np.linalg.norm(means[a] - means[b]) - 3.0) < 0.1
    np.testing.assert_allclose(x[y == 0].var(axis=0), 1.0, atol=0.08)
    with pytest.raises(ParameterError):
        data.mixture(0, 10, k=5, d=4)


def test_teacher_targets_are_the_teacher_network():
    x, y, theta = data.teacher(1, 50, sizes=(6, 10, 2), activation="erf")
    assert x.shape == (50, 6) and y.shape == (50, 2)
    np.testing.assert_array_equal(y, MLP((6, 10, 2), "erf").forward(theta, x))
    _, noisy, theta2 = data.teacher(1, 50, sizes=(6, 10, 2), activation="erf", noise=0.1)
    assert np.array_equal(theta, theta2) and 0.05 < np.std(noisy - y) < 0.15


def test_xor():
    x, y = data.xor()
    assert np.array_equal(y, np.logical_xor(x[:, 0], x[:, 1]))


def test_tishby12_patterns_split_and_labels():
    split = data.tishby12(0)
    assert split.x_train.shape == (3277, 12) and split.x_test.shape == (819, 12)
    x = np.vstack([split.x_train, split.x_test])
    y = np.concatenate([split.y_train, split.y_test])
    index = x @ (1 << np.arange(12))
    assert np.array_equal(np.sort(index), np.arange(4096))  # every pattern once, train and test disjoint
    assert np.array_equal(y, data.tishby12_rule(x))
    assert y.sum() == 2060  # the closest a threshold on the dipole comes to 2048 (module docstring)
    assert abs(split.y_train.mean() - 0.5) < 0.03 and abs(split.y_test.mean() - 0.5) < 0.06


def rotation_permutation(axis, angle):
    """The permutation of the icosahedron's vertices induced by a rotation (a symmetry if it exists)."""
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rot = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
    u = data.icosahedron()
    distance = np.linalg.norm((u @ rot.T)[:, None, :] - u[None, :, :], axis=2)
    assert np.allclose(distance.min(axis=1), 0.0)
    return distance.argmin(axis=1)


def test_tishby12_rule_is_rotation_and_complement_invariant():
    u = data.icosahedron()
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0)
    np.testing.assert_allclose(u.sum(axis=0), 0.0, atol=1e-15)
    x = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(float)
    y = data.tishby12_rule(x)
    perms = [rotation_permutation(u[0], 2 * np.pi / 5),  # about a vertex
             rotation_permutation(u[0] + u[1] + u[2], 2 * np.pi / 3),  # about a face centre (u0, u1, u2 a face)
             rotation_permutation(u[0] + u[1], np.pi)]  # about an edge midpoint
    for perm in perms:
        image = np.empty_like(x)
        image[:, perm] = x  # the bit at vertex i moves to vertex perm[i]
        assert np.array_equal(data.tishby12_rule(image), y)
    assert np.array_equal(data.tishby12_rule(1.0 - x), y)
    # negative control: a permutation that is no rotation changes labels
    swap = np.arange(12)
    swap[[0, 1]] = swap[[1, 0]]
    swap[[2, 3]] = swap[[3, 2]]
    assert not np.array_equal(data.tishby12_rule(x[:, swap]), y)


def test_digits():
    g = data.glyphs()
    assert g.shape == (10, 8, 8) and len({im.tobytes() for im in g}) == 10
    x, y = data.digits(3, 500, max_shift=0, flip=0.0)
    assert x.shape == (500, 64) and np.array_equal(np.bincount(y), [50] * 10)
    np.testing.assert_array_equal(x, g[y].reshape(500, 64))
    x, y = data.digits(3, 2000, max_shift=1, flip=0.05)
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert np.array_equal(np.bincount(y), [200] * 10)
    clean, y_clean = data.digits(3, 2000, max_shift=1, flip=0.0)  # same shifts: the flips are drawn after them
    assert np.array_equal(y, y_clean) and not np.array_equal(clean, g[y].reshape(2000, 64))
    flipped = np.count_nonzero(x != clean)  # Binomial(128000, 0.05): mean 6400, standard deviation 78
    assert abs(flipped - 6400) < 5 * 78
