"""The renormalization group and deep learning (Mehta & Schwab 2014; Iso, Shiba & Yokoo 2018).

* :mod:`.decimation` — exact 1-D decimation written as an RBM, checked by enumeration;
* :mod:`.blockspin`  — Kadanoff majority-rule block spins and lattice statistics;
* :mod:`.stack`      — layer-wise training of stacked RBMs, propagation up and reconstruction down;
* :mod:`.locality`   — receptive fields W1·W2···, their locality and a shuffled-weights control;
* :mod:`.compare`    — end-of-run statistics of data, block spins, reconstructions and the quenched control;
* :mod:`.flow`       — the RBM flow v → h → v and the temperatures matched along it.
"""
