"""Deep linear networks: exact learning dynamics (Saxe, McClelland & Ganguli, ICLR 2014) and the balancedness
invariant of gradient flow (Arora, Cohen, Golowich & Hu, ICLR 2019 / arXiv:1810.02281, 2018).

A network of D weight matrices W_D ⋯ W_1 (column convention, W_l: R^{d_{l−1}} → R^{d_l}) learns a target
S = U diag(s) Vᵀ from whitened inputs (Σ_xx = 1), whose population loss is L = ½ |S − W_D ⋯ W_1|_F². The
inputs x = √n (±e_i) (2n samples, mean zero, Σ_xx = 1 exactly) make :class:`~statmech_nn.nets.mlp.Objective`'s
half mean squared error of a linear :class:`~statmech_nn.nets.mlp.MLP` equal to this L (the MLP's row
convention stores M_l = W_lᵀ; its biases start at zero and their gradients vanish by the ± symmetry).

Balanced start (every layer ε on the target modes): W_1 = ε Q_1 Vᵀ, W_l = ε Q_l Q_{l−1}ᵀ, W_D = ε U Q_{D−1}ᵀ with
Q_l random orthonormal (d_l × m). It keeps the modes decoupled: the mode strength u_α = U_αᵀ W V_α obeys

    τ u̇ = D u^{2−2/D} (s − u),     u(0) = u₀ = ε^D                                       (Saxe et al., eq. 13)

with τ = 1 and time t = lr × steps for gradient descent. D = 2 is the logistic u(t) = s u₀ e^{2st} / (s − u₀ +
u₀ e^{2st}) with half-time t_½ = ln(s/u₀ − 1)/(2s); other depths are integrated numerically. Near the target the
error decays linearly, e ∝ (1 − lr λ)^steps with λ = D s^{2−2/D}, so the loss falls at the rate −2 ln(1 − lr λ)/lr
per unit time, set by the smallest s.

Gradient flow conserves B_j = W_{j+1}ᵀ W_{j+1} − W_j W_jᵀ (j = 1 … D−1; Arora et al. 2018, Thm 1); a gradient
step changes it by lr² (G_{j+1}ᵀG_{j+1} − G_j G_jᵀ), so after a time t the drift is O(lr·t).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad, solve_ivp

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .mlp import MLP

INITS = ("balanced", "flipped", "random")


def _orthonormal(gen: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    q, r = np.linalg.qr(gen.standard_normal((rows, cols)))
    return q * np.sign(np.diag(r))


def target(seed, singular_values, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S (width × width), U, V) with S = U diag(s) Vᵀ, U and V random orthonormal (width × m)."""
    s = np.asarray(singular_values, dtype=np.float64)
    if width < s.size:
        raise ParameterError("width", width, f"at least the number of singular values ({s.size})")
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed, 0)))
    u, v = _orthonormal(gen, width, s.size), _orthonormal(gen, width, s.size)
    return (u * s) @ v.T, u, v


def whitened_data(s_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y): inputs x = √n [e_1, −e_1, e_2, −e_2, …] (rows, Σ_xx = 1) and targets y = S x."""
    n = s_matrix.shape[1]
    x = np.zeros((2 * n, n))
    x[0::2] = math.sqrt(n) * np.eye(n)
    x[1::2] = -math.sqrt(n) * np.eye(n)
    return x, x @ s_matrix.T


def network(depth: int, width: int) -> MLP:
    """A linear MLP with ``depth`` weight matrices of size width × width."""
    return MLP((width,) * (depth + 1), "linear")


def initial_params(net: MLP, seed, u: np.ndarray, v: np.ndarray, scale: float, init: str = "balanced") -> np.ndarray:
    """θ of a start: ``balanced`` (module docstring), ``flipped`` (balanced with W_D → −W_D, so u₀ = −ε^D: the
    end-to-end matrix starts farther than σ_min(S) from S, outside Arora et al.'s deficiency margin, and the flow
    runs into the saddle at W = 0), or ``random`` (layer-wise independent W_ij ~ N(0, ε²/d), the customary start,
    only approximately balanced). Biases are zero."""
    if init not in INITS:
        raise ParameterError("init", init, ", ".join(INITS))
    theta = np.zeros(net.n_params)
    layers = net.layers(theta)
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed, 1)))
    depth, width, m = net.depth, net.sizes[0], u.shape[1]
    if init == "random":
        for w, _ in layers:
            w[...] = gen.standard_normal(w.shape) * scale / math.sqrt(width)
        return theta
    q = [v] + [_orthonormal(gen, width, m) for _ in range(depth - 1)] + [u]
    for l, (w, _) in enumerate(layers):   # M_l = W_lᵀ = ε Q_{l−1} Q_lᵀ
        w[...] = scale * q[l] @ q[l + 1].T
    if init == "flipped":
        layers[-1][0][...] *= -1.0
    return theta


def weights(net: MLP, theta: np.ndarray) -> list[np.ndarray]:
    """[W_1, …, W_D] in the column convention (W_l = M_lᵀ)."""
    return [w.T for w, _ in net.layers(theta)]


def end_to_end(net: MLP, theta: np.ndarray) -> np.ndarray:
    """W = W_D ⋯ W_1."""
    out = np.eye(net.sizes[0])
    for w in weights(net, theta):
        out = w @ out
    return out


def mode_strengths(net: MLP, theta: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """u_α = U_αᵀ W V_α for every target mode α."""
    return np.einsum("ia,ij,ja->a", u, end_to_end(net, theta), v)


def balancedness(net: MLP, theta: np.ndarray) -> list[np.ndarray]:
    """[B_j = W_{j+1}ᵀ W_{j+1} − W_j W_jᵀ for j = 1 … D−1]."""
    w = weights(net, theta)
    return [w[j + 1].T @ w[j + 1] - w[j] @ w[j].T for j in range(len(w) - 1)]


def balance_drift(net: MLP, theta: np.ndarray, theta0: np.ndarray) -> float:
    """max_j |B_j(θ) − B_j(θ₀)|_F: zero under gradient flow."""
    return max((float(np.linalg.norm(b - b0)) for b, b0 in zip(balancedness(net, theta), balancedness(net, theta0))),
               default=0.0)


def _check_mode(s: float, u0: float, depth: int) -> None:
    if not (s > 0 and 0 < u0 < s):
        raise ParameterError("u0", u0, f"0 < u0 < s = {s} (a balanced start below its target)")
    if depth < 1:
        raise ParameterError("depth", depth, "a positive number of weight matrices")


def half_time(s: float, u0: float, depth: int, fraction: float = 0.5) -> float:
    """The time at which u(t) of τ u̇ = D u^{2−2/D}(s − u) (τ = 1) reaches ``fraction`` × s from u₀: closed form for
    D = 2 (and D = 1, u̇ = s − u), otherwise ∫ du / [D u^{2−2/D}(s − u)] by quadrature in z = ln u."""
    _check_mode(s, u0, depth)
    uf = fraction * s
    if u0 >= uf:
        return 0.0
    if depth == 1:
        return math.log((s - u0) / (s - uf))
    if depth == 2:
        return math.log(uf * (s - u0) / (u0 * (s - uf))) / (2.0 * s)
    return quadrature_time(s, u0, uf, depth)


def quadrature_time(s: float, u0: float, uf: float, depth: int) -> float:
    """t(u₀ → u_f) = ∫ du / [D u^{2−2/D}(s − u)] by adaptive quadrature in z = ln u (any D ≥ 1; 0 < u₀ < u_f < s)."""
    power = 1.0 - 2.0 / depth

    def integrand(z):  # dt/dz = u / [D u^{2−2/D}(s − u)], u = e^z
        return math.exp(-power * z) / (depth * (s - math.exp(z)))

    edges = np.linspace(math.log(u0), math.log(uf), 9)
    return float(sum(quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-12, limit=200)[0]
                     for lo, hi in zip(edges[:-1], edges[1:])))


def trajectory(times: np.ndarray, s: float, u0: float, depth: int) -> np.ndarray:
    """u(t) at ``times`` (≥ 0, increasing): the logistic for D = 2, u = s − (s − u₀)e^{−t} for D = 1, otherwise
    the ODE integrated in z = ln u (DOP853, rtol 1e-10)."""
    _check_mode(s, u0, depth)
    t = np.asarray(times, dtype=np.float64)
    if depth == 1:
        return s - (s - u0) * np.exp(-t)
    if depth == 2:
        e = np.exp(np.minimum(2.0 * s * t, 700.0))
        return s * u0 * e / (s - u0 + u0 * e)
    power = 1.0 - 2.0 / depth
    sol = solve_ivp(lambda _, z: depth * np.exp(power * z) * (s - np.exp(z)), (0.0, float(t[-1])),
                    [math.log(u0)], method="DOP853", t_eval=t, rtol=1e-10, atol=1e-12)
    return np.exp(sol.y[0])


def convergence_rate(s_min: float, depth: int, lr: float) -> float:
    """The late-time decay rate of the loss per unit time t = lr·steps, −2 ln(1 − lr λ)/lr with λ = D s^{2−2/D}
    (the slowest mode's linearised gradient-descent contraction; 2λ as lr → 0); nan beyond stability."""
    lam = depth * s_min ** (2.0 - 2.0 / depth)
    return -2.0 * math.log(1.0 - lr * lam) / lr if lr * lam < 1.0 else math.nan


def crossing_time(t0: float, t1: float, u0: np.ndarray, u1: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Where the straight line from (t0, u0) to (t1, u1) crosses ``level``, per entry (nan where it does not
    cross upwards in (t0, t1])."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (level - u0) / (u1 - u0)
    crossed = (u0 < level) & (u1 >= level)
    return np.where(crossed, t0 + frac * (t1 - t0), np.nan)


def advance(trainer, state: dict, objective, n_steps: int, u: np.ndarray, v: np.ndarray, half: np.ndarray,
            level: np.ndarray) -> None:
    """``n_steps`` steps of ``trainer`` (GD) in place, recording in ``half`` (nan until then) the time
    t = lr × step at which each mode strength first crosses ``level`` upwards (linear interpolation between
    steps)."""
    net, lr = objective.model, trainer.lr
    previous = mode_strengths(net, state["params"], u, v)
    for _ in range(n_steps):
        t0 = float(state["step"]) * lr
        trainer.step(state, objective)
        current = mode_strengths(net, state["params"], u, v)
        if np.isnan(half).any():
            crossed = crossing_time(t0, t0 + lr, previous, current, level)
            half[...] = np.where(np.isnan(half), crossed, half)
        previous = current
