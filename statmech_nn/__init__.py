"""statmech_nn: the statistical mechanics of neural networks as a simulation laboratory."""
__version__ = "0.1.0"
