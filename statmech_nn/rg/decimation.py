"""Decimation of the periodic 1-D Ising chain as an RBM (Mehta & Schwab, arXiv:1410.3831, Fig. 2).

The chain p(s) ∝ exp(K Σ_i s_i s_{i+1}), N spins (N even, periodic), is bipartite: with the odd sites as the
visible layer v and the even sites as the hidden layer h it *is* an RBM in ±1 units, E(v, h) = -K Σ_j v_j
(h_j + h_{j+1}) (v_j = s_{2j+1}, h_j = s_{2j}), no biases. Summing out v is one decimation step:

    Tr_v e^{-E(v, h)} = Π_j 2 cosh K(h_j + h_{j+1}) = exp(N/2 · g + K' Σ_j h_j h_{j+1}),
    tanh K' = tanh² K,   K' = ½ ln cosh 2K,   g = ln 2 + K',

so the RBM's hidden marginal is the decimated chain of N/2 spins with coupling K' — exactly, the variational RG
condition Tr_h e^{T(v, h)} = 1 with T = -E + H holding because decimation is a projection. The next level is the
same construction on the N/2 coarse spins, so a stack of such RBMs with couplings K, K', K'', ... is the RG flow
K → 0 (the 1-D chain has no finite-temperature fixed point besides K = 0 and K = ∞). The correlation length in
lattice units, ξ = -1/ln tanh K, halves at every step.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, configurations
from statmech_nn.rbm.exact import log_partition

#: Largest chain checked by enumeration (2^(N/2) states per layer).
MAX_ENUMERATED_N = 40


def check_coupling(K) -> float:
    if isinstance(K, bool) or not isinstance(K, (int, float, np.floating)) or not math.isfinite(K) or K < 0:
        raise ParameterError("K", K, "a finite coupling >= 0")
    return float(K)


def check_chain_length(N) -> int:
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 4 or N % 2 or N > MAX_ENUMERATED_N:
        raise ParameterError("N", N, f"an even integer from 4 to {MAX_ENUMERATED_N}")
    return int(N)


def decimated_coupling(K: float) -> float:
    """K' = artanh(tanh² K) = ½ ln cosh 2K = ½ ln(1 + 2 sinh² K) (the last form keeps K' ≈ K² accurate)."""
    K = check_coupling(K)
    if K < 1.0:
        return 0.5 * math.log1p(2.0 * math.sinh(K) ** 2)
    return 0.5 * (2.0 * K + math.log1p(math.exp(-4.0 * K)) - math.log(2.0))


def free_energy_constant(K: float) -> float:
    """g = ln 2 + K' per decimated spin."""
    return math.log(2.0) + decimated_coupling(K)


def flow(K: float, steps: int) -> np.ndarray:
    """The couplings K_0 = K, K_1, ..., K_steps of repeated decimation."""
    out = [check_coupling(K)]
    for _ in range(steps):
        out.append(decimated_coupling(out[-1]))
    return np.array(out)


def correlation_length(K: float) -> float:
    """ξ = -1 / ln tanh K in lattice units (∞ at K = ∞, 0 at K = 0)."""
    t = math.tanh(check_coupling(K))
    return 0.0 if t == 0.0 else (math.inf if t == 1.0 else -1.0 / math.log(t))


def chain_log_partition(K: float, N: int) -> float:
    """log Z_N(K) = log[(2 cosh K)^N + (2 sinh K)^N] of the periodic chain (transfer matrix)."""
    K = check_coupling(K)
    a = N * math.log(2.0 * math.cosh(K))
    return a + math.log1p(math.tanh(K) ** N)


def decimation_rbm(K: float, N: int) -> RBM:
    """The chain of N spins with coupling K as a ±1 RBM: visible v_j = s_{2j+1}, hidden h_j = s_{2j},
    W[j, j] = W[j, j+1 mod N/2] = K (on N = 4 the two bonds of a visible unit go to distinct hidden units)."""
    K, N = check_coupling(K), check_chain_length(N)
    n = N // 2
    W = np.zeros((n, n))
    for j in range(n):
        W[j, j] += K
        W[j, (j + 1) % n] += K
    return RBM(W, np.zeros(n), np.zeros(n), "spin")


def chain_energy(h: np.ndarray, K: float) -> np.ndarray:
    """-K Σ_j h_j h_{j+1} of periodic ±1 chains (..., n)."""
    return -K * np.sum(h * np.roll(h, -1, axis=-1), axis=-1)


def hidden_marginal_kl(model: RBM, K_coarse: float) -> float:
    """KL(p_RBM(h) ‖ p_chain(h)) between the RBM's hidden marginal and the periodic chain of n_hidden spins
    with coupling ``K_coarse``, both by enumeration of the 2^n_hidden states (log Z exact)."""
    h = configurations(model.n_hidden, "spin")
    log_p = -model.free_energy_hidden(h) - log_partition(model)
    log_q = -chain_energy(h, K_coarse) - chain_log_partition(K_coarse, model.n_hidden)
    p = np.exp(log_p)
    return float(np.sum(p * (log_p - log_q)))


def decimation_check(K: float, N: int) -> dict[str, float]:
    """One decimation step verified by enumeration: ``kl`` between the RBM's hidden marginal and the chain with
    K' (0 up to round-off), ``free_energy_error`` = max_h |F(h) + N/2·g + K' Σ h_j h_{j+1}| (the constant g),
    and ``log_z_error`` = |log Z_N(K) - N/2·g - log Z_{N/2}(K')| from the closed forms."""
    model = decimation_rbm(K, N)
    Kp, g = decimated_coupling(K), free_energy_constant(K)
    h = configurations(model.n_hidden, "spin")
    f_err = np.max(np.abs(model.free_energy_hidden(h) + N / 2 * g - chain_energy(h, Kp)))
    log_z_err = abs(chain_log_partition(K, N) - N / 2 * g - chain_log_partition(Kp, N // 2))
    return {"kl": hidden_marginal_kl(model, Kp), "free_energy_error": float(f_err), "log_z_error": log_z_err}
