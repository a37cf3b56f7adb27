"""Mean-field theory of signal propagation in deep random networks (Poole et al. 2016; Schoenholz et al. 2017).

* :mod:`.quadrature`   — Gaussian expectations ``expect(f, q)``, ``expect2(f, g, q, c)`` (sinh-mapped trapezoid rule)
* :mod:`.activations`  — :class:`Activation` (φ, φ', φ''), built-ins with closed forms
* :mod:`.maps`         — q-map V(q), c-map C(q, c), theory curves q^l, c^l
* :mod:`.fixed_points` — q*, c*, χ_1, χ_2, χ_c, depth scales ξ_q, ξ_c, ξ_∇, the critical line σ_w²,c(σ_b²)
* :mod:`.phase`        — :func:`phase_diagram` on a (σ_w², σ_b²) grid
* :mod:`.curvature`    — length, curvature and Grassmannian length of input curves across layers (Poole 2016)
* :mod:`.spectrum`     — Jacobian spectra by free probability: ``jjt_moments``, ``jjt_variance``, ``jjt_density``
"""
from .activations import ACTIVATIONS, Activation, activation
from .fixed_points import FixedPoint, depth_scale, fixed_point, sigma_w2_critical
from .maps import c_map, q_map, theory_curves
from .phase import phase_diagram
from .quadrature import expect, expect2
from .spectrum import jjt_density, jjt_moments, jjt_variance

__all__ = ["ACTIVATIONS", "Activation", "FixedPoint", "activation", "c_map", "depth_scale", "expect", "expect2",
           "fixed_point", "jjt_density", "jjt_moments", "jjt_variance", "phase_diagram", "q_map", "sigma_w2_critical",
           "theory_curves"]
