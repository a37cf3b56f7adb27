"""Mutual information of network representations T with the inputs X and the labels Y, in bits: the estimators
behind the information plane (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018). See docs/information_plane.md.

Every estimator takes the representations ``t`` (n, d) of n **distinct, equally likely inputs** (rows) and their
integer labels ``y`` (n,), and returns ``(I(X;T), I(T;Y))`` in bits:

* :mod:`.binning`  — plug-in entropies of binned T: fixed edges (the paper's [−1, 1]), an adaptive per-layer range,
  or equal-mass (per-unit quantile) bins; T deterministic, so I(X;T) = H(T_binned) ≤ log2 n;
* :mod:`.pairwise` — Kolchinsky & Tracey's pairwise-distance bounds on I(X; T + Z), Z ~ N(0, σ² 1): the KL
  upper bound (Saxe et al.'s "KDE") and the Bhattacharyya lower bound;
* :mod:`.knn`      — nearest-neighbour estimators for continuous T: Kozachenko–Leonenko entropy and the
  Kraskov–Stögbauer–Grassberger family (Ross's discrete–continuous variant for I(T;Y)), on T + Z;
* :mod:`.gradients` — per-layer mean and spread of per-sample gradients (the drift and diffusion phases).
"""
from .binning import BINNINGS, bin_indices, binned_mi, discrete_mi, entropy_bits, row_codes
from .gradients import gradient_moments
from .knn import kl_entropy, knn_mi, ksg_mi, mixed_mi
from .pairwise import pairwise_mi

__all__ = ["BINNINGS", "bin_indices", "binned_mi", "discrete_mi", "entropy_bits", "row_codes", "gradient_moments",
           "kl_entropy", "knn_mi", "ksg_mi", "mixed_mi", "pairwise_mi"]
