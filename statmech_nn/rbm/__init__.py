"""Restricted Boltzmann machines as energy systems (model: :mod:`statmech_nn.models.rbm`; sampling:
:mod:`statmech_nn.samplers.rbm_gibbs`).

* :mod:`.exact` — log Z, p(v), log-likelihoods and exact averages by enumerating one layer;
* :mod:`.ais`   — annealed importance sampling of log Z, forward and reverse;
* :mod:`.logz`  — log Z as ``rbm-logz`` reports it: exact, or forward AIS bracketed by reverse AIS;
* :mod:`.train` — CD-k, PCD and tempered training over an explicit, checkpointable state;
* :mod:`.data`  — bars and stripes, 2-D Ising configurations, user arrays, base rates;
* :mod:`statmech_nn.io.modelfile` — RBMs read from / written to HDF5 (a ``rbm-train`` run or plain ``W``, biases, units);
* :mod:`.monitor`   — the training monitor: exact or AIS log-likelihood, reconstruction error;
* :mod:`.sampling`  — Gibbs traces recording every step in one call;
* :mod:`.random_ensemble` — random-weight RBMs (spin glass + Mattis part) and their replica sampler (``rbm-random``);
* :mod:`.landscape` — minima, basins, barriers and the disconnectivity tree at the end of an ``rbm-landscape`` run.
"""
