"""Transition states: doubly-nudged elastic band, eigenvector-following refinement, verification, connect.

* :func:`dneb` — a band of images between two minima relaxed with the doubly-nudged elastic band forces
  (Trygubenko & Wales, J. Chem. Phys. 120, 2082 (2004)): F_i = −∇E⊥ + F^s∥ + F^s⊥ − (F^s⊥·ĝ⊥)ĝ⊥, with the
  improved tangent of Henkelman & Jónsson (2000) and the springs F^s = k(x_{i+1} − 2x_i + x_{i−1}); relaxed by
  FIRE (Bitzek et al., PRL 97, 170201 (2006)).
* :func:`refine_ts` — eigenvector following with the exact Hessian (partitioned rational-function steps,
  Cerjan & Miller 1981; Baker, J. Comput. Chem. 7, 385 (1986)): uphill along the lowest Hessian mode, downhill
  along all others, trust radius ``max_step``; the system's zero modes are left out.
* :func:`verify_ts` — a stationary point is a transition state when its Hessian has exactly one negative
  eigenvalue (zero modes excluded) and the two steepest-descent paths started a small step ± along that
  eigenvector reach two distinct minima (:func:`descent_path`: steps along −∇E of length ≤ ``max_step`` until
  the Hessian is positive definite and the Newton step is shorter than ``max_step``; then Newton steps on the
  non-zero modes polish the minimum — an L-BFGS run would begin with a step of unit length and can land in
  another basin).
* :func:`connect` — DNEB between two stored minima; every local maximum of the band is refined and verified;
  verified transition states and the minima they connect go into the database.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .database import Database, components
from .minimize import Minimum, converged, minimize


def _tangents(images, energies):
    """Henkelman–Jónsson tangents of the interior images (n−2, d), unit length."""
    out = []
    for i in range(1, len(images) - 1):
        up, down = images[i + 1] - images[i], images[i] - images[i - 1]
        e_prev, e, e_next = energies[i - 1], energies[i], energies[i + 1]
        if e_next > e > e_prev:
            t = up
        elif e_next < e < e_prev:
            t = down
        else:
            big = max(abs(e_next - e), abs(e_prev - e))
            small = min(abs(e_next - e), abs(e_prev - e))
            t = up * big + down * small if e_next > e_prev else up * small + down * big
        norm = np.linalg.norm(t)
        out.append(t / norm if norm > 0 else t)
    return np.array(out)


def dneb_forces(system, images, spring: float):
    """(energies (n,), DNEB forces on the interior images (n−2, d)) of a band whose ends are fixed."""
    energies, grads = zip(*(system.energy_and_gradient(x) for x in images))
    energies, grads = np.array(energies), np.array(grads)
    tau = _tangents(images, energies)
    forces = []
    for k, i in enumerate(range(1, len(images) - 1)):
        t, g = tau[k], grads[i]
        g_perp = g - (g @ t) * t
        spring_full = spring * (images[i + 1] - 2 * images[i] + images[i - 1])
        spring_par = spring * (np.linalg.norm(images[i + 1] - images[i])
                               - np.linalg.norm(images[i] - images[i - 1])) * t
        spring_perp = spring_full - (spring_full @ t) * t
        gn = np.linalg.norm(g_perp)
        double = spring_perp - (spring_perp @ g_perp) * g_perp / gn ** 2 if gn > 0 else spring_perp
        forces.append(-g_perp + spring_par + double)
    return energies, np.array(forces)


def dneb(system, xa, xb, n_images: int = 10, spring: float | None = None, iterations: int = 200,
         ftol: float = 1e-2):
    """Relaxed band from xa to xb with ``n_images`` interior images (linear interpolation to start):
    (images (n_images + 2, d), energies). ``spring`` defaults to a scale of the energy barrier over the squared
    image spacing; relaxed until the largest force is below ``ftol`` times the initial one (the band need
    only bracket the saddles: eigenvector following converges them)."""
    xb = system.align(xb, xa) if hasattr(system, "align") else xb
    images = np.array([xa + (xb - xa) * t for t in np.linspace(0.0, 1.0, n_images + 2)])
    seg = np.linalg.norm(xb - xa) / (n_images + 1)
    energies, force = dneb_forces(system, images, 1.0)
    if spring is None:
        spring = max(np.ptp(energies), 1e-3) / max(seg, 1e-6) ** 2
    max_move = 0.2 * max(seg, 1e-6)
    stop = ftol * np.max(np.abs(dneb_forces(system, images, spring)[1]))
    v = np.zeros_like(images[1:-1])
    dt, alpha, since_negative = 0.1, 0.1, 0
    for _ in range(iterations):
        energies, force = dneb_forces(system, images, spring)
        if np.max(np.abs(force)) < stop:
            break
        power = float(np.sum(force * v))
        if power > 0:
            fn = np.linalg.norm(force)
            v = (1 - alpha) * v + alpha * np.linalg.norm(v) * force / fn
            since_negative += 1
            if since_negative > 5:
                dt, alpha = min(dt * 1.1, 1.0), alpha * 0.99
        else:
            v[:] = 0.0
            dt, alpha, since_negative = dt * 0.5, 0.1, 0
        v = v + dt * force
        move = dt * v
        biggest = np.max(np.linalg.norm(move, axis=1))
        if biggest > max_move:
            move *= max_move / biggest
        images[1:-1] = images[1:-1] + move
    return images, energies


def _nonzero_modes(system, hess):
    w, vec = np.linalg.eigh(hess)
    if system.n_zero_modes:
        keep = np.sort(np.argsort(np.abs(w))[system.n_zero_modes:])
        w, vec = w[keep], vec[:, keep]
    return w, vec


def refine_ts(system, x0, gtol: float | None = None, max_step: float = 0.1, iterations: int = 200):
    """Eigenvector following from x0 to an index-1 saddle (see the module docstring): (x, energy, converged)."""
    gtol = gtol or system.gtol
    x = np.array(x0, dtype=np.float64)
    for _ in range(iterations):
        e, g = system.energy_and_gradient(x)
        if np.max(np.abs(g)) < gtol:
            return system.normalize(x), float(e), True
        w, vec = _nonzero_modes(system, system.hessian(x))
        f = vec.T @ g
        lam_p = 0.5 * w[0] + 0.5 * np.sqrt(w[0] ** 2 + 4 * f[0] ** 2)
        aug = np.zeros((len(w), len(w)))
        aug[:-1, :-1] = np.diag(w[1:])
        aug[:-1, -1] = aug[-1, :-1] = f[1:]
        lam_n = np.linalg.eigvalsh(aug)[0] if len(w) > 1 else 0.0
        h = np.empty_like(f)
        h[0] = -f[0] / (w[0] - lam_p) if w[0] != lam_p else 0.0
        h[1:] = -f[1:] / (w[1:] - lam_n)
        step = vec @ h
        norm = np.linalg.norm(step)
        if norm > max_step:
            step *= max_step / norm
        x = system.normalize(x + step)
    e, g = system.energy_and_gradient(x)
    return x, float(e), bool(np.max(np.abs(g)) < gtol)


def descent_path(system, x, max_step: float = 0.02, gtol: float | None = None, iterations: int = 20000):
    """The minimum at the end of the steepest-descent path from x (see the module docstring)."""
    x = np.array(x, dtype=np.float64)
    e, g = system.energy_and_gradient(x)
    alpha = max_step / max(np.linalg.norm(g), 1e-300)
    for k in range(iterations):
        if k % 10 == 0:
            w, vec = _nonzero_modes(system, system.hessian(x))
            if w[0] > 0 and np.linalg.norm((vec.T @ g) / w) < max_step:
                return _newton_polish(system, x, gtol)
        step = -alpha * g
        norm = np.linalg.norm(step)
        if norm > max_step:
            step *= max_step / norm
        trial = system.normalize(x + step)
        e_new, g_new = system.energy_and_gradient(trial)
        if e_new < e:
            x, e, g = trial, e_new, g_new
            alpha *= 1.2
        else:
            alpha *= 0.5
    return minimize(system, x, gtol)


def _newton_polish(system, x, gtol: float | None, iterations: int = 50):
    """Newton steps x ← x − Σ_i (v_iᵀg/λ_i) v_i over the non-zero modes, from inside a minimum's quadratic region."""
    gtol = gtol or system.gtol
    for _ in range(iterations):
        e, g = system.energy_and_gradient(x)
        if np.max(np.abs(g)) <= gtol:
            break
        w, vec = _nonzero_modes(system, system.hessian(x))
        x = system.normalize(x - vec @ ((vec.T @ g) / w))
    e, g = system.energy_and_gradient(x)
    return Minimum(x, float(e), float(np.max(np.abs(g))), 0)


class VerifiedTS(NamedTuple):
    x: np.ndarray
    energy: float
    negative_eigenvalue: float
    minimum_a: object  # minimize.Minimum reached along +v
    minimum_b: object  # ... along −v


def verify_ts(system, x, displacement: float = 0.02, eig_tol: float = 1e-6, gtol: float | None = None):
    """A :class:`VerifiedTS`, or None when x is not a transition state (see the module docstring)."""
    gtol = gtol or system.gtol
    e, g = system.energy_and_gradient(x)
    w, vec = _nonzero_modes(system, system.hessian(x))
    scale = max(np.max(np.abs(w)), 1.0)
    if np.max(np.abs(g)) > 100 * gtol or np.sum(w < -eig_tol * scale) != 1:
        return None
    v = vec[:, 0]
    ends = []
    for sign in (1.0, -1.0):
        delta = displacement
        for _ in range(8):  # a step small enough that the energy falls on this side
            trial = system.normalize(x + sign * delta * v)
            if system.energy(trial) < e:
                break
            delta *= 0.5
        ends.append(descent_path(system, trial, displacement, gtol))
    if not (converged(system, ends[0], gtol) and converged(system, ends[1], gtol)):
        return None
    if system.same(ends[0].x, ends[1].x) and abs(ends[0].energy - ends[1].energy) < 1e-6 * max(1, abs(e)):
        return None
    if max(ends[0].energy, ends[1].energy) >= e:
        return None
    return VerifiedTS(np.array(x), float(e), float(w[0]), ends[0], ends[1])


def connect(system, db: Database, a: int, b: int, n_images: int = 10, gtol: float | None = None) -> int:
    """Search transition states between stored minima a and b (insertion indices); returns how many new ones
    were stored. The minima every verified TS leads to are stored too (they may be new)."""
    images, energies = dneb(system, db.min_coords[a], db.min_coords[b], n_images)
    found = 0
    for i in range(1, len(images) - 1):
        if not (energies[i] >= energies[i - 1] and energies[i] >= energies[i + 1]):
            continue
        x, _, ok = refine_ts(system, images[i], gtol)
        if not ok:
            continue
        ts = verify_ts(system, x, gtol=gtol)
        if ts is None:
            continue
        ia, _ = db.add_minimum(ts.minimum_a.x, ts.minimum_a.energy)
        ib, _ = db.add_minimum(ts.minimum_b.x, ts.minimum_b.energy)
        if ia != ib and db.add_ts(ts.x, ts.energy, ia, ib):
            found += 1
    return found


def connect_step(system, db: Database, k: int, n_images: int = 10, gtol: float | None = None) -> int:
    """Step k of the connect phase: the minimum of energy rank k + 1 is joined (unless already connected) to the
    nearest (``system.distance``) of the lower minima; returns the TSs stored."""
    order = np.lexsort((np.arange(db.n_minima), db.min_energy))
    if k + 1 >= len(order):
        return 0
    target = int(order[k + 1])
    label = components(db.n_minima, db.ts_connects)
    lower = [int(i) for i in order[:k + 1]]
    if any(label[i] == label[target] for i in lower):
        return 0
    nearest = min(lower, key=lambda i: system.distance(db.min_coords[i], db.min_coords[target]))
    return connect(system, db, nearest, target, n_images, gtol)
