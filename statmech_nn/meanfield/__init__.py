"""Mean-field theory of signal propagation in deep random networks (Poole et al. 2016; Schoenholz et al. 2017).

* :mod:`.quadrature`   — Gaussian expectations ``expect(f, q)``, ``expect2(f, g, q, c)`` (sinh-mapped trapezoid rule)
* :mod:`.activations`  — :class:`Activation` (φ, φ', φ''), built-ins with closed forms
* :mod:`.maps`         — q-map V(q), c-map C(q, c), theory curves q^l, c^l
* :mod:`.fixed_points` — q*, c*, χ_1, χ_2, χ_c, depth scales ξ_q, ξ_c, ξ_∇, the critical line σ_w²,c(σ_b²)
* :mod:`.phase`        — :func:`phase_diagram` on a (σ_w², σ_b²) grid
* :mod:`.curvature`    — length, curvature and Grassmannian length of input curves across layers (Poole 2016)
* :mod:`.spectrum`     — Jacobian spectra by free probability: ``jjt_moments``, ``jjt_variance``, ``jjt_density``
* :mod:`.nngp`         — NNGP kernels ``nngp_kernel``, ``pair_expectation``; GP prediction ``gp_predict``,
                         ``gp_test_error``, ``gp_error_grid``, ``split_task``
* :mod:`.residual`     — residual networks (Yang & Schoenholz 2017): ``residual_curves``, ``sign_limit``,
                         ``relu_correlation_rate``, ``residual_phase_data``
* :mod:`.gradients`    — backward recursion of |δ^l|²: ``gradient_ratio`` (plain and residual)
* :mod:`.finite_width` — leading 1/N corrections to q^l, c^l: ``finite_width_curves``
"""
from .activations import ACTIVATIONS, Activation, activation
from .finite_width import FiniteWidthCurves, finite_width_curves
from .fixed_points import FixedPoint, depth_scale, fixed_point, sigma_w2_critical
from .gradients import gradient_ratio
from .maps import c_map, q_map, theory_curves
from .nngp import gp_error_grid, gp_predict, gp_test_error, nngp_kernel, pair_expectation, split_task
from .phase import phase_diagram
from .quadrature import expect, expect2
from .residual import ResidualCurves, relu_correlation_rate, residual_curves, residual_phase_data, sign_limit
from .spectrum import jjt_density, jjt_moments, jjt_variance

__all__ = ["ACTIVATIONS", "Activation", "FiniteWidthCurves", "FixedPoint", "ResidualCurves", "activation", "c_map",
           "depth_scale", "expect", "expect2", "finite_width_curves", "fixed_point", "gp_error_grid", "gp_predict",
           "gp_test_error", "gradient_ratio", "jjt_density", "jjt_moments", "jjt_variance", "nngp_kernel",
           "pair_expectation", "phase_diagram", "q_map", "relu_correlation_rate", "residual_curves",
           "residual_phase_data", "sigma_w2_critical", "sign_limit", "split_task", "theory_curves"]
