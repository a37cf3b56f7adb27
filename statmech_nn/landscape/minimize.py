"""Local minimisation: scipy's L-BFGS (Liu & Nocedal 1989; ``scipy.optimize.minimize(method="L-BFGS-B")``) on a
system's ``energy_and_gradient``, followed by the system's ``normalize`` (a cluster recentred, a point put back on
the sphere). Converged when the largest gradient component is below ``gtol``."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize as scipy_minimize


class Minimum(NamedTuple):
    x: np.ndarray
    energy: float
    grad_max: float     # largest |∂E/∂x_i| at x
    evaluations: int    # energy-and-gradient calls


def minimize(system, x0, gtol: float | None = None, max_iter: int = 10000, restarts: int = 3) -> Minimum:
    """The local minimum reached from ``x0`` (see the module docstring); L-BFGS is restarted from where it
    stopped (at most ``restarts`` times) while the gradient is above ``gtol`` (default: the system's ``gtol``).
    :func:`converged` tells whether it got there."""
    gtol = gtol or system.gtol
    x, evaluations = np.asarray(x0, dtype=np.float64), 0
    for _ in range(restarts + 1):
        res = scipy_minimize(system.energy_and_gradient, x, jac=True, method="L-BFGS-B",
                             options={"gtol": gtol, "ftol": 0.0, "maxiter": max_iter, "maxcor": 20})
        x = system.normalize(res.x)
        evaluations += int(res.nfev)
        e, g = system.energy_and_gradient(x)
        if not np.isfinite(e) or np.max(np.abs(g)) <= gtol:
            break
    return Minimum(x, float(e), float(np.max(np.abs(g))), evaluations)


def converged(system, m: Minimum, gtol: float | None = None) -> bool:
    """A minimisation that ended at a finite energy with the gradient below 10·gtol (default: the system's)."""
    return bool(np.isfinite(m.energy) and m.grad_max <= 10 * (gtol or system.gtol))


def hessian_eigenvalues(system, x) -> np.ndarray:
    """Eigenvalues of the exact Hessian at x, ascending, without the system's ``n_zero_modes`` closest to zero."""
    w = np.linalg.eigvalsh(system.hessian(x))
    if system.n_zero_modes:
        w = np.delete(w, np.argsort(np.abs(w))[:system.n_zero_modes])
    return w
